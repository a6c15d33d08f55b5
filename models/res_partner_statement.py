# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import itertools
import logging

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

AGING_BUCKETS = (
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_statement_day = fields.Integer(
        string="Monthly Statement Day",
        groups="account_dunning.group_account_dunning_user",
        help="Day of the month (1 to 28) on which this customer receives its statement "
        "by email, in each company where it owes open invoices. 0: no monthly statement.",
    )
    dunning_statement_last_date = fields.Date(
        string="Last Monthly Statement",
        company_dependent=True,
        readonly=True,
        groups="account_dunning.group_account_dunning_user",
    )

    _sql_constraints = [
        (
            "dunning_statement_day_range",
            "CHECK(dunning_statement_day BETWEEN 0 AND 28)",
            "The day of the monthly statement must be between 1 and 28 (0: none).",
        ),
    ]

    def action_dunning_send_statement(self):
        """Email each customer its statement (PDF attached), logged on its
        chatter."""
        customers = self.commercial_partner_id
        customers._check_dunning_user()
        return self._notify_dunning_statements_sent(customers._send_dunning_statement())

    @api.model
    def _notify_dunning_statements_sent(self, messages):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("Statements queued: %(count)s.", count=len(messages))
                + " "
                + self.env["account.dunning.mailer"]._trigger_mail_queue(),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_dunning_print_statement(self):
        customers = self.commercial_partner_id
        customers._check_dunning_user()
        return self.env.ref("account_dunning.action_report_customer_statement").report_action(
            customers
        )

    def _send_dunning_statement(self, template=None):
        """Post the statement email of each customer, the PDF rendered by
        the mail composer from the template's report, in the customer's
        language; the emails leave with the mail queue, asked to run.

        :return: the messages, one per customer sent
        """
        template = template or self.env.ref("account_dunning.mail_template_customer_statement")
        missing = self.filtered(lambda partner: not partner._get_reminder_recipients())
        if missing:
            raise UserError(
                _(
                    "No statement can be sent: these customers have no email address, nor "
                    "has any of their invoice contacts: %(customers)s.",
                    customers=", ".join(missing.mapped("display_name")),
                )
            )
        messages = self.env["mail.message"]
        for partner in self.sudo():
            recipients = partner._get_reminder_recipients()
            messages |= partner.message_post_with_source(
                template.sudo(),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=recipients.ids,
                # Queued like the reminders: an SMTP outage is retried.
                force_send=False,
            )
        if messages:
            self.env["account.dunning.mailer"]._trigger_mail_queue()
        return messages

    # ------------------------------------------------------------------
    # Monthly statements
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_statements(self):
        """Email their monthly statement to the customers whose day it is, in
        each company where they owe open invoices, once a day at most."""
        for company in self.env["res.company"]._get_dunning_companies():
            partners = self.with_company(company).with_context(**company._get_dunning_context())
            today = fields.Date.context_today(partners)
            for partner in partners._get_statement_customers(company, today):
                partner._send_dunning_monthly_statement(today)

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
            self.sudo()
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

    def _send_dunning_monthly_statement(self, today):
        """Send this customer's monthly statement, alone: a customer that
        cannot receive it gets a note on its chatter and is not tried again
        before next month."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._send_dunning_statement()
        except Exception as error:  # noqa: BLE001 - reported on the customer
            _logger.info("Dunning: monthly statement of %s not sent: %s", self.id, error)
            self._message_log(
                body=_("The monthly statement could not be sent: %(error)s", error=error)
            )
        self.dunning_statement_last_date = today

    @api.model
    def _get_dunning_statement_period(self, date_to):
        """The statement covers the month that ends on ``date_to``."""
        return date_to + relativedelta(days=1, months=-1), date_to

    def _get_dunning_statement(self, date_to=None):
        """What the statement of this customer shows, in the current
        company's currency, on ``date_to`` (today by default): the opening
        balance, the movements of the period and the closing balance, then
        the open items with their aging.

        Everything comes from the receivable lines: the closing balance is
        the total of what is left to pay on the open items, credit notes and
        payments not yet applied included.
        """
        self.ensure_one()
        # Read in sudo below: only Dunning Users (and the engine) get here.
        self._check_dunning_user()
        date_to = date_to or fields.Date.context_today(self)
        date_from, date_to = self._get_dunning_statement_period(date_to)
        company = self.env.company
        Line = self.env["account.move.line"].sudo()
        base = [
            ("partner_id", "child_of", self.commercial_partner_id.id),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
        [[opening]] = Line._read_group(
            base + [("date", "<", date_from)], aggregates=["balance:sum"]
        )
        movements = Line.search(
            base + [("date", ">=", date_from), ("date", "<=", date_to)], order="date, id"
        )
        open_items = Line.search(
            base + [("date", "<=", date_to), ("reconciled", "=", False)],
            order="date_maturity, date, id",
        ).filtered(lambda line: not company.currency_id.is_zero(line.amount_residual))
        items = [self._prepare_statement_item(line, date_to) for line in open_items]
        aging = dict.fromkeys((key for key, _low, _high in AGING_BUCKETS), 0.0)
        for item in items:
            if item["residual"] > 0:
                aging[item["bucket"]] += item["residual"]
        opening = opening or 0.0
        running = list(itertools.accumulate(movements.mapped("balance"), initial=opening))[1:]
        return {
            "company": company,
            "currency": company.currency_id,
            "date_from": date_from,
            "date_to": date_to,
            "opening_balance": opening,
            "movements": movements,
            "balances": running,
            "closing_balance": opening + sum(movements.mapped("balance")),
            "items": items,
            "aging": aging,
            "total_due": sum(item["residual"] for item in items),
            "total_overdue": sum(
                item["residual"] for item in items if item["residual"] > 0 and item["days"] > 0
            ),
            "banks": company.partner_id.bank_ids,
        }

    @api.model
    def _prepare_statement_item(self, line, date_to):
        """An open item of the statement: an invoice still to pay, or a
        credit note or payment not yet applied."""
        due = line.date_maturity or line.date
        days = (date_to - due).days if line.amount_residual > 0 else 0
        bucket = next(
            key
            for key, low, high in AGING_BUCKETS
            if (low is None or days >= low) and (high is None or days <= high)
        )
        move = line.move_id
        return {
            "line": line,
            "move": move,
            "name": move.name,
            "date": move.invoice_date or line.date,
            "due": due,
            "amount": line.balance,
            "residual": line.amount_residual,
            "days": max(days, 0),
            "bucket": bucket,
            "url": move.get_base_url() + move.get_portal_url()
            if move.is_invoice() and line.amount_residual > 0
            else False,
        }
