# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from lxml import etree

from odoo.tests import freeze_time, tagged

from ..hooks import post_init_hook
from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestAccountantScreens(DunningCase):
    """How the accountant finds and reads the dunning screens."""

    def test_dunning_menus_are_grouped(self):
        root = self.env.ref("account_dunning.account_dunning_menu_root")
        self.assertEqual(root.parent_id, self.env.ref("account.menu_finance"))
        for xmlid in (
            "account_dunning_customer_menu",
            "account_move_dunning_menu",
            "account_dunning_event_menu_letters",
            "account_dunning_event_menu",
            "account_dunning_plan_menu",
            "account_dunning_dashboard_menu",
            "account_dunning_kpi_menu",
        ):
            menu = self.env.ref(f"account_dunning.{xmlid}")
            self.assertEqual(menu.parent_id.parent_id, root, xmlid)
        configuration = self.env.ref("account.menu_finance_configuration")
        for xmlid in ("account_dunning_sequence_menu", "account_dunning_dispute_reason_menu"):
            menu = self.env.ref(f"account_dunning.{xmlid}")
            self.assertEqual(menu.parent_id.parent_id, configuration, xmlid)
            self.assertEqual(menu.parent_id.name, "Dunning")

    def test_workspace_and_invoice_list_have_distinct_titles(self):
        workspace = self.env.ref("account_dunning.account_dunning_customer_action")
        invoices = self.env.ref("account_dunning.account_move_dunning_action")
        self.assertNotEqual(workspace.name, invoices.name)

    def test_dashboard_breadcrumb_is_named(self):
        dashboard = self.env["account.dunning.dashboard"].create({})
        self.assertEqual(dashboard.display_name, "Dunning Dashboard")
        self.assertEqual(
            self.env["account.dunning.dashboard"].new({}).display_name, "Dunning Dashboard"
        )

    def test_send_toggle_is_the_first_column_of_the_wizard(self):
        # The last columns of a wide list are cut at the dialog's edge.
        arch = self.env["account.dunning.send"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        columns = etree.fromstring(arch).xpath(
            "//field[@name='line_ids']/list/field[not(@column_invisible)]"
        )
        self.assertEqual(columns[0].get("name"), "to_send")

    def test_default_sequence_counts_the_customers_following_it(self):
        self.create_invoice(due=day(-5))
        self.create_invoice(partner=self.customer_b, due=day(5))
        strict = self.env["account.dunning.sequence"].create(
            {"name": "Strict", "company_id": self.company.id}
        )
        self.customer_b.with_company(self.company).dunning_sequence_id = strict
        # Never invoiced: not a customer of the company yet.
        self.env["res.partner"].create({"name": "Prospect", "is_company": True})
        self.assertEqual(self.sequence.partner_ids, self.customer)
        self.assertEqual(self.sequence.partner_count, 1)
        self.assertEqual(strict.partner_ids, self.customer_b)

    def test_install_computes_the_payment_behaviour_of_the_book(self):
        late = self.create_invoice(due=day(-60), amount=1000)
        self.pay(late, day=day(-50))
        on_time = self.create_invoice(due=day(-30), amount=1000)
        self.pay(on_time, day=day(-31))
        with freeze_time(TODAY):
            post_init_hook(self.env)
        self.env.invalidate_all()
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.dunning_behaviour_count, 2)
        self.assertEqual(customer.dunning_on_time_rate, 50.0)
        self.assertEqual(customer.dunning_avg_days_late, 5.0)

    def test_customer_without_history_shows_no_data(self):
        self.create_invoice(due=day(5))
        with freeze_time(TODAY):
            self.env["res.partner"]._recompute_dunning_rules(self.company)
            line = self.env["account.dunning.customer"].search(
                [("partner_id", "=", self.customer.id)]
            )
        self.assertEqual(line.behaviour_count, 0)
        self.assertEqual(line.risk, "none")
        self.assertEqual(
            dict(line._fields["risk"]._description_selection(self.env))["none"], "No Data"
        )
