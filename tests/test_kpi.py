# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCase

FEB = date(2026, 2, 1)
MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
class TestKpi(DunningCase):
    """Collection KPIs on a small book whose figures are computed by hand.

    Today is 2026-03-10. No taxes. Customer "Bistrot du Port" (salesperson
    Sally), customer B "Atelier Martin" (no responsible):

    - A: 1,000, issued 2026-01-05, due 2026-02-04; 600 paid 2026-02-20, the
      400 left paid 2026-03-05. Reminder 1 on 2026-02-05.
    - E: 800, issued 2026-01-10, due 2026-02-09; Reminder 1 on 2026-02-10,
      call on 2026-02-11 promising payment by 2026-02-15, paid in full
      2026-02-14.
    - B: 2,000, issued 2026-02-01, due 2026-03-03, open. Reminder 1 on
      2026-03-04, call on 2026-03-04 promising payment by 2026-03-08.
    - C: 500, issued 2026-03-02, due 2026-04-01, open.
    - D (customer B): 3,000, issued 2025-12-01, due 2025-12-31, open,
      disputed in a call on 2026-02-10.

    Open at each month end (days overdue):
    - 2026-01-31: A 1,000 (not due), E 800 (not due), D 3,000 (31).
    - 2026-02-28: A 400 (24), B 2,000 (not due), D 3,000 (59, disputed).
    - 2026-03-10: B 2,000 (7), C 500 (not due), D 3,000 (69, disputed).
    Credit sales: Dec 3,000; Jan 1,800; Feb 2,000; Mar 500.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a = cls.create_invoice(
            due=date(2026, 2, 4), amount=1000, entered=date(2026, 1, 5)
        )
        cls.invoice_e = cls.create_invoice(
            due=date(2026, 2, 9), amount=800, entered=date(2026, 1, 10)
        )
        cls.invoice_b = cls.create_invoice(
            due=date(2026, 3, 3), amount=2000, entered=date(2026, 2, 1)
        )
        cls.invoice_c = cls.create_invoice(
            due=date(2026, 4, 1), amount=500, entered=date(2026, 3, 2)
        )
        cls.invoice_d = cls.create_invoice(
            partner=cls.customer_b, due=date(2025, 12, 31), amount=3000, entered=date(2025, 12, 1)
        )
        cls.record(cls.invoice_a, cls.step_reminder1, date(2026, 2, 5))
        cls.record(cls.invoice_e, cls.step_reminder1, date(2026, 2, 10))
        cls.record(
            cls.invoice_e,
            cls.step_call,
            date(2026, 2, 11),
            call_outcome="promise",
            promise_date=date(2026, 2, 15),
        )
        cls.record(cls.invoice_d, cls.step_call, date(2026, 2, 10), call_outcome="dispute")
        cls.pay(cls.invoice_a, amount=600, day=date(2026, 2, 20))
        cls.pay(cls.invoice_a, day=date(2026, 3, 5))
        cls.pay(cls.invoice_e, day=date(2026, 2, 14))
        cls.record(cls.invoice_b, cls.step_reminder1, date(2026, 3, 4))
        cls.record(
            cls.invoice_b,
            cls.step_call,
            date(2026, 3, 4),
            call_outcome="promise",
            promise_date=date(2026, 3, 8),
        )

    @classmethod
    def record(cls, move, step, day, **values):
        Event = cls.env["account.dunning.event"].sudo()
        with freeze_time(day):
            Event.create(Event._prepare_event_vals(move, step, "sent", day, **values))

    def refresh(self, companies=None):
        with freeze_time(TODAY):
            return self.env["account.dunning.kpi"]._refresh_kpis(companies or self.company)

    def kpis(self, groupby, domain=(), user=None, refresh=True):
        """The KPIs computed today, as the pivot reads them."""
        if refresh:
            self.refresh()
        Kpi = self.env["account.dunning.kpi"]
        if user:
            Kpi = Kpi.with_user(user)
        measures = [
            f"{name}:{field.aggregator}"
            for name, field in Kpi._fields.items()
            if field.type in ("monetary", "integer", "float") and name != "id"
        ]
        with freeze_time(TODAY):
            groups = Kpi._read_group(
                [("company_id", "=", self.company.id), *domain], groupby, measures
            )
        names = [measure.split(":")[0] for measure in measures]
        return {
            (group[0] if groupby else None): dict(zip(names, group[len(groupby) :], strict=True))
            for group in groups
        }

    def test_aged_balance_and_overdue_ratio_per_month(self):
        months = self.kpis(["date:month"])
        january, february, march = (
            months[date(2026, 1, 1)],
            months[FEB],
            months[MARCH],
        )
        # 2026-01-31: A 1,000 + E 800 not due, D 3,000 31 days overdue.
        self.assertEqual(january["receivable"], 4800)
        self.assertEqual(january["amount_not_due"], 1800)
        self.assertEqual(january["amount_31_60"], 3000)
        self.assertEqual(january["overdue"], 3000)
        # 2026-02-28: A 400 (24 days), B 2,000 not due, D 3,000 (59 days).
        self.assertEqual(february["receivable"], 5400)
        self.assertEqual(february["amount_1_30"], 400)
        self.assertEqual(february["amount_31_60"], 3000)
        self.assertEqual(february["overdue"], 3400)
        # 3,400 / 5,400 = 62.96 %
        self.assertAlmostEqual(february["overdue_ratio"], 62.96, places=2)
        # Today: B 2,000 (7 days), C 500 not due, D 3,000 (69 days).
        self.assertEqual(march["receivable"], 5500)
        self.assertEqual(march["amount_1_30"], 2000)
        self.assertEqual(march["amount_61_90"], 3000)
        self.assertEqual(march["amount_not_due"], 500)
        self.assertEqual(march["amount_over_90"], 0)
        # 5,000 / 5,500 = 90.91 %
        self.assertAlmostEqual(march["overdue_ratio"], 90.91, places=2)
        self.assertEqual(months[date(2025, 12, 1)]["receivable"], 3000, "D, issued in December")
        self.assertEqual(len(months), 4, "nothing before December 2025")

    def test_ratios_of_several_months_are_ratios_of_their_sums(self):
        both = self.kpis([], [("date", ">=", FEB)])[None]
        # (3,400 + 5,000) / (5,400 + 5,500) = 77.06 %; the mean of the two
        # monthly ratios would be 76.94 %.
        self.assertAlmostEqual(both["overdue_ratio"], 77.06, places=2)
        # Balances of several month ends are averaged: (5,400 + 5,500) / 2.
        self.assertEqual(both["receivable"], 5450)
        self.assertEqual(both["overdue"], 4200)

    def test_dso_average_daily_sales_over_three_months(self):
        months = self.kpis(["date:month"])
        # February: 5,400 / ((3,000 + 1,800 + 2,000) / (31 + 31 + 28 days))
        # = 5,400 × 90 / 6,800 = 71.47 days.
        self.assertAlmostEqual(months[FEB]["dso"], 71.47, places=2)
        # March, up to today: 5,500 / ((1,800 + 2,000 + 500) / (31 + 28 + 10))
        # = 5,500 × 69 / 4,300 = 88.26 days.
        self.assertAlmostEqual(months[MARCH]["dso"], 88.26, places=2)

    def test_cei(self):
        months = self.kpis(["date:month"])
        # February: collected = 4,800 opening + 2,000 sales - 5,400 = 1,400
        # (A's 600 and E's 800); CEI = 1,400 / (1,400 + 3,400 overdue) = 29.17 %.
        self.assertEqual(months[FEB]["opening_receivable"], 4800)
        self.assertEqual(months[FEB]["sales"], 2000)
        self.assertAlmostEqual(months[FEB]["cei"], 29.17, places=2)
        # March: collected = 5,400 + 500 - 5,500 = 400 (A's last 400);
        # CEI = 400 / (400 + 5,000) = 7.41 %.
        self.assertAlmostEqual(months[MARCH]["cei"], 7.41, places=2)

    def test_average_days_late(self):
        months = self.kpis(["date:month"])
        # E paid in full 2026-02-14, due 2026-02-09: 5 days late.
        self.assertEqual(months[FEB]["paid_count"], 1)
        self.assertEqual(months[FEB]["avg_days_late"], 5)
        # A paid in full 2026-03-05, due 2026-02-04: 29 days late.
        self.assertEqual(months[MARCH]["avg_days_late"], 29)
        # Both: (5 + 29) / 2 = 17 days.
        self.assertEqual(self.kpis([])[None]["avg_days_late"], 17)

    def test_recovery_after_each_step(self):
        steps = self.kpis(["step_id"])
        reminder1 = steps[self.step_reminder1]
        # A (1,000, paid 28 days after), E (800, paid 4 days after: recovered),
        # B (2,000, open): 800 / 3,800 = 21.05 %.
        self.assertEqual(reminder1["reminder_count"], 3)
        self.assertEqual(reminder1["reminded_amount"], 3800)
        self.assertEqual(reminder1["recovered_amount"], 800)
        self.assertAlmostEqual(reminder1["recovery_rate"], 21.05, places=2)
        self.assertNotIn(self.step_reminder2, steps)
        # The calls: E (800, paid 3 days after), D (3,000) and B (2,000):
        # 800 / 5,800 = 13.79 %.
        self.assertAlmostEqual(steps[self.step_call]["recovery_rate"], 13.79, places=2)
        # With a 30-day window A counts too: 1,800 / 3,800 = 47.37 %.
        self.company.dunning_recovery_days = 30
        reminder1 = self.kpis(["step_id"])[self.step_reminder1]
        self.assertAlmostEqual(reminder1["recovery_rate"], 47.37, places=2)

    def test_promises_kept(self):
        months = self.kpis(["date:month"])
        # E promised by 2026-02-15 and paid 2026-02-14: kept.
        self.assertEqual(months[FEB]["promise_count"], 1)
        self.assertEqual(months[FEB]["promise_kept_rate"], 100)
        # B promised by 2026-03-08 and still open: broken.
        self.assertEqual(months[MARCH]["promise_count"], 1)
        self.assertEqual(months[MARCH]["promise_kept_rate"], 0)
        self.assertEqual(self.kpis([])[None]["promise_kept_rate"], 50)

    def test_promise_not_due_yet_is_not_counted(self):
        self.record(
            self.invoice_c,
            self.step_call,
            TODAY,
            call_outcome="promise",
            promise_date=date(2026, 3, 20),
        )
        self.assertEqual(self.kpis([])[None]["promise_count"], 2)

    def test_disputed_amount(self):
        months = self.kpis(["date:month"])
        # D disputed on 2026-02-10: 3,000 at the end of February and today.
        self.assertEqual(months[date(2026, 1, 1)]["disputed"], 0)
        self.assertEqual(months[FEB]["disputed"], 3000)
        self.assertEqual(months[MARCH]["disputed"], 3000)
        # A later call where the customer agrees ends the dispute.
        self.record(self.invoice_d, self.step_call, TODAY, call_outcome="reached")
        self.assertEqual(self.kpis(["date:month"])[MARCH]["disputed"], 0)

    def test_by_responsible_and_sequence(self):
        today = [("date", ">=", MARCH)]
        responsibles = self.kpis(["responsible_id"], today)
        # Sally's customer: B 2,000 overdue of 2,500 = 80 %.
        sally = responsibles[self.salesperson]
        self.assertEqual(sally["receivable"], 2500)
        self.assertEqual(sally["overdue_ratio"], 80)
        # Customer B has no responsible: D, 3,000 overdue of 3,000.
        self.assertEqual(responsibles[self.env["res.users"]]["overdue_ratio"], 100)
        sequences = self.kpis(["sequence_id"], today)
        self.assertEqual(sequences[self.sequence]["receivable"], 5500)

    def test_credit_notes_and_unapplied_payments(self):
        # A 300 credit note for B, not matched, and a 100 payment received on
        # account from B: both lower the receivables, neither is overdue.
        with freeze_time(TODAY):
            refund = self.create_invoice(
                due=TODAY, amount=300, move_type="out_refund", entered=TODAY
            )
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer.id,
                    "amount": 100,
                    "date": TODAY,
                }
            )
            payment.action_post()
        self.assertTrue(refund)
        march = self.kpis(["date:month"])[MARCH]
        # 5,500 - 300 - 100 = 5,100; sales 500 - 300 = 200.
        self.assertEqual(march["receivable"], 5100)
        self.assertEqual(march["unapplied"], -400)
        self.assertEqual(march["overdue"], 5000)
        self.assertEqual(march["sales"], 200)

    def test_only_dunning_users_of_the_company_see_them(self):
        accountant = self.create_accountant()
        self.assertEqual(
            self.kpis([], [("date", ">=", MARCH)], user=accountant)[None]["receivable"], 5500
        )
        other = self.env["res.company"].create({"name": "Other company"})
        outsider = self.env["res.users"].create(
            {
                "name": "Oscar Other",
                "login": "oscar",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("account.group_account_invoice").id,
                            self.env.ref("account_dunning.group_account_dunning_user").id,
                        ]
                    )
                ],
            }
        )
        self.assertFalse(
            self.kpis([], user=outsider)[None]["receivable"], "no row of another company"
        )
        invoicing_only = self.create_invoicing_user()
        with self.assertRaises(AccessError):
            self.kpis([], user=invoicing_only)

    def test_kpis_are_read_in_one_query(self):
        Kpi = self.env["account.dunning.kpi"]
        self.refresh()
        with freeze_time(TODAY):
            # Access rules and company data are cached by the first read.
            Kpi._read_group([], ["date:month"], ["receivable:sum"])
            with self.assertQueryCount(1):
                Kpi._read_group([], ["date:month"], ["receivable:sum", "dso:avg"])
            with self.assertQueryCount(1):
                Kpi._read_group([], ["responsible_id", "step_id"], ["recovery_rate:avg"])

    def test_dashboard(self):
        accountant = self.create_accountant()
        self.refresh()
        with freeze_time(TODAY):
            dashboard = (
                self.env["account.dunning.dashboard"]
                .with_user(accountant)
                .with_company(self.company)
                .create({})
            )
            # Figures of the docstring's book, see the tests above.
            self.assertEqual(dashboard.receivable, 5500)
            self.assertEqual(dashboard.overdue, 5000)
            self.assertEqual(dashboard.disputed, 3000)
            self.assertAlmostEqual(dashboard.dso, 88.26, places=2)
            self.assertAlmostEqual(dashboard.dso_previous, 71.47, places=2)
            self.assertAlmostEqual(dashboard.cei, 7.41, places=2)
            self.assertAlmostEqual(dashboard.cei_previous, 29.17, places=2)
            self.assertEqual(dashboard.avg_days_late, 17)
            # All steps: Reminder 1 (800 of 3,800) and the calls (E's 800 of
            # E 800 + D 3,000 + B 2,000): 1,600 / 9,600 = 16.67 %.
            self.assertAlmostEqual(dashboard.recovery_rate, 16.67, places=2)
            self.assertEqual(dashboard.promise_kept_rate, 50)
            self.assertIn("Reminder 1", dashboard.step_recovery)
            self.assertIn("21.1\N{NO-BREAK SPACE}%", dashboard.step_recovery)
            dashboard.responsible_id = self.salesperson
            self.assertEqual(dashboard.receivable, 2500, "Sally's customer only")
            self.assertEqual(dashboard.overdue_ratio, 80)
            action = dashboard.action_open_analysis()
        self.assertEqual(action["res_model"], "account.dunning.kpi")
        self.assertIn(("responsible_id", "=", self.salesperson.id), action["domain"])
        self.assertEqual(action["views"][0][1], "pivot")
        self.assertEqual(dashboard.action_open_trend()["views"][0][1], "graph")
        self.assertEqual(
            dashboard.action_open_step_recovery()["context"]["pivot_column_groupby"], ["step_id"]
        )

    def test_dashboard_without_reminders(self):
        other = self.env["res.company"].create({"name": "Quiet company"})
        with freeze_time(TODAY):
            dashboard = self.env["account.dunning.dashboard"].create({"company_id": other.id})
            self.assertEqual(dashboard.receivable, 0)
            self.assertEqual(dashboard.dso, 0)
            self.assertIn("No reminder sent", dashboard.step_recovery)

    def test_refresh_replaces_the_company_figures(self):
        self.kpis([])
        self.pay(self.invoice_b, day=TODAY)
        self.assertEqual(
            self.kpis(["date:month"], refresh=False)[MARCH]["receivable"], 5500, "as computed"
        )
        # B paid today: 5,500 - 2,000.
        self.assertEqual(self.kpis(["date:month"])[MARCH]["receivable"], 3500)
        self.assertEqual(self.company.dunning_kpi_date, TODAY)
        rows = self.env["account.dunning.kpi"].search([("company_id", "=", self.company.id)])
        self.assertEqual(
            len(rows),
            len(
                set(
                    rows.mapped(
                        lambda row: (row.date, row.responsible_id, row.sequence_id, row.step_id)
                    )
                )
            ),
            "one row per month, responsible, sequence and step",
        )

    def test_cron_computes_each_company_once_a_day(self):
        other = self.env["res.company"].create({"name": "Second company"})
        companies = self.env["res.company"].search([])
        Kpi = self.env["account.dunning.kpi"]
        with freeze_time(TODAY):
            for _company in companies:
                Kpi._cron_refresh_kpis()
        self.assertEqual(set(companies.mapped("dunning_kpi_date")), {TODAY})
        self.assertTrue(other.dunning_kpi_refreshed_at)
        self.assertTrue(Kpi.search_count([("company_id", "=", self.company.id)]))
        stamp = self.company.dunning_kpi_refreshed_at
        with freeze_time(TODAY):
            Kpi._cron_refresh_kpis()
        self.assertEqual(self.company.dunning_kpi_refreshed_at, stamp, "not twice a day")

    def test_dashboard_refresh(self):
        accountant = self.create_accountant()
        with freeze_time(TODAY):
            dashboard = self.env["account.dunning.dashboard"].with_user(accountant).create({})
            self.assertFalse(dashboard.kpi_refreshed_at, "never computed")
            self.assertEqual(dashboard.receivable, 0)
            # No action: the dashboard reloads itself, no second one in the
            # breadcrumb.
            self.assertFalse(dashboard.action_refresh())
            dashboard.invalidate_recordset()
            self.assertEqual(dashboard.receivable, 5500)
            self.assertTrue(dashboard.kpi_refreshed_at)

    def test_overview_shows_overdue_customers_and_links_to_the_workspace(self):
        accountant = self.create_accountant()
        journal = self.company_data["default_journal_sale"]
        with freeze_time(TODAY):
            data = journal.with_user(accountant)._get_journal_dashboard_data_batched()[journal.id]
        # B (2,000, Bistrot du Port) and D (3,000, Atelier Martin) are overdue.
        self.assertEqual(data["dunning_overdue_count"], 2)
        self.assertEqual(data["dunning_overdue"], self.company.currency_id.format(5000))
        action = journal.action_open_dunning_workspace()
        self.assertEqual(action["res_model"], "account.dunning.customer")
        invoicing_only = self.create_invoicing_user()
        data = journal.with_user(invoicing_only)._get_journal_dashboard_data_batched()
        self.assertNotIn("dunning_overdue_count", data[journal.id])

    def test_refresh_running_elsewhere_is_left_to_it(self):
        Kpi = self.env["account.dunning.kpi"]
        # Another worker is computing the company's KPIs: it holds the lock
        # until its transaction ends.
        with self.registry.cursor() as other_cr:
            other_cr.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s)", (Kpi._lock_key(), self.company.id)
            )
            self.assertTrue(other_cr.fetchone()[0])
            self.assertFalse(self.refresh(), "left to the other worker, without waiting")
            self.assertFalse(self.company.dunning_kpi_refreshed_at)
            self.assertFalse(Kpi.search_count([("company_id", "=", self.company.id)]))
            dashboard = self.env["account.dunning.dashboard"].create({})
            with self.assertRaisesRegex(UserError, "being computed"):
                dashboard.action_refresh()
        self.assertEqual(self.refresh(), self.company, "once the other is done")

    def test_dashboard_for_dunning_users_only(self):
        invoicing_only = self.create_invoicing_user()
        portal = self.env["res.users"].create(
            {
                "name": "Paula Portal",
                "login": "paula",
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        for user in (invoicing_only, portal):
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                self.env["account.dunning.dashboard"].with_user(user).create({})
