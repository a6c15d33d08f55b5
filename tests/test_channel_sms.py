# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged

from odoo.addons.sms.tests.common import MockSMS

from .common import TODAY, DunningCase

NUMBER = "+33612345678"


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestChannelSms(DunningCase, MockSMS):
    """Reminders by SMS through Odoo's SMS queue; only the IAP gateway is
    mocked, as the sms module's own tests do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["iap.account"].get("sms")
        cls.sms_template = cls.env.ref("account_dunning.sms_template_dunning_reminder")
        cls.step_reminder1.write({"channel": "sms", "sms_template_id": cls.sms_template.id})
        cls.accountant = cls.create_accountant()
        cls.customer.write({"mobile": NUMBER, "dunning_responsible_id": cls.accountant.id})

    def sms_of(self, invoices):
        self.run_dunning()
        events = self.events(invoices)
        self.assertEqual(set(events.mapped("channel")), {"sms"})
        return events

    def test_one_sms_per_customer_with_all_its_invoices(self):
        first = self.create_invoice(due=day(-1), amount=100)
        second = self.create_invoice(due=day(-1), amount=250)
        other = self.create_invoice(partner=self.customer_b, due=day(-1), amount=75)
        self.customer_b.phone = "+33478000000"
        events = self.sms_of(first | second | other)
        self.assertEqual(events.mapped("state"), ["queued"] * 3)
        ours = events.filtered(lambda event: event.partner_id == self.customer)
        self.assertEqual(len(ours.sms_id), 1)
        sms = ours.sms_id
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(sms.number, NUMBER)
        self.assertEqual(sms.partner_id, self.customer)
        for text in (first.name, second.name, "100.00", "250.00", "payment reminder"):
            self.assertIn(text, sms.body)
        self.assertNotIn(other.name, sms.body)
        # The other customer has no mobile: its phone gets its own SMS.
        other_sms = (events - ours).sms_id
        self.assertEqual(other_sms.number, "+33478000000")
        self.assertIn(other.name, other_sms.body)
        self.assertIn("SMS", first.message_ids[0].body)
        self.assertIn(NUMBER, ours[0].note)

    def test_queued_then_sent_when_the_gateway_takes_it(self):
        invoice = self.create_invoice(due=day(-1))
        event = self.sms_of(invoice)
        self.assertEqual(event.state, "queued")
        with self.mockSMSGateway():
            self.env["sms.sms"]._process_queue()
        self.assertEqual(len(self._sms), 1)
        self.assertEqual(self._sms[0]["number"], NUMBER)
        self.assertEqual(event.sms_state, "pending")
        self.assertEqual(event.state, "sent")
        self.assertFalse(invoice.dunning_last_failed)
        # Sent today: the next run does not send it again.
        self.run_dunning()
        self.assertEqual(len(self.events(invoice)), 1)

    def test_gateway_error_fails_the_event_with_the_reason(self):
        invoice = self.create_invoice(due=day(-1))
        event = self.sms_of(invoice)
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            self.env["sms.sms"]._process_queue()
        self.assertFalse(self._sms)
        self.assertEqual(event.state, "failed")
        self.assertIn("could not be sent: Wrong Number Format", event.note)
        self.assertIn(NUMBER, event.note)
        self.assertTrue(invoice.dunning_last_failed)
        activity = event.activity_id
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("Reminder failed", activity.summary)
        self.assertIn("Wrong Number Format", activity.note)

    def test_failed_sms_sent_again_turns_the_event_sent(self):
        invoice = self.create_invoice(due=day(-1))
        event = self.sms_of(invoice)
        with self.mockSMSGateway(sim_error="server_error"):
            self.env["sms.sms"]._process_queue()
        self.assertEqual(event.state, "failed")
        self.assertIn("Server Error", event.note)
        activity = event.activity_id
        with self.mockSMSGateway():
            event.sms_id.resend_failed()
        self.assertEqual(event.state, "sent")
        self.assertIn("sent after all", event.note)
        self.assertFalse(activity.exists())
        self.assertFalse(invoice.dunning_last_failed)

    def test_gateway_out_of_credit_fails_the_event(self):
        invoice = self.create_invoice(due=day(-1))
        event = self.sms_of(invoice)
        with self.mockSMSGateway(sim_error="credit"):
            self.env["sms.sms"]._process_queue()
        self.assertEqual(event.state, "failed")
        self.assertIn("Insufficient Credit", event.note)

    def test_customer_without_mobile_fails_visibly(self):
        self.customer.mobile = False
        invoice = self.create_invoice(due=day(-1))
        ok = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.customer_b.mobile = "+33699999999"
        event = self.sms_of(invoice)
        self.assertEqual(event.state, "failed")
        self.assertFalse(event.sms_id)
        self.assertIn("has no mobile or phone number", event.note)
        self.assertEqual(event.activity_id.user_id, self.accountant)
        self.assertEqual(event.activity_id.res_id, invoice.id)
        self.assertIn(invoice.name, event.activity_id.note)
        # The run went on for the others.
        self.assertEqual(self.events(ok).state, "queued")

    def test_step_without_sms_template_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "needs an SMS template"):
            self.step_reminder2.write({"channel": "sms", "sms_template_id": False})

    def test_sequence_warns_of_sms_step_without_template(self):
        sequence = self.env["account.dunning.sequence"].new(
            {
                "name": "No template",
                "step_ids": [Command.create({"name": "Text", "channel": "sms"})],
            }
        )
        self.assertIn("The SMS step Text needs an SMS template.", sequence.step_warning)

    def test_new_sms_step_gets_the_default_template(self):
        form = Form(self.env["account.dunning.sequence"])
        form.name = "By SMS"
        with form.step_ids.new() as step:
            step.name = "Text"
            step.offset_days = 3
            step.channel = "sms"
            self.assertEqual(step.sms_template_id, self.sms_template)
        sequence = form.save()
        self.assertEqual(sequence.step_ids.sms_template_id, self.sms_template)

    def test_sms_template_must_be_on_invoices(self):
        template = self.env["sms.template"].create(
            {
                "name": "Partner SMS",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Hello",
            }
        )
        with self.assertRaisesRegex(ValidationError, "rendered on invoices"):
            self.step_reminder1.sms_template_id = template

    def test_sms_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.company.phone = "+33478000001"
        self.customer.lang = "fr_FR"
        french = self.create_invoice(due=day(-1), amount=300)
        english = self.create_invoice(partner=self.customer_b, due=day(-1), amount=500)
        self.customer_b.mobile = "+33699999999"
        self.run_dunning()
        body_fr = self.events(french).sms_id.body
        body_en = self.events(english).sms_id.body
        self.assertIn(f"rappel de paiement pour {french.name} (", body_fr)
        self.assertIn("300,00", body_fr, "French number format")
        self.assertIn("nous contacter au +33478000001", body_fr)
        self.assertIn(f"payment reminder for {english.name} (", body_en)
        self.assertIn("500.00", body_en)
        self.assertIn("contact us at +33478000001", body_en)

    def test_failure_notes_are_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.company.partner_id.lang = "fr_FR"
        self.customer.mobile = False
        event = self.sms_of(self.create_invoice(due=day(-1)))
        self.assertIn("n'a ni numéro de mobile ni numéro de téléphone", event.note)

    def test_accountant_sends_the_sms_now_and_reads_its_event(self):
        invoice = self.create_invoice(due=day(-1))
        with freeze_time(TODAY):
            invoice.with_user(self.accountant).action_dunning_send_now()
        event = self.events(invoice)
        self.assertEqual(event.state, "queued")
        self.assertTrue(event.sms_id)
        Event = self.env["account.dunning.event"].with_user(self.accountant)
        views = Event.get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        names = {node.get("name") for node in arch.iter("field")}
        self.assertNotIn("sms_id", names, "only administrators open the SMS")
        self.assertIn("sms_state", names)
        fields_info = views["models"]["account.dunning.event"]["fields"]
        spec = {
            name: {"fields": {"display_name": {}}}
            if fields_info[name]["type"] == "many2one"
            else {}
            for name in names
            if fields_info[name]["type"] not in ("one2many", "many2many")
        }
        values = Event.browse(event.id).web_read(spec)[0]
        self.assertEqual(values["sms_state"], "outgoing")
