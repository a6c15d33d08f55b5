# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountDunningEcbRate(models.Model):
    _name = "account.dunning.ecb.rate"
    _description = "ECB Main Refinancing Rate"
    _order = "date desc"
    _rec_name = "date"

    date = fields.Date(
        string="Effective Date",
        required=True,
        help="Day the European Central Bank's decision on its main "
        "refinancing rate takes effect.",
    )
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 2),
        help="Main refinancing operations rate, in % a year.",
    )

    _sql_constraints = [
        (
            "date_unique",
            "UNIQUE(date)",
            "There is already an ECB rate taking effect on this date.",
        ),
    ]

    @api.model
    def _get_half_year_start(self, day):
        """1 January or 1 July: the day whose ECB rate applies to ``day``."""
        return date(day.year, 1 if day.month <= 6 else 7, 1)

    def _get_half_year_rate(self, day):
        """The ECB rate applying to the half-year of ``day``: the latest
        decision of ``self`` on or before 1 January or 1 July.

        Works on decisions already read (sorted by date, newest first), so
        that invoices share one search.
        """
        start = self._get_half_year_start(day)
        decision = self.filtered(lambda rate: rate.date <= start).sorted("date", reverse=True)[:1]
        if not decision:
            raise UserError(
                _(
                    "The ECB main refinancing rate in force on %(date)s is missing, "
                    "which the legal late-payment interest needs. Add the ECB rate "
                    "decision taking effect on or before that day in Accounting > "
                    "Configuration > ECB Rates.",
                    date=start.isoformat(),
                )
            )
        return decision.rate
