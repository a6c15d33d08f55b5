# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountDunningPlanLine(models.Model):
    _name = "account.dunning.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date, id"

    plan_id = fields.Many2one("account.dunning.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    status = fields.Selection(
        [("paid", "Paid"), ("due", "To Pay"), ("missed", "Missed")],
        compute="_compute_status",
    )
    notice_sent = fields.Boolean(readonly=True, copy=False)
    reminder_sent = fields.Boolean(readonly=True, copy=False)

    @api.depends("plan_id.amount_paid", "date", "amount")
    @api.depends_context("tz")
    def _compute_status(self):
        today = fields.Date.context_today(self)
        for plan, lines in self.grouped("plan_id").items():
            statuses = plan.line_ids._get_statuses(plan.amount_paid, today)
            for line in lines:
                line.status = statuses.get(line, "due")

    @api.model_create_multi
    def create(self, vals_list):
        plans = self.env["account.dunning.plan"].browse(
            {vals["plan_id"] for vals in vals_list if vals.get("plan_id")}
        )
        self._check_plans_editable(plans)
        return super().create(vals_list)

    def write(self, vals):
        self._check_plan_editable()
        return super().write(vals)

    def unlink(self):
        self._check_plan_editable()
        return super().unlink()

    def _check_plan_editable(self):
        self._check_plans_editable(self.plan_id)

    @api.model
    def _check_plans_editable(self, plans):
        """The schedule of a started plan is what the customer agreed to:
        only the run (flags of the emails sent) writes it."""
        if not self.env.su and any(plan.state not in ("draft", "to_approve") for plan in plans):
            raise UserError(_("The instalments of a started payment plan cannot change."))

    def _get_statuses(self, paid, today):
        """{instalment: paid, due or missed}: what was paid on the plan's
        invoices covers the instalments in the order of their dates."""
        statuses = {}
        covered = 0.0
        for line in self.sorted(lambda line: (line.date, line.id)):
            covered += line.amount
            if line.currency_id.compare_amounts(paid, covered) >= 0:
                statuses[line] = "paid"
            elif line.date < today:
                statuses[line] = "missed"
            else:
                statuses[line] = "due"
        return statuses

    @api.model
    def _get_upcoming(self, statuses):
        """The next instalment to pay from today on, in ``statuses`` (by
        date): the first one due, whatever happened to the earlier ones."""
        return next((line for line, status in statuses.items() if status == "due"), self.browse())
