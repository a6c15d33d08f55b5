# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import html
import re
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools.misc import hash_sign

from .common import TODAY, DunningCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCustomerPage(DunningCase, HttpCase):
    """The page the link of a reminder opens, and the customer's answers
    from it, through real HTTP requests."""

    @classmethod
    def setUpClass(cls):
        # Built once: what a test changes is rolled back to its savepoint.
        super().setUpClass()
        cls.invoice = cls.create_invoice(due=day(-1), amount=1000)
        cls.invoice_2 = cls.create_invoice(due=day(5), amount=300)
        cls.other = cls.create_invoice(partner=cls.customer_b, due=day(-1), amount=777)
        cls.Page = cls.env["account.dunning.portal"]
        cls.url = cls.Page._get_customer_page_url(cls.customer, cls.company)

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

    def recorded(self):
        """What an answer records: events, pauses, disputes, plans, chatter
        messages, activities and attachments of the customer's invoices."""
        self.env.invalidate_all()
        moves = self.invoice | self.invoice_2
        on_them = [
            "|",
            "&",
            ("res_model", "=", "res.partner"),
            ("res_id", "=", self.customer.id),
            "&",
            ("res_model", "=", "account.move"),
            ("res_id", "in", moves.ids),
        ]
        return {
            "events": self.answers(moves).ids,
            "pauses": [(move.dunning_paused, move.dunning_pause_until) for move in moves],
            "disputes": moves.dunning_dispute_reason_id.ids,
            "plans": self.env["account.dunning.plan"].search([]).ids,
            "messages": (self.customer.message_ids | moves.message_ids).ids,
            "activities": self.env["mail.activity"].search(on_them).ids,
            "attachments": self.env["ir.attachment"].search(on_them).ids,
        }

    def assertRefused(self, data, message, files=None):
        """The answer gets the page back with ``message``, and records
        nothing."""
        before = self.recorded()
        response = self.answer(data, files=files)
        self.assertEqual(response.status_code, 200)
        error = re.search(r'o_dunning_error"[^>]*>(.*?)</div>', response.text, re.DOTALL)
        self.assertTrue(error, "the page shows the refusal")
        self.assertIn(message, html.unescape(error.group(1)))
        self.assertEqual(self.recorded(), before, "nothing recorded")
        return response

    def assertNotFramedNorCached(self, response):
        self.assertEqual(response.headers.get("Cache-Control"), "no-store")
        self.assertEqual(response.headers.get("X-Frame-Options"), "SAMEORIGIN")
        self.assertEqual(response.headers.get("Content-Security-Policy"), "frame-ancestors 'self'")

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

    def test_page_shows_the_logo_of_the_invoicing_company(self):
        other_company = self.setup_other_company(name="Company B")["company"]
        self.env.user.company_ids |= other_company
        self.create_invoice(due=day(-1), company=other_company, amount=555)
        url = self.Page._get_customer_page_url(self.customer, other_company)
        response = self.page(url)
        self.assertIn(f"/logo.png?company={other_company.id}", response.text)
        self.assertNotIn(f"/logo.png?company={self.company.id}", response.text)

    def test_answers_are_authored_by_the_customer(self):
        public = self.env.ref("base.public_user").sudo().partner_id
        before = (self.customer.message_ids | self.invoice.message_ids).ids
        self.answer({"answer": "promise", "move_ids": [self.invoice.id], "date": str(day(10))})
        self.env.invalidate_all()
        messages = (self.customer.message_ids | self.invoice.message_ids).filtered(
            lambda m: m.id not in before
        )
        self.assertTrue(messages.tracking_value_ids, "the pause is tracked")
        self.assertEqual(messages.author_id, self.customer)
        self.assertNotIn(public, messages.author_id)
        self.answer(
            {"answer": "plan", "move_ids": [self.invoice_2.id], "count": "2", "date": str(day(5))}
        )
        plan = self.env["account.dunning.plan"].search([("move_ids", "in", self.invoice_2.ids)])
        self.assertTrue(plan.message_ids)
        self.assertEqual(plan.message_ids.author_id, self.customer)

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

    def test_proof_of_payment_is_attached_to_each_invoice(self):
        self.answer(
            {
                "answer": "paid",
                "move_ids": [self.invoice.id, self.invoice_2.id],
                "date": str(day(-2)),
                "amount": "1300",
                "reference": "VIR 12345",
            },
            files={"remittance": ("proof.pdf", PDF, "application/pdf")},
        )
        for invoice in self.invoice | self.invoice_2:
            proof = self.env["ir.attachment"].search(
                [("res_model", "=", "account.move"), ("res_id", "=", invoice.id)]
            )
            self.assertEqual(proof.name, "proof.pdf")
            self.assertEqual(proof.raw, PDF)
            note = invoice.message_ids.filtered(lambda m, p=proof: p in m.attachment_ids)
            self.assertEqual(note.author_id, self.customer, "on the customer's note")

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
        self.assertEqual(self.invoice.dunning_status, "dispute")
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
        for data, message in (
            ({"reason_id": "", "message": "Wrong"}, "Choose the reason of the dispute."),
            ({"reason_id": "999999", "message": "Wrong"}, "Choose the reason of the dispute."),
            ({"reason_id": str(reason.id), "message": "   "}, "Tell us what is wrong"),
        ):
            with self.subTest(data=data):
                self.assertRefused(
                    dict(data, answer="dispute", move_ids=[self.invoice.id]), message
                )

    # Security -----------------------------------------------------------

    def test_answers_only_on_the_customers_own_invoices(self):
        for move_ids in ([self.other.id], [self.invoice.id, 999999999]):
            with self.subTest(move_ids=move_ids):
                self.assertRefused(
                    {"answer": "promise", "move_ids": move_ids, "date": str(day(10))},
                    "Choose at least one of your open invoices.",
                )
        self.assertFalse(self.other.dunning_paused)
        self.assertFalse(self.answers(self.other))

    def test_an_invoice_named_twice_is_answered_once(self):
        response = self.answer(
            {
                "answer": "promise",
                "move_ids": [self.invoice.id, self.invoice.id],
                "date": str(day(10)),
            }
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self.answers(self.invoice)), 1)
        note = self.invoice.message_ids.filtered(lambda m: "promises to pay" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertEqual(str(note.body).count(self.invoice.name), 1)

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

    # Bad input: refused with a message, never a 500 -------------------

    def paid(self, **values):
        return dict(
            {
                "answer": "paid",
                "move_ids": [self.invoice.id],
                "date": str(day(-2)),
                "amount": "100",
                "reference": "VIR 12345",
            },
            **values,
        )

    def dispute(self, **values):
        reason = self.env.ref("account_dunning.dispute_reason_amount")
        return dict(
            {
                "answer": "dispute",
                "move_ids": [self.invoice.id],
                "reason_id": str(reason.id),
                "message": "We ordered 10, not 12.",
            },
            **values,
        )

    def test_invoice_id_of_superscript_digits_is_refused(self):
        # "²".isdigit() is true, yet int("²") raises.
        for move_ids in ("²", [str(self.invoice.id), "²"]):
            with self.subTest(move_ids=move_ids):
                self.assertRefused(
                    {"answer": "promise", "move_ids": move_ids, "date": str(day(10))},
                    "Choose at least one of your open invoices.",
                )

    def test_invoice_id_of_5000_digits_is_refused(self):
        # int() refuses more than 4,300 digits.
        self.assertRefused(
            {"answer": "promise", "move_ids": "9" * 5000, "date": str(day(10))},
            "Choose at least one of your open invoices.",
        )

    def test_dispute_reason_of_superscript_digits_is_refused(self):
        self.assertRefused(self.dispute(reason_id="²"), "Choose the reason of the dispute.")

    def test_instalment_count_of_other_digits_is_refused(self):
        # int() takes Arabic-Indic digits: "٣" would be 3 instalments.
        self.assertRefused(
            {"answer": "plan", "move_ids": [self.invoice.id], "count": "٣", "date": str(day(7))},
            "Choose between 2 and 24 instalments.",
        )

    def test_date_with_more_than_a_date_is_refused(self):
        # Odoo's Date.to_date reads the first 10 characters only.
        for date in (f"{day(10)}T12:00", f"{day(10)} and more", "2026-3-20", "20260320"):
            with self.subTest(date=date):
                self.assertRefused(
                    {"answer": "promise", "move_ids": [self.invoice.id], "date": date},
                    "Choose a payment date after today",
                )

    def test_amount_not_a_finite_number_is_refused(self):
        for amount in ("nan", "inf", "-inf", "1e400", "infinity", "1e3", "12,50"):
            with self.subTest(amount=amount):
                self.assertRefused(self.paid(amount=amount), "Give the amount paid")

    def test_amount_beyond_the_bound_is_refused(self):
        self.assertRefused(self.paid(amount="10000000000000"), "Give the amount paid")

    def test_control_characters_in_the_reference_are_refused(self):
        # A NUL cannot be stored by PostgreSQL, nor any in a one-line field.
        for reference in ("VIR\x0012345", "VIR\x1b[2J", "VIR\t12345", "VIR\n12345"):
            with self.subTest(reference=reference):
                self.assertRefused(
                    self.paid(reference=reference),
                    "The payment reference contains invisible control characters",
                )

    def test_control_characters_in_a_message_are_refused(self):
        for message in ("Wrong\x00amount", "Wrong\x0bamount", "Wrong\x7famount"):
            with self.subTest(message=message):
                self.assertRefused(
                    self.dispute(message=message),
                    "Your message contains invisible control characters",
                )
        self.assertRefused(
            {
                "answer": "promise",
                "move_ids": [self.invoice.id],
                "date": str(day(10)),
                "message": "Soon\x00",
            },
            "Your message contains invisible control characters",
        )

    def test_overlong_reference_is_refused_not_stored(self):
        self.assertRefused(
            self.paid(reference="R" * 10000),
            "The payment reference: 140 characters at most, please shorten it.",
        )

    def test_overlong_message_is_refused_not_cut(self):
        self.assertRefused(
            self.dispute(message="x" * 2001),
            "Your message: 2,000 characters at most, please shorten it.",
        )

    def test_message_at_the_limit_keeps_its_lines(self):
        # Browsers count a line break as one character and send two: 2,000
        # characters on the form, 2,199 sent.
        message = "\r\n".join(["a" * 9] * 199 + ["a" * 10])
        self.answer(self.dispute(message=message))
        self.assertIn(message.replace("\r\n", "\n"), self.answers(self.invoice).note)

    def test_forms_state_the_limits_of_their_fields(self):
        page = self.page().text
        self.assertEqual(page.count('maxlength="2000"'), 2, "the promise's and dispute's")
        self.assertIn('maxlength="140"', page)
        self.assertIn("2,000 characters at most", page)
        self.assertIn("140 characters at most", page)

    def test_html_declared_as_pdf_is_refused(self):
        self.assertRefused(
            self.paid(),
            "The proof of payment must be a PDF, PNG or JPEG file.",
            files={"remittance": ("proof.pdf", HTML, "application/pdf")},
        )

    def test_svg_declared_as_png_is_refused(self):
        self.assertRefused(
            self.paid(),
            "The proof of payment must be a PDF, PNG or JPEG file.",
            files={"remittance": ("proof.png", SVG, "image/png")},
        )

    def test_proof_is_kept_with_the_type_of_its_content(self):
        self.answer(self.paid(), files={"remittance": ("proof.pdf", PNG, "application/pdf")})
        attachment = self.answers(self.invoice).message_id.attachment_ids
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertEqual(attachment.name, "proof.pdf.png")

    def test_control_characters_in_the_file_name_are_refused(self):
        self.assertRefused(
            self.paid(),
            "The file name of the proof of payment contains invisible control characters",
            files={"remittance": ("proof\x00.pdf", PDF, "application/pdf")},
        )

    def test_refusal_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.ref("base.module_account_dunning")._update_translations(["fr_FR"])
        self.customer.lang = "fr_FR"
        self.assertRefused(self.dispute(reason_id=""), "Choisissez le motif du litige.")
        self.assertRefused(
            self.dispute(message="x" * 2001),
            "Votre message : 2\N{NO-BREAK SPACE}000 caractères au plus, "
            "merci de raccourcir le texte.",
        )

    # Caching and framing -------------------------------------------------

    def test_page_is_neither_cached_nor_framed(self):
        self.assertNotFramedNorCached(self.page())

    def test_refused_answer_is_neither_cached_nor_framed(self):
        response = self.assertRefused(self.dispute(reason_id=""), "Choose the reason")
        self.assertNotFramedNorCached(response)

    def test_pay_page_is_neither_cached_nor_framed(self):
        self._dummy_provider()
        with freeze_time(TODAY):
            response = self.url_open(f"{self.url}/pay")
        self.assertEqual(response.status_code, 200)
        self.assertNotFramedNorCached(response)

    def test_wrong_token_is_neither_cached_nor_framed(self):
        response = self.page("/dunning/garbage")
        self.assertEqual(response.status_code, 404)
        self.assertNotFramedNorCached(response)

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
