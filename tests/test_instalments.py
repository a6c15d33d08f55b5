# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .common import DunningCase

INVOICE_DATE = date(2026, 2, 1)
FIRST_DUE = date(2026, 2, 1)
SECOND_DUE = date(2026, 4, 2)


@tagged("post_install", "-at_install")
class TestInstalments(DunningCase):
    """Invoices whose payment terms give several due dates are reminded per
    instalment: from the oldest one left to pay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term = cls.env["account.payment.term"].create(
            {
                "name": "30 % now, 70 % at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 70, "nb_days": 60}),
                ],
            }
        )

    @classmethod
    def create_instalment_invoice(cls, partner=None, amount=1000.0, company=None, term=None):
        company = company or cls.company
        with freeze_time(INVOICE_DATE):
            move = (
                cls.env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": (partner or cls.customer).id,
                        "invoice_date": INVOICE_DATE,
                        "invoice_payment_term_id": (term or cls.term).id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Works",
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [],
                                }
                            )
                        ],
                    }
                )
            )
            move.action_post()
        return move

    def test_reminded_from_the_oldest_unpaid_instalment(self):
        invoice = self.create_instalment_invoice()
        # Odoo's due date is the last one; the reminders count from the first.
        self.assertEqual(invoice.invoice_date_due, SECOND_DUE)
        self.assertEqual(invoice.dunning_date_due, FIRST_DUE)
        # The notice's day counts from 1 Feb (24 Jan), not from 2 April.
        self.assertEqual(invoice.dunning_next_date, date(2026, 1, 24))
        with freeze_time(date(2026, 2, 20)):
            invoice.invalidate_recordset(["dunning_days_overdue"])
            self.assertEqual(invoice.dunning_days_overdue, 19)
        self.run_dunning(date(2026, 2, 2))
        self.assertEqual(self.events(invoice).step_id, self.step_reminder1)
        body = self.mails(self.customer).body_html
        # The email lists the instalments, the overdue one marked.
        self.assertIn(
            "Instalments left: $\N{NO-BREAK SPACE}300.00 due February 1, 2026 (overdue)", body
        )
        self.assertIn("$\N{NO-BREAK SPACE}700.00 due April 2, 2026", body)

    def test_partly_paid_instalment_keeps_its_due_date(self):
        invoice = self.create_instalment_invoice()
        self.pay(invoice, amount=100.0, day=date(2026, 2, 5))
        self.assertEqual(invoice.dunning_date_due, FIRST_DUE)

    def test_next_instalment_follows_the_sequence_from_its_start(self):
        invoice = self.create_instalment_invoice()
        self.run_dunning(date(2026, 2, 2))
        self.run_dunning(date(2026, 2, 15))
        self.assertEqual(self.events(invoice).step_id, self.step_reminder1 | self.step_reminder2)
        self.assertEqual(invoice.dunning_step_date_due, FIRST_DUE)
        # The first instalment paid: the second one is reminded from its own
        # due date, from the notice 8 days before it, not after Reminder 2.
        self.pay(invoice, amount=300.0, day=date(2026, 2, 20))
        self.assertEqual(invoice.dunning_date_due, SECOND_DUE)
        self.assertEqual(invoice.dunning_next_step_id, self.step_notice)
        self.assertEqual(invoice.dunning_next_date, date(2026, 3, 25))
        self.run_dunning(date(2026, 3, 10))
        self.assertEqual(len(self.events(invoice)), 2)
        self.run_dunning(date(2026, 3, 25))
        events = self.events(invoice)
        self.assertEqual(events[-1].step_id, self.step_notice)
        self.assertEqual(invoice.dunning_step_date_due, SECOND_DUE)
        self.assertEqual(invoice.dunning_next_step_id, self.step_reminder1)
        self.assertEqual(invoice.dunning_next_date, date(2026, 4, 3))

    def test_statement_lists_each_instalment(self):
        invoice = self.create_instalment_invoice()
        data = self.customer.with_company(self.company)._get_dunning_statement(date(2026, 3, 10))
        items = [(item["due"], item["residual"], item["days"]) for item in data["items"]]
        self.assertEqual(items, [(FIRST_DUE, 300.0, 37), (SECOND_DUE, 700.0, 0)])
        self.assertEqual(data["total_overdue"], 300.0)
        self.assertEqual(invoice.dunning_date_due, FIRST_DUE)

    def test_install_fills_the_oldest_unpaid_due_date(self):
        invoice = self.create_instalment_invoice()
        single = self.create_invoice(due=date(2026, 2, 20))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET dunning_date_due = NULL WHERE id IN %s",
                (invoice | single)._ids,
            )
        )
        self.env["account.move"]._init_dunning_date_due()
        self.env.invalidate_all()
        self.assertEqual(invoice.dunning_date_due, FIRST_DUE)
        self.assertEqual(single.dunning_date_due, date(2026, 2, 20))

    def queries_of_a_run(self, partner, term):
        self.create_instalment_invoice(partner=partner, term=term)
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        with freeze_time(date(2026, 2, 2)):
            self.env["account.dunning.run"]._cron_run_dunning()
        return self.env.cr.sql_log_count - start

    def test_run_queries_do_not_depend_on_the_instalments_not_due(self):
        monthly = self.env["account.payment.term"].create(
            {
                "name": "10 % now, then 9 months",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 10, "nb_days": 30 * month})
                    for month in range(10)
                ],
            }
        )
        partners = self.env["res.partner"].create(
            [
                {"name": f"Instalments {index}", "email": f"i{index}@example.com"}
                for index in range(3)
            ]
        )
        # The first run warms the caches of the registry.
        self.queries_of_a_run(partners[0], self.term)
        two_lines = self.queries_of_a_run(partners[1], self.term)
        ten_lines = self.queries_of_a_run(partners[2], monthly)
        self.assertEqual(ten_lines, two_lines)
