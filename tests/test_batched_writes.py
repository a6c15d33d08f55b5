# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
from datetime import datetime, timedelta

from odoo import Command
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

    def message_vals(self, partner, attachment, body):
        return {
            "model": "res.partner",
            "res_id": partner.id,
            "message_type": "comment",
            "subtype_id": self.env.ref("mail.mt_comment").id,
            "subject": "Reminder",
            "body": body,
            "author_id": self.company.partner_id.id,
            "partner_ids": [Command.set(partner.ids)],
            "attachment_ids": [Command.set(attachment.ids)],
        }

    def test_messages_inserted_are_stored_as_mail_message_creates_them(self):
        Message = self.env["mail.message"].sudo()
        attachment = self.env["ir.attachment"].create({"name": "INV.pdf", "raw": b"%PDF"})
        # To sanitize: an event handler, a script, a no-break space.
        body = '<p onclick="pay()">Dear&nbsp;<b>customer</b></p><script>alert(1)</script>'
        partners = self.partner_a | self.partner_b
        # Read before: the customers' messages must show the new ones after.
        before = {partner: partner.message_ids for partner in partners}
        inserted = self.env["account.dunning.mailer"]._create_messages(
            [self.message_vals(self.partner_a, attachment, body)]
        )
        created = Message.create([self.message_vals(self.partner_b, attachment, body)])
        self.assertEqual(self.partner_a.message_ids, before[self.partner_a] | inserted)
        self.assertEqual(self.partner_b.message_ids, before[self.partner_b] | created)
        self.env.flush_all()
        self.env.invalidate_all()
        stored = [
            fname
            for fname, field in Message._fields.items()
            if field.store
            if fname not in ("id", "res_id", "partner_ids", "record_name", "message_id")
            if fname not in ("date", "create_date", "write_date")
        ]
        (inserted_values,) = inserted.read(stored, load=None)
        (created_values,) = created.read(stored, load=None)
        self.assertEqual(inserted_values.pop("id"), inserted.id)
        created_values.pop("id")
        self.assertEqual(inserted_values, created_values)
        self.assertNotIn("script", inserted.body)
        self.assertEqual(inserted.attachment_ids, attachment)
        self.assertEqual(inserted.partner_ids, self.partner_a)
        self.assertEqual(inserted.record_name, self.partner_a.display_name)
        self.assertEqual(inserted.email_from, created.email_from)
        self.assertEqual(
            inserted.message_id.split("-openerp-")[1],
            created.message_id.split("-openerp-")[1].replace(
                str(self.partner_b.id), str(self.partner_a.id)
            ),
        )
        self.assertNotEqual(inserted.message_id, created.message_id)
        self.assertLess(abs(inserted.date - created.date), timedelta(minutes=1))

    def test_a_body_of_escaped_text_is_stored_as_given(self):
        attachment = self.env["ir.attachment"].create({"name": "INV.pdf", "raw": b"%PDF"})
        body = "<p>Reminder sent to &lt;a@b.example&gt;&nbsp;(INV/1)</p>"
        note = self.env["account.dunning.mailer"]._create_messages(
            [self.message_vals(self.partner_a, attachment, body)], sanitize=False
        )
        note.invalidate_recordset()
        self.assertEqual(note.body, body)
        self.assertEqual(self.partner_a.message_ids[:1], note)

    def test_an_image_embedded_in_a_body_becomes_an_attachment_as_create_makes_it(self):
        attachment = self.env["ir.attachment"].create({"name": "INV.pdf", "raw": b"%PDF"})
        image = base64.b64encode(b"GIF89a").decode()
        body = f'<p>Our logo <img src="data:image/gif;base64,{image}"></p>'
        message = self.env["account.dunning.mailer"]._create_messages(
            [self.message_vals(self.partner_a, attachment, body)]
        )
        self.assertNotIn("base64", message.body)
        self.assertIn("/web/image/", message.body)
        self.assertEqual(len(message.attachment_ids), 2)

    def test_many2many_given_otherwise_than_set_are_refused(self):
        Message = self.env["mail.message"].sudo()
        with self.assertRaises(ValueError):
            insert_records(
                Message,
                [{"model": "res.partner", "partner_ids": [Command.link(self.partner_a.id)]}],
            )

    def mail_vals(self, partner, **vals):
        message = self.env["mail.message"].create(
            {"model": "res.partner", "res_id": partner.id, "body": "<p>Hi</p>", **vals}
        )
        return {
            "mail_message_id": message.id,
            "body_html": "<div><p>Hi</p></div>",
            "references": "<earlier@example.com>",
            "auto_delete": True,
            "headers": repr({"Return-Path": "bounce@example.com"}),
            "recipient_ids": [Command.link(partner.id), Command.link(self.partner_b.id)],
            "email_cc": "cc@example.com",
            "is_notification": True,
            "state": "outgoing",
        }

    def test_mails_and_notifications_inserted_are_stored_as_created(self):
        Mail = self.env["mail.mail"].sudo()
        Notification = self.env["mail.notification"].sudo()
        mailer = self.env["account.dunning.mailer"]
        inserted = mailer._create_mails([self.mail_vals(self.partner_a, subject="Reminder")])
        created = Mail.create([self.mail_vals(self.partner_a, subject="Reminder")])
        notified, created_notification = (
            function(
                [
                    {
                        "author_id": self.company.partner_id.id,
                        "is_read": True,
                        "mail_mail_id": mail.id,
                        "mail_message_id": mail.mail_message_id.id,
                        "notification_status": "ready",
                        "notification_type": "email",
                        "res_partner_id": self.partner_a.id,
                    }
                ]
            )
            for function, mail in (
                (mailer._create_notifications, inserted),
                (Notification.create, created),
            )
        )
        self.assertEqual(inserted.mail_message_id.notification_ids, notified)
        self.env.flush_all()
        self.env.invalidate_all()
        for new, twin, model in (
            (inserted, created, Mail),
            (notified, created_notification, Notification),
        ):
            stored = [
                fname
                for fname, field in model._fields.items()
                if field.store and not field.inherited
                if fname not in ("id", "mail_message_id", "mail_mail_id", "read_date")
                if fname not in ("create_date", "write_date")
            ]
            (new_values,) = new.read(stored, load=None)
            (twin_values,) = twin.read(stored, load=None)
            self.assertEqual(new_values.pop("id"), new.id)
            twin_values.pop("id")
            self.assertEqual(new_values, twin_values)
        self.assertEqual(inserted.recipient_ids, self.partner_a | self.partner_b)
        self.assertEqual(inserted.scheduled_date, False)
        self.assertEqual(inserted.subject, "Reminder")
        self.assertLess(
            abs(notified.read_date - created_notification.read_date), timedelta(minutes=1)
        )

    def test_a_mail_that_gives_its_message_a_subject_is_created_by_create(self):
        vals = dict(self.mail_vals(self.partner_a), subject="Your invoices")
        mail = self.env["account.dunning.mailer"]._create_mails([vals])
        mail.invalidate_recordset()
        self.assertEqual(mail.mail_message_id.subject, "Your invoices")
        self.assertEqual(mail.recipient_ids, self.partner_a | self.partner_b)

    def test_portal_tokens_given_while_rendering_are_stored(self):
        invoices = self.twins()
        invoices.sudo().write({"access_token": False})
        self.env.flush_all()
        self.env["account.dunning.mailer"]._ensure_portal_tokens(invoices)
        tokens = invoices.mapped("access_token")
        self.assertTrue(all(tokens))
        self.assertNotEqual(tokens[0], tokens[1])
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, access_token FROM account_move WHERE id IN %s", [tuple(invoices.ids)]
        )
        self.assertEqual(dict(self.env.cr.fetchall()), dict(zip(invoices.ids, tokens, strict=True)))

    def test_mails_given_more_than_inserts_store_are_created_by_create(self):
        mailer = self.env["account.dunning.mailer"]
        replaced = dict(
            self.mail_vals(self.partner_a), recipient_ids=[Command.set(self.partner_b.ids)]
        )
        scheduled = dict(self.mail_vals(self.partner_a), scheduled_date="2026-03-11 08:00:00")
        mails = mailer._create_mails([replaced, scheduled])
        mails.invalidate_recordset()
        self.assertEqual(mails[0].recipient_ids, self.partner_b)
        self.assertEqual(mails[1].scheduled_date, datetime(2026, 3, 11, 8, 0))
        self.assertEqual(mails[1].recipient_ids, self.partner_a | self.partner_b)
