# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import math

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# Two-sided test at 95 %: |z| at least this is significant.
Z_CRITICAL = 1.96
# Below this many decided reminders per variant, or fewer than this many
# expected successes or failures, the normal approximation of the z-test
# does not hold: the test says there is not enough data.
MIN_SAMPLE = 30
MIN_EXPECTED = 5


def two_proportion_z(x1, n1, x2, n2):
    """Pooled two-proportion z statistic of x1 successes out of n1 against
    x2 out of n2: z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), with
    p = (x1 + x2) / (n1 + n2). None when it is undefined (an empty sample,
    or all successes or all failures in both)."""
    if not n1 or not n2:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    return (x1 / n1 - x2 / n2) / math.sqrt(variance)


def has_enough_data(x1, n1, x2, n2, min_sample=MIN_SAMPLE, min_expected=MIN_EXPECTED):
    """Whether the normal approximation of the z-test holds: each sample has
    ``min_sample`` observations at least, and each expects ``min_expected``
    successes and failures at least under the pooled proportion."""
    if min(n1, n2) < min_sample:
        return False
    pooled = (x1 + x2) / (n1 + n2)
    return all(
        expected >= min_expected for n in (n1, n2) for expected in (n * pooled, n * (1 - pooled))
    )


class AccountDunningStepVariant(models.Model):
    """A template variant of an email step (A/B test): each customer
    reminded at the step gets one variant, always the same, chosen by
    ``account.dunning.step._get_variant_for``, and its reminders record it.

    The figures of each variant are computed on reading, as of today, from
    the reminders sent with it and the payments of their invoices."""

    _name = "account.dunning.step.variant"
    _description = "Dunning Step Template Variant"
    _order = "step_id, sequence, id"
    _check_company_auto = True

    step_id = fields.Many2one(
        "account.dunning.step",
        string="Step",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="step_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10, aggregator=False)
    active = fields.Boolean(default=True)
    name = fields.Char(string="Variant", required=True, translate=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        required=True,
        domain=[("model", "=", "account.move")],
        ondelete="restrict",
        help="Used instead of the step's template for the customers who get this variant.",
    )
    weight = fields.Integer(
        required=True,
        default=1,
        help="Share of the customers who get this variant: a variant of weight 2 "
        "goes to twice as many customers as one of weight 1.",
    )
    window_days = fields.Integer(related="step_id.variant_window_days", aggregator=False)
    reminder_count = fields.Integer(
        string="Reminders",
        compute="_compute_kpi",
        help="Reminder emails sent with this variant (one per customer and day).",
    )
    invoice_count = fields.Integer(
        string="Invoices Reminded",
        compute="_compute_kpi",
        help="Invoices reminded with this variant, each counted once.",
    )
    decided_count = fields.Integer(
        string="Invoices Decided",
        compute="_compute_kpi",
        help="Invoices reminded whose test window is over, or paid within it: "
        "those the paid share is computed on.",
    )
    paid_count = fields.Integer(
        string="Paid Within Window",
        compute="_compute_kpi",
        help="Invoices paid in full within the step's test window after the reminder.",
    )
    paid_rate = fields.Float(
        string="Paid Within Window (%)",
        compute="_compute_kpi",
        digits=(16, 1),
        help="Invoices paid in full within the window ÷ invoices decided.",
    )
    median_days = fields.Float(
        string="Median Days to Pay",
        compute="_compute_kpi",
        digits=(16, 1),
        help="Median of the days from the reminder to the full payment, over the "
        "invoices reminded and paid (0 for a payment dated before the reminder).",
    )
    z_score = fields.Float(
        string="z",
        compute="_compute_kpi",
        help="Two-proportion pooled z statistic of the paid shares: the best "
        "variant against the second best, every other variant against the best.",
    )
    significance = fields.Selection(
        [
            ("significant", "Significant"),
            ("not_significant", "Not yet significant"),
            ("not_enough_data", "Not enough data"),
        ],
        compute="_compute_kpi",
        help="Two-sided two-proportion z-test at 95 %: significant when |z| ≥ 1.96, "
        "with at least 30 invoices decided per variant and 5 expected paid and "
        "unpaid invoices in each.",
    )
    is_best = fields.Boolean(
        string="Best",
        compute="_compute_kpi",
        help="The active variant with the highest paid share.",
    )

    _sql_constraints = [
        ("weight_positive", "CHECK (weight > 0)", "The weight of a variant must be positive."),
    ]

    def _compute_kpi(self):
        """The figures of these variants, and the test of each against the
        others of its step, from one query per company's today."""
        # The figures are those recorded: a variant being edited shows its own.
        steps = self.step_id._origin
        figures = steps._get_variant_figures()
        results = {}
        for step in steps:
            results.update(step._compare_variants(figures))
        for variant in self:
            values = figures.get(variant._origin.id, {})
            result = results.get(variant._origin.id, {})
            decided, paid = values.get("decided_count", 0), values.get("paid_count", 0)
            variant.reminder_count = values.get("reminder_count", 0)
            variant.invoice_count = values.get("invoice_count", 0)
            variant.decided_count = decided
            variant.paid_count = paid
            variant.paid_rate = 100.0 * paid / decided if decided else 0.0
            variant.median_days = values.get("median_days") or 0.0
            variant.z_score = result.get("z") or 0.0
            variant.significance = result.get("significance", False)
            variant.is_best = result.get("is_best", False)

    @api.constrains("mail_template_id")
    def _check_mail_template_model(self):
        for variant in self:
            if variant.mail_template_id.model != "account.move":
                raise ValidationError(
                    _(
                        "The email template %(template)s of variant %(variant)s of step "
                        "%(step)s is for %(model)s: dunning templates are rendered on "
                        "invoices (Journal Entry, account.move).",
                        template=variant.mail_template_id.display_name,
                        variant=variant.name,
                        step=variant.step_id.name,
                        model=variant.mail_template_id.model,
                    )
                )

    @api.constrains("mail_template_id")
    def _check_mail_template_renders(self):
        for variant in self:
            variant.step_id._check_template_renders(variant.mail_template_id)

    @api.constrains("step_id")
    def _check_step_channel(self):
        for variant in self:
            if not variant.step_id._dunning_channel_can("variants"):
                raise ValidationError(
                    _(
                        "Step %(step)s sends no email: only email steps can have "
                        "template variants.",
                        step=variant.step_id.name,
                    )
                )
            if variant.step_id not in variant.step_id.sequence_id.reminder_step_ids:
                raise ValidationError(
                    _(
                        "Step %(step)s is not a reminder: only reminder steps test "
                        "template variants.",
                        step=variant.step_id.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        """Reminders sent with a variant keep it: archive it instead."""
        used = (
            self.env["account.dunning.event"]
            .sudo()
            ._read_group([("variant_id", "in", self.ids)], ["variant_id"])
        )
        if used:
            raise UserError(
                _(
                    "Reminders were sent with the variants %(variants)s: archive "
                    "them instead, so that their results stay.",
                    variants=", ".join(variant.display_name for (variant,) in used),
                )
            )

    def action_open_events(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Reminders of %(variant)s", variant=self.display_name),
            "res_model": "account.dunning.event",
            "view_mode": "list,form",
            "domain": [("variant_id", "=", self.id)],
            "context": {"create": False},
        }
