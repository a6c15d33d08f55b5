# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import freeze_time, tagged

from .common import TODAY, DunningCase

COMPARED = (
    "dunning_step_id",
    "dunning_step_date_due",
    "dunning_last_failed",
    "dunning_start_date",
    "dunning_next_step_id",
    "dunning_next_date",
    "dunning_status",
    "write_uid",
)


@tagged("post_install", "-at_install")
class TestBatchedWrites(DunningCase):
    """The engine moves invoices to their step in one UPDATE: stored as the
    ORM's write stores it, with the same fields recomputed."""

    def twins(self):
        return self.create_invoice(due=TODAY - timedelta(days=1)) | self.create_invoice(
            partner=self.customer_b, due=TODAY - timedelta(days=1)
        )

    def assert_same(self, vals):
        batched, written = self.twins()
        with freeze_time(TODAY):
            batched._dunning_write_step(vals)
            written._dunning_write(dict(vals, dunning_step_date_due=written.dunning_date_due))
            self.env.flush_all()
        self.env.invalidate_all()
        for fname in COMPARED:
            self.assertEqual(batched[fname], written[fname], fname)
        self.assertEqual(batched.dunning_step_id.id, vals["dunning_step_id"])
        self.assertTrue(batched.write_date)
        return batched

    def test_a_step_done_is_stored_as_the_orm_stores_it(self):
        batched = self.assert_same(
            {"dunning_step_id": self.step_reminder1.id, "dunning_last_failed": False}
        )
        self.assertEqual(batched.dunning_next_step_id, self.step_reminder2, "recomputed")
        self.assertEqual(batched.dunning_step_date_due, batched.dunning_date_due)

    def test_a_failed_step_is_stored_as_the_orm_stores_it(self):
        batched = self.assert_same(
            {"dunning_step_id": self.step_reminder2.id, "dunning_last_failed": True}
        )
        self.assertTrue(batched.dunning_last_failed)

    def test_no_step_and_a_start_date_cleared(self):
        self.assert_same({"dunning_step_id": False, "dunning_start_date": False})
