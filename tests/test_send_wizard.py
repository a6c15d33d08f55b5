# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import TODAY, DunningCase


@tagged("post_install", "-at_install")
class TestSendWizard(DunningCase):
    """The "Send Reminders" (Relancer) wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.create_accountant()
        cls.invoice_a1 = cls.create_invoice(due=TODAY - timedelta(days=20), amount=1100)
        cls.invoice_a2 = cls.create_invoice(due=TODAY - timedelta(days=5), amount=1200)
        cls.invoice_b = cls.create_invoice(
            partner=cls.customer_b, due=TODAY - timedelta(days=3), amount=1300
        )

    def open_wizard(self, moves):
        with freeze_time(TODAY):
            return Form(
                self.env["account.dunning.send"]
                .with_user(self.accountant)
                .with_context(active_model="account.move", active_ids=moves.ids)
            )

    def send(self, form):
        with freeze_time(TODAY):
            wizard = form.save()
            result = wizard.action_send()
        self.env.invalidate_all()
        return wizard, result

    def test_one_email_per_customer_in_the_tone_of_its_most_advanced_step(self):
        form = self.open_wizard(self.invoice_a1 | self.invoice_a2 | self.invoice_b)
        # Invoice A1 is 20 days overdue (Reminder 2 due), A2 and B 5 and 3
        # days (Reminder 1 due): A2 goes in A1's second reminder.
        lines = {
            (line.partner_id, line.step_id): line
            for line in (form.line_ids.edit(i) for i in range(len(form.line_ids)))
        }
        self.assertEqual(
            set(lines),
            {(self.customer, self.step_reminder2), (self.customer_b, self.step_reminder1)},
        )
        line_a = lines[self.customer, self.step_reminder2]
        self.assertEqual(line_a.move_ids[:], self.invoice_a1 | self.invoice_a2)
        self.assertEqual(line_a.amount_residual, 2300.0)
        self.assertEqual(line_a.template_id, self.template_reminder2)
        self.assertEqual(line_a.recipients, self.customer.email_formatted)
        self.assertIn(self.invoice_a1.name, line_a.body)
        self.assertIn(self.invoice_a2.name, line_a.body)
        for line in lines.values():
            line.save()
        wizard, result = self.send(form)
        self.assertTrue(
            result["params"]["message"].startswith(
                "Reminder emails queued: 2. Invoices reminded: 3. They leave with the mail "
                "queue, in the next few minutes."
            ),
            result["params"]["message"],
        )
        self.assertEqual(wizard.state, "done")
        mails_a, mail_b = self.mails(self.customer), self.mails(self.customer_b)
        self.assertEqual(len(mails_a), 1, "one email per customer, as from the run")
        self.assertEqual(len(mail_b), 1)
        self.assertEqual(mails_a.recipient_ids, self.customer)
        events = self.events(self.invoice_a1 | self.invoice_a2 | self.invoice_b)
        self.assertEqual(events.mapped("state"), ["queued"] * 3)
        self.assertEqual(events.user_id, self.accountant)
        self.assertEqual(self.invoice_a1.dunning_step_id, self.step_reminder2)
        self.assertEqual(self.invoice_a2.dunning_step_id, self.step_reminder1)
        self.assertEqual(self.invoice_b.dunning_step_id, self.step_reminder1)
        # The emails leave with the mail queue, asked to run now.
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        # Chatter: the email on the customer, one note on its oldest invoice;
        # each invoice's timeline links to the email.
        self.assertEqual(set(mails_a.mail_message_id.mapped("model")), {"res.partner"})
        note = self.invoice_a1.message_ids.filtered(
            lambda message: "Reminder 2" in (message.body or "")
        )
        self.assertEqual(len(note), 1)

    def test_an_after_due_step_never_carries_an_invoice_not_overdue(self):
        due_today = self.create_invoice(due=TODAY, amount=700)
        due_in_8 = self.create_invoice(due=TODAY + timedelta(days=8), amount=800)
        due_in_20 = self.create_invoice(due=TODAY + timedelta(days=20), amount=900)
        form = self.open_wizard(self.invoice_a1 | due_today | due_in_8 | due_in_20)
        with freeze_time(TODAY):
            wizard = form.save()
        # Due today is not overdue: it gets the advance notice, like the
        # invoice due in 8 days (the notice's date has come), in the "also
        # coming due" block of the customer's one email, never among the
        # overdue invoices.
        line = wizard.line_ids
        self.assertEqual(line.step_id, self.step_reminder2)
        self.assertEqual(line.move_ids, self.invoice_a1 | due_today | due_in_8)
        self.assertEqual(line._get_upcoming(), due_today | due_in_8)
        steps = line._get_move_steps()
        self.assertEqual(steps[due_today], self.step_notice)
        self.assertEqual(steps[self.invoice_a1], self.step_reminder2)
        table, block = str(line.body).split("Also coming due")
        self.assertIn(self.invoice_a1.name, table)
        self.assertNotIn(due_today.name, table)
        self.assertIn(due_today.name, block)
        skipped = {line.move_id: line.reason for line in wizard.skipped_ids}
        self.assertEqual(list(skipped), [due_in_20])
        self.assertIn("Not due yet", skipped[due_in_20])
        self.assertIn(self.step_notice.display_name, skipped[due_in_20])
        # Forced through the API, an overdue step for them is refused.
        line.step_map = json.dumps({str(due_today.id): self.step_reminder1.id})
        with freeze_time(TODAY), self.assertRaisesRegex(UserError, "is not due for invoice"):
            wizard.action_send()
        self.assertFalse(self.events(due_today | due_in_8))

    def test_customer_reminded_today_is_not_proposed_again(self):
        self.run_dunning()
        first = self.events(self.invoice_b)
        self.assertEqual(first.state, "queued")
        form = self.open_wizard(self.invoice_b)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.step_id, self.step_reminder1)
            self.assertFalse(line.to_send)
            self.assertRegex(
                line.reminded_today, r"^Reminded today at .+ by .+ \(Reminder 1 \(D\+1\)\)\.$"
            )
            self.assertEqual(line.last_reminder_date, TODAY)
            self.assertEqual(line.last_reminder_step_id, self.step_reminder1)
            self.assertEqual(line.reminder_count, 1)
        wizard = form.save()
        with freeze_time(TODAY), self.assertRaisesRegex(UserError, "nothing to send"):
            wizard.action_send()
        # Ticking Send only, through the API, is not enough.
        wizard.line_ids.to_send = True
        with freeze_time(TODAY):
            wizard.action_send()
        self.assertEqual(self.events(self.invoice_b), first)
        self.assertEqual(len(self.mails(self.customer_b)), 1)

    def test_customer_reminded_today_is_sent_again_on_purpose(self):
        self.run_dunning()
        form = self.open_wizard(self.invoice_b)
        with form.line_ids.edit(0) as line:
            line.send_again = True
            self.assertTrue(line.to_send)
        self.send(form)
        again = self.events(self.invoice_b)[-1]
        self.assertEqual((again.step_id, again.state), (self.step_reminder1, "queued"))
        self.assertIn("Sent again by Alice Accountant", again.note)
        self.assertEqual(len(self.mails(self.customer_b)), 2)

    def test_customer_reminded_today_on_another_invoice_is_not_reminded(self):
        # The run reminds B's invoice while the wizard is open on another one.
        other = self.create_invoice(partner=self.customer_b, due=TODAY - timedelta(days=20))
        form = self.open_wizard(other)
        wizard = form.save()
        self.run_dunning()
        self.assertEqual(len(self.mails(self.customer_b)), 1, "both invoices, one email")
        with freeze_time(TODAY):
            result = wizard.action_send()
        self.assertIn("Reminder emails queued: 0.", result["params"]["message"])
        self.assertEqual(len(self.mails(self.customer_b)), 1)

    def test_line_shows_the_last_reminder_and_the_reminders_sent(self):
        self.run_dunning(TODAY - timedelta(days=4))  # A1 gets Reminder 1 at D+16
        form = self.open_wizard(self.invoice_a1)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.last_reminder_date, TODAY - timedelta(days=4))
            self.assertEqual(line.last_reminder_step_id, self.step_reminder1)
            self.assertEqual(line.reminder_count, 1)
            self.assertFalse(line.reminded_today)
            self.assertTrue(line.to_send)

    def test_edited_email_is_sent_as_edited(self):
        form = self.open_wizard(self.invoice_a1)
        with form.line_ids.edit(0) as line:
            line.subject = "About your invoices"
            line.body = "<p>Please call us about the 2,300.00 left to pay.</p>"
        self.send(form)
        mail = self.mails(self.customer)
        self.assertEqual(mail.subject, "About your invoices")
        self.assertIn("Please call us about the 2,300.00", mail.body_html)

    def test_template_can_be_changed_and_the_preview_follows(self):
        form = self.open_wizard(self.invoice_b)
        with form.line_ids.edit(0) as line:
            first_subject = line.subject
            line.template_id = self.template_notice
            self.assertNotEqual(line.subject, first_subject)
            notice_subject = line.subject
        self.send(form)
        self.assertEqual(self.mails(self.customer_b).subject, notice_subject)
        # The step stays the one chosen: the invoice is at that step.
        self.assertEqual(self.invoice_b.dunning_step_id, self.step_reminder1)

    def test_a_customer_can_be_left_out(self):
        form = self.open_wizard(self.invoice_a1 | self.invoice_b)
        with form.line_ids.edit(1) as line:
            self.assertEqual(line.partner_id, self.customer_b)
            line.to_send = False
        self.send(form)
        self.assertEqual(len(self.mails(self.customer)), 1)
        self.assertFalse(self.mails(self.customer_b))
        self.assertFalse(self.events(self.invoice_b))

    def test_invoices_that_cannot_be_reminded_are_listed_with_the_reason(self):
        draft = self.create_invoice(post=False)
        paid = self.create_invoice(due=TODAY - timedelta(days=2))
        self.pay(paid)
        excluded_customer = self.env["res.partner"].create(
            {"name": "Excluded", "email": "x@example.com", "dunning_excluded": True}
        )
        excluded = self.create_invoice(partner=excluded_customer)
        paused = self.create_invoice(partner=self.customer_b)
        paused.action_dunning_pause(reason="Dispute")
        no_email_customer = self.env["res.partner"].create({"name": "Mute"})
        no_email = self.create_invoice(partner=no_email_customer)
        bill = self.create_invoice(move_type="in_invoice")
        form = self.open_wizard(
            self.invoice_a1 | draft | paid | excluded | paused | no_email | bill
        )
        self.assertEqual(len(form.line_ids), 1)
        wizard = form.save()
        reasons = {line.move_id: line.reason for line in wizard.skipped_ids}
        self.assertEqual(
            reasons,
            {
                draft: "It is a draft.",
                paid: "It is already paid.",
                excluded: "The customer is excluded from dunning.",
                paused: "Dunning is paused: Dispute",
                no_email: "The customer has no email address, nor has any of its "
                "invoice contacts.",
                bill: "It is not a customer invoice.",
            },
        )
        with freeze_time(TODAY):
            result = wizard.action_send()
        self.assertIn("Invoices skipped: 6.", result["params"]["message"])
        self.assertFalse(self.events(draft | paid | excluded | paused | no_email | bill))

    def test_invoice_paid_while_the_wizard_is_open_is_not_reminded(self):
        form = self.open_wizard(self.invoice_a1 | self.invoice_a2)
        wizard = form.save()
        self.pay(self.invoice_a2)
        with freeze_time(TODAY):
            result = wizard.action_send()
        self.assertIn("Invoices skipped: 1.", result["params"]["message"])
        self.assertEqual(self.events(self.invoice_a1).state, "queued")
        self.assertFalse(self.events(self.invoice_a2))
        mail = self.mails(self.customer)
        # Rendered again without the paid invoice.
        self.assertIn(self.invoice_a1.name, mail.body_html)
        self.assertNotIn(self.invoice_a2.name, mail.body_html)

    def test_invoice_reminded_meanwhile_is_not_reminded_twice(self):
        form = self.open_wizard(self.invoice_b)
        wizard = form.save()
        self.run_dunning()
        self.assertEqual(len(self.mails(self.customer_b)), 1)
        with freeze_time(TODAY):
            result = wizard.action_send()
        self.assertIn(
            "reminded by someone else",
            wizard.line_ids._get_late_skip_reasons(TODAY)[self.invoice_b],
        )
        self.assertIn("Reminder emails queued: 0.", result["params"]["message"])
        self.assertEqual(len(self.mails(self.customer_b)), 1)

    def test_after_a_failure_the_failed_step_is_proposed_again(self):
        mute = self.env["res.partner"].create({"name": "Mute", "is_company": True})
        invoice = self.create_invoice(partner=mute, due=TODAY - timedelta(days=5))
        self.run_dunning()
        failed = self.events(invoice)
        self.assertEqual((failed.step_id, failed.state), (self.step_reminder1, "failed"))
        self.assertTrue(invoice.dunning_last_failed)
        # The run does not retry a failure: the next step shown is the one
        # it will send, at its date, not the step that failed.
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder2)
        self.assertEqual(invoice.dunning_next_date, TODAY + timedelta(days=9))
        # The accountant fixes the address: the remedy is Reminder 1 again,
        # not an escalation to Reminder 2.
        mute.email = "mute@example.com"
        form = self.open_wizard(invoice)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.step_id, self.step_reminder1)
            self.assertEqual(line.template_id, self.template_reminder1)
        self.send(form)
        sent = self.events(invoice) - failed
        self.assertEqual((sent.step_id, sent.state), (self.step_reminder1, "queued"))
        self.assertFalse(invoice.dunning_last_failed)
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder2)
        self.run_dunning()
        self.assertEqual(self.events(invoice), failed | sent, "nothing more today")
        # The next step shown is indeed sent when its date comes.
        self.run_dunning(TODAY + timedelta(days=9))
        last = self.events(invoice) - failed - sent
        self.assertEqual((last.step_id, last.state), (self.step_reminder2, "queued"))
        self.assertEqual(len(self.mails(mute)), 2)

    def test_run_never_reminds_an_invoice_reminded_today_by_the_wizard(self):
        # Reminder 2 (D+14) falls due today; the accountant sends the milder
        # Reminder 1 instead: Reminder 2 stays due, but not today.
        customer = self.env["res.partner"].create(
            {"name": "Quai 7", "is_company": True, "email": "quai7@example.com"}
        )
        invoice = self.create_invoice(partner=customer, due=TODAY - timedelta(days=14))
        form = self.open_wizard(invoice)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.step_id, self.step_reminder2)
            line.step_id = self.step_reminder1
        self.send(form)
        sent = self.events(invoice)
        self.assertEqual((sent.step_id, sent.state), (self.step_reminder1, "queued"))
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder2)
        self.assertEqual(invoice.dunning_next_date, TODAY)
        self.run_dunning()
        self.assertEqual(self.events(invoice), sent)
        self.assertEqual(len(self.mails(customer)), 1)
        self.run_dunning(TODAY + timedelta(days=1))
        later = self.events(invoice) - sent
        self.assertEqual(later.step_id, self.step_reminder2)
        self.assertEqual(len(self.mails(customer)), 2)

    def test_wizard_sends_once(self):
        form = self.open_wizard(self.invoice_b)
        wizard, _result = self.send(form)
        with self.assertRaisesRegex(UserError, "already sent"):
            wizard.action_send()
        self.assertEqual(len(self.mails(self.customer_b)), 1)

    def test_nothing_selected_to_send(self):
        form = self.open_wizard(self.invoice_b)
        with form.line_ids.edit(0) as line:
            line.to_send = False
        wizard = form.save()
        with self.assertRaisesRegex(UserError, "nothing to send"):
            wizard.action_send()

    def test_pending_approval_is_replaced_by_the_reminder_sent(self):
        self.step_reminder1.auto = False
        self.run_dunning()
        pending = self.events(self.invoice_b)
        self.assertEqual(pending.state, "pending")
        form = self.open_wizard(self.invoice_b)
        self.send(form)
        self.assertEqual(pending.state, "skipped")
        self.assertIn("Replaced by the reminder sent by Alice Accountant", pending.note)
        self.assertEqual(len(self.mails(self.customer_b)), 1)

    def test_broken_template_shows_in_the_preview_and_fails_visibly(self):
        broken = self.template_reminder1.copy({"body_html": "<p t-out='object.nope.name'/>"})
        form = self.open_wizard(self.invoice_b)
        with form.line_ids.edit(0) as line:
            line.template_id = broken
            self.assertIn("could not be rendered", line.render_error)
        self.send(form)
        event = self.events(self.invoice_b)
        self.assertEqual(event.state, "failed")
        self.assertIn("could not be rendered", event.note)
        self.assertTrue(event.activity_id)

    def test_customer_reminded_in_its_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.customer_b.lang = "fr_FR"
        form = self.open_wizard(self.invoice_b)
        with form.line_ids.edit(0) as line:
            self.assertIn("relance de paiement", line.subject)
        self.send(form)
        self.assertIn("relance de paiement", self.mails(self.customer_b).subject)

    def test_wizard_is_offered_in_the_invoice_list_action_menu(self):
        action = self.env.ref("account_dunning.account_dunning_send_action")
        self.assertEqual(action.binding_model_id.model, "account.move")
        self.assertEqual(action.with_context(lang="en_US").name, "Send reminders")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.assertEqual(action.with_context(lang="fr_FR").name, "Relancer")

    # Reminders to approve, reviewed -------------------------------------

    def open_review(self, events):
        with freeze_time(TODAY):
            action = events.with_user(self.accountant).action_review()
            return Form(
                self.env[action["res_model"]]
                .with_user(self.accountant)
                .with_context(**action["context"])
            )

    def test_reminder_to_approve_is_previewed_edited_and_approved(self):
        (self.step_reminder1 | self.step_reminder2).auto = False
        self.run_dunning()
        pending = self.events(self.invoice_a1 | self.invoice_a2 | self.invoice_b)
        self.assertEqual(pending.mapped("state"), ["pending"] * 3)
        form = self.open_review(pending)
        self.assertEqual(len(form.line_ids), 2, "one email per customer")
        index = {}
        for position in range(len(form.line_ids)):
            with form.line_ids.edit(position) as line:
                index[line.partner_id] = position
        with form.line_ids.edit(index[self.customer]) as line:
            # The same preview as Send reminders: the email as rendered.
            self.assertEqual(
                line.subject, f"{self.company.name}: second reminder, overdue invoices"
            )
            self.assertIn(line.move_ids[0].name, line.body)
            customer = line.partner_id
            line.body = "<p>Edited before approval.</p>"
        with freeze_time(TODAY):
            wizard = form.save()
            wizard.action_send()
        self.env.invalidate_all()
        # Approved: the pending events themselves are sent, none is added.
        self.assertEqual(self.events(self.invoice_a1 | self.invoice_a2 | self.invoice_b), pending)
        self.assertEqual(pending.mapped("state"), ["queued"] * 3)
        self.assertEqual(pending.user_id, self.accountant)
        self.assertEqual(self.invoice_a1.dunning_step_id, self.step_reminder2)
        self.assertEqual(self.invoice_a2.dunning_step_id, self.step_reminder1)
        self.assertEqual(len(self.mails(customer)), 1)
        self.assertIn("Edited before approval.", "".join(self.mails(customer).mapped("body_html")))
        self.assertEqual(self.invoice_b.dunning_step_id, self.step_reminder1)

    def test_reminder_left_out_of_the_review_stays_to_approve(self):
        (self.step_reminder1 | self.step_reminder2).auto = False
        self.run_dunning()
        pending = self.events(self.invoice_a2 | self.invoice_b)
        form = self.open_review(pending)
        with form.line_ids.edit(1) as line:
            left_out = line.partner_id
            line.to_send = False
        self.send(form)
        kept = pending.filtered(lambda event: event.partner_id == left_out)
        self.assertEqual(kept.state, "pending")
        self.assertEqual((pending - kept).state, "queued")
        self.assertFalse(self.mails(left_out))

    def test_reminder_approved_meanwhile_is_not_sent_twice(self):
        self.step_reminder1.auto = False
        self.run_dunning()
        pending = self.events(self.invoice_b)
        with freeze_time(TODAY):
            wizard = self.open_review(pending).save()
            pending.action_approve()
            result = wizard.action_send()
        self.assertIn("Reminder emails queued: 0.", result["params"]["message"])
        self.assertEqual(len(self.mails(self.customer_b)), 1)

    def test_only_emails_are_reviewed(self):
        self.step_reminder1.write({"auto": False})
        self.run_dunning()
        pending = self.events(self.invoice_b)
        pending.sudo().channel = "letter"
        with self.assertRaisesRegex(UserError, "Only emails can be reviewed"):
            self.open_review(pending)
