# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The mailer records an email exactly as ``message_post`` does with the
same values: one reminder sent through each to two identical customers,
compared field by field."""

import re
from ast import literal_eval
from datetime import timedelta

from lxml import html

from odoo.tests import freeze_time, tagged

from ..models.account_dunning_mailer import EMAIL_LAYOUT
from .common import TODAY, DunningCase


@tagged("post_install", "-at_install")
class TestMailer(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["mail", "account_dunning"], ["fr_FR"])
        # Two customers alike but for their email address.
        cls.twin_a, cls.twin_b = cls.env["res.partner"].create(
            [
                {
                    "name": "Twin Bakery",
                    "is_company": True,
                    "email": email,
                    "lang": "fr_FR",
                    "user_id": cls.salesperson.id,
                }
                for email in ("a@twin.example.com", "b@twin.example.com")
            ]
        )
        cls.invoice_a = cls.create_invoice(partner=cls.twin_a, due=TODAY - timedelta(days=2))
        cls.invoice_b = cls.create_invoice(partner=cls.twin_b, due=TODAY - timedelta(days=2))
        cls.template = cls.template_reminder1

    def _send_both(self):
        """The reminder of twin A through the mailer, that of twin B through
        ``message_post`` with the values the mailer rendered for it."""
        Mailer = self.env["account.dunning.mailer"]
        # An earlier discussion, in the References of the emails.
        self.earlier = {
            twin: twin.message_post(
                body="Earlier", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            for twin in (self.twin_a, self.twin_b)
        }
        with freeze_time(TODAY):
            (sent,), failures = Mailer._send([(self.twin_a, self.invoice_a)], self.template)
            self.assertFalse(failures)
            mail_a = sent[3]
            values = Mailer._render([self.invoice_b], self.template)[self.invoice_b.id]
            message_a = mail_a.mail_message_id
            # The mailer posts as the company, never subscribing the user
            # running it (a scheduled run, not a person's post): what
            # message_post does with mail_create_nosubscribe. Its layout
            # always shows the company's footer (Odoo's context key).
            message_b = self.twin_b.with_context(
                mail_create_nosubscribe=True, email_notification_force_footer=True
            ).message_post(
                body=values["body_html"],
                subject=values["subject"],
                message_type="comment",
                partner_ids=self.twin_b.ids,
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid=EMAIL_LAYOUT,
                author_id=self.company.partner_id.id,
                email_from=message_a.email_from,
                reply_to=message_a.reply_to,
                attachment_ids=self.template.attachment_ids.ids,
                mail_server_id=self.template.mail_server_id.id,
                mail_auto_delete=self.template.auto_delete,
                force_send=False,
            )
            # The mailer subscribes the customer's dunning responsible, so
            # that replies reach them: done by hand after message_post.
            self.twin_b.sudo()._message_subscribe(
                partner_ids=self.invoice_b._get_dunning_responsible().partner_id.ids
            )
        mail_b = self.env["mail.mail"].search([("mail_message_id", "=", message_b.id)])
        self.assertEqual(len(mail_b), 1)
        return message_a, mail_a, message_b, mail_b

    def _normalise(self, text, twin, invoice, message):
        """What legitimately differs between the twins: ids, tokens, the
        invoice's name and the message's id."""
        text = str(text or "")
        for value, stand_in in (
            (message.message_id, "MESSAGE-ID"),
            (self.earlier[twin].message_id, "EARLIER-ID"),
            (invoice.access_token, "TOKEN"),
            (invoice.name, "INVOICE"),
            (twin.email, "EMAIL"),
        ):
            text = text.replace(value, stand_in)
        text = re.sub(r"res\.partner-%d\b" % twin.id, "res.partner-ID", text)
        text = re.sub(r"/(my|dunning)/[\w/-]*%d\b" % invoice.id, r"/\1/INVOICE-PATH", text)
        text = re.sub(r"/dunning/[\w-]+", "/dunning/PAGE", text)
        text = re.sub(r"\b(access_token|token|hash|pid|signature)=[\w.-]*", r"\1=X", text)
        return text

    @staticmethod
    def _split_layout(body):
        """(the layout without its header and the message, the message's
        text). The mailer gives customers the button to their page, which
        shows the header (Odoo gives customers no button on a contact, so no
        header); it lays out the message as the template rendered it,
        message_post the chatter's copy, whose styles and no-break spaces
        the sanitizer rewrites: the same text."""
        tree = html.fromstring(body)
        for node in tree.xpath("//div[@itemscope]|//div[@summary='o_mail_notification']"):
            node.drop_tree()
        message = tree.xpath("//div[@style='font-size: 13px;']")[0]
        text = re.sub(r"\s+", " ", message.text_content())
        for child in message:
            message.remove(child)
        message.text = "MESSAGE"
        # The spaces the header was indented with are left.
        return re.sub(r">\s+<", "><", html.tostring(tree, encoding="unicode")), text

    def test_reminder_is_recorded_as_message_post_records_it(self):
        message_a, mail_a, message_b, mail_b = self._send_both()

        def norm_a(text):
            return self._normalise(text, self.twin_a, self.invoice_a, message_a)

        def norm_b(text):
            return self._normalise(text, self.twin_b, self.invoice_b, message_b)

        # The message.
        for fname in (
            "model",
            "message_type",
            "subtype_id",
            "author_id",
            "author_guest_id",
            "email_from",
            "reply_to",
            "attachment_ids",
            "record_name",
            "email_layout_xmlid",
            "mail_server_id",
            "is_internal",
            "email_add_signature",
            "record_alias_domain_id",
            "record_company_id",
            "parent_id",
            "mail_activity_type_id",
        ):
            self.assertEqual(message_a[fname], message_b[fname], fname)
        self.assertEqual(norm_a(message_a.subject), norm_b(message_b.subject))
        self.assertEqual(norm_a(message_a.body), norm_b(message_b.body))
        self.assertEqual(message_a.partner_ids, self.twin_a)
        self.assertEqual(message_b.partner_ids, self.twin_b)
        self.assertEqual(message_a.res_id, self.twin_a.id)
        self.assertEqual(message_b.res_id, self.twin_b.id)
        # The mail.
        header = html.fromstring(mail_a.body_html).xpath("//div[@summary='o_mail_notification']")
        self.assertIn("/dunning/", header[0].xpath("string(.//a/@href)"))
        self.assertIn("Voir et payer en ligne", header[0].text_content())
        self.assertIn("Twin Bakery", header[0].text_content())
        # _render_encapsulate makes the links absolute, as the mail queue
        # does when it sends message_post's mail.
        body_b = self.env["mail.render.mixin"]._replace_local_links(mail_b.body_html)
        layout_a, text_a = self._split_layout(mail_a.body_html)
        layout_b, text_b = self._split_layout(body_b)
        self.assertEqual(norm_a(layout_a), norm_b(layout_b))
        self.assertEqual(norm_a(text_a), norm_b(text_b))
        self.assertIn("Twin Bakery", text_a)
        for fname in ("email_cc", "state", "auto_delete", "is_notification"):
            self.assertEqual(mail_a[fname], mail_b[fname], fname)
        self.assertEqual(mail_a.recipient_ids, self.twin_a)
        self.assertEqual(mail_b.recipient_ids, self.twin_b)
        self.assertEqual(norm_a(mail_a.references), norm_b(mail_b.references))
        self.assertIn("EARLIER-ID MESSAGE-ID", norm_a(mail_a.references))
        self.assertEqual(literal_eval(norm_a(mail_a.headers)), literal_eval(norm_b(mail_b.headers)))
        # The notifications.
        for notif_a, notif_b in zip(
            message_a.notification_ids, message_b.notification_ids, strict=True
        ):
            for fname in ("notification_type", "notification_status", "is_read", "author_id"):
                self.assertEqual(notif_a[fname], notif_b[fname], fname)
        self.assertEqual(message_a.notification_ids.res_partner_id, self.twin_a)
        self.assertEqual(message_b.notification_ids.res_partner_id, self.twin_b)
        self.assertEqual(message_a.notification_ids.mail_mail_id, mail_a)
        self.assertEqual(message_b.notification_ids.mail_mail_id, mail_b)
        # The followers after.
        self.assertEqual(
            self.twin_a.message_follower_ids.partner_id,
            self.twin_b.message_follower_ids.partner_id,
        )
        self.assertTrue(self.twin_a.message_follower_ids)
        self.assertEqual(
            self.twin_a.message_follower_ids.mapped("subtype_ids"),
            self.twin_b.message_follower_ids.mapped("subtype_ids"),
        )
