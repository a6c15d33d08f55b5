# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import TODAY, AccountantCase


@tagged("post_install", "-at_install")
class TestSkip(AccountantCase):
    """Skipping an invoice to a later step of its sequence."""

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
