# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from .account_move import DUNNING_GROUP


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    dunning_fees_origin_id = fields.Many2one(
        "account.move",
        string="Late-Payment Costs Of",
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups=DUNNING_GROUP,
        help="The invoice paid late whose costs this line bills: they are never " "billed twice.",
    )
    dunning_fees_kind = fields.Selection(
        [("interest", "Late-Payment Interest"), ("indemnity", "Fixed Recovery Indemnity")],
        string="Late-Payment Cost",
        copy=False,
        groups=DUNNING_GROUP,
    )
