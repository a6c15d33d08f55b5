# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Internal users only: portal customers see nothing of their dunning.

    dunning_sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        company_dependent=True,
        groups="base.group_user",
        domain="[('company_id', 'in', allowed_company_ids)]",
        help="Reminders this customer receives in the current company. Empty: "
        "the default sequence of the company.",
    )
    dunning_excluded = fields.Boolean(
        string="Excluded From Dunning",
        tracking=True,
        groups="base.group_user",
        help="This customer receives no reminder at all.",
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Dunning Responsible",
        domain=[("share", "=", False)],
        tracking=True,
        groups="base.group_user",
        help="Gets the calls to make and the failed reminders of this "
        "customer, and follows the customer to receive replies to reminders. "
        "Empty: the salesperson.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "dunning_sequence_id",
            "dunning_excluded",
            "dunning_responsible_id",
        ]

    def write(self, vals):
        res = super().write(vals)
        if "dunning_sequence_id" in vals:
            self.env["account.move"].sudo()._search_dunning_open_moves(
                [
                    ("company_id", "=", self.env.company.id),
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ]
            )._dunning_sync_sequence()
        return res

    def _get_reminder_recipients(self):
        """Who receives this customer's reminders: its invoice contacts that
        have an email, else the customer itself if it has one."""
        self.ensure_one()
        customer = self.commercial_partner_id
        contacts = customer.child_ids.filtered(
            lambda contact: contact.type == "invoice" and contact.email
        )
        if contacts:
            return contacts
        return customer if customer.email else self.browse()
