# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, models
from odoo.tools import html2plaintext

from .dunning_channel_letter import LETTER_REPORT


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    def _send_by_post(self, step, groups, today, **options):
        """One letter per customer, sent by post with Odoo's Snailmail: the
        letter is queued to Snailmail and its events stay queued until
        Snailmail sends it (see ``snailmail.letter.write``)."""
        Letter = self.env["snailmail.letter"]
        to_post, failures = [], []
        for partner, moves in groups:
            if Letter._is_valid_address(partner):
                to_post.append((partner, moves))
            else:
                failures.append(
                    (
                        partner,
                        moves,
                        _(
                            "The customer %(customer)s has no complete postal address "
                            "(street, zip, city and country are needed).",
                            customer=partner.display_name,
                        ),
                    )
                )
        report = self.env.ref(LETTER_REPORT).sudo()
        attachments = [
            self._render_letter(step, partner, moves, today, LETTER_REPORT, snailmail_layout=True)
            for partner, moves in to_post
        ]
        letters = self._queue_letters(to_post, attachments, report)
        Event = self.env["account.dunning.event"]
        note = _("Letter queued to be sent by post.")
        vals_list = [
            Event._prepare_event_vals(
                move,
                step,
                "queued",
                today,
                letter_id=letter.id,
                attachment_id=attachment.id,
                note=note,
            )
            for (_partner, moves), attachment, letter in zip(
                to_post, attachments, letters, strict=True
            )
            for move in moves
        ]
        return vals_list + self.env["account.dunning.event"]._prepare_failure_vals(
            step, failures, today
        )

    @api.model
    def _queue_letters(self, to_post, attachments, report):
        """Create the Snailmail letters, on the oldest invoice of each
        customer, in Snailmail's queue: its scheduled job posts them."""
        letters = (
            self.env["snailmail.letter"]
            .sudo()
            .create(
                [
                    {
                        "model": "account.move",
                        "res_id": moves[:1].id,
                        "partner_id": partner.id,
                        "company_id": moves[:1].company_id.id,
                        "user_id": self.env.uid,
                        "attachment_id": attachment.id,
                        "report_template": report.id,
                    }
                    for (partner, moves), attachment in zip(to_post, attachments, strict=True)
                ]
            )
        )
        # Snailmail's scheduled job posts them.
        cron = self.env.ref("snailmail.snailmail_print", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()
        return letters


class SnailmailLetter(models.Model):
    _inherit = "snailmail.letter"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") in ("sent", "error", "canceled"):
            self._update_dunning_events()
        return res

    def _update_dunning_events(self):
        """Snailmail posted the letter or gave up: its queued reminders are
        sent, or failed with the reason in words. Snailmail tries again
        letters refused for credits or an address: one posted after all
        turns its failed reminders sent."""
        self.env["account.dunning.event"].sudo().search(
            [("letter_id", "in", self.ids), ("state", "in", ("queued", "failed"))]
        )._follow_delivery(
            "letter_id",
            lambda letter: letter.state == "sent",
            lambda letter: letter.state in ("error", "canceled"),
            _("The letter was sent by post after all."),
        )

    def _get_dunning_failure_note(self):
        """The note of the reminders of this letter that was not posted."""
        self.ensure_one()
        return _(
            "The reminder letter could not be sent by post: %(reason)s",
            reason=self._describe_dunning_failure(),
        )

    def _describe_dunning_failure(self):
        """Why Snailmail did not post this letter, in words."""
        self.ensure_one()
        if self.state == "canceled":
            return _("the letter was cancelled.")
        text = html2plaintext(self.info_msg or "").strip()
        if not text:
            text = html2plaintext(self._get_error_message(self.error_code)).strip()
        return text
