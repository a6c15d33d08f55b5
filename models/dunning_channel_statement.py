# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, models


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    def _send_by_statement(self, step, groups, today, **options):
        """The customer's statement of account by email instead of the list
        of the step's invoices: one per customer, its events queued until the
        mail server takes the email."""
        Event = self.env["account.dunning.event"]
        template = step.statement_template_id or self.env.ref(
            "account_dunning.mail_template_customer_statement"
        )
        Mailer = self.env["account.dunning.mailer"]
        sent, failures = [], []
        for partner, moves in groups:
            if not partner._get_reminder_recipients():
                failures.append(
                    (
                        partner,
                        moves,
                        Mailer._get_no_email_reason(partner),
                    )
                )
                continue
            message = partner.with_company(moves[:1].company_id)._send_dunning_statement(template)
            sent.append((partner, moves, message))
        messages = self.env["mail.message"].concat(*(message for _p, _m, message in sent))
        mails = {
            mail.mail_message_id: mail
            for mail in self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "in", messages.ids)])
        }
        vals_list = []
        for partner, moves, message in sent:
            note = _(
                "Statement sent to %(recipients)s.",
                recipients=", ".join(partner._get_reminder_recipients().mapped("email_formatted")),
            )
            mail = mails.get(message, self.env["mail.mail"])
            vals_list += [
                Event._prepare_event_vals(
                    move,
                    step,
                    "queued" if mail else "sent",
                    today,
                    mail_id=mail.id,
                    message_id=message.id,
                    note=note,
                )
                for move in moves
            ]
        return vals_list + self.env["account.dunning.event"]._prepare_failure_vals(
            step, failures, today
        )
