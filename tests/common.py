# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import contextlib
from datetime import date, timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.osv import expression
from odoo.tests import freeze_time

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = date(2026, 3, 10)


class DunningCase(AccountTestInvoicingCommon):
    """Invoices, customers and a four-step sequence with the steps of the
    payment plans' messages, like the default one but without PDF
    attachments so that most tests need no wkhtmltopdf run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.company.partner_id.tz = "Europe/Paris"
        cls.company.email = "billing@company.example.com"
        # wkhtmltopdf fetches the styles of the PDFs from report.url: never
        # from the server running these tests, whose cursor this test holds
        # (Odoo's runner points web.base.url to it once an HttpCase ran).
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Sally Sales",
                "login": "sally",
                "email": "sally@company.example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set(cls.env.ref("base.group_user").ids)],
            }
        )
        cls.template_notice = cls.env.ref("account_dunning.mail_template_dunning_notice")
        cls.template_reminder1 = cls.env.ref("account_dunning.mail_template_dunning_reminder1")
        cls.template_reminder2 = cls.env.ref("account_dunning.mail_template_dunning_reminder2")
        cls.sequence = cls.env["account.dunning.sequence"].create(
            {
                "name": "Test sequence",
                "company_id": cls.company.id,
                "is_default": True,
                "step_ids": [
                    Command.create(
                        {
                            "name": "Notice",
                            "offset_days": -8,
                            "channel": "email",
                            "mail_template_id": cls.template_notice.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Reminder 1",
                            "offset_days": 1,
                            "channel": "email",
                            "mail_template_id": cls.template_reminder1.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Reminder 2",
                            "offset_days": 14,
                            "channel": "email",
                            "mail_template_id": cls.template_reminder2.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Call",
                            "offset_days": 30,
                            "channel": "phone",
                        }
                    ),
                    # The payment plans' messages, as a new sequence has them.
                    *cls.env["account.dunning.sequence"]._get_default_plan_steps(),
                ],
            }
        )
        cls.step_notice, cls.step_reminder1, cls.step_reminder2, cls.step_call = (
            cls.sequence.reminder_step_ids.sorted("offset_days")
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Bistrot du Port",
                "is_company": True,
                "email": "contact@bistrot.example.com",
                "user_id": cls.salesperson.id,
            }
        )
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Atelier Martin",
                "is_company": True,
                "email": "atelier@martin.example.com",
            }
        )

    # Helpers ----------------------------------------------------------

    @classmethod
    def add_thank_you_step(cls, sequence=None, template=None):
        """The step of ``sequence`` (the test sequence by default) sent when
        its invoices are paid, with the module's thank-you template."""
        return cls.env["account.dunning.step"].create(
            {
                "sequence_id": (sequence or cls.sequence).id,
                "name": "Thank you",
                "trigger": "paid",
                "channel": "email",
                "mail_template_id": (
                    template or cls.env.ref("account_dunning.mail_template_dunning_thank_you")
                ).id,
            }
        )

    @classmethod
    def create_accountant(cls):
        """An accountant with the invoicing and Dunning User rights only."""
        return cls.env["res.users"].create(
            {
                "name": "Alice Accountant",
                "login": "alice",
                "email": "alice@company.example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("account.group_account_invoice").id,
                            cls.env.ref("account_dunning.group_account_dunning_user").id,
                        ]
                    )
                ],
            }
        )

    @classmethod
    def create_invoicing_user(cls):
        """A user with the invoicing rights only, not a Dunning User."""
        return cls.env["res.users"].create(
            {
                "name": "Ivan Invoicing",
                "login": "ivan",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [Command.set(cls.env.ref("account.group_account_invoice").ids)],
            }
        )

    @classmethod
    def create_invoice(
        cls,
        partner=None,
        due=TODAY,
        amount=1000.0,
        post=True,
        move_type="out_invoice",
        currency=None,
        company=None,
        entered=None,
    ):
        """A customer invoice due on ``due``, issued and posted on the day
        ``entered`` (by default 40 days before its due date)."""
        company = company or cls.company
        entered = entered or min(due - timedelta(days=40), TODAY)
        with freeze_time(entered):
            move = (
                cls.env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": move_type,
                        "partner_id": (partner or cls.customer).id,
                        "invoice_date": entered,
                        "invoice_date_due": due,
                        "currency_id": (currency or company.currency_id).id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Consulting",
                                    "quantity": 1,
                                    "price_unit": amount,
                                    "tax_ids": [],
                                }
                            )
                        ],
                    }
                )
            )
            if post:
                move.action_post()
        return move

    @classmethod
    def break_template(cls, template, body):
        """Store ``body`` in ``template`` past the check of its save, as a
        template that breaks after it was saved (a field of an uninstalled
        module): the check renders it on any posted invoice, demo data's
        included."""
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s::text)"
            " WHERE id = %s",
            (body, template.id),
        )
        template.invalidate_recordset(["body_html"])

    @classmethod
    def pay(cls, invoice, amount=None, day=TODAY):
        with freeze_time(day):
            register = (
                cls.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"payment_date": day, **({"amount": amount} if amount else {})})
            )
            return register._create_payments()

    def run_dunning(self, day=TODAY, **kwargs):
        with freeze_time(day):
            self.env["account.dunning.run"]._cron_run_dunning(**kwargs)
        self.env.invalidate_all()

    def events(self, moves):
        return self.env["account.dunning.event"].search([("move_id", "in", moves.ids)], order="id")

    def mails(self, partner):
        return self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)], order="id"
        )


class AccountantCase(DunningCase):
    """What an accountant with the Dunning User rights does on the screens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.create_accountant()

    def as_accountant(self, records):
        return records.with_user(self.accountant).with_context(tracking_disable=False)


class CommittedDataMixin:
    """For tests whose transactions commit, as workers do in production:
    their own cursors, and the dunning data they created removed afterwards.
    Needs ``self.registry``, ``self.partner_ids`` and ``self.move_ids``."""

    @contextlib.contextmanager
    def env_cursor(self):
        """A transaction of its own, committed when the block ends."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def delete_dunning_data(self, env, payments=None):
        """Remove, committed, the customers and invoices of the test with
        their reminders, messages, emails, activities and ``payments``."""
        moves = env["account.move"].browse(self.move_ids).exists()
        partners = env["res.partner"].browse(self.partner_ids)
        payments = payments or env["account.payment"]
        documents = [
            ("res.partner", partners.ids),
            ("account.move", (moves | payments.move_id).ids),
            ("account.payment", payments.ids),
        ]
        messages = env["mail.message"].search(
            expression.OR(
                [[("model", "=", model), ("res_id", "in", ids)] for model, ids in documents]
            )
        )
        env["mail.mail"].search([("mail_message_id", "in", messages.ids)]).unlink()
        messages.unlink()
        env["mail.activity"].search(
            [("res_model", "=", "account.move"), ("res_id", "in", moves.ids)]
        ).unlink()
        env["account.dunning.event"].search([("move_id", "in", moves.ids)]).unlink()
        payments.action_draft()
        payments.unlink()
        moves.button_draft()
        moves.with_context(force_delete=True).unlink()
        partners.unlink()
