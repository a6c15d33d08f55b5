# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningCase
from .smtp import smtp_server


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestEngine(DunningCase):
    # Sending --------------------------------------------------------------

    def test_one_email_per_customer_and_step(self):
        inv1 = self.create_invoice(due=day(-1), amount=100)
        inv2 = self.create_invoice(due=day(-1), amount=250)
        other = self.create_invoice(partner=self.customer_b, due=day(-1), amount=80)
        self.run_dunning()

        mail = self.mails(self.customer)
        self.assertEqual(len(mail), 1)
        self.assertIn(inv1.name, mail.body_html)
        self.assertIn(inv2.name, mail.body_html)
        self.assertNotIn(other.name, mail.body_html)
        self.assertIn("350.00", mail.body_html, "the total due of both invoices")
        self.assertEqual(mail.state, "outgoing")
        events = self.events(inv1 | inv2)
        self.assertEqual(len(events), 2, "one event per invoice")
        self.assertEqual(events.mapped("state"), ["queued", "queued"])
        self.assertEqual(events.mail_id, mail)
        self.assertEqual(events.message_id, mail.mail_message_id)
        self.assertEqual(events.step_id, self.step_reminder1)
        self.assertEqual(events.mapped("channel"), ["email", "email"])
        self.assertEqual(events.mapped("date"), [TODAY, TODAY])
        self.assertEqual((inv1 | inv2).dunning_step_id, self.step_reminder1)
        self.assertEqual(len(self.mails(self.customer_b)), 1)

    def test_email_is_laid_out_as_odoos_invoice_emails(self):
        self.company.write({"phone": "+33 4 00 00 00 00", "website": "https://company.example.com"})
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        mail = self.mails(self.customer)
        message = mail.mail_message_id
        # The chatter keeps the email's text; the mail carries it in the
        # company's layout: a button to the invoices, the company's footer.
        self.assertNotIn("<html", message.body)
        self.assertIn(invoice.name, message.body)
        self.assertEqual(
            message.email_layout_xmlid, "mail.mail_notification_layout_with_responsible_signature"
        )
        body = mail.body_html
        self.assertTrue(body.strip().startswith("<html"))
        self.assertIn("View and pay online", body)
        self.assertIn(invoice.get_portal_url(), body)
        self.assertIn("+33 4 00 00 00 00", body)
        self.assertIn("https://company.example.com", body)
        self.assertIn(invoice.name, body)
        self.assertNotIn("___DUNNING_", body)

    def test_reminder_is_logged_on_customer_and_invoices(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        message = self.events(invoice).message_id
        self.assertEqual((message.model, message.res_id), ("res.partner", self.customer.id))
        self.assertEqual(message.subject, f"{self.company.name}: payment reminder")
        self.assertEqual(message.notification_ids.res_partner_id, self.customer)
        self.assertEqual(message.notification_ids.notification_status, "ready")
        note = invoice.message_ids.filtered(lambda m: "Reminder 1" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("contact@bistrot.example.com", note.body)
        self.assertNotIn("Reminder Reminder", note.body)
        self.assertEqual(
            (note.message_type, note.subtype_id), ("notification", self.env.ref("mail.mt_note"))
        )

    def test_invoice_note_escapes_what_the_customer_typed(self):
        # The note is not sanitized: it is text, escaped.
        self.customer.name = "<img src=x onerror=alert(1)>Bistrot"
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        note = invoice.message_ids.filtered(lambda m: "Reminder 1" in m.body)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;Bistrot", note.body)
        self.assertNotIn("<img", note.body)

    def test_steps_follow_the_sequence_over_time(self):
        invoice = self.create_invoice(due=TODAY)
        expected = [
            (day(-9), []),
            (day(-8), [self.step_notice]),
            (day(0), []),
            (day(1), [self.step_reminder1]),
            (day(13), []),
            (day(14), [self.step_reminder2]),
            (day(30), [self.step_call]),
            (day(60), []),
        ]
        for run_day, new_steps in expected:
            before = self.events(invoice)
            self.run_dunning(run_day)
            added = self.events(invoice) - before
            self.assertEqual(added.step_id.ids, [s.id for s in new_steps], run_day)
        self.assertEqual(invoice.dunning_step_id, self.step_call)
        self.assertFalse(invoice.dunning_next_step_id)
        self.assertFalse(invoice.dunning_next_date)

    def test_next_step_and_date_follow_the_invoice(self):
        invoice = self.create_invoice(due=TODAY)
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        self.assertEqual(invoice.dunning_next_step_id, self.step_notice)
        self.assertEqual(invoice.dunning_next_date, day(-8))
        self.run_dunning(day(-8))
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder1)
        self.assertEqual(invoice.dunning_next_date, day(1))

    def test_running_twice_the_same_day_sends_once(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.run_dunning()
        self.assertEqual(len(self.events(invoice)), 1)
        self.assertEqual(len(self.mails(self.customer)), 1)

    def test_invoice_posted_overdue_gets_the_latest_step_due(self):
        # Posted into its sequence (not already open when the sequence came):
        # no step is stale, and only the latest one is sent.
        invoice = self.create_invoice(due=day(-45), entered=TODAY)
        self.assertFalse(invoice.dunning_start_date)
        self.run_dunning()
        self.assertEqual(self.events(invoice).step_id, self.step_call)
        self.assertFalse(self.mails(self.customer))

    def test_after_downtime_only_the_latest_step_is_sent(self):
        invoice = self.create_invoice(due=day(-20))
        self.run_dunning()
        events = self.events(invoice)
        self.assertEqual(events.step_id, self.step_reminder2)
        self.assertEqual(len(self.mails(self.customer)), 1)

    # Recipients -----------------------------------------------------------

    def test_invoice_contact_receives_reminders_salesperson_follows(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Accounts payable",
                "type": "invoice",
                "parent_id": self.customer.id,
                "email": "ap@bistrot.example.com",
            }
        )
        self.env["res.partner"].create(
            {"name": "Chef", "parent_id": self.customer.id, "email": "chef@bistrot.example.com"}
        )
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        mail = self.mails(self.customer)
        self.assertEqual(mail.recipient_ids, contact)
        # Replies land on the customer's chatter, where the reminder is.
        self.assertIn(self.salesperson.partner_id, self.customer.message_partner_ids)
        self.assertEqual(mail.mail_message_id.res_id, self.customer.id)
        self.assertTrue(invoice.dunning_event_ids)

    def test_invoice_contact_without_email_falls_back_to_customer(self):
        self.env["res.partner"].create(
            {"name": "Accounts payable", "type": "invoice", "parent_id": self.customer.id}
        )
        self.create_invoice(due=day(-1))
        self.run_dunning()
        self.assertEqual(self.mails(self.customer).recipient_ids, self.customer)

    def test_dunning_responsible_follows_rather_than_salesperson(self):
        responsible = self.env["res.users"].create(
            {
                "name": "Rita Recovery",
                "login": "rita",
                "email": "rita@company.example.com",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        self.customer.dunning_responsible_id = responsible
        self.create_invoice(due=day(-1))
        self.run_dunning()
        followers = self.customer.message_partner_ids
        self.assertIn(responsible.partner_id, followers)
        self.assertNotIn(self.salesperson.partner_id, followers)

    # Payment --------------------------------------------------------------

    def test_paid_invoice_is_never_reminded(self):
        invoice = self.create_invoice(due=day(-1))
        self.pay(invoice)
        self.run_dunning()
        self.assertFalse(self.events(invoice))
        self.assertFalse(invoice.dunning_next_date)

    def test_invoice_paid_after_a_reminder_gets_no_other(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.pay(invoice, day=day(3))
        self.run_dunning(day(20))
        self.assertEqual(self.events(invoice).step_id, self.step_reminder1)

    def test_reversed_invoice_is_never_reminded(self):
        invoice = self.create_invoice(due=day(-1))
        with freeze_time(day(-1)):
            invoice._reverse_moves([{"date": day(-1)}], cancel=True)
        self.assertEqual(invoice.payment_state, "reversed")
        self.run_dunning()
        self.assertFalse(
            self.env["account.dunning.event"].search([("partner_id", "=", self.customer.id)])
        )

    def test_partly_paid_invoice_is_reminded_for_its_residual(self):
        invoice = self.create_invoice(due=day(-1), amount=1000)
        self.pay(invoice, amount=400, day=day(-3))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.amount_residual, 600)
        body = event.mail_id.body_html
        self.assertIn("Partially paid", body)
        self.assertIn("400.00", body, "the amount already received")
        self.assertIn("600.00", body, "the amount still due")
        self.assertIn("partially paid are reminded for what is left to pay", body)

    def test_residual_is_rechecked_at_send_time(self):
        invoice = self.create_invoice(due=day(-1))
        self.pay(invoice)
        # The invoice was selected before its payment: it is dropped.
        events = self.env["account.dunning.run"]._run_moves(invoice, TODAY)
        self.assertFalse(events)
        self.assertFalse(self.mails(self.customer))

    def test_only_posted_customer_invoices_are_reminded(self):
        draft = self.create_invoice(due=day(-1), post=False)
        cancelled = self.create_invoice(due=day(-1))
        cancelled.button_draft()
        cancelled.button_cancel()
        refund = self.create_invoice(due=day(-1), move_type="out_refund")
        bill = self.create_invoice(due=day(-1), move_type="in_invoice")
        moves = draft | cancelled | refund | bill
        self.run_dunning()
        self.assertFalse(self.events(moves))
        self.assertEqual(moves.mapped("dunning_next_date"), [False] * 4)
        self.assertFalse(self.mails(self.customer))

    # Pause and exclusion --------------------------------------------------

    def test_paused_invoice_waits_until_resumed(self):
        invoice = self.create_invoice(due=day(-1))
        invoice.action_dunning_pause(reason="Disputed delivery")
        self.assertTrue(invoice.dunning_paused)
        self.assertEqual(invoice.dunning_pause_reason, "Disputed delivery")
        self.assertFalse(invoice.dunning_next_date)
        self.run_dunning()
        self.assertFalse(self.events(invoice))
        invoice.action_dunning_resume()
        self.assertFalse(invoice.dunning_paused)
        self.run_dunning(day(1))
        self.assertEqual(self.events(invoice).step_id, self.step_reminder1)

    def test_pause_until_resumes_by_itself_at_the_latest_step(self):
        invoice = self.create_invoice(due=TODAY)
        with freeze_time(day(-10)):
            invoice.action_dunning_pause(until=day(20), reason="Promise to pay")
        self.assertEqual(invoice.dunning_next_date, day(21))
        for run_day in (day(-8), day(1), day(14), day(20)):
            self.run_dunning(run_day)
        self.assertFalse(self.events(invoice), "still paused on the until date")
        self.run_dunning(day(21))
        events = self.events(invoice)
        self.assertEqual(events.step_id, self.step_reminder2, "one reminder, the latest")
        self.assertFalse(invoice.dunning_paused)

    def test_pause_is_validated(self):
        invoice = self.create_invoice(due=day(-1))
        with freeze_time(TODAY), self.assertRaisesRegex(UserError, "past"):
            invoice.action_dunning_pause(until=day(-1))
        paid = self.create_invoice(due=day(-1))
        self.pay(paid)
        with self.assertRaisesRegex(UserError, paid.name):
            (invoice | paid).action_dunning_pause(reason="x")
        # From an RPC or a server action, a date that is not one.
        with self.assertRaisesRegex(UserError, "garbage"):
            invoice.action_dunning_pause(until="garbage")
        with self.assertRaisesRegex(UserError, "must be a date"):
            invoice.action_dunning_pause(until=20260410)
        self.assertFalse(invoice.dunning_paused)

    def test_pause_wizard_pauses_the_selected_invoices(self):
        invoices = self.create_invoice(due=day(-1)) | self.create_invoice(due=day(-2))
        action = invoices.action_open_dunning_pause_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"reason": "Waiting for credit note", "until": day(30)})
        )
        self.assertEqual(wizard.move_ids, invoices)
        with freeze_time(TODAY):
            wizard.action_pause()
        self.assertEqual(invoices.mapped("dunning_pause_reason"), ["Waiting for credit note"] * 2)
        self.assertEqual(invoices.mapped("dunning_pause_until"), [day(30)] * 2)

    def test_excluded_customer_is_never_reminded(self):
        invoice = self.create_invoice(due=day(-1))
        other = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.customer.dunning_excluded = True
        self.run_dunning()
        self.assertFalse(self.events(invoice))
        self.assertEqual(self.events(other).state, "queued")
        self.customer.dunning_excluded = False
        self.run_dunning(day(20))
        self.assertEqual(self.events(invoice).step_id, self.step_reminder2)

    # Entering a sequence --------------------------------------------------

    def test_customer_assignment_does_not_send_stale_steps(self):
        invoice = self.create_invoice(due=day(-5))
        strict = self.sequence.copy({"name": "Strict"})
        with freeze_time(TODAY):
            self.customer.dunning_sequence_id = strict
        self.assertEqual(invoice.dunning_sequence_id, strict)
        self.assertEqual(invoice.dunning_start_date, TODAY)
        self.run_dunning()
        self.assertFalse(self.events(invoice), "J+1 was five days ago: stale")
        self.run_dunning(day(9))
        self.assertEqual(
            self.events(invoice).step_id, strict.reminder_step_ids.sorted("offset_days")[2]
        )

    def test_new_default_sequence_takes_open_invoices(self):
        invoice = self.create_invoice(due=day(-5))
        own = self.create_invoice(partner=self.customer_b, due=day(-5))
        special = self.sequence.copy({"name": "Special"})
        with freeze_time(TODAY):
            self.customer_b.dunning_sequence_id = special
            new_default = self.sequence.copy({"name": "New default", "is_default": True})
        self.assertFalse(self.sequence.is_default)
        self.assertEqual(invoice.dunning_sequence_id, new_default)
        self.assertEqual(invoice.dunning_start_date, TODAY)
        self.assertEqual(own.dunning_sequence_id, special, "its own sequence stays")
        self.run_dunning()
        self.assertFalse(self.events(invoice))

    def test_grace_window_decides_staleness(self):
        self.company.dunning_grace_days = 5
        invoice = self.create_invoice(due=day(-5))
        with freeze_time(TODAY):
            self.customer.dunning_sequence_id = self.sequence.copy({"name": "Other"})
        self.run_dunning()
        self.assertEqual(len(self.events(invoice)), 1, "J+1 is four days past: within 5")

    # Errors ---------------------------------------------------------------

    def test_customer_without_email_fails_visibly_and_the_run_goes_on(self):
        self.customer.email = False
        invoice = self.create_invoice(due=day(-1))
        other = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn("no email address", event.note)
        self.assertEqual(event.activity_id.user_id, self.salesperson)
        self.assertEqual(event.activity_id.res_id, invoice.id)
        self.assertIn(invoice.name, event.activity_id.note)
        self.assertEqual(self.events(other).state, "queued")
        self.run_dunning()
        self.assertEqual(len(self.events(invoice)), 1, "a failure is not repeated")

    def test_broken_template_fails_visibly(self):
        self.break_template(self.template_reminder1, '<p><t t-out="object.no_such_field"/></p>')
        invoice = self.create_invoice(due=day(-1))
        later = self.create_invoice(partner=self.customer_b, due=day(-14))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn("could not be rendered", event.note)
        self.assertIn("no_such_field", event.note)
        self.assertTrue(event.activity_id)
        self.assertEqual(self.events(later).state, "queued", "other steps go on")

    def test_template_edited_between_two_runs_is_rendered_anew(self):
        # Compiled bodies are kept for the transaction, keyed on their source.
        first = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.template_reminder1.body_html = "<p>Edited body <t t-out='object.name'/></p>"
        second = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        self.assertNotIn("Edited body", self.events(first).message_id.body)
        self.assertIn(f"Edited body {second.name}", self.events(second).message_id.body)

    def test_template_failing_for_one_customer_fails_that_customer_only(self):
        self.template_reminder1.body_html = (
            '<p t-out="1 / (len(object.dunning_reminder_move_ids) - 2)"/>'
        )
        two = self.create_invoice(due=day(-1)) | self.create_invoice(due=day(-1))
        one = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        self.assertEqual(self.events(two).mapped("state"), ["failed", "failed"])
        self.assertEqual(self.events(one).state, "queued")

    @mute_logger("odoo.addons.account_dunning.models.account_dunning_run", "odoo.sql_db")
    def test_unexpected_error_fails_that_customer_only(self):
        # The database refuses this customer's reminder, as a constraint
        # added by an integrator could.
        self.env.cr.execute(
            """
            CREATE FUNCTION pg_temp.refuse_message() RETURNS trigger AS $$
            BEGIN
                IF NEW.model = 'res.partner' AND NEW.res_id = %s THEN
                    RAISE EXCEPTION 'Messages to this customer are frozen';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_message BEFORE INSERT ON mail_message
                FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_message();
            """,
            [self.customer.id],
        )
        invoice = self.create_invoice(due=day(-1))
        others = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn("frozen", event.note)
        self.assertEqual(event.activity_id.user_id, self.salesperson)
        self.assertEqual(self.events(others).state, "queued", "the run goes on")
        self.assertEqual(len(self.mails(self.customer_b)), 1)
        self.assertFalse(self.mails(self.customer))

    @mute_logger(
        "odoo.addons.account_dunning.models.account_dunning_run",
        "odoo.addons.account_dunning.models.account_move",
    )
    def test_a_step_that_cannot_be_computed_stops_no_one(self):
        broken_sequence = self.env["account.dunning.sequence"].create(
            {
                "name": "Broken",
                "company_id": self.company.id,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Reminder with invoices",
                            "offset_days": 1,
                            "channel": "email",
                            "mail_template_id": self.template_reminder1.id,
                            "attach_invoice": True,
                        }
                    )
                ],
            }
        )
        self.customer_b.dunning_sequence_id = broken_sequence
        broken = self.create_invoice(partner=self.customer_b, due=day(-5))
        self.assertEqual(broken.dunning_sequence_id, broken_sequence)
        invoice = self.create_invoice(due=day(-5))
        # Data broken behind the ORM's back, past the database's own check:
        # the step's date is out of range.
        self.env.cr.execute(
            "ALTER TABLE account_dunning_step"
            " DROP CONSTRAINT account_dunning_step_offset_days_range"
        )
        self.env.cr.execute(
            "UPDATE account_dunning_step SET offset_days = 2147483647 WHERE id = %s",
            [broken_sequence.step_ids.id],
        )
        self.env.invalidate_all()
        self.run_dunning()
        self.assertEqual(self.events(invoice).state, "queued", "the other customers go on")
        self.assertEqual(len(self.mails(self.customer)), 1)
        self.assertFalse(self.events(broken))
        self.assertFalse(self.mails(self.customer_b))
        # The broken step stays with its invoice: paying it still works.
        self.pay(broken, amount=100)
        self.assertEqual(broken.payment_state, "partial")
        self.assertFalse(broken.dunning_next_date)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_email_refused_by_the_mail_server_fails_the_events(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        mail = self.mails(self.customer)
        with smtp_server(self.env, refuse=True) as received:
            mail.send(raise_exception=False)
        self.assertFalse(received)
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn("could not be sent", event.note)
        self.assertEqual(event.activity_id.user_id, self.salesperson)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_failed_email_sent_again_by_a_person_is_sent_after_all(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        mail = self.mails(self.customer)
        with smtp_server(self.env, refuse=True):
            mail.send(raise_exception=False)
        self.assertEqual(self.events(invoice).state, "failed")
        self.assertTrue(invoice.dunning_last_failed)
        # The address fixed, the email is sent again from Odoo's emails.
        mail.mark_outgoing()
        with smtp_server(self.env) as received:
            mail.send(raise_exception=False)
        self.assertEqual(len(received), 1)
        event = self.events(invoice)
        self.assertEqual(event.state, "sent", "never shown failed once it left")
        self.assertIn("sent again, and left", event.note)
        self.assertFalse(invoice.dunning_last_failed)

    def test_reminder_really_leaves_through_smtp(self):
        invoice = self.create_invoice(due=day(-1), amount=420)
        self.run_dunning()
        with smtp_server(self.env) as received:
            self.mails(self.customer).send(raise_exception=False)
        self.assertEqual(len(received), 1)
        _sender, recipients, message = received[0]
        self.assertEqual(recipients, ["contact@bistrot.example.com"])
        self.assertEqual(message["Subject"], f"{self.company.name}: payment reminder")
        body = message.get_body(("html",)).get_content()
        self.assertIn(invoice.name, body)
        self.assertIn("420.00", body)
        self.assertEqual(self.events(invoice).state, "sent")

    # Configuration --------------------------------------------------------

    def test_two_steps_on_the_same_day_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "both on D\\+1"):
            self.sequence.write(
                {
                    "step_ids": [
                        Command.create(
                            {
                                "name": "Twin",
                                "offset_days": 1,
                                "channel": "phone",
                            }
                        )
                    ]
                }
            )

    def test_email_step_without_template_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "needs an email template"):
            self.step_reminder2.mail_template_id = False

    def test_email_template_must_be_on_invoices(self):
        partner_template = self.env["mail.template"].create(
            {"name": "On customers", "model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        with self.assertRaisesRegex(ValidationError, "rendered on invoices"):
            self.step_reminder2.mail_template_id = partner_template

    def test_one_default_sequence_per_company(self):
        other = self.sequence.copy({"name": "Other"})
        self.assertFalse(other.is_default)
        other.is_default = True
        self.assertFalse(self.sequence.is_default)
        with self.assertRaisesRegex(ValidationError, "cannot be archived"):
            other.active = False

    def test_archived_customer_sequence_falls_back_to_the_default(self):
        special = self.sequence.copy({"name": "Special"})
        with freeze_time(TODAY):
            self.customer.dunning_sequence_id = special
        invoice = self.create_invoice(due=day(5))
        self.assertEqual(invoice.dunning_sequence_id, special)
        with freeze_time(TODAY):
            special.active = False
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        self.assertEqual(invoice.dunning_start_date, TODAY)

    def test_sequence_in_use_cannot_be_deleted(self):
        self.create_invoice(due=day(5))
        with self.assertRaisesRegex(UserError, "archive it instead"):
            self.sequence.unlink()
        unused = self.sequence.copy({"name": "Unused"})
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_deleting_a_step_sends_no_step_twice(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        self.step_reminder1.unlink()
        self.assertEqual(invoice.dunning_step_id, self.step_notice, "the step before")
        self.run_dunning(day(2))
        self.assertEqual(len(self.events(invoice)), 1, "the notice is not sent again")
        self.run_dunning(day(13))
        self.assertEqual(self.events(invoice)[-1].step_id, self.step_reminder2)

    def test_steps_edited_move_the_next_date(self):
        invoice = self.create_invoice(due=TODAY)
        self.step_notice.offset_days = -3
        self.assertEqual(invoice.dunning_next_date, day(-3))
        self.step_notice.unlink()
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder1)

    # Other channels -------------------------------------------------------

    def test_phone_step_creates_one_call_per_customer(self):
        step_user = self.env["res.users"].create(
            {
                "name": "Carl Caller",
                "login": "carl",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        invoices = self.create_invoice(due=day(-30)) | self.create_invoice(due=day(-30))
        self.run_dunning()
        activity = self.events(invoices).activity_id
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.user_id, self.salesperson)
        for invoice in invoices:
            self.assertIn(invoice.name, activity.note)
        self.step_call.activity_user_id = step_user
        later = self.create_invoice(partner=self.customer_b, due=day(-30))
        self.run_dunning()
        self.assertEqual(self.events(later).activity_id.user_id, step_user)

    def test_step_waiting_for_approval(self):
        self.step_reminder1.auto = False
        invoice = self.create_invoice(due=day(-1))
        rejected = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "pending", "one pending event, not one a day")
        self.assertFalse(self.mails(self.customer))
        event.action_approve()
        self.assertEqual(event.state, "queued")
        self.assertEqual(len(self.mails(self.customer)), 1)
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        self.events(rejected).action_reject()
        self.assertEqual(self.events(rejected).state, "skipped")
        self.assertEqual(rejected.dunning_step_id, self.step_reminder1)
        self.assertFalse(self.mails(self.customer_b))
        with self.assertRaisesRegex(UserError, "Only pending"):
            event.action_approve()

    def test_approval_of_a_paid_invoice_skips_it(self):
        self.step_reminder1.auto = False
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.pay(invoice)
        self.events(invoice).action_approve()
        self.assertEqual(self.events(invoice).state, "skipped")
        self.assertFalse(self.mails(self.customer))
