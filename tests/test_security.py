# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

import psycopg2

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import _as_validation_error
from odoo.tests import Form, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.account_dunning.hooks import post_init_hook

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestSecurity(DunningCase):
    """Who may change the dunning history, the dunning of invoices and of
    customers, and who gets the dunning work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.create_accountant()
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.dunning_manager = new_test_user(
            cls.env,
            login="dunning_boss",
            groups="account_dunning.group_account_dunning_manager",
            **company,
        )
        cls.billing = new_test_user(
            cls.env,
            login="billing_clerk",
            groups="account.group_account_invoice,base.group_partner_manager",
            **company,
        )
        cls.dunning_contact_user = new_test_user(
            cls.env,
            login="dunning_contacts",
            groups="account_dunning.group_account_dunning_user,base.group_partner_manager",
            **company,
        )
        cls.contact_user = new_test_user(
            cls.env,
            login="contact_keeper",
            groups="base.group_user,base.group_partner_manager",
            **company,
        )
        cls.default_responsible = new_test_user(
            cls.env,
            login="dora",
            name="Dora Default",
            email="dora@company.example.com",
            groups="account_dunning.group_account_dunning_user",
            **company,
        )
        cls.odoobot = cls.env.ref("base.user_root")

    def event_vals(self, invoice):
        return self.env["account.dunning.event"]._prepare_event_vals(
            invoice, self.step_reminder1, "sent", TODAY
        )

    # The dunning history is append-only -------------------------------------

    def test_dunning_user_cannot_rewrite_an_event(self):
        invoice = self.create_invoice(due=day(-1), amount=500)
        self.run_dunning()
        event = self.events(invoice).with_user(self.accountant)
        self.assertEqual(event.state, "queued")
        for vals in ({"state": "failed"}, {"note": "Never sent"}, {"amount_residual": 1.0}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "cannot be edited"):
                event.write(vals)
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.amount_residual, 500)

    def test_dunning_manager_cannot_create_write_or_delete_events(self):
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice).with_user(self.dunning_manager)
        Event = self.env["account.dunning.event"].with_user(self.dunning_manager)
        with self.assertRaisesRegex(AccessError, "cannot be edited"):
            Event.create(self.event_vals(invoice))
        with self.assertRaisesRegex(AccessError, "cannot be edited"):
            event.write({"state": "skipped"})
        with self.assertRaisesRegex(AccessError, "cannot be edited"):
            event.unlink()
        self.assertEqual(self.events(invoice), event)
        self.assertEqual(event.state, "queued")

    def test_no_user_has_write_rights_on_events(self):
        Event = self.env["account.dunning.event"]
        for user in (self.accountant, self.dunning_manager):
            for operation in ("write", "create", "unlink"):
                with self.subTest(user=user.login, operation=operation):
                    self.assertFalse(Event.with_user(user).has_access(operation))

    def test_dunning_user_approves_rejects_and_marks_sent(self):
        self.step_reminder1.auto = False
        approved, rejected, posted = (
            self.create_invoice(due=day(-1)),
            self.create_invoice(due=day(-1), partner=self.customer_b),
            self.create_invoice(due=day(-2)),
        )
        self.run_dunning()
        Event = self.env["account.dunning.event"].with_user(self.accountant)
        with freeze_time(TODAY):
            Event.browse(self.events(approved).ids).action_approve()
            Event.browse(self.events(rejected).ids).action_reject()
            Event.browse(self.events(posted).ids).action_mark_sent()
        self.assertEqual(self.events(approved).state, "queued")
        self.assertEqual(self.events(approved).user_id, self.accountant)
        self.assertEqual(self.events(rejected).state, "skipped")
        self.assertIn("Rejected by Alice Accountant", self.events(rejected).note)
        self.assertEqual(self.events(posted).state, "sent")
        self.assertEqual((approved | rejected | posted).dunning_step_id, self.step_reminder1)

    def call_activity(self, invoice):
        self.run_dunning()
        event = self.events(invoice).filtered(lambda event: event.channel == "phone")
        self.assertTrue(event.activity_id)
        return event

    def test_dunning_user_records_a_promise_to_pay(self):
        invoice = self.create_invoice(due=day(-30))
        event = self.call_activity(invoice)
        activity = event.activity_id.with_user(self.accountant)
        activity.write({"dunning_call_outcome": "promise", "dunning_promise_date": day(12)})
        with freeze_time(TODAY):
            activity.action_feedback(feedback="Pays on the 22nd.")
        self.assertEqual(event.call_outcome, "promise")
        self.assertIn("Pays on the 22nd.", event.note)
        self.assertTrue(invoice.dunning_paused)
        self.assertEqual(invoice.dunning_pause_until, day(12))

    def test_billing_user_cannot_record_a_call_outcome(self):
        invoice = self.create_invoice(due=day(-30))
        event = self.call_activity(invoice)
        activity = event.activity_id.with_user(self.billing)
        activity.write({"dunning_call_outcome": "promise", "dunning_promise_date": day(12)})
        with freeze_time(TODAY), self.assertRaisesRegex(UserError, "Only Dunning Users"):
            activity.action_done()
        self.assertFalse(event.call_outcome)
        self.assertFalse(invoice.dunning_paused)
        self.assertTrue(event.activity_id.exists())

    # The dunning of invoices changes through the actions only -------------

    def test_dunning_fields_of_invoices_cannot_be_written(self):
        invoice = self.create_invoice(due=day(-20))
        self.run_dunning()
        self.assertEqual(invoice.dunning_step_id, self.step_reminder2)
        for vals in (
            {"dunning_step_id": self.step_notice.id},
            {"dunning_step_id": False},
            {"dunning_paused": True},
            {"dunning_pause_until": day(30)},
            {"dunning_sequence_id": False},
            {"dunning_start_date": TODAY},
            {"dunning_last_failed": True},
            {"dunning_next_date": day(100)},
            {"ref": "PO 42", "dunning_step_id": False},
        ):
            for user in (self.accountant, self.dunning_manager):
                with (
                    self.subTest(vals=vals, user=user.login),
                    self.assertRaisesRegex(AccessError, "only through its actions"),
                ):
                    invoice.with_user(user).write(vals)
        self.assertEqual(invoice.dunning_step_id, self.step_reminder2)
        self.assertFalse(invoice.dunning_paused)
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        self.assertFalse(invoice.ref)

    def test_invoices_cannot_be_created_with_dunning_fields(self):
        vals = {
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "dunning_step_id": self.step_reminder2.id,
        }
        with self.assertRaisesRegex(AccessError, "only through its actions"):
            self.env["account.move"].with_user(self.accountant).create(vals)

    def test_invoices_stay_editable_and_the_actions_work(self):
        invoice = self.create_invoice(due=day(-1))
        as_accountant = invoice.with_user(self.accountant)
        as_accountant.write({"ref": "PO 42"})
        self.assertEqual(invoice.ref, "PO 42")
        as_accountant.action_dunning_pause(reason="Dispute")
        self.assertTrue(invoice.dunning_paused)
        as_accountant.action_dunning_resume()
        self.assertFalse(invoice.dunning_paused)
        with freeze_time(TODAY):
            as_accountant.action_dunning_send_now()
        # The step the run would send today.
        self.assertEqual(invoice.dunning_step_id, self.step_reminder1)
        as_accountant.action_dunning_skip_to(self.step_call)
        self.assertEqual(invoice.dunning_step_id, self.step_reminder2)

    # The dunning of customers is for Dunning Users --------------------------

    def test_only_dunning_users_change_the_dunning_of_customers(self):
        special = self.sequence.copy({"name": "Special"})
        for vals in (
            {"dunning_excluded": True},
            {"dunning_sequence_id": special.id},
            {"dunning_responsible_id": self.contact_user.id},
        ):
            for user in (self.contact_user, self.billing):
                with self.subTest(vals=vals, user=user.login), self.assertRaises(AccessError):
                    self.customer.with_user(user).write(vals)
        self.assertFalse(self.customer.dunning_excluded)
        self.customer_b.with_user(self.dunning_contact_user).write(
            {
                "dunning_excluded": True,
                "dunning_sequence_id": special.id,
                "dunning_responsible_id": self.accountant.id,
            }
        )
        self.assertTrue(self.customer_b.dunning_excluded)
        self.assertEqual(self.customer_b.dunning_sequence_id, special)
        self.assertEqual(self.customer_b.dunning_responsible_id, self.accountant)

    def test_partner_form_opens_and_saves_without_the_dunning_group(self):
        for user in (self.contact_user, self.billing):
            with self.subTest(user=user.login):
                with Form(self.customer_b.with_user(user)) as form:
                    form.phone = f"+33 4 00 00 00 0{user.id % 10}"
                self.assertEqual(self.customer_b.phone, f"+33 4 00 00 00 0{user.id % 10}")
        with Form(self.customer_b.with_user(self.dunning_contact_user)) as form:
            form.dunning_excluded = True
        self.assertTrue(self.customer_b.dunning_excluded)

    # Steps stay within ten years of the due date --------------------------

    def test_offset_days_are_bounded(self):
        for offset in (3_000_000, 2_147_483_647, 3651, -3651, -2_147_483_648):
            with self.subTest(offset=offset), self.assertRaisesRegex(ValidationError, "3650"):
                self.step_call.offset_days = offset
        self.step_call.offset_days = 3650
        self.step_notice.offset_days = -3650
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        self.assertEqual(self.events(invoice).step_id, self.step_reminder1)

    def test_payment_delay_is_bounded(self):
        for delay in (-1, 3651, 3_000_000):
            with self.subTest(delay=delay), self.assertRaisesRegex(ValidationError, "3650"):
                self.step_call.payment_delay_days = delay
        self.step_call.payment_delay_days = 0
        self.step_call.payment_delay_days = 3650

    def assert_sql_refuses(self, error, query, *params):
        """``query`` is refused by the database, at the latest at commit."""
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(error):
            self.env.cr.execute(query, params)
            self.env.cr.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def test_database_bounds_offsets_and_delays(self):
        update = "UPDATE account_dunning_step SET {} = %s WHERE id = %s"
        for value in (3651, -3651, 3_000_000):
            with self.subTest(offset=value):
                self.assert_sql_refuses(
                    psycopg2.errors.CheckViolation,
                    update.format("offset_days"),
                    value,
                    self.step_call.id,
                )
        for value in (-1, 3651):
            with self.subTest(delay=value):
                self.assert_sql_refuses(
                    psycopg2.errors.CheckViolation,
                    update.format("payment_delay_days"),
                    value,
                    self.step_call.id,
                )

    def test_step_created_beyond_ten_years_is_refused_clearly(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError) as catcher:
            self.env["account.dunning.step"].create(
                {
                    "sequence_id": self.sequence.id,
                    "name": "Far away",
                    "offset_days": 3_000_000,
                    "channel": "phone",
                }
            )
        # What the user sees of it.
        error = _as_validation_error(self.env, catcher.exception)
        self.assertIn("at most 3650 days before or after the due date", str(error))

    def test_database_refuses_two_steps_on_the_same_day(self):
        # Two people saving at the same time: the Python check of each save
        # cannot see the step of the other.
        self.assert_sql_refuses(
            psycopg2.errors.UniqueViolation,
            "UPDATE account_dunning_step SET offset_days = %s WHERE id = %s",
            self.step_reminder2.offset_days,
            self.step_call.id,
        )
        self.assert_sql_refuses(
            psycopg2.errors.UniqueViolation,
            "INSERT INTO account_dunning_step (sequence_id, name, offset_days, channel)"
            " VALUES (%s, '{\"en_US\": \"Twin\"}', %s, 'phone')",
            self.sequence.id,
            self.step_call.offset_days,
        )

    def test_other_sequences_may_use_the_same_day(self):
        other = self.sequence.copy({"name": "Other"})
        self.assertEqual(
            other.step_ids.mapped("offset_days"), self.sequence.step_ids.mapped("offset_days")
        )

    # Dunning work goes to a person who can do it ----------------------------

    def test_failures_and_calls_go_to_the_default_responsible_not_odoobot(self):
        self.company.dunning_responsible_id = self.default_responsible
        self.customer_b.email = False
        failed = self.create_invoice(partner=self.customer_b, due=day(-1))
        called = self.create_invoice(partner=self.customer_b, due=day(-30))
        (failed | called).invoice_user_id = self.odoobot
        self.run_dunning()
        failure = self.events(failed)
        self.assertEqual(failure.state, "failed")
        self.assertEqual(failure.activity_id.user_id, self.default_responsible)
        call = self.events(called)
        self.assertEqual(call.step_id, self.step_call)
        self.assertEqual(call.activity_id.user_id, self.default_responsible)
        self.assertEqual(failed.dunning_responsible_id, self.default_responsible)
        work = self.env["account.dunning.event"]._get_digest_work()
        self.assertEqual(work[self.default_responsible]["failures"], failure)
        self.assertEqual(work[self.default_responsible]["calls"], call)
        self.assertNotIn(self.odoobot, work)

    def test_responsible_skips_archived_portal_and_bot_users(self):
        archived = new_test_user(self.env, login="gone", groups="base.group_user")
        archived.active = False
        portal = new_test_user(self.env, login="client", groups="base.group_portal")
        invoice = self.create_invoice(partner=self.customer_b, due=day(-1))
        invoice.invoice_user_id = self.odoobot
        self.customer_b.write({"dunning_responsible_id": archived.id, "user_id": portal.id})
        self.company.dunning_responsible_id = self.default_responsible
        Move = self.env["account.move"]
        scope = [("id", "=", invoice.id)]
        for user in (archived, portal, self.odoobot):
            self.assertFalse(user._dunning_is_valid_responsible())
            self.assertFalse(Move.search([*scope, ("dunning_responsible_id", "=", user.id)]))
        self.assertEqual(invoice._get_dunning_responsible(), self.default_responsible)
        self.assertEqual(invoice.dunning_responsible_id, self.default_responsible)
        self.assertEqual(
            Move.search([*scope, ("dunning_responsible_id", "=", self.default_responsible.id)]),
            invoice,
        )
        # Then the salesperson of the customer, as soon as it is valid.
        self.customer_b.user_id = self.salesperson
        invoice.invalidate_recordset(["dunning_responsible_id"])
        self.assertEqual(invoice._get_dunning_responsible(), self.salesperson)
        self.assertEqual(invoice.dunning_responsible_id, self.salesperson)
        self.assertEqual(
            Move.search([*scope, ("dunning_responsible_id", "in", [self.salesperson.id])]),
            invoice,
        )

    def test_without_default_responsible_an_accounting_manager_gets_the_work(self):
        manager = new_test_user(
            self.env,
            login="max_manager",
            groups="account.group_account_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.company.dunning_responsible_id = False
        invoice = self.create_invoice(partner=self.customer_b, due=day(-1))
        invoice.invoice_user_id = self.odoobot
        responsible = invoice._get_dunning_responsible()
        self.assertTrue(responsible)
        self.assertTrue(responsible._dunning_is_valid_responsible())
        self.assertTrue(responsible.has_group("account.group_account_manager"))
        self.assertIn(self.company, responsible.company_ids)
        # The oldest manager of the company, whoever else is.
        self.assertLessEqual(responsible.id, manager.id)
        self.assertEqual(invoice.dunning_responsible_id, responsible)
        self.assertEqual(
            self.env["account.move"].search(
                [("id", "=", invoice.id), ("dunning_responsible_id", "=", responsible.id)]
            ),
            invoice,
        )

    def test_install_gives_companies_a_default_responsible(self):
        self.company.dunning_responsible_id = False
        post_init_hook(self.env)
        responsible = self.company.dunning_responsible_id
        self.assertTrue(responsible)
        self.assertTrue(responsible._dunning_is_valid_responsible())
        self.assertTrue(responsible.has_group("account.group_account_manager"))
        self.assertIn(self.company, responsible.company_ids)

    def test_settings_require_a_default_responsible(self):
        settings = self.env["res.config.settings"].with_company(self.company)
        form = Form(settings.create({}))
        self.assertTrue(form.dunning_active)
        form.dunning_responsible_id = self.env["res.users"]
        with self.assertRaisesRegex(AssertionError, "dunning_responsible_id"):
            form.save()
        form.dunning_responsible_id = self.default_responsible
        form.save()

    # Pausing needs a date -----------------------------------------------------

    def test_pause_until_something_else_than_a_date_is_a_clear_error(self):
        invoice = self.create_invoice(due=day(-1)).with_user(self.accountant)
        for until in ("garbage", "2026-13-45", 12345, ["2026-04-01"], {"day": 1}):
            with self.subTest(until=until), self.assertRaisesRegex(UserError, "must be a date"):
                invoice.action_dunning_pause(until=until, reason="Dispute")
        self.assertFalse(invoice.dunning_paused)
        with freeze_time(TODAY):
            invoice.action_dunning_pause(until="2026-04-01", reason="Dispute")
        self.assertEqual(invoice.dunning_pause_until, day(22))
