# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class AccountDunningSendSkipped(models.TransientModel):
    """An invoice selected in the Send Reminders wizard that will not be
    reminded, and why."""

    _name = "account.dunning.send.skipped"
    _description = "Send Reminders: Skipped Invoice"

    wizard_id = fields.Many2one(
        "account.dunning.send",
        required=True,
        ondelete="cascade",
    )
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    reason = fields.Char(readonly=True)
