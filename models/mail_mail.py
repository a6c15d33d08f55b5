# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import timedelta

from odoo import _, fields, models

# Failures that sending again cannot mend.
PERMANENT_FAILURE_TYPES = (
    "mail_email_invalid",
    "mail_email_missing",
    "mail_from_invalid",
    "mail_from_missing",
    "mail_bounce",
)
# An SMTP reply code in a failure reason: (550, b'...') or "550 5.1.1 ...".
SMTP_CODE = re.compile(r"(?:\(|^|\s)([245])\d\d[,\s]")
# A reminder the mail server keeps refusing for a temporary reason is
# given up after this many tries, the delay doubling from the first.
MAX_SEND_ATTEMPTS = 10
FIRST_RETRY_DELAY = timedelta(minutes=5)


class MailMail(models.Model):
    _inherit = "mail.mail"

    dunning_send_attempts = fields.Integer(
        help="Tries of the mail server that failed for a temporary reason.",
    )

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        # Before super: an auto-deleted mail would no longer point to its
        # events.
        events = (
            self.env["account.dunning.event"]
            .sudo()
            .search([("mail_id", "in", self.ids), ("state", "in", ("queued", "failed"))])
        )
        failed = events.filtered(lambda event: event.state == "failed")
        events -= failed
        if failed and (not failure_type or success_pids):
            # Sent again by a person from Odoo's emails: it left after all.
            failed._mark_sent_after_all(_("The email was sent again, and left."))
        retry = self.browse()
        if events:
            # When the mail server cannot be reached at all (mail_smtp),
            # Odoo writes the reason on the mails but does not pass it: the
            # note needs it.
            reason = failure_reason
            if not reason and failure_type == "mail_smtp":
                reason = self[:1].failure_reason
            if not failure_type or success_pids:
                events._mark_delivered()
            elif self._is_dunning_temporary_failure(reason, failure_type):
                retry = events.mail_id.filtered(
                    lambda mail: mail.dunning_send_attempts + 1 < MAX_SEND_ATTEMPTS
                )
                (events - events.filtered(lambda event: event.mail_id in retry))._fail_after_send(
                    self._describe_dunning_failure(reason, failure_type, gave_up=True)
                )
            else:
                events._fail_after_send(self._describe_dunning_failure(reason, failure_type))
        res = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
        retry._dunning_retry_later()
        return res

    def _is_dunning_temporary_failure(self, failure_reason, failure_type):
        """Whether sending again may succeed: the server could not be
        reached, timed out, or answered with a 4xx code."""
        if failure_type in PERMANENT_FAILURE_TYPES:
            return False
        if failure_type == "mail_smtp":
            return True
        code = SMTP_CODE.search(failure_reason or "")
        return not code or code.group(1) == "4"

    def _describe_dunning_failure(self, failure_reason, failure_type, gave_up=False):
        """The failure in words, for the dunning history."""
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        label = labels.get(failure_type) or _("Unknown error")
        text = f"{label}: {failure_reason}" if failure_reason else label
        if gave_up:
            text = _(
                "The email could not be sent after %(count)s tries: %(failure)s",
                count=MAX_SEND_ATTEMPTS,
                failure=text,
            )
        return text

    def _dunning_retry_later(self):
        """Put back in the mail queue, for a later try, reminders that failed
        for a temporary reason: their events stay queued."""
        now = fields.Datetime.now()
        for mail in self.exists():
            attempts = mail.dunning_send_attempts + 1
            mail.write(
                {
                    "state": "outgoing",
                    "dunning_send_attempts": attempts,
                    "scheduled_date": now + FIRST_RETRY_DELAY * 2 ** (attempts - 1),
                }
            )
            mail.notification_ids.sudo().write(
                {"notification_status": "ready", "failure_type": False, "failure_reason": False}
            )
