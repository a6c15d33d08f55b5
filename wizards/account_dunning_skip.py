# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountDunningSkip(models.TransientModel):
    _name = "account.dunning.skip"
    _description = "Skip to a Dunning Step"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        compute="_compute_sequence_id",
    )
    reminder_step_ids = fields.Many2many(related="sequence_id.reminder_step_ids")
    step_id = fields.Many2one(
        "account.dunning.step",
        string="Go To Step",
        required=True,
        domain="[('id', 'in', reminder_step_ids)]",
        help="The steps between the last one done and this one are recorded "
        "as skipped; this one comes next.",
    )
    send_now = fields.Boolean(
        help="Send this step today. Otherwise it is sent on its date by the " "scheduled run.",
    )

    @api.depends("move_ids")
    def _compute_sequence_id(self):
        for wizard in self:
            sequences = wizard.move_ids.dunning_sequence_id
            wizard.sequence_id = sequences if len(sequences) == 1 else False

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

    def action_skip(self):
        self.ensure_one()
        if not self.sequence_id:
            raise UserError(
                _("Choose invoices that follow the same dunning sequence to skip them to a step.")
            )
        result = self.move_ids.action_dunning_skip_to(self.step_id, send_now=self.send_now)
        if isinstance(result, dict):
            return result
        return {"type": "ir.actions.act_window_close"}
