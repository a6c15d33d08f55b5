# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestPlanSteps(DunningCase):
    """The payment plans' notices and reminders of missed instalments are
    steps of the plan's sequence, run as any step."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence.write({"plan_notice_days": 3, "plan_missed_limit": 2})
        cls.step_instalment = cls.sequence._get_trigger_step("plan_instalment")
        cls.step_missed = cls.sequence._get_trigger_step("plan_missed")

    def make_plan(self, invoice, schedule=((10, 300), (40, 300), (70, 300))):
        with freeze_time(TODAY):
            plan = self.env["account.dunning.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "line_ids": [
                        Command.create({"date": day(offset), "amount": amount})
                        for offset, amount in schedule
                    ],
                }
            )
            plan.action_confirm()
        return plan

    def plan_events(self, invoice):
        return self.events(invoice).filtered(lambda event: event.event_type == "plan")

    def test_the_test_sequence_has_the_steps_of_a_new_sequence(self):
        self.assertEqual(
            self.step_instalment.mail_template_id,
            self.env.ref("account_dunning.mail_template_dunning_plan_notice"),
        )
        self.assertEqual(
            self.step_missed.mail_template_id,
            self.env.ref("account_dunning.mail_template_dunning_plan_reminder"),
        )
        self.assertNotIn(self.step_instalment, self.sequence.reminder_step_ids)
        self.assertEqual(self.step_instalment.offset_label, "Before Each Instalment")

    def test_a_notice_is_its_step_and_leaves_the_invoice_at_its_reminder(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        self.run_dunning()
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        plan = self.make_plan(invoice)
        self.run_dunning(day(7))
        event = self.plan_events(invoice)
        self.assertEqual(event.step_id, self.step_instalment)
        self.assertEqual(event.plan_id, plan)
        self.assertEqual(event.state, "queued")
        self.assertIn("Notice of the instalment", event.note)
        self.assertIn("Sent to", event.note, "the channel's own note follows")
        self.assertIn("next instalment", event.mail_id.body_html)
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1, "no reminder step moved")
        # Logged on the invoice as any step sent by email.
        self.assertIn(
            self.step_instalment.display_name,
            " ".join(invoice.message_ids.mapped("body")),
        )

    def test_a_missed_instalment_is_reminded_by_its_step(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        self.make_plan(invoice)
        self.run_dunning(day(11))
        missed = self.plan_events(invoice).filtered(lambda event: "missed" in event.note)
        self.assertEqual(missed.step_id, self.step_missed)
        self.assertIn("not received", missed.mail_id.body_html)

    def test_a_plan_step_runs_on_its_own_channel(self):
        self.step_instalment.write(
            {
                "channel": "phone",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            }
        )
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice)
        self.run_dunning(day(7))
        event = self.plan_events(invoice)
        self.assertEqual(event.channel, "phone")
        self.assertEqual(event.plan_id, plan)
        self.assertEqual(event.activity_id.activity_type_id, self.step_instalment.activity_type_id)
        self.assertFalse(event.mail_id)
        self.assertTrue(plan.line_ids[0].notice_sent)

    def test_without_the_step_no_notice_and_nothing_lost_when_it_comes_back(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice)
        self.step_instalment.unlink()
        self.run_dunning(day(7))
        self.assertFalse(self.plan_events(invoice))
        self.assertFalse(plan.line_ids[0].notice_sent, "left for a step added later")
        self.sequence.step_ids = self.env["account.dunning.sequence"]._get_default_plan_steps()[:1]
        self.run_dunning(day(8))
        self.assertEqual(len(self.plan_events(invoice)), 1, "the notice, still ahead")
        self.run_dunning(day(9))
        self.assertEqual(len(self.plan_events(invoice)), 1, "once")

    def test_one_step_per_plan_trigger(self):
        with self.assertRaisesRegex(
            ValidationError, "several steps sent before each instalment of a payment plan"
        ):
            self.env["account.dunning.step"].create(
                {
                    "sequence_id": self.sequence.id,
                    "name": "Another notice",
                    "trigger": "plan_instalment",
                    "channel": "phone",
                }
            )

    def test_a_new_sequence_has_the_plan_steps_and_a_data_file_gives_its_own(self):
        form = Form(self.env["account.dunning.sequence"])
        form.name = "New"
        self.assertEqual(len(form.step_ids), 2, "shown in the form, removable")
        sequence = form.save()
        self.assertEqual(
            sorted(sequence.step_ids.mapped("trigger")), ["plan_instalment", "plan_missed"]
        )
        self.assertFalse(sequence.reminder_step_ids)
        loaded = (
            self.env["account.dunning.sequence"]
            .with_context(install_mode=True)
            .create({"name": "From a data file"})
        )
        self.assertFalse(loaded.step_ids)

    def test_a_plan_template_is_checked_on_an_invoice_in_a_plan(self):
        # Invoices, none in a plan: the plan's template is not tried on them
        # (it names the plan's instalments).
        self.create_invoice(due=day(-1))
        other = self.env["account.dunning.sequence"].create(
            {"name": "Other", "company_id": self.company.id}
        )
        self.assertTrue(other._get_trigger_step("plan_instalment"))
        # Once an invoice is in a plan, a template that cannot render on it
        # is refused when saved.
        self.make_plan(self.create_invoice(due=day(-1), amount=900))
        own = self.env.ref("account_dunning.mail_template_dunning_plan_notice").copy()
        self.step_instalment.mail_template_id = own
        with self.assertRaisesRegex(ValidationError, "cannot be rendered"):
            own.body_html = "<p t-out='object.dunning_plan_id.no_such_field'/>"
