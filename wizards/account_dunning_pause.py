# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class AccountDunningPause(models.TransientModel):
    _name = "account.dunning.pause"
    _description = "Pause Dunning"

    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
    )
    reason = fields.Char(required=True)
    until = fields.Date(
        string="Paused Until",
        help="Reminders resume by themselves the day after. Empty: until " "someone resumes them.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "move_ids" in fields_list
            and self.env.context.get("active_model") == "account.move"
            and self.env.context.get("active_ids")
        ):
            values["move_ids"] = [(6, 0, self.env.context["active_ids"])]
        return values

    def action_pause(self):
        self.ensure_one()
        self.move_ids.action_dunning_pause(until=self.until, reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
