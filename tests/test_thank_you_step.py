# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from psycopg2.extras import Json

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import SQL, mute_logger

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestThankYouStep(DunningCase):
    """The thank-you is the step sent when paid: run like any step, never
    a reminder of the dunning plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.create_accountant()
        cls.customer.dunning_responsible_id = cls.accountant
        cls.step_thank_you = cls.add_thank_you_step()

    def thanks(self, invoice):
        return self.events(invoice).filtered(lambda event: event.event_type == "thank_you")

    def reminded_and_paid(self):
        """An invoice reminded today (Reminder 1), paid tomorrow."""
        invoice = self.create_invoice(due=day(-2))
        self.run_dunning()
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        self.pay(invoice, day=day(1))
        return invoice

    def test_thank_you_step_runs_through_the_run_once(self):
        invoice = self.reminded_and_paid()
        self.run_dunning(day(1))
        thanks = self.thanks(invoice)
        self.assertEqual(thanks.step_id, self.step_thank_you)
        self.assertEqual(thanks.state, "queued")
        self.assertEqual(thanks.channel, "email")
        self.assertEqual(thanks.mail_id.subject, f"{self.company.name}: thank you for your payment")
        self.assertEqual(
            invoice.dunning_step_id, self.step_reminder1, "a thank-you is no step of the plan"
        )
        self.assertFalse(invoice.dunning_last_failed)
        self.run_dunning(day(2))
        self.assertEqual(len(self.thanks(invoice)), 1, "thanked once")
        self.assertEqual(len(self.mails(self.customer).filtered(lambda m: "thank" in m.subject)), 1)

    @mute_logger("odoo.addons.account_dunning.models.account_dunning_run")
    def test_failing_thank_you_fails_like_a_reminder(self):
        broken = self.step_thank_you.mail_template_id.copy()
        self.step_thank_you.mail_template_id = broken
        # Broken behind the ORM's back: a template is checked when saved.
        self.env.cr.execute(
            SQL(
                "UPDATE mail_template SET body_html = %s WHERE id = %s",
                Json({"en_US": "<p t-out='object.nope.name'/>"}),
                broken.id,
            )
        )
        broken.invalidate_recordset(["body_html"])
        invoice = self.reminded_and_paid()
        self.run_dunning(day(1))
        thanks = self.thanks(invoice)
        self.assertEqual(thanks.state, "failed")
        self.assertEqual(thanks.step_id, self.step_thank_you)
        self.assertIn("could not be rendered", thanks.note)
        # The task of a failed reminder: a to-do of the responsible.
        activity = thanks.activity_id
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(activity.summary, f"Reminder failed: {self.step_thank_you.display_name}")
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn(invoice.name, activity.note)
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        self.run_dunning(day(2))
        self.assertEqual(len(self.thanks(invoice)), 1, "a person acts on the task")

    def test_paid_step_is_never_a_reminder(self):
        self.assertEqual(self.sequence.paid_step_id, self.step_thank_you)
        self.assertNotIn(self.step_thank_you, self.sequence.reminder_step_ids)
        self.assertEqual(self.step_thank_you.offset_label, "When Paid")
        # The run: past the last reminder step, the sequence ends.
        finished = self.create_invoice(due=day(-40))
        self.run_dunning()
        self.assertEqual(finished.dunning_step_id, self.step_call)
        self.assertFalse(finished.dunning_next_step_id)
        self.run_dunning(day(30))
        self.assertEqual(self.events(finished).step_id, self.step_call)
        # Send Next Reminder.
        with self.assertRaisesRegex(UserError, "No dunning step is left"):
            finished.with_user(self.accountant).action_dunning_send_now()
        # Send reminders: only the reminder steps are proposed.
        invoice = self.create_invoice(due=day(-5))
        self.assertEqual(invoice._get_dunning_step_to_remind(TODAY), self.step_reminder1)
        with freeze_time(TODAY):
            form = Form(
                self.env["account.dunning.send"]
                .with_user(self.accountant)
                .with_context(active_model="account.move", active_ids=invoice.ids)
            )
            with form.line_ids.edit(0) as line:
                self.assertNotIn(self.step_thank_you, line.allowed_step_ids[:])
        # Skip to: the wizard offers the reminder steps only, and the
        # invoice's button refuses the paid step.
        skip = Form(
            self.env["account.dunning.skip"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        self.assertNotIn(self.step_thank_you, skip.reminder_step_ids[:])
        with self.assertRaisesRegex(UserError, "sent when the invoices are paid"):
            invoice.with_user(self.accountant).action_dunning_skip_to(self.step_thank_you)

    def test_a_paid_step_has_no_day_and_is_one_per_sequence(self):
        # On the day of a reminder step: it has no day.
        self.step_thank_you.offset_days = self.step_reminder1.offset_days
        self.assertFalse(self.sequence.step_warning)
        with self.assertRaisesRegex(ValidationError, "several steps sent when paid"):
            self.add_thank_you_step()

    def test_a_paid_step_tests_no_template_variants(self):
        Variant = self.env["account.dunning.step.variant"]
        with self.assertRaisesRegex(ValidationError, "not a reminder"):
            Variant.create(
                {
                    "step_id": self.step_thank_you.id,
                    "name": "B",
                    "mail_template_id": self.step_thank_you.mail_template_id.id,
                }
            )
        Variant.create(
            {
                "step_id": self.step_reminder1.id,
                "name": "B",
                "mail_template_id": self.template_reminder1.id,
            }
        )
        self.step_thank_you.unlink()
        with self.assertRaisesRegex(ValidationError, "must stay a reminder step"):
            self.step_reminder1.trigger = "paid"
