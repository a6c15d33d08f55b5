# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, models
from odoo.tools import format_date, html2plaintext

_logger = logging.getLogger(__name__)

# RFC 3834 and the headers of the usual mail servers for automatic replies.
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
AUTO_PRECEDENCES = ("auto_reply", "bulk", "junk", "list")
# Subjects of out-of-office and automatic replies, in English and French.
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[\s_-]*repl(y|ies)|auto:|autoreply|out of (the )?office"
    r"|r[ée]ponse automatique|absent(e)? du bureau|message d'absence|absence)",
    re.IGNORECASE,
)
# Characters of a reply kept in the notes and tasks.
REPLY_EXCERPT = 500


class AccountDunningEvent(models.Model):
    """What the customer answers to a reminder by email: a reply pauses the
    customer's dunning and asks its responsible to read it, an automatic
    reply is only recorded, a bounce fails the reminder and falls back to a
    call or a letter."""

    _inherit = "account.dunning.event"

    # ------------------------------------------------------------------
    # Replies
    # ------------------------------------------------------------------

    @api.model
    def _process_customer_reply(self, message, message_dict):
        """Called by the mail gateway for each incoming email routed to a
        document: when it answers a reminder, record it and act.

        :param message: the email (``email.message.EmailMessage``)
        :param message_dict: the gateway's parsed values of it
        :return: the events recording the reply
        """
        Event = self.sudo()
        reminders = self._get_replied_reminders(message_dict)
        if not reminders:
            return Event
        reply = (
            self.env["mail.message"]
            .sudo()
            .search([("message_id", "=", message_dict.get("message_id"))], limit=1)
        )
        company = reminders.company_id[:1]
        in_company = self.with_company(company).with_context(**company._get_dunning_context())
        today = company.with_env(in_company.env)._get_dunning_today()
        automatic = in_company._is_auto_reply(message, message_dict)
        text = in_company._get_reply_excerpt(message_dict)
        partner = reminders.partner_id[:1]
        if automatic:
            note = _("Automatic reply, not a person: %(text)s", text=text)
        else:
            paused = in_company._pause_after_reply(partner, company, today)
            note = _(
                "The customer replied: %(text)s Reminders paused until %(date)s.",
                text=text,
                date=format_date(in_company.env, paused),
            )
        vals_list = [
            Event._prepare_event_vals(
                event.move_id,
                event.step_id,
                "received",
                today,
                channel="email",
                event_type="auto_reply" if automatic else "reply",
                message_id=reply.id,
                note=note,
            )
            for event in reminders
        ]
        if not automatic:
            activity = in_company.env["mail.activity"]._create_dunning_activities(
                [
                    (
                        reminders.move_id,
                        reminders.move_id[:1]._get_dunning_responsible(),
                        self.env.ref("mail.mail_activity_data_todo"),
                        _("Customer replied: %(subject)s", subject=message_dict.get("subject")),
                        Markup("<p>%s</p>") % text
                        + reminders.move_id.with_env(in_company.env)._get_dunning_activity_note(
                            partner
                        ),
                    )
                ],
                today,
            )
            for vals in vals_list:
                vals["activity_id"] = activity.id
        return Event.create(vals_list)

    @api.model
    def _get_replied_reminders(self, message_dict):
        """The reminder events of the reminder email this email answers."""
        parent_id = message_dict.get("parent_id")
        if not parent_id:
            return self.browse()
        return self.sudo().search(
            [
                ("message_id", "=", parent_id),
                ("event_type", "=", "reminder"),
                ("state", "in", ("queued", "sent", "failed")),
            ]
        )

    @api.model
    def _is_auto_reply(self, message, message_dict):
        """Whether an email was sent by a machine rather than a person:
        RFC 3834's Auto-Submitted, the autoreply headers of the usual mail
        servers, a bulk precedence, or an out-of-office subject."""
        auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
        if auto_submitted and auto_submitted != "no":
            return True
        if any(message.get(header) for header in AUTO_REPLY_HEADERS):
            return True
        if (message.get("Precedence") or "").strip().lower() in AUTO_PRECEDENCES:
            return True
        return bool(AUTO_REPLY_SUBJECT.search(message_dict.get("subject") or ""))

    @api.model
    def _get_reply_excerpt(self, message_dict):
        """The beginning of a reply, in plain text."""
        text = " ".join(html2plaintext(message_dict.get("body") or "").split())
        if len(text) > REPLY_EXCERPT:
            text = text[:REPLY_EXCERPT] + "…"
        return text or _("(empty)")

    @api.model
    def _pause_after_reply(self, partner, company, today):
        """Pause the customer's open invoices of ``company`` for the days of
        the company's setting, unless they are paused longer already.

        :return: the last day of the pause
        """
        until = today + timedelta(days=company.dunning_reply_pause_days)
        Move = self.env["account.move"].sudo()
        moves = Move.search(
            Move._get_dunning_remindable_domain()
            + [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", company.id),
            ]
        ).filtered(
            lambda move: not move.dunning_paused
            or (move.dunning_pause_until and move.dunning_pause_until < until)
        )
        reason = _(
            "The customer replied on %(date)s: read the reply before reminding again.",
            date=format_date(self.env, today),
        )
        moves.action_dunning_pause(until=until, reason=reason, origin="reply")
        return until

    # ------------------------------------------------------------------
    # Bounces
    # ------------------------------------------------------------------

    @api.model
    def _process_reminder_bounce(self, message_dict):
        """A reminder email bounced: its reminder failed, with the reason,
        and the step's fallback takes over: a call for the responsible, or a
        letter to print.

        :return: the events of the reminders that bounced
        """
        bounced = message_dict.get("bounced_message")
        if not bounced:
            return self.browse()
        events = self.sudo().search(
            [
                ("message_id", "in", bounced.ids),
                ("event_type", "=", "reminder"),
                ("state", "in", ("queued", "sent")),
            ]
        )
        events = events.filtered(lambda event: event._dunning_channel_can("bounces"))
        if not events:
            return events
        company = events.company_id[:1]
        in_company = self.with_company(company).with_context(**company._get_dunning_context())
        today = company.with_env(in_company.env)._get_dunning_today()
        reason = " ".join(html2plaintext(message_dict.get("body") or "").split())[:REPLY_EXCERPT]
        note = _(
            "The reminder email to %(email)s bounced: %(reason)s",
            email=message_dict.get("bounced_email") or _("the customer"),
            reason=reason or _("no reason given"),
        )
        for step, step_events in events.grouped("step_id").items():
            in_company._fall_back_after_bounce(step, step_events, note, today)
        return events

    @api.model
    def _fall_back_after_bounce(self, step, events, note, today):
        """The next channel of a bounced reminder: a letter to print when the
        step says so, else a call."""
        if step.bounce_fallback == "letter":
            events._fail_queued(note + " " + _("A letter is ready to print instead."), "message_id")
            Run = self.env["account.dunning.run"]
            groups = events.move_id.filtered("dunning_sequence_id")._dunning_group_by_customer()
            return Run._record_events(Run._run_channel(step, groups, today, channel="letter"))
        events._fail_queued(
            note,
            "message_id",
            activity_type=self.env.ref("mail.mail_activity_data_call"),
            summary=_("Call: the reminder email bounced (%(step)s)", step=step.display_name),
        )
        return self.browse()
