# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date, format_time
from odoo.tools.pdf import merge_pdf

from .account_dunning_step import TRIGGER_EVENT_TYPES
from .account_move import MESSAGE_EVENT_TYPES
from .batch_insert import insert_records

# What a failure note keeps of an error: its first lines, this long at most.
FAILURE_REASON_LINES = 3
FAILURE_REASON_LENGTH = 300

CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("promise", "Promise to Pay"),
    ("dispute", "Dispute"),
    ("no_answer", "No Answer"),
]


class AccountDunningEvent(models.Model):
    _name = "account.dunning.event"
    _description = "Dunning Event"
    _order = "date desc, id desc"
    _rec_name = "step_id"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    step_id = fields.Many2one(
        "account.dunning.step",
        string="Step",
        ondelete="set null",
        index="btree_not_null",
    )
    variant_id = fields.Many2one(
        "account.dunning.step.variant",
        string="Template Variant",
        # A variant used is archived, not deleted (see its unlink): set null
        # only when its whole step goes.
        ondelete="set null",
        index="btree_not_null",
        help="The template variant of the step this customer got (A/B test).",
    )
    sequence_id = fields.Many2one(
        related="step_id.sequence_id",
        string="Dunning Sequence",
        store=True,
    )
    channel = fields.Selection(
        selection=lambda self: self.env["account.dunning.step"]
        ._fields["channel"]
        ._description_selection(self.env),
        required=True,
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    sent_at = fields.Datetime(
        string="Done At",
        default=fields.Datetime.now,
        help="When the step was done, sent or queued.",
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("pending", "Pending"),
            ("failed", "Failed"),
            ("skipped", "Skipped"),
            ("received", "Received"),
        ],
        required=True,
        default="sent",
        index=True,
    )
    amount_residual = fields.Monetary(
        string="Amount Due",
        currency_field="currency_id",
        help="What was left to pay on the invoice when the step ran.",
    )
    currency_id = fields.Many2one("res.currency", required=True)
    mail_id = fields.Many2one(
        "mail.mail",
        string="Email",
        ondelete="set null",
        index="btree_not_null",
    )
    sms_id = fields.Many2one(
        "sms.sms",
        string="SMS",
        ondelete="set null",
        index="btree_not_null",
    )
    letter_id = fields.Many2one(
        "snailmail.letter",
        string="Letter by Post",
        ondelete="set null",
        index="btree_not_null",
    )
    sms_state = fields.Selection(related="sms_id.state", string="SMS Status")
    letter_state = fields.Selection(
        related="letter_id.state",
        string="Letter Status",
        help="Where Snailmail is with the letter: in its queue, sent by post, "
        "in error or cancelled.",
    )
    message_id = fields.Many2one(
        "mail.message",
        string="Message",
        ondelete="set null",
        index="btree_not_null",
    )
    activity_id = fields.Many2one(
        "mail.activity",
        string="Activity",
        ondelete="set null",
    )
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="Letter",
        ondelete="set null",
    )
    user_id = fields.Many2one(
        "res.users",
        string="User",
        default=lambda self: self.env.user,
    )
    note = fields.Text()
    event_type = fields.Selection(
        [
            ("reminder", "Reminder"),
            ("thank_you", "Thank You"),
            ("probably_paid", "Probably Paid"),
            ("reply", "Customer Reply"),
            ("auto_reply", "Automatic Reply"),
            ("answer", "Customer Answer"),
            ("promise", "Promise to Pay"),
            ("dispute", "Dispute"),
            ("plan", "Payment Plan"),
        ],
        string="Type",
        required=True,
        default="reminder",
    )
    hold_until = fields.Date(
        string="Held Until",
        help="A reminder held because the customer probably paid goes out the "
        "day after this date if the invoice is still not reconciled.",
    )
    evidence_ref = fields.Reference(
        selection=[
            ("account.bank.statement.line", "Bank Transaction"),
            ("account.payment", "Payment"),
            ("account.move.line", "Journal Item"),
        ],
        string="Money Found",
        help="The bank transaction, payment or credit not yet reconciled that "
        "suggests the customer already paid.",
    )
    call_outcome = fields.Selection(
        CALL_OUTCOMES,
        help="What the call or action gave, recorded when its activity is done.",
    )
    promise_date = fields.Date(
        string="Promised Payment Date",
        help="Dunning is paused until this date.",
    )
    plan_id = fields.Many2one(
        "account.dunning.plan",
        string="Payment Plan",
        ondelete="set null",
        index="btree_not_null",
    )
    dispute_reason_id = fields.Many2one(
        "account.dunning.dispute.reason",
        string="Dispute Reason",
        ondelete="restrict",
    )
    email_subject = fields.Char(related="message_id.subject", string="Email Subject")
    email_body = fields.Html(related="message_id.body", string="Email Body")
    activity_state = fields.Char(compute="_compute_activity_state", string="Activity Status")

    @api.depends("activity_id", "channel", "state")
    def _compute_activity_state(self):
        for event in self:
            if event.activity_id:
                event.activity_state = event.activity_id.summary or event.activity_id.display_name
            elif event.state == "sent" and event._dunning_channel_can("activity"):
                event.activity_state = _("Done")
            else:
                event.activity_state = False

    def init(self):
        # The engine asks, for every due invoice, whether it waits for a person.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS account_dunning_event_pending_idx"
            " ON account_dunning_event (move_id) WHERE state = 'pending'"
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_written_by_engine()
        return super().create(vals_list)

    @api.model
    def _create_engine_events(self, vals_list):
        """Create the events of a run, whose values the engine built from
        their invoices (``_prepare_event_vals``, ``_prepare_failure_vals``),
        in one INSERT: an event per invoice reminded, where ``create`` cost
        more per event than the reminder's share of its email."""
        self._check_written_by_engine()
        return insert_records(self, vals_list)

    def write(self, vals):
        self._check_written_by_engine()
        return super().write(vals)

    def unlink(self):
        self._check_written_by_engine()
        return super().unlink()

    def _split_still_due(self, today):
        """(events whose action may go out now, {event: why not}), checked
        when a person acts on them: an invoice paid since drops its event,
        one the customer answered or someone paused since keeps it waiting,
        with the reason in its note."""
        reasons = self.move_id.sudo()._get_dunning_block_reasons()
        blocked = {event: reasons[event.move_id] for event in self if event.move_id in reasons}
        settled = self.browse(
            [event.id for event in blocked if not event.move_id.sudo()._dunning_is_open()]
        )
        settled._skip(_("Not sent: the invoice was paid or cancelled meanwhile."))
        for event in self.browse([event.id for event in blocked]) - settled:
            note = _(
                "Not sent on %(date)s: %(reason)s",
                date=format_date(self.env, today),
                reason=blocked[event],
            )
            event.sudo().note = "\n".join(filter(None, [event.note, note]))
        return self - self.browse([event.id for event in blocked]), blocked

    @api.model
    def _notify_not_sent(self, blocked, title=None):
        """True, or a notification of the steps not sent and why."""
        if not blocked:
            return True
        lines = "\n".join(
            f"- {event.move_id.name} ({event.step_id.name}): {reason}"
            for event, reason in blocked.items()
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "message": (title or _("Not sent:")) + "\n" + lines,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_review(self):
        """Open the emails of these steps waiting for approval, rendered and
        editable, to send them approved."""
        self._check_pending()
        return {
            "type": "ir.actions.act_window",
            "name": _("Review and Approve"),
            "res_model": "account.dunning.send",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_ids": self.ids,
                "dialog_size": "extra-large",
            },
        }

    def action_reject(self):
        """Reject steps waiting for approval: they are recorded as skipped."""
        pending = self._check_pending()
        pending._skip(_("Rejected by %(user)s.", user=self.env.user.name))
        pending._apply_to_moves()
        return True

    def action_print_letters(self):
        """Download the letters waiting to be printed as one PDF, and record
        them as sent. Checked again now: the letters whose invoice was paid,
        answered by the customer or paused since are not printed, and the
        person is told why."""
        letters = self.filtered(lambda event: event.state == "pending" and event.attachment_id)
        if not letters:
            raise UserError(_("None of the selected reminders is a letter waiting to be printed."))
        letters._check_dunning_action_access()
        letters, blocked = letters._split_still_due(fields.Date.context_today(self))
        # A letter is one attachment for all the invoices of a customer.
        blocked_letters = self.browse([event.id for event in blocked]).attachment_id
        letters = letters.filtered(lambda event: event.attachment_id not in blocked_letters)
        if not letters:
            # Told, not raised: the events keep the reason written.
            return self._notify_not_sent(blocked, _("No letter is printed:"))
        attachments = letters.sudo().attachment_id
        merged = merge_pdf([base64.b64decode(attachment.datas) for attachment in attachments])
        bundle = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": _(
                        "Letters to print %(date)s.pdf", date=fields.Date.context_today(self)
                    ),
                    "raw": merged,
                    "mimetype": "application/pdf",
                    "res_model": "account.dunning.event",
                    "res_id": letters[0].id,
                }
            )
        )
        letters.action_mark_sent()
        # Opened rather than "download": then the list reloads, without the
        # letters just printed.
        download = {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{bundle.id}?download=true",
            "target": "new",
        }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if blocked else "success",
                "sticky": bool(blocked),
                "message": _("Letters printed: %(count)s.", count=len(attachments))
                + (
                    "\n"
                    + _("Not printed:")
                    + "".join(
                        f"\n- {event.move_id.name} ({event.step_id.name}): {reason}"
                        for event, reason in blocked.items()
                    )
                    if blocked
                    else ""
                ),
                "next": download,
            },
        }

    def action_mark_sent(self):
        """Confirm a pending letter was printed and posted."""
        pending = self._check_pending()
        now = fields.Datetime.now()
        for event in pending:
            note = _(
                "Printed by %(user)s on %(date)s.",
                user=self.env.user.name,
                date=format_date(self.env, fields.Date.context_today(self)),
            )
            event.sudo().write(
                {
                    "state": "sent",
                    "user_id": self.env.uid,
                    "sent_at": now,
                    "note": "\n".join(filter(None, [event.note, note])),
                }
            )
        pending._apply_to_moves()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _check_written_by_engine(self):
        """The history records what was done: only the dunning engine and the
        actions, which work in sudo, write it. A correction is a new event."""
        if not self.env.su:
            raise AccessError(
                _(
                    "The dunning history cannot be edited: it records the reminders "
                    "as they were done. Use the dunning actions of the invoices "
                    "(approve, reject, skip, send, pause) instead."
                )
            )

    def _check_dunning_action_access(self):
        """People act on events through the actions only, which then write in
        sudo: they must be Dunning Users who may change the invoices."""
        self.check_access("read")
        self.move_id._check_dunning_access()

    def _check_pending(self):
        self._check_dunning_action_access()
        holds = self.filtered(lambda event: event.event_type == "probably_paid")
        if holds:
            raise UserError(
                _(
                    "These reminders are held because the customer probably paid: "
                    "reconcile the payment, or release the hold. %(invoices)s",
                    invoices=", ".join(holds.move_id.mapped("name")),
                )
            )
        not_pending = self.filtered(lambda event: event.state != "pending")
        if not_pending:
            raise UserError(
                _(
                    "Only pending dunning events can be approved, rejected or "
                    "marked as sent. These are not pending: %(events)s.",
                    events=", ".join(
                        f"{event.move_id.name} ({event.step_id.name})" for event in not_pending
                    ),
                )
            )
        return self

    def action_release_hold(self):
        """End a probably-paid hold by hand: the invoice gets the step due at
        the next run (or now, with Send Next Reminder)."""
        self._check_dunning_action_access()
        holds = self.filtered(
            lambda event: event.event_type == "probably_paid" and event.state == "pending"
        )
        if holds != self:
            raise UserError(
                _("Only reminders held because the customer probably paid can be released.")
            )
        holds._skip(_("Hold released by %(user)s.", user=self.env.user.name))
        return True

    def _skip(self, reason):
        self.sudo().write({"state": "skipped", "note": reason, "user_id": self.env.uid})

    def _dunning_channel_can(self, capability):
        """Whether this event's channel can do ``capability`` (see
        ``account.dunning.run._get_dunning_channels``)."""
        self.ensure_one()
        return self.env["account.dunning.run"]._dunning_channel_can(self.channel, capability)

    @api.model
    def _get_customers_messaged_today(self, company, today):
        """Ids of the customers of ``company`` who got a dunning message on
        ``today``: a reminder, a plan email or a thank-you."""
        groups = self.sudo()._read_group(
            self._get_messaged_today_domain(company, today), ["partner_id"]
        )
        return {partner.id for (partner,) in groups}

    @api.model
    def _get_customers_messaged_today_sql(self, company, today):
        """The same customers as ``_get_customers_messaged_today``, as a
        subquery for a domain (an event's customer is required: NOT IN
        sees no NULL)."""
        return (
            self.sudo()
            ._search(self._get_messaged_today_domain(company, today))
            .subselect(SQL.identifier(self._table, "partner_id"))
        )

    @api.model
    def _get_messaged_today_domain(self, company, today):
        """The events of the messages ``company`` sent on ``today``."""
        return [
            ("company_id", "=", company.id),
            ("date", "=", today),
            ("event_type", "in", MESSAGE_EVENT_TYPES),
            ("state", "in", ("sent", "queued")),
        ]

    @api.model
    def _get_reminder_history(self, moves, today):
        """What the customers of ``moves`` already received, in three
        queries.

        :return: {"last": {customer: its latest reminder sent},
                  "today": {customer: its latest email reminder of today},
                  "counts": {invoice id: reminders sent for it}}
        """
        Event = self.sudo()
        partners = moves.commercial_partner_id
        sent = [("event_type", "=", "reminder"), ("state", "in", ("sent", "queued"))]
        last = Event._read_group(
            [("partner_id", "in", partners.ids), *sent], ["partner_id"], ["id:max"]
        )
        today_events = Event._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("date", "=", today),
                ("channel", "=", "email"),
                *sent,
            ],
            ["partner_id"],
            ["id:max"],
        )
        counts = Event._read_group([("move_id", "in", moves.ids), *sent], ["move_id"], ["__count"])
        return {
            "last": {partner: Event.browse(event_id) for partner, event_id in last},
            "today": {partner: Event.browse(event_id) for partner, event_id in today_events},
            "counts": {move.id: count for move, count in counts},
        }

    def _get_reminded_today_label(self):
        """Who sent this reminder of today, when and with which step."""
        self.ensure_one()
        return _(
            "Reminded today at %(time)s by %(user)s (%(step)s).",
            time=format_time(self.env, self.sent_at or self.create_date, time_format="short"),
            user=self.user_id.name or "-",
            step=self.step_id.display_name or "-",
        )

    @api.model
    def _prepare_event_vals(self, move, step, state, today, **values):
        """Values of the event recording ``step`` done on ``move``, of the
        type of the step's trigger (a reminder, a thank-you, a plan's)."""
        return {
            "event_type": TRIGGER_EVENT_TYPES.get(step.trigger, "reminder"),
            "move_id": move.id,
            "partner_id": move.commercial_partner_id.id,
            "company_id": move.company_id.id,
            "step_id": step.id,
            # Given, not computed: one UPDATE less per batch of events.
            "sequence_id": step.sequence_id.id,
            "channel": step.channel,
            "date": today,
            "state": state,
            "amount_residual": move.amount_residual,
            "currency_id": move.currency_id.id,
            "user_id": self.env.uid,
            **values,
        }

    @api.model
    def _get_failure_reason(self, error):
        """The first lines of ``error`` (an exception or a text), bounded: the
        error of a template quotes the template's whole source, unreadable in
        a note, and the traceback is in the log."""
        reason = str(error).strip()
        lines = reason.splitlines()
        if len(lines) <= FAILURE_REASON_LINES and len(reason) <= FAILURE_REASON_LENGTH:
            return reason
        reason = "\n".join(lines[:FAILURE_REASON_LINES])
        return reason[: FAILURE_REASON_LENGTH - 1].rstrip() + "…"

    @api.model
    def _prepare_failure_vals(self, step, failures, today, what=None, **values):
        """A failed event per invoice and one follow-up activity per customer
        for its responsible, so that no failure goes unnoticed.

        :param failures: list of (customer, invoices, reason)
        :param what: what failed, named in the activity: by default ``step``
        :param values: of each event (a plan's email: its type and plan)
        """
        failures = [
            (partner, moves, self._get_failure_reason(reason))
            for partner, moves, reason in failures
        ]
        todo = self.env.ref("mail.mail_activity_data_todo")
        summary = _("Reminder failed: %(step)s", step=what or step.display_name)
        activities = self.env["mail.activity"]._create_dunning_activities(
            [
                (
                    moves,
                    moves[:1]._get_dunning_responsible(),
                    todo,
                    summary,
                    Markup("<p>%s</p>") % reason + moves._get_dunning_activity_note(partner),
                )
                for partner, moves, reason in failures
            ],
            today,
        )
        return [
            self._prepare_event_vals(
                move, step, "failed", today, activity_id=activity.id, note=reason, **values
            )
            for (_partner, moves, reason), activity in zip(failures, activities, strict=True)
            for move in moves
        ]

    @api.model
    def _prepare_manual_event_vals(self, move, today, event_type, **values):
        """Values of the event recording what happened on ``move`` outside
        its steps (a promise broken, a plan broken, a dispute resolved): at
        the invoice's current step, received by hand."""
        return self._prepare_event_vals(
            move,
            move.dunning_step_id,
            "received",
            today,
            channel="manual",
            event_type=event_type,
            **values,
        )

    def _apply_to_moves(self):
        """Move each invoice past the steps that are done with it.

        Queued, sent, failed and skipped steps are done: the invoice goes on
        to the next one. The run does not retry a failure by itself; its
        activity asks a person to act, and a person sending again gets the
        failed step (``account.move._get_dunning_step_to_send``).
        """
        # A thank-you is no step of the dunning plan: the invoice stays where
        # it was.
        done = self.filtered(
            lambda event: event.state != "pending"
            and event.step_id in event.step_id.sequence_id.reminder_step_ids
        )
        for (step, failed), events in done.grouped(
            lambda event: (event.step_id, event.state == "failed")
        ).items():
            moves = events.move_id.sudo().filtered(
                lambda move, step=step: not move._get_dunning_last_step()
                or move.dunning_step_id.offset_days <= step.offset_days
                or move.dunning_step_id.sequence_id != step.sequence_id
            )
            moves._dunning_write_step({"dunning_step_id": step.id, "dunning_last_failed": failed})

    def _supersede_pending(self):
        """Steps waiting for a person on these events' invoices, up to the
        step just done by hand, no longer need to be sent."""
        done = self.filtered(lambda event: event.state in ("queued", "sent", "failed"))
        pending = done.move_id.sudo().dunning_event_ids.filtered(
            lambda event: event.state == "pending" and event.event_type == "reminder"
        )
        offsets = {}
        for event in done:
            offsets[event.move_id] = max(
                offsets.get(event.move_id, event.step_id.offset_days), event.step_id.offset_days
            )
        superseded = pending.filtered(
            lambda event: event.step_id.offset_days <= offsets[event.move_id]
        )
        superseded._skip(_("Replaced by the reminder sent by %(user)s.", user=self.env.user.name))

    def _mark_delivered(self):
        """The mail server took the reminder email of these queued events."""
        self.sudo().write({"state": "sent", "sent_at": fields.Datetime.now()})

    def _mark_sent_after_all(self, note):
        """Reminders that had failed were sent after all (Snailmail posts a
        letter it had refused once it has credits, a person resends an SMS):
        record them as sent, close their failure activity and clear the
        invoices' failure."""
        events = self.sudo()
        events._mark_delivered()
        for event in events:
            event.note = "\n".join(filter(None, [event.note, note]))
        events.activity_id.exists().action_feedback(feedback=note)
        for step, step_events in events.grouped("step_id").items():
            step_events.move_id.filtered(
                lambda move, step=step: move.dunning_step_id == step and move.dunning_last_failed
            )._dunning_write({"dunning_last_failed": False})

    def _fail_after_send(self, reason):
        """The mail server refused for good a reminder that was queued:
        record the failure and ask the responsible to act, once per email."""
        self._fail_queued(
            _("The reminder email could not be sent: %(reason)s", reason=reason),
            "mail_id",
            lambda mail: mail.subject,
        )

    def _follow_delivery(self, key, taken, failed, after_all_note):
        """Follow the reminders of these events queued on the records of the
        field ``key`` (an SMS, a letter): those ``taken(record)`` are sent,
        those that ``failed(record)`` for good fail, once per record, with
        the record's ``_get_dunning_failure_note()``. A record taken after a
        failure turns its failed reminders sent, with ``after_all_note``."""
        sent = self.filtered(lambda event: taken(event[key]))
        sent.filtered(lambda event: event.state == "queued")._mark_delivered()
        after_all = sent.filtered(lambda event: event.state == "failed")
        if after_all:
            after_all._mark_sent_after_all(after_all_note)
        lost = self.filtered(lambda event: event.state == "queued" and failed(event[key]))
        for record, events in lost.grouped(key).items():
            events._fail_queued(record._get_dunning_failure_note(), key)

    def _fail_queued(self, note, key, label=None, activity_type=None, summary=None):
        """A reminder that was queued (email, SMS, letter by post) failed for
        good: record the failure and ask the responsible to act, once per
        reminder, the events being grouped by the field ``key`` (the email,
        SMS or letter). ``label(record)`` names the reminder when its step
        is gone. ``activity_type`` and ``summary``: the responsible's task,
        by default a to-do "Reminder failed"."""
        todo = activity_type or self.env.ref("mail.mail_activity_data_todo")
        today = fields.Date.context_today(self)
        for record, events in self.grouped(key).items():
            moves = events.move_id
            step = events.step_id[:1]
            name = step.display_name or (label(record) if label else record.display_name)
            activity = self.env["mail.activity"]._create_dunning_activities(
                [
                    (
                        moves,
                        moves[:1]._get_dunning_responsible(),
                        todo,
                        summary or _("Reminder failed: %(step)s", step=name),
                        Markup("<p>%s</p>") % note
                        + moves._get_dunning_activity_note(events.partner_id[:1]),
                    )
                ],
                today,
            )
            events.sudo().write({"state": "failed", "note": note, "activity_id": activity.id})
            moves._dunning_write({"dunning_last_failed": True})
