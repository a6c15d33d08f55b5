# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Faults of production, reproduced for real: a concurrent write during a
scheduled run, an invoice locked by another transaction, a mail server down,
asking to try later or refusing for good, and a run that stores invoice PDFs
call after call, some of which fail. Races run on committed data with
cursors of their own (and a worker process), emails go through a real SMTP
server on 127.0.0.1, PDFs through wkhtmltopdf.
"""

import os
import subprocess
import sys
from datetime import datetime, timedelta

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, freeze_time, tagged
from odoo.tools import mute_logger

from ..models.mail_mail import MAX_SEND_ATTEMPTS
from .common import TODAY, CommittedDataMixin, DunningCase
from .smtp import free_port, smtp_listener, smtp_route, smtp_server
from .test_concurrency import WORKER

# The scheduler's call of the day, in the morning (UTC, the main company's
# timezone in the tests).
NOW = datetime(2026, 3, 10, 9, 0)
RETRY_DELAY = timedelta(minutes=1)


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("-standard", "post_install", "-at_install", "database_breaking")
class TestRaces(CommittedDataMixin, BaseCase):
    """Runs racing with other transactions, as in production: each has a
    cursor of its own and commits. The data is created in the main company,
    committed, and removed afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(odoo.tools.config["db_name"])

    def setUp(self):
        super().setUp()
        self.partner_ids, self.move_ids = [], []
        with self.env_cursor() as env:
            self.cron_id = env.ref("account_dunning.ir_cron_run_dunning").id
            env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_trigger")
            self.last_trigger_id = env.cr.fetchone()[0]
            env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_progress")
            self.last_progress_id = env.cr.fetchone()[0]
            sequence = env["account.dunning.sequence"].search(
                [("company_id", "=", env.ref("base.main_company").id), ("is_default", "=", True)]
            )
            # The main company's default sequence without PDF: J+1 by email.
            self.attached_steps = sequence.step_ids.filtered("attach_invoice").ids
            sequence.step_ids.write({"attach_invoice": False})
        self.addCleanup(self._cleanup)

    def create_customers(self, count):
        """``count`` customers with two invoices each (100 and 200), due
        yesterday, committed."""
        with self.env_cursor() as env:
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Racing customer {index}",
                        "email": f"racing{index}@example.com",
                        "is_company": True,
                    }
                    for index in range(count)
                ]
            )
            self.partner_ids += partners.ids
            with freeze_time(day(-40)):
                moves = env["account.move"].create(
                    [
                        {
                            "move_type": "out_invoice",
                            "partner_id": partner.id,
                            "invoice_date": day(-40),
                            "invoice_date_due": day(-1),
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "name": "Service",
                                        "quantity": 1,
                                        "price_unit": amount,
                                        "tax_ids": [],
                                    }
                                )
                            ],
                        }
                        for partner in partners
                        for amount in (100, 200)
                    ]
                )
                moves.action_post()
            self.move_ids += moves.ids
        return [
            (partner_id, self.move_ids[2 * index : 2 * index + 2])
            for index, partner_id in enumerate(self.partner_ids)
        ]

    def _cleanup(self):
        with self.env_cursor() as env:
            partners = env["res.partner"].browse(self.partner_ids)
            payments = env["account.payment"].search([("partner_id", "in", partners.ids)])
            # The payment wizard of the concurrent payment.
            env.cr.execute(
                "DELETE FROM account_payment_register WHERE partner_id IN %s",
                [tuple(partners.ids)],
            )
            self.delete_dunning_data(env, payments)
            env["account.dunning.step"].browse(self.attached_steps).attach_invoice = True
            env["ir.config_parameter"].set_param("account_dunning.run_time_budget", False)
            env.cr.execute(
                "DELETE FROM ir_cron_trigger WHERE cron_id = %s AND id > %s",
                [self.cron_id, self.last_trigger_id],
            )
            env.cr.execute(
                "DELETE FROM ir_cron_progress WHERE cron_id = %s AND id > %s",
                [self.cron_id, self.last_progress_id],
            )

    def scheduler_call(self, cr, batch_size=200):
        """One call of the scheduled run in ``cr``, as the scheduler makes
        it; the caller commits. :return: (done, remaining)"""
        env = api.Environment(cr, SUPERUSER_ID, {})
        progress = env["ir.cron.progress"].create({"cron_id": self.cron_id})
        env["account.dunning.run"].with_context(ir_cron_progress_id=progress.id)._cron_run_dunning(
            batch_size=batch_size
        )
        env.flush_all()
        return progress.done, progress.remaining

    def triggers_since_setup(self):
        with self.env_cursor() as env:
            return (
                env["ir.cron.trigger"]
                .search([("cron_id", "=", self.cron_id), ("id", ">", self.last_trigger_id)])
                .mapped("call_at")
            )

    def summary(self):
        """{partner id: (events, emails)} as committed."""
        with self.env_cursor() as env:
            events = env["account.dunning.event"].search([("move_id", "in", self.move_ids)])
            return {
                partner_id: (
                    len(events.filtered(lambda e, p=partner_id: e.partner_id.id == p)),
                    len(events.filtered(lambda e, p=partner_id: e.partner_id.id == p).mail_id),
                )
                for partner_id in self.partner_ids
            }

    def test_concurrent_write_makes_the_run_come_back_not_lose_the_day(self):
        customers = self.create_customers(10)
        changed_partner, (changed, untouched) = customers[5]
        with self.env_cursor() as env:
            # Batches of three customers, as many as a minute allows: the
            # changed invoice is in the second batch.
            env["ir.config_parameter"].set_param("account_dunning.run_time_budget", "60")
        with freeze_time(NOW), self.registry.cursor() as run_cr:
            # Odoo's cursors are REPEATABLE READ, as the scheduler's: the
            # snapshot of the run is taken by its first query.
            run_cr.execute("SELECT current_setting('transaction_isolation')")
            self.assertEqual(run_cr.fetchone()[0], "repeatable read")
            # Meanwhile the customer pays part of an invoice, committed.
            with self.env_cursor() as env:
                invoice = env["account.move"].browse(changed)
                env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create({"payment_date": TODAY, "amount": 30})._create_payments()
                self.assertEqual(invoice.amount_residual, 70)
            with mute_logger("odoo.addons.account_dunning.models.account_dunning_run"):
                done, remaining = self.scheduler_call(run_cr, batch_size=3)
            run_cr.commit()
        self.assertEqual(remaining, 14, "all but the first batch still to do")
        self.assertIn(NOW + RETRY_DELAY, self.triggers_since_setup(), "back in a minute")
        summary = self.summary()
        self.assertEqual(
            [summary[partner] for partner, _moves in customers],
            [(2, 1)] * 3 + [(0, 0)] * 7,
            "the first batch is kept, the one that lost the race is rolled back",
        )
        # A minute later, the scheduler's worker goes on, one customer a call.
        worker = subprocess.run(
            [
                sys.executable,
                "-c",
                WORKER,
                odoo.tools.config.rcfile,
                self.registry.db_name,
                (NOW + RETRY_DELAY).isoformat(),
            ],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=120,
            check=False,
        )
        self.assertEqual(worker.returncode, 0, worker.stderr)
        self.assertEqual(self.summary(), dict.fromkeys(self.partner_ids, (2, 1)))
        with self.env_cursor() as env:
            events = env["account.dunning.event"].search([("move_id", "in", self.move_ids)])
            self.assertEqual(set(events.mapped("date")), {TODAY}, "all on the same day")
            self.assertEqual(set(events.mapped("state")), {"queued"})
            residuals = {event.move_id.id: event.amount_residual for event in events}
            self.assertEqual(residuals[changed], 70, "reminded of what is left to pay")
            self.assertEqual(residuals[untouched], 200)
            self.assertEqual(
                len(events.filtered(lambda e: e.partner_id.id == changed_partner).mail_id), 1
            )

    def test_a_locked_invoice_never_splits_a_reminder(self):
        customers = self.create_customers(3)
        held_partner, held_moves = customers[1]
        with freeze_time(NOW), self.env_cursor() as holder:
            # Another transaction (a payment, a person editing) holds one of
            # the customer's two invoices during the run's call.
            holder.cr.execute(
                "SELECT id FROM account_move WHERE id = %s FOR UPDATE", [held_moves[1]]
            )
            with self.registry.cursor() as run_cr:
                done, remaining = self.scheduler_call(run_cr)
                run_cr.commit()
        summary = self.summary()
        self.assertEqual(summary[held_partner], (0, 0), "nothing for the held customer")
        self.assertEqual(summary[customers[0][0]], (2, 1))
        self.assertEqual(summary[customers[2][0]], (2, 1))
        self.assertEqual((done, remaining), (4, 2), "the held customer is still to do")
        self.assertIn(NOW + RETRY_DELAY, self.triggers_since_setup())
        # The lock is gone: the next call sends one email with both invoices.
        with freeze_time(NOW + RETRY_DELAY), self.registry.cursor() as run_cr:
            self.assertEqual(self.scheduler_call(run_cr), (2, 0))
            run_cr.commit()
        self.assertEqual(self.summary(), dict.fromkeys(self.partner_ids, (2, 1)))
        with self.env_cursor() as env:
            events = env["account.dunning.event"].search([("move_id", "in", held_moves)])
            self.assertEqual(sorted(events.move_id.ids), sorted(held_moves))
            self.assertEqual(len(events.mail_id), 1, "one email for both invoices")
            body = events.mail_id.body_html
            for move in events.move_id:
                self.assertIn(move.name, body)


@tagged("post_install", "-at_install")
class TestMailServerFaults(DunningCase):
    """The reminder emails through a real SMTP server on 127.0.0.1."""

    def queue_reminder(self):
        invoices = self.create_invoice(due=day(-1), amount=420)
        invoices |= self.create_invoice(due=day(-1), amount=80)
        self.run_dunning()
        events = self.events(invoices)
        self.assertEqual(events.mapped("state"), ["queued", "queued"])
        self.assertEqual(len(events.mail_id), 1)
        return invoices, events, events.mail_id

    def process_queue(self, mail, at):
        with freeze_time(at):
            self.env["mail.mail"].process_email_queue(ids=mail.ids)
        self.env.invalidate_all()

    @mute_logger("odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server")
    def test_mail_server_down_then_up_sends_the_reminder(self):
        invoices, events, mail = self.queue_reminder()
        port = free_port()
        with smtp_route(self.env, port):
            # Nothing listens on the port: connection refused.
            self.process_queue(mail, NOW)
            self.assertEqual(events.mapped("state"), ["queued", "queued"])
            self.assertEqual(mail.state, "outgoing", "back in the queue")
            self.assertEqual(mail.dunning_send_attempts, 1)
            self.assertGreater(mail.scheduled_date, NOW)
            self.assertEqual(mail.notification_ids.mapped("notification_status"), ["ready"])
            self.assertFalse(events.activity_id)
            self.assertFalse(any(invoices.mapped("dunning_last_failed")))
            self.assertFalse(
                [note for note in events.mapped("note") if "fail" in note.lower()],
                "no failure in the history",
            )
            with smtp_listener(port) as received:
                # The server is up, but the reminder waits for its time.
                self.process_queue(mail, NOW + RETRY_DELAY)
                self.assertFalse(received)
                self.assertEqual(events.mapped("state"), ["queued", "queued"])
                self.process_queue(mail, NOW + timedelta(minutes=10))
        self.assertEqual(len(received), 1)
        _sender, recipients, message = received[0]
        self.assertEqual(recipients, ["contact@bistrot.example.com"])
        body = message.get_body(("html",)).get_content()
        for invoice in invoices:
            self.assertIn(invoice.name, body)
        self.assertEqual(events.mapped("state"), ["sent", "sent"])
        self.assertFalse(events.activity_id)

    @mute_logger("odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server")
    def test_mail_server_refusing_for_good_fails_the_reminder_in_words(self):
        invoices, events, mail = self.queue_reminder()
        with smtp_server(self.env, refuse=True) as received:
            self.process_queue(mail, NOW)
        self.assertFalse(received)
        self.assertEqual(events.mapped("state"), ["failed", "failed"])
        self.assertEqual(mail.dunning_send_attempts, 0, "not tried again")
        note = events[0].note
        self.assertIn("could not be sent", note)
        self.assertIn("550", note)
        self.assertIn("Mailbox unavailable", note)
        # The failure type in words, not its technical key.
        self.assertIn("Unknown error: ", note)
        self.assertNotIn("mail_smtp", note)
        activity = events.activity_id
        self.assertEqual(len(activity), 1, "one activity for the email")
        self.assertIn("Reminder failed", activity.summary)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertTrue(all(invoices.mapped("dunning_last_failed")))

    @mute_logger("odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server")
    def test_mail_server_asking_to_try_later_keeps_the_reminder_queued(self):
        invoices, events, mail = self.queue_reminder()
        with smtp_server(self.env, refuse="451 4.7.1 Try again later") as received:
            self.process_queue(mail, NOW)
        self.assertFalse(received)
        self.assertEqual(events.mapped("state"), ["queued", "queued"])
        self.assertEqual((mail.state, mail.dunning_send_attempts), ("outgoing", 1))
        self.assertEqual(mail.scheduled_date, NOW + timedelta(minutes=5))
        self.assertFalse(events.activity_id)
        self.assertFalse(any(invoices.mapped("dunning_last_failed")))

    @mute_logger("odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server")
    def test_mail_server_down_at_the_last_try_fails_the_reminder_in_words(self):
        _invoices, events, mail = self.queue_reminder()
        mail.dunning_send_attempts = MAX_SEND_ATTEMPTS - 1
        with smtp_route(self.env, free_port()):
            self.process_queue(mail, NOW)
        self.assertEqual(events.mapped("state"), ["failed", "failed"])
        self.assertEqual(mail.state, "exception", "given up")
        note = events[0].note
        self.assertIn(f"could not be sent after {MAX_SEND_ATTEMPTS} tries", note)
        self.assertIn("Connection failed (outgoing mail server problem)", note)
        self.assertIn("Connection refused", note, "the reason, not only its type")
        self.assertEqual(len(events.activity_id), 1)


# Real PDFs: wkhtmltopdf fetches the report's assets from Odoo's HTTP
# server, which Odoo's own test runner does not serve to a TransactionCase.
# Out of Odoo's standard runs, like Odoo's own tests of real PDF letters;
# scripts/test.sh runs them.
@tagged("-standard", "post_install", "-at_install", "external")
class TestPdfTimeBudget(DunningCase):
    def scheduler_call(self):
        """One call of the scheduled run as the scheduler makes it: no time
        budget, one customer a call."""
        cron = self.env.ref("account_dunning.ir_cron_run_dunning")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        with freeze_time(NOW):
            self.env["account.dunning.run"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_run_dunning(batch_size=1)
        self.env.invalidate_all()
        return progress.done, progress.remaining

    def stored_pdfs(self, moves):
        return self.env["ir.attachment"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "in", moves.ids),
                ("res_field", "=", "invoice_pdf_report_file"),
            ]
        )

    def test_invoice_pdfs_are_stored_ahead_then_reused_by_the_reminders(self):
        self.env["ir.config_parameter"].set_param("account_dunning.run_time_budget", "0")
        self.step_reminder1.attach_invoice = True
        first = self.create_invoice(due=day(-1), amount=100)
        first |= self.create_invoice(due=day(-1), amount=200)
        first |= self.create_invoice(due=day(-1), amount=300)
        second = self.create_invoice(partner=self.customer_b, due=day(-1), amount=400)
        second |= self.create_invoice(partner=self.customer_b, due=day(-1), amount=500)
        second |= self.create_invoice(partner=self.customer_b, due=day(-1), amount=600)
        invoices = first | second
        self.assertFalse(self.stored_pdfs(invoices))

        # First call: one chunk of five PDFs, no reminder yet.
        self.assertEqual(self.scheduler_call(), (5, 6))
        stored = self.stored_pdfs(invoices)
        self.assertEqual(len(stored), 5)
        self.assertEqual(set(stored.mapped("mimetype")), {"application/pdf"})
        self.assertEqual(stored, invoices.invoice_pdf_report_id)
        self.assertFalse(self.events(invoices), "no reminder before the PDFs are ready")

        # Second call: the last PDF, then the first customer's reminder.
        self.assertEqual(self.scheduler_call(), (1 + 3, 3))
        stored_all = self.stored_pdfs(invoices)
        self.assertEqual(len(stored_all), 6)
        self.assertLessEqual(stored, stored_all, "the stored PDFs are kept")
        self.assertEqual(len(self.events(first)), 3)
        self.assertFalse(self.events(second))

        # Third call: the second customer's; then nothing is left.
        self.assertEqual(self.scheduler_call(), (3, 0))
        self.assertEqual(self.scheduler_call(), (0, 0))

        self.assertEqual(self.stored_pdfs(invoices), stored_all, "no PDF rendered twice")
        for moves in (first, second):
            events = self.events(moves)
            self.assertEqual(set(events.mapped("date")), {TODAY}, "done the same day")
            self.assertEqual(len(events.mail_id), 1)
            self.assertEqual(
                events.mail_id.attachment_ids,
                moves.invoice_pdf_report_id,
                "the mail sends the stored PDFs",
            )
        pdfs = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "in", invoices.ids),
                ("mimetype", "=", "application/pdf"),
                "|",
                ("res_field", "=", False),
                ("res_field", "!=", False),
            ]
        )
        self.assertEqual(pdfs, stored_all, "no other PDF of the invoices")

    @mute_logger("odoo.addons.account_dunning.models.dunning_channel_email")
    def test_invoice_pdfs_that_fail_do_not_hold_the_run_back(self):
        self.env["ir.config_parameter"].set_param("account_dunning.run_time_budget", "0")
        self.step_reminder1.attach_invoice = True
        # The second customer's invoice template is broken: its PDFs fail,
        # again and again.
        self.env["ir.ui.view"].create(
            {
                "name": "Broken invoice",
                "type": "qweb",
                "key": "account_dunning.test_broken_invoice",
                "arch": '<t t-name="account_dunning.test_broken_invoice">'
                '<t t-out="docs.no_such_field"/></t>',
            }
        )
        self.customer_b.invoice_template_pdf_report_id = self.env["ir.actions.report"].create(
            {
                "name": "Broken invoice",
                "model": "account.move",
                "report_type": "qweb-pdf",
                "report_name": "account_dunning.test_broken_invoice",
            }
        )
        sound = self.create_invoice(due=day(-1), amount=100)
        broken = self.env["account.move"]
        for amount in range(1, 7):
            broken |= self.create_invoice(partner=self.customer_b, due=day(-1), amount=amount)
        calls = []
        while len(calls) < 5 and (not calls or calls[-1][1]):
            calls.append(self.scheduler_call())
        self.assertEqual(calls[-1][1], 0, f"the run ends: {calls}")
        self.assertLessEqual(len(calls), 3, f"a call for the PDFs, one per customer: {calls}")
        event = self.events(sound)
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.mail_id.attachment_ids, sound.invoice_pdf_report_id)
        events = self.events(broken)
        self.assertEqual(set(events.mapped("state")), {"failed"}, "failed, visibly")
        self.assertIn("could not be generated", events[0].note)
        self.assertEqual(len(events.activity_id), 1)
        self.assertFalse(broken.invoice_pdf_report_id)
