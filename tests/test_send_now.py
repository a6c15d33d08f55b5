# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import datetime, timedelta

from odoo.exceptions import RedirectWarning, UserError
from odoo.tests import freeze_time, tagged

from .common import TODAY, AccountantCase


@tagged("post_install", "-at_install")
class TestSendNow(AccountantCase):
    """The invoice's button that sends its next step now, and when it
    refuses or asks first."""

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

    def test_users_without_dunning_rights_cannot_act(self):
        invoice = self.create_invoice()
        with self.assertRaisesRegex(UserError, "Only Dunning Users"):
            invoice.with_user(self.salesperson).action_dunning_send_now()
        self.assertFalse(self.events(invoice))
