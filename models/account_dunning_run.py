# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import time
from array import array
from datetime import timedelta

import psycopg2
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, config, format_date

_logger = logging.getLogger(__name__)

# Customers per batch: a batch costs about a hundred queries whatever its size
# (500 rather than 200 on a million invoices: 45 % fewer queries, 9 % less time,
# 40 MB more memory).
DEFAULT_BATCH_SIZE = 500
# Rows of a long result converted to Python at a time.
FETCH_SIZE = 10000
# Share of Odoo's cron time limit one call of the run may use, so that the
# scheduler commits it long before the worker is killed.
TIME_LIMIT_SHARE = 0.3
# Budget of a call when Odoo sets no time limit (threaded server).
DEFAULT_TIME_BUDGET = 60
# Channels are dispatched to the methods named so, and engine helpers
# never are.
CHANNEL_METHOD_PREFIX = "_send_by_"
# Invoice PDFs rendered by one wkhtmltopdf run ahead of the reminders.
PDF_CHUNK = 5
# A run that had to give way to another transaction comes back this soon.
RETRY_DELAY = timedelta(minutes=1)
# Errors of a transaction that lost a race: a new transaction does better.
RETRYABLE_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)


class RetryLater(Exception):
    """This part of the run must be done again in a new transaction."""


class _PartlyLocked(Exception):
    """Another transaction holds some of the invoices to lock."""


class AccountDunningRun(models.AbstractModel):
    """The dunning service: selects the invoices due, groups them per
    customer and step, runs each step through its channel
    (``_send_by_<channel>``) and records what happened. The scheduled run,
    the buttons of the invoice, the Send Reminders wizard and the approvals
    all go through it.

    A channel is one file: a module adds one with ``selection_add`` on the
    step's ``channel``, declares it in ``_get_dunning_channels`` with what it
    can do, checks its steps in ``_get_step_problems`` and sends with a
    method ``_send_by_<channel>(step, groups, today, **options)`` returning
    the values of the events to create.
    """

    _name = "account.dunning.run"
    _description = "Dunning Run"

    # ------------------------------------------------------------------
    # The scheduled run
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_dunning(self, batch_size=DEFAULT_BATCH_SIZE):
        """Move every open customer invoice through its dunning sequence.

        Under the scheduler, a call works for a share of the cron time limit
        at most, then reports its progress: the scheduler commits it and calls
        again while work remains, so a crash or a kill loses one call at most.
        A call that loses a race with another transaction comes back in a new
        one. Called directly, all the work is done in the current transaction.
        """
        under_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        deadline = time.monotonic() + self._get_time_budget() if under_scheduler else None
        done, unfinished, retry = 0, False, False
        try:
            for company in self.env["res.company"]._get_dunning_companies():
                run = self.with_company(company).with_context(**company._get_dunning_context())
                today = company.with_env(run.env)._get_dunning_today()
                company_done, company_unfinished, locked_out = run._run_company(
                    company, today, batch_size, deadline
                )
                done += company_done
                unfinished = unfinished or company_unfinished
                retry = retry or locked_out
                if deadline and time.monotonic() >= deadline:
                    unfinished = True
                    break
        except RetryLater:
            unfinished = retry = True
        remaining = self._count_due_moves() if unfinished or retry else 0
        if retry:
            # Not now, in a new transaction: the scheduler drops the triggers
            # that are already past when it reschedules.
            remaining = max(remaining, 1)
            self._get_cron()._trigger(fields.Datetime.now() + RETRY_DELAY)
        elif remaining:
            self._get_cron()._trigger()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _run_company(self, company, today, batch_size, deadline):
        """Run one company's dunning until done or ``deadline``.

        :return: (invoices done, whether the deadline came first, whether
            customers held by another transaction were left for later)
        """
        self._run_retryable(self._end_holds, company, today)
        Plan = self.env["account.dunning.plan"]
        # Plans done or broken first: the invoices of a broken plan get the
        # step then due today.
        plan_messages = self._run_retryable(Plan._run_payment_plans, company, today)
        done = self._prepare_invoice_pdfs(company, today, deadline)
        if done is None:
            # Rendered PDFs are work done: the scheduler calls again.
            return PDF_CHUNK, True, False
        skipped_partners = set()
        # The customers due are listed once per call; each batch then locks
        # the invoices of its customers that are still due.
        partner_ids, move_ids, starts = self._run_retryable(self._get_due_customers, company, today)
        for start in range(0, len(partner_ids), batch_size):
            end = min(start + batch_size, len(partner_ids))
            moves, skipped = self._run_retryable(
                self._lock_due_customers, company, today, move_ids[starts[start] : starts[end]]
            )
            skipped_partners |= skipped
            if moves:
                self._run_retryable(self._run_moves, moves, today)
                done += len(moves)
            # At least one batch per call, so that every call moves on.
            if deadline and time.monotonic() >= deadline and start + batch_size < len(partner_ids):
                return done, True, bool(skipped_partners)
        # After the reminders, the day's other messages: a customer reminded
        # today gets them tomorrow, one message a day.
        if plan_messages:
            self._run_retryable(self._send_plan_messages, company, today, plan_messages)
        self._run_retryable(self._send_thank_you, company, today)
        return done, False, bool(skipped_partners)

    def _run_retryable(self, method, *args):
        """Run ``method`` in a savepoint; a transaction that lost a race
        (serialization failure, deadlock, lock not available) is rolled back
        to it and the run is asked to come back in a new transaction."""
        try:
            with self.env.cr.savepoint():
                return method(*args)
        except RETRYABLE_ERRORS as error:
            _logger.info("Dunning: %s lost a race, coming back later: %s", method.__name__, error)
            self.env.invalidate_all()
            raise RetryLater() from error

    @api.model
    def _get_cron(self):
        return self.env.ref("account_dunning.ir_cron_run_dunning").sudo()

    @api.model
    def _get_time_budget(self):
        """Seconds a call of the scheduled run may work: a share of the cron
        worker's time limits, else a minute. The system parameter
        ``account_dunning.run_time_budget`` sets it."""
        param = self.env["ir.config_parameter"].sudo().get_param("account_dunning.run_time_budget")
        if param:
            return float(param)
        real = config.get("limit_time_real_cron") or -1
        if real < 0:
            real = config.get("limit_time_real") or 0
        limits = [limit for limit in (real, config.get("limit_time_cpu") or 0) if limit > 0]
        return min(limits) * TIME_LIMIT_SHARE if limits else DEFAULT_TIME_BUDGET

    @api.model
    def _end_holds(self, company, today):
        """Resume the pauses and end the probably-paid holds that end on
        ``today``, before the invoices due are selected."""
        self._resume_expired_pauses(company, today)
        self._release_probably_paid_holds(company, today)
        self._refresh_collection_statuses(company, today)

    @api.model
    def _refresh_collection_statuses(self, company, today):
        """The statuses the date alone changes: overdue invoices with no step
        left reach the end of their sequence."""
        self.env["account.move"].sudo().search(
            [
                ("company_id", "=", company.id),
                ("dunning_remindable", "=", True),
                ("dunning_status", "=", "on_track"),
                ("dunning_next_step_id", "=", False),
                ("dunning_date_due", "<", today),
            ]
        )._dunning_recompute_status()

    @api.model
    def _resume_expired_pauses(self, company, today):
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("dunning_paused", "=", True),
                    ("dunning_pause_until", "!=", False),
                    ("dunning_pause_until", "<", today),
                ]
            )
        )
        self._report_broken_promises(moves, today)
        moves.action_dunning_resume()

    @api.model
    def _report_broken_promises(self, moves, today):
        """Invoices whose pause for a promise to pay ends unpaid: the promise
        is broken, recorded so, and the responsible is told."""
        broken = moves.filtered(
            lambda move: any(
                event.call_outcome == "promise" and event.promise_date == move.dunning_pause_until
                for event in move.dunning_event_ids
            )
        )
        if not broken:
            return
        Event = self.env["account.dunning.event"]
        groups = broken._dunning_group_by_customer()
        summary = _("Promise broken")
        activities = self.env["mail.activity"]._create_dunning_activities(
            [
                (
                    partner_moves,
                    partner_moves[:1]._get_dunning_responsible(),
                    self.env.ref("mail.mail_activity_data_todo"),
                    summary,
                    Markup("<p>%s</p>")
                    % _(
                        "The customer promised to pay by %(date)s and did not: its "
                        "reminders resume.",
                        date=format_date(self.env, partner_moves[:1].dunning_pause_until),
                    )
                    + partner_moves._get_dunning_activity_note(partner),
                )
                for partner, partner_moves in groups
            ],
            today,
        )
        note = _("Promise broken: not paid by the promised date; reminders resume.")
        Event.sudo().create(
            [
                Event._prepare_manual_event_vals(
                    move,
                    today,
                    "promise",
                    activity_id=activity.id,
                    note=note,
                )
                for (_partner, partner_moves), activity in zip(groups, activities, strict=True)
                for move in partner_moves
            ]
        )

    # ------------------------------------------------------------------
    # Selecting the invoices due
    # ------------------------------------------------------------------

    @api.model
    def _get_due_moves_query(self, company, today):
        """The query of the invoices of a company due for a step on ``today``
        (``account.move._get_dunning_due_domain``, their one definition).
        Everything is decided in the database, with an index on the next
        date, so that invoices that are not due cost nothing."""
        Move = self.env["account.move"].sudo()
        return Move._search(Move._get_dunning_due_domain(today, company))

    @api.model
    def _get_due_customers(self, company, today):
        """The customers of a company with invoices due on ``today``, in
        order, and those invoices, listed once per call (the call's snapshot
        of the database does not change): (customer ids, invoice ids
        customer after customer, where the invoices of each customer start,
        with the end of the last), arrays that stay small when every open
        invoice of a book is due."""
        self.env.flush_all()
        query = self._get_due_moves_query(company, today)
        alias = SQL.identifier(query.table)
        query.order = SQL("%s.commercial_partner_id, %s.id", alias, alias)
        self.env.cr.execute(
            query.select(SQL("%s.id", alias), SQL("%s.commercial_partner_id", alias))
        )
        customers, move_ids, starts = array("q"), array("q"), array("q")
        while rows := self.env.cr.fetchmany(FETCH_SIZE):
            for move_id, partner_id in rows:
                if not customers or customers[-1] != partner_id:
                    customers.append(partner_id)
                    starts.append(len(move_ids))
                move_ids.append(move_id)
        starts.append(len(move_ids))
        return customers, move_ids, starts

    @api.model
    def _lock_due_customers(self, company, today, move_ids):
        """Lock and return those of ``move_ids``, the invoices of some
        customers, still due on ``today``.

        A customer's invoices are taken all together or not at all, so that
        one email covers them all: a customer with an invoice locked by
        another transaction is left for a later call.

        :return: (invoices, ids of the customers left)
        """
        self.env.flush_all()
        due = self._get_due_moves_query(company, today)
        alias = SQL.identifier(due.table)
        due.add_where(SQL("%s.id IN %s", alias, tuple(move_ids)))
        self.env.cr.execute(due.select(SQL("%s.id", alias), SQL("%s.commercial_partner_id", alias)))
        expected = self.env.cr.fetchall()
        locked = self._lock_rows([move_id for move_id, _partner in expected])
        incomplete = {partner for move_id, partner in expected if move_id not in locked}
        move_ids = [move_id for move_id, partner in expected if partner not in incomplete]
        if incomplete:
            _logger.info(
                "Dunning: customers %s have invoices locked by another transaction, "
                "left for a later call.",
                sorted(incomplete),
            )
        return self.env["account.move"].sudo().browse(move_ids), incomplete

    @api.model
    def _lock_rows(self, move_ids):
        """Lock these invoices, customer by customer: a customer with an
        invoice held by another transaction is not locked at all.

        :return: the set of the ids locked
        """
        wanted = list(move_ids)
        while wanted:
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            "SELECT id, commercial_partner_id FROM account_move WHERE id IN %s"
                            " ORDER BY id FOR UPDATE SKIP LOCKED",
                            tuple(wanted),
                        )
                    )
                    locked = dict(self.env.cr.fetchall())
                    if len(locked) < len(wanted):
                        # Rolled back: the locks of the partly held customers go.
                        raise _PartlyLocked(locked)
                    return set(locked)
            except _PartlyLocked as partly:
                locked = partly.args[0]
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT commercial_partner_id FROM account_move WHERE id IN %s",
                    tuple(set(wanted) - set(locked)),
                )
            )
            blocked = {row[0] for row in self.env.cr.fetchall()}
            wanted = [move_id for move_id, partner in locked.items() if partner not in blocked]
        return set()

    @api.model
    def _count_due_moves(self, companies=None):
        """Invoices still due for a step in ``companies`` (all by default),
        each on its own today."""
        self.env.flush_all()
        total = 0
        for company in companies or self.env["res.company"]._get_dunning_companies():
            today = company.with_context(**company._get_dunning_context())._get_dunning_today()
            query = self._get_due_moves_query(company, today)
            self.env.cr.execute(query.select(SQL("COUNT(*)")))
            total += self.env.cr.fetchone()[0]
        return total

    # ------------------------------------------------------------------
    # Running steps
    # ------------------------------------------------------------------

    def _run_moves(self, moves, today):
        """Run the step due on ``today`` for each of these invoices.

        Invoices must be locked by the caller. One message per customer and
        channel (see ``_fold_messages``): a customer's invoices at different
        steps share one email, one letter or one call.
        """
        moves = moves.sudo()._dunning_filter_open()
        # Checked once for the whole batch: one hold per customer.
        moves, vals_list = self._hold_probably_paid(moves, today)
        move_steps = {}
        for step, step_moves in self._get_plan(moves, today).items():
            if not step:
                # Nothing due after all (steps changed meanwhile): refresh.
                step_moves._dunning_recompute_next()
                continue
            move_steps.update(dict.fromkeys(step_moves, step))
        vals_list += self._run_steps(move_steps, today, check_paid=False)
        return self._record_events(vals_list)

    def _run_steps(self, move_steps, today, **options):
        """Run for each invoice of ``move_steps`` ({invoice: step}) its step,
        one message per customer and channel (see ``_fold_messages``).
        ``options`` go to ``_run_step``.

        :return: values of the events to create, one per invoice, each with
            its own step
        """
        vals_list = []
        for lead, groups in self._fold_messages(move_steps).items():
            vals_list += self._run_step(lead, groups, today, move_steps=move_steps, **options)
        return vals_list

    @api.model
    def _fold_messages(self, move_steps):
        """{lead step: [(customer, its invoices oldest due first)]}: the
        invoices of a customer whose steps go by the same channel share one
        message, in the tone of the most advanced of their steps, the lead;
        each invoice still records its own step. With the company setting
        of one message per step, a customer gets one message per step."""
        # One recordset for all: the customers of the batch are read at once.
        batch = self.env["account.move"].concat(*move_steps)
        folds = {}
        for move in batch:
            step = move_steps[move]
            key = step if move.company_id.dunning_one_message_per_step else step.channel
            folds.setdefault((move.company_id, move.commercial_partner_id, key), []).append(move.id)
        by_lead = {}
        for move_ids in folds.values():
            moves = batch.browse(move_ids).with_prefetch(batch._prefetch_ids)
            lead = self._get_lead_step(moves.mapped(lambda move: move_steps[move]))
            by_lead.setdefault(lead, []).extend(moves._dunning_group_by_customer())
        return by_lead

    @api.model
    def _get_lead_step(self, steps):
        """The step whose tone a message of ``steps`` takes: the most
        advanced one."""
        return steps.sorted(lambda step: (step.offset_days, step.id))[-1:]

    @api.model
    def _get_plan(self, moves, today):
        """{step due on ``today``: invoices} (no I/O). An invoice whose step
        cannot be computed (broken data) is left out and logged: it stays
        due, and never stops the run of the others."""
        move_ids = {}
        for move in moves:
            try:
                step = move._get_dunning_due_step(today)
            except Exception:  # noqa: BLE001 - a broken step stays with its invoices
                _logger.exception("Dunning: no step could be computed for %s", move.display_name)
                continue
            move_ids.setdefault(step, []).append(move.id)
        return {step: moves.browse(ids) for step, ids in move_ids.items()}

    @api.model
    def _get_message_moves(self, moves):
        """{invoice: the invoices its message lists}, as the run would send
        it today (``_fold_messages``), without those given as "also coming
        due": what a template's preview shows. An invoice for which nothing
        is due lists itself."""
        Move = self.env["account.move"]
        listed = {}
        for company, company_moves in moves.grouped("company_id").items():
            today = company.with_env(self.env)._get_dunning_today()
            due = Move.search(
                Move._get_dunning_due_domain(today, company)
                + [("commercial_partner_id", "in", company_moves.commercial_partner_id.ids)]
            )
            move_steps = {
                move: step
                for step, step_moves in self._get_plan(due, today).items()
                if step
                for move in step_moves
            }
            for lead, groups in self._fold_messages(move_steps).items():
                upcoming = self._get_upcoming_moves(lead, groups, move_steps)
                for _partner, group in groups:
                    listed.update(dict.fromkeys(group.ids, (group - upcoming or group).ids))
        return {move: Move.browse(listed.get(move.id, move.ids)) for move in moves}

    def _run_step(
        self, step, groups, today, approved=False, check_paid=True, move_steps=None, **options
    ):
        """Run ``step`` for ``groups``, a list of (customer, invoices), so that
        an unexpected error fails, visibly, the reminders of the customer it
        comes from, and no other. ``approved``: run as approved by a person,
        else a step that is not automatic waits for approval. ``check_paid``:
        hold the reminders of customers who probably paid (see
        ``_hold_probably_paid``), unless the caller did. ``options`` go to
        the channel's method. ``move_steps``: {invoice: its own step}, when
        ``step`` is the lead of a message folding several steps (see
        ``_fold_messages``): each invoice records its own.

        :return: values of the events to create, one per invoice
        """
        held_vals = []
        if check_paid:
            moves, held_vals = self._hold_probably_paid(
                self.env["account.move"].concat(*(moves for _partner, moves in groups)),
                today,
                None if move_steps else step,
            )
            groups = [(partner, group & moves) for partner, group in groups if group & moves]
            if not groups:
                return held_vals
        if not approved and not step.auto:
            vals_list = self._run_approval(step, groups, today)
        else:
            if move_steps:
                options["upcoming"] = self._get_upcoming_moves(step, groups, move_steps)
            vals_list = self._run_isolated(
                groups,
                lambda sub_groups: self._run_channel(step, sub_groups, today, **options),
                lambda partner, moves, reason: self.env[
                    "account.dunning.event"
                ]._prepare_failure_vals(step, [(partner, moves, reason)], today),
                step.display_name,
            )
        return held_vals + self._record_own_steps(vals_list, step, move_steps)

    @api.model
    def _get_upcoming_moves(self, lead, groups, move_steps):
        """The invoices of a message whose own step comes before their due
        date while the lead's is after: "also coming due"."""
        if lead.offset_days < 0:
            return self.env["account.move"]
        return self.env["account.move"].concat(
            *(
                move
                for _partner, moves in groups
                for move in moves
                if move in move_steps and move_steps[move].offset_days < 0
            )
        )

    @api.model
    def _record_own_steps(self, vals_list, lead, move_steps):
        """Event values of a message in the tone of ``lead``: each invoice
        records its own step of ``move_steps``."""
        if not move_steps:
            return vals_list
        own = {move.id: step for move, step in move_steps.items()}
        for vals in vals_list:
            step = own.get(vals["move_id"])
            if step and vals.get("step_id") == lead.id and step != lead:
                # The variant tested is the lead's (A/B test of that step).
                vals.update(step_id=step.id, sequence_id=step.sequence_id.id, variant_id=False)
        return vals_list

    @api.model
    def _run_isolated(self, groups, run, fail, label):
        """``run(groups)`` in a savepoint; when it fails, again customer by
        customer, and ``fail(customer, invoices, reason)`` for those that
        still fail. Transient database errors still abort: the run is retried.
        """
        try:
            with self.env.cr.savepoint():
                return run(groups)
        except psycopg2.OperationalError:
            raise
        except Exception as error:  # noqa: BLE001 - reported on the reminders
            if len(groups) > 1:
                return [
                    vals
                    for group in groups
                    for vals in self._run_isolated([group], run, fail, label)
                ]
            _logger.warning("Dunning: %s failed for %s", label, groups[0][0], exc_info=True)
            partner, moves = groups[0]
            reason = _(
                "%(what)s failed: %(error)s",
                what=label,
                error=self.env["account.dunning.event"]._get_failure_reason(error),
            )
            return fail(partner, moves, reason)

    def _run_channel(self, step, groups, today, channel=None, **options):
        """Dispatch to the ``_send_by_<channel>`` method of ``channel``, by
        default the step's; another channel (a fallback) records its own."""
        channel = channel or step.channel
        if channel not in self._get_dunning_channels():
            raise UserError(
                _(
                    "The channel %(channel)s of step %(step)s is not installed.",
                    channel=channel,
                    step=step.display_name,
                )
            )
        vals_list = getattr(self, f"{CHANNEL_METHOD_PREFIX}{channel}")(
            step, groups, today, **options
        )
        if channel != step.channel:
            for vals in vals_list:
                vals["channel"] = channel
        return vals_list

    # ------------------------------------------------------------------
    # The channel contract
    # ------------------------------------------------------------------

    @api.model
    def _get_dunning_channels(self):
        """{channel: the set of what it can do}: the values of the step's
        ``channel`` that have a ``_send_by_<channel>`` method; each channel's
        file adds what its channel can do. Capabilities:

        - ``review``: *Send reminders* proposes its steps, previewed and
          editable by a person before they leave;
        - ``variants``: its steps can test template variants (A/B);
        - ``bounces``: its messages can bounce, and the step's fallback
          then applies;
        - ``activity``: its reminders are to-dos of a person, done when the
          to-do is.
        """
        channels = self.env["account.dunning.step"]._fields["channel"].get_values(self.env)
        return {
            channel: set()
            for channel in channels
            if hasattr(self, f"{CHANNEL_METHOD_PREFIX}{channel}")
        }

    @api.model
    def _dunning_channel_can(self, channel, capability):
        return capability in self._get_dunning_channels().get(channel, ())

    @api.model
    def _get_step_problems(self, step):
        """What keeps ``step`` from running on its channel (a template
        missing...), in words; each channel's file checks its own steps."""
        return []

    def _run_approval(self, step, groups, today):
        """Steps that are not automatic wait for a person's approval."""
        Event = self.env["account.dunning.event"]
        # Out of the comprehension: _() finds the language in this frame.
        note = _("Waiting for approval.")
        return [
            Event._prepare_event_vals(move, step, "pending", today, note=note)
            for _partner, moves in groups
            for move in moves
        ]

    @api.model
    def _record_events(self, vals_list):
        """Create the events and move the invoices past the steps done."""
        events = self.env["account.dunning.event"].sudo()._create_engine_events(vals_list)
        events._apply_to_moves()
        return events

    def _send_now(self, moves, today, send_again=False):
        """Send now, for invoices locked by the caller, the step a person
        sends (see ``account.move._get_dunning_step_to_send``), one message
        per customer and channel; with ``send_again``, confirmed by the
        person, the step already sent today goes again."""
        moves = moves.sudo()
        reminded = moves._get_dunning_reminded_today(today) if send_again else {}
        # Sent again: the step the invoice itself got today, if it did.
        move_steps = {
            move: reminded[move].step_id
            if move in reminded and reminded[move].move_id == move
            else move._get_dunning_step_to_send(today)
            for move in moves
        }
        options = {"send_again": True} if send_again else {}
        events = self._record_events(self._run_steps(move_steps, today, approved=True, **options))
        events._supersede_pending()
        return events

    # ------------------------------------------------------------------
    # Invoice PDFs, ahead of the reminders
    # ------------------------------------------------------------------

    @api.model
    def _prepare_invoice_pdfs(self, company, today, deadline):
        """Render and store the missing PDFs of the invoices whose due step
        attaches them, a few at a time, before any reminder is sent: a call
        never has to render many PDFs at once.

        :return: the number of PDFs rendered (or tried: a chunk with PDFs
            that fail ends the preparation), or None when ``deadline`` came
            before all were
        """
        moves = self._get_moves_missing_pdf(company, today)
        rendered = 0
        for start in range(0, len(moves), PDF_CHUNK):
            if rendered and deadline and time.monotonic() >= deadline:
                return None
            chunk = moves[start : start + PDF_CHUNK]
            errors = self._run_retryable(chunk._dunning_store_invoice_pdfs)
            rendered += len(chunk)
            if errors:
                # These PDFs fail, and would fail again ahead of every call:
                # with a short time budget, the scheduler would call again
                # and again for the same chunk and no reminder would ever
                # leave. The reminders go on; theirs fail there, visibly,
                # and their step moves on.
                return rendered
        return rendered

    @api.model
    def _get_moves_missing_pdf(self, company, today):
        """Invoices due today whose step attaches the invoice PDF and that
        have no stored PDF yet."""
        query = self._get_due_moves_query(company, today)
        alias = SQL.identifier(query.table)
        query.add_where(
            SQL(
                """EXISTS (SELECT 1 FROM account_dunning_step s
                            WHERE s.sequence_id = %(alias)s.dunning_sequence_id
                              AND s.attach_invoice)
               AND NOT EXISTS (SELECT 1 FROM ir_attachment a
                                WHERE a.res_model = 'account.move'
                                  AND a.res_id = %(alias)s.id
                                  AND a.res_field = 'invoice_pdf_report_file')""",
                alias=alias,
            )
        )
        self.env.flush_all()
        self.env.cr.execute(query.select(SQL("%s.id", alias)))
        moves = self.env["account.move"].sudo().browse(row[0] for row in self.env.cr.fetchall())
        # Through the plan: an invoice whose step cannot be computed must not
        # stop the PDFs, hence the reminders, of all the others.
        plan = self._get_plan(moves, today)
        return moves.browse().concat(
            *(step_moves for step, step_moves in plan.items() if step.attach_invoice)
        )

    # ------------------------------------------------------------------
    # Payment plans' steps
    # ------------------------------------------------------------------

    @api.model
    def _send_plan_messages(self, company, today, messages):
        """Run the steps of the payment plans' messages of the day (see
        ``account.dunning.plan._run_payment_plans``), one message per plan,
        run and failing like any step; a customer who got another message
        today gets it tomorrow."""
        Plan = self.env["account.dunning.plan"]
        messaged = self.env["account.dunning.event"]._get_customers_messaged_today(company, today)
        messages = [message for message in messages if message[0].partner_id.id not in messaged]
        vals_list = []
        for step, plan_groups in Plan._group_plan_messages_by_step(messages).items():
            plans = {plan for plan, _partner, _moves in plan_groups}
            groups = [(partner, moves) for _plan, partner, moves in plan_groups]
            vals_list += Plan._complete_plan_event_vals(
                self._run_step(step, groups, today, approved=True, check_paid=False),
                [message for message in messages if message[0] in plans],
            )
        return self._record_events(vals_list)

    # ------------------------------------------------------------------
    # Thank-you steps
    # ------------------------------------------------------------------

    @api.model
    def _send_thank_you(self, company, today):
        """Thank, once, the customers who fully paid invoices that received
        at least one reminder, with the step their sequence sends when paid:
        one message per customer, run and failing like any step."""
        moves = self._lock_thanked_moves(company, today)
        Event = self.env["account.dunning.event"]
        # Out of the comprehension: _() finds the language in this frame.
        note = _("Not thanked: the customer has no email address.")
        vals_list = []
        for sequence, sequence_moves in moves.grouped("dunning_sequence_id").items():
            step = sequence.paid_step_id
            groups = sequence_moves._dunning_group_by_customer()
            # Nobody to thank: recorded, so that it is not tried again.
            vals_list += [
                Event._prepare_event_vals(move, step, "skipped", today, note=note)
                for partner, partner_moves in groups
                if not partner._get_reminder_recipients()
                for move in partner_moves
            ]
            groups = [group for group in groups if group[0]._get_reminder_recipients()]
            if groups:
                vals_list += self._run_step(step, groups, today, approved=True, check_paid=False)
        return self._record_events(vals_list)

    @api.model
    def _lock_thanked_moves(self, company, today):
        """Lock and return the paid invoices of a company to thank: reminded
        at least once (by a step or a payment plan), never thanked, following
        a sequence with a step sent when paid, of customers who got no
        message ``today``. Invoices held by another transaction are left for
        a later call."""
        Move = self.env["account.move"].sudo()
        query = Move._search(
            expression.AND(
                [
                    Move._get_dunning_paid_domain(),
                    [
                        ("company_id", "=", company.id),
                        ("dunning_sequence_id.step_ids.trigger", "=", "paid"),
                        (
                            "dunning_event_ids",
                            "any",
                            [
                                ("state", "in", ("sent", "queued")),
                                ("event_type", "in", ("reminder", "plan")),
                            ],
                        ),
                        ("dunning_event_ids", "not any", [("event_type", "=", "thank_you")]),
                        # Read from the day's events: no scan of all the
                        # customers.
                        (
                            "commercial_partner_id",
                            "not in",
                            self.env["account.dunning.event"]._get_customers_messaged_today_sql(
                                company, today
                            ),
                        ),
                    ],
                ]
            ),
            # By the customer's id: no join of the customers to sort them by name.
            order="commercial_partner_id.id, invoice_date_due, id",
        )
        alias = SQL.identifier(query.table)
        self.env.flush_all()
        self.env.cr.execute(
            SQL("%s FOR UPDATE OF %s SKIP LOCKED", query.select(SQL("%s.id", alias)), alias)
        )
        return Move.browse(row[0] for row in self.env.cr.fetchall())
