# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from psycopg2.errors import CheckViolation

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningCase
from .smtp import smtp_server
from .test_reports import pdf_text


def day(offset):
    return TODAY + timedelta(days=offset)


class StatementCase(DunningCase):
    """A customer's book, computed by hand (TODAY is 2026-03-10; the
    statement covers 2026-02-11 to 2026-03-10):

    - invoice A, 1,000.00, entered day -85, due day -45, 400.00 paid day -2:
      600.00 left, 45 days overdue (31-60);
    - invoice B, 500.00, entered day -50, due day -10: 10 days overdue (1-30);
    - invoice C, 300.00, entered day -5, due day +10: not due;
    - credit note, 200.00, entered day -3, not applied;
    - payment, 100.00, day -1, not applied.

    Opening balance (before 2026-02-11): A + B = 1,500.00. Movements of the
    period: C +300, credit note -200, payment of A -400, payment -100, so
    the closing balance is 1,500 + 300 - 200 - 400 - 100 = 1,100.00, which is
    also the total of the open items: 600 + 500 + 300 - 200 - 100. Overdue:
    600 + 500 = 1,100.00.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"street": "12 quai du Port", "zip": "13002", "city": "Marseille"})
        cls.invoice_a = cls.create_invoice(due=day(-45), amount=1000, entered=day(-85))
        cls.invoice_b = cls.create_invoice(due=day(-10), amount=500, entered=day(-50))
        cls.invoice_c = cls.create_invoice(due=day(10), amount=300, entered=day(-5))
        cls.credit_note = cls.create_invoice(
            due=day(-3), amount=200, entered=day(-3), move_type="out_refund"
        )
        cls.pay(cls.invoice_a, amount=400, day=day(-2))
        with freeze_time(day(-1)):
            payment = cls.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": cls.customer.id,
                    "amount": 100,
                    "date": day(-1),
                    "journal_id": cls.company_data["default_journal_bank"].id,
                }
            )
            payment.action_post()
        cls.env["res.partner.bank"].create(
            {
                "acc_number": "FR76 3000 6000 0112 3456 7890 189",
                "partner_id": cls.company.partner_id.id,
            }
        )

    def statement(self):
        with freeze_time(TODAY):
            return self.customer.with_company(self.company)._get_dunning_statement()


@tagged("post_install", "-at_install")
class TestStatement(StatementCase):
    def test_statement_figures(self):
        statement = self.statement()
        self.assertEqual((statement["date_from"], statement["date_to"]), (day(-27), TODAY))
        self.assertEqual(statement["opening_balance"], 1500.0)
        self.assertEqual(sorted(statement["movements"].mapped("balance")), [-400, -200, -100, 300])
        self.assertEqual(statement["closing_balance"], 1100.0)
        # The balance after each movement, from the opening to the closing one.
        running = 1500.0
        for movement, balance in zip(statement["movements"], statement["balances"], strict=True):
            running += movement.balance
            self.assertEqual(balance, running)
        self.assertEqual(statement["balances"][-1], 1100.0)
        items = {item["move"]: item for item in statement["items"]}
        self.assertEqual(items[self.invoice_a]["residual"], 600.0)
        self.assertEqual(items[self.invoice_a]["days"], 45)
        self.assertEqual(items[self.invoice_b]["days"], 10)
        self.assertEqual(items[self.invoice_c]["days"], 0)
        self.assertEqual(items[self.credit_note]["residual"], -200.0)
        self.assertEqual(len(items), 5, "three invoices, the credit note and the payment")
        self.assertEqual(
            statement["aging"],
            {"not_due": 300.0, "1_30": 500.0, "31_60": 600.0, "61_90": 0.0, "over_90": 0.0},
        )
        self.assertEqual(statement["total_due"], 1100.0)
        self.assertEqual(statement["total_overdue"], 1100.0)
        self.assertTrue(items[self.invoice_a]["url"].endswith(self.invoice_a.get_portal_url()))
        self.assertFalse(items[self.credit_note]["url"])

    def test_only_dunning_users_see_and_send_statements(self):
        # The salesperson is an internal user without the dunning rights; a
        # portal user of the customer neither sees its statement.
        portal = self.env["res.users"].create(
            {
                "name": "Bistrot Portal",
                "login": "bistrot_portal",
                "partner_id": self.customer.id,
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        for user in (self.salesperson, portal):
            customer = self.customer.with_user(user)
            for method in (
                "action_dunning_send_statement",
                "action_dunning_print_statement",
                "action_dunning_send_reminders",
                "action_dunning_pause",
                "action_dunning_log_call",
                "_get_dunning_statement",
            ):
                with self.subTest(user=user.login, method=method):
                    with self.assertRaisesRegex(AccessError, "Only Dunning Users"):
                        getattr(customer, method)()
        self.assertFalse(self.statements(self.customer))

    def statements(self, partner):
        return partner.message_ids.filtered(
            lambda message: "statement of account" in (message.subject or "")
        )

    def test_customer_without_email_gets_no_statement(self):
        mute = self.env["res.partner"].create({"name": "Mute", "is_company": True})
        self.create_invoice(partner=mute, due=day(-3))
        with self.assertRaisesRegex(UserError, "no email address"):
            mute.action_dunning_send_statement()


# Real PDFs and a real SMTP server: out of Odoo's standard runs, see
# test_reports.
@tagged("-standard", "post_install", "-at_install", "external")
class TestStatementDocuments(StatementCase):
    def test_statement_pdf(self):
        with freeze_time(TODAY):
            pdf, _type = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(
                    "account_dunning.action_report_customer_statement", self.customer.ids
                )
            )
        text = pdf_text(pdf)
        for expected in (
            "Statement of account",
            "Opening balance",
            "1,500.00",
            "Closing balance",
            "Balance",
            self.invoice_a.name,
            self.credit_note.name,
            "Not yet applied",
            "Pay online",
            "FR76 3000 6000 0112 3456 7890 189",
            "12 quai du Port",
        ):
            self.assertIn(expected, text)
        self.assertRegex(text, r"Total due:\s+\$\s*1,100\.00")
        self.assertRegex(text, r"Total overdue:\s+\$\s*1,100\.00")

    def test_statement_email_really_leaves_with_its_pdf(self):
        accountant = self.create_accountant()
        with freeze_time(TODAY):
            result = (
                self.customer.with_user(accountant)
                .with_context(force_report_rendering=True)
                .action_dunning_send_statement()
            )
        self.assertIn("Statements queued: 1.", result["params"]["message"])
        message = self.customer.message_ids.filtered(
            lambda message: "statement of account" in (message.subject or "")
        )
        self.assertEqual(len(message), 1)
        mails = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        with smtp_server(self.env) as received:
            mails.send(raise_exception=False)
        self.assertEqual(len(received), 1)
        _sender, recipients, email = received[0]
        self.assertEqual(recipients, ["contact@bistrot.example.com"])
        self.assertIn("1,100.00", email.get_body(("html",)).get_content())
        [attachment] = [part for part in email.iter_attachments()]
        self.assertEqual(attachment.get_content_type(), "application/pdf")
        self.assertIn("Statement of account", pdf_text(attachment.get_content()))


@tagged("post_install", "-at_install")
class TestStatementStep(DunningCase):
    def test_a_step_can_send_the_statement(self):
        self.step_reminder2.write({"channel": "statement", "mail_template_id": False})
        invoice = self.create_invoice(due=day(-14), amount=750)
        mute = self.env["res.partner"].create({"name": "Mute", "is_company": True})
        unreachable = self.create_invoice(partner=mute, due=day(-14))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(
            (event.step_id, event.channel, event.state),
            (self.step_reminder2, "statement", "queued"),
        )
        message = event.message_id
        self.assertEqual((message.model, message.res_id), ("res.partner", self.customer.id))
        self.assertIn("statement of account", message.subject)
        self.assertIn("750.00", message.body)
        self.assertEqual(event.mail_id.mail_message_id, message)
        self.assertTrue(message.attachment_ids, "the statement attached")
        self.assertEqual(invoice.dunning_step_id, self.step_reminder2)
        failed = self.events(unreachable)
        self.assertEqual(failed.state, "failed")
        self.assertIn("no email address", failed.note)
        self.assertTrue(failed.activity_id)

    def test_statement_template_must_be_on_customers(self):
        with self.assertRaisesRegex(ValidationError, "statements are rendered on customers"):
            self.step_reminder2.write(
                {"channel": "statement", "statement_template_id": self.template_reminder1.id}
            )

    def statements(self, partner):
        return partner.message_ids.filtered(
            lambda message: "statement of account" in (message.subject or "")
        )

    def test_monthly_statement_on_the_customers_day_once(self):
        self.customer.dunning_statement_day = TODAY.day
        self.customer_b.dunning_statement_day = TODAY.day  # owes nothing
        other_day = self.env["res.partner"].create(
            {"name": "Later", "is_company": True, "email": "later@example.com"}
        )
        other_day.dunning_statement_day = TODAY.day + 1
        self.create_invoice(due=day(-3))
        self.create_invoice(partner=other_day, due=day(-3))
        mute = self.env["res.partner"].create({"name": "Mute", "is_company": True})
        mute.dunning_statement_day = TODAY.day
        self.create_invoice(partner=mute, due=day(-3))
        Partner = self.env["res.partner"]
        with freeze_time(TODAY):
            Partner._cron_send_statements()
            Partner._cron_send_statements()
        self.assertEqual(len(self.statements(self.customer)), 1, "once a day")
        self.assertFalse(self.statements(self.customer_b))
        self.assertFalse(self.statements(other_day))
        self.assertIn(
            "could not be sent", " ".join(mute.message_ids.mapped("body")), "told, not retried"
        )
        self.assertEqual(
            self.customer.with_company(self.company).dunning_statement_last_date, TODAY
        )
        with freeze_time(day(31)):  # 2026-04-10: its day next month
            Partner._cron_send_statements()
        self.assertEqual(len(self.statements(self.customer)), 2)

    def test_statement_day_is_a_day_of_every_month(self):
        with self.assertRaises(CheckViolation), self.cr.savepoint(), mute_logger("odoo.sql_db"):
            self.customer.dunning_statement_day = 31
            self.customer.flush_recordset()

    def test_workspace_sends_the_statements_of_the_customers_selected(self):
        self.create_invoice(due=day(-3))
        self.create_invoice(partner=self.customer_b, due=day(-3))
        with freeze_time(TODAY):
            lines = self.env["account.dunning.customer"].search(
                [("partner_id", "in", (self.customer | self.customer_b).ids)]
            )
            result = lines.action_send_statements()
        self.assertIn("Statements queued: 2.", result["params"]["message"])
        self.assertEqual(len(self.statements(self.customer)), 1)
        self.assertEqual(len(self.statements(self.customer_b)), 1)
