# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import html
import re
from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import html2plaintext

from .common import TODAY, DunningCase
from .test_reports import pdf_text


def day(offset):
    return TODAY + timedelta(days=offset)


class FrenchCompanyCase(DunningCase):
    """A French company whose customers read French (``customer``) or
    English (``customer_b``): what the customer reads is in its language,
    whatever the company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        # Odoo's layout of the emails is mail's, its words mail's terms.
        cls.env["ir.module.module"]._load_module_terms(["mail", "account_dunning"], ["fr_FR"])
        cls.company.partner_id.lang = "fr_FR"
        cls.customer.lang = "fr_FR"
        cls.customer_b.lang = "en_US"


@tagged("post_install", "-at_install")
class TestCustomerLanguage(FrenchCompanyCase):
    def button(self, mail):
        """The title of the layout's button, the one to the customer's page."""
        found = re.search(
            r'<a [^>]*href="[^"]*/dunning/[^>]*>\s*(.*?)\s*</a>', mail.body_html, re.S
        )
        return found.group(1)

    def test_email_layout_subject_and_body_in_the_customers_language(self):
        french = self.create_invoice(due=day(-1))
        english = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        mail_fr, mail_en = self.events(french).mail_id, self.events(english).mail_id
        self.assertEqual(self.button(mail_en), "View and pay online")
        self.assertIn("payment reminder", mail_en.subject)
        for english_word in ("Dear", "Amount Due", "Kind regards", "Powered by"):
            self.assertIn(english_word, mail_en.body_html)
        for french_word in ("Voir et payer", "Bonjour", "Montant dû", "Cordialement", "Généré"):
            self.assertNotIn(french_word, mail_en.body_html)
        self.assertEqual(self.button(mail_fr), "Voir et payer en ligne")
        self.assertIn("relance de paiement", mail_fr.subject)
        for french_word in ("Bonjour", "Montant dû", "Cordialement", "Généré par"):
            self.assertIn(french_word, mail_fr.body_html)
        for english_word in ("View and pay", "Dear", "Amount Due", "Kind regards", "Powered"):
            self.assertNotIn(english_word, mail_fr.body_html)

    def test_email_says_its_text_once_and_previews_its_beginning(self):
        """The layout's preview, what mail clients show in the list of
        emails, is the beginning of the text, not the whole text again: a
        reader of the plain-text version would read it twice."""
        invoice = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        body = self.events(invoice).mail_id.body_html
        self.assertEqual(html2plaintext(body).count("Kind regards"), 1)
        preview = re.search(r'<div style="display: none;[^>]*>([^<]*)', body)
        self.assertTrue(preview.group(1).startswith("Dear Atelier Martin, Unless we are mistaken"))

    def test_due_dates_of_the_instalments_in_words_in_the_customers_language(self):
        # 60 % at 30 days, overdue since yesterday, and 40 % at 60 days.
        term = self.env["account.payment.term"].create(
            {
                "name": "60 % at 30 days, 40 % at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 60, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 40, "nb_days": 60}),
                ],
            }
        )
        invoices = self.env["account.move"]
        for partner in (self.customer, self.customer_b):
            with freeze_time(day(-31)):
                invoice = self.env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": day(-31),
                        "invoice_payment_term_id": term.id,
                        "invoice_line_ids": [
                            Command.create({"name": "Works", "price_unit": 1000, "tax_ids": []})
                        ],
                    }
                )
                invoice.action_post()
            invoices |= invoice
        self.run_dunning()
        french, english = (self.events(invoice).mail_id.body_html for invoice in invoices)
        self.assertIn("600.00 due March 9, 2026 (overdue)", english)
        self.assertIn("400.00 due April 8, 2026", english)
        self.assertIn("600,00 à échéance du 9 mars 2026 (échue)", french)
        self.assertIn("à échéance du 8 avril 2026", french)

    def test_sms_in_the_customers_language(self):
        template = self.env.ref("account_dunning.sms_template_dunning_reminder")
        self.step_reminder1.write({"channel": "sms", "sms_template_id": template.id})
        (self.customer | self.customer_b).mobile = "+33612345678"
        french = self.create_invoice(due=day(-1), amount=1234.5)
        english = self.create_invoice(partner=self.customer_b, due=day(-1), amount=1234.5)
        self.run_dunning()
        sms_fr, sms_en = self.events(french).sms_id, self.events(english).sms_id
        self.assertIn("rappel de paiement", sms_fr.body)
        self.assertIn("1\N{NO-BREAK SPACE}234,50", sms_fr.body)
        self.assertIn("payment reminder", sms_en.body)
        self.assertIn("1,234.50", sms_en.body)
        self.assertNotIn("Merci", sms_en.body)


# Real PDFs, as in test_reports.
@tagged("-standard", "post_install", "-at_install", "external")
class TestCustomerLanguageLetters(FrenchCompanyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_reminder2.write({"channel": "formal_notice", "mail_template_id": False})
        address = {"street": "12 quai du Port", "zip": "13002", "city": "Marseille"}
        (cls.customer | cls.customer_b).write(address)

    def test_formal_notice_in_the_customers_language_dated_in_words(self):
        french = self.create_invoice(due=day(-14))
        english = self.create_invoice(partner=self.customer_b, due=day(-14))
        self.run_dunning()
        text_fr = " ".join(pdf_text(self.events(french).attachment_id.raw).split())
        text_en = " ".join(pdf_text(self.events(english).attachment_id.raw).split())
        self.assertIn("Formal notice to pay", text_en)
        self.assertIn("days from receipt of this letter", text_en)
        self.assertIn("March 10, 2026", text_en)
        self.assertNotIn("Mise en demeure de payer", text_en)
        self.assertIn("Mise en demeure de payer", text_fr)
        self.assertIn("10 mars 2026", text_fr)
        self.assertNotIn("Formal notice to pay", text_fr)


@tagged("post_install", "-at_install")
class TestCustomerPageLanguage(FrenchCompanyCase, HttpCase):
    def refusal(self, partner, data):
        """The refusal of the customer's page to ``data``."""
        url = self.env["account.dunning.portal"]._get_customer_page_url(partner, self.company)
        with freeze_time(TODAY):
            page = self.url_open(url)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            response = self.url_open(f"{url}/answer", data=dict(data, csrf_token=token))
        error = re.search(r'o_dunning_error"[^>]*>(.*?)</div>', response.text, re.DOTALL)
        return " ".join(html.unescape(error.group(1)).split())

    def test_refusals_in_the_customers_language_with_the_limit_in_words(self):
        english = self.create_invoice(partner=self.customer_b, due=day(-1))
        french = self.create_invoice(due=day(-1))
        # The sequence lets a customer promise within 30 days: 9 April at most.
        late = str(day(45))
        self.assertEqual(
            self.refusal(
                self.customer_b, {"answer": "promise", "move_ids": english.id, "date": late}
            ),
            "Choose a payment date after today and no later than April 9, 2026.",
        )
        self.assertEqual(
            self.refusal(self.customer, {"answer": "promise", "move_ids": french.id, "date": late}),
            "Choisissez une date de paiement après aujourd'hui et au plus tard le 9 avril 2026.",
        )
        # A plan asked for an invoice that already follows one.
        with freeze_time(TODAY):
            self.env["account.dunning.plan"].create(
                {
                    "partner_id": self.customer_b.id,
                    "move_ids": [Command.set(english.ids)],
                    "line_ids": [Command.create({"date": day(10), "amount": 1000})],
                }
            ).action_confirm()
        self.assertEqual(
            self.refusal(
                self.customer_b,
                {"answer": "plan", "move_ids": english.id, "count": "3", "date": str(day(7))},
            ),
            f"These invoices already follow another payment plan: {english.name}.",
        )
