# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, create_index

DUNNING_GROUP = "account_dunning.group_account_dunning_user"
# Article D441-5 of the French Code de commerce, in EUR.
DUNNING_RECOVERY_INDEMNITY = 40.0
# The legal late-payment rate is the ECB main refinancing rate plus 10 points.
DUNNING_LEGAL_RATE_MARGIN = 10.0

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
    dunning_last_failed = fields.Boolean(
        string="Last Reminder Failed",
        copy=False,
        groups=DUNNING_GROUP,
        help="The last reminder of this invoice could not be sent.",
    )
    dunning_event_ids = fields.One2many(
        "account.dunning.event",
        "move_id",
        string="Dunning History",
        groups=DUNNING_GROUP,
    )
    dunning_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_dunning_days_overdue",
        groups=DUNNING_GROUP,
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Dunning Responsible",
        compute="_compute_dunning_responsible_id",
        search="_search_dunning_responsible_id",
        groups=DUNNING_GROUP,
        help="Who gets the dunning tasks and failures of this invoice: the "
        "customer's dunning responsible, else the salesperson of the invoice, "
        "then of the customer, else the company's default dunning responsible; "
        "archived users, portal users and OdooBot are skipped.",
    )
    dunning_late_interest = fields.Monetary(
        string="Late-Payment Interest",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="Interest due by law on what is left to pay, from the day after "
        "the due date (French Code de commerce, article L441-10).",
    )
    dunning_recovery_indemnity = fields.Monetary(
        string="Fixed Recovery Indemnity",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="40 EUR per late invoice of a business customer (French Code de "
        "commerce, article D441-5), in the invoice currency.",
    )
    dunning_late_fees_total = fields.Monetary(
        string="Late-Payment Costs",
        currency_field="currency_id",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
    )
    dunning_late_rate_label = fields.Char(
        string="Late-Payment Rate",
        compute="_compute_dunning_late_fees",
        groups=DUNNING_GROUP,
        help="Annual rate(s) of the late-payment interest, oldest first.",
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
        "commercial_partner_id.dunning_excluded",
    )
    def _compute_dunning_next(self):
        for move in self:
            if move.commercial_partner_id.dunning_excluded:
                move.dunning_next_step_id = move.dunning_next_date = False
                continue
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

    @api.depends_context("tz")
    @api.depends("invoice_date_due", "payment_state", "state")
    def _compute_dunning_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            overdue = (
                move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and move.invoice_date_due
                and (today - move.invoice_date_due).days
            )
            move.dunning_days_overdue = max(overdue or 0, 0)

    @api.depends(
        "commercial_partner_id.dunning_responsible_id",
        "invoice_user_id",
        "commercial_partner_id.user_id",
        "company_id.dunning_responsible_id",
    )
    def _compute_dunning_responsible_id(self):
        for move in self:
            move.dunning_responsible_id = move._get_dunning_responsible()

    def _search_dunning_responsible_id(self, operator, value):
        """The invoices whose responsible is in ``value``: the first valid
        user of the chain of _get_dunning_responsible, in SQL."""
        if operator not in ("=", "in"):
            raise UserError(_("Search the dunning responsible with '=' or 'in' only."))
        wanted = set(value if isinstance(value, list | tuple) else [value]) - {False, None}
        valid = (
            self.env["res.users"]
            .sudo()
            .search([("share", "=", False)])
            .filtered(self._dunning_is_valid_responsible)
        )
        # Each link of the chain counts when the links before it are empty or
        # invalid; the company's default responsible comes last.
        chain = [
            "commercial_partner_id.dunning_responsible_id",
            "invoice_user_id",
            "commercial_partner_id.user_id",
        ]
        domains = [
            [
                *((before, "not in", valid.ids) for before in chain[:index]),
                (fname, "in", sorted(wanted.intersection(valid.ids))),
            ]
            for index, fname in enumerate(chain)
        ]
        # Searching for no responsible (False) wants companies without one.
        targets = wanted or {False}
        companies = (
            self.env["res.company"]
            .sudo()
            .search([])
            .filtered(lambda company: company._get_dunning_default_responsible().id in targets)
        )
        domains.append(
            [
                *((fname, "not in", valid.ids) for fname in chain),
                ("company_id", "in", companies.ids),
            ]
        )
        return expression.OR(domains)

    @api.depends_context("dunning_reminder_groups")
    def _compute_dunning_reminder_move_ids(self):
        groups = dict(self.env.context.get("dunning_reminder_groups") or ())
        for move in self:
            move.dunning_reminder_move_ids = self.browse(
                groups.get(move._origin.id, move._origin.ids)
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_dunning_fields_unchanged(vals)
        moves = super().create(vals_list)
        # The ORM caches an empty value for every x2many field of new records,
        # computed ones included: let the reminder list be computed instead.
        moves.invalidate_recordset(["dunning_reminder_move_ids"])
        return moves

    def write(self, vals):
        self._check_dunning_fields_unchanged(vals)
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
        until = self._parse_dunning_pause_until(until)
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

    def action_open_dunning_skip_wizard(self):
        self._check_dunning_access()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_dunning_skip_action"
        )
        action["context"] = {"active_model": "account.move", "active_ids": self.ids}
        return action

    def action_dunning_send_now(self):
        """Run the next step of these invoices today, whatever its date: a
        step waiting for approval is approved, an automatic one is run."""
        self._check_dunning_access()
        moves = self._dunning_lock()
        moves._check_dunning_can_send()
        pending = moves.sudo().dunning_event_ids.filtered(lambda event: event.state == "pending")
        approvable = pending.filtered(lambda event: not event.attachment_id)
        approvable.action_approve()
        printed = pending - approvable
        rest = moves.sudo() - pending.move_id
        without_step = rest.filtered(lambda move: not move._get_dunning_next_step())
        if without_step:
            raise UserError(
                _(
                    "No dunning step is left to send for %(invoices)s.",
                    invoices=", ".join(without_step.mapped("display_name")),
                )
            )
        today = fields.Date.context_today(self)
        Event = self.env["account.dunning.event"].sudo()
        vals_list = []
        for step, step_moves in rest.grouped(lambda move: move._get_dunning_next_step()).items():
            groups = list(step_moves.grouped("commercial_partner_id").items())
            vals_list += step._run_isolated(groups, today, approved=True)
        events = Event.create(vals_list)
        events._apply_to_moves()
        return self._dunning_notify_result(events | approvable, printed)

    def action_dunning_skip_to(self, step, send_now=False):
        """Go straight to ``step``: the steps between the last one done and
        it are recorded as skipped, and ``step`` comes next (today with
        ``send_now``)."""
        self._check_dunning_access()
        moves = self._dunning_lock().sudo()
        moves._check_dunning_can_send()
        wrong_sequence = moves.filtered(lambda move: move.dunning_sequence_id != step.sequence_id)
        if wrong_sequence:
            raise UserError(
                _(
                    "The step %(step)s is not in the dunning sequence of %(invoices)s.",
                    step=step.display_name,
                    invoices=", ".join(wrong_sequence.mapped("display_name")),
                )
            )
        behind = moves.filtered(
            lambda move: move.dunning_step_id.offset_days >= step.offset_days
            and move.dunning_step_id
        )
        if behind:
            raise UserError(
                _(
                    "%(invoices)s already went past the step %(step)s: dunning "
                    "never goes back, so that no reminder is sent twice.",
                    invoices=", ".join(behind.mapped("display_name")),
                    step=step.display_name,
                )
            )
        today = fields.Date.context_today(self)
        Event = self.env["account.dunning.event"].sudo()
        note = _("Skipped by %(user)s to go to %(step)s.", user=self.env.user.name, step=step.name)
        pending = moves.dunning_event_ids.filtered(lambda event: event.state == "pending")
        pending._skip(note)
        vals_list = []
        for move in moves:
            skipped = move.dunning_sequence_id.step_ids.filtered(
                lambda other, move=move: other.offset_days < step.offset_days
                and other.offset_days > (move.dunning_step_id.offset_days or -(10**6))
                and other not in pending.step_id
            )
            vals_list += [
                Event._prepare_event_vals(move, other, "skipped", today, note=note)
                for other in skipped
            ]
        Event.create(vals_list)
        previous = step.sequence_id.step_ids.filtered(
            lambda other: other.offset_days < step.offset_days
        ).sorted("offset_days")[-1:]
        # Entering the step by hand: it is never stale.
        moves._dunning_write(
            {
                "dunning_step_id": previous.id,
                "dunning_start_date": False,
            }
        )
        if send_now:
            return moves.with_env(self.env).action_dunning_send_now()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _get_dunning_protected_fields(self):
        """The fields holding the dunning state of invoices: they change
        through the dunning actions and the engine only, which write in sudo."""
        return {
            name
            for name, field in self._fields.items()
            if name.startswith("dunning_") and field.store
        }

    def _check_dunning_fields_unchanged(self, vals):
        """Refuse a plain create or write of dunning fields: it could send an
        invoice back to an earlier step or resume it unseen."""
        if self.env.su:
            return
        protected = sorted(vals.keys() & self._get_dunning_protected_fields())
        if protected:
            raise AccessError(
                _(
                    "The dunning of invoices changes only through its actions (pause, "
                    "resume, skip, send reminders, the customer's dunning sequence); "
                    "%(fields)s cannot be written directly.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in protected
                    ),
                )
            )

    @api.model
    def _parse_dunning_pause_until(self, until):
        """The end date of a pause, from a date or an ISO date string."""
        if not until:
            return False
        try:
            return fields.Date.to_date(until)
        except (TypeError, ValueError) as error:
            raise UserError(
                _(
                    "The end of a dunning pause must be a date, such as 2026-12-31, not %(value)s.",
                    value=until,
                )
            ) from error

    def _check_dunning_access(self):
        if not self.env.su and not self.env.user.has_group(DUNNING_GROUP):
            raise UserError(_("Only Dunning Users can change the dunning of invoices."))
        self.check_access("write")

    def _dunning_lock(self):
        """Lock these invoices against a concurrent dunning run, or tell the
        user they are being reminded right now."""
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM account_move WHERE id IN %s FOR UPDATE NOWAIT",
                        tuple(self.ids) or (0,),
                    )
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure) as error:
            raise UserError(
                _(
                    "These invoices are being reminded right now, by another user "
                    "or the scheduled run. Try again in a moment."
                )
            ) from error
        self.invalidate_recordset()
        return self

    def _check_dunning_can_send(self):
        """Refuse to remind invoices that must not be: not open, paused, or
        of an excluded customer."""
        reasons = self._get_dunning_block_reasons()
        if reasons:
            raise UserError(
                _("No reminder can be sent:")
                + "".join(f"\n- {move.display_name}: {reason}" for move, reason in reasons.items())
            )

    def _get_dunning_block_reasons(self):
        """{invoice: why no reminder may be sent for it} (no I/O)."""
        reasons = {}
        for move in self.sudo():
            reason = move._get_dunning_block_reason()
            if reason:
                reasons[move.with_env(self.env)] = reason
        return reasons

    def _get_dunning_block_reason(self):
        """Why no reminder may be sent for this invoice now, if so."""
        self.ensure_one()
        if self.move_type != "out_invoice":
            return _("It is not a customer invoice.")
        if self.state == "draft":
            return _("It is a draft.")
        if self.state == "cancel":
            return _("It is cancelled.")
        if not self._dunning_is_open():
            return _("It is already paid.")
        if self.commercial_partner_id.dunning_excluded:
            return _("The customer is excluded from dunning.")
        if self.dunning_paused:
            return _("Dunning is paused: %(reason)s", reason=self.dunning_pause_reason or "-")
        return False

    def _dunning_notify_result(self, events, printed=None):
        """A notification saying what was done, then the view reloaded."""
        counts = {
            state: len(events.filtered(lambda event, state=state: event.state == state))
            for state in ("sent", "failed", "pending")
        }
        message = _(
            "Reminders: %(sent)s sent, %(failed)s failed, %(pending)s waiting.",
            sent=counts["sent"],
            failed=counts["failed"],
            pending=counts["pending"] + len(printed or ()),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "danger" if counts["failed"] else "success",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

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
        """Who handles this invoice's dunning tasks and failures: the first
        valid user of the customer's dunning responsible, the invoice's
        salesperson and the customer's salesperson, else the company's."""
        self.ensure_one()
        partner = self.commercial_partner_id
        for user in (partner.dunning_responsible_id, self.invoice_user_id, partner.user_id):
            if self._dunning_is_valid_responsible(user):
                return user
        return self.company_id._get_dunning_default_responsible()

    @api.model
    def _dunning_is_valid_responsible(self, user):
        """Whether ``user`` can be given dunning work: a person who can log
        in to the back-office, never an archived user, a portal user or
        OdooBot (invoices created by the system have it as salesperson)."""
        return bool(user and user.active and not user.share and user.id != SUPERUSER_ID)

    # ------------------------------------------------------------------
    # Late-payment costs
    # ------------------------------------------------------------------

    @api.depends_context("dunning_date", "dunning_fees_strict", "tz")
    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "amount_residual",
        "invoice_date_due",
        "currency_id",
        "company_id.dunning_late_fees",
        "company_id.dunning_interest_rate",
        "commercial_partner_id.is_company",
    )
    def _compute_dunning_late_fees(self):
        on_date = self._get_dunning_fees_date()
        late = self.filtered(lambda move: move._dunning_is_late(on_date))
        # One search for all invoices: the decisions are few.
        ecb_rates = self.env["account.dunning.ecb.rate"]
        if any(not move.company_id.dunning_interest_rate for move in late):
            ecb_rates = ecb_rates.sudo().search_fetch([("date", "<=", on_date)], ["date", "rate"])
        eur = self.env.ref("base.EUR")
        for move in self - late:
            move.dunning_late_interest = move.dunning_recovery_indemnity = 0.0
            move.dunning_late_fees_total = 0.0
            move.dunning_late_rate_label = False
        for move in late:
            periods = move._get_dunning_rate_periods(move.invoice_date_due, on_date)
            try:
                amount, details = move._compute_dunning_interest_amount(
                    move.amount_residual,
                    periods,
                    lambda day, move=move: move._get_dunning_penalty_rate(day, ecb_rates),
                )
            except UserError as error:
                if self.env.context.get("dunning_fees_strict"):
                    raise
                # A missing ECB rate must not break the invoice form nor the
                # reminders: the costs are left out and the label says why.
                move.dunning_late_interest = move.dunning_recovery_indemnity = 0.0
                move.dunning_late_fees_total = 0.0
                move.dunning_late_rate_label = str(error)
                continue
            interest = move.currency_id.round(amount)
            indemnity = 0.0
            if move._dunning_is_b2b():
                indemnity = eur._convert(
                    DUNNING_RECOVERY_INDEMNITY, move.currency_id, move.company_id, on_date
                )
            move.dunning_late_interest = interest
            move.dunning_recovery_indemnity = indemnity
            move.dunning_late_fees_total = interest + indemnity
            move.dunning_late_rate_label = move._get_dunning_rate_label(details)

    def action_invoice_dunning_fees(self):
        """Invoice the late-payment costs of these invoices: one draft per
        company, customer and currency, one line per cost."""
        self._check_dunning_access()
        on_date = self._get_dunning_fees_date()
        moves = self.with_context(dunning_date=on_date, dunning_fees_strict=True).sudo()
        due = moves.filtered(
            lambda move: move.currency_id.compare_amounts(move.dunning_late_fees_total, 0) > 0
        )
        if not due:
            raise UserError(
                _(
                    "None of the selected invoices has late-payment costs on %(date)s: "
                    "they must be open customer invoices past their due date, of a "
                    "company with late-payment costs enabled.",
                    date=on_date.isoformat(),
                )
            )
        vals_list = []
        for (company, partner, currency), group in due.grouped(
            lambda move: (move.company_id, move.commercial_partner_id, move.currency_id)
        ).items():
            journal = self._get_dunning_fees_journal(company)
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "invoice_origin": ", ".join(group.mapped("name")),
                    "invoice_line_ids": [
                        Command.create(line_vals)
                        for move in group.sorted(lambda move: (move.invoice_date_due, move.id))
                        for line_vals in move._prepare_dunning_fees_line_vals(journal, on_date)
                    ],
                }
            )
        # Created as the user: their rights on invoices apply.
        fees = self.env["account.move"].create(vals_list)
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        if len(fees) == 1:
            action.update(
                {
                    "views": [(self.env.ref("account.view_move_form").id, "form")],
                    "view_mode": "form",
                    "res_id": fees.id,
                }
            )
        else:
            action["domain"] = [("id", "in", fees.ids)]
        return action

    def _get_dunning_fees_date(self):
        """The day late-payment costs are computed for: ``dunning_date`` in
        the context (a date or an ISO string), else today."""
        on_date = self.env.context.get("dunning_date")
        return fields.Date.to_date(on_date) if on_date else fields.Date.context_today(self)

    def _dunning_is_late(self, on_date):
        """Whether late-payment costs run on this invoice on ``on_date``."""
        self.ensure_one()
        return bool(
            self.company_id.dunning_late_fees
            and self._dunning_is_open()
            and self.invoice_date_due
            and on_date > self.invoice_date_due
        )

    def _dunning_is_b2b(self):
        """Whether the customer owes the fixed recovery indemnity: only
        businesses do, never individuals."""
        self.ensure_one()
        return self.commercial_partner_id.is_company

    def _get_dunning_penalty_rate(self, day, ecb_rates=None):
        """Annual late-payment rate (%) of this invoice on ``day``: the
        contractual rate of the company, else the ECB rate of the half-year
        plus 10 points. ``ecb_rates``: the ECB decisions already read."""
        self.ensure_one()
        if self.company_id.dunning_interest_rate:
            return self.company_id.dunning_interest_rate
        if ecb_rates is None:
            ecb_rates = self.env["account.dunning.ecb.rate"].sudo().search([("date", "<=", day)])
        return ecb_rates._get_half_year_rate(day) + DUNNING_LEGAL_RATE_MARGIN

    def _get_dunning_rate_periods(self, due_date, on_date):
        """Days late, from the day after ``due_date`` to ``on_date`` included,
        as [(first day, last day)]: split at 1 January and 1 July when the
        legal rate applies, since it changes every half-year."""
        self.ensure_one()
        start = due_date + timedelta(days=1)
        if start > on_date:
            return []
        if self.company_id.dunning_interest_rate:
            return [(start, on_date)]
        periods = []
        while start <= on_date:
            if start.month <= 6:
                next_start = date(start.year, 7, 1)
            else:
                next_start = date(start.year + 1, 1, 1)
            end = min(on_date, next_start - timedelta(days=1))
            periods.append((start, end))
            start = next_start
        return periods

    @api.model
    def _compute_dunning_interest_amount(self, residual, periods, rate_for_day):
        """Late-payment interest on ``residual`` (no I/O, not rounded).

        ``periods``: [(first day, last day)] included; ``rate_for_day(day)``:
        the annual rate in % of a day. Returns the amount and the
        [(days, rate)] of each period.
        """
        details = []
        for start, end in periods:
            details.append(((end - start).days + 1, rate_for_day(start)))
        amount = residual * sum(days * rate for days, rate in details) / 365 / 100
        return amount, details

    @api.model
    def _get_dunning_rate_label(self, details):
        """'13.15 % then 12.15 %': the successive rates of ``details``."""
        rates = []
        for _days, rate in details:
            if not rates or rates[-1] != rate:
                rates.append(rate)
        return _(" then ").join(f"{rate:.2f} %" for rate in rates) or False

    def _get_dunning_fees_journal(self, company):
        """The sales journal invoicing the late-payment costs of ``company``."""
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        if not journal.default_account_id:
            raise UserError(
                _(
                    "Set up a sales journal with a default income account in "
                    "%(company)s to invoice late-payment costs.",
                    company=company.name,
                )
            )
        return journal

    def _prepare_dunning_fees_line_vals(self, journal, on_date):
        """Invoice lines of this invoice's late-payment costs, untaxed."""
        self.ensure_one()
        lines = []
        common = {
            "quantity": 1,
            "account_id": journal.default_account_id.id,
            "tax_ids": [Command.clear()],
        }
        if self.currency_id.compare_amounts(self.dunning_late_interest, 0) > 0:
            lines.append(
                dict(
                    common,
                    name=_(
                        "Late-payment interest on %(invoice)s: %(days)s days at %(rate)s",
                        invoice=self.name,
                        days=(on_date - self.invoice_date_due).days,
                        rate=self.dunning_late_rate_label,
                    ),
                    price_unit=self.dunning_late_interest,
                )
            )
        if self.currency_id.compare_amounts(self.dunning_recovery_indemnity, 0) > 0:
            lines.append(
                dict(
                    common,
                    name=_("Fixed recovery indemnity for %(invoice)s", invoice=self.name),
                    price_unit=self.dunning_recovery_indemnity,
                )
            )
        return lines
