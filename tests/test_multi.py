# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestMultiCompany(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=(cls.company | cls.company_b).ids)
        )
        cls.sequence_b = cls.env["account.dunning.sequence"].search(
            [("company_id", "=", cls.company_b.id), ("is_default", "=", True)]
        )
        cls.eur = cls.setup_other_currency("EUR")

    def test_new_company_gets_a_default_sequence(self):
        # A copy of the default sequence shipped, as the database has it:
        # demo data adds a formal notice to it.
        shipped = self.env.ref("account_dunning.dunning_sequence_default").sudo()
        self.assertEqual(len(self.sequence_b), 1)
        self.assertEqual(
            self.sequence_b.step_ids.mapped("offset_days"), shipped.step_ids.mapped("offset_days")
        )
        self.assertEqual(
            self.sequence_b.step_ids.mapped("channel"), shipped.step_ids.mapped("channel")
        )
        self.assertFalse(self.sequence_b.step_ids & shipped.step_ids)

    def test_each_company_uses_its_own_sequence(self):
        self.sequence_b.step_ids.attach_invoice = False
        invoice_a = self.create_invoice(due=day(-1))
        invoice_b = self.create_invoice(due=day(-1), company=self.company_b)
        self.assertEqual(invoice_b.dunning_sequence_id, self.sequence_b)
        self.run_dunning()
        event_b = self.events(invoice_b)
        self.assertEqual(event_b.company_id, self.company_b)
        self.assertEqual(event_b.step_id.sequence_id, self.sequence_b)
        self.assertEqual(self.events(invoice_a).step_id, self.step_reminder1)

    def test_customer_sequence_is_per_company(self):
        special = self.sequence.copy({"name": "Special"})
        self.customer.with_company(self.company).dunning_sequence_id = special
        self.assertFalse(self.customer.with_company(self.company_b).dunning_sequence_id)
        invoice_b = self.create_invoice(due=day(10), company=self.company_b)
        self.assertEqual(invoice_b.dunning_sequence_id, self.sequence_b)

    def test_users_see_only_their_companies(self):
        self.sequence_b.step_ids.attach_invoice = False
        self.create_invoice(due=day(-1))
        self.create_invoice(due=day(-1), company=self.company_b)
        self.run_dunning()
        user_a = new_test_user(
            self.env,
            login="dunning_a",
            groups="account_dunning.group_account_dunning_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        env_a = self.env(user=user_a, context={"allowed_company_ids": self.company.ids})
        events = env_a["account.dunning.event"].search([])
        self.assertEqual(events.company_id, self.company)
        sequences = env_a["account.dunning.sequence"].search([])
        self.assertNotIn(self.sequence_b, sequences)

    def test_amounts_in_the_invoice_currency(self):
        invoice = self.create_invoice(due=day(-1), amount=1234.5, currency=self.eur)
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.currency_id, self.eur)
        self.assertEqual(event.amount_residual, 1234.5)
        body = event.mail_id.body_html
        self.assertIn("1,234.50", body)
        self.assertIn("€", body)
        self.assertNotIn("617.25", body, "not converted to the company currency")


@tagged("post_install", "-at_install")
class TestGroupRights(DunningCase):
    """What the portal, a billing user, a Dunning User and a Dunning Manager
    may see and do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.create_invoice(due=day(-1))
        cls.portal = new_test_user(
            cls.env,
            login="portal_customer",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.billing = new_test_user(
            cls.env, login="billing", groups="account.group_account_invoice"
        )
        cls.dunning_user = new_test_user(
            cls.env, login="dunning_user", groups="account_dunning.group_account_dunning_user"
        )
        cls.dunning_manager = new_test_user(
            cls.env,
            login="dunning_manager",
            groups="account_dunning.group_account_dunning_manager",
        )

    def test_groups_live_under_accounting(self):
        user_group = self.env.ref("account_dunning.group_account_dunning_user")
        manager_group = self.env.ref("account_dunning.group_account_dunning_manager")
        self.assertEqual(
            user_group.category_id.parent_id, self.env.ref("base.module_category_accounting")
        )
        self.assertIn(user_group, manager_group.implied_ids)
        self.assertIn(manager_group, self.env.ref("account.group_account_manager").implied_ids)

    def test_portal_sees_nothing_of_dunning(self):
        self.run_dunning()
        Event = self.env["account.dunning.event"].with_user(self.portal)
        with self.assertRaises(AccessError):
            Event.search([])
        with self.assertRaises(AccessError):
            self.env["account.dunning.sequence"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.portal).read(["dunning_step_id"])
        with self.assertRaises(AccessError):
            self.customer.with_user(self.portal).read(["dunning_excluded"])

    def test_billing_user_without_dunning_group(self):
        with self.assertRaises(AccessError):
            self.env["account.dunning.event"].with_user(self.billing).search([])
        with self.assertRaises(UserError):
            self.invoice.with_user(self.billing).action_dunning_pause(reason="x")
        # Posting and paying invoices still works without the group.
        other = self.create_invoice(due=day(5), post=False)
        other.with_user(self.billing).action_post()
        self.assertEqual(other.sudo().dunning_sequence_id, self.sequence)

    def test_dunning_user_reads_pauses_and_approves(self):
        self.step_reminder1.auto = False
        self.run_dunning()
        invoice = self.invoice.with_user(self.dunning_user)
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder1)
        event = (
            self.env["account.dunning.event"]
            .with_user(self.dunning_user)
            .search([("move_id", "=", self.invoice.id)])
        )
        event.action_approve()
        self.assertEqual(event.state, "queued")
        invoice.action_dunning_pause(reason="Dispute")
        self.assertTrue(invoice.dunning_paused)
        with self.assertRaises(AccessError):
            self.sequence.with_user(self.dunning_user).write({"name": "Renamed"})

    def test_dunning_manager_configures_sequences(self):
        sequence = (
            self.env["account.dunning.sequence"]
            .with_user(self.dunning_manager)
            .create({"name": "Manager's sequence"})
        )
        sequence.write(
            {
                "step_ids": [
                    (0, 0, {"name": "Call", "offset_days": 5, "channel": "phone"}),
                ]
            }
        )
        # With the steps of the payment plans' messages a new sequence has.
        self.assertEqual(sequence.step_count, 3)
        self.assertEqual(sequence.reminder_step_ids.name, "Call")
