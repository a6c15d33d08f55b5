# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
import subprocess
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


def pdf_text(raw):
    """The text of a PDF, as pdftotext reads it."""
    assert raw.startswith(b"%PDF"), raw[:40]
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=raw, capture_output=True, check=True
    ).stdout.decode()


def pdf_pages(raw):
    info = subprocess.run(["pdfinfo", "-"], input=raw, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))


def pdf_images(raw):
    """The number of images of a PDF, as pdfimages lists them."""
    listing = subprocess.run(
        ["pdfimages", "-list", "-"], input=raw, capture_output=True, check=True
    ).stdout.decode()
    return len(listing.splitlines()) - 2


# Real PDFs: wkhtmltopdf fetches the report's assets from Odoo's HTTP
# server, which Odoo's own test runner does not serve to a TransactionCase.
# Out of Odoo's standard runs, like Odoo's own tests of real PDF letters;
# scripts/test.sh runs them.
@tagged("-standard", "post_install", "-at_install", "external")
class TestReports(DunningCase):
    """PDFs rendered for real by wkhtmltopdf, checked by their text."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"street": "12 quai du Port", "zip": "13002", "city": "Marseille"})

    def test_email_attaches_the_pdf_of_each_invoice(self):
        self.step_reminder1.attach_invoice = True
        invoices = self.create_invoice(due=day(-1), amount=111) | self.create_invoice(
            due=day(-1), amount=222
        )
        self.run_dunning()
        attachments = self.mails(self.customer).attachment_ids
        self.assertEqual(len(attachments), 2)
        for invoice in invoices:
            attachment = attachments.filtered(lambda a, i=invoice: a.res_id == i.id)
            self.assertEqual(attachment.mimetype, "application/pdf")
            self.assertEqual(attachment.res_model, "account.move")
            text = pdf_text(attachment.raw)
            self.assertIn(invoice.name, text)
            self.assertIn(self.customer.name, text)

    def test_invoice_pdf_that_cannot_be_made_fails_the_reminder(self):
        # A customised invoice report that no longer renders.
        self.env["ir.ui.view"].create(
            {
                "name": "Broken invoice report",
                "type": "qweb",
                "inherit_id": self.env.ref("account.report_invoice_document").id,
                "arch": '<xpath expr="." position="inside"><t t-out="o.no_such_field"/></xpath>',
            }
        )
        self.step_reminder1.attach_invoice = True
        invoice = self.create_invoice(due=day(-1))
        other = self.create_invoice(partner=self.customer_b, due=day(-14))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn(f"The PDF of invoice {invoice.name} could not be generated", event.note)
        self.assertTrue(event.activity_id)
        self.assertFalse(self.mails(self.customer), "no reminder without its invoice")
        self.assertEqual(self.events(other).state, "queued", "other steps go on")

    def test_letter_step_renders_a_letter_to_print(self):
        self.step_reminder2.write({"channel": "letter", "mail_template_id": False})
        invoices = self.create_invoice(due=day(-14), amount=300) | self.create_invoice(
            due=day(-14), amount=450
        )
        partly = invoices[1]
        self.pay(partly, amount=50, day=day(-3))
        self.run_dunning()
        events = self.events(invoices)
        self.assertEqual(events.mapped("state"), ["pending", "pending"], "to print and post")
        letter = events.attachment_id
        self.assertEqual(len(letter), 1, "one letter per customer")
        text = pdf_text(letter.raw)
        self.assertIn("Payment reminder", text)
        self.assertIn(self.customer.name, text)
        self.assertIn("12 quai du Port", text)
        self.assertIn("Marseille", text)
        for invoice in invoices:
            self.assertIn(invoice.name, text)
        # What was already paid on each invoice, and the total still due.
        self.assertIn("Already Paid", text)
        self.assertIn("$ 50.00", " ".join(text.split()))
        self.assertIn("700.00", text, "total still due")
        self.assertFalse(self.mails(self.customer))
        logged = invoices[0].message_ids.filtered(lambda m: letter in m.attachment_ids)
        self.assertTrue(logged, "the letter is on the invoice's chatter")

        self.run_dunning(day(1))
        self.assertEqual(len(self.events(invoices)), 2, "nothing more while the letter waits")
        events.action_mark_sent()
        self.assertEqual(events.mapped("state"), ["sent", "sent"])
        self.assertEqual(invoices.dunning_step_id, self.step_reminder2)

    @mute_logger("odoo.addons.account_dunning.models.account_dunning_run")
    def test_letter_that_cannot_be_made_fails_visibly(self):
        self.env["ir.ui.view"].create(
            {
                "name": "Broken reminder letter",
                "type": "qweb",
                "inherit_id": self.env.ref("account_dunning.report_dunning_letter_document").id,
                "arch": '<xpath expr="//h3" position="after"><t t-out="o.no_such_field"/></xpath>',
            }
        )
        self.step_reminder2.write({"channel": "letter", "mail_template_id": False})
        invoice = self.create_invoice(due=day(-14))
        other = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn("no_such_field", event.note)
        self.assertTrue(event.activity_id)
        self.assertEqual(self.events(other).state, "queued")

    def test_reminder_letter_printed_from_an_invoice(self):
        invoice = self.create_invoice(due=day(-3), amount=999)
        pdf, _report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("account_dunning.action_report_dunning_letter", invoice.ids)
        )
        text = pdf_text(pdf)
        self.assertIn(invoice.name, text)
        self.assertIn("999.00", text)

    # The sender, in the letter's body: Debian's wkhtmltopdf prints no header
    # nor footer.

    def render(self, report, invoice):
        pdf, _report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, invoice.ids)
        )
        return pdf

    def set_sender(self, registry):
        self.company.write(
            {
                "name": "Verrerie du Rhône SAS",
                "street": "12 rue de la République",
                "zip": "69002",
                "city": "Lyon",
                "country_id": self.env.ref("base.fr").id,
                "company_registry": registry,
                "vat": "FR40123456789",
            }
        )
        self.env["res.partner.bank"].create(
            {"acc_number": "FR7630006000011234567890189", "partner_id": self.company.partner_id.id}
        )

    def test_letter_and_formal_notice_name_their_sender_on_one_page(self):
        self.set_sender("812 345 678 00019")
        invoice = self.create_invoice(due=day(-3), amount=999)
        for report in (
            "account_dunning.action_report_dunning_letter",
            "account_dunning.action_report_dunning_formal_notice",
        ):
            pdf = self.render(report, invoice)
            text = " ".join(pdf_text(pdf).split())
            for line in (
                "Verrerie du Rhône SAS",
                "12 rue de la République",
                "69002 Lyon",
                "SIRET: 812 345 678 00019",
                "VAT: FR40123456789",
                "IBAN: FR76 3000 6000 0112 3456 7890 189",
            ):
                self.assertIn(line, text, report)
            self.assertNotIn("SIREN", text, "14 digits are a SIRET")
            self.assertEqual(pdf_pages(pdf), 1, f"{report}: a short letter fits on one page")

    def test_registry_number_under_its_label_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.customer.lang = "fr_FR"
        invoice = self.create_invoice(due=day(-3))
        self.set_sender("812345678")
        text = " ".join(
            pdf_text(self.render("account_dunning.action_report_dunning_letter", invoice)).split()
        )
        self.assertIn("SIREN : 812345678", text)
        self.assertIn("N° TVA : FR40123456789", text)
        self.company.company_registry = "RCS Lyon B 812 345 678"
        text = " ".join(
            pdf_text(self.render("account_dunning.action_report_dunning_letter", invoice)).split()
        )
        self.assertIn("Immatriculation : RCS Lyon B 812 345 678", text)

    def test_letter_leads_to_the_customers_page_by_qr_code_and_short_link(self):
        invoice = self.create_invoice(due=day(-3))
        for report in (
            "account_dunning.action_report_dunning_letter",
            "account_dunning.action_report_dunning_formal_notice",
        ):
            pdf = self.render(report, invoice)
            self.assertEqual(pdf_images(pdf), 1, "the QR code")
            link = re.search(r"https?://\S+/dunning/l/(\w+)", pdf_text(pdf))
            self.assertTrue(link, report)
            self.assertLessEqual(len(link.group(0)), 60, "short enough to type")
            url = self.env["account.dunning.link"]._get_customer_page_url_from_code(link.group(1))
            token = url.removeprefix("/dunning/")
            self.assertEqual(
                self.env["account.dunning.portal"]._get_customer_from_token(token),
                (self.customer, self.company),
            )
