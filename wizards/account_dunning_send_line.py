# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class AccountDunningSendLine(models.TransientModel):
    """A customer in the Send Reminders wizard: its invoices and the email
    it will receive."""

    _name = "account.dunning.send.line"
    _description = "Send Reminders: Customer"
    _order = "partner_id, id"

    wizard_id = fields.Many2one(
        "account.dunning.send",
        required=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        readonly=True,
    )
    amount_residual = fields.Monetary(
        string="Amount Due",
        compute="_compute_amount_residual",
        currency_field="currency_id",
        help="Left to pay on these invoices, in the company currency.",
    )
    sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        compute="_compute_sequence_id",
    )
    step_id = fields.Many2one(
        "account.dunning.step",
        string="Step",
        required=True,
        domain="[('id', 'in', allowed_step_ids)]",
        help="The invoices are recorded at this step once the email is sent. Only the "
        "email steps due for all of them can be chosen.",
    )
    allowed_step_ids = fields.Many2many(
        "account.dunning.step",
        compute="_compute_allowed_step_ids",
        string="Steps Due",
    )
    template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        compute="_compute_template_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        domain=[("model", "=", "account.move")],
    )
    recipients = fields.Char(compute="_compute_recipients")
    subject = fields.Char(
        compute="_compute_preview",
        store=True,
        readonly=False,
    )
    body = fields.Html(
        string="Email",
        compute="_compute_preview",
        store=True,
        readonly=False,
        sanitize="email_outgoing",
    )
    render_error = fields.Char(compute="_compute_preview", store=True)
    to_send = fields.Boolean(
        string="Send",
        compute="_compute_to_send",
        store=True,
        readonly=False,
        help="Unset to leave this customer out. A customer reminded today is sent "
        "again only with Send Again.",
    )
    last_reminder_date = fields.Date(string="Last Reminder", readonly=True)
    last_reminder_step_id = fields.Many2one(
        "account.dunning.step",
        string="Last Step",
        readonly=True,
    )
    reminder_count = fields.Integer(
        string="Reminders Sent",
        readonly=True,
        help="Reminders already sent for these invoices.",
    )
    reminded_today = fields.Char(
        readonly=True,
        help="The customer already received a reminder email today.",
    )
    send_again = fields.Boolean(
        help="Send although the customer was already reminded today.",
    )
    snapshot = fields.Char(
        help="Last dunning event of each invoice when the wizard was opened.",
    )
    step_map = fields.Char(
        help="The step each invoice is recorded at once the email is sent.",
    )

    @api.depends("move_ids")
    def _compute_amount_residual(self):
        for line in self:
            line.amount_residual = sum(line.move_ids.mapped("amount_residual_signed"))

    @api.depends("move_ids", "sequence_id", "step_map")
    def _compute_allowed_step_ids(self):
        # The tone of the email: a step due for one of the invoices it
        # reminds; each invoice is recorded at its own step anyway.
        today = fields.Date.context_today(self)
        for line in self:
            moves = line._get_reminded_moves()
            line.allowed_step_ids = line.sequence_id.reminder_step_ids.filtered(
                lambda step, moves=moves: step._dunning_channel_can("review")
                and any(step._is_due_for(move.dunning_date_due, today) for move in moves)
            )

    @api.depends("reminded_today", "send_again")
    def _compute_to_send(self):
        for line in self:
            line.to_send = not line.reminded_today or line.send_again

    @api.depends("move_ids")
    def _compute_sequence_id(self):
        for line in self:
            line.sequence_id = line.move_ids[:1].dunning_sequence_id

    @api.depends("step_id", "partner_id")
    def _compute_template_id(self):
        # The customer's variant of the step, as the run would send it.
        for line in self:
            variant = line.step_id and line.step_id._choose_variant(line.partner_id)
            template = variant and variant.mail_template_id
            line.template_id = template or line.step_id.mail_template_id

    @api.depends("partner_id")
    def _compute_recipients(self):
        for line in self:
            line.recipients = ", ".join(
                line.partner_id._get_reminder_recipients().mapped("email_formatted")
            )

    @api.depends("template_id", "move_ids", "step_id")
    def _compute_preview(self):
        """Render the email of each customer, once per template."""
        Mailer = self.env["account.dunning.mailer"].sudo()
        for template, lines in self.grouped("template_id").items():
            move_groups = [line._get_sorted_moves() for line in lines]
            upcoming = self.env["account.move"].concat(*(line._get_upcoming() for line in lines))
            rendered = (
                Mailer._render(
                    [moves for moves in move_groups if moves],
                    template=template.sudo(),
                    upcoming=upcoming.sudo(),
                )
                if template
                else {}
            )
            for line, moves in zip(lines, move_groups, strict=True):
                values = rendered.get(moves[:1].id, {})
                if isinstance(values, Exception):
                    line.subject = False
                    line.body = False
                    line.render_error = _(
                        "The email template %(template)s could not be rendered: %(error)s",
                        template=template.display_name,
                        error=values,
                    )
                else:
                    line.subject = values.get("subject", False)
                    line.body = values.get("body_html", Markup(""))
                    line.render_error = False

    def _get_sorted_moves(self):
        """The invoices oldest due first: the email is rendered on the first."""
        self.ensure_one()
        return self.move_ids._origin.sorted(lambda move: (move.invoice_date_due, move.id))

    def _get_move_steps(self):
        """{invoice: the step it is recorded at once the email is sent}: its
        own, unless the person chose a milder tone for the email."""
        self.ensure_one()
        steps = json.loads(self.step_map or "{}")
        Step = self.env["account.dunning.step"].sudo()
        move_steps = {}
        for move in self.move_ids._origin:
            step = Step.browse(steps[str(move.id)]) if str(move.id) in steps else self.step_id
            if step.offset_days > self.step_id.offset_days:
                step = self.step_id.sudo()
            move_steps[move.sudo()] = step
        return move_steps

    def _get_upcoming(self):
        """The invoices given as "also coming due": their own step comes
        before their due date while the email's comes after."""
        self.ensure_one()
        return self.env["account.dunning.run"]._get_upcoming_moves(
            self.step_id, [(self.partner_id, self.move_ids._origin)], self._get_move_steps()
        )

    def _get_reminded_moves(self):
        """The invoices the email reminds in its own tone: all of them but
        those also coming due."""
        self.ensure_one()
        moves = self.move_ids._origin
        return moves - self._get_upcoming() or moves

    def _check_steps_due(self, today):
        """Refuse a step that is not due for one of its invoices, whatever
        the client sent; the invoices also coming due need theirs due."""
        for line in self:
            for move, own_step in line._get_move_steps().items():
                if not own_step._is_due_for(move.dunning_date_due, today):
                    raise UserError(
                        _(
                            "%(step)s is not due for invoice %(invoice)s: it is due on "
                            "%(date)s.",
                            step=own_step.display_name,
                            invoice=move.name,
                            date=format_date(self.env, own_step._get_date(move.dunning_date_due)),
                        )
                    )
            if line.step_id not in line.allowed_step_ids:
                raise UserError(
                    _(
                        "%(step)s is due for none of the invoices of %(customer)s: choose "
                        "the step of one of them.",
                        step=line.step_id.display_name,
                        customer=line.partner_id.display_name,
                    )
                )

    def _get_late_skip_reasons(self, today):
        """{invoice: reason} for the invoices that can no longer be reminded
        now that they are locked: paid, paused or excluded meanwhile,
        reminded by someone else since the wizard was opened, or of a
        customer reminded today that the person did not choose to remind
        again."""
        moves = self.move_ids
        reasons = moves._get_dunning_block_reasons()
        history = self.env["account.dunning.event"]._get_reminder_history(moves, today)
        for line in self:
            snapshot = json.loads(line.snapshot or "{}")
            today_event = history["today"].get(line.partner_id)
            for move in line.move_ids - self.env["account.move"].concat(*reasons):
                if max(move.dunning_event_ids.ids or [0]) != snapshot.get(str(move.id), 0):
                    reasons[move] = _("It was reminded by someone else meanwhile.")
                elif today_event and not line.send_again:
                    reasons[move] = today_event._get_reminded_today_label()
        return reasons

    def _get_moves_to_send(self, late_reasons):
        self.ensure_one()
        return self._get_sorted_moves().filtered(lambda move: move not in late_reasons)
