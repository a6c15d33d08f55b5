# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models


class AccountDunningEvent(models.Model):
    """Approving the steps that wait for a person: they go through the run
    like the scheduled ones."""

    _inherit = "account.dunning.event"

    def action_approve(self):
        """Run the steps waiting for approval, one message per customer and
        channel. Checked again now: those whose invoice was paid since are
        dropped, those the customer answered since (promise, dispute, said
        paid...) or paused stay waiting; the person is told why."""
        pending = self._check_pending()
        today = fields.Date.context_today(self)
        gone = pending.filtered(lambda event: not event.step_id)
        gone._skip(_("The step was deleted before approval."))
        ready, blocked = (pending - gone)._split_still_due(today)
        move_steps = {event.move_id.sudo(): event.step_id.sudo() for event in ready}
        event_by_move = {event.move_id.id: event for event in ready}
        Run = self.env["account.dunning.run"]
        for vals in Run._run_steps(move_steps, today, approved=True):
            event_by_move[vals["move_id"]].sudo().write(dict(vals, user_id=self.env.uid))
        pending._apply_to_moves()
        return self._notify_not_sent(blocked)
