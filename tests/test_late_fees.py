# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import http.server
import threading
from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools.misc import file_open

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
        # A contractual rate is split too: its floor changes every half-year.
        self.fr.dunning_interest_rate = 15.0
        self.assertEqual(
            len(move._get_dunning_rate_periods(date(2024, 11, 15), date(2025, 8, 15))), 3
        )

    def test_pure_interest_computation(self):
        Move = self.env["account.move"]
        # 500 × (10 × 10 + 20 × 5) / 36,500 = 500 × 200 / 36,500 = 2.7397.
        amount, details = Move._compute_dunning_interest_amount(
            500.0,
            [],
            [(date(2025, 6, 21), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 7, 20))],
            lambda day: 10.0 if day.month == 6 else 5.0,
        )
        self.assertAlmostEqual(amount, 2.739726, places=6)
        self.assertEqual(details, [(10, 10.0, 500.0), (20, 5.0, 500.0)])
        # 200 paid on 25 Jun: 25 Jun still bears interest on 500, 26 Jun on 300.
        # 500 × 5 days × 10 % + 300 × 5 × 10 % + 300 × 20 × 5 %
        # = (25,000 + 15,000 + 30,000) / 36,500 = 1.9178.
        amount, details = Move._compute_dunning_interest_amount(
            500.0,
            [(date(2025, 6, 25), 200.0)],
            [(date(2025, 6, 21), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 7, 20))],
            lambda day: 10.0 if day.month == 6 else 5.0,
        )
        self.assertAlmostEqual(amount, 70000 / 36500, places=6)
        self.assertEqual(details, [(5, 10.0, 500.0), (5, 10.0, 300.0), (20, 5.0, 300.0)])
        # Paid in full on 25 Jun: nothing runs after it.
        amount, details = Move._compute_dunning_interest_amount(
            500.0,
            [(date(2025, 6, 25), 500.0)],
            [(date(2025, 6, 21), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 7, 20))],
            lambda day: 10.0,
        )
        self.assertEqual(details, [(5, 10.0, 500.0)])

    def test_interest_on_the_residual_after_a_partial_payment(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        with freeze_time(date(2026, 2, 15)):
            self.pay(invoice.with_company(self.fr), amount=400.0, day=date(2026, 2, 15))
        self.assertEqual(invoice.amount_residual, 600.0)
        # 1 Feb .. 15 Feb: 15 days on 1,000 (the payment day still bears it);
        # 16 Feb .. 2 Mar: 15 days on 600. (15,000 + 9,000) × 12 / 36,500
        # = 7.8904 → 7.89; + 40 indemnity.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (7.89, 40.0, 47.89))

    def test_foreign_currency_invoice(self):
        invoice = self.fr_invoice(date(2026, 1, 31), amount=2000.0, currency=self.usd)
        with freeze_time(date(2026, 2, 15)):
            self.pay(invoice.with_company(self.fr), amount=500.0, day=date(2026, 2, 15))
        self.assertEqual(invoice.currency_id, self.usd)
        self.assertEqual(invoice.amount_residual, 1500.0)
        # In USD: 2,000 for 15 days then 1,500 for 15 days:
        # (30,000 + 22,500) × 12 / 36,500 = 17.2603 → 17.26.
        # Indemnity: 40 EUR × 1.25 = 50.00 USD.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (17.26, 50.0, 67.26))

    def test_sole_trader_is_a_business(self):
        self.individual.dunning_professional = True
        invoice = self.fr_invoice(date(2026, 1, 31), partner=self.individual)
        # As a company: 30 days at the contractual 12 % (9.86) and 40.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (9.86, 40.0, 49.86))

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

    def test_nothing_when_paid_in_time_or_draft(self):
        draft = self.fr_invoice(date(2026, 1, 31), post=False)
        self.assertEqual(self.fees(draft, date(2026, 3, 2)), (0.0, 0.0, 0.0))
        paid = self.fr_invoice(date(2026, 1, 31))
        # Paid on its due date: not late.
        self.pay(paid.with_company(self.fr), day=date(2026, 1, 31))
        self.assertEqual(paid.payment_state, "paid")
        self.assertEqual(self.fees(paid, date(2026, 3, 2)), (0.0, 0.0, 0.0))

    def test_paid_late_still_owes_its_costs(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        self.pay(invoice.with_company(self.fr), day=date(2026, 2, 15))
        self.assertEqual(invoice.payment_state, "paid")
        # Interest up to the payment day included: 1 Feb .. 15 Feb = 15 days.
        # 1,000 × 12 × 15 / 36,500 = 4.9315 → 4.93; + 40 (D441-5: due when
        # paid after the due date). The same on any later day.
        self.assertEqual(self.fees(invoice, date(2026, 3, 2)), (4.93, 40.0, 44.93))
        self.assertEqual(self.fees(invoice, date(2026, 9, 30)), (4.93, 40.0, 44.93))
        # And invoiced after payment.
        action = invoice.with_context(dunning_date="2026-03-02").action_invoice_dunning_fees()
        fees = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(fees.invoice_line_ids.mapped("price_unit"), [4.93, 40.0])
        self.assertEqual(fees.invoice_line_ids.mapped("dunning_fees_origin_id"), invoice)
        # Never twice.
        with self.assertRaisesRegex(UserError, "not invoiced yet"):
            invoice.with_context(dunning_date="2026-03-20").action_invoice_dunning_fees()

    def test_interest_runs_on_the_balance_of_each_day(self):
        self.fr.dunning_interest_rate = 0.0
        invoice = self.fr_invoice(date(2025, 6, 1), amount=12000.0)
        self.pay(invoice.with_company(self.fr), amount=5000.0, day=date(2025, 7, 10))
        # 2 Jun .. 30 Jun: 29 days on 12,000 at 3.15 + 10 = 13.15 %;
        # 1 Jul .. 10 Jul: 10 days on 12,000 at 2.15 + 10 = 12.15 % (the
        # payment day still bears interest on the balance before it);
        # 11 Jul .. 15 Aug: 21 + 15 = 36 days on 7,000 at 12.15 %.
        # (12,000 × 29 × 13.15 + 12,000 × 10 × 12.15 + 7,000 × 36 × 12.15)
        # / 36,500 = (4,576,200 + 1,458,000 + 3,061,800) / 36,500 = 249.2055
        # → 249.21.
        self.assertEqual(self.fees(invoice, date(2025, 8, 15)), (249.21, 40.0, 289.21))

    def test_one_ecb_search_for_many_invoices(self):
        self.fr.dunning_interest_rate = 0.0
        invoices = self.fr_invoice(date(2025, 6, 20)) | self.fr_invoice(date(2025, 5, 20))
        invoices |= self.fr_invoice(date(2025, 4, 20))
        invoices = invoices.with_context(dunning_date=date(2025, 7, 10))
        Rate = type(self.env["account.dunning.ecb.rate"])
        with patch.object(Rate, "_search", autospec=True, side_effect=Rate._search) as search:
            self.assertTrue(all(invoices.mapped("dunning_late_interest")))
        # One query reads the decisions of all invoices, dates and rates, and
        # one the latest decision, to tell whether the table is stale.
        self.assertEqual(search.call_count, 2)

    # Settings ---------------------------------------------------------

    def test_contractual_rate_raised_to_three_times_legal_each_half_year(self):
        self.fr.dunning_interest_rate = 8.0
        invoice = self.fr_invoice(date(2024, 12, 31))
        # 1 Jan .. 30 Jun 2025: 181 days; legal rate 3.71 %, 3 × 3.71 = 11.13 %
        #   above 8 %: 11.13 % applies.
        # 1 Jul .. 10 Jul 2025: 10 days; legal rate 2.76 %, 3 × 2.76 = 8.28 %.
        # 1,000 × (181 × 11.13 + 10 × 8.28) / 36,500 = 2,097,330 / 36,500
        # = 57.4611 → 57.46.
        late = invoice.with_context(dunning_date=date(2025, 7, 10))
        self.assertEqual(late.dunning_late_interest, 57.46)
        self.assertEqual(
            late.dunning_late_rate_label,
            "11.13\N{NO-BREAK SPACE}% then 8.28\N{NO-BREAK SPACE}%",
        )
        # 12 % is above both floors: 1,000 × 191 × 12 / 36,500 = 62.7945 → 62.79.
        self.fr.dunning_interest_rate = 12.0
        invoice.invalidate_recordset()
        self.assertEqual(late.dunning_late_interest, 62.79)
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.fr.dunning_interest_rate = -1.0

    def test_contractual_rate_when_the_legal_rate_is_missing(self):
        invoice = self.fr_invoice(date(2026, 6, 30))
        # The legal rate of the second half of 2026 is not in the table: the
        # contractual 12 % applies, 10 days: 1,000 × 12 × 10 / 36,500 = 3.29,
        # and the label says the floor was not checked.
        late = invoice.with_context(dunning_date=date(2026, 7, 10))
        self.assertEqual(self.fees(invoice, date(2026, 7, 10)), (3.29, 40.0, 43.29))
        self.assertIn("floor not checked", late.dunning_late_rate_label)
        self.assertIn("2026-07-01", late.dunning_late_rate_label)

    def test_public_buyer(self):
        buyer = self.env["res.partner"].create(
            {"name": "Mairie de Lyon", "is_company": True, "dunning_public_buyer": True}
        )
        invoice = self.fr_invoice(date(2025, 6, 20), partner=buyer)
        # The contractual rate does not apply. Interest started on 21 Jun 2025,
        # in the first half-year: ECB rate in force on 1 Jan 2025 (3.15) + 8 =
        # 11.15 %, for the whole delay, across 1 July too.
        # 1,000 × 20 × 11.15 / 36,500 = 6.1096 → 6.11; + 40 indemnity.
        self.assertEqual(self.fees(invoice, date(2025, 7, 10)), (6.11, 40.0, 46.11))
        self.assertEqual(
            invoice.with_context(dunning_date=date(2025, 7, 10)).dunning_late_rate_label,
            "11.15\N{NO-BREAK SPACE}%",
        )

    def test_consumer_owes_the_legal_rate_from_the_formal_notice(self):
        invoice = self.fr_invoice(date(2025, 11, 30), partner=self.individual)
        # Before any formal notice: nothing, and the label says why.
        self.assertEqual(self.fees(invoice, date(2026, 1, 10)), (0.0, 0.0, 0.0))
        self.assertIn(
            "formal notice",
            invoice.with_context(dunning_date=date(2026, 1, 10)).dunning_late_rate_label,
        )
        Event = self.env["account.dunning.event"].sudo()
        Event.create(
            Event._prepare_event_vals(
                invoice,
                self.env["account.dunning.step"],
                "sent",
                date(2025, 12, 21),
                channel="formal_notice",
            )
        )
        invoice.invalidate_recordset()
        # From the day after the formal notice of 21 Dec, at the legal rate
        # for creditors that are not consumers (the contractual 12 % is for
        # businesses), no indemnity:
        # 22 Dec .. 31 Dec: 10 days at 2.76 %; 1 Jan .. 10 Jan: 10 days at 2.62 %.
        # 1,000 × (27.6 + 26.2) / 36,500 = 1.4740 → 1.47.
        self.assertEqual(self.fees(invoice, date(2026, 1, 10)), (1.47, 0.0, 1.47))
        self.assertEqual(
            invoice.with_context(dunning_date=date(2026, 1, 10)).dunning_late_rate_label,
            "2.76\N{NO-BREAK SPACE}% then 2.62\N{NO-BREAK SPACE}%",
        )

    def test_each_instalment_bears_interest_from_its_own_due_date(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30 % now, 70 % at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 70, "nb_days": 60}),
                ],
            }
        )
        with freeze_time(date(2026, 2, 1)):
            invoice = (
                self.env["account.move"]
                .with_company(self.fr)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.customer.id,
                        "invoice_date": date(2026, 2, 1),
                        "invoice_payment_term_id": term.id,
                        "invoice_line_ids": [
                            Command.create({"name": "Works", "price_unit": 1000.0, "tax_ids": []})
                        ],
                    }
                )
            )
            invoice.action_post()
        # 300 due 1 Feb: 2 Feb .. 12 Apr = 27 + 31 + 12 = 70 days;
        # 700 due 2 Apr: 3 Apr .. 12 Apr = 10 days; at 12 %:
        # (300 × 70 + 700 × 10) × 12 / 36,500 = 336,000 / 36,500 = 9.2055 → 9.21.
        self.assertEqual(self.fees(invoice, date(2026, 4, 12)), (9.21, 40.0, 49.21))
        # Before the second due date only the first instalment is late:
        # 300 × 12 × 30 / 36,500 = 2.9589 → 2.96 on 3 Mar.
        self.assertEqual(self.fees(invoice, date(2026, 3, 3)), (2.96, 40.0, 42.96))

    def test_fees_invoices_bear_no_fees(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        action = invoice.with_context(dunning_date="2026-03-02").action_invoice_dunning_fees()
        fees = self.env["account.move"].browse(action["res_id"])
        self.assertTrue(fees.dunning_fees_invoice)
        fees.invoice_date_due = date(2026, 3, 5)
        with freeze_time(date(2026, 3, 2)):
            fees.action_post()
        # Unpaid two months after its due date, yet no interest on interest.
        self.assertEqual(fees.amount_residual, 49.86)
        self.assertEqual(self.fees(fees, date(2026, 5, 5)), (0.0, 0.0, 0.0))

    def test_costs_invoiced_once(self):
        invoice = self.fr_invoice(date(2026, 1, 31))
        first = self.env["account.move"].browse(
            invoice.with_context(dunning_date="2026-03-02").action_invoice_dunning_fees()["res_id"]
        )
        # 30 days: 9.86 and 40.
        self.assertEqual(first.invoice_line_ids.mapped("price_unit"), [9.86, 40.0])
        second = self.env["account.move"].browse(
            invoice.with_context(dunning_date="2026-03-12").action_invoice_dunning_fees()["res_id"]
        )
        # 40 days: 1,000 × 12 × 40 / 36,500 = 13.15, of which 9.86 already
        # invoiced: 3.29 more, and the indemnity only once.
        self.assertEqual(second.invoice_line_ids.mapped("price_unit"), [3.29])
        self.assertEqual(second.invoice_line_ids.dunning_fees_kind, "interest")
        # A cancelled costs invoice bills nothing: its costs can be billed again.
        first.button_cancel()
        third = self.env["account.move"].browse(
            invoice.with_context(dunning_date="2026-03-12").action_invoice_dunning_fees()["res_id"]
        )
        self.assertEqual(third.invoice_line_ids.mapped("price_unit"), [9.86, 40.0])

    def test_missing_ecb_rate(self):
        self.fr.dunning_interest_rate = 0.0
        invoice = self.fr_invoice(date(2023, 6, 1))
        # Days late from 2 Jun 2023: the first half-year needs the rate in
        # force on 1 Jan 2023, older than the first decision shipped.
        late = invoice.with_context(dunning_date=date(2023, 7, 10))
        with self.assertRaisesRegex(UserError, "ECB main refinancing rate in force on 2023-01-01"):
            late._get_dunning_interest(
                date(2023, 7, 10), late._get_dunning_rate_book(date(2023, 7, 10))
            )
        # Shown without breaking the invoice: the interest is unknown and the
        # label says why; the 40 EUR indemnity is due whatever the rate.
        invoice.invalidate_recordset()
        self.assertEqual(self.fees(invoice, date(2023, 7, 10)), (0.0, 40.0, 40.0))
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
        rate = "12.00\N{NO-BREAK SPACE}%"
        self.assertEqual(
            [(line.name, line.price_unit) for line in draft_a.invoice_line_ids],
            [
                (
                    f"Late-payment interest on {a1.name} until 03/10/2026 at {rate}",
                    9.86,
                ),
                (f"Fixed recovery indemnity for {a1.name}", 40.0),
                (
                    f"Late-payment interest on {a2.name} until 03/10/2026 at {rate}",
                    1.64,
                ),
                (f"Fixed recovery indemnity for {a2.name}", 40.0),
            ],
        )
        self.assertEqual(
            [(line.name, line.price_unit) for line in draft_b.invoice_line_ids],
            [
                (
                    f"Late-payment interest on {b1.name} until 03/10/2026 at {rate}",
                    39.45,
                ),
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
        invoice = self.fr_invoice(date(2026, 1, 31), partner=self.customer_b)
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
        # 30 days at 12 %: 9.86, and 40.
        self.assertEqual(draft.invoice_line_ids.mapped("price_unit"), [9.86, 40.0])
        self.assertEqual(draft.partner_id, self.customer_b)

    def test_invoice_the_late_fees_refused_when_nothing_is_due(self):
        invoice = self.fr_invoice(date(2026, 3, 20))
        with self.assertRaisesRegex(UserError, "None of the selected invoices has late-payment"):
            invoice.with_context(dunning_date=TODAY).action_invoice_dunning_fees()
        self.fr.dunning_late_fees = False
        late = self.fr_invoice(date(2026, 1, 31))
        with self.assertRaises(UserError):
            late.with_context(dunning_date=TODAY).action_invoice_dunning_fees()


class _RatesHandler(http.server.BaseHTTPRequestHandler):
    """The ECB's data service, answering with a recorded response."""

    def do_GET(self):
        with file_open("account_dunning/tests/data/ecb_mro_rates.csv", "rb") as answer:
            body = answer.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestEcbImport(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RatesHandler)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.Rate = cls.env["account.dunning.ecb.rate"]
        cls.company.dunning_late_fees = True

    def set_url(self, url):
        self.env["ir.config_parameter"].set_param("account_dunning.ecb_rates_url", url)

    def test_weekly_import_adds_the_missing_decisions(self):
        self.set_url(f"http://127.0.0.1:{self.server.server_address[1]}/rates")
        # The table misses the decisions of 2025 and has a wrong one.
        self.Rate.search([("date", ">=", "2025-01-01")]).unlink()
        self.Rate.search([("date", "=", "2024-12-18")]).rate = 3.0
        with freeze_time(TODAY):
            self.Rate._cron_import_ecb_rates()
        rates = self.Rate.search([("date", ">=", "2024-12-01")], order="date")
        self.assertEqual(
            [(rate.date.isoformat(), rate.rate) for rate in rates],
            [
                ("2024-12-18", 3.15),
                ("2025-02-05", 2.90),
                ("2025-03-12", 2.65),
                ("2025-04-23", 2.40),
                ("2025-06-11", 2.15),
            ],
        )
        # The older decisions of the response are added once, never twice.
        self.assertEqual(self.Rate.search_count([("date", "=", "2022-12-21")]), 1)
        count = self.Rate.search_count([])
        with freeze_time(TODAY):
            action = self.Rate.action_import_ecb_rates()
        self.assertEqual(self.Rate.search_count([]), count)
        self.assertEqual(action["params"]["message"], "The ECB rates are up to date.")

    def test_staleness_warning(self):
        self.fr_rate_invoice = self.create_invoice(due=date(2026, 1, 31))
        self.company.dunning_interest_rate = 0.0
        # The latest decision (11 Jun 2025) is more than 7 months before
        # 10 Mar 2026 and the table was never checked: it may be stale.
        warning = self.Rate._get_ecb_rates_warning(TODAY)
        self.assertIn("may be out of date", warning)
        late = self.fr_rate_invoice.with_context(dunning_date=TODAY)
        self.assertIn("may be out of date", late.dunning_late_rate_label)
        # Said to the accountant, never to the customer.
        self.assertEqual(late.dunning_late_rates, "12.15\N{NO-BREAK SPACE}%")
        self.assertIn(
            "may be out of date", self.env["res.config.settings"].create({}).dunning_rates_warning
        )
        # An import that finds nothing new confirms the table.
        self.set_url(f"http://127.0.0.1:{self.server.server_address[1]}/rates")
        with freeze_time(TODAY):
            self.Rate._cron_import_ecb_rates()
        self.assertFalse(self.Rate._get_ecb_rates_warning(TODAY))
        self.fr_rate_invoice.invalidate_recordset()
        self.assertNotIn("may be out of date", late.dunning_late_rate_label)

    def test_network_failure_leaves_the_table_and_tells_the_accountant(self):
        self.set_url("http://127.0.0.1:9/rates")
        before = self.Rate.search([]).mapped(lambda rate: (rate.date, rate.rate))
        responsible = self.company._get_dunning_default_responsible()
        with self.assertLogs(
            "odoo.addons.account_dunning.models.account_dunning_ecb_rate", "WARNING"
        ):
            self.Rate._cron_import_ecb_rates()
        self.assertEqual(self.Rate.search([]).mapped(lambda rate: (rate.date, rate.rate)), before)
        # Each company computing costs tells its own responsible (demo data
        # has one more).
        message = self.env["mail.message"].search(
            [
                ("subject", "=", "ECB rates not imported"),
                ("partner_ids", "in", responsible.partner_id.ids),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertIn("127.0.0.1:9", str(message.body))
        # From the button, the accountant is told at once.
        with self.assertRaisesRegex(UserError, "could not be read"):
            self.Rate.action_import_ecb_rates()

    def test_parse_keeps_one_decision_per_change(self):
        text = (
            "KEY,TIME_PERIOD,OBS_VALUE\n"
            "FM,2025-06-11,2.15\nFM,2025-04-23,2.40\nFM,2025-07-23,2.15\n"
        )
        self.assertEqual(
            self.Rate._parse_ecb_rates(text),
            [(date(2025, 4, 23), 2.40), (date(2025, 6, 11), 2.15)],
        )
        with self.assertRaisesRegex(UserError, "not the expected list"):
            self.Rate._parse_ecb_rates("KEY,TIME_PERIOD,OBS_VALUE\nFM,yesterday,2.15\n")
