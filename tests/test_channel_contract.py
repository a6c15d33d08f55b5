# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo_test_helper import FakeModelLoader

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import TODAY, AccountantCase


@tagged("post_install", "-at_install")
class TestChannelContract(AccountantCase):
    """A channel is one file: another module adds one with ``selection_add``
    and a ``_send_by_<channel>`` method (tests/fake_channel.py), and the run,
    the buttons, the wizards and the history take it like any other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .fake_channel import AccountDunningRun, AccountDunningStep

        cls.loader.update_registry((AccountDunningStep, AccountDunningRun))
        cls.step_fax = cls.env["account.dunning.step"].create(
            {
                "sequence_id": cls.sequence.id,
                "name": "Fax",
                "offset_days": 20,
                "channel": "fax",
                "mail_template_id": cls.template_reminder2.id,
            }
        )
        cls.customer.phone = "+33 1 23 45 67 89"

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_a_channel_runs_through_the_scheduled_run_and_its_history(self):
        Run = self.env["account.dunning.run"]
        self.assertIn("fax", Run._get_dunning_channels())
        self.assertFalse(Run._dunning_channel_can("fax", "review"))
        invoice = self.create_invoice(due=TODAY - timedelta(days=15))
        self.run_dunning()
        self.assertEqual(invoice.dunning_step_id, self.step_reminder2)
        self.run_dunning(TODAY + timedelta(days=5))
        event = self.events(invoice)[-1]
        self.assertEqual(
            (event.step_id, event.channel, event.state), (self.step_fax, "fax", "sent")
        )
        self.assertEqual(event.note, "Faxed to +33 1 23 45 67 89.")
        self.assertEqual(invoice.dunning_step_id, self.step_fax)
        self.assertEqual(invoice.dunning_next_step_id, self.step_call)
        self.assertIn("Faxed Fax to +33 1 23 45 67 89.", invoice.message_ids.mapped("preview"))
        self.assertEqual(len(self.mails(self.customer)), 1, "no email for the fax step")
        # The history names it as the step's channel.
        customer = self.env["account.dunning.customer"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(customer.last_channel, "fax")
        labels = dict(event._fields["channel"]._description_selection(self.env))
        self.assertEqual(labels["fax"], "Fax")
        self.env["account.dunning.event"].get_views([(False, "list"), (False, "form")])

    def test_a_channel_runs_from_the_buttons_and_the_skip_wizard(self):
        invoice = self.create_invoice(due=TODAY - timedelta(days=15))
        wizard = Form(
            self.env["account.dunning.skip"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        wizard.step_id = self.step_fax
        wizard.send_now = True
        with freeze_time(TODAY):
            wizard.save().action_skip()
        events = self.events(invoice)
        self.assertEqual(events.mapped("state"), ["skipped", "skipped", "skipped", "sent"])
        self.assertEqual(events[-1].channel, "fax")
        other = self.create_invoice(due=TODAY - timedelta(days=21), partner=self.customer_b)
        self.customer_b.phone = False
        with freeze_time(TODAY):
            other.with_user(self.accountant).action_dunning_send_now()
        failed = self.events(other)[-1]
        self.assertEqual((failed.step_id, failed.state), (self.step_fax, "failed"))
        self.assertIn("Atelier Martin has no fax number.", failed.note)
        self.assertTrue(failed.activity_id, "a failed fax is a task, like any failed reminder")

    def test_a_channel_checks_its_own_steps(self):
        # assertRaises, not assertRaisesRegex: only it rolls the refused step back.
        with self.assertRaises(ValidationError) as refused:
            self.env["account.dunning.step"].create(
                {
                    "sequence_id": self.sequence.id,
                    "name": "Fax 2",
                    "offset_days": 25,
                    "channel": "fax",
                }
            )
        self.assertIn("The fax step Fax 2 needs a cover page template.", str(refused.exception))
        self.assertFalse(self.sequence.step_warning, "the fax step with its template is fine")
        # The sequence's form warns in the same words before saving.
        form = Form(self.sequence)
        with form.step_ids.new() as line:
            line.name = "Fax 3"
            line.offset_days = 26
            line.channel = "fax"
        self.assertIn("The fax step Fax 3 needs a cover page template.", form.step_warning)

    def test_a_channel_without_its_method_is_refused_clearly(self):
        # A value of the selection whose module is gone: not dispatched to
        # whatever method happens to share its name.
        Run = self.env["account.dunning.run"]
        for name in ("step", "approval", "channel"):
            self.assertNotIn(name, Run._get_dunning_channels())
        step = self.step_fax
        invoice = self.create_invoice(due=TODAY - timedelta(days=21))
        groups = [(self.customer, invoice)]
        with self.assertRaisesRegex(UserError, "The channel approval of step .* is not installed"):
            Run._run_channel(step, groups, TODAY, channel="approval")

    def test_engine_helpers_never_look_like_channels(self):
        Run = self.env["account.dunning.run"]
        channels = set(self.env["account.dunning.step"]._fields["channel"].get_values(self.env))
        senders = {name[len("_send_by_") :] for name in dir(Run) if name.startswith("_send_by_")}
        self.assertEqual(senders, channels, "each _send_by_ method is a channel, and back")
        self.assertEqual(set(Run._get_dunning_channels()), channels)

    def test_a_new_sequence_may_use_the_channel(self):
        sequence = self.env["account.dunning.sequence"].create(
            {
                "name": "Fax only",
                "company_id": self.company.id,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Fax",
                            "offset_days": 3,
                            "channel": "fax",
                            "mail_template_id": self.template_reminder1.id,
                        }
                    )
                ],
            }
        )
        self.customer_b.dunning_sequence_id = sequence
        self.customer_b.phone = "+33 4 00 00 00 00"
        invoice = self.create_invoice(due=TODAY - timedelta(days=3), partner=self.customer_b)
        self.run_dunning()
        self.assertEqual(self.events(invoice).channel, "fax")
        self.assertEqual(self.events(invoice).state, "sent")
