# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import _, api, models
from odoo.tools import format_date


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    @api.model
    def _get_dunning_channels(self):
        channels = super()._get_dunning_channels()
        for channel in ("phone", "manual"):
            channels[channel].add("activity")
        return channels

    def _send_by_phone(self, step, groups, today, **options):
        """One call to make per customer."""
        return self._create_reminder_activities(step, groups, today)

    def _send_by_manual(self, step, groups, today, **options):
        """One manual action per customer."""
        return self._create_reminder_activities(step, groups, today)

    def _create_reminder_activities(self, step, groups, today):
        """One activity per customer, on its oldest invoice, for the person
        who must call or act."""
        Event = self.env["account.dunning.event"]
        deadline = Markup("<p><strong>%s</strong></p>") % _(
            "Payment now expected by %(date)s.",
            date=format_date(self.env, step._get_payment_deadline(today)),
        )
        activities = self.env["mail.activity"]._create_dunning_activities(
            [
                (
                    moves,
                    self._get_activity_user(step, moves),
                    step.activity_type_id,
                    step.display_name,
                    moves._get_dunning_activity_note(partner) + deadline,
                )
                for partner, moves in groups
            ],
            today,
        )
        return [
            Event._prepare_event_vals(move, step, "sent", today, activity_id=activity.id)
            for (_partner, moves), activity in zip(groups, activities, strict=True)
            for move in moves
        ]

    def _get_activity_user(self, step, moves):
        """Who gets the call or action: the step's responsible when they can
        still do it, else the invoices' dunning responsible."""
        lead = moves[:1]
        if step.activity_user_id._dunning_is_valid_responsible():
            return step.activity_user_id
        return lead._get_dunning_responsible()
