# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .account_move import USER_WRITE_CONTEXT


class AccountMove(models.Model):
    """The invoice's dunning actions that go through the run or record
    events: send now, skip to a step, resolve a dispute, and the invoices a
    reminder lists as the run would send it. The run and the events read
    the invoice's state in account_move.py, never these."""

    _inherit = "account.move"

    dunning_reminder_move_ids = fields.Many2many(
        "account.move",
        string="Invoices in the Reminder",
        compute="_compute_dunning_reminder_move_ids",
        help="For reminder templates: the customer's invoices that this "
        "reminder is about. The template is rendered on the oldest of them.",
    )

    @api.depends_context("dunning_reminder_groups")
    def _compute_dunning_reminder_move_ids(self):
        groups = self.env.context.get("dunning_reminder_groups")
        if groups is not None:
            groups = dict(groups)
            for move in self:
                move.dunning_reminder_move_ids = self.browse(
                    groups.get(move._origin.id, move._origin.ids)
                )
            return
        # Rendered outside a channel (a template's preview, the editor's
        # placeholders): the invoices the run's message would list today.
        listed = self.env["account.dunning.run"].sudo()._get_message_moves(self._origin)
        for move in self:
            move.dunning_reminder_move_ids = self.browse(listed.get(move._origin, move._origin).ids)

    def action_dunning_resolve_dispute(self):
        """The dispute is settled: the invoice gets its reminders again, the
        latest step now due first."""
        self._check_dunning_access()
        disputed = self.sudo().filtered("dunning_dispute_reason_id")
        Event = self.env["account.dunning.event"].sudo()
        today = fields.Date.context_today(self)
        note = _("Dispute resolved by %(user)s.", user=self.env.user.name)
        Event.create(
            [
                Event._prepare_manual_event_vals(
                    move,
                    today,
                    "dispute",
                    call_outcome="reached",
                    note=note,
                )
                for move in disputed
            ]
        )
        disputed.with_context(**USER_WRITE_CONTEXT).write({"dunning_dispute_reason_id": False})
        return True

    def action_dunning_send_now(self):
        """Send now the step a person sends (see
        ``_get_dunning_step_to_send``): a step waiting for approval is
        approved, an automatic one is run. Checked again under lock: invoices
        already reminded today are refused unless the user confirms sending
        again (context key ``dunning_send_again``, set by the confirmation)."""
        self._check_dunning_access()
        moves = self._dunning_lock()
        moves._check_dunning_can_send()
        today = fields.Date.context_today(self)
        send_again = self.env.context.get("dunning_send_again")
        if not send_again:
            moves._check_dunning_not_reminded_today(today)
        pending = moves.sudo().dunning_event_ids.filtered(lambda event: event.state == "pending")
        approvable = pending.filtered(
            lambda event: not event.attachment_id and event.event_type == "reminder"
        )
        approvable.action_approve()
        printed = pending - approvable
        rest = moves.sudo() - pending.move_id
        without_step = rest.filtered(lambda move: not move._get_dunning_step_to_send(today))
        if without_step:
            raise UserError(
                _(
                    "No dunning step is left to send for %(invoices)s.",
                    invoices=", ".join(without_step.mapped("display_name")),
                )
            )
        events = self.env["account.dunning.run"]._send_now(rest, today, send_again=send_again)
        return self._dunning_notify_result(events | approvable, printed)

    def action_dunning_skip_to(self, step, send_now=False):
        """Go straight to ``step``: the steps between the last one done and
        it are recorded as skipped, and ``step`` comes next (today with
        ``send_now``)."""
        self._check_dunning_access()
        moves = self._dunning_lock().sudo()
        moves._check_dunning_can_send()
        if step not in step.sequence_id.reminder_step_ids:
            raise UserError(
                _(
                    "The step %(step)s is sent when the invoices are paid: it is not a "
                    "reminder to go to.",
                    step=step.display_name,
                )
            )
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
            lambda move: move._get_dunning_last_step().offset_days >= step.offset_days
            and move._get_dunning_last_step()
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
            skipped = move.dunning_sequence_id.reminder_step_ids.filtered(
                lambda other, move=move: other.offset_days < step.offset_days
                and other.offset_days > (move._get_dunning_last_step().offset_days or -(10**6))
                and other not in pending.step_id
            )
            vals_list += [
                Event._prepare_event_vals(move, other, "skipped", today, note=note)
                for other in skipped
            ]
        Event.create(vals_list)
        previous = step.sequence_id.reminder_step_ids.filtered(
            lambda other: other.offset_days < step.offset_days
        ).sorted("offset_days")[-1:]
        # Entering the step by hand: it is never stale.
        moves._dunning_write_step(
            {
                "dunning_step_id": previous.id,
                "dunning_start_date": False,
            }
        )
        if send_now:
            return moves.with_env(self.env).action_dunning_send_now()
        return True
