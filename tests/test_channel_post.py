# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from odoo.addons.iap.tools import iap_tools

from .common import TODAY, DunningCase
from .test_reports import pdf_text


def day(offset):
    return TODAY + timedelta(days=offset)


# Real PDFs: wkhtmltopdf fetches the report's assets from Odoo's HTTP
# server, which Odoo's own test runner does not serve to a TransactionCase.
# Out of Odoo's standard runs, like Odoo's own tests of real PDF letters;
# scripts/test.sh runs them.
@tagged("-standard", "post_install", "-at_install", "external")
class TestChannelPost(DunningCase):
    """Letters sent by post with Odoo's Snailmail; only the IAP service is
    mocked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        france = cls.env.ref("base.fr")
        cls.company.partner_id.write(
            {"street": "3 rue de la Paix", "zip": "69002", "city": "Lyon", "country_id": france.id}
        )
        cls.customer.write(
            {
                "street": "12 quai du Port",
                "zip": "13002",
                "city": "Marseille",
                "country_id": france.id,
            }
        )
        cls.accountant = cls.create_accountant()
        cls.customer.dunning_responsible_id = cls.accountant
        cls.step_reminder1.channel = "post"

    @contextmanager
    def mock_snailmail(self, error=None):
        """Snailmail's IAP service answering each letter with success, or
        with ``error``."""
        self.posted = []

        def iap_jsonrpc(url, params=None, **kwargs):
            self.assertTrue(url.endswith("/iap/snailmail/1/print"))
            documents = []
            for document in params["documents"]:
                self.posted.append(document)
                if error:
                    documents.append(
                        {"letter_id": document["letter_id"], "sent": False, "error": error}
                    )
                else:
                    documents.append(
                        {"letter_id": document["letter_id"], "sent": True, "send_id": "TRACK42"}
                    )
            return {"request_code": 200, "request": {"documents": documents}}

        with patch.object(iap_tools, "iap_jsonrpc", side_effect=iap_jsonrpc):
            yield

    def post(self, letters):
        """What Snailmail's scheduled job does for each letter, without its
        commit."""
        for letter in letters:
            letter._snailmail_print_valid_address()

    def test_letter_is_queued_to_snailmail(self):
        first = self.create_invoice(due=day(-1), amount=111)
        second = self.create_invoice(due=day(-1), amount=222)
        self.run_dunning()
        events = self.events(first | second)
        self.assertEqual(events.mapped("channel"), ["post", "post"])
        self.assertEqual(events.mapped("state"), ["queued", "queued"])
        letter = events.letter_id
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.state, "pending")
        self.assertEqual((letter.model, letter.res_id), ("account.move", first.id))
        self.assertEqual(letter.partner_id, self.customer)
        self.assertEqual(
            letter.report_template, self.env.ref("account_dunning.action_report_dunning_letter")
        )
        self.assertEqual(letter.city, "Marseille")
        self.assertEqual(events.attachment_id, letter.attachment_id)
        text = pdf_text(letter.attachment_id.raw)
        self.assertIn(first.name, text)
        self.assertIn(second.name, text)
        self.assertIn("Payment reminder", text)
        # Snailmail's own message on the invoice.
        self.assertIn(letter.message_id, first.message_ids)
        # Not a letter to print by hand.
        self.assertFalse(events.filtered(lambda event: event.state == "pending"))

    def test_event_is_sent_when_snailmail_posts_the_letter(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        with self.mock_snailmail():
            self.post(event.letter_id)
        self.assertEqual(len(self.posted), 1)
        self.assertEqual(self.posted[0]["address"]["city"], "Marseille")
        self.assertTrue(self.posted[0]["pdf_bin"])
        self.assertEqual(event.letter_state, "sent")
        self.assertEqual(event.state, "sent")
        self.assertFalse(invoice.dunning_last_failed)

    def test_event_fails_when_snailmail_refuses_the_letter(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        with self.mock_snailmail(error="NO_PRICE_AVAILABLE"):
            self.post(event.letter_id)
        self.assertEqual(event.letter_state, "error")
        self.assertEqual(event.state, "failed")
        self.assertIn("could not be sent by post", event.note)
        self.assertIn("The country of the partner is not covered by Snailmail.", event.note)
        self.assertNotIn("<br>", event.note)
        self.assertTrue(invoice.dunning_last_failed)
        self.assertEqual(event.activity_id.user_id, self.accountant)
        self.assertIn("not covered by Snailmail", event.activity_id.note)

    def test_letter_posted_after_all_turns_the_failed_event_sent(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        with self.mock_snailmail(error="CREDIT_ERROR"):
            self.post(event.letter_id)
        self.assertEqual(event.state, "failed")
        self.assertIn("enough credits", event.note)
        activity = event.activity_id
        self.assertTrue(activity)
        # Snailmail's scheduled job tries letters refused for credits again.
        with self.mock_snailmail():
            self.post(event.letter_id)
        self.assertEqual(event.state, "sent")
        self.assertIn("sent by post after all", event.note)
        self.assertFalse(activity.exists())
        self.assertFalse(invoice.dunning_last_failed)
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)

    def test_cancelled_letter_fails_the_event(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        event.letter_id.cancel()
        self.assertEqual(event.state, "failed")
        self.assertIn("cancelled", event.note)

    def test_customer_without_complete_address_fails_visibly(self):
        self.customer.country_id = False
        invoice = self.create_invoice(due=day(-1))
        ok = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.customer_b.write(
            {
                "street": "5 rue Martin",
                "zip": "75011",
                "city": "Paris",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertFalse(event.letter_id)
        self.assertIn("no complete postal address", event.note)
        self.assertEqual(event.activity_id.user_id, self.accountant)
        self.assertEqual(event.activity_id.res_id, invoice.id)
        self.assertFalse(
            self.env["snailmail.letter"].search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(self.events(ok).state, "queued")

    def test_accountant_approves_a_letter_by_post(self):
        self.step_reminder1.auto = False
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "pending")
        with freeze_time(TODAY):
            event.with_user(self.accountant).action_approve()
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.letter_id.partner_id, self.customer)
        values = event.with_user(self.accountant).web_read(
            {"letter_id": {"fields": {"display_name": {}}}, "letter_state": {}}
        )[0]
        self.assertEqual(values["letter_state"], "pending")
        with self.mock_snailmail():
            self.post(event.letter_id)
        self.assertEqual(event.state, "sent")
