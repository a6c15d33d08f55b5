# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.osv import expression
from odoo.tools import SQL, format_amount, format_date, format_time
from odoo.tools.sql import column_exists, create_column, create_index

_logger = logging.getLogger(__name__)

DUNNING_GROUP = "account_dunning.group_account_dunning_user"
# Invoices recomputed or resynced at a time on a whole book (install, a step
# edited, a sequence made default): memory stays flat on millions of them.
RECOMPUTE_CHUNK = 5000

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

# The payment states of a customer invoice left to pay and of one paid: the
# one definition of "open" and "paid", for domains and SQL alike.
OPEN_PAYMENT_STATES = ("not_paid", "partial")
PAID_PAYMENT_STATES = ("paid", "in_payment")

# Where the collection of an invoice, and of a customer, stands: in order of
# precedence, the first that holds is the status. A customer's status is the
# first of its open invoices' statuses, settled when none is open.
COLLECTION_STATUSES = [
    ("excluded", "Excluded"),
    ("probably_paid", "Probably Paid"),
    ("replied", "Customer Replied"),
    ("promise", "Promise to Pay"),
    ("dispute", "Dispute"),
    ("plan", "Payment Plan"),
    ("paused", "Paused"),
    ("approval", "Awaiting Approval"),
    ("letter", "Letter to Print"),
    ("action", "Action Needed Today"),
    ("end", "End of Sequence"),
    ("on_track", "On Track"),
    ("settled", "Settled"),
]
COLLECTION_PRECEDENCE = [status for status, _label in COLLECTION_STATUSES]
# An open answer of the customer: it stops every escalation of the invoices
# it covers until it ends (the promised date, the end of a hold or pause, a
# dispute resolved, a plan done or broken).
ANSWER_STATUSES = ("probably_paid", "replied", "promise", "dispute", "plan")
# The statuses whose invoices the run, Send Reminders and Send Next Reminder
# may remind.
REMINDABLE_STATUSES = ("action", "end", "on_track")
# The events that are a message to the customer: one a day.
MESSAGE_EVENT_TYPES = ("reminder", "plan", "thank_you")
# Why an invoice is paused, for its status.
PAUSE_ORIGINS = [
    ("manual", "By a Person"),
    ("promise", "Promise to Pay"),
    ("claim", "Said Already Paid"),
    ("reply", "Customer Reply"),
]


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
    dunning_step_date_due = fields.Date(
        string="Last Step For Due Date",
        copy=False,
        groups=DUNNING_GROUP,
        help="Due date of the instalment the last step was done for. Once that "
        "instalment is paid, the next one follows the sequence from its start.",
    )
    dunning_instalments_label = fields.Char(
        string="Instalments Left",
        compute="_compute_dunning_instalments_label",
        groups=DUNNING_GROUP,
        help="For invoices with several due dates: each instalment left to pay, "
        "with its due date, the overdue ones marked.",
    )
    dunning_date_due = fields.Date(
        string="Oldest Unpaid Due Date",
        compute="_compute_dunning_date_due",
        store=True,
        groups=DUNNING_GROUP,
        help="Due date of the oldest instalment left to pay: the steps and the "
        "days overdue count from it. For an invoice with a single due date, "
        "that date.",
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
        # Each run resumes the pauses that ended: few invoices among all.
        index="btree_not_null",
        groups=DUNNING_GROUP,
        help="Dunning resumes by itself the day after this date.",
    )
    dunning_pause_reason = fields.Char(
        string="Pause Reason",
        copy=False,
        tracking=True,
        groups=DUNNING_GROUP,
    )
    dunning_pause_origin = fields.Selection(
        PAUSE_ORIGINS,
        string="Paused By",
        copy=False,
        groups=DUNNING_GROUP,
        help="Who paused the reminders: a person, or the customer by a promise to pay, by "
        "saying it already paid or by replying to a reminder.",
    )
    dunning_dispute_reason_id = fields.Many2one(
        "account.dunning.dispute.reason",
        string="Disputed",
        copy=False,
        tracking=True,
        groups=DUNNING_GROUP,
        help="The customer disputes this invoice: it gets no reminder until the "
        "dispute is resolved.",
    )
    dunning_plan_id = fields.Many2one(
        "account.dunning.plan",
        string="Payment Plan",
        copy=False,
        index="btree_not_null",
        groups=DUNNING_GROUP,
        help="The active payment plan this invoice follows instead of its dunning sequence.",
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
    dunning_upcoming_step_id = fields.Many2one(
        "account.dunning.step",
        string="Next Step",
        compute="_compute_dunning_upcoming",
        groups=DUNNING_GROUP,
        help="The step the run sends next: for an invoice already past several "
        "steps, the latest of them, never an older one it skips.",
    )
    dunning_upcoming_date = fields.Date(
        string="Next Date",
        compute="_compute_dunning_upcoming",
        groups=DUNNING_GROUP,
        help="The day the run sends the next step: today when it is already due.",
    )
    dunning_status = fields.Selection(
        COLLECTION_STATUSES,
        string="Collection Status",
        compute="_compute_dunning_status",
        store=True,
        index="btree_not_null",
        groups=DUNNING_GROUP,
        help="Where the collection of this invoice stands, with the same definitions as "
        "its customer's: an answer of the customer (probably paid, replied, promise, "
        "dispute, payment plan) stops every escalation until it ends; then a pause, a "
        "step awaiting approval or a letter to print, a call or task due, the end of "
        "the sequence while overdue, or on track.",
    )
    dunning_status_until = fields.Date(
        string="Status Until",
        compute="_compute_dunning_status",
        store=True,
        groups=DUNNING_GROUP,
        help="The day a promise, a hold, a reply pause or a pause ends.",
    )
    dunning_remindable = fields.Boolean(
        string="Remindable",
        compute="_compute_dunning_remindable",
        search="_search_dunning_remindable",
        groups=DUNNING_GROUP,
        help="A posted customer invoice with something left to pay.",
    )
    dunning_paid = fields.Boolean(
        string="Paid",
        compute="_compute_dunning_paid",
        search="_search_dunning_paid",
        groups=DUNNING_GROUP,
        help="A posted customer invoice paid, or in payment.",
    )
    dunning_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_dunning_overdue",
        search="_search_dunning_overdue",
        groups=DUNNING_GROUP,
        help="Remindable and its oldest unpaid due date is past.",
    )
    dunning_due_today = fields.Boolean(
        string="Due Today",
        compute="_compute_dunning_due_today",
        search="_search_dunning_due_today",
        groups=DUNNING_GROUP,
        help="A step of its sequence is due today and nothing stops it: the invoices the "
        "scheduled run reminds today.",
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

    def _auto_init(self):
        # On databases with years of invoices, let the ORM not compute the
        # next step of every historical move at install: the post-init hook
        # computes it for open invoices only.
        for column, column_type in (
            ("dunning_next_step_id", "int4"),
            ("dunning_next_date", "date"),
            ("dunning_status", "varchar"),
            ("dunning_status_until", "date"),
        ):
            if not column_exists(self.env.cr, "account_move", column):
                create_column(self.env.cr, "account_move", column, column_type)
        if not column_exists(self.env.cr, "account_move", "dunning_date_due"):
            create_column(self.env.cr, "account_move", "dunning_date_due", "date")
            self._init_dunning_date_due()
        return super()._auto_init()

    def _init_dunning_date_due(self):
        """Fill the oldest unpaid due date in two statements: the due date
        for all, then the oldest open instalment of the few invoices with
        open receivable lines."""
        self.env.cr.execute(
            SQL(
                """UPDATE account_move SET dunning_date_due = invoice_date_due
                    WHERE invoice_date_due IS NOT NULL"""
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE account_move m SET dunning_date_due = open.due
                     FROM (SELECT l.move_id, MIN(l.date_maturity) AS due
                             FROM account_move_line l
                             JOIN account_account a ON a.id = l.account_id
                            WHERE a.account_type = 'asset_receivable'
                              AND NOT l.reconciled
                              AND l.amount_residual_currency > 0
                              AND l.date_maturity IS NOT NULL
                            GROUP BY l.move_id) open
                    WHERE open.move_id = m.id AND m.move_type = 'out_invoice'"""
            )
        )

    def init(self):
        res = super().init()
        create_index(
            self.env.cr,
            "account_move_dunning_due_idx",
            "account_move",
            ["company_id", "dunning_next_date"],
            where="dunning_next_date IS NOT NULL",
        )
        # Each call of the run looks for the overdue invoices with no step
        # left (``_refresh_collection_statuses``): few, among all.
        create_index(
            self.env.cr,
            "account_move_dunning_end_idx",
            "account_move",
            ["company_id", "dunning_date_due"],
            where="dunning_status = 'on_track' AND dunning_next_step_id IS NULL",
        )
        return res

    @api.depends(
        "move_type",
        "invoice_date_due",
        "line_ids.date_maturity",
        "line_ids.amount_residual_currency",
    )
    def _compute_dunning_date_due(self):
        for move in self:
            move.dunning_date_due = move._get_dunning_date_due()

    @api.depends_context("lang", "tz", "dunning_date")
    @api.depends(
        "move_type",
        "invoice_date_due",
        "dunning_date_due",
        "line_ids.date_maturity",
        "line_ids.amount_residual_currency",
    )
    def _compute_dunning_instalments_label(self):
        for move in self:
            move.dunning_instalments_label = move._get_dunning_instalments_label()

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "amount_residual",
        "dunning_date_due",
        "dunning_sequence_id",
        "dunning_step_id",
        "dunning_step_date_due",
        "dunning_start_date",
        "dunning_paused",
        "dunning_pause_until",
        "dunning_event_ids.state",
        "dunning_event_ids.hold_until",
        "dunning_dispute_reason_id",
        "dunning_plan_id",
        "commercial_partner_id.dunning_excluded",
    )
    def _compute_dunning_next(self):
        for move in self:
            if (
                move.commercial_partner_id.dunning_excluded
                or move.dunning_dispute_reason_id
                or move.dunning_plan_id
            ):
                move.dunning_next_step_id = move.dunning_next_date = False
                continue
            pending = move.dunning_event_ids.filtered(lambda event: event.state == "pending")[:1]
            if pending and move._dunning_is_open():
                # Waits for a person, or for a hold to end: that step is next.
                step, date = pending.step_id, pending.date
                if pending.event_type == "probably_paid" and pending.hold_until:
                    date = pending.hold_until + timedelta(days=1)
            else:
                try:
                    step = move._get_dunning_next_step()
                    date = step._get_date(move.dunning_date_due) if step else False
                except (OverflowError, ValueError):
                    # A step whose date is out of range (data broken behind
                    # the ORM's back) must not make the invoice unreadable nor
                    # unpayable: it is never due, and stays with its invoices.
                    _logger.warning(
                        "Dunning: the next step of %s has no valid date", move.display_name
                    )
                    step, date = move.env["account.dunning.step"], False
            if step and move.dunning_paused:
                date = move.dunning_pause_until and max(
                    date, move.dunning_pause_until + timedelta(days=1)
                )
            move.dunning_next_step_id = step
            move.dunning_next_date = date or False

    @api.depends_context("tz")
    @api.depends("dunning_next_step_id", "dunning_next_date", "dunning_step_id")
    def _compute_dunning_upcoming(self):
        """The stored next step is the next one ahead of the last done, the
        day the run looks at the invoice again; on that day the run sends the
        latest step due (see ``_get_dunning_due_step``): show that one."""
        today = fields.Date.context_today(self)
        for move in self:
            step, date = move.dunning_next_step_id, move.dunning_next_date
            if step and date and date <= today:
                pending = (
                    step
                    in move.dunning_event_ids.filtered(
                        lambda event: event.state == "pending"
                    ).step_id
                )
                due = not pending and not move.dunning_paused and move._get_dunning_due_step(today)
                if due:
                    step = due
                date = today
            move.dunning_upcoming_step_id = step
            move.dunning_upcoming_date = date

    @api.depends(
        "move_type",
        "state",
        "payment_state",
        "amount_residual",
        "commercial_partner_id.dunning_excluded",
        "dunning_dispute_reason_id",
        "dunning_plan_id",
        "dunning_paused",
        "dunning_pause_until",
        "dunning_pause_origin",
        "dunning_next_step_id",
        "dunning_date_due",
        "dunning_event_ids.state",
        "dunning_event_ids.event_type",
        "dunning_event_ids.hold_until",
        "dunning_event_ids.attachment_id",
        "dunning_event_ids.activity_id.date_deadline",
        "dunning_last_failed",
    )
    def _compute_dunning_status(self):
        # Stored: "today" is each company's, whoever triggers the compute;
        # the run refreshes what the date alone changes (see
        # ``_dunning_refresh_status``).
        for company, moves in self.grouped("company_id").items():
            today = company.with_context(**company._get_dunning_context())._get_dunning_today()
            for move in moves:
                move.dunning_status, move.dunning_status_until = move._get_dunning_status(today)

    def _get_dunning_status(self, today):
        """(status, until) of this invoice on ``today``: the first of
        ``COLLECTION_STATUSES`` that holds (no I/O beyond its own events)."""
        self.ensure_one()
        if self.move_type != "out_invoice" or self.state != "posted":
            return False, False
        if not self._dunning_is_open():
            return "settled", False
        if self.commercial_partner_id.dunning_excluded:
            return "excluded", False
        events = self.sudo().dunning_event_ids
        pending = events.filtered(lambda event: event.state == "pending")
        holds = pending.filtered(lambda event: event.event_type == "probably_paid")
        if holds:
            return "probably_paid", max(holds.mapped("hold_until"), default=False) or False
        paused = self.dunning_paused and self.dunning_pause_until
        origin = self.dunning_paused and self.dunning_pause_origin
        if origin in ("claim", "reply", "promise"):
            status = {"claim": "probably_paid", "reply": "replied", "promise": "promise"}[origin]
            return status, paused
        if self.dunning_dispute_reason_id:
            return "dispute", False
        if self.dunning_plan_id:
            return "plan", False
        if self.dunning_paused:
            return "paused", paused
        waiting = pending.filtered(lambda event: event.event_type == "reminder")
        if waiting.filtered(lambda event: not event.attachment_id):
            return "approval", False
        if waiting:
            return "letter", False
        if self.dunning_last_failed or any(
            event.activity_id and event.activity_id.date_deadline <= today for event in events
        ):
            return "action", False
        if (
            not self.dunning_next_step_id
            and self.dunning_date_due
            and self.dunning_date_due < today
        ):
            return "end", False
        return "on_track", False

    @api.depends("move_type", "state", "payment_state", "amount_residual")
    def _compute_dunning_remindable(self):
        for move in self:
            move.dunning_remindable = move._dunning_is_open()

    def _search_dunning_remindable(self, operator, value):
        return self._search_dunning_notion(self._get_dunning_remindable_domain(), operator, value)

    @api.depends("move_type", "state", "payment_state")
    def _compute_dunning_paid(self):
        paid = self.filtered_domain(self._get_dunning_paid_domain())
        for move in self:
            move.dunning_paid = move in paid

    def _search_dunning_paid(self, operator, value):
        return self._search_dunning_notion(self._get_dunning_paid_domain(), operator, value)

    @api.depends_context("tz")
    @api.depends("move_type", "state", "payment_state", "amount_residual", "dunning_date_due")
    def _compute_dunning_overdue(self):
        overdue = self.filtered_domain(
            self._get_dunning_overdue_domain(fields.Date.context_today(self))
        )
        for move in self:
            move.dunning_overdue = move in overdue

    def _search_dunning_overdue(self, operator, value):
        domain = self._get_dunning_overdue_domain(fields.Date.context_today(self))
        return self._search_dunning_notion(domain, operator, value)

    @api.depends_context("tz")
    @api.depends("dunning_status", "dunning_next_date", "dunning_event_ids.date")
    def _compute_dunning_due_today(self):
        # One search, so that Python and SQL cannot disagree: the condition on
        # the customer's messages of today is not a field of the invoice.
        due = self.search(
            [("id", "in", self.ids)] + self._get_dunning_due_domain(fields.Date.context_today(self))
        )
        for move in self:
            move.dunning_due_today = move in due

    def _search_dunning_due_today(self, operator, value):
        domain = self._get_dunning_due_domain(fields.Date.context_today(self))
        return self._search_dunning_notion(domain, operator, value)

    @api.model
    def _search_dunning_notion(self, domain, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search this field with = or != and True or False."))
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]

    @api.depends_context("tz")
    @api.depends("dunning_date_due", "payment_state", "state")
    def _compute_dunning_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            overdue = (
                move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and move.dunning_date_due
                and (today - move.dunning_date_due).days
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
            .filtered(lambda user: user._dunning_is_valid_responsible())
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

    def action_dunning_pause(self, until=None, reason=None, origin="manual"):
        """Stop reminders on these invoices, until a date or until resumed.

        :param origin: who pauses, for the status: a person, or the customer
            (see ``PAUSE_ORIGINS``)
        """
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
                "dunning_pause_origin": origin,
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
                "dunning_pause_origin": False,
            }
        )
        return True

    def action_open_dunning_send_wizard(self):
        """Send reminders (Relancer) on these invoices: what is due for each
        customer, never what is not due, never twice a day."""
        self._check_dunning_access()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_dunning_send_action"
        )
        action["context"] = {
            "active_model": "account.move",
            "active_ids": self.ids,
            "dialog_size": "extra-large",
        }
        return action

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
        """Why no reminder may be sent for this invoice now, if so: its
        status, as of now, forbids it (see ``COLLECTION_STATUSES``)."""
        self.ensure_one()
        if self.move_type != "out_invoice":
            return _("It is not a customer invoice.")
        if self.state == "draft":
            return _("It is a draft.")
        if self.state == "cancel":
            return _("It is cancelled.")
        today = self.company_id._get_dunning_today()
        status, until = self._get_dunning_status(today)
        until = format_date(self.env, until, date_format="long") if until else "-"
        if status == "settled":
            return _("It is already paid.")
        if status == "excluded":
            return _("The customer is excluded from dunning.")
        if status == "probably_paid":
            hold = self.dunning_event_ids.filtered(
                lambda event: event.state == "pending" and event.event_type == "probably_paid"
            )[:1]
            if hold:
                return _(
                    "Its reminder is held, the customer probably paid: %(note)s Reconcile "
                    "the payment, or release the hold from the dunning history.",
                    note=hold.note or "",
                )
            return _(
                "The customer says it already paid: reminders wait until %(date)s for the "
                "payment to be found.",
                date=until,
            )
        if status == "replied":
            return _(
                "The customer replied to a reminder: reminders wait until %(date)s so that "
                "someone reads the reply.",
                date=until,
            )
        if status == "promise":
            return _("The customer promised to pay by %(date)s.", date=until)
        if status == "dispute":
            return _(
                "The customer disputes it (%(reason)s): resolve the dispute first.",
                reason=self.dunning_dispute_reason_id.name,
            )
        if status == "plan":
            return _("It follows a payment plan: its reminders come from the plan.")
        if status == "paused":
            return _("Dunning is paused: %(reason)s", reason=self.dunning_pause_reason or "-")
        return False

    def _dunning_notify_result(self, events, printed=None):
        """A notification saying what was done, then the view reloaded."""
        counts = {
            state: len(events.filtered(lambda event, state=state: event.state == state))
            for state in ("queued", "sent", "failed", "pending")
        }
        message = _(
            "Reminders: %(sent)s sent or queued, %(failed)s failed, %(pending)s waiting.",
            sent=counts["sent"] + counts["queued"],
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
        """Whether this invoice may be reminded: ``_get_dunning_remindable_domain``
        read on the record, from the same constants (a domain evaluated in
        Python was a tenth of the run's time; tests pin that both agree)."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in OPEN_PAYMENT_STATES
            and self.amount_residual > 0
        )

    def _dunning_filter_open(self):
        return self.filtered(lambda move: move._dunning_is_open())

    @api.model
    def _get_dunning_remindable_domain(self):
        """The invoices that may be reminded: posted customer invoices with
        something left to pay."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
            ("amount_residual", ">", 0),
        ]

    @api.model
    def _get_dunning_paid_domain(self):
        """The customer invoices paid (or whose payment is on its way)."""
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", PAID_PAYMENT_STATES),
        ]

    @api.model
    def _get_dunning_overdue_domain(self, today):
        """The remindable invoices whose oldest unpaid due date is past."""
        return self._get_dunning_remindable_domain() + [("dunning_date_due", "<", today)]

    @api.model
    def _get_dunning_due_domain(self, today, company=None):
        """The invoices a step is due for on ``today`` and that nothing
        stops: remindable, in a status that may be reminded, their next
        date come, and their customer not reminded today already (with the
        company setting of one message per step: the invoice itself). In
        ``company``, else in each company with its own setting."""
        companies = company or self.env["res.company"].sudo().search([])
        domains = []
        for company in companies:
            reminded_today = [
                ("company_id", "=", company.id),
                ("date", "=", today),
                ("event_type", "=", "reminder"),
                ("state", "in", ("sent", "queued")),
            ]
            if company.dunning_one_message_per_step:
                not_reminded = [("dunning_event_ids", "not any", reminded_today)]
            else:
                # Its plan's email or its thanks count as its message too.
                reminded_today[2] = ("event_type", "in", MESSAGE_EVENT_TYPES)
                # The customers messaged today, from the events of the day:
                # no scan of all the customers (an event's customer is
                # required: NOT IN sees no NULL).
                messaged = (
                    self.env["account.dunning.event"]
                    .sudo()
                    ._search(reminded_today)
                    .subselect(SQL.identifier("account_dunning_event", "partner_id"))
                )
                not_reminded = [("commercial_partner_id", "not in", messaged)]
            domains.append([("company_id", "=", company.id), *not_reminded])
        return expression.AND(
            [
                self._get_dunning_remindable_domain(),
                [
                    ("dunning_status", "in", REMINDABLE_STATUSES),
                    ("dunning_next_date", "<=", today),
                ],
                expression.OR(domains),
            ]
        )

    @api.model
    def _get_collection_status_aggregates(self, alias):
        """SQL aggregates of a customer's status and its until date over its
        open invoices of the table ``alias``: the first status in order of
        precedence. The one way SQL tells a customer's status."""
        precedence = SQL("%s::varchar[]", COLLECTION_PRECEDENCE)
        rank = SQL("array_position(%s, %s)", precedence, SQL.identifier(alias, "dunning_status"))
        status = SQL("(%s)[MIN(%s)]", precedence, rank)
        until = SQL(
            "(ARRAY_AGG(%s ORDER BY %s, %s NULLS LAST))[1]",
            SQL.identifier(alias, "dunning_status_until"),
            rank,
            SQL.identifier(alias, "dunning_status_until"),
        )
        return status, until

    @api.model
    def _get_collection_status_query(self, company_ids):
        """SQL of the collection status of the customers owing open
        invoices in ``company_ids``: partner_id, company_id, status,
        status_until."""
        Move = self.sudo()
        status, until = self._get_collection_status_aggregates("m")
        Move.flush_model(["dunning_status", "dunning_status_until", "commercial_partner_id"])
        return SQL(
            """SELECT m.commercial_partner_id AS partner_id, m.company_id,
                      %(status)s AS status, %(until)s AS status_until
                 FROM account_move m
                WHERE m.id IN %(remindable)s AND m.company_id IN %(companies)s
             GROUP BY m.commercial_partner_id, m.company_id""",
            status=status,
            until=until,
            remindable=Move._search(Move._get_dunning_remindable_domain()).subselect(),
            companies=tuple(company_ids) or (0,),
        )

    @api.model
    def _search_dunning_open_moves(self, domain, order=None):
        return self.search(self._get_dunning_remindable_domain() + domain, order=order)

    def _get_dunning_date_due(self):
        """The day this invoice's reminders count from: the due date of its
        oldest receivable line left to pay, else its due date (no I/O
        beyond its lines)."""
        self.ensure_one()
        if self.move_type != "out_invoice":
            return self.invoice_date_due
        oldest = self._get_dunning_receivable_lines(open_only=True)[:1]
        return oldest.date_maturity or self.invoice_date_due

    def _get_dunning_receivable_lines(self, open_only=False):
        """The receivable lines of this invoice, what it asks to be paid, the
        oldest due first; ``open_only``: those with something left to pay."""
        self.ensure_one()
        return self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
            and line.currency_id.compare_amounts(line.amount_currency, 0) > 0
            and (
                not open_only
                or line.currency_id.compare_amounts(line.amount_residual_currency, 0) > 0
            )
        ).sorted(lambda line: (line.date_maturity or self.invoice_date_due, line.id))

    def _get_dunning_last_step(self):
        """The last step done for the instalment reminded now: none once the
        instalment it was done for is paid, so that the next instalment
        follows the sequence from its start."""
        self.ensure_one()
        if (
            self.dunning_step_date_due
            and self.dunning_date_due
            and self.dunning_step_date_due < self.dunning_date_due
        ):
            return self.env["account.dunning.step"]
        return self.dunning_step_id

    def _get_dunning_instalments_label(self):
        """'Instalments left: $ 300.00 due January 31, 2026 (overdue), ...'
        for an invoice with an instalment left before its last due date,
        else False. The customer reads it: the month in words, as a numeric
        date reads differently from one language to another."""
        self.ensure_one()
        # Only an instalment before the last due date left to pay makes the
        # due date column say too little: the lines are read only then.
        if (
            self.move_type != "out_invoice"
            or not self.dunning_date_due
            or self.dunning_date_due == self.invoice_date_due
        ):
            return False
        labels = []
        for due, amount, overdue in self._get_dunning_open_instalments():
            label = _(
                "%(amount)s due %(date)s",
                amount=format_amount(self.env, amount, self.currency_id),
                date=format_date(self.env, due, date_format="long"),
            )
            labels.append(_("%(label)s (overdue)", label=label) if overdue else label)
        if not labels:
            return False
        return _("Instalments left: %(instalments)s", instalments=", ".join(labels))

    def _get_dunning_fees_date(self):
        """The day late-payment costs are computed for: ``dunning_date`` in
        the context (a date or an ISO string), else today."""
        on_date = self.env.context.get("dunning_date")
        return fields.Date.to_date(on_date) if on_date else fields.Date.context_today(self)

    def _get_dunning_open_instalments(self, on_date=None):
        """[(due date, left to pay, overdue on ``on_date``)] of the receivable
        lines of this invoice left to pay, oldest first, in its currency."""
        self.ensure_one()
        on_date = on_date or self._get_dunning_fees_date()
        lines = self._get_dunning_receivable_lines(open_only=True)
        return [
            (
                line.date_maturity or self.invoice_date_due,
                line.amount_residual_currency,
                (line.date_maturity or self.invoice_date_due) < on_date,
            )
            for line in lines
        ]

    def _get_dunning_next_step(self):
        """The next step this invoice will reach, if any."""
        self.ensure_one()
        if not self.dunning_sequence_id or not self._dunning_is_open():
            return self.env["account.dunning.step"]
        return self.dunning_sequence_id._get_open_steps(
            self.dunning_date_due,
            self._get_dunning_last_step(),
            self.dunning_start_date,
            self.company_id.dunning_grace_days,
        )[:1]

    def _get_dunning_due_step(self, today):
        """The step to run on ``today`` for this invoice, if any."""
        self.ensure_one()
        if not self.dunning_sequence_id or not self._dunning_is_open():
            return self.env["account.dunning.step"]
        return self.dunning_sequence_id._get_due_step(
            self.dunning_date_due,
            self._get_dunning_last_step(),
            self.dunning_start_date,
            self.company_id.dunning_grace_days,
            today,
        )

    def _get_dunning_step_to_send(self, today):
        """The step a person sends now: the step that failed last, to send
        it again (a failure is not a step reached); else the step the run
        would send today; else the next one, ahead of its date."""
        self.ensure_one()
        if self.dunning_last_failed and self.dunning_step_id:
            return self.dunning_step_id
        return self._get_dunning_due_step(today) or self._get_dunning_next_step()

    def _get_dunning_step_to_remind(self, today):
        """The email step a person sends from *Send reminders* today: the
        email step that failed last, to send it again; else the latest email
        step whose date has come, the one already reached included (a
        repeat). None before the date of the first email step: a reminder
        never carries an invoice for which its step is not due."""
        self.ensure_one()
        Step = self.env["account.dunning.step"]
        if not self.dunning_sequence_id or not self._dunning_is_open():
            return Step
        if self.dunning_last_failed and self.dunning_step_id._dunning_channel_can("review"):
            return self.dunning_step_id
        step = self.dunning_sequence_id.reminder_step_ids.filtered(
            lambda step: step._dunning_channel_can("review")
            and step._is_due_for(self.dunning_date_due, today)
        ).sorted("offset_days")[-1:]
        furthest = self._get_dunning_furthest_step()
        if furthest and step.offset_days < furthest.offset_days:
            # Never back to a step before one reached or waiting.
            return Step
        return step

    def _get_dunning_furthest_step(self):
        """The most advanced of the step reached and the steps waiting for
        approval or printing: no reminder goes back before it."""
        self.ensure_one()
        pending = self.sudo().dunning_event_ids.filtered(
            lambda event: event.state == "pending" and event.event_type == "reminder"
        )
        steps = (self._get_dunning_last_step() | pending.step_id).filtered(
            lambda step: step.sequence_id == self.dunning_sequence_id
        )
        return steps.sorted(lambda step: (step.offset_days, step.id))[-1:].with_env(self.env)

    def _get_dunning_reminded_today(self, today):
        """{invoice: the latest reminder of ``today`` sent or queued to its
        customer in its company}: one message per customer a day (with the
        company setting of one message per step: to the invoice itself)."""
        events = (
            self.env["account.dunning.event"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("date", "=", today),
                    ("event_type", "=", "reminder"),
                    ("state", "in", ("sent", "queued")),
                ],
                order="id",
            )
        )
        by_customer = events.grouped(lambda event: (event.partner_id, event.company_id))
        by_move = events.grouped("move_id")
        reminded = {}
        for move in self:
            if move.company_id.dunning_one_message_per_step:
                found = by_move.get(move.sudo())
            else:
                found = by_customer.get((move.commercial_partner_id, move.company_id))
            if found:
                reminded[move] = found[-1]
        return reminded

    def _check_dunning_not_reminded_today(self, today):
        """Refuse, with a way to confirm, to remind invoices a second time the
        same day."""
        reminded = self._get_dunning_reminded_today(today)
        if not reminded:
            return
        lines = "".join(
            "\n- "
            + _(
                "%(invoice)s: %(customer)s was already reminded today at %(time)s by "
                "%(user)s (%(step)s, %(reminded)s).",
                invoice=move.display_name,
                customer=move.commercial_partner_id.display_name,
                time=format_time(self.env, event.sent_at or event.create_date, time_format="short"),
                user=event.user_id.name or "-",
                step=event.step_id.display_name or "-",
                reminded=event.move_id.name,
            )
            for move, event in reminded.items()
        )
        action = self.env.ref("account_dunning.action_server_dunning_send_again")
        raise RedirectWarning(
            _("These customers were already reminded today:") + lines,
            action.id,
            _("Send again"),
            {"active_model": "account.move", "active_ids": self.ids},
        )

    def _get_dunning_sequence(self, default):
        """The sequence this invoice should follow now, in the invoice's
        company: its customer's own unless archived, else the first rule the
        customer matches, else ``default``, the company's default one."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(self.company_id)
        return partner._get_dunning_applied_sequence(default)[0]

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
            today = company.with_context(**company._get_dunning_context())._get_dunning_today()
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
                        "dunning_step_date_due": False,
                    }
                )

    @api.model
    def _dunning_init_status(self):
        """Fill the collection status of the existing invoices (install,
        upgrade): settled in one statement for those not remindable, computed
        for the open ones, by chunks so that memory stays flat."""
        Move = self.sudo()
        Move.flush_model()
        closed = Move._search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("dunning_remindable", "=", False),
            ]
        )
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET dunning_status = 'settled', dunning_status_until = NULL"
                " WHERE id IN %s",
                closed.subselect(),
            )
        )
        Move.invalidate_model(["dunning_status", "dunning_status_until"])
        Move._search_dunning_open_moves([])._dunning_recompute_status()

    def _dunning_group_by_customer(self):
        """[(customer, its invoices oldest due first)] of these invoices."""
        moves = self.sorted(lambda move: (move.dunning_date_due, move.id))
        return list(moves.grouped("commercial_partner_id").items())

    def _get_dunning_responsible(self):
        """Who handles this invoice's dunning tasks and failures: the first
        valid user of the customer's dunning responsible, the invoice's
        salesperson and the customer's salesperson, else the company's."""
        self.ensure_one()
        partner = self.commercial_partner_id
        for user in (partner.dunning_responsible_id, self.invoice_user_id, partner.user_id):
            if user._dunning_is_valid_responsible():
                return user
        return self.company_id._get_dunning_default_responsible()

    def _get_dunning_activity_note(self, partner):
        """What the person needs to call or act about ``partner``'s invoices
        (these): the invoices and the reminders they already received."""
        lines = Markup("").join(
            Markup("<li>%s</li>")
            % _(
                "%(invoice)s of %(date)s, due %(due)s: %(residual)s left to pay",
                invoice=move.name,
                date=format_date(self.env, move.invoice_date),
                due=format_date(self.env, move.dunning_date_due),
                residual=format_amount(self.env, move.amount_residual, move.currency_id),
            )
            for move in self
        )
        history = self.dunning_event_ids.sorted("date")
        states = dict(
            self.env["account.dunning.event"]._fields["state"]._description_selection(self.env)
        )
        history_lines = Markup("").join(
            Markup("<li>%s</li>")
            % _(
                "%(date)s: %(step)s (%(state)s) on %(invoice)s",
                date=format_date(self.env, event.date),
                step=event.step_id.display_name,
                state=states[event.state],
                invoice=event.move_id.name,
            )
            for event in history
        )
        note = Markup("<p>%s</p><ul>%s</ul>") % (
            _("Customer: %(customer)s", customer=partner.display_name),
            lines,
        )
        if history_lines:
            note += Markup("<p>%s</p><ul>%s</ul>") % (_("Previous reminders:"), history_lines)
        return note
