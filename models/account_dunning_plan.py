# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date


class AccountDunningPlan(models.Model):
    """A payment plan (échelonnement): what a customer owes on chosen
    invoices split into instalments. While it is active its invoices follow
    the plan, not the dunning sequence; payments are matched to it by what
    is left to pay on its invoices."""

    _name = "account.dunning.plan"
    _description = "Payment Plan"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain=[("parent_id", "=", False)],
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('dunning_remindable', '=', True)]",
    )
    line_ids = fields.One2many("account.dunning.plan.line", "plan_id", string="Instalments")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("active", "Active"),
            ("done", "Paid"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    origin = fields.Selection(
        [("user", "Set Up by a User"), ("portal", "Asked by the Customer")],
        default="user",
        required=True,
    )
    amount_total = fields.Monetary(
        string="Amount of the Plan",
        compute="_compute_amount_total",
        store=True,
        readonly=False,
        help="What was left to pay on the invoices when the plan started.",
    )
    amount_paid = fields.Monetary(compute="_compute_amounts", string="Paid")
    amount_left = fields.Monetary(compute="_compute_amounts", string="Left to Pay")
    missed_count = fields.Integer(compute="_compute_amounts", string="Missed Instalments")
    next_line_id = fields.Many2one(
        "account.dunning.plan.line",
        compute="_compute_amounts",
        string="Next Instalment",
        help="The first instalment not paid: the first missed one, if any.",
    )
    upcoming_line_id = fields.Many2one(
        "account.dunning.plan.line",
        compute="_compute_amounts",
        string="Upcoming Instalment",
        help="The first instalment not paid whose date is today or later: the one "
        "the notice announces.",
    )
    limit_warning = fields.Text(
        compute="_compute_limit_warning",
        help="Why the plan needs an approval: what goes beyond the limits of the "
        "invoices' dunning sequence.",
    )

    @api.depends("move_ids")
    def _compute_amount_total(self):
        for plan in self.filtered(lambda plan: plan.state == "draft"):
            plan.amount_total = sum(plan.move_ids.mapped("amount_residual"))

    @api.depends("amount_total", "line_ids.date", "line_ids.amount", "move_ids.amount_residual")
    @api.depends_context("tz")
    def _compute_amounts(self):
        today = fields.Date.context_today(self)
        for plan in self:
            left = sum(
                plan.move_ids.filtered(lambda move: move.state == "posted").mapped(
                    "amount_residual"
                )
            )
            plan.amount_left = left
            plan.amount_paid = max(plan.amount_total - left, 0)
            statuses = plan.line_ids._get_statuses(plan.amount_paid, today)
            plan.missed_count = sum(1 for status in statuses.values() if status == "missed")
            plan.next_line_id = next(
                (line for line in plan.line_ids.sorted("date") if statuses[line] != "paid"),
                False,
            )
            plan.upcoming_line_id = plan.line_ids._get_upcoming(statuses)

    @api.depends("line_ids.date", "line_ids.amount", "move_ids")
    def _compute_limit_warning(self):
        for plan in self:
            plan.limit_warning = "\n".join(plan._get_limit_reasons()) or False

    @api.depends("partner_id", "line_ids")
    def _compute_display_name(self):
        for plan in self:
            plan.display_name = _(
                "Payment plan of %(customer)s (%(count)s instalments)",
                customer=plan.partner_id.display_name or "",
                count=len(plan.line_ids),
            )

    def write(self, vals):
        self._check_plan_write(vals)
        return super().write(vals)

    def _check_plan_write(self, vals):
        """A plan's state and amount change through its actions and the
        run only; a started plan keeps its invoices."""
        if self.env.su:
            return
        if {"state", "amount_total"} & set(vals):
            raise UserError(_("A payment plan changes state through its buttons only."))
        if "move_ids" in vals and any(plan.state != "draft" for plan in self):
            raise UserError(_("The invoices of a started payment plan cannot change."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Start the plan when it keeps within the sequence's limits, else
        ask an approval."""
        self.env["account.move"]._check_dunning_access()
        for plan in self:
            plan._check_plan()
            if plan._get_limit_reasons():
                plan.sudo().state = "to_approve"
                plan.message_post(
                    body=_("Beyond the limits of the dunning sequence: waits for approval.")
                )
            else:
                plan._activate()
        return True

    def action_approve(self):
        if not self.env.user.has_group("account_dunning.group_account_dunning_manager"):
            raise UserError(_("Only Dunning Managers approve a plan beyond the limits."))
        for plan in self:
            if plan.state != "to_approve":
                raise UserError(_("Only plans waiting for approval can be approved."))
            plan._check_plan()
            plan._activate()
        return True

    def action_cancel(self):
        """Stop the plan: its invoices go back to their dunning sequence."""
        self.env["account.move"]._check_dunning_access()
        self._release_moves()
        self.sudo().state = "cancelled"
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _check_plan(self):
        """Refuse a plan that cannot work, whatever the limits."""
        self.ensure_one()
        if self.state not in ("draft", "to_approve"):
            raise UserError(_("This plan has already started."))
        moves = self.move_ids
        if not moves:
            raise UserError(_("Choose the invoices of the plan."))
        wrong = moves.filtered(
            lambda move: move.commercial_partner_id != self.partner_id.commercial_partner_id
            or move.company_id != self.company_id
            or move.currency_id != self.currency_id
            or not move._dunning_is_open()
        )
        if wrong:
            raise UserError(
                _(
                    "A plan covers open invoices of its customer, company and currency "
                    "only: %(invoices)s.",
                    invoices=", ".join(wrong.mapped("display_name")),
                )
            )
        planned = moves.sudo().filtered("dunning_plan_id") - moves.sudo().filtered(
            lambda move: move.dunning_plan_id == self
        )
        if planned:
            raise UserError(
                _(
                    "These invoices already follow another payment plan: %(invoices)s.",
                    invoices=", ".join(planned.mapped("name")),
                )
            )
        lines = self.line_ids
        today = fields.Date.context_today(self)
        if not lines:
            raise UserError(_("Add the instalments of the plan."))
        if any(line.amount <= 0 for line in lines) or any(line.date < today for line in lines):
            raise UserError(_("Each instalment needs a positive amount and a date from today."))
        if len(set(lines.mapped("date"))) != len(lines):
            raise UserError(_("Two instalments cannot fall on the same day."))
        owed = sum(moves.mapped("amount_residual"))
        if self.currency_id.compare_amounts(sum(lines.mapped("amount")), owed):
            raise UserError(
                _(
                    "The instalments add up to %(planned)s while the invoices owe %(owed)s.",
                    planned=format_amount(self.env, sum(lines.mapped("amount")), self.currency_id),
                    owed=format_amount(self.env, owed, self.currency_id),
                )
            )

    def _get_sequence(self):
        self.ensure_one()
        return self.move_ids.sudo().dunning_sequence_id[:1] or self.env[
            "account.dunning.sequence"
        ].sudo().search(
            [("company_id", "=", self.company_id.id), ("is_default", "=", True)], limit=1
        )

    def _get_limit_reasons(self):
        """What goes beyond the limits of the invoices' sequence, in words."""
        self.ensure_one()
        sequence = self._get_sequence()
        lines = self.line_ids
        if not sequence or not lines:
            return []
        reasons = []
        today = fields.Date.context_today(self)
        if len(lines) > sequence.plan_max_instalments:
            reasons.append(
                _("More than %(count)s instalments.", count=sequence.plan_max_instalments)
            )
        last = max(lines.mapped("date"))
        if (last - today).days > sequence.plan_max_days:
            reasons.append(
                _(
                    "The last instalment is more than %(days)s days ahead.",
                    days=sequence.plan_max_days,
                )
            )
        small = lines.filtered(lambda line: line.amount < sequence.plan_min_instalment)
        # The last instalment may be the small rest.
        if small - lines.sorted("date")[-1:]:
            reasons.append(
                _(
                    "Instalments below %(amount)s.",
                    amount=format_amount(self.env, sequence.plan_min_instalment, self.currency_id),
                )
            )
        return reasons

    def _activate(self):
        self.ensure_one()
        self.sudo().write(
            {"state": "active", "amount_total": sum(self.move_ids.mapped("amount_residual"))}
        )
        self.move_ids._dunning_write({"dunning_plan_id": self.id})
        schedule = ", ".join(
            _(
                "%(date)s: %(amount)s",
                date=format_date(self.env, line.date),
                amount=format_amount(self.env, line.amount, self.currency_id),
            )
            for line in self.line_ids.sorted("date")
        )
        self.message_post(body=_("Plan started: %(schedule)s.", schedule=schedule))

    def _release_moves(self):
        """The invoices leave the plan and follow their sequence again."""
        moves = self.move_ids.sudo().filtered(lambda move: move.dunning_plan_id in self)
        moves._dunning_write({"dunning_plan_id": False})
        return moves
