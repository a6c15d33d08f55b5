# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class ResPartner(models.Model):
    """Which dunning sequence a customer follows, as its invoices ask it:
    read from the customer alone (the rules are applied in res_partner.py,
    which then syncs the invoices)."""

    _inherit = "res.partner"

    def _get_dunning_applied_sequence(self, default):
        """(sequence, reason) this customer follows in the current company:
        its own sequence ('own'), else the first rule it matches ('rule'),
        else ``default``, the company's default sequence ('default').
        Archived sequences never apply."""
        self.ensure_one()
        if own := self.dunning_sequence_id.filtered("active"):
            return own, "own"
        if rule := self.dunning_rule_sequence_id.filtered("active"):
            return rule, "rule"
        return default, "default"
