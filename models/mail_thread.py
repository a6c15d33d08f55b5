# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        thread_id = super()._message_route_process(message, message_dict, routes)
        Event = self.env["account.dunning.event"].sudo()
        self._dunning_on_incoming(
            lambda: Event._process_customer_reply(message, message_dict), message_dict
        )
        return thread_id

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        res = super()._routing_handle_bounce(email_message, message_dict)
        Event = self.env["account.dunning.event"].sudo()
        self._dunning_on_incoming(
            lambda: Event._process_reminder_bounce(message_dict), message_dict
        )
        return res

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        # What the customer's page changes, the customer did: its messages and
        # the tracking of what it wrote are the customer's, not the public
        # user's. Only for the public user, so that no user names another
        # author through the context.
        page_author_id = self.env.context.get("dunning_page_author_id")
        if author_id is None and not email_from and page_author_id and self.env.user._is_public():
            author_id = page_author_id
        return super()._message_compute_author(author_id, email_from, raise_on_email)

    @api.model
    def _dunning_on_incoming(self, act, message_dict):
        """Let the dunning act on an incoming email without ever losing the
        email: when the dunning cannot act, the email is kept all the same."""
        try:
            with self.env.cr.savepoint():
                act()
        except Exception:  # noqa: BLE001 - the email must be kept whatever happens
            _logger.exception(
                "Dunning: could not act on the incoming email %s", message_dict.get("message_id")
            )
