# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import convert_file

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestDefaultData(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.french_before = bool(cls.env["res.lang"]._lang_get("fr_FR"))
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])

    def test_default_sequence_is_the_french_sme_one(self):
        sequence = self.env.ref("account_dunning.dunning_sequence_default").sudo()
        self.assertTrue(sequence.is_default)
        # The steps of the data file: demo data adds a formal notice.
        steps = self.env["account.dunning.step"].sudo()
        for xmlid in ("notice", "reminder1", "reminder2", "reminder3"):
            steps |= self.env.ref(f"account_dunning.dunning_step_{xmlid}")
        self.assertEqual(steps.sequence_id, sequence)
        steps = steps.sorted("offset_days")
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

    def load_demo(self):
        """The demo data, loaded here on a database without it.

        :return: whether the demo's customers are French (it names them so
            when French is installed)"""
        if self.env.ref("account_dunning.demo_partner_garage", raise_if_not_found=False):
            return self.french_before
        convert_file(
            self.env(su=True),
            "account_dunning",
            "demo/account_dunning_demo.xml",
            {},
            mode="init",
            kind="demo",
        )
        return True

    def test_demo_customers_get_one_email_a_day(self):
        # Café de la Gare owes invoices at two steps, Bistrot du Port one
        # overdue and one due soon: one email each.
        self.load_demo()
        env = self.env(su=True)
        customers = env["res.partner"].browse(
            [
                env.ref(f"account_dunning.demo_partner_{name}").id
                for name in ("bistrot", "atelier", "boulangerie", "garage", "librairie", "cafe")
            ]
        )
        env["account.dunning.run"]._cron_run_dunning()
        mails = env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "in", customers.ids)]
        )
        counts = {
            partner.name: len(mails.filtered(lambda m, p=partner: m.res_id == p.id))
            for partner in customers
        }
        self.assertEqual(counts["Bistrot du Port"], 1, counts)
        self.assertEqual(counts["Café de la Gare"], 1, counts)
        self.assertLessEqual(max(counts.values()), 1, counts)

    def test_demo_data_is_a_french_company_ending_with_a_formal_notice(self):
        french = self.load_demo()
        # The demo company is not the test user's: read it as superuser.
        env = self.env(su=True)
        company = env.ref("base.main_company")
        self.assertEqual(company.country_id, env.ref("base.fr"))
        self.assertEqual(company.city, "Lyon")
        self.assertTrue(company.company_registry)
        self.assertTrue(company.partner_id.bank_ids, "bank details on statements and notices")
        steps = env.ref("account_dunning.dunning_sequence_default").step_ids
        self.assertEqual(steps.sorted("offset_days")[-1].channel, "formal_notice")
        # Customers in French and in English.
        self.assertEqual(
            env.ref("account_dunning.demo_partner_garage").lang, "fr_FR" if french else "en_US"
        )
        self.assertEqual(env.ref("account_dunning.demo_partner_bistrot").lang, "en_US")
        self.assertTrue(env.ref("account_dunning.demo_invoice_paused").dunning_paused)
        self.assertIn(
            env.ref("account_dunning.demo_invoice_paid").payment_state, ("paid", "in_payment")
        )

    def test_demo_sequences_and_steps_are_named_in_both_languages(self):
        self.load_demo()
        # French installed before or after the demo, as here: its terms apply.
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        names = {
            xmlid: tuple(
                self.env.ref(f"account_dunning.{xmlid}").sudo().with_context(lang=lang).name
                for lang in ("en_US", "fr_FR")
            )
            for xmlid in (
                "dunning_sequence_default",
                "demo_step_formal_notice",
                "demo_sequence_key_accounts",
                "demo_step_key_accounts_reminder",
                "demo_step_key_accounts_call",
            )
        }
        self.assertEqual(
            names,
            {
                "dunning_sequence_default": ("Standard Reminders", "Relances standard"),
                "demo_step_formal_notice": ("Formal Notice", "Mise en demeure"),
                "demo_sequence_key_accounts": ("Key accounts", "Grands comptes"),
                "demo_step_key_accounts_reminder": ("Reminder", "Relance"),
                "demo_step_key_accounts_call": (
                    "Account manager call",
                    "Appel du chargé de clientèle",
                ),
            },
        )

    def test_a_new_companys_sequence_is_named_in_both_languages(self):
        company = self.env["res.company"].create({"name": "Second company"})
        sequence = (
            self.env["account.dunning.sequence"].sudo().search([("company_id", "=", company.id)])
        )
        self.assertEqual(sequence.with_context(lang="en_US").name, "Standard Reminders")
        self.assertEqual(sequence.with_context(lang="fr_FR").name, "Relances standard")
        self.assertEqual(
            sequence.step_ids.sorted("offset_days")[:1].with_context(lang="fr_FR").name,
            "Prévenance",
        )

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
