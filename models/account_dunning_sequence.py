# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import (
    datetime as safe_datetime,
    safe_eval,
)

from .account_dunning_step import REMINDER_STEP_DOMAIN

# What a change of these fields does to the customers each rule picks.
RULE_FIELDS = {"rule_domain", "rule_priority", "active", "company_id", "is_default"}


class AccountDunningSequence(models.Model):
    _name = "account.dunning.sequence"
    _description = "Dunning Sequence"
    _order = "company_id, is_default desc, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(
        string="Default",
        copy=False,
        help="Customers without a sequence of their own follow the default "
        "sequence of their company. There is one default sequence per company.",
    )
    rule_domain = fields.Char(
        string="Applies To",
        default="[]",
        help="The customers who follow this sequence when they have no sequence "
        "of their own. Empty (all records): the sequence applies by no rule, only "
        "to the customers who choose it. Ignored on the default sequence, which "
        "applies to every customer no rule picks.",
    )
    rule_priority = fields.Integer(
        default=10,
        help="A customer matching the domains of several sequences follows the "
        "one with the lowest priority (then the first by name).",
    )
    step_ids = fields.One2many(
        "account.dunning.step",
        "sequence_id",
        string="Steps",
        copy=True,
    )
    step_count = fields.Integer(compute="_compute_step_count")
    reminder_step_ids = fields.Many2many(
        "account.dunning.step",
        string="Reminder Steps",
        compute="_compute_reminder_step_ids",
        help="The steps due by days from the due date: the dunning plan of the "
        "invoices. A step sent when paid is not one of them.",
    )
    paid_step_id = fields.Many2one(
        "account.dunning.step",
        string="Thank-You Step",
        compute="_compute_reminder_step_ids",
        help="The step sent once when invoices that received a reminder are paid.",
    )
    promise_max_days = fields.Integer(
        string="Promise Within (days)",
        default=30,
        help="From the link of a reminder, a customer may promise to pay by a date "
        "at most this many days ahead; its reminders pause until then.",
    )
    plan_max_instalments = fields.Integer(
        string="Plan: Most Instalments",
        default=6,
        help="A payment plan with more instalments needs a Dunning Manager's approval.",
    )
    plan_max_days = fields.Integer(
        string="Plan: Longest (days)",
        default=180,
        help="A payment plan whose last instalment is further ahead needs approval.",
    )
    plan_min_instalment = fields.Float(
        string="Plan: Smallest Instalment",
        default=50.0,
        help="A payment plan with smaller instalments (but the last) needs approval.",
    )
    plan_notice_days = fields.Integer(
        string="Plan: Notice (days before)",
        default=3,
        help="The customer is reminded of each instalment this many days before it.",
    )
    plan_missed_limit = fields.Integer(
        string="Plan: Broken After (missed)",
        default=1,
        help="After this many missed instalments the plan is broken: its invoices "
        "follow the sequence again. With 1, the plan breaks the day after the first "
        "missed instalment: no reminder of a missed instalment is sent.",
    )
    step_warning = fields.Text(
        compute="_compute_step_warning",
        help="What would make saving the steps fail.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        compute="_compute_partner_ids",
        help="Customers who follow this sequence in its company: those who chose it, "
        "those its rule picks and, for the default sequence, the customers invoiced in "
        "the company who have neither.",
    )
    partner_count = fields.Integer(string="Customers Count", compute="_compute_partner_ids")

    _sql_constraints = [
        (
            "plan_limits_positive",
            "CHECK(plan_max_instalments > 0 AND plan_max_days > 0 AND plan_min_instalment >= 0"
            " AND plan_notice_days >= 0 AND plan_missed_limit > 0)",
            "The limits of payment plans must be positive.",
        ),
        (
            "promise_max_days_range",
            "CHECK(promise_max_days BETWEEN 0 AND 365)",
            "A promise to pay can be at most 365 days ahead (0: no promise from the link).",
        ),
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A dunning sequence with this name already exists in this company.",
        ),
    ]

    def init(self):
        # The engine relies on a single default per company: enforce it in the
        # database too, so that concurrent saves cannot create two.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS account_dunning_sequence_default_uniq"
                " ON account_dunning_sequence (company_id) WHERE is_default AND active"
            )
        )

    @api.depends("step_ids")
    def _compute_step_count(self):
        for sequence in self:
            sequence.step_count = len(sequence.step_ids)

    @api.depends("step_ids.trigger")
    def _compute_reminder_step_ids(self):
        for sequence in self:
            sequence.reminder_step_ids = sequence.step_ids.filtered_domain(REMINDER_STEP_DOMAIN)
            sequence.paid_step_id = sequence._get_trigger_step("paid")

    @api.depends(
        "step_ids.trigger",
        "step_ids.offset_days",
        "step_ids.channel",
        "step_ids.mail_template_id",
        "step_ids.sms_template_id",
    )
    def _compute_step_warning(self):
        for sequence in self:
            sequence.step_warning = "\n".join(sequence._get_step_problems()) or False

    def _compute_partner_ids(self):
        for sequence in self:
            partners = (
                self.env["res.partner"]
                .with_company(sequence.company_id)
                .search(sequence._get_partner_domain())
                if sequence._origin
                else self.env["res.partner"]
            )
            sequence.partner_ids = partners
            sequence.partner_count = len(partners)

    def _get_partner_domain(self):
        """The customers following this sequence in its company: those who
        chose it, those its rule picks and, for the default sequence, the
        customers of the company (invoiced in it) with neither."""
        self.ensure_one()
        domain = [
            "|",
            ("dunning_sequence_id", "=", self._origin.id),
            "&",
            ("dunning_sequence_id", "=", False),
            ("dunning_rule_sequence_id", "=", self._origin.id),
        ]
        if not self.is_default:
            return domain
        invoiced = self.env["account.move"]._search(
            [
                ("company_id", "=", self.company_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ]
        )
        return expression.OR(
            [
                domain,
                [
                    ("id", "in", invoiced.subselect("commercial_partner_id")),
                    ("dunning_sequence_id", "=", False),
                    ("dunning_rule_sequence_id", "=", False),
                ],
            ]
        )

    @api.constrains("is_default", "active")
    def _check_default_active(self):
        for sequence in self:
            if sequence.is_default and not sequence.active:
                raise ValidationError(
                    _(
                        "The default dunning sequence %(name)s cannot be archived: "
                        "make another sequence the default first.",
                        name=sequence.display_name,
                    )
                )

    @api.constrains("rule_domain", "company_id")
    def _check_rule_domain(self):
        for sequence in self:
            try:
                domain = sequence._get_rule_domain()
                if not domain:
                    continue
                Partner = self.env["res.partner"].sudo().with_company(sequence.company_id)
                # Run it once: a wrong value type only fails in the database.
                with self.env.cr.savepoint():
                    Partner.search_count(domain, limit=1)
            except Exception as error:  # noqa: BLE001 - any failure is a wrong domain
                raise ValidationError(
                    _(
                        "The customers the sequence %(sequence)s applies to are not a "
                        "valid domain on contacts: %(error)s",
                        sequence=sequence.display_name,
                        error=error,
                    )
                ) from error

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        # A new sequence sends what every sequence sent before payment plans'
        # messages were steps: visible in its form, removable. Not for data
        # files and imports, which give their steps.
        if "step_ids" in fields_list and not self.env.context.get("install_mode"):
            defaults.setdefault("step_ids", self._get_default_plan_steps())
        return defaults

    @api.model
    def _get_default_plan_steps(self):
        """Commands creating the steps of a new sequence's payment plans: the
        notice before each instalment and the reminder of a missed one, with
        the module's templates."""
        templates = {
            "plan_instalment": (
                _("Instalment Notice"),
                "account_dunning.mail_template_dunning_plan_notice",
            ),
            "plan_missed": (
                _("Missed Instalment"),
                "account_dunning.mail_template_dunning_plan_reminder",
            ),
        }
        commands = []
        for trigger, (name, xmlid) in templates.items():
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if template:
                commands.append(
                    Command.create(
                        {
                            "name": name,
                            "trigger": trigger,
                            "channel": "email",
                            "mail_template_id": template.id,
                        }
                    )
                )
        return commands

    @api.model_create_multi
    def create(self, vals_list):
        # Unset the previous defaults first: the unique index is checked row
        # by row.
        self._unset_defaults(
            {
                vals.get("company_id") or self.env.company.id
                for vals in vals_list
                if vals.get("is_default")
            }
        )
        sequences = super().create(vals_list)
        # The ORM caches an empty value for the computed x2many of new
        # records: let the customers be computed instead.
        sequences.invalidate_recordset(["partner_ids"])
        return sequences

    def write(self, vals):
        if vals.get("is_default"):
            companies = set(self.company_id.ids)
            if vals.get("company_id"):
                companies.add(vals["company_id"])
            self._unset_defaults(companies, keep=self)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("dunning_sequence_id", "in", self.ids)], ["dunning_sequence_id"], ["__count"]
            )
        )
        if used:
            sequence, count = used[0]
            raise UserError(
                _(
                    "The dunning sequence %(sequence)s is used by %(count)s invoices: "
                    "archive it instead of deleting it, so that their history stays.",
                    sequence=sequence.sudo().display_name,
                    count=count,
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for sequence, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = _("%s (copy)", sequence.name)
        return vals_list

    def _get_trigger_step(self, trigger):
        """The step of this sequence sent on ``trigger`` other than the due
        date (at most one, see the step's ``_check_one_step_per_trigger``)."""
        self.ensure_one()
        return self.step_ids.filtered(lambda step: step.trigger == trigger)[:1]

    def action_make_default(self):
        self.ensure_one()
        self.is_default = True

    def action_open_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Customers of %(sequence)s", sequence=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self.partner_ids.ids)],
            "context": {"default_dunning_sequence_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _unset_defaults(self, company_ids, keep=None):
        others = self.search(
            [
                ("company_id", "in", list(company_ids)),
                ("is_default", "=", True),
                ("id", "not in", keep.ids if keep else []),
            ]
        )
        res = others.write({"is_default": False})
        # Before the new default is written: the unique index is checked row
        # by row.
        others.flush_recordset(["is_default"])
        return res

    @api.model
    def _get_default_sequences(self, companies):
        """Return {company: its default sequence} for the given companies."""
        sequences = self.sudo().search(
            [("company_id", "in", companies.ids), ("is_default", "=", True)]
        )
        return {sequence.company_id: sequence for sequence in sequences}

    @api.model
    def _get_dunning_rule_sequences(self, company):
        """The sequences of ``company`` that apply by rule, in the order a
        customer is matched against them: active, not the default, with a
        domain."""
        sequences = self.sudo().search(
            [("company_id", "=", company.id), ("is_default", "=", False)],
            order="rule_priority, name, id",
        )
        return sequences._filter_dunning_rules()

    def _filter_dunning_rules(self):
        """These sequences that apply by rule: active, not the default, with a
        domain (all records is no rule)."""
        return self.filtered(
            lambda sequence: sequence.active
            and not sequence.is_default
            and sequence._get_rule_domain()
        )

    def _get_rule_domain(self):
        """The domain on ``res.partner`` of the customers this sequence
        applies to, as a list; ``[]`` when it is no rule."""
        self.ensure_one()
        if not self.rule_domain:
            return []
        domain = safe_eval(self.rule_domain, self._get_rule_eval_context())
        if not isinstance(domain, list | tuple):
            raise ValueError(_("A domain is a list of conditions."))
        return list(domain)

    def _get_rule_eval_context(self):
        """What the domain of a rule may use, as in the domain editor."""
        today = fields.Date.context_today(self)
        return {
            "uid": self.env.uid,
            "datetime": safe_datetime,
            "relativedelta": relativedelta,
            "context_today": lambda: today,
        }

    def _get_step_problems(self):
        """What is wrong with the steps as edited, in words (no I/O)."""
        self.ensure_one()
        problems = []
        by_offset = self.reminder_step_ids.grouped("offset_days")
        for steps in by_offset.values():
            if len(steps) > 1:
                problems.append(
                    _(
                        "Steps %(steps)s are all on %(when)s: give each step its own day.",
                        steps=", ".join(steps.mapped("name")),
                        when=steps[0].offset_label,
                    )
                )
        Run = self.env["account.dunning.run"]
        for step in self.step_ids:
            problems += Run._get_step_problems(step)
        return problems

    # ------------------------------------------------------------------
    # The core rule: which step is due for an invoice on a date. Pure: no
    # I/O beyond the steps of the sequence, which are prefetched.
    # ------------------------------------------------------------------

    def _get_open_steps(self, due_date, last_step, start_date, grace_days):
        """Steps still ahead of an invoice, in order.

        A step is behind the invoice when it is not after the last step done,
        or when it is stale: the invoice was already open when it entered the
        sequence on ``start_date``, and the step's date was more than
        ``grace_days`` before. Such invoices enter a sequence by crossing a
        step date, never by catching up on old ones. Invoices posted into
        their sequence have no ``start_date``: no step is stale for them.
        """
        self.ensure_one()
        threshold = start_date and start_date - timedelta(days=grace_days)
        return self.reminder_step_ids.sorted("offset_days").filtered(
            lambda step: (not last_step or step.offset_days > last_step.offset_days)
            and (not threshold or step._get_date(due_date) >= threshold)
        )

    def _get_due_step(self, due_date, last_step, start_date, grace_days, today):
        """The step to run on ``today``: the latest open step whose date has
        come. After a downtime or a pause this is one step, never a burst."""
        open_steps = self._get_open_steps(due_date, last_step, start_date, grace_days)
        return open_steps.filtered(lambda step: step._get_date(due_date) <= today)[-1:]
