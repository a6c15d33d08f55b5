# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import RedirectWarning, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import TODAY, DunningCase


@tagged("post_install", "-at_install")
class TestScreens(DunningCase):
    """What the accountant's screens show and the actions they offer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.create_accountant()

    def as_accountant(self, records):
        return records.with_user(self.accountant).with_context(tracking_disable=False)

    # Dunning list -------------------------------------------------------

    def test_dunning_list_shows_who_to_chase(self):
        overdue = self.create_invoice(due=TODAY - timedelta(days=12))
        not_due = self.create_invoice(partner=self.customer_b, due=TODAY + timedelta(days=3))
        paid = self.create_invoice(due=TODAY - timedelta(days=2))
        self.pay(paid)
        self.run_dunning()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_move_dunning_action"
        )
        with freeze_time(TODAY):
            moves = self.env["account.move"].search(
                safe_eval(action["domain"]) + [("id", "in", (overdue | not_due | paid).ids)]
            )
            self.assertEqual(moves, overdue | not_due)
            self.assertEqual(overdue.dunning_days_overdue, 12)
            self.assertEqual(not_due.dunning_days_overdue, 0)
        self.assertEqual(overdue.dunning_step_id, self.step_reminder1)
        self.assertEqual(overdue.dunning_next_step_id, self.step_reminder2)
        self.assertEqual(overdue.dunning_next_date, TODAY + timedelta(days=2))

    def test_excluded_customer_has_no_next_step(self):
        invoice = self.create_invoice(due=TODAY + timedelta(days=10))
        self.assertEqual(invoice.dunning_next_step_id, self.step_notice)
        self.customer.dunning_excluded = True
        self.assertFalse(invoice.dunning_next_step_id)
        self.assertFalse(invoice.dunning_next_date)
        self.customer.dunning_excluded = False
        self.assertEqual(invoice.dunning_next_date, TODAY + timedelta(days=2))

    def test_dunning_list_filters(self):
        overdue = self.create_invoice(due=TODAY - timedelta(days=3))
        this_week = self.create_invoice(partner=self.customer_b, due=TODAY + timedelta(days=2))
        next_month = self.create_invoice(partner=self.customer_b, due=TODAY + timedelta(days=30))
        paused = self.create_invoice(due=TODAY - timedelta(days=1))
        paused.action_dunning_pause(reason="Dispute")
        all_moves = overdue | this_week | next_month | paused
        self.customer_b.email = False
        self.run_dunning(TODAY + timedelta(days=1))
        search = self.env["account.move"].search
        scope = [("id", "in", all_moves.ids)]
        self.assertEqual(search(scope + [("dunning_paused", "=", True)]), paused)
        # Customer B has no email: its reminder failed.
        self.assertEqual(search(scope + [("dunning_last_failed", "=", True)]), this_week)
        self.customer.dunning_responsible_id = self.salesperson
        self.assertEqual(
            search(scope + [("dunning_responsible_id", "=", self.salesperson.id)]),
            overdue | paused,
        )
        self.customer_b.dunning_responsible_id = self.accountant
        self.assertEqual(
            search(scope + [("dunning_responsible_id", "=", self.accountant.id)]),
            this_week | next_month,
        )
        self.assertEqual(
            search(scope + [("dunning_sequence_id", "=", self.sequence.id)]), all_moves
        )

    def test_dunning_list_views_load(self):
        for view in ("list", "search", "pivot", "graph"):
            arch = (
                self.env["account.move"]
                .with_user(self.accountant)
                .get_view(
                    self.env.ref(f"account_dunning.account_move_dunning_view_{view}").id, view
                )["arch"]
            )
            self.assertIn("dunning", arch)
        groups = (
            self.env["account.move"]
            .with_user(self.accountant)
            ._read_group(
                [("id", "in", self.create_invoice().ids)],
                ["dunning_next_step_id"],
                ["amount_residual_signed:sum"],
            )
        )
        self.assertEqual(groups, [(self.step_notice, 1000.0)])

    # Sequence form ------------------------------------------------------

    def test_sequence_form_warns_before_the_save_is_refused(self):
        form = Form(self.env["account.dunning.sequence"])
        form.name = "Strict"
        with form.step_ids.new() as step:
            step.name = "First"
            step.offset_days = 5
            step.channel = "phone"
        with form.step_ids.new() as step:
            step.name = "Second"
            step.offset_days = 5
            step.channel = "phone"
        self.assertIn("First, Second", form.step_warning)
        self.assertIn("D+5", form.step_warning)
        with self.assertRaisesRegex(ValidationError, "both on D\\+5"):
            form.save()

    def test_sequence_warns_of_email_step_without_template(self):
        sequence = self.env["account.dunning.sequence"].new(
            {
                "name": "No template",
                "step_ids": [Command.create({"name": "Mail", "channel": "email"})],
            }
        )
        self.assertIn("The email step Mail needs an email template.", sequence.step_warning)
        self.assertFalse(self.sequence.step_warning)

    def test_sequence_lists_its_customers(self):
        strict = self.env["account.dunning.sequence"].create(
            {"name": "Strict", "company_id": self.company.id}
        )
        self.customer_b.dunning_sequence_id = strict
        self.assertEqual(strict.partner_ids, self.customer_b)
        self.assertEqual(strict.partner_count, 1)
        action = strict.action_open_partners()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.customer_b)

    def test_step_opens_its_template(self):
        action = self.step_reminder1.action_open_mail_template()
        self.assertEqual(action["res_id"], self.template_reminder1.id)

    # Partner form -------------------------------------------------------

    def test_partner_smart_buttons(self):
        late = self.create_invoice(due=TODAY - timedelta(days=10), amount=700)
        later = self.create_invoice(due=TODAY - timedelta(days=1), amount=300)
        self.create_invoice(due=TODAY + timedelta(days=5), amount=50)
        self.run_dunning()
        partner = self.as_accountant(self.customer)
        with freeze_time(TODAY):
            partner.invalidate_recordset()
            self.assertEqual(partner.dunning_overdue_count, 2)
            self.assertEqual(partner.dunning_overdue_amount, 1000.0)
            action = partner.action_open_dunning_overdue()
        self.assertEqual(action["context"], {"search_default_overdue": 1})
        self.assertEqual(
            self.env["account.move"].search(action["domain"] + [("invoice_date_due", "<", TODAY)]),
            late | later,
        )
        # A contact of the customer shows the customer's figures.
        contact = self.env["res.partner"].create({"name": "Paul", "parent_id": self.customer.id})
        with freeze_time(TODAY):
            self.assertEqual(self.as_accountant(contact).dunning_overdue_count, 2)
        self.assertEqual(partner.dunning_event_count, 3)
        history = self.env["account.dunning.event"].search(
            partner.action_open_dunning_events()["domain"]
        )
        self.assertEqual(len(history), 3)
        self.assertEqual(history.partner_id, self.customer)

    # Invoice form -------------------------------------------------------

    def test_timeline_links_to_the_email_and_the_activity(self):
        invoice = self.create_invoice(due=TODAY - timedelta(days=1))
        self.run_dunning()
        self.run_dunning(TODAY + timedelta(days=29))
        events = self.as_accountant(invoice).dunning_event_ids
        email, call = events.sorted("date")
        self.assertEqual(email.email_subject, email.message_id.subject)
        self.assertIn(invoice.name, email.email_body)
        self.assertEqual(call.activity_state, call.activity_id.summary)
        call.activity_id.action_done()
        call.invalidate_recordset()
        self.assertEqual(call.activity_state, "Done")

    def test_send_next_step_now(self):
        invoice = self.create_invoice(due=TODAY + timedelta(days=20))
        self.assertEqual(invoice.dunning_next_step_id, self.step_notice)
        with freeze_time(TODAY):
            result = self.as_accountant(invoice).action_dunning_send_now()
        self.assertEqual(result["params"]["type"], "success")
        event = self.events(invoice)
        self.assertEqual(event.step_id, self.step_notice)
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.user_id, self.accountant)
        self.assertEqual(invoice.dunning_step_id, self.step_notice)
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder1)
        # The step is not sent again when its date comes.
        self.run_dunning(TODAY + timedelta(days=12))
        self.assertEqual(len(self.events(invoice)), 1)

    def test_send_now_sends_the_step_the_run_would_send_today(self):
        # Five days overdue, never reminded: the Notice (D-8) is behind, the
        # run would send Reminder 1 (D+1) today, and so does the button.
        invoice = self.create_invoice(due=TODAY - timedelta(days=5))
        with freeze_time(TODAY):
            self.as_accountant(invoice).action_dunning_send_now()
        self.env.invalidate_all()
        event = self.events(invoice)
        self.assertEqual(event.step_id, self.step_reminder1)
        self.assertEqual(event.state, "queued")
        mail = self.mails(self.customer)
        self.assertEqual(len(mail), 1)
        self.assertIn(invoice.name, mail.body_html)
        # The run of the same day sends nothing more.
        self.run_dunning()
        self.assertEqual(self.events(invoice), event)
        self.assertEqual(self.mails(self.customer), mail)
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder2)
        self.assertEqual(invoice.dunning_next_date, TODAY + timedelta(days=9))

    def test_next_step_shown_is_the_one_the_run_sends(self):
        # Posted five days after its due date: the Notice (D-8) and Reminder 1
        # (D+1) are both past; the run sends Reminder 1, and the invoice says
        # so, never the Notice it will skip.
        invoice = self.create_invoice(due=TODAY - timedelta(days=5), entered=TODAY)
        with freeze_time(TODAY):
            self.assertEqual(invoice.dunning_upcoming_step_id, self.step_reminder1)
            self.assertEqual(invoice.dunning_upcoming_date, TODAY)
        self.run_dunning()
        self.assertEqual(self.events(invoice).step_id, self.step_reminder1)
        invoice.invalidate_recordset()
        with freeze_time(TODAY):
            self.assertEqual(invoice.dunning_upcoming_step_id, self.step_reminder2)
            self.assertEqual(invoice.dunning_upcoming_date, TODAY + timedelta(days=9))

    def test_stale_form_never_sends_twice(self):
        self.accountant.tz = "Europe/Paris"
        invoice = self.create_invoice(due=TODAY - timedelta(days=5))
        # The run reminds the invoice at 9:15 in Paris while the accountant
        # has its form open since the morning, showing Reminder 1 to send.
        self.run_dunning(datetime(2026, 3, 10, 8, 15))
        first = self.events(invoice)
        self.assertEqual(first.step_id, self.step_reminder1)
        self.assertEqual(len(self.mails(self.customer)), 1)
        with (
            freeze_time(datetime(2026, 3, 10, 13, 0)),
            self.assertRaises(RedirectWarning) as caught,
        ):
            self.as_accountant(invoice).action_dunning_send_now()
        message, action_id, button, context = caught.exception.args
        self.assertIn("These customers were already reminded today:", message)
        # 8:15 UTC is 9:15 in Paris (Babel may put a narrow space before AM).
        self.assertRegex(
            message,
            re.escape(
                f"{invoice.display_name}: {self.customer.display_name} was already reminded "
                "today at 9:15"
            )
            + r"\sAM"
            + re.escape(
                f" by {first.user_id.name} ({self.step_reminder1.display_name}, {invoice.name})."
            ),
        )
        self.assertEqual(button, "Send again")
        self.assertEqual(context, {"active_model": "account.move", "active_ids": invoice.ids})
        action = self.env["ir.actions.server"].browse(action_id)
        self.assertEqual(action, self.env.ref("account_dunning.action_server_dunning_send_again"))
        self.env.invalidate_all()
        self.assertEqual(self.events(invoice), first, "nothing sent before confirmation")
        self.assertEqual(len(self.mails(self.customer)), 1)
        # Confirmed: the web client runs the server action on the invoice.
        with freeze_time(datetime(2026, 3, 10, 13, 1)):
            result = action.with_user(self.accountant).with_context(**context).run()
        self.assertEqual(result["params"]["type"], "success")
        self.env.invalidate_all()
        again = self.events(invoice) - first
        self.assertEqual(len(again), 1)
        self.assertEqual(again.step_id, self.step_reminder1, "the same reminder, again")
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        self.assertEqual(again.state, "queued")
        self.assertEqual(again.user_id, self.accountant)
        self.assertIn("Sent again by Alice Accountant although already reminded today.", again.note)
        self.assertEqual(len(self.mails(self.customer)), 2)

    def test_second_reminder_of_the_day_is_asked_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.accountant.lang = "fr_FR"
        invoice = self.create_invoice(due=TODAY - timedelta(days=5))
        self.run_dunning()
        with freeze_time(TODAY), self.assertRaises(RedirectWarning) as caught:
            self.as_accountant(invoice).action_dunning_send_now()
        message, _action_id, button, _context = caught.exception.args
        self.assertIn("Ces clients ont déjà été relancés aujourd'hui :", message)
        self.assertIn(
            f"{invoice.display_name} : {self.customer.display_name} a déjà été relancé "
            "aujourd'hui à",
            message,
        )
        self.assertEqual(button, "Envoyer à nouveau")

    def test_send_now_approves_a_step_waiting_for_approval(self):
        self.step_reminder1.auto = False
        invoice = self.create_invoice(due=TODAY - timedelta(days=1))
        self.run_dunning()
        self.assertEqual(self.events(invoice).state, "pending")
        with freeze_time(TODAY):
            self.as_accountant(invoice).action_dunning_send_now()
        self.assertEqual(self.events(invoice).state, "queued")
        self.assertEqual(len(self.mails(self.customer)), 1)

    def test_send_now_refuses_what_must_not_be_reminded(self):
        paused = self.create_invoice()
        paused.action_dunning_pause(reason="Dispute")
        with self.assertRaisesRegex(UserError, "Dunning is paused: Dispute"):
            self.as_accountant(paused).action_dunning_send_now()
        paid = self.create_invoice()
        self.pay(paid)
        with self.assertRaisesRegex(UserError, "already paid"):
            self.as_accountant(paid).action_dunning_send_now()
        self.customer_b.dunning_excluded = True
        excluded = self.create_invoice(partner=self.customer_b)
        with self.assertRaisesRegex(UserError, "excluded"):
            self.as_accountant(excluded).action_dunning_send_now()
        finished = self.create_invoice(due=TODAY - timedelta(days=40))
        self.run_dunning()
        with self.assertRaisesRegex(UserError, "No dunning step is left"):
            self.as_accountant(finished).action_dunning_send_now()
        self.assertFalse(self.events(paused | paid | excluded))

    def test_send_now_failure_is_visible(self):
        self.customer_b.email = False
        invoice = self.create_invoice(partner=self.customer_b, due=TODAY - timedelta(days=1))
        with freeze_time(TODAY):
            result = self.as_accountant(invoice).action_dunning_send_now()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertEqual(self.events(invoice).state, "failed")
        self.assertTrue(invoice.dunning_last_failed)

    def test_skip_to_a_step(self):
        invoice = self.create_invoice(due=TODAY - timedelta(days=2))
        self.run_dunning()
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        wizard = Form(
            self.env["account.dunning.skip"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        wizard.step_id = self.step_call
        with freeze_time(TODAY):
            wizard.save().action_skip()
        skipped = self.events(invoice).filtered(lambda event: event.state == "skipped")
        self.assertEqual(skipped.step_id, self.step_reminder2)
        self.assertIn("Alice Accountant", skipped.note)
        self.assertEqual(invoice.dunning_next_step_id, self.step_call)
        self.assertEqual(invoice.dunning_next_date, TODAY + timedelta(days=28))
        self.run_dunning(TODAY + timedelta(days=28))
        self.assertEqual(self.events(invoice)[-1:].step_id, self.step_call)
        self.assertEqual(len(self.mails(self.customer)), 1)

    def test_skip_to_a_step_and_send_it_now(self):
        invoice = self.create_invoice(due=TODAY + timedelta(days=20))
        with freeze_time(TODAY):
            self.as_accountant(invoice).action_dunning_skip_to(self.step_reminder2, send_now=True)
        events = self.events(invoice)
        self.assertEqual(events.mapped("state"), ["skipped", "skipped", "queued"])
        self.assertEqual(
            events.step_id, self.step_notice | self.step_reminder1 | self.step_reminder2
        )
        self.assertEqual(invoice.dunning_step_id, self.step_reminder2)

    def test_skip_never_goes_back(self):
        invoice = self.create_invoice(due=TODAY - timedelta(days=15))
        self.run_dunning()
        self.assertEqual(invoice.dunning_step_id, self.step_reminder2)
        with self.assertRaisesRegex(UserError, "never goes back"):
            self.as_accountant(invoice).action_dunning_skip_to(self.step_reminder1)
        other = self.env["account.dunning.sequence"].create(
            {
                "name": "Other",
                "company_id": self.company.id,
                "step_ids": [Command.create({"name": "Call", "channel": "phone"})],
            }
        )
        with self.assertRaisesRegex(UserError, "not in the dunning sequence"):
            self.as_accountant(invoice).action_dunning_skip_to(other.step_ids)

    def test_skip_wizard_needs_one_sequence(self):
        other = self.env["account.dunning.sequence"].create(
            {"name": "Other", "company_id": self.company.id}
        )
        self.customer_b.dunning_sequence_id = other
        invoices = self.create_invoice() | self.create_invoice(partner=self.customer_b)
        wizard = (
            self.env["account.dunning.skip"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"step_id": self.step_call.id})
        )
        self.assertFalse(wizard.sequence_id)
        with self.assertRaisesRegex(UserError, "same dunning sequence"):
            wizard.action_skip()

    def test_users_without_dunning_rights_cannot_act(self):
        invoice = self.create_invoice()
        with self.assertRaisesRegex(UserError, "Only Dunning Users"):
            invoice.with_user(self.salesperson).action_dunning_send_now()
        self.assertFalse(self.events(invoice))
