# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class AccountDunningDisputeReason(models.Model):
    """Why a customer disputes an invoice, chosen from the reminder's page."""

    _name = "account.dunning.dispute.reason"
    _description = "Dunning Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
