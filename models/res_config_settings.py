# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_grace_days = fields.Integer(
        related="company_id.dunning_grace_days",
        readonly=False,
    )
    dunning_responsible_id = fields.Many2one(
        related="company_id.dunning_responsible_id",
        readonly=False,
    )
    dunning_late_fees = fields.Boolean(
        related="company_id.dunning_late_fees",
        readonly=False,
    )
    dunning_interest_rate = fields.Float(
        related="company_id.dunning_interest_rate",
        readonly=False,
    )
    dunning_legal_interest_rate = fields.Float(
        related="company_id.dunning_legal_interest_rate",
        readonly=False,
    )
