# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        # Before super: an auto-deleted mail would no longer point to its
        # events.
        if failure_type and not success_pids:
            events = (
                self.env["account.dunning.event"]
                .sudo()
                .search([("mail_id", "in", self.ids), ("state", "=", "sent")])
            )
            events._fail_after_send(failure_reason or failure_type)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
