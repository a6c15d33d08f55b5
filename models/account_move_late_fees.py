# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Late-payment costs due by law in France on unpaid customer invoices."""

from datetime import date, timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from .account_move import DUNNING_GROUP

# Article D441-5 of the French Code de commerce, in EUR.
DUNNING_RECOVERY_INDEMNITY = 40.0
# The legal late-payment rate is the ECB main refinancing rate plus 10 points.
DUNNING_LEGAL_RATE_MARGIN = 10.0


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_late_interest = fields.Monetary(
        string="Late-Payment Interest",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="Interest due by law on what is left to pay, from the day after "
        "the due date (French Code de commerce, article L441-10).",
    )
    dunning_recovery_indemnity = fields.Monetary(
        string="Fixed Recovery Indemnity",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="40 EUR per late invoice of a business customer (French Code de "
        "commerce, article D441-5), in the invoice currency.",
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
        help="Annual rate(s) of the late-payment interest, oldest first.",
    )

    @api.depends_context("dunning_date", "tz", "lang")
    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "amount_residual",
        "invoice_date_due",
        "currency_id",
        "company_id.dunning_late_fees",
        "company_id.dunning_interest_rate",
        "commercial_partner_id.is_company",
    )
    def _compute_dunning_late_fees(self):
        on_date = self._get_dunning_fees_date()
        late = self.filtered(lambda move: move._dunning_is_late(on_date))
        ecb_rates = late._get_dunning_ecb_rates(on_date)
        eur = self.env.ref("base.EUR")
        for move in self - late:
            move.dunning_late_interest = move.dunning_recovery_indemnity = 0.0
            move.dunning_late_fees_total = 0.0
            move.dunning_late_rate_label = False
        for move in late:
            try:
                amount, details = move._get_dunning_interest(on_date, ecb_rates)
            except UserError as error:
                # A missing ECB rate must not break the invoice form nor the
                # reminders: the costs are left out and the label says why.
                move.dunning_late_interest = move.dunning_recovery_indemnity = 0.0
                move.dunning_late_fees_total = 0.0
                move.dunning_late_rate_label = str(error)
                continue
            interest = move.currency_id.round(amount)
            indemnity = 0.0
            if move._dunning_is_b2b():
                indemnity = eur._convert(
                    DUNNING_RECOVERY_INDEMNITY, move.currency_id, move.company_id, on_date
                )
            move.dunning_late_interest = interest
            move.dunning_recovery_indemnity = indemnity
            move.dunning_late_fees_total = interest + indemnity
            move.dunning_late_rate_label = move._get_dunning_rate_label(details)

    def action_invoice_dunning_fees(self):
        """Invoice the late-payment costs of these invoices: one draft per
        company, customer and currency, one line per cost."""
        self._check_dunning_access()
        on_date = self._get_dunning_fees_date()
        moves = self.with_context(dunning_date=on_date).sudo()
        # Never invoice costs left out for want of a rate: say which is missing.
        late = moves.filtered(lambda move: move._dunning_is_late(on_date))
        ecb_rates = late._get_dunning_ecb_rates(on_date)
        for move in late:
            move._get_dunning_interest(on_date, ecb_rates)
        due = moves.filtered(
            lambda move: move.currency_id.compare_amounts(move.dunning_late_fees_total, 0) > 0
        )
        if not due:
            raise UserError(
                _(
                    "None of the selected invoices has late-payment costs on %(date)s: "
                    "they must be open customer invoices past their due date, of a "
                    "company with late-payment costs enabled.",
                    date=on_date.isoformat(),
                )
            )
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
                        Command.create(line_vals)
                        for move in group.sorted(lambda move: (move.invoice_date_due, move.id))
                        for line_vals in move._prepare_dunning_fees_line_vals(journal, on_date)
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

    def _get_dunning_ecb_rates(self, on_date):
        """The ECB decisions up to ``on_date`` these late invoices need, in
        one search: the decisions are few."""
        Rate = self.env["account.dunning.ecb.rate"]
        if all(move.company_id.dunning_interest_rate for move in self):
            return Rate
        return Rate.sudo().search_fetch([("date", "<=", on_date)], ["date", "rate"])

    def _get_dunning_interest(self, on_date, ecb_rates):
        """(interest not rounded, [(days, rate)]) of this late invoice on
        ``on_date``; raises a UserError when a rate is missing."""
        self.ensure_one()
        return self._compute_dunning_interest_amount(
            self.amount_residual,
            self._get_dunning_rate_periods(self.invoice_date_due, on_date),
            lambda day: self._get_dunning_penalty_rate(day, ecb_rates),
        )

    def _get_dunning_fees_date(self):
        """The day late-payment costs are computed for: ``dunning_date`` in
        the context (a date or an ISO string), else today."""
        on_date = self.env.context.get("dunning_date")
        return fields.Date.to_date(on_date) if on_date else fields.Date.context_today(self)

    def _dunning_is_late(self, on_date):
        """Whether late-payment costs run on this invoice on ``on_date``."""
        self.ensure_one()
        return bool(
            self.company_id.dunning_late_fees
            and self._dunning_is_open()
            and self.invoice_date_due
            and on_date > self.invoice_date_due
        )

    def _dunning_is_b2b(self):
        """Whether the customer owes the fixed recovery indemnity: only
        businesses do, never individuals."""
        self.ensure_one()
        return self.commercial_partner_id.is_company

    def _get_dunning_penalty_rate(self, day, ecb_rates=None):
        """Annual late-payment rate (%) of this invoice on ``day``: the
        contractual rate of the company, else the ECB rate of the half-year
        plus 10 points. ``ecb_rates``: the ECB decisions already read."""
        self.ensure_one()
        if self.company_id.dunning_interest_rate:
            return self.company_id.dunning_interest_rate
        if ecb_rates is None:
            ecb_rates = self.env["account.dunning.ecb.rate"].sudo().search([("date", "<=", day)])
        return ecb_rates._get_half_year_rate(day) + DUNNING_LEGAL_RATE_MARGIN

    def _get_dunning_rate_periods(self, due_date, on_date):
        """Days late, from the day after ``due_date`` to ``on_date`` included,
        as [(first day, last day)]: split at 1 January and 1 July when the
        legal rate applies, since it changes every half-year."""
        self.ensure_one()
        start = due_date + timedelta(days=1)
        if start > on_date:
            return []
        if self.company_id.dunning_interest_rate:
            return [(start, on_date)]
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
    def _compute_dunning_interest_amount(self, residual, periods, rate_for_day):
        """Late-payment interest on ``residual`` (no I/O, not rounded).

        ``periods``: [(first day, last day)] included; ``rate_for_day(day)``:
        the annual rate in % of a day. Returns the amount and the
        [(days, rate)] of each period.
        """
        details = []
        for start, end in periods:
            details.append(((end - start).days + 1, rate_for_day(start)))
        amount = residual * sum(days * rate for days, rate in details) / 365 / 100
        return amount, details

    @api.model
    def _get_dunning_rate_label(self, details):
        """'13.15 % then 12.15 %' ('13,15 % puis 12,15 %' in French): the
        successive rates of ``details``, in the language's number format."""
        rates = []
        for _days, rate in details:
            if not rates or rates[-1] != rate:
                rates.append(rate)
        labels = [f"{formatLang(self.env, rate, digits=2)}\N{NO-BREAK SPACE}%" for rate in rates]
        return _(" then ").join(labels) or False

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

    def _prepare_dunning_fees_line_vals(self, journal, on_date):
        """Invoice lines of this invoice's late-payment costs, untaxed."""
        self.ensure_one()
        lines = []
        common = {
            "quantity": 1,
            "account_id": journal.default_account_id.id,
            "tax_ids": [Command.clear()],
        }
        if self.currency_id.compare_amounts(self.dunning_late_interest, 0) > 0:
            lines.append(
                dict(
                    common,
                    name=_(
                        "Late-payment interest on %(invoice)s: %(days)s days at %(rate)s",
                        invoice=self.name,
                        days=(on_date - self.invoice_date_due).days,
                        rate=self.dunning_late_rate_label,
                    ),
                    price_unit=self.dunning_late_interest,
                )
            )
        if self.currency_id.compare_amounts(self.dunning_recovery_indemnity, 0) > 0:
            lines.append(
                dict(
                    common,
                    name=_("Fixed recovery indemnity for %(invoice)s", invoice=self.name),
                    price_unit=self.dunning_recovery_indemnity,
                )
            )
        return lines
