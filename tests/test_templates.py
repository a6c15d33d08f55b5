# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import tagged

from ..models.account_dunning_run import FAILURE_REASON_LENGTH
from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestTemplates(DunningCase):
    """A partner's edits of the reminder templates: a failure is told briefly."""

    def test_failure_note_keeps_the_first_lines_of_the_error(self):
        # Saved before there was any invoice to check it on: the run fails,
        # and the error would quote the whole long template.
        long_source = "<p>Our terms of payment.</p>" * 400
        self.template_reminder1.body_html = '<p><t t-out="object.no_such_field"/></p>' + long_source
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        event = self.events(invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn("could not be rendered", event.note)
        self.assertIn("no_such_field", event.note)
        self.assertLessEqual(len(event.note), FAILURE_REASON_LENGTH)
        self.assertTrue(event.note.endswith("…"))
        note = event.activity_id.note
        self.assertIn("no_such_field", note)
        self.assertIn(invoice.name, note)
        self.assertLess(note.count("Our terms of payment."), 10)
        self.assertLess(len(note), 2000)
