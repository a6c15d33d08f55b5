# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models

from .account_dunning_sequence import RULE_FIELDS


class AccountDunningSequence(models.Model):
    """What a change of sequences does to the invoices and the customers
    that follow them: their sequence and next step resynced. Apart from the
    sequence's own rules, which the invoices and the customers read."""

    _inherit = "account.dunning.sequence"

    @api.model_create_multi
    def create(self, vals_list):
        sequences = super().create(vals_list)
        self.env["res.partner"]._dunning_apply_rules(sequences._filter_dunning_rules().company_id)
        self._sync_company_invoices(sequences.filtered("is_default").company_id)
        return sequences

    def write(self, vals):
        companies = self.company_id
        rule_companies = None
        if RULE_FIELDS & vals.keys():
            rule_companies = self._filter_dunning_rules().company_id
        res = super().write(vals)
        if rule_companies is not None:
            rule_companies |= self._filter_dunning_rules().company_id
            self.env["res.partner"]._dunning_apply_rules(rule_companies)
        if {"is_default", "active", "company_id"} & vals.keys():
            self._sync_company_invoices(companies | self.company_id)
        return res

    def unlink(self):
        rule_companies = self._filter_dunning_rules().company_id
        res = super().unlink()
        self.env["res.partner"]._dunning_apply_rules(rule_companies)
        return res

    def _get_open_dunning_moves(self):
        """Open invoices following these sequences."""
        if not self:
            return self.env["account.move"]
        return (
            self.env["account.move"]
            .sudo()
            ._search_dunning_open_moves([("dunning_sequence_id", "in", self.ids)])
        )

    @api.model
    def _sync_company_invoices(self, companies):
        """Put the open invoices of these companies in their current sequence,
        by chunks."""
        if not companies or self._is_installing_module():
            return
        moves = (
            self.env["account.move"]
            .sudo()
            ._search_dunning_open_moves([("company_id", "in", companies.ids)])
        )
        for chunk in moves._dunning_chunks():
            chunk._dunning_sync_sequence()

    @api.model
    def _is_installing_module(self):
        """Whether the module is being installed: its sequences and steps
        come from its data files, and its post-init hook then puts every
        open invoice in its sequence once, by chunks. Resyncing the whole
        book for each record created was most of the install, and did not
        fit in memory on a million open invoices."""
        return self.env.context.get("install_module") == "account_dunning" and (
            self.env["ir.module.module"].sudo()._get("account_dunning").state == "to install"
        )
