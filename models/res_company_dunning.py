# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class ResCompany(models.Model):
    """What the dunning asks of a company: the companies that dun, what
    "today" is for them and the context of their run, who handles the work
    nobody else can take."""

    _inherit = "res.company"

    @api.model
    def _get_dunning_companies(self):
        """Companies that have at least one active dunning sequence."""
        return self.env["account.dunning.sequence"].sudo().search([]).company_id

    def _get_dunning_context(self):
        """Context of the company's dunning: its timezone decides what today
        is, and its language is the one of the notes and tasks for its
        accountants (customers get their emails in their own language)."""
        self.ensure_one()
        tz = self.partner_id.tz or self.env.context.get("tz") or self.env.user.tz
        lang = self.partner_id.lang or self.env.lang
        return {"tz": tz or "UTC", "lang": lang, "tracking_disable": True}

    def _get_dunning_today(self):
        """Today in the timezone of the context (``_get_dunning_context``
        gives the company's)."""
        self.ensure_one()
        return fields.Date.context_today(self)

    def _get_dunning_default_responsible(self):
        """Who handles the dunning work nobody else can take in this company:
        its default dunning responsible, else one of its accounting managers."""
        self.ensure_one()
        default = self.dunning_responsible_id
        if default._dunning_is_valid_responsible():
            return default
        return self._get_dunning_manager()

    def _get_dunning_manager(self):
        """An active accounting manager of this company, the oldest first (the
        administrator on a new database)."""
        self.ensure_one()
        managers = self.env.ref("account.group_account_manager").sudo().users
        return managers.filtered(
            lambda user: self in user.company_ids and user._dunning_is_valid_responsible()
        ).sorted("id")[:1]
