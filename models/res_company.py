# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_SEQUENCE = "account_dunning.dunning_sequence_default"


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_grace_days = fields.Integer(
        string="Dunning Grace Window (days)",
        default=1,
        help="When invoices enter a dunning sequence (sequence created, "
        "customer assigned, module installed), steps whose date is past by "
        "more than this many days are not sent: the invoice waits for the "
        "next step.",
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Default Dunning Responsible",
        domain=[("share", "=", False)],
        help="Receives dunning tasks and failures of customers that have "
        "neither a dunning responsible nor a salesperson.",
    )

    @api.constrains("dunning_grace_days")
    def _check_dunning_grace_days(self):
        if any(company.dunning_grace_days < 0 for company in self):
            raise ValidationError(_("The dunning grace window cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_sequence()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "dunning_grace_days" in vals:
            self.env["account.move"].sudo()._search_dunning_open_moves(
                [("company_id", "in", self.ids)]
            )._dunning_recompute_next()
        return res

    def _dunning_ensure_default_sequence(self):
        """Give companies without any dunning sequence a copy of the default
        one, so that their customers are reminded from day one."""
        template = self.env.ref(DEFAULT_SEQUENCE, raise_if_not_found=False)
        if not template:
            return
        template = template.sudo()
        Sequence = template.with_context(active_test=False)
        equipped = Sequence.search([("company_id", "in", self.ids)]).company_id
        for company in self - equipped:
            template.copy({"company_id": company.id, "name": template.name, "is_default": True})
