# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, models

LETTER_REPORT = "account_dunning.action_report_dunning_letter"
FORMAL_NOTICE_REPORT = "account_dunning.action_report_dunning_formal_notice"


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    def _send_by_letter(self, step, groups, today, **options):
        """One letter per customer, to be printed and posted."""
        return self._print_reminders(step, groups, today, LETTER_REPORT)

    def _send_by_formal_notice(self, step, groups, today, **options):
        """One formal notice per customer, to be printed and posted."""
        return self._print_reminders(step, groups, today, FORMAL_NOTICE_REPORT)

    def _print_reminders(self, step, groups, today, report_ref):
        Event = self.env["account.dunning.event"]
        vals_list = []
        for partner, moves in groups:
            attachment = self._render_letter(step, partner, moves, today, report_ref)
            moves[:1].sudo()._message_log(
                body=_("Letter %(step)s ready to print.", step=step.display_name),
                attachment_ids=attachment.ids,
            )
            note = _("Letter to print and post.")
            vals_list += [
                Event._prepare_event_vals(
                    move, step, "pending", today, attachment_id=attachment.id, note=note
                )
                for move in moves
            ]
        return vals_list

    @api.model
    def _render_letter(self, step, partner, moves, today, report_ref, **context):
        """The PDF of a customer's letter, stored on its oldest invoice.
        ``context`` goes to the report (``snailmail_layout`` for letters
        sent by post)."""
        lead = moves[:1]
        report = self.env.ref(report_ref).sudo()
        pdf, _report_type = report.with_context(
            force_report_rendering=True,
            dunning_reminder_groups=((lead.id, tuple(moves.ids)),),
            dunning_date=today,
            dunning_deadline_days=step.payment_delay_days,
            **context,
        )._render_qweb_pdf(report_ref, res_ids=lead.ids)
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": _(
                        "%(step)s %(customer)s %(date)s.pdf",
                        step=step.name,
                        customer=partner.display_name,
                        date=today,
                    ).replace("/", "-"),
                    "raw": pdf,
                    "mimetype": "application/pdf",
                    "res_model": "account.move",
                    "res_id": lead.id,
                }
            )
        )
