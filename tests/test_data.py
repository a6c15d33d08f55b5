# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import tagged

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestDefaultData(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])

    def test_default_sequence_is_the_french_sme_one(self):
        sequence = self.env.ref("account_dunning.dunning_sequence_default").sudo()
        self.assertTrue(sequence.is_default)
        steps = sequence.step_ids.sorted("offset_days")
        self.assertEqual(steps.mapped("offset_days"), [-8, 1, 14, 30])
        self.assertEqual(steps.mapped("channel"), ["email", "email", "email", "phone"])
        self.assertTrue(all(steps.mapped("auto")))
        self.assertEqual(
            steps[:3].mapped("mail_template_id"),
            self.template_notice | self.template_reminder1 | self.template_reminder2,
        )
        self.assertEqual(steps[3].activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        french = steps.with_context(lang="fr_FR").mapped("name")
        self.assertEqual(
            french, ["Prévenance", "Relance 1", "Relance 2", "Relance 3 : appel téléphonique"]
        )
        self.assertEqual(steps.with_context(lang="fr_FR")[0].offset_label, "J-8")

    def test_default_templates_are_editable_in_both_languages(self):
        for template in self.template_notice | self.template_reminder1 | self.template_reminder2:
            self.assertEqual(template.model, "account.move")
            english = template.with_context(lang="en_US").body_html
            french = template.with_context(lang="fr_FR").body_html
            self.assertIn("Kind regards", english)
            self.assertIn("Cordialement", french)
            self.assertNotEqual(template.with_context(lang="fr_FR").subject, template.subject)

    def test_each_customer_is_reminded_in_its_language(self):
        self.customer.lang = "fr_FR"
        french = self.create_invoice(due=day(-1), amount=500)
        english = self.create_invoice(partner=self.customer_b, due=day(-1), amount=500)
        self.pay(french, amount=200, day=day(-2))
        self.run_dunning()
        mail_fr = self.events(french).mail_id
        mail_en = self.events(english).mail_id
        self.assertIn("relance de paiement", mail_fr.subject)
        self.assertIn("Bonjour", mail_fr.body_html)
        self.assertIn("Montant dû", mail_fr.body_html)
        self.assertIn("Paiement partiel", mail_fr.body_html)
        self.assertIn("300,00", mail_fr.body_html, "French number format")
        self.assertIn("payment reminder", mail_en.subject)
        self.assertIn("Amount Due", mail_en.body_html)
        self.assertIn("500.00", mail_en.body_html)

    def test_notes_for_the_accountants_are_in_the_company_language(self):
        self.company.partner_id.lang = "fr_FR"
        self.customer.email = False
        failed = self.create_invoice(due=day(-1))
        sent = self.create_invoice(partner=self.customer_b, due=day(-1))
        self.run_dunning()
        self.assertIn("Envoyée à", self.events(sent).note)
        self.assertIn("n'a pas d'adresse e-mail", self.events(failed).note)
        self.assertIn("Échec de la relance", self.events(failed).activity_id.summary)
        self.assertIn("payment reminder", self.events(sent).mail_id.subject, "customer's language")
