# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.tests import Form, freeze_time, tagged

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestMailQueue(DunningCase):
    """Every sender queues its emails in Odoo's mail queue, without sending
    them itself, and asks the queue to run once it is done: the emails
    leave within a minute, with the queue's retries, rather than at its
    hourly run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_queue = cls.env.ref("mail.ir_cron_mail_scheduler_action")
        cls.accountant = cls.create_accountant()
        cls.add_thank_you_step()

    def triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.mail_queue.id)])

    def assertQueuedAndTriggeredOnce(self, call):
        """``call`` queues emails, sends none, and triggers the mail queue
        once, however many emails, customers and templates."""
        # As the mail queue does when it runs: the earlier calls are done.
        self.triggers().unlink()
        mails = self.env["mail.mail"].search([])
        call()
        queued = self.env["mail.mail"].search([]) - mails
        self.assertGreater(len(queued), 1, "several emails")
        self.assertEqual(set(queued.mapped("state")), {"outgoing"}, "queued, not sent")
        triggers = self.triggers()
        self.assertEqual(len(triggers), 1, "the mail queue is triggered once")
        self.assertLessEqual(triggers.call_at, self.env.cr.now() + timedelta(minutes=1))

    def test_run_triggers_the_mail_queue_once(self):
        # Two templates: reminder 1 and reminder 2.
        self.create_invoice(due=day(-1))
        self.create_invoice(partner=self.customer_b, due=day(-14))
        self.assertQueuedAndTriggeredOnce(self.run_dunning)

    def test_thank_you_triggers_the_mail_queue_once(self):
        invoices = self.create_invoice(due=day(-1)) | self.create_invoice(
            partner=self.customer_b, due=day(-1)
        )
        self.run_dunning()
        for invoice in invoices:
            self.pay(invoice, day=day(1))
        self.assertQueuedAndTriggeredOnce(lambda: self.run_dunning(day(2)))

    def test_plan_emails_trigger_the_mail_queue_once(self):
        for partner in (self.customer, self.customer_b):
            invoice = self.create_invoice(partner=partner, due=day(-1), amount=900)
            with freeze_time(TODAY):
                self.env["account.dunning.plan"].create(
                    {
                        "partner_id": partner.id,
                        "move_ids": [Command.set(invoice.ids)],
                        "line_ids": [
                            Command.create({"date": day(10), "amount": 300}),
                            Command.create({"date": day(40), "amount": 600}),
                        ],
                    }
                ).action_confirm()
        # Notices of the first instalment, 3 days before it.
        self.assertQueuedAndTriggeredOnce(lambda: self.run_dunning(day(7)))

    def test_send_wizard_triggers_the_mail_queue_once(self):
        invoices = self.create_invoice(due=day(-1)) | self.create_invoice(
            partner=self.customer_b, due=day(-14)
        )

        def send():
            with freeze_time(TODAY):
                Form(
                    self.env["account.dunning.send"]
                    .with_user(self.accountant)
                    .with_context(active_model="account.move", active_ids=invoices.ids)
                ).save().action_send()

        self.assertQueuedAndTriggeredOnce(send)

    def test_approval_triggers_the_mail_queue_once(self):
        self.step_reminder1.auto = False
        invoices = self.create_invoice(due=day(-1)) | self.create_invoice(
            partner=self.customer_b, due=day(-1)
        )
        self.run_dunning()
        pending = self.events(invoices)

        def approve():
            with freeze_time(TODAY):
                pending.with_user(self.accountant).action_approve()

        self.assertQueuedAndTriggeredOnce(approve)

    def test_send_next_reminder_triggers_the_mail_queue_once(self):
        invoices = self.create_invoice(due=day(-1)) | self.create_invoice(
            partner=self.customer_b, due=day(-14)
        )

        def send_now():
            with freeze_time(TODAY):
                invoices.with_user(self.accountant).action_dunning_send_now()

        self.assertQueuedAndTriggeredOnce(send_now)

    def test_statements_trigger_the_mail_queue_once(self):
        customers = self.customer | self.customer_b
        for partner in customers:
            self.create_invoice(partner=partner, due=day(-1))
        customers.dunning_statement_day = TODAY.day

        def send_monthly():
            with freeze_time(TODAY):
                self.env["res.partner"]._cron_send_statements()

        self.assertQueuedAndTriggeredOnce(send_monthly)

        def send_now():
            with freeze_time(TODAY):
                customers.with_user(self.accountant).action_dunning_send_statement()

        self.assertQueuedAndTriggeredOnce(send_now)

    def test_statement_step_triggers_the_mail_queue_once(self):
        self.step_reminder1.write({"channel": "statement", "mail_template_id": False})
        self.create_invoice(due=day(-1))
        self.create_invoice(partner=self.customer_b, due=day(-1))
        self.assertQueuedAndTriggeredOnce(self.run_dunning)

    def test_digest_triggers_the_mail_queue_once(self):
        other = self.env["res.users"].create(
            {
                "name": "Oscar Other",
                "login": "oscar",
                "email": "oscar@company.example.com",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        self.customer.dunning_responsible_id = self.accountant
        self.customer_b.dunning_responsible_id = other
        self.create_invoice(due=day(-30))
        self.create_invoice(partner=self.customer_b, due=day(-30))
        self.run_dunning()

        def digest():
            with freeze_time(TODAY):
                self.env["account.dunning.event"]._cron_send_digest()

        self.assertQueuedAndTriggeredOnce(digest)
