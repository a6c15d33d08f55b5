# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDunningTour(HttpCase):
    """The accountant's screens in a real Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.company.email = "billing@company.example.com"
        cls.sequence = cls.env["account.dunning.sequence"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        )
        # No invoice PDF: the tour is about the screens.
        cls.sequence.step_ids.attach_invoice = False
        # The first page compiles the web client's assets, which on a loaded
        # 2-core machine can outlast the tour's first readiness check (10 s):
        # compile them before Chromium asks for them.
        QWeb = cls.env["ir.qweb"]
        for bundle in ("web.assets_web", "web.assets_tests"):
            assets = QWeb._get_asset_bundle(bundle)
            assets.css()
            assets.js()
        cls.customer_a = cls._create_customer("Tour Customer A")
        cls.customer_b = cls._create_customer("Tour Customer B")
        cls.customer_c = cls._create_customer("Tour Customer C")
        today = fields.Date.context_today(cls.env.user)
        cls.invoice_a1 = cls._create_invoice(cls.customer_a, today - timedelta(days=20), 1100)
        cls.invoice_a2 = cls._create_invoice(cls.customer_a, today - timedelta(days=5), 1200)
        cls.invoice_b = cls._create_invoice(cls.customer_b, today - timedelta(days=10), 1300)
        cls.invoice_c = cls._create_invoice(cls.customer_c, today - timedelta(days=3), 1400)

    @classmethod
    def _create_customer(cls, name):
        slug = name.lower().replace(" ", ".")
        return cls.env["res.partner"].create(
            {"name": name, "is_company": True, "email": f"{slug}@example.com"}
        )

    @classmethod
    def _create_invoice(cls, partner, due, amount):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": cls.company.id,
                "partner_id": partner.id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def test_accountant_tour(self):
        self.start_tour(
            "/odoo/action-account_dunning.account_dunning_sequence_action",
            "account_dunning_tour",
            login="admin",
            timeout=180,
        )
        sequence = self.env["account.dunning.sequence"].search([("name", "=", "Tour Sequence")])
        self.assertEqual(sequence.reminder_step_ids.mapped("offset_days"), [5])
        self.assertEqual(
            sequence.reminder_step_ids.mail_template_id,
            self.env.ref("account_dunning.mail_template_dunning_reminder1"),
        )

        self.assertFalse(self.invoice_b.dunning_paused)
        tracked = self.invoice_b.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "dunning_pause_reason"
        )
        self.assertIn("Disputed delivery", tracked.mapped("old_value_char"))

        invoices = self.invoice_a1 | self.invoice_a2 | self.invoice_b
        events = invoices.dunning_event_ids
        self.assertEqual(len(events), 3)
        self.assertEqual(set(events.mapped("state")), {"queued"})
        self.assertFalse(self.invoice_c.dunning_event_ids)
        mails = events.mail_id
        self.assertEqual(len(mails), 2, "one email per customer")
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        mail_a = mails.filtered(lambda mail: mail.subject == "Tour subject")
        self.assertEqual(mail_a.recipient_ids, self.customer_a)
        self.assertIn(self.invoice_a2.name, mail_a.body_html)
        self.assertEqual(mail_a.model, "res.partner")

    def test_dunning_user_workspace_tour(self):
        user = self.env["res.users"].create(
            {
                "name": "Dora Dunning",
                "login": "dora",
                "password": "dora-dunning-2026",
                "email": "dora@company.example.com",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("account.group_account_invoice").id,
                            self.env.ref("account_dunning.group_account_dunning_user").id,
                        ]
                    )
                ],
            }
        )
        self.assertFalse(user.has_group("base.group_system"))
        # Today's run stopped with reminders due: the workspace says so.
        cron = self.env.ref("account_dunning.ir_cron_run_dunning")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        cron.nextcall = fields.Datetime.now() + timedelta(days=1)
        self.start_tour(
            "/odoo/action-account_dunning.account_dunning_customer_action",
            "account_dunning_workspace_tour",
            login="dora",
            password="dora-dunning-2026",
            timeout=180,
        )
        events = (self.invoice_a1 | self.invoice_a2).dunning_event_ids
        self.assertEqual(set(events.mapped("state")), {"queued"})
        self.assertEqual(events.user_id, user)
        self.assertFalse(self.invoice_b.dunning_event_ids)


@tagged("post_install", "-at_install")
class TestCustomerTour(HttpCase):
    """The customer's page in a real Chromium, without login."""

    def test_customer_tour(self):
        company = self.env.ref("base.main_company")
        customer = self.env["res.partner"].create(
            {"name": "Tour Payer", "is_company": True, "email": "payer@example.com"}
        )
        today = fields.Date.context_today(self.env.user)
        invoices = self.env["account.move"]
        for label, amount in (("Tour Dispute", 1200), ("Tour Promise", 800)):
            invoices |= self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": customer.id,
                    "invoice_date": today - timedelta(days=40),
                    "invoice_date_due": today - timedelta(days=10),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": label, "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        invoices.action_post()
        url = self.env["account.dunning.portal"]._get_customer_page_url(customer, company)
        self.start_tour(url, "account_dunning_customer_tour", timeout=180)
        disputed, promised = invoices.sorted("id")
        self.assertEqual(
            disputed.dunning_dispute_reason_id,
            self.env.ref("account_dunning.dispute_reason_amount"),
        )
        self.assertFalse(promised.dunning_dispute_reason_id)
        self.assertTrue(promised.dunning_paused)
        # Ten days from the browser's today, which may be a day off the
        # server's around midnight.
        self.assertLessEqual(
            abs((promised.dunning_pause_until - today - timedelta(days=10)).days), 1
        )


@tagged("post_install", "-at_install")
class TestPromiseTour(HttpCase):
    """One voice, in a real Chromium: the customer promises from its page,
    a Dunning User working in French sees the promise in the workspace and
    cannot print the formal notice that was waiting."""

    def test_promise_shows_in_the_workspace_and_stops_the_formal_notice(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        company = self.env.ref("base.main_company")
        new_test_user(
            self.env,
            login="claire_promise",
            password="claire-promise-2026",
            name="Claire Promesse",
            lang="fr_FR",
            company_id=company.id,
            groups="account.group_account_invoice,account_dunning.group_account_dunning_user",
        )
        sequence = self.env["account.dunning.sequence"].create(
            {
                "name": "Tour Formal Notice",
                "company_id": company.id,
                "step_ids": [
                    Command.create(
                        {"name": "Mise en demeure", "offset_days": 30, "channel": "formal_notice"}
                    )
                ],
            }
        )
        customer = self.env["res.partner"].create(
            {
                "name": "Client Promesse",
                "is_company": True,
                "email": "promesse@example.com",
                "lang": "fr_FR",
                "street": "1 rue de la Paix",
                "zip": "69001",
                "city": "Lyon",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        customer.with_company(company).dunning_sequence_id = sequence
        today = fields.Date.context_today(self.env.user)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": customer.id,
                "invoice_date": today - timedelta(days=70),
                "invoice_date_due": today - timedelta(days=40),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Tour", "quantity": 1, "price_unit": 900, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        self.env["account.dunning.run"]._cron_run_dunning()
        notice = invoice.dunning_event_ids
        self.assertEqual((notice.channel, notice.state), ("formal_notice", "pending"))
        self.assertEqual(invoice.dunning_status, "letter")
        url = self.env["account.dunning.portal"]._get_customer_page_url(customer, company)
        self.start_tour(url, "account_dunning_promise_tour", timeout=180)
        self.assertEqual(invoice.dunning_status, "promise")
        self.start_tour(
            "/odoo/action-account_dunning.account_dunning_customer_action",
            "account_dunning_promise_workspace_tour",
            login="claire_promise",
            password="claire-promise-2026",
            timeout=180,
        )
        self.start_tour(
            "/odoo/action-account_dunning.account_dunning_event_action_letters",
            "account_dunning_promise_letters_tour",
            login="claire_promise",
            password="claire-promise-2026",
            timeout=180,
        )
        self.env.invalidate_all()
        self.assertEqual(notice.state, "pending", "waits for the promise to end")
        self.assertIn("promis de payer", notice.note)
