# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import escape

from odoo import _, api, models
from odoo.tools.mail import generate_tracking_message_id


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
        sent, failures = self.env["account.dunning.mailer"]._send(
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

    @api.model
    def _log_on_invoices(self, step, sent):
        """Leave one note per reminder, on the chatter of its oldest invoice,
        naming all its invoices: each invoice's dunning timeline links to
        the email itself, and a note per invoice was the costliest part of a
        reminder to customers owing many invoices."""
        # The notes are plain text, escaped: nothing to sanitize.
        return self.env["account.dunning.mailer"]._create_messages(
            self._prepare_invoice_notes_vals(step, sent), sanitize=False
        )

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
