# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class AccountDunningSend(models.TransientModel):
    """Send reminders now ("Relancer"): one email per customer for the
    invoices selected, previewed and editable before it leaves."""

    _name = "account.dunning.send"
    _description = "Send Reminders"

    line_ids = fields.One2many(
        "account.dunning.send.line",
        "wizard_id",
        string="Customers",
    )
    skipped_ids = fields.One2many(
        "account.dunning.send.skipped",
        "wizard_id",
        string="Skipped Invoices",
        readonly=True,
    )
    approval_event_ids = fields.Many2many(
        "account.dunning.event",
        string="Reminders To Approve",
        readonly=True,
        help="Steps waiting for approval that these emails approve once sent.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Sent")],
        default="draft",
        required=True,
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            moves = self.env["account.move"].browse(context["active_ids"])
            moves._check_dunning_access()
            values.update(self._prepare_wizard_vals(moves))
        elif context.get("active_model") == "account.dunning.event" and context.get("active_ids"):
            events = self.env["account.dunning.event"].browse(context["active_ids"])
            values.update(self._prepare_review_vals(events._check_pending()))
        return values

    def action_send(self):
        """Send the reminders of the customers kept, then tell what
        happened. Invoices paid, paused or reminded by someone else since the
        wizard was opened, and customers reminded today unless a person
        asked to send again, are left out."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(_("These reminders were already sent."))
        lines = self.line_ids.filtered("to_send")
        if not lines:
            raise UserError(_("No customer is selected: there is nothing to send."))
        moves = lines.move_ids
        moves._check_dunning_access()
        moves._dunning_lock()
        today = fields.Date.context_today(self)
        lines._check_steps_due(today)
        late_reasons = lines._get_late_skip_reasons(today)
        late_reasons.update(self._get_late_review_reasons(moves))
        Run = self.env["account.dunning.run"]
        vals_list = []
        for (step, template, send_again), key_lines in lines.grouped(
            lambda line: (line.step_id, line.template_id, line.send_again)
        ).items():
            groups, edits, move_steps = [], {}, {}
            for line in key_lines:
                line_moves = line._get_moves_to_send(late_reasons)
                if not line_moves:
                    continue
                groups.append((line.partner_id, line_moves.sudo()))
                move_steps.update(line._get_move_steps())
                if line_moves == line.move_ids:
                    # Edited for these very invoices: sent as edited.
                    edits[line_moves[:1].id] = {"subject": line.subject, "body_html": line.body}
            if groups:
                options = {"send_again": True} if send_again else {}
                vals_list += Run._run_step(
                    step.sudo(),
                    groups,
                    today,
                    approved=True,
                    template=template.sudo(),
                    edits=edits,
                    move_steps=move_steps,
                    **options,
                )
        events = self._record_sent(vals_list)
        events._supersede_pending()
        self.state = "done"
        return self._notify_sent(events, late_reasons)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _prepare_wizard_vals(self, moves):
        """One line per customer, company and step, and every invoice that
        will not be reminded with the reason why.

        Each invoice goes with the email step due for it today (see
        ``account.move._get_dunning_step_to_remind``): a customer whose
        invoices are at different steps gets one email, in the tone of the
        most advanced, as from the scheduled run (one per step with the
        company setting). A customer already reminded today is shown
        unticked, to be sent again only on purpose.
        """
        today = fields.Date.context_today(self)
        reasons = moves._get_dunning_block_reasons()
        line_vals, skipped = [], list(reasons.items())
        candidates = moves.filtered(lambda move: move not in reasons).sorted(
            lambda move: (move.invoice_date_due, move.id)
        )
        steps = {move: move._get_dunning_step_to_remind(today) for move in candidates}
        not_due = candidates.filtered(lambda move: not steps[move])
        skipped += [(move, self._get_not_due_reason(move, today)) for move in not_due]
        candidates -= not_due
        history = self.env["account.dunning.event"]._get_reminder_history(candidates, today)
        for (company, partner, _step), customer_moves in candidates.grouped(
            lambda move: self._get_message_key(move, steps[move])
        ).items():
            move_steps = {move: steps[move] for move in customer_moves}
            step = self.env["account.dunning.run"]._get_lead_step(
                customer_moves.mapped(lambda move: steps[move])
            )
            reason = self._get_customer_skip_reason(partner, customer_moves, step)
            if reason:
                skipped += [(move, reason) for move in customer_moves]
                continue
            line_vals.append(
                Command.create(
                    self._prepare_line_vals(
                        partner, company, step, customer_moves, history, move_steps
                    )
                )
            )
        return {
            "line_ids": line_vals,
            "skipped_ids": self._prepare_skipped_vals(skipped),
        }

    @api.model
    def _prepare_review_vals(self, events):
        """The wizard on steps waiting for approval: each customer's email
        previewed and editable before it is approved and sent."""
        Run = self.env["account.dunning.run"]
        not_email = events.filtered(
            lambda event: not Run._dunning_channel_can(event.channel, "review")
        )
        if not_email:
            raise UserError(
                _(
                    "Only emails can be reviewed before approval; approve the others "
                    "directly: %(events)s.",
                    events=", ".join(
                        f"{event.move_id.name} ({event.step_id.name})" for event in not_email
                    ),
                )
            )
        today = fields.Date.context_today(self)
        moves = events.move_id
        reasons = moves._get_dunning_block_reasons()
        open_events = events.filtered(lambda event: event.move_id not in reasons)
        history = self.env["account.dunning.event"]._get_reminder_history(
            open_events.move_id, today
        )
        line_vals = []
        for (company, partner, _step), customer_events in open_events.grouped(
            lambda event: self._get_message_key(event.move_id, event.step_id)
        ).items():
            customer_moves = customer_events.move_id.sorted(
                lambda move: (move.invoice_date_due, move.id)
            )
            move_steps = {event.move_id: event.step_id for event in customer_events}
            step = self.env["account.dunning.run"]._get_lead_step(customer_events.step_id)
            line_vals.append(
                Command.create(
                    self._prepare_line_vals(
                        partner, company, step, customer_moves, history, move_steps
                    )
                )
            )
        return {
            "approval_event_ids": [Command.set(events.ids)],
            "line_ids": line_vals,
            "skipped_ids": self._prepare_skipped_vals(reasons.items()),
        }

    def _get_late_review_reasons(self, moves):
        """{invoice: reason} for the invoices whose step waiting for approval
        was approved or rejected by someone else since the wizard opened."""
        if not self.approval_event_ids:
            return {}
        decided = self.approval_event_ids.sudo().filtered(lambda event: event.state != "pending")
        # Out of the comprehension: _() finds the language in this frame.
        reason = _("Its step was approved or rejected by someone else meanwhile.")
        return dict.fromkeys(moves & decided.move_id.with_env(self.env), reason)

    def _record_sent(self, vals_list):
        """Record what was sent: on the steps waiting for approval when they
        are the ones sent (approved), else as new events."""
        Event = self.env["account.dunning.event"]
        pending = {
            (event.move_id.id, event.step_id.id): event
            for event in self.approval_event_ids.sudo()
            if event.state == "pending"
        }
        approved, new_vals = Event.sudo(), []
        for vals in vals_list:
            event = pending.get((vals["move_id"], vals["step_id"]))
            if event:
                event.write(vals)
                approved |= event
            else:
                new_vals.append(vals)
        approved._apply_to_moves()
        return approved | self.env["account.dunning.run"]._record_events(new_vals)

    @api.model
    def _prepare_skipped_vals(self, skipped):
        """The Skipped list, from (invoice, reason)."""
        return [
            Command.create(
                {"move_id": move.id, "partner_id": move.commercial_partner_id.id, "reason": reason}
            )
            for move, reason in skipped
        ]

    @api.model
    def _get_message_key(self, move, step):
        """The invoices of one email: a customer's in a company, or with the
        company setting of one message per step, those at the same step."""
        per_step = move.company_id.dunning_one_message_per_step
        return (move.company_id, move.commercial_partner_id, step if per_step else False)

    @api.model
    def _prepare_line_vals(self, partner, company, step, moves, history, move_steps):
        """A customer's line: its invoices, each with its own step
        (``move_steps``), in the tone of ``step``, what it already received,
        and whether it was reminded today."""
        last_event = history["last"].get(partner)
        today_event = history["today"].get(partner)
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "move_ids": [Command.set(moves.ids)],
            "step_map": json.dumps({str(move.id): step.id for move, step in move_steps.items()}),
            "step_id": step.id,
            "snapshot": self._get_snapshot(moves),
            "last_reminder_date": last_event.date if last_event else False,
            "last_reminder_step_id": last_event.step_id.id if last_event else False,
            "reminder_count": sum(history["counts"].get(move.id, 0) for move in moves),
            "reminded_today": today_event._get_reminded_today_label() if today_event else False,
        }

    @api.model
    def _get_not_due_reason(self, move, today):
        """Why an invoice is not proposed: it is past the email steps due,
        or no email step is due for it yet."""
        furthest = move._get_dunning_furthest_step()
        if furthest and any(
            step._dunning_channel_can("review") and step._is_due_for(move.dunning_date_due, today)
            for step in move.sudo().dunning_sequence_id.reminder_step_ids
        ):
            waiting = move.sudo().dunning_event_ids.filtered(
                lambda event: event.state == "pending" and event.step_id == furthest.sudo()
            )
            if waiting:
                return _(
                    "%(step)s is waiting for approval or printing: an earlier reminder "
                    "is not sent.",
                    step=furthest.display_name,
                )
            return _(
                "It already reached %(step)s: an earlier reminder is not sent.",
                step=furthest.display_name,
            )
        ahead = (
            move.sudo()
            .dunning_sequence_id.reminder_step_ids.filtered(
                lambda step: step._dunning_channel_can("review")
                and not step._is_due_for(move.dunning_date_due, today)
            )
            .sorted("offset_days")[:1]
        )
        if ahead:
            return _(
                "Not due yet: its first email reminder, %(step)s, is on %(date)s.",
                step=ahead.display_name,
                date=format_date(self.env, ahead._get_date(move.dunning_date_due)),
            )
        return _("Not due yet: no email step of its dunning sequence is due for it.")

    @api.model
    def _get_customer_skip_reason(self, partner, moves, step):
        """Why a customer gets no reminder from the wizard, if so."""
        if not step:
            return _("Its dunning sequence has no email step.")
        if not partner._get_reminder_recipients():
            return _("The customer has no email address, nor has any of its invoice contacts.")
        return False

    @api.model
    def _get_snapshot(self, moves):
        """The last dunning event of each invoice, to notice reminders sent
        by someone else while the wizard is open."""
        return json.dumps({str(move.id): max(move.dunning_event_ids.ids or [0]) for move in moves})

    def _notify_sent(self, events, late_reasons):
        """Say what was queued: the emails leave with Odoo's mail queue,
        which is asked to run now."""
        sent = events.filtered(lambda event: event.state in ("sent", "queued"))
        failed = events.filtered(lambda event: event.state == "failed")
        message = _(
            "Reminder emails queued: %(customers)s. Invoices reminded: %(invoices)s.",
            customers=len(sent.mail_id),
            invoices=len(sent),
        )
        if sent.mail_id:
            message += " " + self.env["account.dunning.mailer"]._trigger_mail_queue()
        if failed:
            message += " " + _(
                "Invoices failed: %(count)s, see their dunning history.", count=len(failed)
            )
        held = events.filtered(lambda event: event.event_type == "probably_paid")
        if held:
            message += " " + _(
                "Invoices held because the customer probably paid: %(count)s; their "
                "responsible is asked to reconcile the money found.",
                count=len(held),
            )
        skipped = len(self.skipped_ids) + len(late_reasons)
        if skipped:
            message += " " + _("Invoices skipped: %(count)s.", count=skipped)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if failed else "success",
                "message": message,
                "sticky": bool(failed or late_reasons or held),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
