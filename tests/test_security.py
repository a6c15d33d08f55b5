# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.service.model import _as_validation_error
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

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
