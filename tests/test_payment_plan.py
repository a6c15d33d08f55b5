# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import format_date
from odoo.tools.safe_eval import safe_eval

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestPaymentPlan(DunningCase):
    """Payment plans: instalments instead of the sequence, matched by what
    is left to pay on the invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence.write(
            {
                "plan_max_instalments": 3,
                "plan_max_days": 90,
                "plan_min_instalment": 100,
                "plan_notice_days": 3,
                "plan_missed_limit": 2,
            }
        )

    def make_plan(self, invoices, schedule, confirm=True):
        with freeze_time(TODAY):
            plan = self.env["account.dunning.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(invoices.ids)],
                    "line_ids": [
                        Command.create({"date": day(offset), "amount": amount})
                        for offset, amount in schedule
                    ],
                }
            )
            if confirm:
                plan.action_confirm()
        return plan

    def plan_events(self, invoices):
        return self.events(invoices).filtered(lambda event: event.event_type == "plan")

    def reminders(self, invoices):
        return self.events(invoices).filtered(lambda event: event.event_type == "reminder")

    def announced_dates(self, mail):
        """The dates of the instalments an email announces: "... is due on D",
        in the body its template rendered (the layout repeats it)."""
        return re.findall(r"is due on\s*<strong>([^<]*)</strong>", mail.mail_message_id.body)

    def long_date(self, date):
        return format_date(self.env, date, date_format="long")

    def test_invoices_of_an_active_plan_follow_it_not_the_sequence(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 300), (40, 300), (70, 300)])
        self.assertEqual(plan.state, "active")
        self.assertEqual(invoice.dunning_plan_id, plan)
        self.assertEqual(invoice.dunning_status, "plan")
        workspace = self.env["account.dunning.customer"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(workspace.status, "plan")
        self.assertEqual(self.customer.dunning_plan_count, 1)
        action = self.customer.action_open_dunning_plans()
        self.assertEqual(self.env["account.dunning.plan"].search(action["domain"]), plan)
        self.run_dunning()
        self.run_dunning(day(5))
        self.assertFalse(self.reminders(invoice), "no sequence step while the plan runs")

    def test_notice_before_each_instalment_once(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        self.make_plan(invoice, [(10, 300), (40, 300), (70, 300)])
        self.run_dunning(day(6))
        self.assertFalse(self.plan_events(invoice), "not yet: 3 days before")
        self.run_dunning(day(7))
        self.run_dunning(day(8))
        events = self.plan_events(invoice)
        self.assertEqual(len(events), 1, "one notice, on day 7 (10 - 3)")
        self.assertEqual(events.state, "queued")
        self.assertIn("300.00", events.mail_id.body_html)
        self.assertIn("next instalment", events.mail_id.body_html)

    def test_a_failed_plan_email_fails_like_a_step(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 300), (40, 300), (70, 300)])
        self.customer.email = False
        self.run_dunning(day(7))
        event = self.plan_events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.plan_id, plan)
        self.assertIn("no email address", event.note)
        # The task of a failed reminder, for the invoice's responsible.
        activity = event.activity_id
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertTrue(activity.summary.startswith("Reminder failed: "), activity.summary)
        self.assertEqual(activity.user_id, invoice._get_dunning_responsible())
        self.assertIn(invoice.name, activity.note)

    def test_payments_are_matched_by_what_is_left_to_pay(self):
        self.add_thank_you_step()
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 300), (40, 300), (70, 300)])
        self.pay(invoice, amount=300, day=day(9))
        with freeze_time(day(11)):
            plan.invalidate_recordset()
            self.assertEqual(plan.line_ids.mapped("status"), ["paid", "due", "due"])
            self.assertEqual(plan.next_line_id, plan.line_ids[1])
        self.run_dunning(day(11))
        self.assertFalse(self.plan_events(invoice), "paid on time: no reminder")
        self.run_dunning(day(37))
        self.assertEqual(len(self.plan_events(invoice)), 1, "the notice of instalment 2")
        self.pay(invoice, day=day(50))
        self.run_dunning(day(51))
        self.assertEqual(plan.state, "done")
        self.assertFalse(invoice.dunning_plan_id)
        thanks = self.events(invoice).filtered(lambda e: e.event_type == "thank_you")
        self.assertEqual(len(thanks), 1, "a fully paid plan is thanked")

    def test_missed_instalment_gets_one_reminder_then_the_plan_breaks(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 300), (40, 300), (70, 300)])
        self.run_dunning(day(11))
        self.run_dunning(day(12))
        missed = self.plan_events(invoice).filtered(lambda e: "missed" in e.note)
        self.assertEqual(len(missed), 1, "a reminder the day after, once")
        self.assertIn("not received", missed.mail_id.body_html)
        self.assertEqual(plan.state, "active", "1 missed of 2 allowed")
        # The second instalment is missed too: the plan is broken, the
        # invoice follows its sequence again, from the step now due, once.
        self.run_dunning(day(41))
        self.assertEqual(plan.state, "broken")
        self.assertFalse(invoice.dunning_plan_id)
        broken = self.plan_events(invoice).filtered(lambda e: "broken" in e.note)
        self.assertEqual(broken.activity_id.summary, "Payment plan broken")
        self.assertEqual(len(self.reminders(invoice)), 1)
        self.assertEqual(self.reminders(invoice).date, day(41))
        self.run_dunning(day(41))
        self.assertEqual(len(self.reminders(invoice)), 1, "never twice a day")

    def test_missed_instalment_does_not_stop_the_notice_of_the_next(self):
        """Issue 18: with Broken After = 2, a customer who missed instalment 2
        still gets the notice of instalment 3, once, 3 days before it, naming
        its own amount and date (the month in words)."""
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 200), (40, 300), (70, 400)])
        self.pay(invoice, amount=200, day=day(9))
        self.run_dunning(day(37))
        self.run_dunning(day(41))
        before = self.plan_events(invoice)
        self.assertEqual(len(before), 2, "the notice, then the reminder of instalment 2")
        for offset in range(42, 71):
            self.run_dunning(day(offset))
        notice = self.plan_events(invoice) - before
        self.assertEqual(len(notice), 1, "instalment 3 is announced, once")
        self.assertEqual(notice.date, day(67), "3 days before it")
        self.assertEqual(plan.state, "active", "1 missed of 2 allowed")
        self.assertIn("400.00", notice.mail_id.body_html)
        self.assertEqual(self.announced_dates(notice.mail_id), ["May 19, 2026"])

    def test_each_instalment_is_announced_once_over_the_whole_plan(self):
        """Day by day through a plan whose first notice is due when it starts,
        whose second instalment falls within the notice window of the first,
        is missed then partly paid: each instalment is announced once, by the
        only email of its day, which names it."""
        self.sequence.write({"plan_max_instalments": 6, "plan_missed_limit": 3})
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(1, 200), (3, 200), (20, 200), (40, 300)])
        self.assertEqual(plan.state, "active")
        payments = {5: 300, 19: 300, 40: 300}
        announced_on, mails = {}, {}
        for offset in range(42):
            if offset in payments:
                self.pay(invoice, amount=payments[offset], day=day(offset))
            before = self.plan_events(invoice)
            self.run_dunning(day(offset))
            mails[offset] = (self.plan_events(invoice) - before).mail_id
            self.assertLessEqual(len(mails[offset]), 1, f"one email a day at most (day {offset})")
            for line in plan.line_ids.filtered("notice_sent"):
                announced_on.setdefault(line, offset)
        self.assertEqual(plan.state, "done")
        first, second, third, last = plan.line_ids
        # The second is announced with the reminder of the first: it was
        # not the next instalment while the first was.
        self.assertEqual(announced_on, {first: 0, second: 2, third: 17, last: 37})
        kinds = {
            offset: "reminder" if "not received" in mail.subject else "notice"
            for offset, mail in mails.items()
            if mail
        }
        self.assertEqual(
            kinds, {0: "notice", 2: "reminder", 4: "reminder", 17: "notice", 37: "notice"}
        )
        for line, offset in announced_on.items():
            with self.subTest(instalment=str(line.date)):
                self.assertEqual(self.announced_dates(mails[offset]), [self.long_date(line.date)])
        self.assertIn("300.00", mails[37].body_html, "the amount of the last instalment")

    def test_reminder_and_notice_of_the_same_day_go_as_one_email(self):
        """The notice window of instalment 2 opens the day instalment 1 is
        reminded: the reminder also announces instalment 2, whose notice is
        then neither lost nor sent again."""
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 200), (14, 300), (40, 400)])
        for offset in range(7, 15):
            self.run_dunning(day(offset))
        events = self.plan_events(invoice)
        self.assertEqual(events.mapped("date"), [day(7), day(11)], "the notice of instalment 1")
        email = events[-1]
        body = email.mail_id.body_html
        self.assertIn("not received", body)
        self.assertEqual(self.announced_dates(email.mail_id), ["March 24, 2026"])
        self.assertRegex(body, r"Your next instalment of\s*<strong>[^<]*300\.00</strong>")
        self.assertTrue(plan.line_ids[1].notice_sent)
        # The reminder still names the missed instalment.
        self.assertRegex(body, r"200\.00</strong>\s*due on\s*<strong>March 20, 2026<")

    def test_plan_emails_write_the_month_in_the_customer_language(self):
        """Numeric dates read differently from one language to another: the
        plan emails write the month in words, in French for a French
        customer."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        self.customer.lang = "fr_FR"
        invoice = self.create_invoice(due=day(-1), amount=900)
        self.make_plan(invoice, [(10, 200), (14, 300), (40, 400)])
        self.run_dunning(day(11))
        body = self.plan_events(invoice).mail_id.mail_message_id.body
        self.assertRegex(body, r"due le\s*<strong>20 mars 2026</strong>")
        self.assertRegex(body, r"Votre prochaine échéance de\s*<strong>[^<]*300,00")
        self.assertEqual(re.findall(r"est due le\s*<strong>([^<]*)<", body), ["24 mars 2026"])

    def test_broken_after_one_breaks_before_any_reminder_and_the_form_says_so(self):
        """Broken After = 1: the plan breaks the day after the first missed
        instalment, before any reminder; the sequence form says so."""
        self.sequence.plan_missed_limit = 1
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 300), (40, 300), (70, 300)])
        self.run_dunning(day(10))
        self.assertEqual(plan.state, "active")
        self.run_dunning(day(11))
        self.assertEqual(plan.state, "broken")
        self.assertFalse(
            self.plan_events(invoice).filtered(lambda e: e.mail_id and e.date == day(11)),
            "no reminder of the missed instalment",
        )
        form = Form(self.sequence)
        notes = form._view["tree"].xpath(
            "//div[contains(., 'The plan breaks the day after the first missed instalment')]"
        )
        self.assertEqual(len(notes), 1, "the form explains Broken After = 1")
        self.assertFalse(safe_eval(notes[0].get("invisible"), form._get_eval_context()))
        form.plan_missed_limit = 2
        self.assertTrue(safe_eval(notes[0].get("invisible"), form._get_eval_context()))

    def test_plan_beyond_the_limits_waits_for_a_manager(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 50), (40, 50), (70, 50), (100, 750)])
        self.assertEqual(plan.state, "to_approve")
        with freeze_time(TODAY):
            plan.invalidate_recordset(["limit_warning"])
            warning = plan.limit_warning
        self.assertIn("More than 3 instalments", warning)
        self.assertIn("90 days", warning)
        self.assertIn("below", warning)
        self.assertFalse(invoice.dunning_plan_id, "the sequence goes on meanwhile")
        accountant = self.create_accountant()
        with self.assertRaisesRegex(UserError, "Dunning Managers"):
            plan.with_user(accountant).action_approve()
        with freeze_time(TODAY):
            plan.action_approve()
        self.assertEqual(plan.state, "active")
        self.assertEqual(invoice.dunning_plan_id, plan)

    def test_bad_plans_are_refused(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        other = self.create_invoice(partner=self.customer_b, due=day(-1), amount=100)
        cases = [
            (invoice, [(10, 300), (40, 300)], "add up to"),
            (invoice, [(-1, 450), (40, 450)], "date from today"),
            (invoice, [(10, 450), (10, 450)], "same day"),
            (invoice | other, [(10, 1000)], "its customer"),
        ]
        for invoices, schedule, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(UserError, message):
                self.make_plan(invoices, schedule)
        self.assertFalse(invoice.dunning_plan_id)

    def test_an_invoice_follows_one_plan_at_a_time(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        self.make_plan(invoice, [(10, 450), (40, 450)])
        with self.assertRaisesRegex(UserError, "another payment plan"):
            self.make_plan(invoice, [(10, 450), (40, 450)])

    def test_cancelled_plan_gives_the_invoices_back_to_the_sequence(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 450), (40, 450)])
        with freeze_time(day(2)):
            plan.action_cancel()
        self.assertFalse(invoice.dunning_plan_id)
        self.run_dunning(day(2))
        self.assertEqual(len(self.reminders(invoice)), 1)

    def test_a_started_plan_changes_through_its_actions_only(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        other = self.create_invoice(due=day(-1), amount=100)
        plan = self.make_plan(invoice, [(10, 450), (40, 450)])
        accountant = self.create_accountant()
        as_accountant = plan.with_user(accountant)
        for vals in ({"state": "done"}, {"amount_total": 1}, {"move_ids": [(4, other.id)]}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                as_accountant.write(vals)
        with self.assertRaisesRegex(UserError, "cannot change"):
            as_accountant.line_ids[0].amount = 1
        with self.assertRaisesRegex(UserError, "cannot change"):
            as_accountant.line_ids[0].unlink()
        with self.assertRaisesRegex(UserError, "cannot change"):
            self.env["account.dunning.plan.line"].with_user(accountant).create(
                {"plan_id": plan.id, "date": day(50), "amount": 1}
            )
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.line_ids.mapped("amount"), [450, 450])

    def test_plans_are_for_dunning_users_only(self):
        invoice = self.create_invoice(due=day(-1), amount=900)
        plan = self.make_plan(invoice, [(10, 450), (40, 450)])
        for user in (self.create_invoicing_user(), self.salesperson):
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                plan.with_user(user).read(["state"])
