# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The mailer renders a template's body on many records in one rendering of
``mail.render.mixin``: each body is the one ``_render_field`` gives for its
record alone."""

from datetime import timedelta

from odoo.tests import freeze_time, tagged
from odoo.tools import format_date
from odoo.tools.cache import STAT

from ..models.account_dunning_mailer import remember
from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestMailerBatch(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_c = cls.customer_b.copy({"name": "Garage Dupont"})
        cls.invoices = cls.env["account.move"].concat(
            cls.create_invoice(due=day(-20)),
            cls.create_invoice(due=day(-3), partner=cls.customer_b),
            cls.create_invoice(due=day(-9), partner=cls.customer_c),
        )
        cls.Mailer = cls.env["account.dunning.mailer"]

    def assert_batch_renders_as_alone(self, template):
        res_ids = self.invoices.ids
        with freeze_time(day(0)):
            batch = self.Mailer._render_body_batch(template, res_ids)
            alone = {
                res_id: template._render_field("body_html", [res_id])[res_id] for res_id in res_ids
            }
        self.assertEqual(
            {res_id: str(body).strip() for res_id, body in batch.items()},
            {res_id: str(body).strip() for res_id, body in alone.items()},
        )
        return batch

    def test_the_shipped_templates_render_in_a_batch_as_alone(self):
        for template in (self.template_notice, self.template_reminder1, self.template_reminder2):
            batch = self.assert_batch_renders_as_alone(template)
            for invoice in self.invoices:
                self.assertIn(invoice.name, batch[invoice.id])
                for other in self.invoices - invoice:
                    self.assertNotIn(other.name, batch[invoice.id])

    def test_what_a_body_sets_does_not_leak_to_the_next_record(self):
        first = self.invoices[0]
        template = self.template_reminder1.copy(
            {
                "body_html": f"""
                <t t-if="object.id == {first.id}"><t t-set="flag" t-value="'set'"/></t>
                <t t-foreach="[1, 2] if object.id == {first.id} else []" t-as="item"/>
                <p>flag: <t t-out="flag or 'unset'"/>, item: <t t-out="item or 'none'"/></p>
                """
            }
        )
        batch = self.assert_batch_renders_as_alone(template)
        self.assertIn("flag: set, item: 2", batch[first.id])
        for invoice in self.invoices[1:]:
            self.assertIn("flag: unset, item: none", batch[invoice.id])

    def test_a_body_failing_on_one_record_fails_that_record_only(self):
        # The batch fails as a whole; the mailer renders one at a time to
        # find the record (see _render_fields).
        failing = self.invoices[1]
        template = self.template_reminder1.copy(
            {"body_html": f'<p t-out="1 / (object.id - {failing.id})"/>'}
        )
        with freeze_time(day(0)):
            rendered = self.Mailer._render_fields(template, self.invoices.ids)
        self.assertIsInstance(rendered[failing.id], Exception)
        for invoice in self.invoices - failing:
            self.assertNotIsInstance(rendered[invoice.id], Exception)

    def test_values_formatted_once_a_batch_are_still_each_records_own(self):
        # The batch formats a value once (format_date, format_amount): same
        # amount in two currencies, same date in two languages, each record
        # still gets its own text.
        self.env["res.lang"]._activate_lang("fr_FR")
        eur = self.setup_other_currency("EUR")
        self.customer_c.lang = "fr_FR"
        in_euros = self.create_invoice(due=day(-20), partner=self.customer_c, currency=eur)
        invoices = self.invoices | in_euros
        template = self.template_reminder1.copy(
            {
                "body_html": """
                <p t-out="format_amount(1234.5, object.currency_id)"/>
                <p t-out="format_date(object.invoice_date_due, lang_code=object.partner_id.lang)"/>
                <p t-out="format_date(object.invoice_date_due, 'MMMM')"/>
                """
            }
        )
        with freeze_time(day(0)):
            batch = self.Mailer._render_body_batch(template, invoices.ids)
            alone = {
                res_id: template._render_field("body_html", [res_id])[res_id]
                for res_id in invoices.ids
            }
        self.assertEqual(
            {res_id: str(body).strip() for res_id, body in batch.items()},
            {res_id: str(body).strip() for res_id, body in alone.items()},
        )
        self.assertIn("€", batch[in_euros.id])
        self.assertNotIn("€", batch[self.invoices[0].id])
        due = self.invoices[0].invoice_date_due
        self.assertEqual(in_euros.invoice_date_due, due)
        self.assertIn(format_date(self.env, due, lang_code="en_US"), batch[self.invoices[0].id])
        self.assertIn(format_date(self.env, due, lang_code="fr_FR"), batch[in_euros.id])
        self.assertNotEqual(
            format_date(self.env, due, lang_code="fr_FR"),
            format_date(self.env, due, lang_code="en_US"),
        )

    def test_a_remembered_function_tells_values_of_other_types_apart(self):
        calls = []
        kinds = remember(lambda value=None: calls.append(value) or type(value).__name__)
        self.assertEqual(
            [kinds(1), kinds(1.0), kinds(True), kinds(1), kinds(value=1), kinds(value=1)],
            ["int", "float", "bool", "int", "int", "int"],
        )
        self.assertEqual(calls, [1, 1.0, True, 1])
        # A value that cannot be a key is not remembered, still computed.
        self.assertEqual([kinds([1]), kinds([1])], ["list", "list"])
        self.assertEqual(len(calls), 6)

    def test_a_body_is_compiled_once_for_all_its_batches(self):
        QWeb = self.env["ir.qweb"]
        method = type(QWeb)._compile_dunning_source.__cache__.method
        counter = STAT[(self.env.registry.db_name, "ir.qweb", method)]
        template = self.template_reminder1
        with freeze_time(day(0)):
            first = self.Mailer._render_body_batch(template, self.invoices.ids)
            compiled, served = counter.miss, counter.hit
            second = self.Mailer._render_body_batch(template, self.invoices[1:].ids)
            self.assertEqual(counter.miss, compiled, "compiled again")
            self.assertEqual(counter.hit, served + 1)
            self.assertEqual(second, {res_id: first[res_id] for res_id in self.invoices[1:].ids})
            # A body changed is compiled anew, never served from the cache.
            template.body_html = template.body_html.replace(
                "Unless we are mistaken", "As far as we know"
            )
            third = self.assert_batch_renders_as_alone(template)
        self.assertEqual(counter.miss, compiled + 1)
        for invoice in self.invoices:
            self.assertIn("As far as we know", third[invoice.id])
            self.assertNotIn("As far as we know", first[invoice.id])
