# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestProbablyPaid(DunningCase):
    """Never chase a customer whose money is already there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.company.dunning_probably_paid_days = 5

    def bank_line(self, amount=1000.0, partner=None, label="Transfer", day_=TODAY):
        with freeze_time(day_):
            return self.env["account.bank.statement.line"].create(
                {
                    "journal_id": self.bank_journal.id,
                    "date": day_,
                    "payment_ref": label,
                    "partner_id": partner.id if partner else False,
                    "amount": amount,
                }
            )

    def hold(self, invoice):
        return self.events(invoice).filtered(
            lambda event: event.event_type == "probably_paid" and event.state == "pending"
        )

    def test_bank_transaction_from_the_customer_holds_the_reminder(self):
        invoice = self.create_invoice(due=day(-1))
        line = self.bank_line(partner=self.customer)
        self.run_dunning()

        self.assertFalse(self.mails(self.customer), "no reminder while the money is there")
        hold = self.hold(invoice)
        self.assertEqual(len(hold), 1)
        self.assertEqual(hold.evidence_ref, line)
        self.assertEqual(hold.step_id, self.step_reminder1, "the step that was held")
        self.assertEqual(hold.hold_until, day(4), "5 days: today and the 4 next")
        self.assertIn("not reconciled", hold.note)
        self.assertEqual(invoice.dunning_status, "probably_paid")
        self.assertEqual(invoice.dunning_next_date, day(5))
        activity = hold.activity_id
        self.assertTrue(activity, "the responsible is asked to reconcile")
        self.assertIn("Probably paid", activity.summary)
        self.assertIn("Transfer", str(activity.note))
        workspace = self.env["account.dunning.customer"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(workspace.status, "probably_paid")
        self.assertEqual(workspace.held_until, day(4))
        self.assertEqual(workspace.evidence_ref, line)
        # Other customers are reminded as usual.
        other = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        self.assertEqual(self.events(other).state, "queued")
        self.assertEqual(len(self.hold(invoice)), 1, "one hold, not one per run")

    def test_bank_label_naming_the_invoice_holds_it(self):
        invoice = self.create_invoice(due=day(-1))
        self.bank_line(label=f"VIR SEPA {invoice.name.lower()} THANKS")
        self.run_dunning()
        self.assertTrue(self.hold(invoice))
        self.assertFalse(self.mails(self.customer))

    def test_label_naming_another_number_does_not_hold(self):
        invoice = self.create_invoice(due=day(-1))
        # The invoice's number followed by a digit is another invoice.
        self.bank_line(label=f"{invoice.name}7")
        self.bank_line(amount=-500, partner=self.customer, label="Refund to customer")
        self.run_dunning()
        self.assertFalse(self.hold(invoice))
        self.assertEqual(self.events(invoice).state, "queued")

    def test_reconciled_bank_transaction_does_not_hold(self):
        invoice = self.create_invoice(due=day(-1), amount=300)
        other = self.create_invoice(due=day(20), amount=300)
        line = self.bank_line(amount=300, partner=self.customer, day_=day(-2))
        receivable = other.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        _liquidity, suspense, _other = line._seek_for_lines()
        suspense.account_id = receivable.account_id
        (suspense + receivable).reconcile()
        self.assertTrue(line.is_reconciled)
        self.run_dunning()
        self.assertFalse(self.hold(invoice))
        self.assertEqual(self.events(invoice).state, "queued")

    def test_unreconciled_credit_note_holds(self):
        invoice = self.create_invoice(due=day(-1))
        refund = self.create_invoice(move_type="out_refund", amount=200, due=day(-3))
        self.run_dunning()
        hold = self.hold(invoice)
        self.assertEqual(hold.evidence_ref.move_id, refund)
        self.assertFalse(self.mails(self.customer))

    def test_unreconciled_customer_payment_holds(self):
        invoice = self.create_invoice(due=day(-1))
        with freeze_time(day(-2)):
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 1000,
                    "journal_id": self.bank_journal.id,
                    "date": day(-2),
                }
            )
            payment.action_post()
        self.run_dunning()
        hold = self.hold(invoice)
        self.assertTrue(hold)
        self.assertTrue(
            hold.evidence_ref == payment or hold.evidence_ref in payment.move_id.line_ids
        )

    def test_hold_ends_when_the_invoice_is_reconciled(self):
        invoice = self.create_invoice(due=day(-1))
        self.bank_line(partner=self.customer)
        self.run_dunning()
        hold = self.hold(invoice)
        activity = hold.activity_id
        self.pay(invoice, day=day(1))
        self.run_dunning(day(2))
        self.assertEqual(hold.state, "skipped")
        self.assertIn("paid", hold.note)
        self.assertFalse(activity.exists(), "the reconcile task is done")
        self.assertFalse(self.mails(self.customer))
        self.assertEqual(len(self.events(invoice)), 1)

    def test_hold_ends_after_its_days_and_the_reminder_leaves_once(self):
        invoice = self.create_invoice(due=day(-1))
        self.bank_line(partner=self.customer)
        self.run_dunning()
        for offset in range(1, 5):
            self.run_dunning(day(offset))
        self.assertFalse(self.mails(self.customer), "held for 5 days")
        self.run_dunning(day(5))
        self.run_dunning(day(5))
        mails = self.mails(self.customer)
        self.assertEqual(len(mails), 1, "the reminder leaves on day 5, once")
        events = self.events(invoice)
        self.assertEqual(events.mapped("state"), ["skipped", "queued"])
        self.assertIn("not reconciled in time", events[0].note)
        self.assertEqual(events[1].step_id, self.step_reminder1)
        # The same money does not hold the customer again.
        self.run_dunning(day(30))
        self.assertFalse(self.hold(invoice))

    def test_money_reconciled_elsewhere_ends_the_hold(self):
        invoice = self.create_invoice(due=day(-1), amount=300)
        other = self.create_invoice(due=day(20), amount=300)
        line = self.bank_line(amount=300, partner=self.customer)
        self.run_dunning()
        hold = self.hold(invoice)
        self.assertTrue(hold)
        receivable = other.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        _liquidity, suspense, _other = line._seek_for_lines()
        suspense.account_id = receivable.account_id
        (suspense + receivable).reconcile()
        self.run_dunning(day(1))
        self.assertEqual(hold.state, "skipped")
        self.assertIn("reconciled with other invoices", hold.note)
        self.assertEqual(len(self.mails(self.customer)), 1, "reminded once the hold ends")

    def test_check_can_be_turned_off(self):
        invoice = self.create_invoice(due=day(-1))
        self.bank_line(partner=self.customer)
        self.company.dunning_probably_paid_check = False
        self.run_dunning()
        self.assertFalse(self.hold(invoice))
        self.assertEqual(self.events(invoice).state, "queued")

    def test_checked_in_the_other_company_only_with_its_own_money(self):
        invoice = self.create_invoice(due=day(-1))
        other_data = self.setup_other_company(name="Company B")
        self.env.user.company_ids |= other_data["company"]
        with freeze_time(TODAY):
            self.env["account.bank.statement.line"].with_company(other_data["company"]).create(
                {
                    "journal_id": other_data["default_journal_bank"].id,
                    "date": TODAY,
                    "payment_ref": invoice.name,
                    "partner_id": self.customer.id,
                    "amount": 1000,
                }
            )
        self.run_dunning()
        self.assertFalse(self.hold(invoice), "money received by another company")
        self.assertEqual(self.events(invoice).state, "queued")

    def test_send_now_and_wizard_hold_too(self):
        invoice = self.create_invoice(due=day(-1))
        self.bank_line(partner=self.customer)
        with freeze_time(TODAY):
            invoice.action_dunning_send_now()
        self.assertFalse(self.mails(self.customer))
        self.assertTrue(self.hold(invoice))
        with freeze_time(TODAY), self.assertRaisesRegex(UserError, "probably paid"):
            invoice.action_dunning_send_now()
        with self.assertRaisesRegex(UserError, "held because the customer probably paid"):
            self.hold(invoice).action_approve()

    def test_wizard_holds_customers_who_probably_paid(self):
        invoice = self.create_invoice(due=day(-1))
        other = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.bank_line(partner=self.customer)
        with freeze_time(TODAY):
            wizard = (
                self.env["account.dunning.send"]
                .with_context(active_model="account.move", active_ids=(invoice | other).ids)
                .create({})
            )
            result = wizard.action_send()
        self.assertTrue(self.hold(invoice))
        self.assertFalse(self.mails(self.customer))
        self.assertEqual(len(self.mails(self.customer_b)), 1)
        self.assertIn("probably paid", result["params"]["message"])

    def test_release_hold_by_hand(self):
        invoice = self.create_invoice(due=day(-1))
        self.bank_line(partner=self.customer)
        self.run_dunning()
        hold = self.hold(invoice)
        other = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        with self.assertRaisesRegex(UserError, "Only reminders held"):
            self.events(other).action_release_hold()
        hold.action_release_hold()
        self.assertEqual(hold.state, "skipped")
        self.assertIn("released", hold.note)
        with freeze_time(TODAY):
            invoice.action_dunning_send_now()
        self.assertEqual(len(self.mails(self.customer)), 1)

    def test_query_count_does_not_depend_on_customers(self):
        """The check costs the same queries for one customer or many."""
        Run = self.env["account.dunning.run"]
        # Customers of one responsible: each responsible costs its own
        # follower queries, as for any activity Odoo creates.
        partners = [self.customer]
        for index in range(6):
            partners.append(self.customer.copy({"name": f"Other {index}"}))
        moves = self.env["account.move"]
        for partner in partners:
            moves |= self.create_invoice(partner=partner, due=day(-1))
            self.bank_line(partner=partner)
        warm_up, moves = moves[-1:], moves[:-1]
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time(TODAY), self.assertQueryCount(7):
            Run._get_probably_paid_evidence(self.company, moves[:1].commercial_partner_id)
        self.env.invalidate_all()
        with freeze_time(TODAY), self.assertQueryCount(7):
            evidence = Run._get_probably_paid_evidence(self.company, moves.commercial_partner_id)
        self.assertEqual(len(evidence), 6)
        # Holding them, money described and to-dos made, costs no more
        # queries for four customers than for two (after a first call, on
        # another customer, that warms the registry's caches).
        Run._hold_probably_paid(warm_up, TODAY)

        def hold_queries(hold_moves):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            with freeze_time(TODAY):
                _rest, vals_list = Run._hold_probably_paid(hold_moves, TODAY)
                self.env.flush_all()
            self.assertEqual(len(vals_list), len(hold_moves))
            return self.env.cr.sql_log_count - start

        self.assertEqual(hold_queries(moves[2:]), hold_queries(moves[:2]))
