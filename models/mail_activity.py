# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .account_dunning_event import CALL_OUTCOMES
from .html_batch import create_with_html


class MailActivity(models.Model):
    _inherit = "mail.activity"

    dunning_event_ids = fields.One2many(
        "account.dunning.event",
        "activity_id",
        string="Dunning Events",
    )
    is_dunning_call = fields.Boolean(compute="_compute_is_dunning_call")
    dunning_call_outcome = fields.Selection(
        CALL_OUTCOMES,
        string="Call Outcome",
        help="Recorded on the dunning history when the activity is marked as done.",
    )
    dunning_promise_date = fields.Date(
        string="Promised Payment Date",
        help="Reminders are paused until this date.",
    )

    @api.depends("dunning_event_ids.channel")
    def _compute_is_dunning_call(self):
        for activity in self:
            activity.is_dunning_call = any(
                event._dunning_channel_can("activity")
                for event in activity.sudo().dunning_event_ids
            )

    def _action_done(self, feedback=False, attachment_ids=None):
        self._record_dunning_outcome(feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def _record_dunning_outcome(self, feedback):
        """Record the outcome of dunning calls and actions on their events;
        a promise to pay pauses the invoices' reminders until its date."""
        for activity in self.filtered("is_dunning_call"):
            outcome = activity.dunning_call_outcome or "reached"
            promise_date = activity.dunning_promise_date
            if outcome == "promise" and not promise_date:
                raise UserError(
                    _("A promise to pay needs the date by which the customer will pay.")
                )
            events = activity.sudo().dunning_event_ids
            # The outcome goes into the history and may pause the invoices:
            # the same right as pausing them by hand.
            events.move_id.with_env(self.env)._check_dunning_access()
            label = dict(self._fields["dunning_call_outcome"]._description_selection(self.env))
            note = _("Outcome: %(outcome)s.", outcome=label[outcome])
            if feedback:
                note += " " + feedback
            events.write(
                {
                    "call_outcome": outcome,
                    "promise_date": promise_date if outcome == "promise" else False,
                    "note": "\n".join(filter(None, [events[:1].note, note])),
                }
            )
            if outcome == "promise":
                moves = events.move_id.filtered(lambda move: move._dunning_is_open())
                moves.action_dunning_pause(
                    until=promise_date,
                    reason=_(
                        "Promise to pay by %(date)s", date=format_date(self.env, promise_date)
                    ),
                    origin="promise",
                )
            elif outcome == "dispute":
                # Disputed on the phone as from the customer's page: out of
                # the sequence until someone resolves it.
                moves = events.move_id.filtered(
                    lambda move: move._dunning_is_open() and not move.dunning_dispute_reason_id
                )
                moves._dunning_write(
                    {"dunning_dispute_reason_id": self._get_dunning_call_dispute_reason().id}
                )

    @api.model
    def _create_dunning_activities(self, specs, today):
        """Create activities from (invoices, user, type, summary, note), on
        the oldest invoice of each group, in one batch."""
        model_id = self.env["ir.model"]._get_id("account.move")
        todo = self.env.ref("mail.mail_activity_data_todo")
        # The notes are built from escaped values: nothing to sanitize.
        return create_with_html(
            self.sudo().with_context(mail_activity_quick_update=True),
            [
                {
                    "res_model_id": model_id,
                    "res_id": moves[:1].id,
                    "activity_type_id": (activity_type or todo).id,
                    "user_id": user.id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": today,
                }
                for moves, user, activity_type, summary, note in specs
            ],
            "note",
            sanitize=False,
        )

    @api.model
    def _get_dunning_call_dispute_reason(self):
        """The reason of a dispute told on the phone: the note says more."""
        Reason = self.env["account.dunning.dispute.reason"].sudo()
        return self.env.ref("account_dunning.dispute_reason_other", raise_if_not_found=False) or (
            Reason.search([], limit=1)
        )
