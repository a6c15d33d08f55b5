# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountDunningStep(models.Model):
    _name = "account.dunning.step"
    _description = "Dunning Step"
    _order = "sequence_id, offset_days, id"
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
        "template lists all of them with object.dunning_reminder_move_ids.",
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
        # Also when two people save steps at the same time. Checked at commit,
        # so that _check_offset_unique explains the usual mistake first.
        (
            "offset_days_unique",
            "UNIQUE (sequence_id, offset_days) DEFERRABLE INITIALLY DEFERRED",
            "Two steps of a dunning sequence cannot fall on the same day.",
        ),
    ]

    @api.depends("offset_days")
    def _compute_offset_label(self):
        for step in self:
            step.offset_label = _("D%(offset)+d", offset=step.offset_days)

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

    @api.constrains("offset_days", "sequence_id")
    def _check_offset_unique(self):
        for step in self:
            twins = step.sequence_id.step_ids.filtered(
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

    @api.constrains("channel", "mail_template_id")
    def _check_mail_template(self):
        for step in self:
            if step.channel == "email" and not step.mail_template_id:
                raise ValidationError(
                    _(
                        "The email step %(step)s of sequence %(sequence)s needs an "
                        "email template.",
                        step=step.name,
                        sequence=step.sequence_id.name,
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

    @api.constrains("channel", "sms_template_id")
    def _check_sms_template(self):
        for step in self:
            if step.channel == "sms" and not step.sms_template_id:
                raise ValidationError(
                    _(
                        "The SMS step %(step)s of sequence %(sequence)s needs an SMS template.",
                        step=step.name,
                        sequence=step.sequence_id.name,
                    )
                )
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
        steps.sequence_id._get_open_dunning_moves()._dunning_recompute_next()
        return steps

    def write(self, vals):
        res = super().write(vals)
        if "offset_days" in vals or "sequence_id" in vals:
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

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _forget_in_invoices(self):
        """Before deleting steps: invoices whose last step done is one of them
        take the step before it instead, so that they do not get the steps
        they were already past again."""
        moves = self.env["account.move"].sudo().search([("dunning_step_id", "in", self.ids)])
        for step, step_moves in moves.grouped("dunning_step_id").items():
            previous = (step.sequence_id.step_ids - self).filtered(
                lambda other, step=step: other.offset_days <= step.offset_days
            )
            step_moves._dunning_write({"dunning_step_id": previous.sorted("offset_days")[-1:].id})

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
