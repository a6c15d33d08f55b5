# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class AccountDunningLegalRate(models.Model):
    _name = "account.dunning.legal.rate"
    _description = "French Legal Interest Rate"
    _order = "date desc, category"
    _rec_name = "date"

    date = fields.Date(
        string="Half-Year",
        required=True,
        help="First day of the half-year the rate applies to: 1 January or 1 July.",
    )
    category = fields.Selection(
        [
            ("other", "Creditor Not a Consumer"),
            ("consumer", "Creditor a Consumer"),
        ],
        required=True,
        default="other",
        help="The French legal interest rate (taux de l'intérêt légal) has two "
        "values each half-year, by who is owed the money: a natural person not "
        "acting for professional needs, or anyone else, such as a company.",
    )
    rate = fields.Float(string="Rate (%)", digits=(16, 2), required=True)

    _sql_constraints = [
        (
            "date_category_unique",
            "UNIQUE(date, category)",
            "There is already a legal interest rate for this half-year and category.",
        ),
        ("rate_positive", "CHECK(rate >= 0)", "A legal interest rate cannot be negative."),
    ]

    @api.constrains("date")
    def _check_half_year_start(self):
        for rate in self:
            if (rate.date.month, rate.date.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    _(
                        "The legal interest rate is set for a half-year: it starts "
                        "on 1 January or 1 July, not on %(date)s.",
                        date=rate.date.isoformat(),
                    )
                )

    def _get_half_year_rate(self, day, category="other"):
        """The legal interest rate of the half-year of ``day`` for creditors
        of ``category``, among the rates of ``self`` (read once for many
        invoices); raises a UserError naming the half-year when missing."""
        start = self.env["account.dunning.ecb.rate"]._get_half_year_start(day)
        rate = self.filtered(lambda rate: rate.date == start and rate.category == category)
        if not rate:
            raise UserError(
                _(
                    "The legal interest rate of the half-year starting on %(date)s is "
                    "missing. Add it in Accounting > Configuration > Legal Interest Rates.",
                    date=start.isoformat(),
                )
            )
        return rate[0].rate
