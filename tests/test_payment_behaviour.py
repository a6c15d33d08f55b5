# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestPaymentBehaviour(DunningCase):
    """How customers paid over the last 12 months, computed every night in
    SQL, and the risk level the settings derive from it."""

    def recompute(self, when=TODAY):
        with freeze_time(when):
            self.env["res.partner"]._recompute_dunning_rules(self.company)
        self.env.invalidate_all()

    def behaviour(self, partner):
        partner = partner.with_company(self.company)
        return {
            "count": partner.dunning_behaviour_count,
            "avg": partner.dunning_avg_days_late,
            "on_time": partner.dunning_on_time_rate,
            "trend": partner.dunning_trend,
            "broken": partner.dunning_broken_promises,
            "risk": partner.dunning_risk,
        }

    def test_average_is_weighted_by_amount(self):
        # 1000 paid 10 days late and 3000 paid on the due date:
        # (1000 * 10 + 3000 * 0) / 4000 = 2.5 days late; 1 of 2 on time: 50 %.
        late = self.create_invoice(due=day(-40), amount=1000)
        self.pay(late, day=day(-30))
        on_time = self.create_invoice(due=day(-20), amount=3000)
        self.pay(on_time, day=day(-20))
        # Not measured: not yet due, and due more than 12 months ago.
        self.create_invoice(due=day(5), amount=500)
        old = self.create_invoice(due=day(-400), amount=700)
        self.pay(old, day=day(-300))
        self.recompute()
        self.assertEqual(
            self.behaviour(self.customer),
            # Both due in the last 3 months, none in the 9 before: trend 0.
            # 2.5 days late is good, but 50 % on time is below the 80 % of a
            # good customer and not below the 50 % of a risky one: normal.
            {"count": 2, "avg": 2.5, "on_time": 50.0, "trend": 0.0, "broken": 0, "risk": "normal"},
        )
        self.assertEqual(self.company.dunning_behaviour_date, TODAY)
        self.assertFalse(self.customer_b.with_company(self.company).dunning_risk, "no figure")
        # No invoice measured any more: the figures go.
        (late | on_time).button_draft()
        self.recompute()
        self.assertEqual(
            self.behaviour(self.customer),
            {"count": 0, "avg": 0.0, "on_time": 0.0, "trend": 0.0, "broken": 0, "risk": False},
        )

    def test_open_invoices_are_late_until_today(self):
        # 1000 unpaid due 10 days ago: 10 days late.
        self.create_invoice(due=day(-10), amount=1000)
        # 1000 paid 5 days early: 0 days late, on time.
        early = self.create_invoice(due=day(-30), amount=1000)
        self.pay(early, day=day(-35))
        # 2000 due 20 days ago, 1500 paid before: still open, 20 days late.
        partly = self.create_invoice(due=day(-20), amount=2000)
        self.pay(partly, amount=1500, day=day(-25))
        self.recompute()
        # (1000 * 10 + 1000 * 0 + 2000 * 20) / 4000 = 12.5 days late; 1 of 3
        # on time: 33.33 %, below the 50 % of a risky customer.
        figures = self.behaviour(self.customer)
        self.assertEqual(figures["count"], 3)
        self.assertEqual(figures["avg"], 12.5)
        self.assertAlmostEqual(figures["on_time"], 33.33, places=2)
        self.assertEqual(figures["risk"], "risky")
        # The workspace shows it, and filters the risky customers.
        Workspace = self.env["account.dunning.customer"]
        line = Workspace.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((line.risk, line.avg_days_late, line.broken_promises), ("risky", 12.5, 0))
        self.assertEqual(
            Workspace.search([("risk", "=", "risky")]).partner_id & self.customer, self.customer
        )
        # A day later, the unpaid invoices are a day later each:
        # (1000 * 11 + 2000 * 21) / 4000 = 13.25.
        self.recompute(day(1))
        self.assertAlmostEqual(self.behaviour(self.customer)["avg"], 13.25, places=2)

    def test_trend_compares_the_last_3_months_to_the_9_before(self):
        # 9 months before: 1000 paid 20 days late. Last 3 months: 1000 paid 5
        # days late. Trend 5 - 20 = -15: pays sooner than it used to.
        before = self.create_invoice(partner=self.customer_b, due=day(-200), amount=1000)
        self.pay(before, day=day(-180))
        recent = self.create_invoice(partner=self.customer_b, due=day(-30), amount=1000)
        self.pay(recent, day=day(-25))
        self.recompute()
        figures = self.behaviour(self.customer_b)
        self.assertEqual((figures["avg"], figures["trend"]), (12.5, -15.0))
        # One more recent invoice, 3000 unpaid 25 days late: the last 3 months
        # are (1000 * 5 + 3000 * 25) / 4000 = 20 days late, trend 20 - 20 = 0.
        self.create_invoice(partner=self.customer_b, due=day(-25), amount=3000)
        self.recompute()
        self.assertEqual(self.behaviour(self.customer_b)["trend"], 0.0)

    def test_broken_promises_are_counted(self):
        # Lenient thresholds: without a broken promise, the customer is good.
        self.company.write(
            {
                "dunning_risky_on_time_rate": 0,
                "dunning_good_on_time_rate": 0,
                "dunning_good_days_late": 30,
            }
        )
        invoice = self.create_invoice(due=day(-5), amount=1000)
        self.recompute()
        self.assertEqual(self.behaviour(self.customer)["risk"], "good")
        with freeze_time(TODAY):
            self.env["account.dunning.portal"]._answer_promise(
                self.customer, self.company, invoice, str(day(10))
            )
        # Kept until its date, nothing broken yet: a promise is no broken one.
        self.recompute(day(10))
        self.assertEqual(self.behaviour(self.customer)["broken"], 0)
        self.run_dunning(day(11))
        self.recompute(day(11))
        figures = self.behaviour(self.customer)
        # One broken promise: no longer good, not yet risky (2 by default).
        self.assertEqual((figures["broken"], figures["risk"]), (1, "normal"))
        self.company.dunning_risky_broken_promises = 1
        self.env.invalidate_all()
        self.assertEqual(self.behaviour(self.customer)["risk"], "risky", "recomputed at once")
        # Promises broken more than 12 months ago no longer count.
        self.recompute(day(11 + 366))
        self.assertEqual(self.behaviour(self.customer)["broken"], 0)

    def test_risk_thresholds_come_from_the_settings(self):
        # One invoice paid 10 days late: 10 days late on average, 0 % on time.
        invoice = self.create_invoice(due=day(-40), amount=1000)
        self.pay(invoice, day=day(-30))
        self.recompute()
        self.assertEqual(self.behaviour(self.customer)["risk"], "risky", "0 % < 50 % on time")

        def configure(**values):
            with freeze_time(TODAY):
                self.env["res.config.settings"].create(values).execute()
            self.env.invalidate_all()
            return self.behaviour(self.customer)["risk"]

        self.assertEqual(
            configure(dunning_risky_on_time_rate=0, dunning_good_on_time_rate=0), "normal"
        )
        self.assertEqual(configure(dunning_risky_days_late=9), "risky", "10 > 9 days late")
        self.assertEqual(
            configure(dunning_risky_days_late=20, dunning_good_days_late=10), "good", "10 <= 10"
        )
        with self.assertRaises(ValidationError):
            self.company.dunning_good_days_late = 30
        with self.assertRaises(ValidationError):
            self.company.dunning_good_on_time_rate = 120

    def test_queries_do_not_depend_on_the_number_of_customers(self):
        firm = self.sequence.copy(
            {"name": "Firm", "rule_domain": "[('dunning_risk', '=', 'risky')]"}
        )
        Partner = self.env["res.partner"]

        def recompute_queries(count, when):
            customers = Partner.create(
                [{"name": f"Customer {index}", "is_company": True} for index in range(count)]
            )
            invoices = self.env["account.move"]
            for customer in customers:
                invoices |= self.create_invoice(partner=customer, due=day(-40))
            self.env.flush_all()
            # The same cache and the same work but the customers: a new day,
            # nothing prefetched.
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.recompute(when)
            queries = self.env.cr.sql_log_count - before
            self.assertEqual(invoices.dunning_sequence_id, firm, "all risky, all moved")
            return queries

        recompute_queries(1, day(-1))  # fills the registry's caches
        few = recompute_queries(2, TODAY)
        many = recompute_queries(20, day(1))
        self.assertEqual(many, few)
