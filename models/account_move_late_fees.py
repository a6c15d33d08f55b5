# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Late-payment costs due by law in France on customer invoices paid late."""

from datetime import date, timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, formatLang
from odoo.tools.sql import column_exists, create_column

from .account_move import DUNNING_GROUP

# Article D441-5 of the French Code de commerce, in EUR.
DUNNING_RECOVERY_INDEMNITY = 40.0
# Code de commerce L441-10: ECB main refinancing rate + 10 points.
DUNNING_LEGAL_RATE_MARGIN = 10.0
# Code de la commande publique R2192-31: ECB rate + 8 points for public buyers.
DUNNING_PUBLIC_RATE_MARGIN = 8.0
# L441-10: a contractual rate may not be below 3 times the legal interest rate.
DUNNING_CONTRACTUAL_FLOOR = 3


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_late_interest = fields.Monetary(
        string="Late-Payment Interest",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="Interest due by law on what was unpaid each day, from the day after "
        "each due date until it is paid (French Code de commerce, article L441-10).",
    )
    dunning_recovery_indemnity = fields.Monetary(
        string="Fixed Recovery Indemnity",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="40 EUR per invoice paid late by a business customer, also once paid "
        "(French Code de commerce, article D441-5), in the invoice currency.",
    )
    dunning_late_fees_total = fields.Monetary(
        string="Late-Payment Costs",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
    )
    dunning_late_rate_label = fields.Char(
        string="Late-Payment Rate",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="Annual rate(s) of the late-payment interest, oldest first, or why the "
        "interest is unknown.",
    )
    dunning_late_rates = fields.Char(
        string="Late-Payment Rates",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="The annual rate(s) of the late-payment interest, oldest first, as the "
        "customer reads them in reminders: without the notes of the rate label.",
    )
    dunning_fees_invoice = fields.Boolean(
        string="Late-Payment Costs Invoice",
        compute="_compute_dunning_fees_invoice",
        store=True,
        groups=DUNNING_GROUP,
        help="This invoice bills late-payment costs: it never bears costs itself "
        "(no interest on interest, French Code civil, article 1343-2).",
    )

    def _auto_init(self):
        # No invoice line bills costs before this field exists: on databases
        # with years of invoices, let the ORM not compute it for every move.
        if not column_exists(self.env.cr, "account_move", "dunning_fees_invoice"):
            create_column(self.env.cr, "account_move", "dunning_fees_invoice", "boolean")
        return super()._auto_init()

    @api.depends("invoice_line_ids.dunning_fees_origin_id")
    def _compute_dunning_fees_invoice(self):
        for move in self:
            move.dunning_fees_invoice = any(move.invoice_line_ids.mapped("dunning_fees_origin_id"))

    @api.depends_context("dunning_date", "tz", "lang")
    @api.depends(
        "move_type",
        "state",
        "amount_residual",
        "invoice_date_due",
        "currency_id",
        "dunning_fees_invoice",
        "line_ids.amount_residual",
        "line_ids.date_maturity",
        "company_id.dunning_late_fees",
        "company_id.dunning_interest_rate",
        "commercial_partner_id.is_company",
        "commercial_partner_id.dunning_professional",
        "commercial_partner_id.dunning_public_buyer",
    )
    def _compute_dunning_late_fees(self):
        on_date = self._get_dunning_fees_date()
        costs = self._get_dunning_late_costs(on_date)
        for move in self:
            interest, indemnity, label, rates = costs.get(move, (0.0, 0.0, False, False))
            move.dunning_late_interest = interest
            move.dunning_recovery_indemnity = indemnity
            move.dunning_late_fees_total = interest + indemnity
            move.dunning_late_rate_label = label
            move.dunning_late_rates = rates

    def action_invoice_dunning_fees(self):
        """Invoice the late-payment costs of these invoices, open or paid, not
        yet invoiced: one draft per company, customer and currency, one line
        per cost."""
        self._check_dunning_access()
        on_date = self._get_dunning_fees_date()
        moves = self.with_context(dunning_date=on_date).sudo()
        # Never invoice costs left out for want of a rate: say which is missing.
        costs = moves._get_dunning_late_costs(on_date, raise_missing=True)
        invoiced = moves._get_dunning_fees_invoiced()
        lines_by_move = {}
        for move, (interest, indemnity, _label, _rates) in costs.items():
            already = invoiced.get(move, {})
            line_vals = move._prepare_dunning_fees_line_vals(
                on_date,
                interest - already.get("interest", 0.0),
                indemnity - already.get("indemnity", 0.0),
            )
            if line_vals:
                lines_by_move[move] = line_vals
        if not lines_by_move:
            raise UserError(
                _(
                    "None of the selected invoices has late-payment costs left to "
                    "invoice on %(date)s: they must be customer invoices paid late or "
                    "still unpaid after their due date, of a company with late-payment "
                    "costs enabled, whose costs were not invoiced yet.",
                    date=on_date.isoformat(),
                )
            )
        due = moves.browse([move.id for move in lines_by_move])
        vals_list = []
        for (company, partner, currency), group in due.grouped(
            lambda move: (move.company_id, move.commercial_partner_id, move.currency_id)
        ).items():
            journal = self._get_dunning_fees_journal(company)
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "invoice_origin": ", ".join(group.mapped("name")),
                    "invoice_line_ids": [
                        Command.create(dict(line_vals, account_id=journal.default_account_id.id))
                        for move in group.sorted(lambda move: (move.invoice_date_due, move.id))
                        for line_vals in lines_by_move[move]
                    ],
                }
            )
        # Created as the user: their rights on invoices apply.
        fees = self.env["account.move"].create(vals_list)
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        if len(fees) == 1:
            action.update(
                {
                    "views": [(self.env.ref("account.view_move_form").id, "form")],
                    "view_mode": "form",
                    "res_id": fees.id,
                }
            )
        else:
            action["domain"] = [("id", "in", fees.ids)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _dunning_bears_fees(self):
        """Whether late-payment costs may run on this invoice at all: a posted
        customer invoice of a company computing them, not itself billing
        costs."""
        self.ensure_one()
        return bool(
            self.company_id.dunning_late_fees
            and self.move_type == "out_invoice"
            and self.state == "posted"
            and not self.dunning_fees_invoice
        )

    def _dunning_is_late(self, on_date, instalments=None):
        """Whether this invoice was or is paid late on ``on_date``: part of
        an instalment still unpaid, or paid, after its due date.
        ``instalments``: those of ``_get_dunning_instalments``, if read."""
        self.ensure_one()
        if not self._dunning_bears_fees():
            return False
        if instalments is None:
            instalments = self._get_dunning_instalments()
        return any(
            self._dunning_instalment_is_late(instalment, on_date) for instalment in instalments
        )

    @api.model
    def _dunning_instalment_is_late(self, instalment, on_date):
        maturity, amount, payments = instalment
        paid_in_time = sum(paid for day, paid in payments if day <= maturity)
        return on_date > maturity and amount - paid_in_time > 1e-6

    def _dunning_is_b2b(self):
        """Whether the customer is a business, which owes the fixed recovery
        indemnity and the business late-payment rate: a company, a public
        buyer, or an individual flagged as acting for a business (a sole
        trader). Otherwise a consumer."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return bool(
            partner.is_company or partner.dunning_professional or partner.dunning_public_buyer
        )

    def _dunning_is_public_buyer(self):
        self.ensure_one()
        return self.commercial_partner_id.dunning_public_buyer

    def _get_dunning_legal_rate_category(self):
        """The legal interest rate category of the creditor, the company: never
        a consumer."""
        return "other"

    def _get_dunning_instalments(self):
        """[(due date, amount owed, [(payment day, amount)])] of the receivable
        lines of this invoice, in its currency, oldest first. Credit notes
        lower what was owed; payments lower it from the day after they are
        made."""
        self.ensure_one()
        instalments = []
        for line in self._get_dunning_receivable_lines():
            credited, payments = 0.0, []
            for partial in line.matched_credit_ids:
                if partial.credit_move_id.move_id.move_type == "out_refund":
                    credited += partial.debit_amount_currency
                else:
                    payments.append((partial.max_date, partial.debit_amount_currency))
            instalments.append(
                (
                    line.date_maturity or self.invoice_date_due,
                    line.amount_currency - credited,
                    sorted(payments),
                )
            )
        return instalments

    def _get_dunning_formal_notice_date(self):
        """The day the first formal notice of this invoice was sent, if any."""
        self.ensure_one()
        notices = self.sudo().dunning_event_ids.filtered(
            lambda event: event.channel == "formal_notice"
            and event.event_type == "reminder"
            and event.state in ("sent", "queued")
        )
        return min(notices.mapped("date"), default=False)

    def _get_dunning_rate_book(self, on_date):
        """The rates these invoices need, read once for all of them."""
        return {
            "ecb": self.env["account.dunning.ecb.rate"]
            .sudo()
            .search_fetch([("date", "<=", on_date)], ["date", "rate"]),
            "legal": self.env["account.dunning.legal.rate"]
            .sudo()
            .search_fetch([("date", "<=", on_date)], ["date", "category", "rate"]),
        }

    def _get_dunning_late_costs(self, on_date, raise_missing=False):
        """{invoice: (interest, indemnity, label, rates)} of these invoices
        late on ``on_date``, rounded in their currency. ``rates`` says the
        rates only, for customers; ``label`` adds the notes for accountants.
        A missing rate leaves the interest out, with the label saying why,
        never the indemnity; with ``raise_missing`` it raises instead."""
        instalments = {
            move: move._get_dunning_instalments() for move in self if move._dunning_bears_fees()
        }
        late = self.filtered(
            lambda move: move in instalments and move._dunning_is_late(on_date, instalments[move])
        )
        if not late:
            return {}
        book = late._get_dunning_rate_book(on_date)
        warning = self.env["account.dunning.ecb.rate"]._get_ecb_rates_warning(on_date)
        eur = self.env.ref("base.EUR")
        costs = {}
        for move in late:
            indemnity = 0.0
            if move._dunning_is_b2b():
                indemnity = eur._convert(
                    DUNNING_RECOVERY_INDEMNITY, move.currency_id, move.company_id, on_date
                )
            try:
                amount, details, notes = move._get_dunning_interest(
                    on_date, book, instalments[move]
                )
            except UserError as error:
                if raise_missing:
                    raise
                costs[move] = (0.0, indemnity, str(error), False)
                continue
            label = move._get_dunning_rate_label(details)
            if warning and label and move._get_dunning_uses_ecb():
                notes.append(warning)
            costs[move] = (
                move.currency_id.round(amount),
                indemnity,
                " ".join(filter(None, [label, *notes])) or False,
                label,
            )
        return costs

    def _get_dunning_uses_ecb(self):
        self.ensure_one()
        return self._dunning_is_public_buyer() or (
            self._dunning_is_b2b() and not self.company_id.dunning_interest_rate
        )

    def _get_dunning_interest(self, on_date, book, instalments=None):
        """(interest not rounded, [(days, rate, balance)], [notes]) of this
        late invoice on ``on_date``: each instalment from the day after its
        due date (for a consumer, after the formal notice), on what was
        unpaid each day. Raises a UserError when a rate is missing.
        ``instalments``: those of ``_get_dunning_instalments``, if read."""
        self.ensure_one()
        if instalments is None:
            instalments = self._get_dunning_instalments()
        total, details, notes = 0.0, [], []
        start_after = None
        if not self._dunning_is_b2b():
            start_after = self._get_dunning_formal_notice_date()
            if not start_after:
                return (
                    0.0,
                    [],
                    [_("No interest before a formal notice: the customer is a consumer.")],
                )
        for maturity, amount, payments in instalments:
            first_late = max(maturity, start_after or maturity)
            periods = self._get_dunning_rate_periods(first_late, on_date)
            if not periods:
                continue
            rate_for_day = self._get_dunning_rate_function(periods[0][0], book, notes)
            amount, line_details = self._compute_dunning_interest_amount(
                amount, payments, periods, rate_for_day
            )
            total += amount
            details += line_details
        return total, details, list(dict.fromkeys(notes))

    def _get_dunning_rate_function(self, first_day, book, notes):
        """rate(day): the annual late-payment rate (%) of this invoice on the
        first day of each of its rate periods. ``first_day``: the first day
        interest runs; ``notes`` gets what the label must say."""
        self.ensure_one()
        ecb, legal = book["ecb"], book["legal"]
        if self._dunning_is_public_buyer():
            # Fixed for the whole delay: the rate of the half-year it started in.
            rate = ecb._get_half_year_rate(first_day) + DUNNING_PUBLIC_RATE_MARGIN
            return lambda day: rate
        if not self._dunning_is_b2b():
            category = self._get_dunning_legal_rate_category()
            return lambda day: legal._get_half_year_rate(day, category)
        contractual = self.company_id.dunning_interest_rate
        if not contractual:
            return lambda day: ecb._get_half_year_rate(day) + DUNNING_LEGAL_RATE_MARGIN

        def contractual_rate(day):
            try:
                floor = DUNNING_CONTRACTUAL_FLOOR * legal._get_half_year_rate(day)
            except UserError as error:
                notes.append(
                    self.env._("(3 × legal rate floor not checked: %(error)s)", error=str(error))
                )
                return contractual
            return max(contractual, floor)

        return contractual_rate

    def _get_dunning_rate_periods(self, due_date, on_date):
        """Days late, from the day after ``due_date`` to ``on_date`` included,
        as [(first day, last day)]: split at 1 January and 1 July, since the
        rates (and the floor of a contractual rate) change every half-year."""
        start = due_date + timedelta(days=1)
        periods = []
        while start <= on_date:
            if start.month <= 6:
                next_start = date(start.year, 7, 1)
            else:
                next_start = date(start.year + 1, 1, 1)
            end = min(on_date, next_start - timedelta(days=1))
            periods.append((start, end))
            start = next_start
        return periods

    @api.model
    def _compute_dunning_interest_amount(self, amount, payments, periods, rate_for_day):
        """Late-payment interest on ``amount`` (no I/O, not rounded).

        ``payments``: [(day, amount paid)]; a payment made on a day lowers
        the balance from the next day on, the day itself bearing interest on
        the balance before it. ``periods``: [(first day, last day)] included,
        each with one rate; ``rate_for_day(day)``: the annual rate in % of a
        period's first day. Returns the amount and the [(days, rate,
        balance)] of each stretch with something unpaid.
        """
        details = []
        for start, end in periods:
            rate = rate_for_day(start)
            cuts = sorted(
                {day + timedelta(days=1) for day, _paid in payments if start <= day < end}
            )
            bounds = [start, *cuts, end + timedelta(days=1)]
            for first, after in zip(bounds, bounds[1:], strict=False):
                balance = round(amount - sum(paid for day, paid in payments if day < first), 6)
                if balance > 0:
                    details.append(((after - first).days, rate, balance))
        interest = sum(days * rate * balance for days, rate, balance in details) / 365 / 100
        return interest, details

    @api.model
    def _get_dunning_rate_label(self, details):
        """'13.15 % then 12.15 %' ('13,15 % puis 12,15 %' in French): the
        successive rates of ``details``, in the language's number format."""
        rates = []
        for detail in details:
            if not rates or rates[-1] != detail[1]:
                rates.append(detail[1])
        labels = [f"{formatLang(self.env, rate, digits=2)}\N{NO-BREAK SPACE}%" for rate in rates]
        return _(" then ").join(labels) or False

    def _get_dunning_fees_invoiced(self):
        """{invoice: {'interest': amount, 'indemnity': amount}} of the costs of
        these invoices already billed by costs invoices not cancelled."""
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("dunning_fees_origin_id", "in", self.ids),
                    ("parent_state", "!=", "cancel"),
                ],
                ["dunning_fees_origin_id", "dunning_fees_kind"],
                ["price_subtotal:sum"],
            )
        )
        invoiced = {}
        for move, kind, amount in groups:
            invoiced.setdefault(move.with_env(self.env), {})[kind] = amount
        return invoiced

    def _get_dunning_fees_journal(self, company):
        """The sales journal invoicing the late-payment costs of ``company``."""
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        if not journal.default_account_id:
            raise UserError(
                _(
                    "Set up a sales journal with a default income account in "
                    "%(company)s to invoice late-payment costs.",
                    company=company.name,
                )
            )
        return journal

    def _prepare_dunning_fees_line_vals(self, on_date, interest, indemnity):
        """Invoice lines, untaxed, of ``interest`` and ``indemnity``: what this
        invoice's costs on ``on_date`` add to those already invoiced."""
        self.ensure_one()
        lines = []
        common = {"quantity": 1, "tax_ids": [Command.clear()], "dunning_fees_origin_id": self.id}
        if self.currency_id.compare_amounts(interest, 0) > 0:
            lines.append(
                dict(
                    common,
                    name=_(
                        "Late-payment interest on %(invoice)s until %(date)s at %(rate)s",
                        invoice=self.name,
                        date=format_date(self.env, on_date),
                        rate=self.dunning_late_rate_label,
                    ),
                    price_unit=self.currency_id.round(interest),
                    dunning_fees_kind="interest",
                )
            )
        if self.currency_id.compare_amounts(indemnity, 0) > 0:
            lines.append(
                dict(
                    common,
                    name=_("Fixed recovery indemnity for %(invoice)s", invoice=self.name),
                    price_unit=indemnity,
                    dunning_fees_kind="indemnity",
                )
            )
        return lines
