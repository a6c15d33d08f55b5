# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, timedelta

from odoo.models import INSERT_BATCH_SIZE
from odoo.tests import freeze_time, tagged

from ..models.batch_insert import insert_records
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

    def test_events_inserted_in_one_statement_are_stored_as_the_orm_creates_them(self):
        inserted_move, created_move = self.twins()
        Event = self.env["account.dunning.event"].sudo()
        # Read before: the invoices' events must show the new ones after.
        self.assertFalse((inserted_move | created_move).dunning_event_ids)
        self.assertEqual(inserted_move.dunning_status, "on_track")
        with freeze_time(TODAY):
            inserted = insert_records(
                Event,
                [
                    Event._prepare_event_vals(
                        inserted_move, self.step_reminder1, "pending", TODAY, note="Waits"
                    )
                ],
            )
            created = Event.create(
                [
                    Event._prepare_event_vals(
                        created_move, self.step_reminder1, "pending", TODAY, note="Waits"
                    )
                ]
            )
            self.assertEqual(inserted_move.dunning_event_ids, inserted)
            self.assertEqual(created_move.dunning_event_ids, created)
            self.assertEqual(inserted_move.dunning_status, "approval", "recomputed")
            self.assertEqual(inserted_move.dunning_status, created_move.dunning_status)
            self.env.flush_all()
        self.env.invalidate_all()
        stored = [
            fname
            for fname, field in Event._fields.items()
            if field.store and fname not in ("id", "move_id", "partner_id")
        ]
        (inserted_values,) = inserted.read(stored, load=None)
        (created_values,) = created.read(stored, load=None)
        self.assertEqual(inserted_values.pop("id"), inserted.id)
        created_values.pop("id")
        self.assertEqual(inserted_values, created_values)
        self.assertEqual(inserted.move_id, inserted_move)
        self.assertEqual(inserted.partner_id, inserted_move.commercial_partner_id)
        self.assertEqual(inserted.sequence_id, self.step_reminder1.sequence_id)

    def test_only_stored_columns_are_inserted(self):
        Event = self.env["account.dunning.event"].sudo()
        with self.assertRaises(ValueError):
            insert_records(Event, [{"activity_state": "Done"}])
        self.assertEqual(insert_records(Event, []), Event)

    def test_a_value_given_for_some_records_only_leaves_the_others_their_default(self):
        first, second = self.twins()
        Event = self.env["account.dunning.event"].sudo()
        vals_list = [
            Event._prepare_event_vals(move, self.step_reminder1, "failed", TODAY)
            for move in (first, second)
        ]
        vals_list[0]["sent_at"] = datetime(2020, 1, 1, 8, 0)
        del vals_list[1]["state"]
        with freeze_time(datetime(2026, 3, 4, 10, 30)):
            events = insert_records(Event, vals_list)
        events.invalidate_recordset()
        self.assertEqual(
            events.mapped("sent_at"), [datetime(2020, 1, 1, 8, 0), datetime(2026, 3, 4, 10, 30)]
        )
        self.assertEqual(events.mapped("state"), ["failed", "sent"])

    def test_more_records_than_one_statement_takes_keep_their_order(self):
        invoice = self.twins()[0]
        Event = self.env["account.dunning.event"].sudo()
        vals_list = [
            Event._prepare_event_vals(invoice, self.step_reminder1, "sent", TODAY, note=str(index))
            for index in range(INSERT_BATCH_SIZE + 3)
        ]
        events = insert_records(Event, vals_list)
        self.assertEqual(len(set(events.ids)), INSERT_BATCH_SIZE + 3)
        events.invalidate_recordset()
        self.assertEqual(
            events.mapped("note"), [str(index) for index in range(INSERT_BATCH_SIZE + 3)]
        )
        self.assertEqual(invoice.dunning_event_ids, events)
