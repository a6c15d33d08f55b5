# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.account_dunning_event import FAILURE_REASON_LENGTH
from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestTemplates(DunningCase):
    """A partner's edits of the reminder templates: a template the run could
    not render is refused when it is saved, and a failure is told briefly."""

    def test_broken_template_is_refused_at_save(self):
        self.create_invoice(due=day(-1))
        for field, value, error in (
            ("body_html", '<p><t t-out="object.no_such_field"/></p>', "no_such_field"),
            ("body_html", '<p><t t-out="object.name("/></p>', "object.name("),
            ("subject", "{{ object.no_such_field }}", "no_such_field"),
        ):
            with (
                self.subTest(field=field, value=value),
                self.assertRaises(ValidationError) as caught,
            ):
                self.template_reminder1.write({field: value})
            message = str(caught.exception)
            self.assertIn(
                f"The email template {self.template_reminder1.display_name} of step "
                f"{self.step_reminder1.display_name} cannot be rendered:",
                message,
            )
            self.assertIn(error, message)
            self.assertLess(len(message), 500)

    def test_good_edit_saves(self):
        self.create_invoice(due=day(-1))
        self.template_reminder1.write(
            {
                "subject": "{{ object.company_id.name }}: about {{ object.name }}",
                "body_html": '<p>Hello <t t-out="object.partner_id.name"/></p>',
            }
        )
        self.assertIn("Hello", self.template_reminder1.body_html)

    def test_broken_template_is_refused_on_a_step_and_a_variant(self):
        self.create_invoice(due=day(-1))
        broken = self.template_reminder1.copy({"body_html": '<p t-out="object.no_such_field"/>'})
        with self.assertRaisesRegex(ValidationError, "no_such_field"):
            self.step_reminder2.mail_template_id = broken
        with self.assertRaisesRegex(ValidationError, "no_such_field"):
            self.env["account.dunning.step.variant"].create(
                {"step_id": self.step_reminder2.id, "name": "B", "mail_template_id": broken.id}
            )
        self.step_reminder2.mail_template_id = self.template_reminder1
        self.assertEqual(self.step_reminder2.mail_template_id, self.template_reminder1)

    def test_failure_note_keeps_the_first_lines_of_the_error(self):
        # Broken after its save: the run fails, and the error would quote the
        # whole long template.
        long_source = "<p>Our terms of payment.</p>" * 400
        self.break_template(
            self.template_reminder1, '<p><t t-out="object.no_such_field"/></p>' + long_source
        )
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
