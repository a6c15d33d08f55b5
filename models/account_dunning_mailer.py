# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import uuid

from lxml import html
from markupsafe import Markup

from odoo import Command, _, api, fields, models

from odoo.addons.mail.models.mail_message import _image_dataurl

from .batch_insert import insert_records

_logger = logging.getLogger(__name__)

# The fields of a template an email is made of.
RENDER_FIELDS = ("subject", "body_html", "email_from", "reply_to", "email_cc")
# What QWeb sets beside the variable of a t-foreach.
LOOP_SUFFIXES = ("index", "value", "size", "first", "last", "odd", "even", "parity")
# Odoo's layout of invoice emails: logo, company colours and address.
EMAIL_LAYOUT = "mail.mail_notification_layout_with_responsible_signature"


def remember(function):
    """``function``, its result kept for arguments of the same types and
    values (a pure function of them)."""
    results = {}

    def remembered(*args, **kwargs):
        key = (
            tuple((type(arg), arg) for arg in args),
            tuple((name, type(arg), arg) for name, arg in sorted(kwargs.items())),
        )
        try:
            return results[key]
        except KeyError:
            results[key] = function(*args, **kwargs)
            return results[key]
        except TypeError:  # an argument that cannot be a key
            return function(*args, **kwargs)

    return remembered


class AccountDunningMailer(models.AbstractModel):
    """The one way an email of the module leaves: a ``mail.template``
    rendered by ``mail.render.mixin`` in the customer's language, laid out
    by ``_render_encapsulate`` in Odoo's email layout with the context
    ``message_post`` builds, and recorded as ``message_post`` records it
    (message, mail, notifications) on the customer's chatter, in batches
    whose values come from the ``_prepare_*`` methods."""

    _name = "account.dunning.mailer"
    _description = "Dunning Emails"

    # Sending ------------------------------------------------------------

    @api.model
    def _send(self, groups, template, edits=None, attach_invoices=False, upcoming=None):
        """Render and queue one email of ``template`` per customer of
        ``groups`` ([(customer, its invoices)]), about its invoices; the
        invoices of ``upcoming`` in an "also coming due" block.

        :param edits: {oldest invoice id: {"subject": ..., "body_html": ...}}
            for emails edited by a person before sending
        :param attach_invoices: attach the PDFs of the invoices
        :return: ([(customer, invoices, recipients, mail)],
                  [(customer, invoices, reason)])
        """
        sendable, failures = [], []
        for partner, moves in groups:
            recipients = partner._get_reminder_recipients()
            if recipients:
                sendable.append((partner, moves, recipients))
            else:
                failures.append((partner, moves, self._get_no_email_reason(partner)))
        rendered = self._render(
            [moves for _p, moves, _r in sendable], template=template, upcoming=upcoming
        )
        renderable = []
        for partner, moves, recipients in sendable:
            values = rendered[moves[:1].id]
            if isinstance(values, Exception):
                reason = _(
                    "The email template %(template)s could not be rendered: %(error)s",
                    template=template.display_name,
                    error=values,
                )
                failures.append((partner, moves, reason))
            else:
                values.update((edits or {}).get(moves[:1].id, {}))
                renderable.append((partner, moves, recipients, values))
        attachments = (
            self._get_invoice_attachments(
                self.env["account.move"].concat(*(group[1] for group in renderable))
            )
            if attach_invoices
            else {}
        )
        to_send = []
        for partner, moves, recipients, values in renderable:
            pdf_error = next(
                (
                    (move, attachments[move.id])
                    for move in moves
                    if isinstance(attachments.get(move.id), Exception)
                ),
                None,
            )
            if pdf_error:
                reason = _(
                    "The PDF of invoice %(invoice)s could not be generated: %(error)s",
                    invoice=pdf_error[0].name,
                    error=pdf_error[1],
                )
                failures.append((partner, moves, reason))
            else:
                values["attachment_ids"] = [
                    attachments[move.id].id for move in moves if move.id in attachments
                ]
                to_send.append((partner, moves, recipients, values))
        mails = self._queue(to_send, template)
        sent = [
            (partner, moves, recipients, mail)
            for (partner, moves, recipients, _values), mail in zip(to_send, mails, strict=True)
        ]
        return sent, failures

    @api.model
    def _get_no_email_reason(self, partner):
        """Why a customer's email fails: nobody to send it to."""
        return _(
            "The customer %(customer)s has no email address, nor has any of its invoice "
            "contacts.",
            customer=partner.display_name,
        )

    @api.model
    def _trigger_mail_queue(self):
        """Ask the mail queue to send, once this transaction is committed,
        the emails queued in it, rather than at its hourly run; say when
        they leave. Every sender of the module calls it when it has queued
        emails: one trigger per transaction sends them all."""
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        if not cron or not cron.sudo().active:
            return _(
                "The outgoing mail queue is stopped: they leave when an administrator "
                "starts it again."
            )
        if not self._is_mail_queue_triggered(cron):
            cron.sudo()._trigger()
        return _("They leave with the mail queue, in the next few minutes.")

    @api.model
    def _is_mail_queue_triggered(self, cron):
        """Whether this transaction already triggered the mail queue: its
        triggers bear the transaction's time (one rolled back with a
        savepoint is gone). Another transaction's trigger is not enough:
        the queue may be running it already, before these emails are
        committed."""
        return bool(
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count(
                [("cron_id", "=", cron.id), ("create_date", "=", self.env.cr.now())], limit=1
            )
        )

    # Rendering ----------------------------------------------------------

    @api.model
    def _render(self, move_groups, template, upcoming=None):
        """Render ``template`` once per group of invoices, in the language
        of its customer (``_classify_per_lang``).

        The template is rendered on the oldest invoice of each group, with
        the group's invoices in ``object.dunning_reminder_move_ids``, but for
        those of ``upcoming``, not due yet: they follow the body in an "also
        coming due" block. A template that fails on one group fails that
        group only.

        :return: {lead invoice id: {field: rendered value} or the exception}
        """
        if not move_groups:
            return {}
        upcoming = upcoming or self.env["account.move"]
        self._ensure_portal_tokens(self.env["account.move"].concat(*move_groups))
        template = template.with_context(
            dunning_reminder_groups=tuple(
                (moves[:1].id, tuple((moves - upcoming or moves).ids)) for moves in move_groups
            )
        )
        lead_ids = [moves[:1].id for moves in move_groups]
        try:
            per_lang = template._classify_per_lang(lead_ids)
        except Exception as error:  # noqa: BLE001 - templates are user code
            return dict.fromkeys(lead_ids, error)
        results = {}
        coming = {moves[:1].id: moves & upcoming for moves in move_groups}
        for lang_template, lang_ids in per_lang.values():
            for res_id, values in self._render_fields(lang_template, lang_ids).items():
                if not isinstance(values, Exception) and coming[res_id]:
                    values["body_html"] += self._render_upcoming_block(
                        coming[res_id], lang_template.env.lang
                    )
                results[res_id] = values
        return results

    @api.model
    def _render_fields(self, template, res_ids):
        """The fields of an email rendered by the template, all records at
        once, then one at a time when one fails, to find which.

        :return: {res_id: {field: value} or the exception}
        """
        try:
            return self._render_fields_batch(template, res_ids)
        except Exception:  # noqa: BLE001 - templates are user code
            _logger.info("Dunning: rendering %s one record at a time.", template.display_name)
        results = {}
        for res_id in res_ids:
            try:
                results.update(self._render_fields_batch(template, [res_id]))
            except Exception as error:  # noqa: BLE001 - templates are user code
                results[res_id] = error
        return results

    @api.model
    def _render_fields_batch(self, template, res_ids):
        rendered = {
            fname: template._render_field(fname, res_ids)
            for fname in RENDER_FIELDS
            if fname != "body_html"
        }
        rendered["body_html"] = self._render_body_batch(template, res_ids)
        return {
            res_id: {fname: rendered[fname][res_id] for fname in RENDER_FIELDS}
            for res_id in res_ids
        }

    @api.model
    def _render_body_batch(self, template, res_ids):
        """The template's body rendered on ``res_ids`` by ``mail.render.mixin``
        in one rendering: Odoo compiles an inline QWeb body anew for each
        record (``ir.qweb`` caches views, not inline templates), which cost
        most of an email. The body is rendered in a loop over the records,
        compiled once, and cut at a mark written before each record; what
        the body sets is unset before each record, so that each body is the
        one rendered alone, then post-processed as ``_render_field`` does.

        :return: {res_id: body}
        """
        source = template.body_html
        if len(res_ids) < 2 or not source:
            return template._render_field("body_html", res_ids)
        mark = f"dunning-{uuid.uuid4().hex}"
        model = template.render_model
        batch_source = self._prepare_body_batch_source(source)
        # Compiled once per source (see ir_qweb.py), not once per batch.
        output = template.with_context(dunning_compiled_source=batch_source)._render_template(
            batch_source,
            model,
            res_ids[:1],
            engine="qweb",
            add_context={
                **self._prepare_batch_formatters(template),
                "dunning_records": template.env[model].browse(res_ids),
                "dunning_mark": Markup(mark),
            },
        )[res_ids[0]]
        bodies = output.split(mark)[1:]
        if len(bodies) != len(res_ids):
            raise ValueError(f"{template.display_name}: the body writes its own mark")
        return template._render_template_postprocess(
            model, {res_id: Markup(body) for res_id, body in zip(res_ids, bodies, strict=True)}
        )

    @api.model
    def _prepare_batch_formatters(self, template):
        """``format_date`` and ``format_amount`` of the template's rendering
        context, each value formatted once per batch: the invoices of a
        batch share their dates, and an invoice's amount due is its total
        until a payment. Odoo looks the language up anew at each call,
        which was most of the cost of an invoice's line."""
        context = template._render_eval_context()
        return {name: remember(context[name]) for name in ("format_date", "format_amount")}

    @api.model
    def _prepare_body_batch_source(self, source):
        """A template's body in a loop over ``dunning_records``, each
        ``object`` in turn, after the mark and the reset of every variable
        the body sets (``t-set``, and ``t-as`` with those QWeb derives)."""
        names = set()
        for node in html.fragment_fromstring(source, create_parent="div").iter():
            if not isinstance(node.tag, str):
                continue
            if node.get("t-set"):
                names.add(node.get("t-set"))
            if node.get("t-as"):
                names.add(node.get("t-as"))
                names.update(f"{node.get('t-as')}_{suffix}" for suffix in LOOP_SUFFIXES)
        resets = "".join(f'<t t-set="{name}" t-value="None"/>' for name in sorted(names))
        return (
            '<t t-foreach="dunning_records" t-as="object">'
            f'{resets}<t t-out="dunning_mark"/>{source}</t>'
        )

    @api.model
    def _render_upcoming_block(self, moves, lang):
        """The "also coming due" block of a reminder: the customer's
        invoices whose notice the reminder gives, in its language, with the
        render context of the templates. A QWeb view, so that partners
        change it by inheritance."""
        env = self.with_context(lang=lang).env
        return env["ir.qweb"]._render(
            "account_dunning.reminder_upcoming_invoices",
            dict(
                env["mail.render.mixin"]._render_eval_context(),
                invoices=moves.with_env(env).sorted(lambda move: (move.dunning_date_due, move.id)),
                lang=lang,
            ),
            lang=lang,
        )

    @api.model
    def _ensure_portal_tokens(self, moves):
        """Give the invoices without one the access token of their payment
        link, all stored in one UPDATE when the ORM flushes: the portal
        would write each invoice on its own while the templates render."""
        missing = moves.filtered(lambda move: not move.access_token)
        if missing:
            missing.sudo()._dunning_set_values(
                {"access_token": [str(uuid.uuid4()) for _move in missing]}
            )

    @api.model
    def _render_layout(self, message, body, msg_vals, partner, company, lang):
        """The email's body in the company's email layout, in ``lang``, with
        the context ``message_post`` renders it with for the customer, and
        the button to the customer's page, where it pays online, and the
        company's address in the footer of every email. The layout shows
        ``body`` as the template rendered it, rather than the chatter's copy
        sanitized (where the sanitizer writes no-break spaces as entities):
        the email reads as the template's preview."""
        record = partner.with_context(lang=lang, email_notification_force_footer=True)
        render_values = record._notify_by_email_prepare_rendering_context(
            message, msg_vals=msg_vals, force_email_company=company, force_email_lang=lang
        )
        groups = record._notify_get_recipients_groups_fillup(
            record._notify_get_recipients_groups(
                message, render_values["model_description"], msg_vals=msg_vals
            ),
            render_values["model_description"],
            msg_vals=msg_vals,
        )
        customer_group = next(data for name, _func, data in groups if name == "customer")
        add_context = dict(
            render_values,
            message=message.new({"body": body}, origin=message),
            **self._prepare_layout_group(customer_group, partner, company, record.env),
        )
        return (
            self.env["mail.render.mixin"]
            .with_context(lang=lang)
            ._render_encapsulate(
                msg_vals["email_layout_xmlid"],
                body,
                add_context=add_context,
                context_record=record,
            )
        )

    @api.model
    def _prepare_layout_group(self, group, partner, company, env):
        """The recipients' group of the layout: Odoo's for customers, with
        the button to the customer's page (Odoo gives customers no button
        on a contact)."""
        return dict(
            group,
            has_button_access=True,
            button_access={
                "url": self.env["account.dunning.portal"]._get_customer_page_url(partner, company),
                "title": env._("View and pay online"),
            },
        )

    # Queueing -----------------------------------------------------------

    @api.model
    def _prepare_message_vals(self, partner, moves, recipients, values, template):
        """Values of the ``mail.message`` of an email, logged on the
        customer's chatter: those ``message_post`` creates."""
        company = moves[:1].company_id
        email_from = (
            values["email_from"] or company.email_formatted or self.env.user.email_formatted
        )
        return {
            "model": "res.partner",
            "res_id": partner.id,
            "message_type": "comment",
            "subtype_id": values["subtype_id"],
            "subject": values["subject"] or False,
            "body": values["body_html"],
            "author_id": company.partner_id.id,
            "author_guest_id": False,
            "email_from": email_from,
            "reply_to": values.get("reply_to") or values["default_reply_to"],
            "parent_id": False,
            "partner_ids": [(6, 0, recipients.ids)],
            "attachment_ids": [(6, 0, template.attachment_ids.ids + values["attachment_ids"])],
            "record_name": partner.display_name,
            "record_alias_domain_id": values["record_alias_domain_id"],
            "record_company_id": values["record_company_id"],
            "email_add_signature": True,
            "mail_server_id": template.mail_server_id.id,
            "email_layout_xmlid": EMAIL_LAYOUT,
        }

    @api.model
    def _prepare_mail_vals(
        self, message, msg_vals, partner, moves, recipients, values, template, references
    ):
        """Values of the ``mail.mail`` that sends an email, as
        ``_notify_thread_by_email`` makes them
        (``_notify_by_email_get_base_mail_values``, whose References are
        given by ``_get_references`` for all the emails at once), with the
        template's cc."""
        lang = partner.lang or self.env.lang
        body = self._render_layout(
            message, values["body_html"], msg_vals, partner, moves[:1].company_id, lang
        )
        bounce = message.sudo().record_alias_domain_id.bounce_email
        headers = partner._notify_by_email_get_headers(
            headers={"Return-Path": bounce} if bounce else {}
        )
        mail_vals = {
            "mail_message_id": message.id,
            "references": references,
            "auto_delete": template.auto_delete,
        }
        if not message.subject:
            mail_vals["subject"] = partner._message_compute_subject()
        if headers:
            mail_vals["headers"] = repr(headers)
        mail_vals = partner._notify_by_email_get_final_mail_values(
            recipients.ids, mail_vals, additional_values={"body_html": body}
        )
        mail_vals.update(
            email_cc=values["email_cc"] or False, is_notification=True, state="outgoing"
        )
        return mail_vals

    @api.model
    def _get_references(self, messages):
        """{message: its References}, as ``_notify_by_email_get_base_mail_values``
        gives them one message at a time: up to three earlier messages of
        the thread among its last 32, public discussions first, then the
        message itself; for all the messages in one query."""
        earlier = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", messages.mapped("res_id")),
                    ("id", "not in", messages.ids),
                    ("subtype_id", "!=", False),
                    ("message_id", "!=", False),
                ],
                order="id DESC",
            )
            .grouped("res_id")
        )
        outgoing_types = ("comment", "auto_comment", "email", "email_outgoing")
        references = {}
        for message in messages:
            ancestors = (
                earlier.get(message.res_id, self.env["mail.message"].sudo())[:32]
                .sorted(
                    lambda m: (
                        not m.is_internal and not m.subtype_id.internal,
                        m.message_type in outgoing_types,
                        m.message_type != "user_notification",
                    ),
                    reverse=True,
                )[:3]
                .sorted("id")
            )
            references[message] = " ".join((ancestors + message.sudo()).mapped("message_id"))
        return references

    @api.model
    def _prepare_notification_vals(self, message, mail, recipients):
        """Values of the ``mail.notification`` of each recipient of an
        email, as ``_notify_thread_by_email`` makes them."""
        return [
            {
                "author_id": message.author_id.id,
                "is_read": True,
                "mail_mail_id": mail.id,
                "mail_message_id": message.id,
                "notification_status": "ready",
                "notification_type": "email",
                "res_partner_id": recipient.id,
            }
            for recipient in recipients
        ]

    @api.model
    def _queue(self, to_send, template):
        """Queue one email per customer, logged on the customer's chatter,
        and have the mail queue send them once the transaction is committed.

        The mail and its message are created in the same transaction as the
        events, so an email is either recorded and queued, or neither.
        """
        if not to_send:
            return self.env["mail.mail"]
        partners = self.env["res.partner"].concat(*(group[0] for group in to_send))
        reply_tos = partners._notify_get_reply_to()
        alias_domains = partners.sudo()._mail_get_alias_domains(default_company=self.env.company)
        companies = partners._mail_get_companies(default=self.env.company)
        subtype_id = self.env.ref("mail.mt_comment").id
        for partner, _moves, _recipients, values in to_send:
            values.update(
                default_reply_to=reply_tos.get(partner.id),
                subtype_id=subtype_id,
                record_alias_domain_id=alias_domains[partner.id].id,
                record_company_id=companies[partner.id].id,
            )
        msg_vals_list = [
            self._prepare_message_vals(partner, moves, recipients, values, template)
            for partner, moves, recipients, values in to_send
        ]
        messages = self._create_messages(msg_vals_list)
        references = self._get_references(messages)
        mails = self._create_mails(
            [
                self._prepare_mail_vals(
                    message,
                    # No tracking on these messages: no search for it.
                    dict(msg_vals, tracking_value_ids=[]),
                    partner,
                    moves,
                    recipients,
                    values,
                    template,
                    references[message],
                )
                for message, msg_vals, (partner, moves, recipients, values) in zip(
                    messages, msg_vals_list, to_send, strict=True
                )
            ]
        )
        self._create_notifications(
            [
                vals
                for message, mail, (_p, _m, recipients, _v) in zip(
                    messages, mails, to_send, strict=True
                )
                for vals in self._prepare_notification_vals(message, mail, recipients)
            ]
        )
        self._hook_subscribe_responsibles(to_send)
        self._trigger_mail_queue()
        return mails

    @api.model
    def _queue_mails(self, vals_list):
        """Queue emails of no record's chatter (the digest of the
        responsibles, to themselves): mails only, as Odoo's own
        notifications without a thread are, sent by the mail queue."""
        mails = self.env["mail.mail"].sudo().create(vals_list)
        if mails:
            self._trigger_mail_queue()
        return mails

    @api.model
    def _create_messages(self, vals_list, sanitize=True):
        """Create ``mail.message`` records from the values ``message_post``
        would use, in one batch, stored as ``mail.message``'s ``create``
        stores them (``_prepare_message_insert_vals``) but inserted in SQL:
        per message, the ORM's create (which adds it to the messages of
        every model with a chatter, and sanitizes its body twice) cost more
        than the rest of its email. A body with an embedded image, which
        ``create`` turns into an attachment, goes through ``create``.

        :param sanitize: False for bodies of escaped text only, built here
        """
        Message = self.env["mail.message"].sudo()
        if any(_image_dataurl.search(vals.get("body") or "") for vals in vals_list):
            return Message.create(vals_list)
        messages = insert_records(
            Message,
            [self._prepare_message_insert_vals(vals) for vals in vals_list],
            raw=() if sanitize else ("body",),
        )
        documents = {}
        for vals in vals_list:
            if Message.is_thread_message(vals):
                documents.setdefault(vals["model"], set()).add(vals["res_id"])
        for model, res_ids in documents.items():
            # What ``_invalidate_documents`` reads again after ``create``.
            self.env[model].browse(res_ids).invalidate_recordset(
                ["message_ids", "message_needaction", "message_needaction_counter"]
            )
        return messages

    @api.model
    def _create_mails(self, vals_list):
        """Create the ``mail.mail`` of messages created before, from the
        values ``_notify_thread_by_email`` gives ``create``: inserted as
        ``mail.mail``'s ``create`` stores them, or by ``create`` when they
        also change their message (a subject for a message with none), give
        their recipients otherwise than by adding them, or a date to send
        them on (which ``create`` parses)."""
        Mail = self.env["mail.mail"].sudo()
        if any(
            Mail._fields[fname].inherited
            or (fname == "recipient_ids" and any(cmd[0] != Command.LINK for cmd in value or []))
            or (fname == "scheduled_date" and value)
            for vals in vals_list
            for fname, value in vals.items()
        ):
            return Mail.create(vals_list)
        return insert_records(Mail, [self._prepare_mail_insert_vals(vals) for vals in vals_list])

    @api.model
    def _prepare_mail_insert_vals(self, vals):
        """The values ``mail.mail``'s ``create`` stores for ``vals``: a
        notification of its message, to send now, to its recipients."""
        vals = dict(vals, scheduled_date=False)
        vals.setdefault("is_notification", bool(vals.get("mail_message_id")))
        links = vals.pop("recipient_ids", None) or []
        vals["recipient_ids"] = [Command.set([link[1] for link in links])]
        return vals

    @api.model
    def _create_notifications(self, vals_list):
        """Create the ``mail.notification`` of the recipients of emails
        sent by the module, inserted as its ``create`` stores them."""
        now = fields.Datetime.now()
        return insert_records(
            self.env["mail.notification"].sudo(),
            [dict(vals, read_date=now) if vals.get("is_read") else vals for vals in vals_list],
        )

    @api.model
    def _prepare_message_insert_vals(self, vals):
        """The values ``mail.message``'s ``create`` stores for ``vals``: its
        Message-Id and, if not given, its sender, reply-to and record name."""
        Message = self.env["mail.message"]
        vals = dict(vals)
        if "email_from" not in vals:
            vals["email_from"] = self.env["mail.thread"]._message_compute_author(
                vals.get("author_id"), email_from=None, raise_on_email=False
            )[1]
        if not vals.get("message_id"):
            vals["message_id"] = Message._get_message_id(vals)
        if "reply_to" not in vals:
            vals["reply_to"] = Message._get_reply_to(vals)
        if "record_name" not in vals:
            vals["record_name"] = Message._get_record_name(vals)
        return vals

    @api.model
    def _hook_subscribe_responsibles(self, to_send):
        """Replies to an email land on the customer's chatter, where the
        email is: make the customer's dunning responsible a follower of
        it, once, with the subtypes ``_message_subscribe`` gives (decided by
        ``_add_default_followers``, which skips those already following),
        the followers of a batch inserted at once."""
        partners_by_responsible = {}
        for partner, moves, _recipients, _values in to_send:
            responsible = moves[:1]._get_dunning_responsible()
            if responsible and not responsible._is_public():
                partners_by_responsible.setdefault(responsible, self.env["res.partner"])
                partners_by_responsible[responsible] |= partner
        Followers = self.env["mail.followers"].sudo().with_context(default_partner_id=False)
        vals_list = []
        for responsible, partners in partners_by_responsible.items():
            new, _updates = Followers._add_default_followers(
                "res.partner", partners.ids, responsible.partner_id.ids
            )
            vals_list.extend(
                dict(values, res_id=res_id)
                for res_id, values_list in new.items()
                for values in values_list
            )
        insert_records(Followers, vals_list)._invalidate_documents(vals_list)

    # Invoice PDFs -------------------------------------------------------

    @api.model
    def _get_invoice_attachments(self, moves):
        """{invoice id: its PDF attachment, or the error}. The invoice's
        stored PDF is reused; the missing ones are rendered and stored as
        Odoo stores them when it sends an invoice."""
        missing = moves.filtered(lambda move: not move.invoice_pdf_report_id)
        errors = missing._dunning_store_invoice_pdfs()
        attachments = {move.id: move.invoice_pdf_report_id for move in moves}
        attachments.update(errors)
        return attachments
