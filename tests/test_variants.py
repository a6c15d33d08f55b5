# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import math
from datetime import timedelta

from psycopg2.errors import CheckViolation

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.account_dunning.models.account_dunning_step_variant import (
    has_enough_data,
    two_proportion_z,
)

from .common import TODAY, DunningCase
from .smtp import smtp_server


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestVariants(DunningCase):
    """Template variants of the Reminder 1 step (A/B test)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template_a = cls.template_reminder1.copy(
            {"name": "Firm reminder", "subject": "Firm: {{ object.name }} is overdue"}
        )
        cls.template_b = cls.template_reminder1
        cls.step = cls.step_reminder1
        cls.step.variant_ids = [
            Command.create({"name": "A", "mail_template_id": cls.template_a.id, "sequence": 1}),
            Command.create({"name": "B", "mail_template_id": cls.template_b.id, "sequence": 2}),
        ]
        cls.variant_a, cls.variant_b = cls.step.variant_ids

    # Helpers ----------------------------------------------------------

    def create_customers(self, count):
        return self.env["res.partner"].create(
            [
                {"name": f"Customer {i}", "is_company": True, "email": f"c{i}@example.com"}
                for i in range(count)
            ]
        )

    def customers_per_variant(self, count):
        """``count`` customers of each variant (their variant is a hash)."""
        chosen = {self.variant_a: [], self.variant_b: []}
        while min(len(partners) for partners in chosen.values()) < count:
            for partner, variant in self.step._get_variant_for(self.create_customers(40)).items():
                chosen[variant].append(partner)
        return [
            self.env["res.partner"].concat(*partners[:count])
            for partners in (chosen[self.variant_a], chosen[self.variant_b])
        ]

    def create_invoices(self, partners):
        """One invoice of 100 per customer, due the day before TODAY."""
        due = day(-1)
        with freeze_time(due - timedelta(days=40)):
            moves = self.env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": due - timedelta(days=40),
                        "invoice_date_due": due,
                        "invoice_line_ids": [
                            Command.create({"name": "Consulting", "price_unit": 100, "tax_ids": []})
                        ],
                    }
                    for partner in partners
                ]
            )
            moves.action_post()
        return moves

    def pay_all(self, moves, on):
        if not moves:
            return
        with freeze_time(on):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=moves.ids
            ).create({"payment_date": on})._create_payments()

    def remind(self, moves):
        """The run sends Reminder 1 on TODAY; the mail queue takes the emails."""
        self.run_dunning()
        events = self.events(moves)
        self.assertEqual(events.step_id, self.step)
        self.assertEqual(set(events.mapped("state")), {"queued"})
        with freeze_time(TODAY), smtp_server(self.env) as received:
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(received), len(moves), "one email per customer")
        self.env.invalidate_all()
        self.assertEqual(set(events.mapped("state")), {"sent"})
        return events

    def make_history(self, paid_a, paid_b):
        """40 customers of each variant with one invoice each, reminded on
        TODAY; ``paid_a`` and ``paid_b``: [(days after the reminder, number
        of invoices paid then)]."""
        customers_a, customers_b = self.customers_per_variant(40)
        moves_a = self.create_invoices(customers_a)
        moves_b = self.create_invoices(customers_b)
        events = self.remind(moves_a | moves_b)
        self.assertEqual(events.filtered(lambda e: e.move_id in moves_a).variant_id, self.variant_a)
        self.assertEqual(events.filtered(lambda e: e.move_id in moves_b).variant_id, self.variant_b)
        for moves, payments in ((moves_a, paid_a), (moves_b, paid_b)):
            start = 0
            for days, count in payments:
                self.pay_all(moves[start : start + count], day(days))
                start += count

    def figures(self, on):
        """The variants' figures as seen on ``on``."""
        self.env.invalidate_all()
        with freeze_time(on):
            variants = self.variant_a | self.variant_b
            variants.mapped("significance")
        return self.variant_a, self.variant_b

    # The statistics -----------------------------------------------------

    def test_two_proportion_z_by_hand(self):
        # 30/50 against 15/50: p1 = .6, p2 = .3, pooled p = 45/100 = .45,
        # SE = sqrt(.45 * .55 * (1/50 + 1/50)) = sqrt(.2475 * .04) = 0.099499,
        # z = .3 / 0.099499 = 3.0151.
        self.assertAlmostEqual(two_proportion_z(30, 50, 15, 50), 3.0151, places=4)
        self.assertAlmostEqual(two_proportion_z(15, 50, 30, 50), -3.0151, places=4)
        self.assertTrue(has_enough_data(30, 50, 15, 50))
        self.assertEqual(two_proportion_z(10, 40, 10, 40), 0.0)
        # Undefined: nothing to compare, or no variance at all.
        self.assertIsNone(two_proportion_z(0, 0, 3, 10))
        self.assertIsNone(two_proportion_z(40, 40, 40, 40))
        # Too few invoices, or too few expected paid ones.
        self.assertFalse(has_enough_data(6, 10, 2, 10))
        self.assertFalse(has_enough_data(2, 100, 1, 100))

    def test_three_variants_best_against_second_best(self):
        variant_c = self.env["account.dunning.step.variant"].create(
            {"step_id": self.step.id, "name": "C", "mail_template_id": self.template_a.id}
        )
        figures = {
            self.variant_a.id: {"paid_count": 30, "decided_count": 50},
            self.variant_b.id: {"paid_count": 15, "decided_count": 50},
            variant_c.id: {"paid_count": 20, "decided_count": 50},
        }
        results = self.step._compare_variants(figures)
        # A (60 %) against C (40 %), the second best: pooled p = .5,
        # SE = sqrt(.25 * .04) = .1, z = .2 / .1 = 2.0 >= 1.96.
        self.assertAlmostEqual(results[self.variant_a.id]["z"], 2.0)
        self.assertEqual(results[self.variant_a.id]["significance"], "significant")
        self.assertTrue(results[self.variant_a.id]["is_best"])
        # C against A: -2.0; B (30 %) against A: -3.0151, as computed above.
        self.assertAlmostEqual(results[variant_c.id]["z"], -2.0)
        self.assertAlmostEqual(results[self.variant_b.id]["z"], -3.0151, places=4)

    # Choosing the variant ----------------------------------------------

    def test_choice_is_stable_and_follows_the_weights(self):
        customers = self.create_customers(200)
        chosen = self.step._get_variant_for(customers)
        self.assertEqual(chosen, self.step._get_variant_for(customers), "same customer, same one")
        self.assertEqual(
            [self.step._choose_variant(partner) for partner in customers[:20]],
            [chosen[partner] for partner in customers[:20]],
        )
        count_a = sum(variant == self.variant_a for variant in chosen.values())
        self.assertTrue(70 <= count_a <= 130, count_a)

        self.variant_a.weight = 3
        count_a = sum(
            variant == self.variant_a for variant in self.step._get_variant_for(customers).values()
        )
        self.assertTrue(125 <= count_a <= 175, f"3/4 of 200: {count_a}")

        # Another step mixes its customers differently.
        other = self.step_reminder2
        other.variant_ids = [
            Command.create({"name": "A", "mail_template_id": self.template_a.id}),
            Command.create({"name": "B", "mail_template_id": self.template_b.id}),
        ]
        self.assertNotEqual(
            [v.name for v in other._get_variant_for(customers).values()],
            [v.name for v in self.step._get_variant_for(customers).values()],
        )

        self.variant_b.active = False
        self.assertEqual(set(self.step._get_variant_for(customers).values()), {self.variant_a})
        self.variant_a.active = False
        self.assertFalse(self.step._choose_variant(customers[0]))

    def test_variants_are_edited_in_the_steps_form(self):
        with Form(self.step, view="account_dunning.account_dunning_step_view_form") as form:
            with form.variant_ids.new() as line:
                line.name = "C"
                line.mail_template_id = self.template_a
                line.weight = 2
                self.assertEqual(line.reminder_count, 0)
            self.assertEqual(form.variant_window_days, 14)
        self.assertEqual(self.step.variant_ids.mapped("name"), ["A", "B", "C"])
        self.assertEqual(self.step.variant_ids[2].weight, 2)

    def test_weight_must_be_positive(self):
        with self.assertRaises(CheckViolation), self.cr.savepoint(), mute_logger("odoo.sql_db"):
            self.variant_a.weight = 0
            self.env.flush_all()

    def test_variant_template_must_render_on_invoices(self):
        partner_template = self.env["mail.template"].create(
            {"name": "On customers", "model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        with self.assertRaisesRegex(ValidationError, "rendered on invoices"):
            self.variant_a.mail_template_id = partner_template
        with self.assertRaisesRegex(ValidationError, "only email steps"):
            self.env["account.dunning.step.variant"].create(
                {
                    "step_id": self.step_call.id,
                    "name": "Call",
                    "mail_template_id": self.template_a.id,
                }
            )
        with self.assertRaisesRegex(ValidationError, "must stay an email step"):
            self.step.channel = "letter"

    # Sending with the variants ------------------------------------------

    def test_each_customer_gets_its_variants_email(self):
        customers_a, customers_b = self.customers_per_variant(1)
        invoice_a = self.create_invoices(customers_a)
        invoice_b = self.create_invoices(customers_b)
        self.run_dunning()

        event_a, event_b = self.events(invoice_a), self.events(invoice_b)
        self.assertEqual(event_a.variant_id, self.variant_a)
        self.assertEqual(event_b.variant_id, self.variant_b)
        self.assertEqual(self.mails(customers_a).subject, f"Firm: {invoice_a.name} is overdue")
        self.assertEqual(event_a.email_subject, f"Firm: {invoice_a.name} is overdue")
        self.assertEqual(self.mails(customers_b).subject, f"{self.company.name}: payment reminder")

    def test_step_without_variants_uses_its_template(self):
        (self.variant_a | self.variant_b).active = False
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        self.assertFalse(event.variant_id)
        self.assertEqual(
            self.mails(self.customer).subject, f"{self.company.name}: payment reminder"
        )

    def test_send_wizard_proposes_the_customers_variant(self):
        customers_a, _customers_b = self.customers_per_variant(1)
        invoice = self.create_invoices(customers_a)
        with freeze_time(TODAY):
            form = Form(
                self.env["account.dunning.send"]
                .with_user(self.create_accountant())
                .with_context(active_model="account.move", active_ids=invoice.ids)
            )
            self.assertEqual(form.line_ids.edit(0).template_id, self.template_a)
            form.save().action_send()
        self.assertEqual(self.events(invoice).variant_id, self.variant_a)

    def test_used_variant_is_archived_not_deleted(self):
        customers_a, _customers_b = self.customers_per_variant(1)
        self.create_invoices(customers_a)
        self.run_dunning()
        event = self.events(self.env["account.move"].search([("partner_id", "=", customers_a.id)]))
        self.assertEqual(event.variant_id, self.variant_a)
        with self.assertRaisesRegex(UserError, "archive"):
            self.variant_a.unlink()
        self.variant_b.unlink()
        # The whole step may go: its history stays, without step nor variant.
        self.step.unlink()
        self.assertFalse(self.variant_a.exists())
        self.assertTrue(event.exists())
        self.assertFalse(event.variant_id)

    # The report ----------------------------------------------------------

    def test_report_finds_the_better_variant(self):
        """A: 30 of 40 invoices paid within the 14 days, 10 each 2, 4 and 5
        days after the reminder; 10 never. B: 12 paid 10 days after, 8 paid
        20 days after (too late), 20 never.

        Paid within 14 days: A 30/40 = 75 %, B 12/40 = 30 %. Pooled
        p = 42/80 = .525, SE = sqrt(.525 * .475 * (1/40 + 1/40))
        = sqrt(.249375 * .05) = 0.111664, z = (.75 - .30) / 0.111664 = 4.030
        ≥ 1.96: significant. Median days to pay: A, of 30 values (ten 2s,
        ten 4s, ten 5s), the mean of the 15th and 16th: 4; B, of 20 values
        (twelve 10s, eight 20s), the mean of the 10th and 11th: 10.
        """
        self.make_history([(2, 10), (4, 10), (5, 10)], [(10, 12), (20, 8)])

        # On day 5 the windows are still open: only the invoices already
        # paid are decided, and B has none.
        variant_a, variant_b = self.figures(day(5))
        self.assertEqual((variant_a.decided_count, variant_a.paid_count), (30, 30))
        self.assertEqual((variant_b.decided_count, variant_b.paid_count), (0, 0))
        self.assertEqual(variant_a.significance, "not_enough_data")
        with freeze_time(day(5)), self.assertRaisesRegex(UserError, "not enough data yet"):
            self.step.action_keep_best_variant()

        variant_a, variant_b = self.figures(day(30))
        self.assertEqual(variant_a.reminder_count, 40)
        self.assertEqual(variant_a.invoice_count, 40)
        self.assertEqual(variant_a.decided_count, 40)
        self.assertEqual(variant_a.paid_count, 30)
        self.assertAlmostEqual(variant_a.paid_rate, 75.0)
        self.assertAlmostEqual(variant_a.median_days, 4.0)
        self.assertEqual(variant_b.reminder_count, 40)
        self.assertEqual(variant_b.paid_count, 12)
        self.assertAlmostEqual(variant_b.paid_rate, 30.0)
        self.assertAlmostEqual(variant_b.median_days, 10.0)
        z = 0.45 / math.sqrt(0.525 * 0.475 * (1 / 40 + 1 / 40))
        self.assertAlmostEqual(z, 4.030, places=3)
        self.assertAlmostEqual(variant_a.z_score, z, places=4)
        self.assertAlmostEqual(variant_b.z_score, -z, places=4)
        self.assertEqual(variant_a.significance, "significant")
        self.assertTrue(variant_a.is_best)
        self.assertFalse(variant_b.is_best)

        # The report lists the variants per step.
        action = self.step.action_open_variant_results()
        results = self.env["account.dunning.step.variant"].search(action["domain"])
        self.assertEqual(results, variant_a | variant_b)

        with freeze_time(day(30)):
            self.step.action_keep_best_variant()
        self.assertEqual(self.step.mail_template_id, self.template_a)
        self.assertTrue(self.variant_a.active)
        self.assertFalse(self.variant_b.active)
        # The history keeps its variants.
        Event = self.env["account.dunning.event"]
        self.assertEqual(Event.search_count([("variant_id", "=", self.variant_b.id)]), 40)

    def test_keep_best_refuses_a_difference_not_significant(self):
        """A: 20 of 40 paid 3 days after the reminder, B: 16 of 40.
        p1 = .5, p2 = .4, pooled p = 36/80 = .45,
        SE = sqrt(.45 * .55 * .05) = 0.111243, z = .1 / 0.111243 = 0.899 < 1.96.
        """
        self.make_history([(3, 20)], [(3, 16)])
        variant_a, variant_b = self.figures(day(30))
        self.assertAlmostEqual(variant_a.z_score, 0.1 / math.sqrt(0.45 * 0.55 * 0.05), places=6)
        self.assertAlmostEqual(variant_a.z_score, 0.899, places=3)
        self.assertEqual(variant_a.significance, "not_significant")
        self.assertAlmostEqual(variant_a.median_days, 3.0)
        with (
            freeze_time(day(30)),
            self.assertRaisesRegex(UserError, "not significant yet") as catcher,
        ):
            self.step.action_keep_best_variant()
        message = str(catcher.exception)
        self.assertIn("A: 20 of 40 invoices paid within 14 days", message)
        self.assertIn("B: 16 of 40", message)
        self.assertIn("z = 0.90", message)
        self.assertEqual(self.step.mail_template_id, self.template_b)
        self.assertTrue(self.variant_b.active)

    def test_keep_best_needs_two_variants(self):
        self.variant_b.active = False
        with self.assertRaisesRegex(UserError, "fewer than two active variants"):
            self.step.action_keep_best_variant()
