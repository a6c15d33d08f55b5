# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import TODAY, AccountantCase


@tagged("post_install", "-at_install")
class TestScreens(AccountantCase):
    """What the accountant's screens show and the actions they offer."""

    # Dunning list -------------------------------------------------------

    def test_dunning_list_shows_who_to_chase(self):
        overdue = self.create_invoice(due=TODAY - timedelta(days=12))
        not_due = self.create_invoice(partner=self.customer_b, due=TODAY + timedelta(days=3))
        paid = self.create_invoice(due=TODAY - timedelta(days=2))
        self.pay(paid)
        self.run_dunning()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_move_dunning_action"
        )
        with freeze_time(TODAY):
            moves = self.env["account.move"].search(
                safe_eval(action["domain"]) + [("id", "in", (overdue | not_due | paid).ids)]
            )
            self.assertEqual(moves, overdue | not_due)
            self.assertEqual(overdue.dunning_days_overdue, 12)
            self.assertEqual(not_due.dunning_days_overdue, 0)
        self.assertEqual(overdue.dunning_step_id, self.step_reminder1)
        self.assertEqual(overdue.dunning_next_step_id, self.step_reminder2)
        self.assertEqual(overdue.dunning_next_date, TODAY + timedelta(days=2))

    def test_excluded_customer_has_no_next_step(self):
        invoice = self.create_invoice(due=TODAY + timedelta(days=10))
        self.assertEqual(invoice.dunning_next_step_id, self.step_notice)
        self.customer.dunning_excluded = True
        self.assertFalse(invoice.dunning_next_step_id)
        self.assertFalse(invoice.dunning_next_date)
        self.customer.dunning_excluded = False
        self.assertEqual(invoice.dunning_next_date, TODAY + timedelta(days=2))

    def test_dunning_list_filters(self):
        overdue = self.create_invoice(due=TODAY - timedelta(days=3))
        this_week = self.create_invoice(partner=self.customer_b, due=TODAY + timedelta(days=2))
        next_month = self.create_invoice(partner=self.customer_b, due=TODAY + timedelta(days=30))
        paused = self.create_invoice(due=TODAY - timedelta(days=1))
        paused.action_dunning_pause(reason="Dispute")
        all_moves = overdue | this_week | next_month | paused
        self.customer_b.email = False
        self.run_dunning(TODAY + timedelta(days=1))
        search = self.env["account.move"].search
        scope = [("id", "in", all_moves.ids)]
        self.assertEqual(search(scope + [("dunning_paused", "=", True)]), paused)
        # Customer B has no email: its reminder failed.
        self.assertEqual(search(scope + [("dunning_last_failed", "=", True)]), this_week)
        self.customer.dunning_responsible_id = self.salesperson
        self.assertEqual(
            search(scope + [("dunning_responsible_id", "=", self.salesperson.id)]),
            overdue | paused,
        )
        self.customer_b.dunning_responsible_id = self.accountant
        self.assertEqual(
            search(scope + [("dunning_responsible_id", "=", self.accountant.id)]),
            this_week | next_month,
        )
        self.assertEqual(
            search(scope + [("dunning_sequence_id", "=", self.sequence.id)]), all_moves
        )

    def test_dunning_list_views_load(self):
        # The views the menu's action opens, loaded as the web client does,
        # each with the columns, measures and filters the accountant works with.
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_move_dunning_action"
        )
        views = (
            self.env["account.move"]
            .with_user(self.accountant)
            .get_views(action["views"] + [[action["search_view_id"][0], "search"]])["views"]
        )
        expected = {
            "list": {
                "name",
                "commercial_partner_id",
                "invoice_date_due",
                "dunning_days_overdue",
                "amount_residual_signed",
                "dunning_status",
                "dunning_upcoming_step_id",
                "dunning_upcoming_date",
            },
            "search": {"overdue", "due_this_week", "to_remind", "paused", "failed"},
            "pivot": {"commercial_partner_id", "dunning_next_step_id", "amount_residual_signed"},
            "graph": {"dunning_next_step_id", "amount_residual_signed"},
        }
        for view_type, names in expected.items():
            view = views[view_type]
            self.assertEqual(
                view["id"],
                self.env.ref(f"account_dunning.account_move_dunning_view_{view_type}").id,
            )
            arch = etree.fromstring(view["arch"])
            self.assertEqual(arch.tag, view_type)
            self.assertLessEqual(
                names, {node.get("name") for node in arch.iter("field", "filter")}, view_type
            )
        groups = (
            self.env["account.move"]
            .with_user(self.accountant)
            ._read_group(
                [("id", "in", self.create_invoice().ids)],
                ["dunning_next_step_id"],
                ["amount_residual_signed:sum"],
            )
        )
        self.assertEqual(groups, [(self.step_notice, 1000.0)])

    # Sequence form ------------------------------------------------------

    def test_sequence_form_warns_before_the_save_is_refused(self):
        form = Form(self.env["account.dunning.sequence"])
        form.name = "Strict"
        with form.step_ids.new() as step:
            step.name = "First"
            step.offset_days = 5
            step.channel = "phone"
        with form.step_ids.new() as step:
            step.name = "Second"
            step.offset_days = 5
            step.channel = "phone"
        self.assertIn("First, Second", form.step_warning)
        self.assertIn("D+5", form.step_warning)
        with self.assertRaisesRegex(ValidationError, "both on D\\+5"):
            form.save()

    def test_sequence_warns_of_email_step_without_template(self):
        sequence = self.env["account.dunning.sequence"].new(
            {
                "name": "No template",
                "step_ids": [Command.create({"name": "Mail", "channel": "email"})],
            }
        )
        self.assertIn("The email step Mail needs an email template.", sequence.step_warning)
        self.assertFalse(self.sequence.step_warning)

    def test_sequence_lists_its_customers(self):
        strict = self.env["account.dunning.sequence"].create(
            {"name": "Strict", "company_id": self.company.id}
        )
        self.customer_b.dunning_sequence_id = strict
        self.assertEqual(strict.partner_ids, self.customer_b)
        self.assertEqual(strict.partner_count, 1)
        action = strict.action_open_partners()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.customer_b)

    def test_step_form_says_what_the_step_decides_instead_of_its_template(self):
        view = self.env.ref("account_dunning.account_dunning_step_view_form")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        for lang, texts in (
            ("en_US", ("invoice contacts", "To, default recipients and Dynamic Reports")),
            ("fr_FR", ("contacts de facturation", "Destinataires par défaut et Rapports")),
        ):
            Step = self.env["account.dunning.step"].with_context(lang=lang)
            note = etree.fromstring(Step.get_view(view.id)["arch"]).find(
                ".//div[@name='mail_template_note']"
            )
            for text in texts:
                self.assertIn(text, note.text)
            # Beside the template, for the email steps only.
            self.assertEqual(note.getprevious().get("name"), "mail_template_id")
            self.assertEqual(note.get("invisible"), "channel != 'email'")

    def test_step_opens_its_template(self):
        action = self.step_reminder1.action_open_mail_template()
        self.assertEqual(action["res_id"], self.template_reminder1.id)

    # Partner form -------------------------------------------------------

    def test_partner_smart_buttons(self):
        late = self.create_invoice(due=TODAY - timedelta(days=10), amount=700)
        later = self.create_invoice(due=TODAY - timedelta(days=1), amount=300)
        self.create_invoice(due=TODAY + timedelta(days=5), amount=50)
        self.run_dunning()
        partner = self.as_accountant(self.customer)
        with freeze_time(TODAY):
            partner.invalidate_recordset()
            self.assertEqual(partner.dunning_overdue_count, 2)
            self.assertEqual(partner.dunning_overdue_amount, 1000.0)
            action = partner.action_open_dunning_overdue()
        self.assertEqual(action["context"], {"search_default_overdue": 1})
        self.assertEqual(
            self.env["account.move"].search(action["domain"] + [("invoice_date_due", "<", TODAY)]),
            late | later,
        )
        # A contact of the customer shows the customer's figures.
        contact = self.env["res.partner"].create({"name": "Paul", "parent_id": self.customer.id})
        with freeze_time(TODAY):
            self.assertEqual(self.as_accountant(contact).dunning_overdue_count, 2)
        self.assertEqual(partner.dunning_event_count, 3)
        history = self.env["account.dunning.event"].search(
            partner.action_open_dunning_events()["domain"]
        )
        self.assertEqual(len(history), 3)
        self.assertEqual(history.partner_id, self.customer)

    # Invoice form -------------------------------------------------------

    def test_timeline_links_to_the_email_and_the_activity(self):
        invoice = self.create_invoice(due=TODAY - timedelta(days=1))
        self.run_dunning()
        self.run_dunning(TODAY + timedelta(days=29))
        events = self.as_accountant(invoice).dunning_event_ids
        email, call = events.sorted("date")
        self.assertEqual(email.email_subject, email.message_id.subject)
        self.assertIn(invoice.name, email.email_body)
        self.assertEqual(call.activity_state, call.activity_id.summary)
        call.activity_id.action_done()
        call.invalidate_recordset()
        self.assertEqual(call.activity_state, "Done")
