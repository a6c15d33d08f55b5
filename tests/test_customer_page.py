# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools.misc import hash_sign

from .common import TODAY, DunningCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCustomerPage(DunningCase, HttpCase):
    """The page the link of a reminder opens, and the customer's answers
    from it, through real HTTP requests."""

    def setUp(self):
        super().setUp()
        self.invoice = self.create_invoice(due=day(-1), amount=1000)
        self.invoice_2 = self.create_invoice(due=day(5), amount=300)
        self.other = self.create_invoice(partner=self.customer_b, due=day(-1), amount=777)
        self.Run = self.env["account.dunning.run"]
        self.url = self.Run._get_customer_page_url(self.customer, self.company)

    def page(self, url=None):
        with freeze_time(TODAY):
            return self.url_open(url or self.url)

    def answer(self, data, files=None, csrf=True):
        page = self.page()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        if csrf:
            data = dict(data, csrf_token=token)
        with freeze_time(TODAY):
            return self.url_open(f"{self.url}/answer", data=data, files=files)

    def answers(self, moves):
        return self.env["account.dunning.event"].search(
            [
                ("move_id", "in", moves.ids),
                ("event_type", "in", ("answer", "promise", "dispute", "plan")),
            ]
        )

    # The page ------------------------------------------------------------

    def test_reminder_link_opens_the_customers_open_invoices_only(self):
        self.run_dunning()
        mail = self.mails(self.customer)[:1]
        self.assertIn("/dunning/", mail.body_html, "the View and pay online link")
        link = re.search(r'href="[^"]*(/dunning/[^"?]+)"', mail.body_html).group(1)
        self.pay(self.invoice_2)
        response = self.page(link)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice.name, response.text)
        self.assertIn(self.customer.name, response.text)
        self.assertNotIn(self.invoice_2.name, response.text, "paid: not open")
        self.assertNotIn(self.other.name, response.text, "another customer's")
        self.assertIn(
            self.invoice.get_portal_url(anchor="portal_pay", query_string="&payment=True"),
            response.text.replace("&amp;", "&"),
        )

    def test_accountant_opens_the_customers_page(self):
        action = self.customer.action_open_dunning_customer_page()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(self.invoice.name, self.page(action["url"]).text)
        invoicing_only = self.create_invoicing_user()
        with self.assertRaises(AccessError):
            self.customer.with_user(invoicing_only).action_open_dunning_customer_page()

    def test_other_companys_invoices_are_not_shown(self):
        other_company = self.setup_other_company(name="Company B")["company"]
        self.env.user.company_ids |= other_company
        theirs = self.create_invoice(due=day(-1), company=other_company, amount=555)
        response = self.page()
        self.assertIn("1,000.00", response.text)
        self.assertNotIn("555.00", response.text)
        self.assertNotIn(f"/my/invoices/{theirs.id}?", response.text)

    def test_wrong_tampered_or_expired_token_is_not_found(self):
        with freeze_time(TODAY):
            expired = hash_sign(
                self.env(su=True),
                "account_dunning.customer_page",
                [self.customer.id, self.company.id],
                expiration=timedelta(days=-1),
            )
        token = self.url.rsplit("/", 1)[1]
        for url in (
            "/dunning/garbage",
            f"/dunning/{token[:-3]}abc",
            f"/dunning/{expired}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.page(url).status_code, 404)
        self.assertFalse(self.answers(self.invoice))

    def test_page_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.ref("base.module_account_dunning")._update_translations(["fr_FR"])
        self.customer.lang = "fr_FR"
        response = self.page()
        self.assertIn("Factures ouvertes", response.text)

    # Promise -------------------------------------------------------------

    def test_promise_pauses_until_its_date_and_tells_the_responsible(self):
        response = self.answer(
            {"answer": "promise", "move_ids": [self.invoice.id], "date": str(day(10))}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("promise to pay", response.text)
        self.assertTrue(self.invoice.dunning_paused)
        self.assertEqual(self.invoice.dunning_pause_until, day(10))
        self.assertFalse(self.invoice_2.dunning_paused, "only the invoices chosen")
        event = self.answers(self.invoice)
        self.assertEqual(event.event_type, "promise")
        self.assertEqual(event.call_outcome, "promise")
        self.assertEqual(event.promise_date, day(10))
        self.assertEqual(event.activity_id.user_id, self.salesperson)
        self.assertIn(self.invoice.name, self.customer.message_ids[0].body)
        self.assertEqual(event.message_id, self.customer.message_ids[0])
        note = self.invoice.message_ids.filtered(lambda m: "promises to pay" in str(m.body))
        self.assertEqual(note.author_id, self.customer, "posted on the invoice too")
        # Nothing is sent for it while the promise runs.
        self.run_dunning(day(5))
        self.assertFalse(self.events(self.invoice).filtered(lambda e: e.event_type == "reminder"))

    def test_broken_promise_resumes_with_an_activity(self):
        self.answer({"answer": "promise", "move_ids": [self.invoice.id], "date": str(day(10))})
        self.run_dunning(day(11))
        self.run_dunning(day(11))
        self.assertFalse(self.invoice.dunning_paused)
        broken = self.events(self.invoice).filtered(lambda e: "broken" in (e.note or ""))
        self.assertEqual(len(broken), 1)
        self.assertEqual(broken.activity_id.summary, "Promise broken")
        reminders = self.events(self.invoice).filtered(lambda e: e.event_type == "reminder")
        self.assertEqual(len(reminders), 1, "the sequence resumes, once")
        self.assertEqual(reminders.date, day(11))

    def test_promise_outside_the_limit_records_nothing(self):
        self.sequence.promise_max_days = 30
        for date in (str(day(-1)), str(TODAY), str(day(31)), "not a date"):
            with self.subTest(date=date):
                response = self.answer(
                    {"answer": "promise", "move_ids": [self.invoice.id], "date": date}
                )
                self.assertIn("no later than", response.text)
        self.assertFalse(self.invoice.dunning_paused)
        self.assertFalse(self.answers(self.invoice))

    # Already paid -------------------------------------------------------

    def test_already_paid_holds_and_keeps_the_proof(self):
        self.company.dunning_paid_claim_days = 5
        response = self.answer(
            {
                "answer": "paid",
                "move_ids": [self.invoice.id, self.invoice_2.id],
                "date": str(day(-2)),
                "amount": "1300",
                "reference": "VIR 12345",
            },
            files={"remittance": ("proof.pdf", PDF, "application/pdf")},
        )
        self.assertIn("looking for your payment", response.text)
        self.assertEqual(self.invoice.dunning_pause_until, day(4))
        events = self.answers(self.invoice | self.invoice_2)
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("event_type")), {"answer"})
        self.assertIn("VIR 12345", events[0].note)
        self.assertEqual(events.message_id.attachment_ids.name, "proof.pdf")
        self.assertIn("find the payment", events.activity_id.summary)

    def test_bad_proof_or_amount_records_nothing(self):
        base = {
            "answer": "paid",
            "move_ids": [self.invoice.id],
            "date": str(day(-2)),
            "amount": "100",
        }
        cases = [
            (base, {"remittance": ("virus.exe", b"MZ", "application/octet-stream")}, "PDF"),
            (base, {"remittance": ("big.pdf", PDF * 200000, "application/pdf")}, "5 MB"),
            (dict(base, amount="-5"), None, "amount"),
            (dict(base, date=str(day(3))), None, "date of the payment"),
        ]
        for data, files, message in cases:
            with self.subTest(message=message):
                response = self.answer(data, files=files)
                self.assertIn(message, response.text)
        self.assertFalse(self.invoice.dunning_paused)
        self.assertFalse(self.answers(self.invoice))

    # Dispute ------------------------------------------------------------

    def test_dispute_takes_the_invoice_out_until_resolved(self):
        reason = self.env.ref("account_dunning.dispute_reason_amount")
        response = self.answer(
            {
                "answer": "dispute",
                "move_ids": [self.invoice.id],
                "reason_id": str(reason.id),
                "message": "We ordered 10, not 12.",
            }
        )
        self.assertIn("dispute is recorded", response.text)
        self.assertEqual(self.invoice.dunning_dispute_reason_id, reason)
        self.assertEqual(self.invoice.dunning_status, "disputed")
        event = self.answers(self.invoice)
        self.assertEqual((event.event_type, event.call_outcome), ("dispute", "dispute"))
        self.assertIn("not 12", event.note)
        # The other invoices of the customer go on; the disputed one waits.
        self.run_dunning(day(14))
        self.assertFalse(self.events(self.invoice).filtered(lambda e: e.event_type == "reminder"))
        self.assertTrue(self.events(self.invoice_2).filtered(lambda e: e.event_type == "reminder"))
        with freeze_time(day(15)):
            self.invoice.action_dunning_resolve_dispute()
        self.assertFalse(self.invoice.dunning_dispute_reason_id)
        self.run_dunning(day(15))
        self.run_dunning(day(15))
        reminders = self.events(self.invoice).filtered(lambda e: e.event_type == "reminder")
        self.assertEqual(len(reminders), 1, "the step now due, once, when resolved")

    def test_dispute_needs_a_reason_and_a_message(self):
        reason = self.env.ref("account_dunning.dispute_reason_amount")
        for data in (
            {"reason_id": "", "message": "Wrong"},
            {"reason_id": str(reason.id), "message": "   "},
        ):
            with self.subTest(data=data):
                response = self.answer(dict(data, answer="dispute", move_ids=[self.invoice.id]))
                self.assertIn("o_dunning_error", response.text)
        self.assertFalse(self.invoice.dunning_dispute_reason_id)
        self.assertFalse(self.answers(self.invoice))

    # Security -----------------------------------------------------------

    def test_answers_only_on_the_customers_own_invoices(self):
        response = self.answer(
            {"answer": "promise", "move_ids": [self.other.id], "date": str(day(10))}
        )
        self.assertIn("one of your open invoices", response.text)
        self.assertFalse(self.other.dunning_paused)
        self.assertFalse(self.answers(self.other))

    def test_answers_need_the_csrf_token(self):
        response = self.answer(
            {"answer": "promise", "move_ids": [self.invoice.id], "date": str(day(10))},
            csrf=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.invoice.dunning_paused)

    def test_answers_are_rate_limited(self):
        data = {
            "answer": "promise",
            "move_ids": [self.invoice.id, self.invoice_2.id],
            "date": str(day(10)),
        }
        for _index in range(10):
            self.answer(data)
        response = self.answer(data)
        self.assertIn("Too many answers", response.text)
        self.assertEqual(len(self.answers(self.invoice)), 10, "ten answers, of two invoices each")

    # Payment plan -------------------------------------------------------

    def test_plan_asked_within_the_limits_starts_at_once(self):
        response = self.answer(
            {
                "answer": "plan",
                "move_ids": [self.invoice.id, self.invoice_2.id],
                "count": "3",
                "date": str(day(7)),
            }
        )
        self.assertIn("payment plan is recorded", response.text)
        plan = self.invoice.dunning_plan_id
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.origin, "portal")
        self.assertEqual(plan.move_ids, self.invoice | self.invoice_2)
        self.assertEqual(plan.line_ids.mapped("amount"), [433.33, 433.33, 433.34])
        self.assertEqual(plan.line_ids.mapped("date"), [day(7), day(38), day(68)])
        event = self.answers(self.invoice)
        self.assertEqual((event.event_type, event.plan_id), ("plan", plan))
        self.assertIn("started", event.activity_id.summary)

    def test_plan_beyond_the_limits_waits_for_approval(self):
        self.sequence.plan_max_instalments = 3
        self.answer(
            {"answer": "plan", "move_ids": [self.invoice.id], "count": "10", "date": str(day(7))}
        )
        plan = self.env["account.dunning.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(plan.state, "to_approve")
        self.assertFalse(self.invoice.dunning_plan_id)
        self.assertIn("approve", self.answers(self.invoice).activity_id.summary)

    def test_bad_plan_requests_record_nothing(self):
        for data, message in (
            ({"count": "1", "date": str(day(7))}, "between 2 and"),
            ({"count": "30", "date": str(day(7))}, "between 2 and"),
            ({"count": "3", "date": str(day(40))}, "within a month"),
            ({"count": "3", "date": str(day(-1))}, "within a month"),
        ):
            with self.subTest(data=data):
                response = self.answer(dict(data, answer="plan", move_ids=[self.invoice.id]))
                self.assertIn(message, response.text)
        self.assertFalse(self.env["account.dunning.plan"].search([]))
        self.assertFalse(self.answers(self.invoice))

    # Pay all ------------------------------------------------------------

    def _dummy_provider(self):
        redirect_form = self.env["ir.ui.view"].create(
            {
                "name": "Dunning test redirect form",
                "type": "qweb",
                "arch": '<form action="dummy" method="post"><input type="hidden" name="x"/></form>',
            }
        )
        method = self.env.ref("payment.payment_method_unknown")
        provider = self.env["payment.provider"].create(
            {
                "name": "Dunning Test Provider",
                "code": "none",
                "state": "test",
                "is_published": True,
                "company_id": self.company.id,
                "payment_method_ids": [(6, 0, method.ids)],
                "redirect_form_view_id": redirect_form.id,
            }
        )
        method.write({"active": True, "support_tokenization": False})
        return provider

    def test_pay_all_open_invoices_at_once(self):
        provider = self._dummy_provider()
        page = self.page()
        self.assertIn(f"/dunning/{self.url.rsplit('/', 1)[1]}/pay", page.text)
        with freeze_time(TODAY):
            pay_page = self.url_open(f"{self.url}/pay")
        self.assertEqual(pay_page.status_code, 200)
        self.assertIn(f'data-provider-id="{provider.id}"', pay_page.text)
        self.assertIn("1,300.00", pay_page.text)
        with freeze_time(TODAY):
            response = self.make_jsonrpc_request(
                f"{self.url}/transaction",
                {
                    "provider_id": provider.id,
                    "payment_method_id": provider.payment_method_ids.id,
                    "token_id": None,
                    "amount": 1.0,  # tampered: the invoices' residual is taken
                    "flow": "redirect",
                    "tokenization_requested": False,
                    "landing_route": self.url,
                    "payment_reference": "INV",
                },
            )
        self.assertTrue(response)
        tx = self.env["payment.transaction"].search([("provider_id", "=", provider.id)])
        self.assertEqual(tx.invoice_ids, self.invoice | self.invoice_2)
        self.assertEqual(tx.amount, 1300)
        self.assertEqual(tx.partner_id, self.customer)

    def test_pay_all_with_a_wrong_token_is_not_found(self):
        self.assertEqual(self.page("/dunning/garbage/pay").status_code, 404)
