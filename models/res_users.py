# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import SUPERUSER_ID, models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _dunning_is_valid_responsible(self):
        """Whether this user (if any) can be given dunning work: a person who
        can log in to the back-office, never an archived user, a portal user
        or OdooBot (invoices created by the system have it as salesperson)."""
        return bool(self and self.active and not self.share and self.id != SUPERUSER_ID)
