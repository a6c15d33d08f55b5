# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, timedelta

from odoo import Command
from odoo.tests import TransactionCase, tagged

DUE = date(2026, 3, 10)


def day(offset):
    return DUE + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestDueStep(TransactionCase):
    """The core rule, on its own: which step is due for an invoice due on
    DUE, given its last step, the day it entered the sequence and today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        template = cls.env.ref("account_dunning.mail_template_dunning_reminder1")
        cls.sequence = cls.env["account.dunning.sequence"].create(
            {
                "name": "Rule",
                "step_ids": [
                    Command.create(
                        {
                            "name": name,
                            "offset_days": offset,
                            "channel": "email",
                            "mail_template_id": template.id,
                        }
                    )
                    for name, offset in (("J-8", -8), ("J+1", 1), ("J+14", 14), ("J+30", 30))
                ],
            }
        )
        cls.j_8, cls.j1, cls.j14, cls.j30 = cls.sequence.step_ids.sorted("offset_days")

    def due_step(self, today, last=None, entered=None, grace=1):
        entered = entered or day(-40)
        return self.sequence._get_due_step(DUE, last or self.j_8.browse(), entered, grace, today)

    def test_step_due_on_its_day_not_before(self):
        self.assertFalse(self.due_step(day(-9)))
        self.assertEqual(self.due_step(day(-8)), self.j_8)
        self.assertEqual(self.due_step(day(0), last=self.j_8).ids, [])
        self.assertEqual(self.due_step(day(1), last=self.j_8), self.j1)

    def test_steps_before_the_last_one_done_are_never_due(self):
        self.assertFalse(self.due_step(day(13), last=self.j1))
        self.assertEqual(self.due_step(day(14), last=self.j1), self.j14)
        self.assertFalse(self.due_step(day(100), last=self.j30))

    def test_after_downtime_only_the_latest_due_step(self):
        # Nothing ran between J-8 and J+20: J+14 only, not J-8, J+1 and J+14.
        self.assertEqual(self.due_step(day(20)), self.j14)
        self.assertEqual(self.due_step(day(45), last=self.j1), self.j30)

    def test_stale_steps_are_skipped_when_entering_a_sequence(self):
        # Entered on J+5: J-8 and J+1 were past by more than one day.
        self.assertFalse(self.due_step(day(5), entered=day(5)))
        self.assertFalse(self.due_step(day(13), entered=day(5)))
        self.assertEqual(self.due_step(day(14), entered=day(5)), self.j14)

    def test_step_within_the_grace_window_is_sent(self):
        # Entered on J+2: J+1 is past by one day, within the default grace.
        self.assertEqual(self.due_step(day(2), entered=day(2)), self.j1)
        # Past by two days: stale.
        self.assertFalse(self.due_step(day(3), entered=day(3)))

    def test_no_step_is_stale_for_invoices_posted_into_the_sequence(self):
        due_step = self.sequence._get_due_step(DUE, self.j_8.browse(), False, 1, day(20))
        self.assertEqual(due_step, self.j14)
        open_steps = self.sequence._get_open_steps(DUE, self.j_8.browse(), False, 1)
        self.assertEqual(open_steps, self.sequence.step_ids)

    def test_grace_window_is_a_setting(self):
        self.assertFalse(self.due_step(day(4), entered=day(4), grace=2))
        self.assertEqual(self.due_step(day(4), entered=day(4), grace=3), self.j1)
        self.assertFalse(self.due_step(day(1), entered=day(2), grace=0))

    def test_open_steps_are_ordered_and_exclude_stale_and_done(self):
        open_steps = self.sequence._get_open_steps(DUE, self.j_8, day(-2), 1)
        self.assertEqual(open_steps, self.j1 | self.j14 | self.j30)
        self.assertEqual(open_steps.mapped("offset_days"), [1, 14, 30])
        self.assertEqual(self.sequence._get_open_steps(DUE, self.j1, day(20), 1), self.j30)

    def test_step_date_is_due_date_plus_offset(self):
        self.assertEqual(self.j_8._get_date(DUE), day(-8))
        self.assertEqual(self.j30._get_date(DUE), day(30))
        self.assertEqual(self.j_8.offset_label, "D-8")
        self.assertEqual(self.j14.offset_label, "D+14")
