# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import column_exists, create_column, create_index

DUNNING_GROUP = "account_dunning.group_account_dunning_user"

# Writes made by the engine touch no accounting data: skip the invoice
# synchronisation, balance check and "manually modified" flag they would
# otherwise trigger on every invoice.
ENGINE_WRITE_CONTEXT = {
    "skip_invoice_sync": True,
    "check_move_validity": False,
    "skip_is_manually_modified": True,
    "tracking_disable": True,
}
# Pauses and resumptions made by people are tracked in the chatter.
USER_WRITE_CONTEXT = dict(ENGINE_WRITE_CONTEXT, tracking_disable=False)


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        copy=False,
        index="btree_not_null",
        check_company=True,
        groups=DUNNING_GROUP,
        help="The reminders this invoice follows. It is the sequence of the "
        "customer, else the default sequence of the company.",
    )
    dunning_start_date = fields.Date(
        string="Entered Sequence On",
        copy=False,
        groups=DUNNING_GROUP,
        help="Day this invoice, already open, entered its dunning sequence: "
        "when the sequence was created or assigned to the customer, or the "
        "module installed. Steps whose date was past by more than the grace "
        "window on that day are not sent. Empty for invoices posted into their "
        "sequence: they get the latest step due.",
    )
    dunning_step_id = fields.Many2one(
        "account.dunning.step",
        string="Last Dunning Step",
        copy=False,
        groups=DUNNING_GROUP,
        help="Last step done on this invoice: sent, failed or skipped.",
    )
    dunning_next_step_id = fields.Many2one(
        "account.dunning.step",
        string="Next Dunning Step",
        compute="_compute_dunning_next",
        store=True,
        groups=DUNNING_GROUP,
    )
    dunning_next_date = fields.Date(
        string="Next Dunning Date",
        compute="_compute_dunning_next",
        store=True,
        groups=DUNNING_GROUP,
    )
    dunning_paused = fields.Boolean(
        copy=False,
        tracking=True,
        groups=DUNNING_GROUP,
    )
    dunning_pause_until = fields.Date(
        string="Paused Until",
        copy=False,
        tracking=True,
        groups=DUNNING_GROUP,
        help="Dunning resumes by itself the day after this date.",
    )
    dunning_pause_reason = fields.Char(
        string="Pause Reason",
        copy=False,
        tracking=True,
        groups=DUNNING_GROUP,
    )
    dunning_event_ids = fields.One2many(
        "account.dunning.event",
        "move_id",
        string="Dunning History",
        groups=DUNNING_GROUP,
    )

    dunning_reminder_move_ids = fields.Many2many(
        "account.move",
        string="Invoices in the Reminder",
        compute="_compute_dunning_reminder_move_ids",
        help="For reminder templates: the customer's invoices that this "
        "reminder is about. The template is rendered on the oldest of them.",
    )

    def _auto_init(self):
        # On databases with years of invoices, let the ORM not compute the
        # next step of every historical move at install: the post-init hook
        # computes it for open invoices only.
        for column, column_type in (
            ("dunning_next_step_id", "int4"),
            ("dunning_next_date", "date"),
        ):
            if not column_exists(self.env.cr, "account_move", column):
                create_column(self.env.cr, "account_move", column, column_type)
        return super()._auto_init()

    def init(self):
        res = super().init()
        create_index(
            self.env.cr,
            "account_move_dunning_due_idx",
            "account_move",
            ["company_id", "dunning_next_date"],
            where="dunning_next_date IS NOT NULL",
        )
        return res

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "amount_residual",
        "invoice_date_due",
        "dunning_sequence_id",
        "dunning_step_id",
        "dunning_start_date",
        "dunning_paused",
        "dunning_pause_until",
        "dunning_event_ids.state",
    )
    def _compute_dunning_next(self):
        for move in self:
            pending = move.dunning_event_ids.filtered(lambda event: event.state == "pending")[:1]
            if pending and move._dunning_is_open():
                # Waits for a person: that step is what happens next.
                step, date = pending.step_id, pending.date
            else:
                step = move._get_dunning_next_step()
                date = step._get_date(move.invoice_date_due) if step else False
            if step and move.dunning_paused:
                date = move.dunning_pause_until and max(
                    date, move.dunning_pause_until + timedelta(days=1)
                )
            move.dunning_next_step_id = step
            move.dunning_next_date = date or False

    @api.depends_context("dunning_reminder_groups")
    def _compute_dunning_reminder_move_ids(self):
        groups = dict(self.env.context.get("dunning_reminder_groups") or ())
        for move in self:
            move.dunning_reminder_move_ids = self.browse(
                groups.get(move._origin.id, move._origin.ids)
            )

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        # The ORM caches an empty value for every x2many field of new records,
        # computed ones included: let the reminder list be computed instead.
        moves.invalidate_recordset(["dunning_reminder_move_ids"])
        return moves

    def write(self, vals):
        if "dunning_sequence_id" in vals and "dunning_start_date" not in vals:
            # A sequence chosen by hand starts today, like any assignment.
            vals = dict(
                vals,
                dunning_start_date=fields.Date.context_today(self),
                dunning_step_id=False,
            )
        return super().write(vals)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted.sudo()._dunning_filter_open()._dunning_sync_sequence(posting=True)
        return posted

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_dunning_pause(self, until=None, reason=None):
        """Stop reminders on these invoices, until a date or until resumed."""
        self._check_dunning_access()
        until = fields.Date.to_date(until) if until else False
        if until and until < fields.Date.context_today(self):
            raise UserError(_("A dunning pause cannot end in the past."))
        not_open = self - self._dunning_filter_open()
        if not_open:
            raise UserError(
                _(
                    "Only open customer invoices can be paused: %(invoices)s.",
                    invoices=", ".join(not_open.mapped("display_name")),
                )
            )
        self.sudo().with_context(**USER_WRITE_CONTEXT).write(
            {
                "dunning_paused": True,
                "dunning_pause_until": until,
                "dunning_pause_reason": reason or False,
            }
        )
        return True

    def action_dunning_resume(self):
        """Resume reminders: the invoice gets the latest step now due."""
        self._check_dunning_access()
        paused = self.sudo().filtered("dunning_paused")
        paused.with_context(**USER_WRITE_CONTEXT).write(
            {
                "dunning_paused": False,
                "dunning_pause_until": False,
                "dunning_pause_reason": False,
            }
        )
        return True

    def action_open_dunning_pause_wizard(self):
        self._check_dunning_access()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_dunning_pause_action"
        )
        action["context"] = {"active_model": "account.move", "active_ids": self.ids}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _check_dunning_access(self):
        if not self.env.su and not self.env.user.has_group(DUNNING_GROUP):
            raise UserError(_("Only Dunning Users can pause or resume reminders."))
        self.check_access("write")

    def _dunning_is_open(self):
        """Whether this invoice may be reminded: a posted customer invoice
        with something left to pay."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in ("not_paid", "partial")
            and self.currency_id.compare_amounts(self.amount_residual, 0) > 0
        )

    def _dunning_filter_open(self):
        return self.filtered(lambda move: move._dunning_is_open())

    @api.model
    def _search_dunning_open_moves(self, domain):
        return self.search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                *domain,
            ]
        )

    def _get_dunning_next_step(self):
        """The next step this invoice will reach, if any."""
        self.ensure_one()
        if not self.dunning_sequence_id or not self._dunning_is_open():
            return self.env["account.dunning.step"]
        return self.dunning_sequence_id._get_open_steps(
            self.invoice_date_due,
            self.dunning_step_id,
            self.dunning_start_date,
            self.company_id.dunning_grace_days,
        )[:1]

    def _get_dunning_due_step(self, today):
        """The step to run on ``today`` for this invoice, if any."""
        self.ensure_one()
        if not self.dunning_sequence_id or not self._dunning_is_open():
            return self.env["account.dunning.step"]
        return self.dunning_sequence_id._get_due_step(
            self.invoice_date_due,
            self.dunning_step_id,
            self.dunning_start_date,
            self.company_id.dunning_grace_days,
            today,
        )

    def _get_dunning_sequence(self, default):
        """The sequence this invoice should follow now: its customer's in the
        invoice's company unless archived, else ``default``, the company's
        default one."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(self.company_id)
        return partner.dunning_sequence_id.filtered("active") or default

    def _dunning_sync_sequence(self, posting=False):
        """Put invoices in the sequence their customer follows now.

        An open invoice that changes sequence enters it today: its last step
        is forgotten and stale steps of the new sequence are not sent. An
        invoice being posted (``posting``) was not open before: it enters its
        sequence with no stale step.
        """
        Sequence = self.env["account.dunning.sequence"]
        defaults = Sequence._get_default_sequences(self.company_id)
        for company, moves in self.grouped("company_id").items():
            today = Sequence.with_context(
                **Sequence._get_dunning_context(company)
            )._get_dunning_today(company)
            moves = moves.with_company(company)
            default = defaults.get(company, Sequence)
            by_sequence = moves.grouped(
                lambda move, default=default: move._get_dunning_sequence(default)
            )
            for sequence, sequence_moves in by_sequence.items():
                changed = sequence_moves.filtered(
                    lambda move, sequence=sequence: move.dunning_sequence_id != sequence
                )
                changed._dunning_write(
                    {
                        "dunning_sequence_id": sequence.id,
                        "dunning_start_date": today if sequence and not posting else False,
                        "dunning_step_id": False,
                    }
                )

    def _dunning_write(self, vals):
        """Write dunning state without touching accounting data."""
        if self:
            self.sudo().with_context(**ENGINE_WRITE_CONTEXT).write(vals)

    def _dunning_recompute_next(self):
        """Recompute the next step after a change the ORM cannot see, such as
        steps edited or the grace window changed."""
        moves = self.sudo()
        for fname in ("dunning_next_step_id", "dunning_next_date"):
            self.env.add_to_compute(moves._fields[fname], moves)
        moves._recompute_recordset(["dunning_next_step_id", "dunning_next_date"])

    def _dunning_run(self, today):
        """Run the due dunning step of each of these invoices.

        Invoices must be locked by the caller. One action per customer and
        step: invoices reaching the same step together share one email, one
        letter or one call.
        """
        moves = self.sudo()._dunning_filter_open()
        plan = moves._get_dunning_plan(today)
        Event = self.env["account.dunning.event"].sudo()
        vals_list = []
        for step, step_moves in plan.items():
            if not step:
                # Nothing due after all (steps changed meanwhile): refresh.
                step_moves._dunning_recompute_next()
                continue
            groups = list(step_moves.grouped("commercial_partner_id").items())
            vals_list += step._run_isolated(groups, today)
        events = Event.create(vals_list)
        events._apply_to_moves()
        return events

    def _get_dunning_plan(self, today):
        """Group invoices by the step due on ``today`` (no I/O)."""
        return self.grouped(lambda move: move._get_dunning_due_step(today))

    def _get_dunning_responsible(self):
        """Who handles this invoice's dunning tasks and failures."""
        self.ensure_one()
        partner = self.commercial_partner_id
        creator = self.create_uid.filtered(lambda user: user.active and not user.share)
        return (
            partner.dunning_responsible_id
            or self.invoice_user_id
            or partner.user_id
            or self.company_id.dunning_responsible_id
            or creator
            or self.env.ref("base.user_admin", raise_if_not_found=False)
            or self.env["res.users"]
        )
