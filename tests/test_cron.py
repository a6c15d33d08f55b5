# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, timedelta

from odoo.tests import freeze_time, tagged

from ..hooks import post_init_hook
from .common import TODAY, DunningCase

# Pinned query counts of the hot path: a change here is a change of the
# engine's cost, to be looked at.
# One query reads the template variants of the steps run (A/B test), once
# for all the steps of the batch. The collection status costs one search of
# the statuses the date changes, per company, and, when reminders go, the
# reads of its stored inputs and its write. Six trigger the mail queue,
# once per call, so that the emails leave within a minute. Five read what
# message_post's records hold (the mailer, issue 20 §2): the thread's earlier
# messages for the References, once for all the emails, the alias domain,
# company and bounce address of the messages, and the layout's context.
RUN_QUERIES = 125
IDLE_QUERIES = 35


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCron(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("account_dunning.ir_cron_run_dunning")

    def run_scheduler_call(self, batch_size):
        """One call of the cron as the scheduler makes it."""
        progress = self.env["ir.cron.progress"].create({"cron_id": self.cron.id})
        with freeze_time(TODAY):
            self.env["account.dunning.run"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_run_dunning(batch_size=batch_size)
        return progress

    def test_cron_is_daily_and_runs_the_engine(self):
        self.assertEqual((self.cron.interval_number, self.cron.interval_type), (1, "days"))
        self.assertTrue(self.cron.active)
        invoice = self.create_invoice(due=day(-1))
        with freeze_time(TODAY):
            self.cron.method_direct_trigger()
        self.assertEqual(self.events(invoice).state, "queued")

    def test_scheduler_calls_work_for_their_time_budget(self):
        # No time at all: each call does one batch of customers.
        self.env["ir.config_parameter"].set_param("account_dunning.run_time_budget", "0")
        first = self.create_invoice(due=day(-1)) | self.create_invoice(due=day(-1))
        first |= self.create_invoice(due=day(-14))
        second = self.create_invoice(partner=self.customer_b, due=day(-1))
        progress = self.run_scheduler_call(batch_size=1)
        self.assertEqual((progress.done, progress.remaining), (3, 1))
        self.assertEqual(len(self.events(first)), 3, "a customer is never split")
        self.assertFalse(self.events(second))
        self.assertEqual(len(self.mails(self.customer)), 1, "one mail for two steps")
        progress = self.run_scheduler_call(batch_size=1)
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(len(self.events(second)), 1)
        progress = self.run_scheduler_call(batch_size=1)
        self.assertEqual((progress.done, progress.remaining), (0, 0))

    def test_unfinished_run_reschedules_the_cron(self):
        self.env["ir.config_parameter"].set_param("account_dunning.run_time_budget", "0")
        self.create_invoice(due=day(-1))
        self.create_invoice(partner=self.customer_b, due=day(-1))
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.run_scheduler_call(batch_size=1)
        new = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]) - triggers
        self.assertTrue(new, "work remains: the cron is called again soon")

    def test_today_is_the_companys_day(self):
        invoice = self.create_invoice(due=day(8))
        # The notice is due on TODAY. At 23:30 UTC on the eve, it is already
        # TODAY in Auckland, not yet in Los Angeles.
        eve = datetime.combine(day(-1), datetime.min.time()) + timedelta(hours=23, minutes=30)
        self.company.partner_id.tz = "America/Los_Angeles"
        with freeze_time(eve):
            self.env["account.dunning.run"]._cron_run_dunning()
        self.assertFalse(self.events(invoice), "still the eve in Los Angeles")
        self.company.partner_id.tz = "Pacific/Auckland"
        with freeze_time(eve):
            self.env["account.dunning.run"]._cron_run_dunning()
        self.assertEqual(self.events(invoice).step_id, self.step_notice)
        self.assertEqual(self.events(invoice).date, TODAY)

    def test_install_on_existing_invoices_sends_no_stale_reminder(self):
        old = self.create_invoice(due=day(-20))
        soon = self.create_invoice(due=day(3))
        # As before the module was installed: no dunning state.
        (old | soon).sudo().write(
            {"dunning_sequence_id": False, "dunning_start_date": False, "dunning_step_id": False}
        )
        self.env.flush_all()
        with freeze_time(TODAY):
            post_init_hook(self.env)
        self.assertEqual((old | soon).dunning_sequence_id, self.sequence)
        self.assertEqual((old | soon).mapped("dunning_start_date"), [TODAY, TODAY])
        self.run_dunning()
        self.assertFalse(self.events(old | soon))
        self.run_dunning(day(4))
        self.assertEqual(self.events(soon).step_id, self.step_reminder1)
        self.assertFalse(self.events(old), "J+30 of the old invoice is still ahead")
        self.run_dunning(day(10))
        self.assertEqual(self.events(old).step_id, self.step_call)

    def installing(self):
        """The environment of the module's own install: its data files."""
        self.env["ir.module.module"].sudo()._get("account_dunning").state = "to install"
        return self.env(context=dict(self.env.context, install_module="account_dunning"))

    def create_early_notice(self, env):
        """A reminder step 10 days before the due date, created in ``env``."""
        return env["account.dunning.step"].create(
            {
                "name": "Early notice",
                "sequence_id": self.sequence.id,
                "offset_days": -10,
                "channel": "email",
                "mail_template_id": self.template_notice.id,
            }
        )

    def test_the_modules_own_install_leaves_the_book_to_its_post_init_hook(self):
        # The data files' sequences and steps do not resync the whole book one
        # record at a time (a million invoices did not fit in memory): the
        # post-init hook does, once, by chunks.
        invoice = self.create_invoice(due=day(20))
        self.assertEqual(invoice.dunning_next_step_id, self.step_notice)
        installing = self.installing()
        early = self.create_early_notice(installing)
        self.assertEqual(invoice.dunning_next_step_id, self.step_notice, "left to the hook")
        invoice.sudo().write({"dunning_sequence_id": False, "dunning_step_id": False})
        installing["account.dunning.sequence"]._sync_company_invoices(self.company)
        self.assertFalse(invoice.dunning_sequence_id, "left to the post-init hook")
        with freeze_time(TODAY):
            post_init_hook(self.env)
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)
        self.assertEqual(invoice.dunning_next_step_id, early)
        self.assertEqual(invoice.dunning_next_date, day(10))

    def test_once_installed_the_book_is_resynced_at_once(self):
        invoice = self.create_invoice(due=day(20))
        installing = self.installing()
        self.env["ir.module.module"].sudo()._get("account_dunning").state = "installed"
        early = self.create_early_notice(installing)
        self.assertEqual(invoice.dunning_next_step_id, early, "another module's data")
        invoice.sudo().write({"dunning_sequence_id": False, "dunning_step_id": False})
        installing["account.dunning.sequence"]._sync_company_invoices(self.company)
        self.assertEqual(invoice.dunning_sequence_id, self.sequence)

    def test_a_book_recomputed_by_chunks_is_stored_chunk_after_chunk(self):
        invoices = self.env["account.move"].concat(
            *(self.create_invoice(due=day(20 + index)) for index in range(5))
        )
        self.env.flush_all()
        sizes = []
        for chunk in invoices._dunning_chunks(size=2):
            if sizes:
                self.assertFalse(self.env.cache.contains(invoices[0], invoices._fields["name"]))
                self.env.cr.execute(
                    "SELECT COUNT(*) FROM account_move WHERE id IN %s AND ref = 'Chunked'",
                    [tuple(invoices.ids)],
                )
                self.assertEqual(self.env.cr.fetchone()[0], sum(sizes), "stored before the next")
            chunk.sudo().write({"ref": "Chunked"})
            sizes.append(len(chunk))
        self.assertEqual(sizes, [2, 2, 1])
        self.assertEqual(invoices.mapped("ref"), ["Chunked"] * 5)


@tagged("post_install", "-at_install", "is_query_count")
class TestQueryCount(DunningCase):
    def run_with_not_due_invoices(self, not_due):
        """A run with two customers due and ``not_due`` invoices not due."""
        due = self.create_invoice(due=day(-1))
        due |= self.create_invoice(partner=self.customer_b, due=day(-1))
        for index in range(not_due):
            self.create_invoice(due=day(20 + index % 10))
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time(TODAY), self.assertQueryCount(RUN_QUERIES):
            self.env["account.dunning.run"]._cron_run_dunning()
        self.assertEqual(len(self.events(due)), 2)

    def test_run_queries_with_few_invoices_not_due(self):
        self.run_with_not_due_invoices(3)

    def test_run_queries_with_many_invoices_not_due(self):
        # Same count as with few: invoices not due are never loaded.
        self.run_with_not_due_invoices(40)

    def queries_of_a_run_for_one_customer(self, invoices):
        """The queries of a run reminding one customer of ``invoices``
        invoices at the same step, in one email."""
        partner = self.env["res.partner"].create(
            {"name": f"Owes {invoices}", "email": f"owes{invoices}@example.com"}
        )
        moves = self.env["account.move"].concat(
            *(self.create_invoice(partner=partner, due=day(-1)) for _index in range(invoices))
        )
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        with freeze_time(TODAY):
            self.env["account.dunning.run"]._cron_run_dunning()
        count = self.env.cr.sql_log_count - start
        events = self.events(moves)
        self.assertEqual(len(events), invoices)
        self.assertEqual(len(events.mail_id), 1, "one email for all")
        return count

    def test_a_customer_with_ten_invoices_costs_the_queries_of_one(self):
        # The first run warms the caches of the registry.
        self.queries_of_a_run_for_one_customer(2)
        one = self.queries_of_a_run_for_one_customer(1)
        self.assertEqual(self.queries_of_a_run_for_one_customer(10), one)

    def test_nothing_due_costs_a_fixed_number_of_queries(self):
        for offset in range(30):
            self.create_invoice(due=day(20 + offset))
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time(TODAY), self.assertQueryCount(IDLE_QUERIES):
            self.env["account.dunning.run"]._cron_run_dunning()

    def queries_of_a_run_with_customers_due(self, count):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Due customer {index}", "email": f"due{index}@example.com"}
                for index in range(count)
            ]
        )
        for partner in partners:
            self.create_invoice(partner=partner, due=day(-1))
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        with freeze_time(TODAY):
            self.env["account.dunning.run"]._cron_run_dunning()
        return self.env.cr.sql_log_count - start

    def test_run_queries_grow_slowly_with_the_customers_due(self):
        # The first run warms the caches of the registry.
        self.queries_of_a_run_with_customers_due(1)
        few = self.queries_of_a_run_with_customers_due(2)
        many = self.queries_of_a_run_with_customers_due(10)
        # Emails, events, notes, followers and payment links are all made in
        # batches: eight more customers cost no query more.
        self.assertEqual(many, few, "eight more customers cost no query more")
