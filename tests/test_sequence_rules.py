# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestSequenceRules(DunningCase):
    """Sequences chosen by rules: own choice, then the first rule matched by
    priority, then the company default."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.firm = cls.sequence.copy(
            {
                "name": "Firm",
                "rule_domain": "[('ref', '=', 'VIP')]",
                "rule_priority": 10,
            }
        )
        cls.gentle = cls.sequence.copy(
            {
                "name": "Gentle",
                "rule_domain": "[('ref', 'in', ('VIP', 'BIG'))]",
                "rule_priority": 20,
            }
        )

    def applied(self, partner):
        partner.invalidate_recordset()
        return (
            partner.dunning_applied_sequence_id,
            partner.dunning_sequence_reason,
            partner.dunning_sequence_reason_label,
        )

    def test_first_rule_by_priority_applies(self):
        self.customer.ref = "VIP"
        self.customer_b.ref = "BIG"
        # Both rules match the customer: the lowest priority wins.
        self.assertEqual(self.applied(self.customer), (self.firm, "rule", "Rule: Firm"))
        self.assertEqual(self.applied(self.customer_b), (self.gentle, "rule", "Rule: Gentle"))
        self.gentle.rule_priority = 5
        self.assertEqual(self.applied(self.customer), (self.gentle, "rule", "Rule: Gentle"))
        invoice = self.create_invoice(due=day(10))
        self.assertEqual(invoice.dunning_sequence_id, self.gentle, "posted in its rule's sequence")
        # A new customer follows its rule from the start.
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "ref": "BIG"})
        self.assertEqual(self.applied(newcomer)[:2], (self.gentle, "rule"))

    def test_own_choice_wins_over_rules(self):
        special = self.sequence.copy({"name": "Special"})
        self.customer.write({"ref": "VIP", "dunning_sequence_id": special.id})
        self.assertEqual(self.customer.dunning_rule_sequence_id, self.firm, "the rule is known")
        self.assertEqual(self.applied(self.customer), (special, "own", "Own Choice"))
        invoice = self.create_invoice(due=day(10))
        self.assertEqual(invoice.dunning_sequence_id, special)
        # Its contacts show the customer's sequence.
        contact = self.env["res.partner"].create({"name": "Jo", "parent_id": self.customer.id})
        self.assertEqual(self.applied(contact)[:2], (special, "own"))

    def test_default_when_no_rule_matches(self):
        self.assertEqual(self.applied(self.customer), (self.sequence, "default", "Company Default"))
        invoice = self.create_invoice(due=day(10))
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        # A default sequence is no rule, whatever its domain.
        self.sequence.rule_domain = "[('ref', '=', 'VIP')]"
        self.firm.active = False
        self.gentle.active = False
        self.customer.ref = "VIP"
        self.assertFalse(self.customer.dunning_rule_sequence_id)
        self.assertEqual(self.applied(self.customer)[1], "default")

    def test_partner_form_shows_the_sequence_and_why(self):
        self.customer.ref = "VIP"
        form = Form(self.customer, view="account.view_partner_property_form")
        self.assertEqual(form.dunning_applied_sequence_id, self.firm)
        self.assertEqual(form.dunning_sequence_reason_label, "Rule: Firm")

    def test_customer_change_moves_it_by_the_entry_rule(self):
        invoice = self.create_invoice(partner=self.customer_b, due=day(-20))
        self.run_dunning(day(-19))
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        with freeze_time(TODAY):
            self.customer_b.ref = "BIG"
        self.assertEqual(invoice.dunning_sequence_id, self.gentle)
        self.assertEqual(invoice.dunning_start_date, TODAY, "enters the new sequence today")
        self.assertFalse(invoice.dunning_step_id, "its last step is forgotten")
        # Reminder 2 of the new sequence was due 6 days ago: stale, not sent.
        self.run_dunning(TODAY)
        self.assertEqual(len(self.events(invoice)), 1)
        self.run_dunning(day(10))
        self.assertEqual(self.events(invoice)[-1].step_id.sequence_id, self.gentle)
        self.assertEqual(self.events(invoice)[-1].step_id.offset_days, 30)

    def test_rule_change_moves_the_customers(self):
        invoice = self.create_invoice(due=day(10))
        self.customer.ref = "X"
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        self.firm.rule_domain = "[('ref', '=', 'X')]"
        self.assertEqual(invoice.dunning_sequence_id, self.firm)
        self.assertEqual(self.firm.partner_ids, self.customer, "its customers, by rule")
        self.firm.rule_domain = "[]"
        self.assertEqual(invoice.dunning_sequence_id, self.sequence, "no rule any more")
        self.assertFalse(self.customer.dunning_rule_sequence_id)

    def test_archived_rule_is_ignored(self):
        invoice = self.create_invoice(due=day(10))
        self.customer.ref = "VIP"
        self.assertEqual(invoice.dunning_sequence_id, self.firm)
        self.firm.active = False
        self.assertEqual(self.customer.dunning_rule_sequence_id, self.gentle, "the next rule")
        self.assertEqual(invoice.dunning_sequence_id, self.gentle)
        self.gentle.active = False
        self.assertEqual(self.applied(self.customer)[:2], (self.sequence, "default"))
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)

    @mute_logger("odoo.sql_db")
    def test_invalid_domain_is_rejected(self):
        for domain in (
            "[('no_such_field', '=', 1)]",
            "[('ref', 'is like', 'VIP')]",
            "not a domain",
            "42",
            "[('credit_limit', '>', 'lots')]",
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                self.firm.rule_domain = domain
        self.firm.rule_domain = "[('dunning_risk', '=', 'risky')]"

    def test_nightly_cron_moves_a_customer_becoming_risky(self):
        self.firm.rule_domain = "[('dunning_risk', '=', 'risky')]"
        invoice = self.create_invoice(due=day(-40))
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        cron = self.env.ref("account_dunning.ir_cron_dunning_rules")
        # 40 days late on a single invoice: more than 30 days late, risky.
        with freeze_time(TODAY):
            cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self.customer.dunning_risk, "risky")
        self.assertEqual(self.applied(self.customer), (self.firm, "rule", "Rule: Firm"))
        self.assertEqual(invoice.dunning_sequence_id, self.firm)
        self.assertEqual(invoice.dunning_start_date, TODAY)
        self.assertFalse(invoice.dunning_step_id)
        # Thresholds loosened in the settings: the customer is no longer
        # risky at once and leaves the firm sequence the same way.
        with freeze_time(day(1)):
            self.company.write({"dunning_risky_days_late": 60, "dunning_risky_on_time_rate": 0})
        self.env.invalidate_all()
        self.assertEqual(self.customer.dunning_risk, "normal")
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        self.assertEqual(invoice.dunning_start_date, day(1))

    def test_engine_writes_still_check_companies(self):
        # Moving invoices is checked once per sequence, not skipped.
        other = self.setup_other_company(name="Company B")["company"]
        foreign = self.env["account.dunning.sequence"].search(
            [("company_id", "=", other.id), ("is_default", "=", True)]
        )
        invoices = self.create_invoice(due=day(10)) | self.create_invoice(due=day(20))
        invoices._dunning_write({"dunning_sequence_id": self.firm.id})
        self.assertEqual(invoices.dunning_sequence_id, self.firm)
        with self.assertRaises(UserError):
            invoices._dunning_write({"dunning_sequence_id": foreign.id})
