# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningCase

REPLY = """From: Bistrot du Port <contact@bistrot.example.com>
To: {to}
Subject: {subject}
Message-ID: <{message_id}@bistrot.example.com>
In-Reply-To: {parent}
References: {parent}
Date: Tue, 10 Mar 2026 10:00:00 +0100
MIME-Version: 1.0
{headers}Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}
"""

BOUNCE = """From: MAILER-DAEMON@mx.bistrot.example.com
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-{message_id}@mx.bistrot.example.com>
Date: Tue, 10 Mar 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=utf-8

The mail system could not deliver the message: mailbox unknown.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bistrot.example.com

Final-Recipient: rfc822; contact@bistrot.example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BOUNDARY
Content-Type: message/rfc822

Message-ID: {parent}
From: billing@company.example.com
To: contact@bistrot.example.com
Subject: Reminder

Reminder body.

--BOUNDARY--
"""


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCustomerReply(DunningCase):
    """Replies and bounces of reminder emails, through Odoo's mail gateway
    with raw RFC 822 messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {
                "name": "company.example.com",
                "catchall_alias": "catchall",
                "bounce_alias": "bounce",
            }
        )
        cls.company.alias_domain_id = cls.alias_domain
        cls.company.dunning_reply_pause_days = 3

    def remind(self, **invoice_values):
        invoice = self.create_invoice(due=day(-1), **invoice_values)
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "queued")
        return invoice, event

    def receive(self, template, event, subject="Re: Reminder", body="Hello", headers="", n=1):
        raw = template.format(
            to="catchall@company.example.com"
            if template is REPLY
            else "bounce@company.example.com",
            subject=subject,
            message_id=f"reply-{event.id}-{n}",
            parent=event.message_id.message_id,
            headers=headers,
            body=body,
        )
        with freeze_time(TODAY):
            self.env["mail.thread"].message_process(None, raw.encode())
        self.env.invalidate_all()

    def test_reminders_reply_to_odoos_catchall(self):
        _invoice, event = self.remind()
        self.assertIn("catchall@company.example.com", event.mail_id.reply_to)

    def test_a_human_reply_pauses_the_customer_and_tells_the_responsible(self):
        invoice, event = self.remind()
        other = self.create_invoice(due=day(10))
        other_company_like = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.receive(REPLY, event, body="We paid on Friday, please check your bank.")

        reply = self.env["mail.message"].search(
            [("message_id", "=", f"<reply-{event.id}-1@bistrot.example.com>")]
        )
        self.assertEqual((reply.model, reply.res_id), ("res.partner", self.customer.id))
        replied = self.events(invoice).filtered(lambda e: e.event_type == "reply")
        self.assertEqual(len(replied), 1)
        self.assertEqual(replied.state, "received")
        self.assertEqual(replied.message_id, reply)
        self.assertIn("We paid on Friday", replied.note)
        # The customer's open invoices pause for 3 days; another customer's not.
        self.assertTrue(invoice.dunning_paused and other.dunning_paused)
        self.assertEqual(invoice.dunning_pause_until, day(3))
        self.assertIn("replied", invoice.dunning_pause_reason)
        self.assertFalse(other_company_like.dunning_paused)
        activity = replied.activity_id
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("Customer replied", activity.summary)
        self.assertIn("We paid on Friday", str(activity.note))
        workspace = self.env["account.dunning.customer"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(workspace.last_reply_date, TODAY)
        # The customer spoke: its status says so until the pause ends.
        self.assertEqual(workspace.status, "replied")
        self.assertEqual(workspace.status_until, day(3))

    def test_reminders_resume_after_the_pause_once(self):
        self.step_reminder2.offset_days = 3
        invoice, event = self.remind()
        self.receive(REPLY, event)

        def reminders():
            return self.events(invoice).filtered(lambda e: e.event_type == "reminder")

        for offset in range(1, 4):
            self.run_dunning(day(offset))
        self.assertEqual(len(reminders()), 1, "Reminder 2, due on day 2, waits while paused")
        self.run_dunning(day(4))
        self.run_dunning(day(4))
        self.assertFalse(invoice.dunning_paused)
        self.assertEqual(reminders().step_id, self.step_reminder1 | self.step_reminder2)
        self.assertEqual(reminders()[-1].date, day(4), "sent the day the pause ends, once")

    def test_a_longer_pause_is_kept(self):
        invoice, event = self.remind()
        with freeze_time(TODAY):
            invoice.action_dunning_pause(until=day(20), reason="Promised by phone")
        self.receive(REPLY, event)
        self.assertEqual(invoice.dunning_pause_until, day(20))
        self.assertEqual(invoice.dunning_pause_reason, "Promised by phone")

    def test_automatic_replies_do_not_pause(self):
        cases = [
            ("Auto-Submitted: auto-replied\n", "Re: Reminder"),
            ("X-Autoreply: yes\n", "Re: Reminder"),
            ("Precedence: auto_reply\n", "Re: Reminder"),
            ("", "Out of Office: back on Monday"),
            ("", "Réponse automatique : absent jusqu'au 20"),
            ("", "Absent du bureau"),
        ]
        invoice, event = self.remind()
        for index, (headers, subject) in enumerate(cases, start=1):
            with self.subTest(headers=headers, subject=subject):
                self.receive(REPLY, event, subject=subject, headers=headers, n=index)
                self.assertFalse(invoice.dunning_paused)
                auto = self.events(invoice).filtered(lambda e: e.event_type == "auto_reply")
                self.assertEqual(len(auto), index, "recorded as an automatic reply")
                self.assertFalse(auto.activity_id)
        self.assertFalse(self.events(invoice).filtered(lambda e: e.event_type == "reply"))

    def test_auto_submitted_no_is_a_person(self):
        invoice, event = self.remind()
        self.receive(REPLY, event, headers="Auto-Submitted: no\n")
        self.assertTrue(invoice.dunning_paused)

    def test_reply_to_another_email_is_left_alone(self):
        invoice, _event = self.remind()
        note = self.customer.message_post(body="Unrelated", message_type="comment")
        raw = REPLY.format(
            to="catchall@company.example.com",
            subject="Re: Unrelated",
            message_id="other-1",
            parent=note.message_id,
            headers="",
            body="About something else",
        )
        with freeze_time(TODAY):
            self.env["mail.thread"].message_process(None, raw.encode())
        self.assertFalse(invoice.dunning_paused)
        self.assertEqual(len(self.events(invoice)), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_bounce_fails_the_reminder_and_plans_a_call(self):
        invoice, event = self.remind()
        # The mail server took it: the bounce comes later.
        event._mark_delivered()
        self.assertEqual(event.state, "sent")
        self.receive(BOUNCE, event)
        self.assertEqual(event.state, "failed")
        self.assertIn("bounced", event.note)
        self.assertIn("mailbox unknown", event.note)
        self.assertIn("contact@bistrot.example.com", event.note)
        self.assertEqual(
            event.activity_id.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(event.activity_id.user_id, self.salesperson)
        self.assertIn("bounced", event.activity_id.summary)
        self.assertTrue(invoice.dunning_last_failed)
        self.assertGreaterEqual(self.customer.message_bounce, 1, "the address is flagged")
        # A second bounce of the same email changes nothing more.
        self.receive(BOUNCE, event, n=2)
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "account.move"), ("res_id", "=", invoice.id)]
            ),
            1,
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_bounce_falls_back_to_a_letter_when_the_step_says_so(self):
        self.step_reminder1.bounce_fallback = "letter"
        invoice, event = self.remind()
        self.receive(BOUNCE, event)
        self.assertEqual(event.state, "failed")
        self.assertIn("letter is ready", event.note)
        letter = self.events(invoice).filtered(lambda e: e.state == "pending")
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.channel, "letter")
        self.assertEqual(letter.attachment_id.mimetype, "application/pdf")

    def test_an_error_in_the_dunning_never_loses_the_reply(self):
        invoice, event = self.remind()
        # Broken data, behind the ORM's back: a pause beyond the calendar.
        self.env.cr.execute(
            "UPDATE res_company SET dunning_reply_pause_days = 100000000 WHERE id = %s",
            [self.company.id],
        )
        self.env.invalidate_all()
        with mute_logger("odoo.addons.account_dunning.models.mail_thread"):
            self.receive(REPLY, event, body="Still kept")
        reply = self.env["mail.message"].search(
            [("message_id", "=", f"<reply-{event.id}-1@bistrot.example.com>")]
        )
        self.assertIn("Still kept", str(reply.body))
        self.assertFalse(self.events(invoice).filtered(lambda e: e.event_type == "reply"))
