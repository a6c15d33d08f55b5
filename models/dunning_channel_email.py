# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import ast
import datetime
import logging
import textwrap
import uuid

import babel.dates
from lxml import html
from markupsafe import Markup, escape

from odoo import _, api, models, tools
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id, html_to_inner_content
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from odoo.addons.base.models.res_lang import intersperse

from .html_batch import create_with_html

_logger = logging.getLogger(__name__)

HEADER_FIELDS = ("subject", "email_from", "reply_to", "email_cc")
# Odoo's layout of invoice emails: logo, company colours and address.
EMAIL_LAYOUT = "mail.mail_notification_layout_with_responsible_signature"
# Stand-ins rendered once in the layout, replaced in each email.
LAYOUT_BODY = "___DUNNING_BODY___"
LAYOUT_URL = "___DUNNING_URL___"
LAYOUT_TITLE = "___DUNNING_TITLE___"
LAYOUT_PREVIEW = "___DUNNING_PREVIEW___"
# The preview of an email, as mail.message computes it: what mail clients
# show of it in the list of emails.
PREVIEW_LENGTH = 190


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    @api.model
    def _get_dunning_channels(self):
        channels = super()._get_dunning_channels()
        channels["email"] |= {"review", "variants", "bounces"}
        return channels

    @api.model
    def _get_step_problems(self, step):
        problems = super()._get_step_problems(step)
        if step.channel == "email" and not step.mail_template_id:
            problems.append(
                _("The email step %(step)s needs an email template.", step=step.name or "")
            )
        return problems

    def _send_by_email(
        self, step, groups, today, template=None, edits=None, send_again=False, upcoming=None
    ):
        """One email per customer, queued; its events stay queued until the
        mail server takes it. Each customer gets the template of its variant
        of the step, if the step has variants, rendered in one batch per
        template.

        :param template: the template to use instead of the step's
        :param edits: {oldest invoice id: {"subject": ..., "body_html": ...}}
            for emails edited by a person before sending
        :param send_again: a person confirmed sending although the invoices
            were already reminded today
        :param upcoming: invoices of ``groups`` not due yet, whose notice the
            email gives in an "also coming due" block
        """
        variants = self._get_email_variants(step, groups, template)
        vals_list = []
        for batch_template, batch in self._group_by_template(
            step, groups, template, variants
        ).items():
            vals_list += self._send_email_batch(
                step, batch, today, batch_template, variants, edits, send_again, upcoming
            )
        return vals_list

    @api.model
    def _get_email_variants(self, step, groups, template=None):
        """{customer: the variant of ``step`` it gets} for the customers of
        ``groups``. With ``template`` chosen by a person, only the customers
        whose variant has that very template record it."""
        chosen = step._get_variant_for([partner for partner, _moves in groups])
        if template:
            return {
                partner: variant
                for partner, variant in chosen.items()
                if variant.mail_template_id == template
            }
        return {partner: variant for partner, variant in chosen.items() if variant}

    @api.model
    def _group_by_template(self, step, groups, template, variants):
        """{template: groups} to send: ``template`` for all when a person
        chose it, else each customer's variant's, or the step's."""
        if template:
            return {template: groups}
        batches = {}
        for partner, moves in groups:
            variant = variants.get(partner)
            key = variant.mail_template_id if variant else step.mail_template_id
            batches.setdefault(key, []).append((partner, moves))
        return batches

    def _send_email_batch(
        self, step, groups, today, template, variants, edits, send_again, upcoming=None
    ):
        """Send ``template`` to the customers of ``groups``; the values of
        the events, with the variant of each customer."""
        if not template:
            reason = _("The step %(step)s has no email template.", step=step.display_name)
            return self.env["account.dunning.event"]._prepare_failure_vals(
                step, [(partner, moves, reason) for partner, moves in groups], today
            )
        sent, failures = self._send_emails(
            groups, template, edits=edits, attach_invoices=step.attach_invoice, upcoming=upcoming
        )
        Event = self.env["account.dunning.event"]
        vals_list = []
        for partner, moves, recipients, mail in sent:
            note = _(
                "Sent to %(recipients)s.",
                recipients=", ".join(recipients.mapped("email_formatted")),
            )
            if send_again:
                note += " " + _(
                    "Sent again by %(user)s although already reminded today.",
                    user=self.env.user.name,
                )
            variant_id = variants[partner].id if partner in variants else False
            vals_list += [
                Event._prepare_event_vals(
                    move,
                    step,
                    "queued",
                    today,
                    mail_id=mail.id,
                    message_id=mail.mail_message_id.id,
                    note=note,
                    variant_id=variant_id,
                )
                for move in moves
            ]
        self._log_on_invoices(step, sent)
        return vals_list + self.env["account.dunning.event"]._prepare_failure_vals(
            step, failures, today
        )

    def _send_emails(self, groups, template, edits=None, attach_invoices=False, upcoming=None):
        """Render and queue one email per customer of ``groups``; the
        invoices of ``upcoming`` in an "also coming due" block.

        :return: ([(customer, invoices, recipients, mail)],
                  [(customer, invoices, reason)])
        """
        sendable, failures = [], []
        for partner, moves in groups:
            recipients = self._get_reminder_recipients(partner)
            if recipients:
                sendable.append((partner, moves, recipients))
            else:
                failures.append((partner, moves, self._get_no_email_reason(partner)))
        rendered = self._render_reminder_emails(
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
        mails = self._queue_reminder_emails(to_send, template)
        sent = [
            (partner, moves, recipients, mail)
            for (partner, moves, recipients, _values), mail in zip(to_send, mails, strict=True)
        ]
        return sent, failures

    @api.model
    def _get_reminder_recipients(self, partner):
        """Who receives a customer's reminders."""
        return partner._get_reminder_recipients()

    @api.model
    def _get_no_email_reason(self, partner):
        """Why a customer's email reminder fails: nobody to send it to."""
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
    def _render_reminder_emails(self, move_groups, template, upcoming=None):
        """Render ``template`` once per group of invoices.

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
            bodies = self._render_bodies(lang_template, lang_ids)
            headers = self._render_headers(lang_template, lang_ids)
            for res_id in lang_ids:
                body, header = bodies[res_id], headers[res_id]
                failure = next((v for v in (body, header) if isinstance(v, Exception)), None)
                if not failure and coming[res_id]:
                    body += self._render_upcoming_block(coming[res_id], lang_template.env.lang)
                results[res_id] = failure or dict(header, body_html=body)
        return results

    @api.model
    def _render_upcoming_block(self, moves, lang):
        """The "also coming due" block of a reminder: the customer's
        invoices whose notice the reminder gives, in its language. A QWeb
        view, so that partners change it by inheritance."""
        env = self.with_context(lang=lang).env
        return env["ir.qweb"]._render(
            "account_dunning.reminder_upcoming_invoices",
            dict(
                self._get_render_formatters(env),
                invoices=moves.with_env(env).sorted(lambda move: (move.dunning_date_due, move.id)),
                lang=lang,
            ),
            lang=lang,
        )

    @api.model
    def _ensure_portal_tokens(self, moves):
        """Give the invoices without one the access token of their payment
        link, in one query: the portal would write each invoice on its own
        while the templates render."""
        missing = moves.filtered(lambda move: not move.access_token)
        if not missing:
            return
        self.env.flush_all()
        values = SQL(",").join(SQL("(%s, %s)", move.id, str(uuid.uuid4())) for move in missing)
        self.env.cr.execute(
            SQL(
                "UPDATE account_move m SET access_token = v.token"
                " FROM (VALUES %s) AS v(id, token)"
                " WHERE m.id = v.id AND m.access_token IS NULL",
                values,
            )
        )
        missing.invalidate_recordset(["access_token"])

    @api.model
    def _render_bodies(self, template, res_ids):
        """Render a template's QWeb body on many records, compiled once,
        then post-processed as ``mail.render.mixin`` does (its safety checks
        and URL rewriting).

        :return: {res_id: rendered body or the exception}
        """
        results = dict.fromkeys(res_ids, Markup(""))
        if not template.body_html:
            return results
        try:
            # The mixin's check that a person without the right to edit
            # templates does not run a changed one.
            template._check_access_right_dynamic_template()
        except Exception as error:  # noqa: BLE001 - reported on the reminders
            return dict.fromkeys(res_ids, error)
        values = template._render_eval_context()
        values.update(self._get_render_formatters(template.env))
        ir_qweb = template.env["ir.qweb"]._prepare_environment(values)
        try:
            functions, def_name = self._compile_body(ir_qweb, template.body_html)
        except Exception as error:  # noqa: BLE001 - templates are user code
            return dict.fromkeys(res_ids, error)
        rendered = {}
        for record in template.env[template.render_model].browse(res_ids):
            try:
                output = "".join(functions[def_name](ir_qweb, dict(values, object=record)))
            except Exception as error:  # noqa: BLE001 - templates are user code
                results[record.id] = error
                continue
            # Drop the <div> wrapper added to parse several root nodes.
            rendered[record.id] = Markup(output[5:-6])
        results.update(template._render_template_postprocess(template.render_model, rendered))
        return results

    @api.model
    def _compile_body(self, ir_qweb, source):
        """The QWeb functions of a template's body, compiled once per
        transaction: Odoo compiles an inline template at each rendering,
        and compiling cost more than rendering a whole batch. The key holds
        the source itself and the options that change the compiled code."""
        key = (
            "account_dunning.compiled_body",
            str(source),
            tuple(ir_qweb.env.context.get(k) for k in ir_qweb._get_template_cache_keys()),
        )
        cache = self.env.cr.cache
        if key not in cache:
            wrapper = html.fragment_fromstring(source, create_parent="div")
            cache[key] = ir_qweb._compile(wrapper)
        return cache[key]

    @api.model
    def _get_render_formatters(self, env):
        """``format_amount`` and ``format_date`` for the templates, giving
        what Odoo's give (``odoo.tools.format_amount``, ``format_date``)
        with each language's data read once per rendering instead of once
        per amount or date: they were most of the cost of a reminder with
        many invoices."""
        langs = {}

        def lang_data(lang_code):
            if lang_code not in langs:
                data = get_lang(env, lang_code)
                locale = babel_locale_parse(data.code)
                langs[lang_code] = (
                    data,
                    ast.literal_eval(data.grouping),
                    locale,
                    posix_to_ldml(data.date_format, locale=locale),
                )
            return langs[lang_code]

        def format_amount(amount, currency, lang_code=False):
            data, grouping, _locale, _date_format = lang_data(lang_code)
            parts = (f"%.{currency.decimal_places}f" % currency.round(amount)).split(".")
            parts[0] = intersperse(parts[0], grouping, data.thousands_sep or "")[0]
            number = (
                data.decimal_point.join(parts)
                .replace(" ", "\N{NO-BREAK SPACE}")
                .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
            )
            symbol = currency.symbol or ""
            if currency.position == "before":
                return f"{symbol}\N{NO-BREAK SPACE}{number}"
            return f"{number}\N{NO-BREAK SPACE}{symbol}"

        def format_date(value, date_format=False, lang_code=False):
            if date_format or type(value) is not datetime.date:
                return tools.format_date(env, value, lang_code=lang_code, date_format=date_format)
            _data, _grouping, locale, ldml = lang_data(lang_code)
            return babel.dates.format_date(value, format=ldml, locale=locale)

        return {"format_amount": format_amount, "format_date": format_date}

    @api.model
    def _render_headers(self, template, res_ids):
        """Render subject, sender, reply-to and cc of a template.

        :return: {res_id: {field: value} or the exception}
        """
        try:
            return self._render_header_fields(template, res_ids)
        except Exception:  # noqa: BLE001 - templates are user code
            _logger.info("Dunning: rendering %s one record at a time.", template.display_name)
        results = {}
        for res_id in res_ids:
            try:
                results.update(self._render_header_fields(template, [res_id]))
            except Exception as error:  # noqa: BLE001 - templates are user code
                results[res_id] = error
        return results

    @api.model
    def _render_header_fields(self, template, res_ids):
        rendered = {fname: template._render_field(fname, res_ids) for fname in HEADER_FIELDS}
        return {
            res_id: {fname: rendered[fname][res_id] for fname in HEADER_FIELDS}
            for res_id in res_ids
        }

    @api.model
    def _get_layout_parts(self, company, lang):
        """Odoo's email layout of ``company`` in ``lang``, the customer's
        language, every word of it (header, button, footer), rendered once
        with stand-ins for the body, its preview, the link and the title of
        each email."""
        cache = self.env.context.get("dunning_layout_cache")
        key = (company.id, lang)
        if cache is not None and key in cache:
            return cache[key]
        env = self.with_context(lang=lang).env
        message = env["mail.message"].new({"body": Markup(LAYOUT_BODY), "preview": LAYOUT_PREVIEW})
        layout = env["ir.qweb"]._render(
            EMAIL_LAYOUT,
            {
                "message": message,
                "subtype": env.ref("mail.mt_comment"),
                "tracking_values": [],
                "is_discussion": True,
                "record": company.partner_id.with_env(env),
                "record_name": LAYOUT_TITLE,
                "subtitles": [LAYOUT_TITLE],
                "model_description": False,
                "company": company.with_env(env),
                "author_user": False,
                "email_add_signature": False,
                "signature": "",
                "lang": lang,
                "website_url": company.website,
                "is_html_empty": lambda value: not value,
                "email_notification_force_header": False,
                "email_notification_force_footer": True,
                "email_notification_allow_header": True,
                "email_notification_allow_footer": True,
                "has_button_access": True,
                "button_access": {"url": LAYOUT_URL, "title": env._("View and pay online")},
                "actions": [],
            },
            minimal_qcontext=True,
            raise_if_not_found=False,
            lang=lang,
        )
        if cache is not None:
            cache[key] = layout
        return layout

    @api.model
    def _render_reminder_layout(self, partner, moves, values):
        """The email's body in the company's layout, as mail.mail sends it."""
        company = moves[:1].company_id
        lang = partner.lang or self.env.lang
        layout = self._get_layout_parts(company, lang)
        if not layout:
            return values["body_html"]
        preview = textwrap.shorten(html_to_inner_content(values["body_html"]), PREVIEW_LENGTH)
        return Markup(
            layout.replace(LAYOUT_PREVIEW, escape(preview))
            .replace(LAYOUT_BODY, values["body_html"])
            .replace(
                LAYOUT_URL,
                escape(self.env["account.dunning.portal"]._get_customer_page_url(partner, company)),
            )
            .replace(LAYOUT_TITLE, escape(partner.display_name))
        )

    # Queueing -----------------------------------------------------------

    @api.model
    def _prepare_reminder_message_vals(self, partner, moves, recipients, values, template):
        """Values of the ``mail.message`` of a reminder, logged on the
        customer's chatter, as ``message_post`` would create it."""
        company = moves[:1].company_id
        email_from = (
            values["email_from"] or company.email_formatted or self.env.user.email_formatted
        )
        return {
            "model": "res.partner",
            "res_id": partner.id,
            "message_type": "comment",
            "subtype_id": values.get("subtype_id") or self.env.ref("mail.mt_comment").id,
            "subject": values["subject"],
            "body": values["body_html"],
            "author_id": company.partner_id.id,
            "email_from": email_from,
            "reply_to": values.get("reply_to") or values.get("default_reply_to"),
            "partner_ids": [(6, 0, recipients.ids)],
            "attachment_ids": [(6, 0, template.attachment_ids.ids + values["attachment_ids"])],
            "record_name": partner.display_name,
            "mail_server_id": template.mail_server_id.id,
            "email_layout_xmlid": EMAIL_LAYOUT,
        }

    @api.model
    def _prepare_reminder_mail_vals(self, message, partner, moves, recipients, values, template):
        """Values of the ``mail.mail`` that sends a reminder: its body in the
        company's email layout."""
        return {
            "mail_message_id": message.id,
            "body_html": self._render_reminder_layout(partner, moves, values),
            "recipient_ids": [(6, 0, recipients.ids)],
            "email_cc": values["email_cc"],
            "auto_delete": template.auto_delete,
            "is_notification": True,
            "references": message.message_id,
            "state": "outgoing",
        }

    @api.model
    def _queue_reminder_emails(self, to_send, template):
        """Queue one email per customer, logged on the customer's chatter,
        and have the mail queue send them once the transaction is committed.

        The mail and its message are created in the same transaction as the
        events, so a reminder is either recorded and queued, or neither.
        """
        if not to_send:
            return self.env["mail.mail"]
        partners = self.env["res.partner"].concat(*(group[0] for group in to_send))
        reply_tos = partners._notify_get_reply_to()
        subtype_id = self.env.ref("mail.mt_comment").id
        for partner, _moves, _recipients, values in to_send:
            values.update(default_reply_to=reply_tos.get(partner.id), subtype_id=subtype_id)
        messages = self._create_messages(
            [
                self._prepare_reminder_message_vals(partner, moves, recipients, values, template)
                for partner, moves, recipients, values in to_send
            ]
        )
        run = self.with_context(dunning_layout_cache={})
        mails = (
            self.env["mail.mail"]
            .sudo()
            .create(
                [
                    run._prepare_reminder_mail_vals(
                        message, partner, moves, recipients, values, template
                    )
                    for message, (partner, moves, recipients, values) in zip(
                        messages, to_send, strict=True
                    )
                ]
            )
        )
        self.env["mail.notification"].sudo().create(
            [
                {
                    "mail_message_id": mail.mail_message_id.id,
                    "mail_mail_id": mail.id,
                    "res_partner_id": recipient.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                    "is_read": True,
                }
                for mail, (_p, _m, recipients, _v) in zip(mails, to_send, strict=True)
                for recipient in recipients
            ]
        )
        self._subscribe_responsibles(to_send)
        self._trigger_mail_queue()
        return mails

    @api.model
    def _create_messages(self, vals_list, sanitize=True):
        """Create ``mail.message`` records from the values ``message_post``
        would use, in one batch (see ``create_with_html``).

        :param sanitize: False for bodies of escaped text only, built here
        """
        return create_with_html(
            self.env["mail.message"].sudo(), vals_list, "body", sanitize=sanitize
        )

    @api.model
    def _subscribe_responsibles(self, to_send):
        """Replies to a reminder land on the customer's chatter, where the
        reminder is: make the customer's dunning responsible a follower of
        it, once."""
        partners_by_responsible = {}
        for partner, moves, _recipients, _values in to_send:
            responsible = moves[:1]._get_dunning_responsible()
            if responsible and not responsible._is_public():
                partners_by_responsible.setdefault(responsible, self.env["res.partner"])
                partners_by_responsible[responsible] |= partner
        for responsible, partners in partners_by_responsible.items():
            # Those already following are skipped in SQL by the followers' insert.
            partners.sudo()._message_subscribe(partner_ids=responsible.partner_id.ids)

    @api.model
    def _log_on_invoices(self, step, sent):
        """Leave one note per reminder, on the chatter of its oldest invoice,
        naming all its invoices: each invoice's dunning timeline links to
        the email itself, and a note per invoice was the costliest part of a
        reminder to customers owing many invoices."""
        # The notes are plain text, escaped: nothing to sanitize.
        return self._create_messages(self._prepare_invoice_notes_vals(step, sent), sanitize=False)

    @api.model
    def _prepare_invoice_notes_vals(self, step, sent):
        """Values of the notes logged on the oldest invoice of each reminder
        of ``sent``, as ``_message_log_batch`` would create them."""
        Move = self.env["account.move"]
        author_id, email_from = Move._message_compute_author(raise_on_email=False)
        base_vals = {
            "model": "account.move",
            "author_id": author_id,
            "email_from": email_from,
            "message_type": "notification",
            "is_internal": True,
            "subtype_id": self.env.ref("mail.mt_note").id,
            "email_add_signature": False,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "record_name": False,
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
        }
        vals_list = []
        for _partner, moves, recipients, _mail in sent:
            body = _(
                "%(step)s sent by email to %(recipients)s (%(invoices)s).",
                step=step.display_name,
                recipients=", ".join(recipients.mapped("email_formatted")),
                invoices=", ".join(moves.mapped("name")),
            )
            vals_list.append(
                dict(
                    base_vals,
                    res_id=moves[:1].id,
                    message_id=generate_tracking_message_id("message-notify"),
                    body=escape(body),
                )
            )
        return vals_list

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
