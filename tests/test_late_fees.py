# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCase


@tagged("post_install", "-at_install")
class TestLateFees(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.usd = cls.env.ref("base.USD")
        cls.eur.active = cls.usd.active = True
        # A French company: amounts in EUR, so the indemnity is 40.00 as is.
        cls.fr = cls.setup_other_company(name="Société Française", currency_id=cls.eur.id)[
            "company"
        ]
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=(cls.fr | cls.company).ids)
        )
        cls.fr.write({"dunning_late_fees": True, "dunning_interest_rate": 12.0})
        # 1 EUR = 1.25 USD in the French company's books.
        cls.env["res.currency.rate"].create(
            {"name": "2020-01-01", "rate": 1.25, "currency_id": cls.usd.id, "company_id": cls.fr.id}
        )
        cls.individual = cls.env["res.partner"].create(
            {"name": "Jeanne Dupont", "is_company": False, "email": "jeanne@example.com"}
        )

    def fees(self, invoice, on_date):
        invoice = invoice.with_context(dunning_date=on_date)
        return (
            invoice.dunning_late_interest,
            invoice.dunning_recovery_indemnity,
            invoice.dunning_late_fees_total,
        )

    def fr_invoice(self, due, amount=1000.0, partner=None, **kwargs):
        return self.create_invoice(
            partner=partner, due=due, amount=amount, company=self.fr, **kwargs
        )

    # Computation ------------------------------------------------------

    def test_contractual_rate(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        # Due 31 Jan, on 2 Mar: 1 Feb .. 2 Mar = 30 days.
        # 1,000 × 12 × 30 / 365 / 100 = 9.8630 → 9.86; + 40 indemnity.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (9.86, 40.0, 49.86))
        self.assertEqual(
            invoice.with_context(dunning_date="2026-03-02").dunning_late_rate_label,
            "12.00\N{NO-BREAK SPACE}%",
        )

    def test_days_run_from_the_day_after_the_due_date(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        # Due 31 Jan, on 10 Feb: 10 days. 1,000 × 12 × 10 / 36,500 = 3.2877 → 3.29.
        self.assertEqual(self.fees(invoice, "2026-02-10")[0], 3.29)
        # On the day after the due date: 1 day. 1,000 × 12 / 36,500 = 0.3288 → 0.33.
        self.assertEqual(self.fees(invoice, "2026-02-01")[0], 0.33)

    def test_today_by_default(self):
        invoice = self.fr_invoice(date(2026, 2, 8))
        # TODAY is 10 Mar: 9 Feb .. 10 Mar = 30 days → 9.86 as above.
        with freeze_time(TODAY):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.dunning_late_interest, 9.86)
            self.assertEqual(invoice.dunning_late_fees_total, 49.86)

    def test_legal_rate_across_a_half_year(self):
        self.fr.dunning_interest_rate = 0.0
        invoice = self.fr_invoice(date(2025, 6, 20))
        # 21 Jun .. 30 Jun = 10 days at ECB of 1 Jan 2025 (3.15, from 18 Dec
        # 2024) + 10 = 13.15 %; 1 Jul .. 10 Jul = 10 days at ECB of 1 Jul 2025
        # (2.15, from 11 Jun 2025) + 10 = 12.15 %.
        # 1,000 × (13.15 × 10 + 12.15 × 10) / 36,500 = 253 / 36.5 = 6.9315 → 6.93.
        invoice = invoice.with_context(dunning_date=date(2025, 7, 10))
        self.assertEqual(invoice.dunning_late_interest, 6.93)
        self.assertEqual(
            invoice.dunning_late_rate_label,
            "13.15\N{NO-BREAK SPACE}% then 12.15\N{NO-BREAK SPACE}%",
        )

    def test_rates_in_the_number_format_of_the_language(self):
        self.fr.dunning_interest_rate = 0.0
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        invoice = self.fr_invoice(date(2025, 6, 20)).with_context(
            dunning_date=date(2025, 7, 10), lang="fr_FR"
        )
        self.assertEqual(
            invoice.dunning_late_rate_label,
            "13,15\N{NO-BREAK SPACE}% puis 12,15\N{NO-BREAK SPACE}%",
        )

    def test_legal_rate_over_three_half_years(self):
        self.fr.dunning_interest_rate = 0.0
        invoice = self.fr_invoice(date(2024, 11, 15))
        # 16 Nov .. 31 Dec 2024 = 15 + 31 = 46 days at 4.25 (in force on
        #   1 Jul 2024, from 12 Jun) + 10 = 14.25 %: 655.50
        # 1 Jan .. 30 Jun 2025 = 181 days at 3.15 + 10 = 13.15 %: 2,380.15
        # 1 Jul .. 15 Aug 2025 = 31 + 15 = 46 days at 2.15 + 10 = 12.15 %: 558.90
        # 1,000 × 3,594.55 / 36,500 = 98.4808 → 98.48.
        invoice = invoice.with_context(dunning_date=date(2025, 8, 15))
        self.assertEqual(invoice.dunning_late_interest, 98.48)
        self.assertEqual(
            invoice.dunning_late_rate_label,
            "14.25\N{NO-BREAK SPACE}% then 13.15\N{NO-BREAK SPACE}% then 12.15\N{NO-BREAK SPACE}%",
        )
        self.assertEqual(invoice.dunning_late_fees_total, 138.48)

    def test_rate_periods(self):
        self.fr.dunning_interest_rate = 0.0
        move = self.env["account.move"].with_company(self.fr).new({"company_id": self.fr.id})
        self.assertEqual(
            move._get_dunning_rate_periods(date(2024, 11, 15), date(2025, 8, 15)),
            [
                (date(2024, 11, 16), date(2024, 12, 31)),
                (date(2025, 1, 1), date(2025, 6, 30)),
                (date(2025, 7, 1), date(2025, 8, 15)),
            ],
        )
        self.assertEqual(move._get_dunning_rate_periods(date(2025, 1, 31), date(2025, 1, 31)), [])
        self.fr.dunning_interest_rate = 15.0
        self.assertEqual(
            move._get_dunning_rate_periods(date(2024, 11, 15), date(2025, 8, 15)),
            [(date(2024, 11, 16), date(2025, 8, 15))],
        )

    def test_pure_interest_computation(self):
        Move = self.env["account.move"]
        # 500 × (10 × 10 + 20 × 5) / 36,500 = 500 × 200 / 36,500 = 2.7397.
        amount, details = Move._compute_dunning_interest_amount(
            500.0,
            [(date(2025, 6, 21), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 7, 20))],
            lambda day: 10.0 if day.month == 6 else 5.0,
        )
        self.assertAlmostEqual(amount, 2.739726, places=6)
        self.assertEqual(details, [(10, 10.0), (20, 5.0)])

    def test_interest_on_the_residual_after_a_partial_payment(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        with freeze_time(date(2026, 2, 15)):
            self.pay(invoice.with_company(self.fr), amount=400.0, day=date(2026, 2, 15))
        self.assertEqual(invoice.amount_residual, 600.0)
        # 600 left: 600 × 12 × 30 / 36,500 = 5.9178 → 5.92; + 40 indemnity.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (5.92, 40.0, 45.92))

    def test_foreign_currency_invoice(self):
        invoice = self.fr_invoice(date(2026, 1, 31), amount=2000.0, currency=self.usd)
        with freeze_time(date(2026, 2, 15)):
            self.pay(invoice.with_company(self.fr), amount=500.0, day=date(2026, 2, 15))
        self.assertEqual(invoice.currency_id, self.usd)
        self.assertEqual(invoice.amount_residual, 1500.0)
        # In USD on the USD residual: 1,500 × 12 × 30 / 36,500 = 14.7945 → 14.79.
        # Indemnity: 40 EUR × 1.25 = 50.00 USD.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (14.79, 50.0, 64.79))

    def test_no_indemnity_for_individuals(self):
        invoice = self.fr_invoice(date(2026, 1, 31), partner=self.individual)
        # Interest as for businesses (9.86), but no fixed indemnity.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (9.86, 0.0, 9.86))

    def test_nothing_when_not_late(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        self.assertEqual(self.fees(invoice, date(2026, 1, 31)), (0.0, 0.0, 0.0))
        self.assertEqual(self.fees(invoice, date(2026, 1, 10)), (0.0, 0.0, 0.0))
        self.assertFalse(
            invoice.with_context(dunning_date=date(2026, 1, 31)).dunning_late_rate_label
        )

    def test_nothing_when_late_fees_disabled(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        self.assertEqual(self.fees(invoice, date(2026, 3, 2))[2], 49.86)
        self.fr.dunning_late_fees = False
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (0.0, 0.0, 0.0))

    def test_nothing_when_paid_or_draft(self):
        draft = self.fr_invoice(date(2026, 1, 31), post=False)
        self.assertEqual(self.fees(draft, date(2026, 3, 2)), (0.0, 0.0, 0.0))
        paid = self.fr_invoice(date(2026, 1, 31))
        self.pay(paid.with_company(self.fr), day=date(2026, 2, 15))
        self.assertEqual(paid.payment_state, "paid")
        self.assertEqual(self.fees(paid, date(2026, 3, 2)), (0.0, 0.0, 0.0))

    def test_one_ecb_search_for_many_invoices(self):
        self.fr.dunning_interest_rate = 0.0
        invoices = self.fr_invoice(date(2025, 6, 20)) | self.fr_invoice(date(2025, 5, 20))
        invoices |= self.fr_invoice(date(2025, 4, 20))
        invoices = invoices.with_context(dunning_date=date(2025, 7, 10))
        Rate = type(self.env["account.dunning.ecb.rate"])
        with patch.object(Rate, "_search", autospec=True, side_effect=Rate._search) as search:
            self.assertTrue(all(invoices.mapped("dunning_late_interest")))
        # One query reads the decisions of all invoices, dates and rates.
        self.assertEqual(search.call_count, 1)

    # Settings ---------------------------------------------------------

    def test_contractual_rate_below_three_times_legal_refused(self):
        self.fr.dunning_legal_interest_rate = 3.71
        with self.assertRaisesRegex(ValidationError, "L441-10"):
            self.fr.dunning_interest_rate = 11.12
        # Exactly three times: 3 × 3.71 = 11.13.
        self.fr.dunning_interest_rate = 11.13
        self.assertEqual(self.fr.dunning_interest_rate, 11.13)
        # The legal default (0) is always allowed.
        self.fr.dunning_interest_rate = 0.0
        with self.assertRaisesRegex(ValidationError, "3 × 4.00 % = 12.00 %"):
            self.fr.write({"dunning_interest_rate": 11.99, "dunning_legal_interest_rate": 4.0})

    def test_missing_ecb_rate(self):
        self.fr.dunning_interest_rate = 0.0
        invoice = self.fr_invoice(date(2023, 6, 1))
        # Days late from 2 Jun 2023: the first half-year needs the rate in
        # force on 1 Jan 2023, older than the first decision shipped.
        late = invoice.with_context(dunning_date=date(2023, 7, 10))
        with self.assertRaisesRegex(UserError, "ECB main refinancing rate in force on 2023-01-01"):
            late._get_dunning_interest(
                date(2023, 7, 10), late._get_dunning_ecb_rates(date(2023, 7, 10))
            )
        # Shown without breaking the invoice: no costs, and the label says why.
        invoice.invalidate_recordset()
        self.assertEqual(late.dunning_late_fees_total, 0.0)
        self.assertIn("2023-01-01", late.dunning_late_rate_label)
        with self.assertRaisesRegex(UserError, "2023-01-01"):
            late.action_invoice_dunning_fees()
        self.env["account.dunning.ecb.rate"].create(
            [{"date": "2022-12-21", "rate": 2.5}, {"date": "2023-06-21", "rate": 4.0}]
        )
        invoice.invalidate_recordset()
        # 2 Jun .. 30 Jun = 29 days at 2.50 (in force on 1 Jan 2023) + 10 =
        # 12.50 %; 1 Jul .. 10 Jul = 10 days at 4.00 (from 21 Jun) + 10 = 14.00 %.
        # 1,000 × (12.5 × 29 + 14 × 10) / 36,500 = 502.5 / 36.5 = 13.7671 → 13.77.
        self.assertEqual(
            invoice.with_context(dunning_date=date(2023, 7, 10)).dunning_late_interest, 13.77
        )

    # Invoicing the costs ----------------------------------------------

    def test_invoice_the_late_fees(self):
        on_date = date(2026, 3, 10)
        # 30 days: 1,000 × 12 × 30 / 36,500 = 9.86.
        a1 = self.fr_invoice(date(2026, 2, 8))
        # 10 days: 500 × 12 × 10 / 36,500 = 1.6438 → 1.64.
        a2 = self.fr_invoice(date(2026, 2, 28), amount=500.0)
        # 60 days: 2,000 × 12 × 60 / 36,500 = 39.4521 → 39.45.
        b1 = self.fr_invoice(date(2026, 1, 9), amount=2000.0, partner=self.customer_b)
        not_late = self.fr_invoice(date(2026, 3, 20))
        selection = (a1 | a2 | b1 | not_late).with_context(dunning_date=on_date)
        action = selection.action_invoice_dunning_fees()
        drafts = self.env["account.move"].search(action["domain"])
        self.assertEqual(len(drafts), 2)
        self.assertEqual(drafts.mapped("state"), ["draft", "draft"])
        self.assertEqual(set(drafts.mapped("move_type")), {"out_invoice"})
        self.assertEqual(drafts.company_id, self.fr)
        self.assertEqual(drafts.currency_id, self.eur)
        draft_a = drafts.filtered(lambda move: move.partner_id == self.customer)
        draft_b = drafts.filtered(lambda move: move.partner_id == self.customer_b)
        self.assertEqual(
            [(line.name, line.price_unit) for line in draft_a.invoice_line_ids],
            [
                (f"Late-payment interest on {a1.name}: 30 days at 12.00\N{NO-BREAK SPACE}%", 9.86),
                (f"Fixed recovery indemnity for {a1.name}", 40.0),
                (f"Late-payment interest on {a2.name}: 10 days at 12.00\N{NO-BREAK SPACE}%", 1.64),
                (f"Fixed recovery indemnity for {a2.name}", 40.0),
            ],
        )
        self.assertEqual(
            [(line.name, line.price_unit) for line in draft_b.invoice_line_ids],
            [
                (f"Late-payment interest on {b1.name}: 60 days at 12.00\N{NO-BREAK SPACE}%", 39.45),
                (f"Fixed recovery indemnity for {b1.name}", 40.0),
            ],
        )
        # 9.86 + 40 + 1.64 + 40 = 91.50; 39.45 + 40 = 79.45; untaxed.
        self.assertEqual(draft_a.amount_total, 91.5)
        self.assertEqual(draft_b.amount_total, 79.45)
        lines = drafts.invoice_line_ids
        self.assertFalse(lines.tax_ids)
        self.assertEqual(lines.account_id, draft_a.journal_id.default_account_id)
        self.assertEqual(draft_a.journal_id.type, "sale")

    def test_invoice_the_late_fees_of_one_customer_opens_the_form(self):
        invoice = self.fr_invoice(date(2026, 1, 31), partner=self.individual)
        # Through the action bound to the invoice list.
        action = (
            self.env.ref("account_dunning.action_invoice_dunning_fees")
            .with_context(
                active_model="account.move", active_ids=invoice.ids, dunning_date="2026-03-02"
            )
            .run()
        )
        self.assertEqual(action["view_mode"], "form")
        draft = self.env["account.move"].browse(action["res_id"])
        # An individual: interest only (9.86), no indemnity.
        self.assertEqual(draft.invoice_line_ids.mapped("price_unit"), [9.86])
        self.assertEqual(draft.partner_id, self.individual)

    def test_invoice_the_late_fees_refused_when_nothing_is_due(self):
        invoice = self.fr_invoice(date(2026, 3, 20))
        with self.assertRaisesRegex(UserError, "None of the selected invoices has late-payment"):
            invoice.with_context(dunning_date=TODAY).action_invoice_dunning_fees()
        self.fr.dunning_late_fees = False
        late = self.fr_invoice(date(2026, 1, 31))
        with self.assertRaises(UserError):
            late.with_context(dunning_date=TODAY).action_invoice_dunning_fees()
