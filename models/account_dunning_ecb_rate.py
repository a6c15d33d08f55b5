# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import csv
import io
import logging
from datetime import date

import requests
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

_logger = logging.getLogger(__name__)

# The ECB Data Portal series of the main refinancing operations fixed rate,
# one observation per decision, in CSV.
ECB_RATES_URL = (
    "https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"
    "?format=csvdata&detail=dataonly"
)
ECB_RATES_URL_PARAM = "account_dunning.ecb_rates_url"
ECB_RATES_CHECKED_PARAM = "account_dunning.ecb_rates_checked_on"
# The ECB decides its rates every six weeks or so; a table that was neither
# changed nor checked for this long has probably missed a decision.
RATES_STALE_MONTHS = 7


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

    def action_import_ecb_rates(self):
        """Import the ECB decisions now; a failure is shown as is."""
        self.check_access("create")
        created = self.sudo()._import_ecb_rates()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(count)s new ECB rate decisions imported.", count=len(created))
                if created
                else _("The ECB rates are up to date."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

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

    @api.model
    def _get_ecb_rates_url(self):
        return (
            self.env["ir.config_parameter"].sudo().get_param(ECB_RATES_URL_PARAM) or ECB_RATES_URL
        )

    @api.model
    def _fetch_ecb_rates(self):
        """The ECB's answer, as text; a UserError saying why when it fails."""
        url = self._get_ecb_rates_url()
        try:
            response = requests.get(url, timeout=30)
            response.raise_for_status()
        except requests.RequestException as error:
            raise UserError(
                _(
                    "The ECB rates could not be read from %(url)s: %(error)s. The rates "
                    "table is unchanged.",
                    url=url,
                    error=error,
                )
            ) from error
        return response.text

    @api.model
    def _parse_ecb_rates(self, text):
        """[(effective date, rate)] of the decisions in the ECB's CSV, oldest
        first: one per change of the rate."""
        try:
            rows = [
                (fields.Date.to_date(row["TIME_PERIOD"]), float(row["OBS_VALUE"]))
                for row in csv.DictReader(io.StringIO(text))
                if row.get("OBS_VALUE")
            ]
        except (KeyError, ValueError, TypeError) as error:
            raise UserError(
                _("The ECB's answer is not the expected list of rates: %(error)s", error=error)
            ) from error
        if not rows:
            raise UserError(_("The ECB's answer holds no rate."))
        decisions = []
        for day, rate in sorted(rows):
            if not decisions or decisions[-1][1] != rate:
                decisions.append((day, rate))
        return decisions

    @api.model
    def _import_ecb_rates(self):
        """Add the decisions the table misses and correct those that differ;
        the table is left as is when the ECB cannot be read. Returns the
        decisions created."""
        decisions = self._parse_ecb_rates(self._fetch_ecb_rates())
        known = {rate.date: rate for rate in self.search([])}
        for day, value in decisions:
            if day in known and known[day].rate != value:
                known[day].rate = value
        created = self.create(
            [{"date": day, "rate": value} for day, value in decisions if day not in known]
        )
        self.env["ir.config_parameter"].sudo().set_param(
            ECB_RATES_CHECKED_PARAM, fields.Date.context_today(self).isoformat()
        )
        _logger.info("Dunning: %s ECB rate decisions imported", len(created))
        return created

    @api.model
    def _cron_import_ecb_rates(self):
        """Weekly: keep the ECB rates current. A failure leaves the table as
        is, is logged and told to the dunning responsible of the companies
        computing late-payment costs."""
        try:
            self._import_ecb_rates()
        except UserError as error:
            _logger.warning("Dunning: ECB rates not imported: %s", error)
            self._notify_ecb_import_failure(str(error))

    @api.model
    def _notify_ecb_import_failure(self, reason):
        companies = self.env["res.company"].search([("dunning_late_fees", "=", True)])
        for company in companies:
            responsible = company._get_dunning_default_responsible()
            if not responsible:
                continue
            self.env["mail.thread"].message_notify(
                partner_ids=responsible.partner_id.ids,
                author_id=self.env.ref("base.partner_root").id,
                email_from=company.email_formatted or company.name,
                subject=_("ECB rates not imported"),
                body=_(
                    "The weekly import of the ECB rates failed, the rates table is "
                    "unchanged: %(reason)s",
                    reason=reason,
                ),
            )

    @api.model
    def _get_ecb_rates_warning(self, today=None):
        """Why the ECB rates may be out of date on ``today``, in words, or
        False: neither a decision nor a check for 7 months."""
        today = today or fields.Date.context_today(self)
        latest = self.sudo().search([], limit=1).date
        checked = fields.Date.to_date(
            self.env["ir.config_parameter"].sudo().get_param(ECB_RATES_CHECKED_PARAM) or False
        )
        last_news = max(filter(None, (latest, checked)), default=None)
        if last_news and last_news >= today - relativedelta(months=RATES_STALE_MONTHS):
            return False
        return _(
            "The ECB rates table may be out of date: its latest decision is of "
            "%(date)s and it was not checked since. Import the ECB rates.",
            date=format_date(self.env, latest) if latest else "-",
        )

    @api.model
    def _get_rates_warning(self, today=None):
        """Why the rates tables may be out of date on ``today``, in words, or
        False: the ECB rates, or the legal interest rate of the half-year
        missing."""
        today = today or fields.Date.context_today(self)
        warnings = [self._get_ecb_rates_warning(today)]
        half_year = self._get_half_year_start(today)
        if (
            not self.env["account.dunning.legal.rate"]
            .sudo()
            .search_count([("date", "=", half_year)])
        ):
            warnings.append(
                _(
                    "The legal interest rate of the half-year starting on %(date)s is "
                    "missing: add it in Legal Interest Rates.",
                    date=format_date(self.env, half_year),
                )
            )
        return "\n".join(filter(None, warnings)) or False
