# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Several workers and crashes, on committed data and real transactions.

These tests cannot run inside the usual test transaction: each worker has a
cursor of its own, as in production. They create their data in the main
company and remove it afterwards.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import psycopg2

import odoo
from odoo import Command
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, freeze_time, tagged

from .common import CommittedDataMixin

TODAY = date(2026, 3, 10)

# A worker in its own process, killed by the test while it runs.
WORKER = """
import sys
import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import freeze_time

odoo.tools.config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2]])
registry = Registry(sys.argv[2])
with freeze_time(sys.argv[3]):
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cron = env.ref("account_dunning.ir_cron_run_dunning")
            # No time budget: one batch of customers per call.
            env["ir.config_parameter"].set_param("account_dunning.run_time_budget", "0")
            progress = env["ir.cron.progress"].create({"cron_id": cron.id})
            env["account.dunning.run"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_run_dunning(batch_size=1)
            env.flush_all()
            done, remaining = progress.done, progress.remaining
            cr.commit()
        print("batch", done, remaining, flush=True)
        if not done or not remaining:
            break
"""


# Commits: out of Odoo's standard runs, like its database-breaking tests.
@tagged("-standard", "-at_install", "post_install", "database_breaking")
class TestConcurrency(CommittedDataMixin, BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(odoo.tools.config["db_name"])

    def setUp(self):
        super().setUp()
        self.partner_ids = []
        self.move_ids = []
        self.addCleanup(self._cleanup)
        with self.env_cursor() as env:
            company = env.ref("base.main_company")
            sequence = env["account.dunning.sequence"].search(
                [("company_id", "=", company.id), ("is_default", "=", True)]
            )
            # The main company's default sequence, without PDF: J+1 by email.
            self.attached_steps = sequence.step_ids.filtered("attach_invoice").ids
            sequence.step_ids.write({"attach_invoice": False})
            for index in range(3):
                partner = env["res.partner"].create(
                    {
                        "name": f"Concurrent customer {index}",
                        "email": f"concurrent{index}@example.com",
                        "is_company": True,
                    }
                )
                self.partner_ids.append(partner.id)
                for _amount in (100, 200):
                    with freeze_time(TODAY - timedelta(days=40)):
                        move = env["account.move"].create(
                            {
                                "move_type": "out_invoice",
                                "partner_id": partner.id,
                                "invoice_date": TODAY - timedelta(days=40),
                                "invoice_date_due": TODAY - timedelta(days=1),
                                "invoice_line_ids": [
                                    Command.create(
                                        {
                                            "name": "Service",
                                            "quantity": 1,
                                            "price_unit": _amount,
                                            "tax_ids": [],
                                        }
                                    )
                                ],
                            }
                        )
                        move.action_post()
                    self.move_ids.append(move.id)

    def _cleanup(self):
        with self.env_cursor() as env:
            self.delete_dunning_data(env)
            env["account.dunning.step"].browse(self.attached_steps).attach_invoice = True
            env["ir.config_parameter"].set_param("account_dunning.run_time_budget", False)

    def summary(self):
        """{partner id: (events, emails)} as committed."""
        with self.env_cursor() as env:
            events = env["account.dunning.event"].search([("move_id", "in", self.move_ids)])
            result = {}
            for partner_id in self.partner_ids:
                partner_events = events.filtered(lambda e, p=partner_id: e.partner_id.id == p)
                result[partner_id] = (len(partner_events), len(partner_events.mail_id))
            return result

    def run_worker(self, barrier, errors):
        try:
            with self.env_cursor() as env:
                env["account.dunning.sequence"].search([], limit=1)
                barrier.wait(timeout=30)
                env["account.dunning.run"]._cron_run_dunning(batch_size=1)
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)

    def test_two_workers_at_once_never_send_twice(self):
        barrier = threading.Barrier(2)
        errors = []
        with freeze_time(TODAY):
            workers = [
                threading.Thread(target=self.run_worker, args=(barrier, errors))
                for _index in range(2)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=120)
        self.assertEqual(errors, [])
        expected = dict.fromkeys(self.partner_ids, (2, 1))
        self.assertEqual(self.summary(), expected, "two events and one email per customer")
        # A worker that found everything taken sends the rest on its next run.
        with freeze_time(TODAY), self.env_cursor() as env:
            env["account.dunning.run"]._cron_run_dunning()
        self.assertEqual(self.summary(), expected)

    def test_locked_invoices_are_skipped_not_waited_for(self):
        first_partner = self.partner_ids[0]
        with self.env_cursor() as holder:
            holder.cr.execute(
                "SELECT id FROM account_move WHERE partner_id = %s FOR UPDATE", [first_partner]
            )
            with freeze_time(TODAY), self.env_cursor() as env:
                env["account.dunning.run"]._cron_run_dunning()
        summary = self.summary()
        self.assertEqual(summary[first_partner], (0, 0), "taken by another worker")
        self.assertEqual(summary[self.partner_ids[1]], (2, 1))
        with freeze_time(TODAY), self.env_cursor() as env:
            env["account.dunning.run"]._cron_run_dunning()
        self.assertEqual(self.summary()[first_partner], (2, 1))

    def open_send_wizard(self, env, partner_id):
        moves = env["account.move"].search([("partner_id", "=", partner_id)])
        return (
            env["account.dunning.send"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({})
        )

    def test_wizard_refuses_invoices_a_run_is_reminding(self):
        partner_id = self.partner_ids[0]
        with freeze_time(TODAY), self.env_cursor() as env:
            wizard_id = self.open_send_wizard(env, partner_id).id
        with self.env_cursor() as holder:
            # A dunning run holds the customer's invoices.
            holder.cr.execute(
                "SELECT id FROM account_move WHERE partner_id = %s FOR UPDATE", [partner_id]
            )
            with freeze_time(TODAY), self.env_cursor() as env:
                wizard = env["account.dunning.send"].browse(wizard_id)
                with self.assertRaisesRegex(UserError, "being reminded right now"):
                    wizard.action_send()
                env.cr.rollback()
        self.assertEqual(self.summary()[partner_id], (0, 0))

    def test_wizard_and_run_at_once_never_send_twice(self):
        partner_id = self.partner_ids[0]
        with freeze_time(TODAY), self.env_cursor() as env:
            wizard_id = self.open_send_wizard(env, partner_id).id
        # The run commits between the opening of the wizard and its sending.
        with freeze_time(TODAY), self.env_cursor() as env:
            env["account.dunning.run"]._cron_run_dunning()
        with freeze_time(TODAY), self.env_cursor() as env:
            env["account.dunning.send"].browse(wizard_id).action_send()
        self.assertEqual(self.summary()[partner_id], (2, 1))

    def test_crash_loses_the_current_batch_only_and_never_duplicates(self):
        # The last customer's batch blocks on a lock held here; the worker
        # is killed while it waits: a crash in the middle of a batch.
        blocked_partner = self.partner_ids[-1]
        config = odoo.tools.config.rcfile
        dbname = self.registry.db_name
        with self.env_cursor() as holder:
            holder.cr.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR UPDATE", [blocked_partner]
            )
            worker = subprocess.Popen(
                [sys.executable, "-c", WORKER, config, dbname, TODAY.isoformat()],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=dict(os.environ),
            )
            try:
                self._wait_for_committed_batches(2, worker)
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)
        self._wait_for_unlocked_moves()
        summary = self.summary()
        self.assertEqual(summary[self.partner_ids[0]], (2, 1), "first batch kept")
        self.assertEqual(summary[self.partner_ids[1]], (2, 1), "second batch kept")
        self.assertEqual(summary[blocked_partner], (0, 0), "crashed batch lost")
        with freeze_time(TODAY), self.env_cursor() as env:
            env["account.dunning.run"]._cron_run_dunning()
        self.assertEqual(
            self.summary(), dict.fromkeys(self.partner_ids, (2, 1)), "nothing sent twice"
        )

    def _wait_for_unlocked_moves(self):
        """The killed worker's backend rolls back once it sees its client
        gone; until then it still holds its row locks."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.registry.cursor() as cr:
                try:
                    cr.execute(
                        "SELECT id FROM account_move WHERE id IN %s FOR UPDATE NOWAIT",
                        [tuple(self.move_ids)],
                    )
                    return
                except psycopg2.errors.LockNotAvailable:
                    cr.rollback()
            time.sleep(0.2)
        self.fail("the killed worker's transaction never ended")

    def _wait_for_committed_batches(self, count, worker):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = sum(1 for events, _mails in self.summary().values() if events)
            if done >= count:
                # Give the worker time to reach the lock of the next batch.
                time.sleep(1)
                return
            if worker.poll() is not None:
                self.fail(f"the worker ended early: {worker.stdout.read()}")
            time.sleep(0.2)
        self.fail("the worker committed no batch in time")
