# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import uuid
from datetime import timedelta

import psycopg2
from lxml import html
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_amount, format_date

_logger = logging.getLogger(__name__)

INVOICE_REPORT = "account.account_invoices"
LETTER_REPORT = "account_dunning.action_report_dunning_letter"
FORMAL_NOTICE_REPORT = "account_dunning.action_report_dunning_formal_notice"
HEADER_FIELDS = ("subject", "email_from", "reply_to", "email_cc")


class AccountDunningStep(models.Model):
    _name = "account.dunning.step"
    _description = "Dunning Step"
    _order = "sequence_id, offset_days, id"
    _check_company_auto = True
    # Beyond ten years, a step is a typing mistake that would overflow the
    # date arithmetic of every run.
    _max_days = 3650

    sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="sequence_id.company_id",
        store=True,
        index=True,
    )
    name = fields.Char(required=True, translate=True)
    offset_days = fields.Integer(
        string="Days From Due Date",
        required=True,
        default=0,
        help="When the step is due, in days from the invoice due date: "
        "-8 is eight days before it (D-8), 14 is two weeks after it (D+14).",
    )
    offset_label = fields.Char(string="When", compute="_compute_offset_label")
    channel = fields.Selection(
        [
            ("email", "Email"),
            ("letter", "Letter"),
            ("formal_notice", "Formal Notice"),
            ("phone", "Phone Call"),
            ("manual", "Manual Action"),
        ],
        required=True,
        default="email",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "account.move")],
        ondelete="restrict",
        help="Rendered on the customer's oldest invoice of the reminder; the "
        "template lists all of them with object.dunning_reminder_move_ids.",
    )
    auto = fields.Boolean(
        string="Automatic",
        default=True,
        help="Run by itself when due. Unset, the step waits in the list of "
        "reminders to approve until a Dunning User approves or rejects it.",
    )
    attach_invoice = fields.Boolean(
        string="Attach Invoices",
        help="Attach the PDF of each invoice to the email.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
        help="Activity created by phone and manual steps.",
    )
    payment_delay_days = fields.Integer(
        string="Payment Expected Within (days)",
        default=8,
        help="Phone calls, manual actions and formal notices ask for payment "
        "within this many days: the final deadline of a formal notice.",
    )
    activity_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        domain=[("share", "=", False)],
        help="Who gets the activity of a phone or manual step. Empty: the "
        "customer's dunning responsible, else the salesperson.",
    )

    _sql_constraints = [
        (
            "offset_days_range",
            f"CHECK (offset_days BETWEEN -{_max_days} AND {_max_days})",
            "A dunning step must be due at most 3650 days before or after the due date.",
        ),
        (
            "payment_delay_days_range",
            f"CHECK (payment_delay_days BETWEEN 0 AND {_max_days})",
            "The payment delay of a dunning step must be between 0 and 3650 days.",
        ),
        # Also when two people save steps at the same time. Checked at commit,
        # so that _check_offset_unique explains the usual mistake first.
        (
            "offset_days_unique",
            "UNIQUE (sequence_id, offset_days) DEFERRABLE INITIALLY DEFERRED",
            "Two steps of a dunning sequence cannot fall on the same day.",
        ),
    ]

    @api.depends("offset_days")
    def _compute_offset_label(self):
        for step in self:
            step.offset_label = _("D%(offset)+d", offset=step.offset_days)

    @api.depends("name", "offset_label")
    def _compute_display_name(self):
        for step in self:
            step.display_name = f"{step.name} ({step.offset_label})"

    @api.constrains("offset_days", "payment_delay_days")
    def _check_days_range(self):
        for step in self:
            if abs(step.offset_days) > self._max_days:
                raise ValidationError(
                    _(
                        "Step %(step)s is due %(days)s days from the due date: a step "
                        "must be due at most %(max)s days before or after it.",
                        step=step.name,
                        days=step.offset_days,
                        max=self._max_days,
                    )
                )
            if not 0 <= step.payment_delay_days <= self._max_days:
                raise ValidationError(
                    _(
                        "Step %(step)s expects payment within %(days)s days: the delay "
                        "must be between 0 and %(max)s days.",
                        step=step.name,
                        days=step.payment_delay_days,
                        max=self._max_days,
                    )
                )

    @api.constrains("offset_days", "sequence_id")
    def _check_offset_unique(self):
        for step in self:
            twins = step.sequence_id.step_ids.filtered(
                lambda other, step=step: other != step and other.offset_days == step.offset_days
            )
            if twins:
                raise ValidationError(
                    _(
                        "Steps %(step)s and %(other)s of sequence %(sequence)s are "
                        "both on %(when)s: give each step its own day.",
                        step=step.name,
                        other=twins[0].name,
                        sequence=step.sequence_id.name,
                        when=step.offset_label,
                    )
                )

    @api.constrains("channel", "mail_template_id")
    def _check_mail_template(self):
        for step in self:
            if step.channel == "email" and not step.mail_template_id:
                raise ValidationError(
                    _(
                        "The email step %(step)s of sequence %(sequence)s needs an "
                        "email template.",
                        step=step.name,
                        sequence=step.sequence_id.name,
                    )
                )

    @api.constrains("mail_template_id")
    def _check_mail_template_model(self):
        for step in self:
            if step.mail_template_id and step.mail_template_id.model != "account.move":
                raise ValidationError(
                    _(
                        "The email template %(template)s of step %(step)s is for "
                        "%(model)s: dunning templates are rendered on invoices "
                        "(Journal Entry, account.move).",
                        template=step.mail_template_id.display_name,
                        step=step.name,
                        model=step.mail_template_id.model,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        steps = super().create(vals_list)
        steps.sequence_id._get_open_dunning_moves()._dunning_recompute_next()
        return steps

    def write(self, vals):
        res = super().write(vals)
        if "offset_days" in vals or "sequence_id" in vals:
            self.sequence_id._get_open_dunning_moves()._dunning_recompute_next()
        return res

    def unlink(self):
        self._forget_in_invoices()
        sequences = self.sequence_id
        res = super().unlink()
        sequences._get_open_dunning_moves()._dunning_recompute_next()
        return res

    def action_open_mail_template(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.template",
            "res_id": self.mail_template_id.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _forget_in_invoices(self):
        """Before deleting steps: invoices whose last step done is one of them
        take the step before it instead, so that they do not get the steps
        they were already past again."""
        moves = self.env["account.move"].sudo().search([("dunning_step_id", "in", self.ids)])
        for step, step_moves in moves.grouped("dunning_step_id").items():
            previous = (step.sequence_id.step_ids - self).filtered(
                lambda other, step=step: other.offset_days <= step.offset_days
            )
            step_moves._dunning_write({"dunning_step_id": previous.sorted("offset_days")[-1:].id})

    def _get_date(self, due_date):
        """Date this step is due for an invoice due on ``due_date``."""
        self.ensure_one()
        return due_date + timedelta(days=self.offset_days)

    def _run(self, groups, today):
        """Run this step for ``groups``, a list of (customer, invoices).

        :return: values of the events to create, one per invoice
        """
        self.ensure_one()
        if not self.auto:
            return self._run_approval(groups, today)
        return self._run_channel(groups, today)

    def _run_isolated(self, groups, today, approved=False, **options):
        """Run this step (``approved``: as approved by a person) so that an
        unexpected error fails, visibly, the reminders of the customer it
        comes from, and no other. ``options`` go to the channel's method.

        Transient database errors (a concurrent update, a lock) still abort
        the batch: the scheduler runs it again.
        """
        try:
            with self.env.cr.savepoint():
                if approved:
                    return self._run_channel(groups, today, **options)
                return self._run(groups, today)
        except psycopg2.OperationalError:
            raise
        except Exception as error:  # noqa: BLE001 - reported on the reminders
            if len(groups) > 1:
                return [
                    vals
                    for group in groups
                    for vals in self._run_isolated([group], today, approved=approved, **options)
                ]
            _logger.warning(
                "Dunning: step %s failed for %s", self.display_name, groups[0][0], exc_info=True
            )
            partner, moves = groups[0]
            reason = _("The step %(step)s failed: %(error)s", step=self.display_name, error=error)
            return self._prepare_failures([(partner, moves, reason)], today)

    def _run_channel(self, groups, today, **options):
        self.ensure_one()
        handler = {
            "email": self._run_email,
            "letter": self._run_letter,
            "formal_notice": self._run_letter,
            "phone": self._run_activity,
            "manual": self._run_activity,
        }[self.channel]
        return handler(groups, today, **options)

    def _run_approval(self, groups, today):
        """Steps that are not automatic wait for a person's approval."""
        Event = self.env["account.dunning.event"]
        return [
            Event._prepare_event_vals(move, self, "pending", today, note=_("Waiting for approval."))
            for _partner, moves in groups
            for move in moves
        ]

    # Email ------------------------------------------------------------

    def _run_email(self, groups, today, template=None, edits=None):
        """Send one email per customer.

        :param template: the template to use instead of the step's
        :param edits: {oldest invoice id: {"subject": ..., "body_html": ...}}
            for emails edited by a person before sending
        """
        self.ensure_one()
        template = template or self.mail_template_id
        Event = self.env["account.dunning.event"]
        vals_list, sendable, failures = [], [], []
        for partner, moves in groups:
            recipients = partner._get_reminder_recipients()
            reason = self._get_email_failure_reason(partner, recipients, template)
            if reason:
                failures.append((partner, moves, reason))
            else:
                sendable.append((partner, moves, recipients))
        rendered = self._render_reminder_emails(
            [moves for _p, moves, _r in sendable], template=template
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
        attachments = self._get_invoice_attachments(
            self.env["account.move"].concat(*(group[1] for group in renderable))
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
        for (_partner, moves, recipients, _values), mail in zip(to_send, mails, strict=True):
            note = _(
                "Sent to %(recipients)s.",
                recipients=", ".join(recipients.mapped("email_formatted")),
            )
            vals_list += [
                Event._prepare_event_vals(
                    move,
                    self,
                    "sent",
                    today,
                    mail_id=mail.id,
                    message_id=mail.mail_message_id.id,
                    note=note,
                )
                for move in moves
            ]
        self._log_on_invoices(to_send)
        return vals_list + self._prepare_failures(failures, today)

    def _get_email_failure_reason(self, partner, recipients, template):
        """Why a reminder email cannot go to ``partner``, if it cannot."""
        if not template:
            return _("The step %(step)s has no email template.", step=self.display_name)
        if not recipients:
            return _(
                "The customer %(customer)s has no email address, nor has any of "
                "its invoice contacts.",
                customer=partner.display_name,
            )
        return False

    def _render_reminder_emails(self, move_groups, template=None):
        """Render the step's template (or ``template``) once per group of
        invoices.

        The template is rendered on the oldest invoice of each group, with
        all the group's invoices in ``object.dunning_reminder_move_ids``. A
        template that fails on one group fails that group only.

        :return: {lead invoice id: {field: rendered value} or the exception}
        """
        if not move_groups:
            return {}
        self._ensure_portal_tokens(self.env["account.move"].concat(*move_groups))
        template = (template or self.mail_template_id).with_context(
            dunning_reminder_groups=tuple((moves[:1].id, tuple(moves.ids)) for moves in move_groups)
        )
        lead_ids = [moves[:1].id for moves in move_groups]
        try:
            per_lang = template._classify_per_lang(lead_ids)
        except Exception as error:  # noqa: BLE001 - templates are user code
            return dict.fromkeys(lead_ids, error)
        results = {}
        for lang_template, lang_ids in per_lang.values():
            bodies = self._render_bodies(lang_template, lang_ids)
            headers = self._render_headers(lang_template, lang_ids)
            for res_id in lang_ids:
                body, header = bodies[res_id], headers[res_id]
                failure = next((v for v in (body, header) if isinstance(v, Exception)), None)
                results[res_id] = failure or dict(header, body_html=body)
        return results

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
        """Render a template's QWeb body on many records, compiled once.

        ``mail.template`` parses and compiles its body again for every record,
        which would be most of the cost of a large run.

        :return: {res_id: rendered body or the exception}
        """
        results = dict.fromkeys(res_ids, Markup(""))
        if not template.body_html:
            return results
        values = template._render_eval_context()
        ir_qweb = template.env["ir.qweb"]._prepare_environment(values)
        wrapper = html.fragment_fromstring(template.body_html, create_parent="div")
        try:
            functions, def_name = ir_qweb._compile(wrapper)
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

    def _queue_reminder_emails(self, to_send, template):
        """Queue one email per customer, logged on the customer's chatter.

        The mail and its message are created in the same transaction as the
        events, so a reminder is either recorded and queued, or neither.
        """
        if not to_send:
            return self.env["mail.mail"]
        partners = self.env["res.partner"].concat(*(group[0] for group in to_send))
        reply_tos = partners._notify_get_reply_to()
        subtype = self.env.ref("mail.mt_comment")
        message_vals = []
        for partner, moves, recipients, values in to_send:
            company = moves[:1].company_id
            email_from = (
                values["email_from"] or company.email_formatted or self.env.user.email_formatted
            )
            attachment_ids = template.attachment_ids.ids + values["attachment_ids"]
            message_vals.append(
                {
                    "model": "res.partner",
                    "res_id": partner.id,
                    "message_type": "comment",
                    "subtype_id": subtype.id,
                    "subject": values["subject"],
                    "body": values["body_html"],
                    "author_id": company.partner_id.id,
                    "email_from": email_from,
                    "reply_to": values["reply_to"] or reply_tos.get(partner.id),
                    "partner_ids": [(6, 0, recipients.ids)],
                    "attachment_ids": [(6, 0, attachment_ids)],
                    "record_name": partner.display_name,
                    "mail_server_id": template.mail_server_id.id,
                }
            )
        messages = self.env["mail.message"].sudo().create(message_vals)
        mails = (
            self.env["mail.mail"]
            .sudo()
            .create(
                [
                    {
                        "mail_message_id": message.id,
                        "body_html": message.body,
                        "recipient_ids": [(6, 0, recipients.ids)],
                        "email_cc": values["email_cc"],
                        "auto_delete": template.auto_delete,
                        "is_notification": True,
                        "references": message.message_id,
                        "state": "outgoing",
                    }
                    for message, (_p, _m, recipients, values) in zip(messages, to_send, strict=True)
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
        return mails

    def _subscribe_responsibles(self, to_send):
        """Replies to a reminder reach the customer's dunning responsible or
        salesperson: make them followers of the customer and of the invoices
        reminded."""
        partners_by_responsible, moves_by_responsible = {}, {}
        for partner, moves, _recipients, _values in to_send:
            responsible = moves[:1]._get_dunning_responsible()
            if responsible and not responsible._is_public():
                partners_by_responsible.setdefault(responsible, self.env["res.partner"])
                partners_by_responsible[responsible] |= partner
                moves_by_responsible.setdefault(responsible, self.env["account.move"])
                moves_by_responsible[responsible] |= moves
        for responsible, partners in partners_by_responsible.items():
            follower = responsible.partner_id.ids
            partners.sudo().message_subscribe(partner_ids=follower)
            moves_by_responsible[responsible].sudo().message_subscribe(partner_ids=follower)

    def _get_invoice_attachments(self, moves):
        """{invoice id: PDF attachment, or the error} when the step attaches
        invoices. The stored PDF of an invoice is reused; the others are
        rendered by Odoo's invoice report."""
        if not self.attach_invoice or not moves:
            return {}
        attachments = {
            move.id: move.invoice_pdf_report_id for move in moves if move.invoice_pdf_report_id
        }
        to_render = moves.filtered(lambda move: move.id not in attachments)
        contents = self._render_invoice_pdfs(to_render)
        rendered = to_render.filtered(lambda move: isinstance(contents[move.id], bytes))
        created = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": move._get_invoice_report_filename(),
                        "raw": contents[move.id],
                        "mimetype": "application/pdf",
                        "res_model": "account.move",
                        "res_id": move.id,
                    }
                    for move in rendered
                ]
            )
        )
        attachments.update(zip(rendered.ids, created, strict=True))
        attachments.update((move.id, contents[move.id]) for move in to_render - rendered)
        return attachments

    @api.model
    def _render_invoice_pdfs(self, moves):
        """{invoice id: PDF bytes or the error}, in one wkhtmltopdf run when
        it can split documents, else one run per invoice."""
        Report = self.env["ir.actions.report"].sudo().with_context(force_report_rendering=True)
        if len(moves) > 1:
            try:
                streams, _report_type = Report._pre_render_qweb_pdf(INVOICE_REPORT, moves.ids)
                return {move_id: stream["stream"].getvalue() for move_id, stream in streams.items()}
            except Exception:  # noqa: BLE001 - retried one invoice at a time
                _logger.info("Dunning: rendering invoice PDFs one at a time.")
        contents = {}
        for move in moves:
            try:
                streams, _report_type = Report._pre_render_qweb_pdf(INVOICE_REPORT, move.ids)
                contents[move.id] = streams[move.id]["stream"].getvalue()
            except Exception as error:  # noqa: BLE001 - reported on the reminder
                contents[move.id] = error
        return contents

    def _log_on_invoices(self, to_send):
        """Leave a note on each invoice's chatter pointing to the reminder."""
        bodies = {}
        for _partner, moves, recipients, _values in to_send:
            body = Markup("%s") % _(
                "Reminder %(step)s sent by email to %(recipients)s (%(invoices)s).",
                step=self.display_name,
                recipients=", ".join(recipients.mapped("email_formatted")),
                invoices=", ".join(moves.mapped("name")),
            )
            for move in moves:
                bodies[move.id] = body
        if bodies:
            moves = self.env["account.move"].browse(list(bodies))
            moves.sudo()._message_log_batch(bodies)

    # Letter -----------------------------------------------------------

    def _get_letter_report(self):
        """The report of a letter or formal notice step."""
        self.ensure_one()
        return FORMAL_NOTICE_REPORT if self.channel == "formal_notice" else LETTER_REPORT

    def _get_payment_deadline(self, today):
        """The date by which payment is now expected."""
        self.ensure_one()
        return today + timedelta(days=self.payment_delay_days)

    def _run_letter(self, groups, today):
        """Render one letter (or formal notice) per customer, to be printed
        and posted."""
        self.ensure_one()
        Event = self.env["account.dunning.event"]
        report_ref = self._get_letter_report()
        report = self.env.ref(report_ref).sudo()
        vals_list = []
        for partner, moves in groups:
            lead = moves[:1]
            pdf, _report_type = report.with_context(
                force_report_rendering=True,
                dunning_reminder_groups=((lead.id, tuple(moves.ids)),),
                dunning_date=today,
                dunning_deadline=self._get_payment_deadline(today),
            )._render_qweb_pdf(report_ref, res_ids=lead.ids)
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": _(
                            "%(step)s %(customer)s %(date)s.pdf",
                            step=self.name,
                            customer=partner.display_name,
                            date=today,
                        ).replace("/", "-"),
                        "raw": pdf,
                        "mimetype": "application/pdf",
                        "res_model": "account.move",
                        "res_id": lead.id,
                    }
                )
            )
            lead.sudo()._message_log(
                body=_("Letter %(step)s ready to print.", step=self.display_name),
                attachment_ids=attachment.ids,
            )
            vals_list += [
                Event._prepare_event_vals(
                    move,
                    self,
                    "pending",
                    today,
                    attachment_id=attachment.id,
                    note=_("Letter to print and post."),
                )
                for move in moves
            ]
        return vals_list

    # Phone and manual -------------------------------------------------

    def _run_activity(self, groups, today):
        """One activity per customer, on its oldest invoice, for the person
        who must call or act."""
        self.ensure_one()
        Event = self.env["account.dunning.event"]
        deadline = Markup("<p><strong>%s</strong></p>") % _(
            "Payment now expected by %(date)s.",
            date=format_date(self.env, self._get_payment_deadline(today)),
        )
        activities = self._create_activities(
            [
                (
                    moves,
                    self.activity_user_id or moves[:1]._get_dunning_responsible(),
                    self.activity_type_id,
                    self.display_name,
                    self._prepare_activity_note(partner, moves) + deadline,
                )
                for partner, moves in groups
            ],
            today,
        )
        return [
            Event._prepare_event_vals(move, self, "sent", today, activity_id=activity.id)
            for (_partner, moves), activity in zip(groups, activities, strict=True)
            for move in moves
        ]

    def _prepare_activity_note(self, partner, moves):
        """What the person needs to call or act: the invoices and the
        reminders they already received."""
        lines = Markup("").join(
            Markup("<li>%s</li>")
            % _(
                "%(invoice)s of %(date)s, due %(due)s: %(residual)s left to pay",
                invoice=move.name,
                date=format_date(self.env, move.invoice_date),
                due=format_date(self.env, move.invoice_date_due),
                residual=format_amount(self.env, move.amount_residual, move.currency_id),
            )
            for move in moves
        )
        history = moves.dunning_event_ids.sorted("date")
        history_lines = Markup("").join(
            Markup("<li>%s</li>")
            % _(
                "%(date)s: %(step)s (%(state)s) on %(invoice)s",
                date=format_date(self.env, event.date),
                step=event.step_id.display_name,
                state=dict(event._fields["state"]._description_selection(self.env))[event.state],
                invoice=event.move_id.name,
            )
            for event in history
        )
        note = Markup("<p>%s</p><ul>%s</ul>") % (
            _("Customer: %(customer)s", customer=partner.display_name),
            lines,
        )
        if history_lines:
            note += Markup("<p>%s</p><ul>%s</ul>") % (_("Previous reminders:"), history_lines)
        return note

    @api.model
    def _create_activities(self, specs, today):
        """Create activities from (invoices, user, type, summary, note), on
        the oldest invoice of each group, in one batch."""
        model_id = self.env["ir.model"]._get_id("account.move")
        todo = self.env.ref("mail.mail_activity_data_todo")
        return (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": moves[:1].id,
                        "activity_type_id": (activity_type or todo).id,
                        "user_id": user.id,
                        "summary": summary,
                        "note": note,
                        "date_deadline": today,
                    }
                    for moves, user, activity_type, summary, note in specs
                ]
            )
        )

    # Failures ---------------------------------------------------------

    def _prepare_failures(self, failures, today):
        """A failed event per invoice and one follow-up activity per customer
        for its responsible, so that no failure goes unnoticed.

        :param failures: list of (customer, invoices, reason)
        """
        self.ensure_one()
        Event = self.env["account.dunning.event"]
        todo = self.env.ref("mail.mail_activity_data_todo")
        summary = _("Reminder failed: %(step)s", step=self.display_name)
        activities = self._create_activities(
            [
                (
                    moves,
                    moves[:1]._get_dunning_responsible(),
                    todo,
                    summary,
                    Markup("<p>%s</p>") % reason + self._prepare_activity_note(partner, moves),
                )
                for partner, moves, reason in failures
            ],
            today,
        )
        return [
            Event._prepare_event_vals(
                move, self, "failed", today, activity_id=activity.id, note=reason
            )
            for (_partner, moves, reason), activity in zip(failures, activities, strict=True)
            for move in moves
        ]
