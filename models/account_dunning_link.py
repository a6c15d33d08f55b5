# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import io
import secrets
from datetime import timedelta

import qrcode

from odoo import api, fields, models

from .account_dunning_portal import TOKEN_VALIDITY

# 12 base32 characters: 60 random bits, short enough to type from a letter,
# too many to guess.
SHORT_CODE_BYTES = 8
SHORT_CODE_LENGTH = 12
# A letter's link is reused while it stays valid this long: letters printed
# the same weeks carry the same link.
SHORT_LINK_MIN_VALIDITY = timedelta(days=60)


class AccountDunningLink(models.Model):
    """A short link to a customer's page, for letters: typed from paper, the
    full signed link of the emails would be too long."""

    _name = "account.dunning.link"
    _description = "Dunning Short Link"

    code = fields.Char(required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    expiry_date = fields.Date(required=True, readonly=True)

    _sql_constraints = [("code_unique", "unique(code)", "A short link code is unique.")]

    @api.model
    def _get_customer_short_url(self, partner, company):
        """The short link of the customer's page printed on letters:
        ``/dunning/l/<code>``, valid as long as the page's signed link."""
        partner = partner.commercial_partner_id
        today = fields.Date.context_today(self)
        Link = self.sudo()
        link = Link.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("expiry_date", ">=", today + SHORT_LINK_MIN_VALIDITY),
            ],
            limit=1,
        ) or Link.create(
            {
                "code": self._new_short_code(),
                "partner_id": partner.id,
                "company_id": company.id,
                "expiry_date": today + TOKEN_VALIDITY,
            }
        )
        return f"{company.get_base_url()}/dunning/l/{link.code}"

    @api.model
    def _new_short_code(self):
        code = base64.b32encode(secrets.token_bytes(SHORT_CODE_BYTES)).decode()
        return code[:SHORT_CODE_LENGTH].lower()

    @api.model
    def _get_customer_page_url_from_code(self, code):
        """The customer's page a short link leads to, else None: unknown
        or expired."""
        link = self.sudo().search(
            [("code", "=", code), ("expiry_date", ">=", fields.Date.context_today(self))],
            limit=1,
        )
        if not link:
            return None
        return self.env["account.dunning.portal"]._get_customer_page_url(
            link.partner_id, link.company_id
        )

    @api.model
    def _get_qr_code_data_uri(self, value):
        """``value`` as a QR code, a PNG inline in the letter: wkhtmltopdf
        fetches no image for it."""
        image = qrcode.make(value, box_size=4, border=1)
        stream = io.BytesIO()
        image.save(stream, format="PNG")
        return "data:image/png;base64," + base64.b64encode(stream.getvalue()).decode()
