# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from markupsafe import Markup

from odoo import _, api, models

_logger = logging.getLogger(__name__)

# SMS states of Odoo's sms module that mean the gateway took the SMS.
SMS_SENT_STATES = ("pending", "sent")


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    @api.model
    def _get_step_problems(self, step):
        problems = super()._get_step_problems(step)
        if step.channel == "sms" and not step.sms_template_id:
            problems.append(_("The SMS step %(step)s needs an SMS template.", step=step.name or ""))
        return problems

    def _send_by_sms(self, step, groups, today, **options):
        """One SMS per customer, queued in Odoo's SMS queue; its events stay
        queued until the SMS gateway answers (see ``sms.sms.write``)."""
        template = step.sms_template_id
        if not template:
            reason = _("The step %(step)s has no SMS template.", step=step.display_name)
            return self.env["account.dunning.event"]._prepare_failure_vals(
                step, [(partner, moves, reason) for partner, moves in groups], today
            )
        sendable, failures = [], []
        for partner, moves in groups:
            number, reason = self._get_reminder_sms_number(partner)
            if number:
                sendable.append((partner, moves, number))
            else:
                failures.append((partner, moves, reason))
        bodies = self._render_reminder_sms(template, [moves for _p, moves, _n in sendable])
        to_send = []
        for partner, moves, number in sendable:
            body = bodies[moves[:1].id]
            if isinstance(body, Exception):
                reason = _(
                    "The SMS template %(template)s could not be rendered: %(error)s",
                    template=template.display_name,
                    error=body,
                )
                failures.append((partner, moves, reason))
            else:
                to_send.append((partner, moves, number, body))
        sms_records = self._queue_sms(to_send)
        Event = self.env["account.dunning.event"]
        vals_list = []
        for (_partner, moves, number, _body), sms in zip(to_send, sms_records, strict=True):
            note = _("SMS to %(number)s.", number=number)
            vals_list += [
                Event._prepare_event_vals(move, step, "queued", today, sms_id=sms.id, note=note)
                for move in moves
            ]
        self._log_sms_on_invoices(step, to_send)
        return vals_list + self.env["account.dunning.event"]._prepare_failure_vals(
            step, failures, today
        )

    @api.model
    def _get_reminder_sms_number(self, partner):
        """The number a customer's reminder SMS goes to: its mobile, else its
        phone, formatted by the sms module's phone helpers.

        :return: (number, False) or (False, the reason in words)
        """
        raw = partner.mobile or partner.phone
        if not raw:
            return False, _(
                "The customer %(customer)s has no mobile or phone number.",
                customer=partner.display_name,
            )
        number = partner._phone_format(number=raw)
        if not number:
            return False, _(
                "The phone number %(number)s of the customer %(customer)s is not valid.",
                number=raw,
                customer=partner.display_name,
            )
        return number, False

    @api.model
    def _render_reminder_sms(self, template, move_groups):
        """Render the SMS template once per group of invoices, on the oldest
        invoice of each group, in its customer's language, with all the
        group's invoices in ``object.dunning_reminder_move_ids``.

        :return: {lead invoice id: the body or the exception}
        """
        if not move_groups:
            return {}
        template = template.with_context(
            dunning_reminder_groups=tuple((moves[:1].id, tuple(moves.ids)) for moves in move_groups)
        )
        lead_ids = [moves[:1].id for moves in move_groups]
        try:
            return template._render_field("body", lead_ids, compute_lang=True)
        except Exception:  # noqa: BLE001 - templates are user code
            _logger.info("Dunning: rendering %s one record at a time.", template.display_name)
        results = {}
        for lead_id in lead_ids:
            try:
                results.update(template._render_field("body", [lead_id], compute_lang=True))
            except Exception as error:  # noqa: BLE001 - reported on the reminders
                results[lead_id] = error
        return results

    @api.model
    def _queue_sms(self, to_send):
        """Create the SMS of ``to_send`` in one batch, in Odoo's SMS queue,
        and have the queue processed soon."""
        sms_records = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {
                        "number": number,
                        "body": body,
                        "partner_id": partner.id,
                        "state": "outgoing",
                    }
                    for partner, _moves, number, body in to_send
                ]
            )
        )
        if sms_records:
            cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
        return sms_records

    @api.model
    def _log_sms_on_invoices(self, step, to_send):
        """Leave a note with the SMS on each invoice's chatter."""
        bodies = {}
        for _partner, moves, number, body in to_send:
            note = Markup("<p>%s</p><p>%s</p>") % (
                _(
                    "%(step)s sent by SMS to %(number)s (%(invoices)s).",
                    step=step.display_name,
                    number=number,
                    invoices=", ".join(moves.mapped("name")),
                ),
                body,
            )
            for move in moves:
                bodies[move.id] = note
        if bodies:
            moves = self.env["account.move"].browse(list(bodies))
            moves.sudo()._message_log_batch(bodies)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") in (*SMS_SENT_STATES, "error", "canceled"):
            self._update_dunning_events()
        return res

    def _update_dunning_events(self):
        """The SMS gateway answered: the queued reminders of these SMS are
        sent, or failed with the reason in words. A failed SMS sent again
        and taken this time turns its reminders sent."""
        self.env["account.dunning.event"].sudo().search(
            [("sms_id", "in", self.ids), ("state", "in", ("queued", "failed"))]
        )._follow_delivery(
            "sms_id",
            lambda sms: sms.state in SMS_SENT_STATES,
            lambda sms: sms.state in ("error", "canceled"),
            _("The SMS was sent after all."),
        )

    def _get_dunning_failure_note(self):
        """The note of the reminders of this SMS that was not sent."""
        self.ensure_one()
        return _(
            "The reminder SMS to %(number)s could not be sent: %(reason)s",
            number=self.number,
            reason=self._describe_dunning_failure(),
        )

    def _describe_dunning_failure(self):
        """Why this SMS was not sent, in words."""
        self.ensure_one()
        if self.state == "canceled":
            return _("the SMS was cancelled.")
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        return labels.get(self.failure_type) or _("Unknown error")
