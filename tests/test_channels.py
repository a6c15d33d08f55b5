# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCase
from .smtp import smtp_server
from .test_reports import pdf_text


def day(offset):
    return TODAY + timedelta(days=offset)


class ChannelsCase(DunningCase):
    """Addresses for the letters, an accountant responsible for the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"street": "3 rue de la Paix", "zip": "69002", "city": "Lyon"})
        cls.customer.write({"street": "12 quai du Port", "zip": "13002", "city": "Marseille"})
        cls.accountant = cls.create_accountant()
        cls.customer.dunning_responsible_id = cls.accountant


@tagged("post_install", "-at_install")
class TestChannels(ChannelsCase):
    """Calls, the daily digest and thank-you emails: no PDF, no mail server."""

    # Calls --------------------------------------------------------------

    def call_activity(self, invoice):
        self.run_dunning()
        event = self.events(invoice).filtered(lambda event: event.channel == "phone")
        self.assertTrue(event.activity_id)
        return event

    def test_call_note_says_when_payment_is_now_expected(self):
        invoice = self.create_invoice(due=day(-30), amount=750)
        event = self.call_activity(invoice)
        note = event.activity_id.note
        self.assertIn(invoice.name, note)
        self.assertIn("750.00", note)
        # Expected within the step's 8 days.
        self.assertIn("Payment now expected by 03/18/2026", note)
        self.assertEqual(event.activity_id.user_id, self.accountant)

    def test_call_outcome_is_recorded_when_the_activity_is_done(self):
        invoice = self.create_invoice(due=day(-30))
        event = self.call_activity(invoice)
        activity = event.activity_id.with_user(self.accountant)
        self.assertTrue(activity.is_dunning_call)
        activity.dunning_call_outcome = "dispute"
        activity.action_feedback(feedback="Says the goods were damaged.")
        self.assertEqual(event.call_outcome, "dispute")
        self.assertIn("Outcome: Dispute. Says the goods were damaged.", event.note)
        self.assertFalse(invoice.dunning_paused)

    def test_promise_to_pay_pauses_until_its_date(self):
        invoice = self.create_invoice(due=day(-30))
        event = self.call_activity(invoice)
        activity = event.activity_id.with_user(self.accountant)
        activity.write({"dunning_call_outcome": "promise", "dunning_promise_date": day(12)})
        with freeze_time(TODAY):
            activity.action_done()
        self.assertEqual(event.call_outcome, "promise")
        self.assertEqual(event.promise_date, day(12))
        self.assertTrue(invoice.dunning_paused)
        self.assertEqual(invoice.dunning_pause_until, day(12))
        self.assertIn("Promise to pay by 03/22/2026", invoice.dunning_pause_reason)

    def test_promise_without_date_is_refused(self):
        invoice = self.create_invoice(due=day(-30))
        activity = self.call_activity(invoice).activity_id
        activity.dunning_call_outcome = "promise"
        with self.assertRaisesRegex(UserError, "needs the date"):
            activity.action_done()
        self.assertTrue(activity.exists())

    def test_call_done_without_outcome_counts_as_reached(self):
        invoice = self.create_invoice(due=day(-30))
        event = self.call_activity(invoice)
        event.activity_id.action_done()
        self.assertEqual(event.call_outcome, "reached")

    def test_other_activities_are_left_alone(self):
        invoice = self.create_invoice()
        activity = invoice.activity_schedule("mail.mail_activity_data_todo", summary="Check")
        self.assertFalse(activity.is_dunning_call)
        activity.action_done()
        self.assertFalse(self.events(invoice))

    # Daily digest -------------------------------------------------------

    def test_digest_lists_the_work_of_each_responsible(self):
        call = self.create_invoice(due=day(-30), amount=101)
        self.step_reminder1.auto = False
        waiting = self.create_invoice(due=day(-1), amount=202)
        no_email = self.env["res.partner"].create(
            {"name": "Mute", "is_company": True, "dunning_responsible_id": self.accountant.id}
        )
        failed = self.create_invoice(partner=no_email, due=day(-20), amount=303)
        self.run_dunning()
        self.env["mail.mail"].search([]).unlink()
        with freeze_time(TODAY):
            mails = self.env["account.dunning.event"]._cron_send_digest()
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.accountant.partner_id)
        self.assertIn("Dunning: your tasks of 03/10/2026", mails.subject)
        body = mails.body_html
        self.assertIn("Customers to call or act on", body)
        self.assertIn("Reminders waiting for your approval", body)
        self.assertIn("Reminders that could not be sent", body)
        for invoice, amount in ((call, "101.00"), (waiting, "202.00"), (failed, "303.00")):
            self.assertIn(invoice.name, body)
            self.assertIn(amount, body)
        self.assertIn("no email address", body)

    def test_no_digest_when_there_is_nothing_to_do(self):
        self.create_invoice(due=day(-1))
        self.run_dunning()
        with freeze_time(TODAY):
            self.assertFalse(self.env["account.dunning.event"]._cron_send_digest())

    def test_digest_warns_when_the_run_did_not_finish(self):
        self.company.dunning_responsible_id = self.salesperson
        invoice = self.create_invoice(partner=self.customer_b, due=day(-1))
        cron = self.env.ref("account_dunning.ir_cron_run_dunning")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        # Killed three times in a row, the run was pushed to tomorrow with
        # the reminders of today still due.
        cron.nextcall = datetime(2026, 3, 11, 5, 0)
        now = datetime(2026, 3, 10, 6, 0)

        def digest():
            self.env["mail.mail"].sudo().search([("mail_message_id.model", "=", False)]).unlink()
            with freeze_time(now):
                return self.env["account.dunning.event"]._cron_send_digest()

        mail = digest()
        self.assertEqual(mail.recipient_ids, self.salesperson.partner_id)
        self.assertIn("dunning run did not finish", mail.body_html)
        self.assertIn("03/11/2026", mail.body_html)
        # Not when the run comes back soon, by a trigger or its date.
        trigger = self.env["ir.cron.trigger"].create(
            {"cron_id": cron.id, "call_at": now + timedelta(minutes=1)}
        )
        self.assertFalse(digest())
        trigger.unlink()
        cron.nextcall = now - timedelta(minutes=1)
        self.assertFalse(digest())
        cron.nextcall = datetime(2026, 3, 11, 5, 0)
        self.assertTrue(digest())
        # Nor when nothing due remains today.
        self.run_dunning()
        self.assertEqual(self.events(invoice).state, "queued")
        self.assertFalse(digest())

    def test_digest_in_the_language_of_the_responsible(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.accountant.lang = "fr_FR"
        self.create_invoice(due=day(-30))
        self.run_dunning()
        with freeze_time(TODAY):
            mail = self.env["account.dunning.event"]._cron_send_digest()
        self.assertIn("Relances : vos tâches du 10/03/2026", mail.subject)
        self.assertIn("Clients à appeler ou à traiter", mail.body_html)

    # Thank you ----------------------------------------------------------

    def test_thank_you_once_when_a_reminded_invoice_is_paid(self):
        self.add_thank_you_step()
        reminded = self.create_invoice(due=day(-1), amount=640)
        never_reminded = self.create_invoice(due=day(20))
        self.run_dunning(day(-9))  # before the notice of never_reminded
        self.run_dunning()
        self.pay(reminded, day=day(2))
        self.pay(never_reminded, day=day(2))
        self.run_dunning(day(3))
        thanks = self.events(reminded).filtered(lambda event: event.event_type == "thank_you")
        self.assertEqual(thanks.state, "queued")
        self.assertEqual(thanks.mail_id.subject, f"{self.company.name}: thank you for your payment")
        self.assertIn(reminded.name, thanks.mail_id.body_html)
        self.assertEqual(thanks.mail_id.recipient_ids, self.customer)
        self.assertFalse(
            self.events(never_reminded).filtered(lambda event: event.event_type == "thank_you")
        )
        self.run_dunning(day(4))
        self.assertEqual(len(self.mails(self.customer).filtered(lambda m: "thank" in m.subject)), 1)

    def test_no_thank_you_without_a_template(self):
        reminded = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.pay(reminded, day=day(1))
        self.run_dunning(day(2))
        self.assertEqual(self.events(reminded).event_type, "reminder")

    def test_customer_without_email_is_not_thanked_and_not_retried(self):
        self.add_thank_you_step()
        reminded = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.customer.email = False
        self.pay(reminded, day=day(1))
        self.run_dunning(day(2))
        self.run_dunning(day(3))
        thanks = self.events(reminded).filtered(lambda event: event.event_type == "thank_you")
        self.assertEqual(thanks.state, "skipped")
        self.assertIn("no email address", thanks.note)


# Real PDFs: wkhtmltopdf fetches the report's assets from Odoo's HTTP
# server, which Odoo's own test runner does not serve to a TransactionCase;
# and an SMTP server of the test's own. Out of Odoo's standard runs, like
# Odoo's own tests of real PDF letters; scripts/test.sh runs them.
@tagged("-standard", "post_install", "-at_install", "external")
class TestChannelDocuments(ChannelsCase):
    """Letters, formal notices and the reminder with its PDFs and payment link,
    as they leave: real PDFs, through SMTP."""

    # Letters and formal notices ----------------------------------------

    def test_letters_to_print_are_printed_in_bulk_and_marked_sent(self):
        self.step_reminder1.channel = "letter"
        first = self.create_invoice(due=day(-1), amount=111)
        second = self.create_invoice(partner=self.customer_b, due=day(-1), amount=222)
        self.run_dunning()
        letters = self.events(first | second)
        self.assertEqual(letters.mapped("state"), ["pending", "pending"])
        self.assertIn(letters[0].attachment_id, first.message_ids.attachment_ids)
        action = letters.with_user(self.accountant).action_print_letters()
        self.assertEqual(letters.mapped("state"), ["sent", "sent"])
        url = action["params"]["next"]["url"]
        bundle = self.env["ir.attachment"].browse(int(url.split("/")[3].split("?")[0]))
        text = pdf_text(bundle.raw)
        self.assertIn(first.name, text)
        self.assertIn(second.name, text)
        self.assertIn("Payment reminder", text)
        with self.assertRaisesRegex(UserError, "None of the selected"):
            letters.action_print_letters()

    def test_formal_notice_says_what_the_law_requires(self):
        self.step_call.write({"channel": "formal_notice", "payment_delay_days": 8})
        self.company.write(
            {
                "company_registry": "123 456 789",
                "vat": "FR40123456789",
                "dunning_late_fees": True,
                "dunning_interest_rate": 12.0,
            }
        )
        self.env["res.partner.bank"].create(
            {"acc_number": "FR7630006000011234567890189", "partner_id": self.company.partner_id.id}
        )
        invoices = self.create_invoice(due=day(-30), amount=1500) | self.create_invoice(
            due=day(-30), amount=500
        )
        self.pay(invoices[0], amount=300.0, day=day(-20))
        self.run_dunning()
        event = self.events(invoices)[:1]
        self.assertEqual(event.state, "pending")
        self.assertEqual(event.channel, "formal_notice")
        text = " ".join(pdf_text(event.attachment_id.raw).split())
        self.assertIn("mise en demeure", text)
        self.assertIn("Registered letter with acknowledgement of receipt", text)
        # The sending date, and a deadline counted from receipt, not a date.
        self.assertIn("March 10, 2026", text)
        self.assertIn("within 8 days from receipt of this letter", text)
        self.assertNotIn("March 18, 2026", text)
        self.assertNotIn("03/18/2026", text)
        for invoice in invoices:
            self.assertIn(invoice.name, text)
        # What was already paid, and what is left.
        self.assertIn("300.00", text)
        self.assertIn("1,200.00", text)
        # Costs: 1,500 for 10 days then 1,200 for 20 days at 12 %:
        # (15,000 + 24,000) × 12 / 36,500 = 12.82, + 40; 500 for 30 days:
        # 500 × 12 × 30 / 36,500 = 4.93, + 40. One total to pay, costs included:
        # 1,200 + 500 + 52.82 + 44.93 = 1,797.75.
        self.assertIn("52.82", text)
        self.assertIn("44.93", text)
        self.assertIn("Total to pay, late-payment costs included $ 1,797.75", text)
        self.assertIn("legal action", text)
        # Both addresses, the legal mentions, how to pay and a signature block.
        self.assertIn("3 rue de la Paix", text)
        self.assertIn("12 quai du Port", text)
        self.assertIn("123 456 789", text)
        self.assertIn("VAT: FR40123456789", text)
        self.assertIn("FR7630006000011234567890189", text)
        self.assertIn("/dunning/", text)
        self.assertIn("Signature", text)
        self.assertIn(self.accountant.name, text)

    def test_formal_notice_signed_by_the_default_responsible_never_odoobot(self):
        self.step_call.channel = "formal_notice"
        self.customer.dunning_responsible_id = False
        self.customer.user_id = False
        self.company.dunning_responsible_id = self.accountant
        invoice = self.create_invoice(due=day(-30))
        # Nobody on the invoice nor the customer: the company's default
        # responsible signs, not the user running the scheduled action.
        invoice.invoice_user_id = False
        self.run_dunning()
        text = pdf_text(self.events(invoice).attachment_id.raw)
        self.assertIn(self.accountant.name, text)
        self.assertNotIn("OdooBot", text)

    def test_formal_notice_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.customer.lang = "fr_FR"
        self.company.write({"dunning_late_fees": True, "dunning_interest_rate": 12.0})
        self.step_call.channel = "formal_notice"
        self.create_invoice(due=day(-30), amount=2000)
        self.run_dunning()
        text = " ".join(pdf_text(self.events(self.customer.invoice_ids).attachment_id.raw).split())
        self.assertIn("MISE EN DEMEURE", text.upper())
        self.assertIn("Lettre recommandée avec accusé de réception", text)
        self.assertIn("8 jours à compter de la réception de la présente", text)
        # French number formats: 2 000,00 and the rate 12,00 %. Costs: 2,000 ×
        # 12 × 30 / 36,500 = 19.73, + 40: 2,059.73 to pay.
        self.assertIn("2 000,00", text.replace("\N{NO-BREAK SPACE}", " ").replace("\u202f", " "))
        self.assertIn("12,00 %", text.replace("\N{NO-BREAK SPACE}", " "))
        self.assertIn("2 059,73", text.replace("\N{NO-BREAK SPACE}", " ").replace("\u202f", " "))

    def test_late_fees_appear_in_reminders_and_formal_notice(self):
        self.company.write({"dunning_late_fees": True, "dunning_interest_rate": 12.0})
        self.step_call.channel = "formal_notice"
        reminded = self.create_invoice(due=day(-14), amount=1000)
        noticed = self.create_invoice(partner=self.customer_b, due=day(-30), amount=1000)
        self.run_dunning()
        body = self.mails(self.customer).body_html
        self.assertIn("Late-payment costs due to date", body)
        # 1,000 x 12 % x 14 / 365 = 4.60
        self.assertIn("4.60", body)
        self.assertIn(reminded.name, body)
        text = pdf_text(self.events(noticed).attachment_id.raw)
        self.assertIn("Late-payment costs due to date", text)
        # 1,000 x 12 % x 30 / 365 = 9.86
        self.assertIn("9.86", text)

    # Email content ------------------------------------------------------

    def test_reminder_with_pdfs_and_payment_link_leaves_through_smtp(self):
        self.step_reminder1.attach_invoice = True
        first = self.create_invoice(due=day(-1), amount=420)
        second = self.create_invoice(due=day(-1), amount=80)
        self.run_dunning()
        with smtp_server(self.env) as received:
            self.mails(self.customer).send(raise_exception=False)
        self.assertEqual(len(received), 1)
        _sender, recipients, message = received[0]
        self.assertEqual(recipients, ["contact@bistrot.example.com"])
        self.assertEqual(message["Subject"], f"{self.company.name}: payment reminder")
        body = message.get_body(("html",)).get_content()
        for invoice, amount in ((first, "420.00"), (second, "80.00")):
            self.assertIn(invoice.name, body)
            self.assertIn(amount, body)
            self.assertIn(f"/my/invoices/{invoice.id}?access_token=", body)
        self.assertIn("500.00", body)
        attachments = [part for part in message.iter_attachments()]
        self.assertEqual(len(attachments), 2)
        self.assertEqual({part.get_content_type() for part in attachments}, {"application/pdf"})
        texts = " ".join(pdf_text(part.get_content()) for part in attachments)
        self.assertIn(first.name, texts)
        self.assertIn(second.name, texts)
