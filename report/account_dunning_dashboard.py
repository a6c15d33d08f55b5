# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, formatLang

# The dashboard's figures: (field, KPI measure, period).
# Periods: the current month (as of today), the previous month, and the
# last 12 months.
FIGURES = (
    ("receivable", "receivable", "current"),
    ("overdue", "overdue", "current"),
    ("amount_not_due", "amount_not_due", "current"),
    ("amount_1_30", "amount_1_30", "current"),
    ("amount_31_60", "amount_31_60", "current"),
    ("amount_61_90", "amount_61_90", "current"),
    ("amount_over_90", "amount_over_90", "current"),
    ("disputed", "disputed", "current"),
    ("overdue_ratio", "overdue_ratio", "current"),
    ("dso", "dso", "current"),
    ("cei", "cei", "current"),
    ("overdue_ratio_previous", "overdue_ratio", "previous"),
    ("dso_previous", "dso", "previous"),
    ("cei_previous", "cei", "previous"),
    ("avg_days_late", "avg_days_late", "year"),
    ("recovery_rate", "recovery_rate", "year"),
    ("promise_kept_rate", "promise_kept_rate", "year"),
)


class AccountDunningDashboard(models.TransientModel):
    """Whether collection works, on one screen: today's balance, DSO and
    CEI against last month, and the last 12 months' payment delays,
    recovery after reminders and promises kept. Read from the KPI report."""

    _name = "account.dunning.dashboard"
    _description = "Dunning Dashboard"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    responsible_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain=[("share", "=", False)],
        help="Only the customers this user is responsible for.",
    )
    sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        domain="[('company_id', '=', company_id)]",
        help="Only the invoices and reminders of this sequence.",
    )
    receivable = fields.Monetary(string="Receivables", compute="_compute_figures")
    overdue = fields.Monetary(compute="_compute_figures")
    amount_not_due = fields.Monetary(string="Not Yet Due", compute="_compute_figures")
    amount_1_30 = fields.Monetary(string="1-30 Days", compute="_compute_figures")
    amount_31_60 = fields.Monetary(string="31-60 Days", compute="_compute_figures")
    amount_61_90 = fields.Monetary(string="61-90 Days", compute="_compute_figures")
    amount_over_90 = fields.Monetary(string="Over 90 Days", compute="_compute_figures")
    disputed = fields.Monetary(compute="_compute_figures")
    overdue_ratio = fields.Float(string="Overdue Ratio (%)", compute="_compute_figures")
    dso = fields.Float(string="DSO (days)", compute="_compute_figures")
    cei = fields.Float(string="CEI (%)", compute="_compute_figures")
    overdue_ratio_previous = fields.Float(
        string="Overdue Ratio Last Month (%)", compute="_compute_figures"
    )
    dso_previous = fields.Float(string="DSO Last Month (days)", compute="_compute_figures")
    cei_previous = fields.Float(string="CEI Last Month (%)", compute="_compute_figures")
    avg_days_late = fields.Float(
        string="Average Days Late",
        compute="_compute_figures",
        help="Over the last 12 months.",
    )
    recovery_rate = fields.Float(
        string="Recovered After Reminder (%)",
        compute="_compute_figures",
        help="Over the last 12 months.",
    )
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        compute="_compute_figures",
        help="Over the last 12 months.",
    )
    kpi_refreshed_at = fields.Datetime(
        related="company_id.dunning_kpi_refreshed_at",
        string="Figures Computed At",
    )
    step_recovery = fields.Html(
        string="Recovery per Step",
        compute="_compute_figures",
        sanitize=False,
    )

    def _compute_display_name(self):
        # A screen, not a record: its breadcrumb names it.
        self.display_name = _("Dunning Dashboard")

    @api.depends("company_id", "responsible_id", "sequence_id")
    @api.depends_context("tz")
    def _compute_figures(self):
        Kpi = self.env["account.dunning.kpi"]
        current = fields.Date.context_today(self).replace(day=1)
        months = {"current": current, "previous": current - relativedelta(months=1)}
        measures = sorted({measure for _field, measure, _period in FIGURES})
        aggregates = [f"{name}:{Kpi._fields[name].aggregator}" for name in measures]
        for dashboard in self:
            domain = dashboard._get_kpi_domain()
            by_month = {
                month: dict(zip(measures, row, strict=True))
                for month, *row in Kpi._read_group(domain, ["date:month"], aggregates)
            }
            values = {period: by_month.get(month, {}) for period, month in months.items()}
            [year] = Kpi._read_group(domain, [], aggregates)
            values["year"] = dict(zip(measures, year, strict=True))
            for name, measure, period in FIGURES:
                dashboard[name] = values[period].get(measure) or 0.0
            dashboard.step_recovery = dashboard._get_step_recovery_html(domain)

    def _get_kpi_domain(self):
        """The KPI rows of the dashboard's company and filters."""
        self.ensure_one()
        domain = [("company_id", "=", self.company_id.id)]
        if self.responsible_id:
            domain.append(("responsible_id", "=", self.responsible_id.id))
        if self.sequence_id:
            domain.append(("sequence_id", "=", self.sequence_id.id))
        return domain

    def _get_step_recovery_html(self, domain):
        """The last 12 months' reminders per step, and how many were
        followed by payment, as a table."""
        groups = self.env["account.dunning.kpi"]._read_group(
            domain + [("step_id", "!=", False)],
            ["step_id"],
            ["reminder_count:sum", "reminded_amount:sum", "recovered_amount:sum"],
            order="step_id",
        )
        if not groups:
            return Markup("<p class='text-muted'>%s</p>") % _(
                "No reminder sent in the last 12 months."
            )
        rows = Markup().join(
            Markup(
                "<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
            )
            % (
                step.display_name,
                count,
                format_amount(self.env, reminded, self.currency_id),
                format_amount(self.env, recovered, self.currency_id),
                formatLang(self.env, 100.0 * recovered / reminded if reminded else 0, digits=1)
                + "\N{NO-BREAK SPACE}%",
            )
            for step, count, reminded, recovered in groups
        )
        header = Markup(
            "<thead><tr><th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
        ) % (
            _("Step"),
            _("Reminders"),
            _("Amount Reminded"),
            _("Recovered"),
            _("Recovered (%)"),
        )
        return Markup("<table class='table table-sm'>%s<tbody>%s</tbody></table>") % (
            header,
            rows,
        )

    def action_refresh(self):
        """Compute the company's KPIs again now, then show them."""
        self.ensure_one()
        self.env["account.dunning.kpi"].check_access("read")
        self.company_id.check_access("read")
        if not self.env["account.dunning.kpi"].sudo()._refresh_kpis(self.company_id):
            raise UserError(
                _(
                    "The KPIs of %(company)s are being computed: try again in a minute.",
                    company=self.company_id.name,
                )
            )
        # No action: the dashboard reloads itself with the new figures,
        # rather than opening a second dashboard in the breadcrumb.

    def action_open_analysis(self):
        """The KPI report, per month, with the dashboard's filters."""
        return self._get_kpi_action(_("Dunning Analysis"), "pivot", [])

    def action_open_trend(self):
        """DSO month by month, with the dashboard's filters."""
        return self._get_kpi_action(_("DSO per Month"), "graph", [])

    def action_open_step_recovery(self):
        """Recovery after each step, per step and month."""
        return self._get_kpi_action(
            _("Recovery per Step"),
            "pivot",
            ["step_id"],
            {
                "pivot_measures": [
                    "reminder_count",
                    "reminded_amount",
                    "recovered_amount",
                    "recovery_rate",
                ]
            },
        )

    def action_open_workspace(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_customer_action"
        )

    def _get_kpi_action(self, name, view_type, column_groupby, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_kpi_action"
        )
        views = [view for view in action["views"] if view[1] == view_type]
        action.update(
            name=name,
            domain=self._get_kpi_domain(),
            views=views + [view for view in action["views"] if view[1] != view_type],
            context={
                "pivot_row_groupby": ["date:month"],
                "pivot_column_groupby": column_groupby,
                **(context or {}),
            },
        )
        return action
