# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import hashlib
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .account_dunning_step_variant import (
    MIN_EXPECTED,
    MIN_SAMPLE,
    Z_CRITICAL,
    has_enough_data,
    two_proportion_z,
)
from .account_move import PAID_PAYMENT_STATES

# The steps of the dunning plan, due by days from the due date: a step
# triggered otherwise (paid, a payment plan's instalment) is never a reminder.
REMINDER_STEP_DOMAIN = [("trigger", "=", "due")]
# The events a step records, by its trigger.
TRIGGER_EVENT_TYPES = {
    "due": "reminder",
    "paid": "thank_you",
    "plan_instalment": "plan",
    "plan_missed": "plan",
}


class AccountDunningStep(models.Model):
    _name = "account.dunning.step"
    _description = "Dunning Step"
    # The reminders first, then the steps of other triggers ("due" < "paid"
    # < "plan_instalment" < "plan_missed").
    _order = "sequence_id, trigger, offset_days, id"
    _check_company_auto = True
    # Beyond ten years, a step is a typing mistake that would overflow the
    # date arithmetic of every run.
    _max_days = 3650

    sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="sequence_id.company_id",
        store=True,
        index=True,
    )
    name = fields.Char(required=True, translate=True)
    trigger = fields.Selection(
        [
            ("due", "Days From Due Date"),
            ("paid", "When Paid"),
            ("plan_instalment", "Before Each Instalment"),
            ("plan_missed", "After a Missed Instalment"),
        ],
        required=True,
        default="due",
        help="What sends the step: its day from the invoice due date; the "
        "payment in full of invoices that were reminded (a thank-you, once); "
        "for customers in a payment plan, the days before each instalment "
        "(Plan: Notice on the sequence) or the day after an instalment was "
        "missed. Only the steps from the due date are reminders.",
    )
    offset_days = fields.Integer(
        string="Days From Due Date",
        required=True,
        default=0,
        help="When the step is due, in days from the invoice due date: "
        "-8 is eight days before it (D-8), 14 is two weeks after it (D+14).",
    )
    offset_label = fields.Char(string="When", compute="_compute_offset_label")
    channel = fields.Selection(
        [
            ("email", "Email"),
            ("sms", "SMS"),
            ("letter", "Letter"),
            ("post", "Letter by Post"),
            ("statement", "Statement by Email"),
            ("formal_notice", "Formal Notice"),
            ("phone", "Phone Call"),
            ("manual", "Manual Action"),
        ],
        required=True,
        default="email",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "account.move")],
        ondelete="restrict",
        help="Rendered on the customer's oldest invoice of the reminder; the "
        "template lists all of them with object.dunning_reminder_move_ids. When "
        "the step has active template variants, they are used instead.",
    )
    variant_ids = fields.One2many(
        "account.dunning.step.variant",
        "step_id",
        string="Template Variants",
        # Archived variants stay in sight, with their results.
        context={"active_test": False},
        help="A/B test of templates: each customer gets one active variant, always "
        "the same for this step, in proportion to the weights, and its reminders "
        "record it. With active variants, the step's own template is not used.",
    )
    variant_window_days = fields.Integer(
        string="Test Window (days)",
        default=14,
        help="The template variants are compared on the share of invoices paid in "
        "full within this many days after their reminder.",
    )
    statement_template_id = fields.Many2one(
        "mail.template",
        string="Statement Template",
        domain=[("model", "=", "res.partner")],
        ondelete="restrict",
        help="Email of a statement step, rendered on the customer with its statement "
        "attached. Empty: the module's Customer Statement template.",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain=[("model", "=", "account.move")],
        ondelete="restrict",
        help="Rendered on the customer's oldest invoice of the reminder; the "
        "template lists all of them with object.dunning_reminder_move_ids.",
    )
    auto = fields.Boolean(
        string="Automatic",
        default=True,
        help="Run by itself when due. Unset, the step waits in the list of "
        "reminders to approve until a Dunning User approves or rejects it.",
    )
    attach_invoice = fields.Boolean(
        string="Attach Invoices",
        help="Attach the PDF of each invoice to the email.",
    )
    bounce_fallback = fields.Selection(
        [("call", "Call"), ("letter", "Letter")],
        string="If the Email Bounces",
        default="call",
        help="When the customer's mail server returns the reminder email: the "
        "responsible gets a call to make, or a letter is made ready to print.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        help="Activity created by phone and manual steps.",
    )
    payment_delay_days = fields.Integer(
        string="Payment Expected Within (days)",
        default=8,
        help="Phone calls, manual actions and formal notices ask for payment "
        "within this many days: the final deadline of a formal notice.",
    )
    activity_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain=[("share", "=", False)],
        help="Who gets the activity of a phone or manual step. Empty: the "
        "customer's dunning responsible, else the salesperson.",
    )

    _sql_constraints = [
        (
            "offset_days_range",
            f"CHECK (offset_days BETWEEN -{_max_days} AND {_max_days})",
            "A dunning step must be due at most 3650 days before or after the due date.",
        ),
        (
            "payment_delay_days_range",
            f"CHECK (payment_delay_days BETWEEN 0 AND {_max_days})",
            "The payment delay of a dunning step must be between 0 and 3650 days.",
        ),
        (
            "variant_window_days_range",
            f"CHECK (variant_window_days BETWEEN 1 AND {_max_days})",
            "The test window of the template variants must be between 1 and 3650 days.",
        ),
        # Also when two people save steps at the same time. Checked at commit,
        # so that _check_offset_unique explains the usual mistake first. Per
        # trigger: a step sent when paid has no day (and is one at most).
        (
            "offset_days_unique",
            "UNIQUE (sequence_id, trigger, offset_days) DEFERRABLE INITIALLY DEFERRED",
            "Two steps of a dunning sequence cannot fall on the same day.",
        ),
    ]

    def init(self):
        # Steps written in SQL (scripts, imports of earlier releases) are
        # reminder steps, as every step was before triggers.
        self.env.cr.execute(
            "ALTER TABLE account_dunning_step ALTER COLUMN trigger SET DEFAULT 'due'"
        )

    @api.depends("offset_days", "trigger")
    def _compute_offset_label(self):
        for step in self:
            if step.filtered_domain(REMINDER_STEP_DOMAIN):
                step.offset_label = _("D%(offset)+d", offset=step.offset_days)
            else:
                step.offset_label = dict(
                    step._fields["trigger"]._description_selection(self.env)
                ).get(step.trigger, "")

    @api.depends("name", "offset_label")
    def _compute_display_name(self):
        for step in self:
            step.display_name = f"{step.name} ({step.offset_label})"

    @api.constrains("offset_days", "payment_delay_days")
    def _check_days_range(self):
        for step in self:
            if abs(step.offset_days) > self._max_days:
                raise ValidationError(
                    _(
                        "Step %(step)s is due %(days)s days from the due date: a step "
                        "must be due at most %(max)s days before or after it.",
                        step=step.name,
                        days=step.offset_days,
                        max=self._max_days,
                    )
                )
            if not 0 <= step.payment_delay_days <= self._max_days:
                raise ValidationError(
                    _(
                        "Step %(step)s expects payment within %(days)s days: the delay "
                        "must be between 0 and %(max)s days.",
                        step=step.name,
                        days=step.payment_delay_days,
                        max=self._max_days,
                    )
                )

    @api.constrains("offset_days", "sequence_id", "trigger")
    def _check_offset_unique(self):
        for step in self.filtered_domain(REMINDER_STEP_DOMAIN):
            twins = step.sequence_id.reminder_step_ids.filtered(
                lambda other, step=step: other != step and other.offset_days == step.offset_days
            )
            if twins:
                raise ValidationError(
                    _(
                        "Steps %(step)s and %(other)s of sequence %(sequence)s are "
                        "both on %(when)s: give each step its own day.",
                        step=step.name,
                        other=twins[0].name,
                        sequence=step.sequence_id.name,
                        when=step.offset_label,
                    )
                )

    @api.constrains("trigger", "sequence_id")
    def _check_one_step_per_trigger(self):
        """One step at most per trigger other than the due date: a customer
        is thanked once, gets one notice per instalment and one reminder per
        missed instalment."""
        for step in self - self.filtered_domain(REMINDER_STEP_DOMAIN):
            twins = step.sequence_id.step_ids.filtered(
                lambda other, step=step: other.trigger == step.trigger
            )
            if len(twins) > 1:
                raise ValidationError(
                    _(
                        "Sequence %(sequence)s has several steps sent %(when)s "
                        "(%(steps)s): keep one of them.",
                        sequence=step.sequence_id.name,
                        when=step._get_trigger_phrase(),
                        steps=", ".join(twins.mapped("name")),
                    )
                )

    def _check_template_renders(self, template):
        """Refuse, when it is saved, an email ``template`` the run of this
        step could not render: rendered as the run does, on the latest
        posted customer invoice of the step's company that the step could
        be sent for. Without any, there is nothing to render it on yet."""
        self.ensure_one()
        # Module data loads before everything it renders is there; the
        # other constraint of the step explains a template of another model.
        if not self.env.registry.ready or template.model != "account.move":
            return
        sample = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    *self._get_template_sample_domain(),
                ],
                order="id desc",
                limit=1,
            )
        )
        if not sample:
            return
        rendered = (
            self.env["account.dunning.mailer"].sudo()._render([sample], template.sudo())[sample.id]
        )
        if isinstance(rendered, Exception):
            raise ValidationError(
                _(
                    "The email template %(template)s of step %(step)s cannot be rendered: "
                    "%(error)s",
                    template=template.display_name,
                    step=self.display_name,
                    error=self.env["account.dunning.event"]._get_failure_reason(rendered),
                )
            )

    def _get_template_sample_domain(self):
        """The invoices the step's template may be checked on when saved
        (see ``_check_template_renders``): a payment plan's
        step is only sent for invoices in a plan, which its template may
        take for granted."""
        self.ensure_one()
        if self.trigger in ("plan_instalment", "plan_missed"):
            return [("dunning_plan_id", "!=", False)]
        return []

    def _get_trigger_phrase(self):
        """When the step is sent, as the end of a sentence."""
        self.ensure_one()
        if self.trigger == "paid":
            return _("when paid")
        if self.trigger == "plan_instalment":
            return _("before each instalment of a payment plan")
        if self.trigger == "plan_missed":
            return _("after a missed instalment of a payment plan")
        return _("on %(when)s", when=self.offset_label)

    @api.constrains("channel", "mail_template_id", "sms_template_id", "statement_template_id")
    def _check_channel_config(self):
        Run = self.env["account.dunning.run"]
        for step in self:
            problems = Run._get_step_problems(step)
            if problems:
                raise ValidationError(
                    _(
                        "Sequence %(sequence)s: %(problems)s",
                        sequence=step.sequence_id.name,
                        problems=" ".join(problems),
                    )
                )

    @api.constrains("mail_template_id")
    def _check_mail_template_model(self):
        for step in self:
            if step.mail_template_id and step.mail_template_id.model != "account.move":
                raise ValidationError(
                    _(
                        "The email template %(template)s of step %(step)s is for "
                        "%(model)s: dunning templates are rendered on invoices "
                        "(Journal Entry, account.move).",
                        template=step.mail_template_id.display_name,
                        step=step.name,
                        model=step.mail_template_id.model,
                    )
                )

    @api.constrains("mail_template_id")
    def _check_mail_template_renders(self):
        for step in self.filtered("mail_template_id"):
            step._check_template_renders(step.mail_template_id)

    @api.constrains("channel", "trigger")
    def _check_variants_channel(self):
        for step in self:
            if step.variant_ids and not step._dunning_channel_can("variants"):
                raise ValidationError(
                    _(
                        "Step %(step)s has template variants: it must stay an email step.",
                        step=step.name,
                    )
                )
            if step.variant_ids and step not in step.sequence_id.reminder_step_ids:
                raise ValidationError(
                    _(
                        "Step %(step)s has template variants: it must stay a reminder step.",
                        step=step.name,
                    )
                )

    @api.constrains("statement_template_id")
    def _check_statement_template_model(self):
        for step in self:
            template = step.statement_template_id
            if template and template.model != "res.partner":
                raise ValidationError(
                    _(
                        "The statement template %(template)s of step %(step)s is for "
                        "%(model)s: statements are rendered on customers (Contact, "
                        "res.partner).",
                        template=template.display_name,
                        step=step.name,
                        model=template.model,
                    )
                )

    @api.constrains("sms_template_id")
    def _check_sms_template_model(self):
        for step in self:
            if step.sms_template_id and step.sms_template_id.model != "account.move":
                raise ValidationError(
                    _(
                        "The SMS template %(template)s of step %(step)s is for "
                        "%(model)s: dunning templates are rendered on invoices "
                        "(Journal Entry, account.move).",
                        template=step.sms_template_id.display_name,
                        step=step.name,
                        model=step.sms_template_id.model,
                    )
                )

    @api.onchange("channel")
    def _onchange_channel_sms_template(self):
        if self.channel == "sms" and not self.sms_template_id:
            self.sms_template_id = self.env.ref(
                "account_dunning.sms_template_dunning_reminder", raise_if_not_found=False
            )

    @api.model_create_multi
    def create(self, vals_list):
        steps = super().create(vals_list)
        # Only reminders move the invoices' next step.
        reminders = steps.filtered_domain(REMINDER_STEP_DOMAIN)
        if not self.env["account.dunning.sequence"]._is_installing_module():
            reminders.sequence_id._get_open_dunning_moves()._dunning_recompute_next()
        return steps

    def write(self, vals):
        res = super().write(vals)
        if {"offset_days", "sequence_id", "trigger"} & vals.keys():
            self.sequence_id._get_open_dunning_moves()._dunning_recompute_next()
        return res

    def unlink(self):
        self._forget_in_invoices()
        sequences = self.sequence_id
        res = super().unlink()
        sequences._get_open_dunning_moves()._dunning_recompute_next()
        return res

    def action_open_mail_template(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.template",
            "res_id": self.mail_template_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_step(self):
        """The step's own form, where its template variants are edited."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_variant_results(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_step_variant_action"
        )
        action["domain"] = [("step_id", "=", self.id)]
        action["context"] = {"default_step_id": self.id}
        return action

    def action_keep_best_variant(self):
        """End the A/B test: the best variant's template becomes the step's,
        the other variants are archived (their reminders keep them). Only
        when the best variant is significantly better than the second."""
        self.ensure_one()
        best, second, z, significance = self._get_variant_test()
        if not second:
            raise UserError(
                _(
                    "Step %(step)s has fewer than two active variants: there is "
                    "nothing to compare.",
                    step=self.display_name,
                )
            )
        if significance != "significant":
            raise UserError(self._describe_variant_test(best, second, z, significance))
        self.mail_template_id = best.mail_template_id
        (self.variant_ids - best).active = False
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_active_variants(self):
        """The active template variants of this step, in order."""
        self.ensure_one()
        return self.variant_ids.filtered("active").sorted(lambda v: (v.sequence, v.id))

    def _get_variant_hash(self, partner):
        """A number fixed for this step and customer (no I/O)."""
        self.ensure_one()
        return int(hashlib.sha256(f"{self.id}-{partner.id}".encode()).hexdigest(), 16)

    def _choose_variant(self, partner, variants=None):
        """The variant of ``variants`` (default: the active ones) that
        ``partner`` gets at this step: the hash of the step and customer
        falls on the cumulative weights, so that each customer always gets
        the same variant and each variant its share of the customers. An
        empty recordset without variants."""
        self.ensure_one()
        variants = self._get_active_variants() if variants is None else variants
        total = sum(variants.mapped("weight"))
        if total <= 0:
            return self.env["account.dunning.step.variant"]
        point = self._get_variant_hash(partner) % total
        for variant in variants:
            point -= variant.weight
            if point < 0:
                return variant
        return self.env["account.dunning.step.variant"]

    def _get_variant_for(self, partners):
        """{customer: its variant (maybe empty)} at this step."""
        self.ensure_one()
        variants = self._get_active_variants()
        return {partner: self._choose_variant(partner, variants) for partner in partners}

    def _get_variant_figures(self, today=None):
        """{variant id: figures} of the variants of these steps, archived
        ones included, as of ``today``: reminders and invoices reminded with
        them (automatic reminders whose email left), invoices decided (test
        window over, or paid within it), paid within the window, and the
        median days to pay of those paid."""
        variant_ids = self.variant_ids.ids
        if not variant_ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            self._get_variant_figures_query(
                tuple(variant_ids), today or fields.Date.context_today(self)
            )
        )
        return {row.pop("variant_id"): row for row in self.env.cr.dictfetchall()}

    @api.model
    def _get_variant_figures_query(self, variant_ids, today):
        """The SQL of ``_get_variant_figures``. An invoice is counted once
        per variant, from its first reminder with it. Its payment date is
        the latest matching of its receivable items, once paid in full; figures
        are as of ``today``."""
        return SQL(
            """
            WITH reminded AS (
                SELECT DISTINCT ON (e.variant_id, e.move_id)
                       e.variant_id, e.move_id, e.partner_id, e.date,
                       e.date + s.variant_window_days AS window_end
                  FROM account_dunning_event e
                  JOIN account_dunning_step_variant v ON v.id = e.variant_id
                  JOIN account_dunning_step s ON s.id = v.step_id
                 WHERE e.variant_id IN %(variant_ids)s
                   AND e.event_type = 'reminder' AND e.state = 'sent'
              ORDER BY e.variant_id, e.move_id, e.date, e.id
            ),
            receivables AS (
                SELECT l.id, l.move_id
                  FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                  JOIN account_move m ON m.id = l.move_id
                 WHERE l.move_id IN (SELECT move_id FROM reminded)
                   AND a.account_type = 'asset_receivable'
                   AND m.payment_state IN %(paid_states)s
            ),
            paid AS (
                SELECT r.move_id, MAX(apr.max_date) AS paid_date
                  FROM receivables r
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = r.id
              GROUP BY r.move_id
                 UNION ALL
                SELECT r.move_id, MAX(apr.max_date)
                  FROM receivables r
                  JOIN account_partial_reconcile apr ON apr.credit_move_id = r.id
              GROUP BY r.move_id
            ),
            paid_moves AS (
                -- Paid as of today: a payment dated later is not counted yet.
                SELECT move_id, MAX(paid_date) AS paid_date
                  FROM paid
              GROUP BY move_id
                HAVING MAX(paid_date) <= %(today)s
            )
            SELECT r.variant_id,
                   COUNT(DISTINCT (r.partner_id, r.date)) AS reminder_count,
                   COUNT(*) AS invoice_count,
                   COUNT(*) FILTER (WHERE p.paid_date <= r.window_end
                                       OR r.window_end < %(today)s) AS decided_count,
                   COUNT(*) FILTER (WHERE p.paid_date <= r.window_end) AS paid_count,
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY GREATEST(p.paid_date - r.date, 0)
                   ) FILTER (WHERE p.paid_date IS NOT NULL) AS median_days
              FROM reminded r
         LEFT JOIN paid_moves p ON p.move_id = r.move_id
          GROUP BY r.variant_id
            """,
            variant_ids=variant_ids,
            today=today,
            paid_states=PAID_PAYMENT_STATES,
        )

    def _compare_variants(self, figures):
        """{variant id: {"z": ..., "significance": ..., "is_best": ...}} for
        the active variants of this step: the best one (highest paid share)
        is tested against the second best, every other one against the best.
        ``figures`` as ``_get_variant_figures`` returns them."""
        self.ensure_one()
        ranked = self._rank_variants(figures)
        if len(ranked) < 2:
            return {}
        best = ranked[0]
        results = {}
        for variant in ranked:
            other = ranked[1] if variant == best else best
            x1, n1 = self._get_variant_sample(variant, figures)
            x2, n2 = self._get_variant_sample(other, figures)
            z = two_proportion_z(x1, n1, x2, n2)
            results[variant.id] = {
                "z": z,
                "significance": self._get_significance(x1, n1, x2, n2, z),
                "is_best": variant == best,
            }
        return results

    def _rank_variants(self, figures):
        """The active variants, highest paid share first (in order on a tie)."""
        self.ensure_one()
        variants = self._get_active_variants()

        def share(variant):
            paid, decided = self._get_variant_sample(variant, figures)
            return paid / decided if decided else -1

        return sorted(variants, key=share, reverse=True)

    @api.model
    def _get_variant_sample(self, variant, figures):
        """(invoices paid within the window, invoices decided) of ``variant``."""
        values = figures.get(variant.id, {})
        return values.get("paid_count", 0), values.get("decided_count", 0)

    @api.model
    def _get_significance(self, x1, n1, x2, n2, z):
        """The verdict of the two-sided z-test at 95 %."""
        if not has_enough_data(x1, n1, x2, n2):
            return "not_enough_data"
        return "significant" if abs(z or 0.0) >= Z_CRITICAL else "not_significant"

    def _get_variant_test(self):
        """(best variant, second best, z, significance) of this step's test;
        an empty second best with fewer than two active variants."""
        self.ensure_one()
        figures = self._get_variant_figures()
        ranked = self._rank_variants(figures)
        Variant = self.env["account.dunning.step.variant"]
        if len(ranked) < 2:
            return (ranked[0] if ranked else Variant), Variant, None, False
        result = self._compare_variants(figures)[ranked[0].id]
        return ranked[0], ranked[1], result["z"], result["significance"]

    def _describe_variant_test(self, best, second, z, significance):
        """Why the best variant cannot be kept yet, with its figures."""
        self.ensure_one()
        verdict = {
            "not_enough_data": _(
                "there is not enough data yet (the test needs at least %(min)s invoices "
                "decided per variant, and %(expected)s paid and unpaid expected in each)",
                min=MIN_SAMPLE,
                expected=MIN_EXPECTED,
            ),
            "not_significant": _(
                "the difference is not significant yet (|z| must reach %(critical)s)",
                critical=Z_CRITICAL,
            ),
        }[significance]
        # Formatted apart: the terms extractor reads the literals of the call.
        z_label = f"{z or 0.0:.2f}"
        return _(
            "The best variant of step %(step)s cannot be kept: %(verdict)s. "
            "%(best)s: %(best_paid)s of %(best_decided)s invoices paid within "
            "%(days)s days; %(second)s: %(second_paid)s of %(second_decided)s; "
            "z = %(z)s.",
            step=self.display_name,
            verdict=verdict,
            best=best.name,
            best_paid=best.paid_count,
            best_decided=best.decided_count,
            second=second.name,
            second_paid=second.paid_count,
            second_decided=second.decided_count,
            days=self.variant_window_days,
            z=z_label,
        )

    def _forget_in_invoices(self):
        """Before deleting steps: invoices whose last step done is one of them
        take the step before it instead, so that they do not get the steps
        they were already past again."""
        moves = self.env["account.move"].sudo().search([("dunning_step_id", "in", self.ids)])
        for step, step_moves in moves.grouped("dunning_step_id").items():
            previous = (step.sequence_id.reminder_step_ids - self).filtered(
                lambda other, step=step: other.offset_days <= step.offset_days
            )
            step_moves._dunning_write({"dunning_step_id": previous.sorted("offset_days")[-1:].id})

    def _dunning_channel_can(self, capability):
        """Whether this step's channel can do ``capability`` (see
        ``account.dunning.run._get_dunning_channels``)."""
        self.ensure_one()
        return self.env["account.dunning.run"]._dunning_channel_can(self.channel, capability)

    def _get_date(self, due_date):
        """Date this step is due for an invoice due on ``due_date``."""
        self.ensure_one()
        return due_date + timedelta(days=self.offset_days)

    def _is_due_for(self, due_date, today):
        """Whether this step may be sent on ``today`` for an invoice due on
        ``due_date``: its date has come. A step after the due date is thus
        only for invoices overdue (an invoice due today is not)."""
        self.ensure_one()
        return self._get_date(due_date) <= today

    def _get_payment_deadline(self, today):
        """The date by which payment is now expected."""
        self.ensure_one()
        return today + timedelta(days=self.payment_delay_days)
