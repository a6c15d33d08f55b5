# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestWorkspace(DunningCase):
    """The customer workspace: who to chase today, what they owe, what was
    done and what comes next."""

    def workspace(self, partner=None, user=None):
        Customer = self.env["account.dunning.customer"]
        if user:
            Customer = Customer.with_user(user)
        with freeze_time(TODAY):
            # Read now: the workspace is computed as of the day it is read.
            Customer.invalidate_model()
            lines = Customer.search([("partner_id", "=", (partner or self.customer).id)])
            lines.read([name for name, field in Customer._fields.items() if field.store])
            return lines

    def test_one_line_per_customer_with_its_aging(self):
        # Due today is not overdue; 10, 45, 75 and 100 days late fall in the
        # 1-30, 31-60, 61-90 and over-90 buckets.
        self.create_invoice(due=day(0), amount=100)
        self.create_invoice(due=day(-10), amount=200)
        self.create_invoice(due=day(-45), amount=300)
        self.create_invoice(due=day(-75), amount=400)
        self.create_invoice(due=day(-100), amount=500)
        paid = self.create_invoice(due=day(-20), amount=600)
        self.pay(paid)
        self.create_invoice(partner=self.customer_b, due=day(-5), amount=700)
        line = self.workspace()
        self.assertEqual(len(line), 1)
        self.assertEqual(line.invoice_count, 5, "the paid invoice is not open")
        self.assertEqual(line.amount_due, 1500.0)  # 100 + 200 + 300 + 400 + 500
        self.assertEqual(line.amount_not_due, 100.0)
        self.assertEqual(line.amount_overdue, 1400.0)  # 200 + 300 + 400 + 500
        self.assertEqual(
            (line.amount_1_30, line.amount_31_60, line.amount_61_90, line.amount_over_90),
            (200.0, 300.0, 400.0, 500.0),
        )
        self.assertEqual(line.oldest_days_overdue, 100)
        self.assertEqual(line.currency_id, self.company.currency_id)
        self.assertEqual(line.responsible_id, self.salesperson)
        self.assertEqual(self.workspace(self.customer_b).amount_overdue, 700.0)

    def test_last_and_next_action(self):
        invoice = self.create_invoice(due=day(-3))
        self.run_dunning()
        line = self.workspace()
        self.assertEqual(line.last_date, TODAY)
        self.assertEqual(line.last_step_id, self.step_reminder1)
        self.assertEqual(line.last_channel, "email")
        self.assertEqual(line.next_step_id, self.step_reminder2)
        self.assertEqual(line.next_date, invoice.invoice_date_due + timedelta(days=14))
        self.assertEqual(line.next_channel, "email")
        self.assertEqual(line.status, "on_track")

    def test_action_needed_today_for_an_approval_or_a_call(self):
        self.step_reminder1.auto = False
        self.create_invoice(due=day(-3))
        self.create_invoice(partner=self.customer_b, due=day(-30))
        self.run_dunning()
        self.assertEqual(self.workspace().status, "approval", "a step waits for approval")
        self.assertEqual(self.workspace(self.customer_b).status, "action", "a call is due")

    def test_end_of_sequence_once_the_last_step_is_done(self):
        invoice = self.create_invoice(due=day(-30))
        self.run_dunning()
        call = self.events(invoice).activity_id
        self.assertTrue(call)
        with freeze_time(TODAY):
            call.action_done()
        line = self.workspace()
        self.assertFalse(line.next_date)
        self.assertEqual(line.status, "end", "overdue, no step left: escalate")

    def test_status_from_pause_exclusion_promise_and_dispute(self):
        paused = self.create_invoice(due=day(-3))
        with freeze_time(TODAY):
            paused.action_dunning_pause(reason="Waiting for a credit note")
        self.assertEqual(self.workspace().status, "paused")
        excluded = self.env["res.partner"].create(
            {"name": "Excluded", "is_company": True, "dunning_excluded": True}
        )
        self.create_invoice(partner=excluded, due=day(-3))
        self.assertEqual(self.workspace(excluded).status, "excluded")
        # A promise made on the phone, then broken.
        promised = self.create_invoice(partner=self.customer_b, due=day(-30))
        self.run_dunning()
        call = self.events(promised).activity_id
        call.write({"dunning_call_outcome": "promise", "dunning_promise_date": day(5)})
        with freeze_time(TODAY):
            call.action_done()
        self.assertEqual(self.workspace(self.customer_b).status, "promise")
        self.assertEqual(self.workspace(self.customer_b).status_until, day(5))
        self.run_dunning(day(6))
        with freeze_time(day(6)):
            line = self.env["account.dunning.customer"].search(
                [("partner_id", "=", self.customer_b.id)]
            )
            self.assertNotEqual(line.status, "promise", "promise broken")
        # A dispute told on the phone.
        disputing = self.env["res.partner"].create({"name": "Disputing", "is_company": True})
        disputed = self.create_invoice(partner=disputing, due=day(-30))
        self.run_dunning()
        call = self.events(disputed).activity_id
        call.write({"dunning_call_outcome": "dispute"})
        with freeze_time(TODAY):
            call.action_done()
        self.assertEqual(self.workspace(disputing).status, "dispute")

    def test_default_worklist_is_action_needed_and_end_of_sequence(self):
        action = self.env.ref("account_dunning.account_dunning_customer_action")
        self.assertEqual(
            safe_eval(action.context), {"search_default_action": 1, "search_default_end": 1}
        )
        menu = self.env.ref("account_dunning.account_dunning_customer_menu")
        siblings = menu.parent_id.child_id.sorted("sequence")
        self.assertEqual(siblings[0], menu, "first entry of the customers menu")

    def test_queries_do_not_grow_with_the_customers_shown(self):
        Customer = self.env["account.dunning.customer"]
        fields_list = ["partner_id", "status", "amount_due", "last_step_id", "next_step_id"]

        def count_queries():
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(TODAY):
                before = self.cr.sql_log_count
                rows = Customer.search_read([], fields_list)
                return self.cr.sql_log_count - before, len(rows)

        for index in range(3):
            partner = self.env["res.partner"].create({"name": f"First {index}"})
            self.create_invoice(partner=partner, due=day(-3 - index))
        count_queries()  # caches of access rules and record rules
        small, small_rows = count_queries()
        for index in range(12):
            partner = self.env["res.partner"].create({"name": f"Second {index}"})
            self.create_invoice(partner=partner, due=day(-3 - index))
        large, large_rows = count_queries()
        self.assertEqual(large_rows, small_rows + 12)
        self.assertTrue(small)
        self.assertEqual(large, small)

    def test_only_dunning_users_of_the_company_see_it(self):
        self.create_invoice(due=day(-3))
        accountant = self.create_accountant()
        self.assertEqual(len(self.workspace(user=accountant)), 1)
        with self.assertRaises(AccessError):
            self.workspace(user=self.salesperson)
        other = self.setup_other_company(name="Other Company")["company"]
        accountant.write({"company_ids": [(4, other.id)], "company_id": other.id})
        lines = (
            self.env["account.dunning.customer"]
            .with_user(accountant)
            .with_context(allowed_company_ids=other.ids)
        )
        with freeze_time(TODAY):
            self.assertFalse(lines.search([("partner_id", "=", self.customer.id)]))

    def test_workspace_says_when_todays_run_did_not_finish(self):
        self.create_invoice(due=day(-1))
        cron = self.env.ref("account_dunning.ir_cron_run_dunning")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        # Killed three times in a row, the run was pushed to tomorrow with
        # the reminders of today still due.
        cron.nextcall = datetime(2026, 3, 11, 5, 0)
        accountant = self.create_accountant()
        Customer = self.env["account.dunning.customer"].with_user(accountant)
        with freeze_time(datetime(2026, 3, 10, 6, 0)):
            self.assertIn("dunning run did not finish", Customer.get_run_warning())
            self.run_dunning()
            self.assertFalse(Customer.get_run_warning(), "nothing due is left")
        with self.assertRaises(AccessError):
            Customer.with_user(self.salesperson).get_run_warning()

    # The invoice list's badge ---------------------------------------------

    def status(self, invoice):
        invoice.invalidate_recordset()
        with freeze_time(TODAY):
            return invoice.dunning_status

    def test_invoice_status_says_where_its_dunning_stands(self):
        self.step_reminder1.auto = False
        waiting = self.create_invoice(due=day(-3))
        call = self.create_invoice(partner=self.customer_b, due=day(-30))
        coming = self.create_invoice(due=day(5))
        self.assertEqual(self.status(coming), "on_track")
        self.run_dunning()
        self.assertEqual(self.status(waiting), "approval")
        self.assertEqual(self.status(call), "action")
        activity = self.events(call).activity_id
        activity.write({"dunning_call_outcome": "dispute"})
        with freeze_time(TODAY):
            activity.action_done()
        self.assertEqual(self.status(call), "dispute")
        # Its notice is folded into the reminder waiting for approval.
        self.assertEqual(self.status(coming), "approval")
        self.events(waiting | coming).action_approve()
        self.assertEqual(self.status(coming), "on_track")
        self.assertEqual(self.status(waiting), "on_track")
        waiting.action_dunning_pause(reason="Credit note")
        self.assertEqual(self.status(waiting), "paused")
        self.customer.dunning_excluded = True
        self.assertEqual(self.status(waiting), "excluded")

    def test_invoice_status_end_of_sequence_and_failure(self):
        ended = self.create_invoice(partner=self.customer_b, due=day(-30))
        mute = self.env["res.partner"].create({"name": "Mute", "is_company": True})
        failed = self.create_invoice(partner=mute, due=day(-3))
        self.run_dunning()
        self.assertEqual(self.status(failed), "action", "its failure is a task for today")
        self.events(failed).activity_id.unlink()
        self.assertEqual(self.status(failed), "action", "to send again")
        with freeze_time(TODAY):
            self.events(ended).activity_id.action_done()
        self.assertEqual(self.status(ended), "end")

    # The customer form ---------------------------------------------------

    def test_customer_page_lists_open_items_and_timeline(self):
        first = self.create_invoice(due=day(-20))
        second = self.create_invoice(due=day(-3))
        paid = self.create_invoice(due=day(-5))
        self.pay(paid)
        self.run_dunning()
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.dunning_open_move_ids, first | second)
        self.assertEqual(customer.dunning_timeline_ids, self.events(first | second))
        action = customer.action_dunning_send_reminders()
        self.assertEqual(action["res_model"], "account.dunning.send")
        self.assertEqual(action["context"]["active_ids"], (first | second).ids)
        pause = customer.action_dunning_pause()
        self.assertEqual(pause["context"]["active_ids"], (first | second).ids)
        call = customer.action_dunning_log_call()
        self.assertEqual(call["context"]["default_res_id"], self.customer.id)
