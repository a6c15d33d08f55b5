# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    def _run_statement(self, step, groups, today, **options):
        """The customer's statement of account by email instead of the list
        of the step's invoices: one per customer, its events queued until the
        mail server takes the email."""
        Event = self.env["account.dunning.event"]
        template = step.statement_template_id or self.env.ref(
            "account_dunning.mail_template_customer_statement"
        )
        sent, failures = [], []
        for partner, moves in groups:
            if not self._get_reminder_recipients(partner):
                failures.append((partner, moves, self._get_no_email_reason(partner)))
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
                recipients=", ".join(
                    self._get_reminder_recipients(partner).mapped("email_formatted")
                ),
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
        return vals_list + self._prepare_failures(step, failures, today)

    # ------------------------------------------------------------------
    # Monthly statements
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_statements(self):
        """Email their monthly statement to the customers whose day it is, in
        each company where they owe open invoices, once a day at most."""
        for company in self._get_dunning_companies():
            run = self.with_company(company).with_context(**company._get_dunning_context())
            today = fields.Date.context_today(run)
            for partner in run._get_statement_customers(company, today):
                run._send_monthly_statement(partner, today)

    @api.model
    def _get_statement_customers(self, company, today):
        """The customers of ``company`` whose monthly statement is due
        ``today``: their day has come and they owe open invoices."""
        Move = self.env["account.move"].sudo()
        open_moves = Move._search(
            Move._get_dunning_remindable_domain() + [("company_id", "=", company.id)]
        )
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT commercial_partner_id FROM (%s) AS open_moves",
                open_moves.select(SQL("commercial_partner_id")),
            )
        )
        debtors = [row[0] for row in self.env.cr.fetchall()]
        return (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .search(
                [
                    ("id", "in", debtors),
                    ("dunning_statement_day", "=", today.day),
                    "|",
                    ("dunning_statement_last_date", "=", False),
                    ("dunning_statement_last_date", "!=", today),
                ]
            )
        )

    @api.model
    def _send_monthly_statement(self, partner, today):
        """Send one customer's monthly statement, alone: a customer that
        cannot receive it gets a note on its chatter and is not tried again
        before next month."""
        try:
            with self.env.cr.savepoint():
                partner._send_dunning_statement()
        except Exception as error:  # noqa: BLE001 - reported on the customer
            _logger.info("Dunning: monthly statement of %s not sent: %s", partner.id, error)
            partner._message_log(
                body=_("The monthly statement could not be sent: %(error)s", error=error)
            )
        partner.dunning_statement_last_date = today
