# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_grace_days = fields.Integer(
        related="company_id.dunning_grace_days",
        readonly=False,
    )
    dunning_recovery_days = fields.Integer(
        related="company_id.dunning_recovery_days",
        readonly=False,
    )
    dunning_one_message_per_step = fields.Boolean(
        related="company_id.dunning_one_message_per_step",
        readonly=False,
    )
    dunning_probably_paid_check = fields.Boolean(
        related="company_id.dunning_probably_paid_check",
        readonly=False,
    )
    dunning_probably_paid_days = fields.Integer(
        related="company_id.dunning_probably_paid_days",
        readonly=False,
    )
    dunning_reply_pause_days = fields.Integer(
        related="company_id.dunning_reply_pause_days",
        readonly=False,
    )
    dunning_paid_claim_days = fields.Integer(
        related="company_id.dunning_paid_claim_days",
        readonly=False,
    )
    dunning_responsible_id = fields.Many2one(
        related="company_id.dunning_responsible_id",
        readonly=False,
    )
    dunning_active = fields.Boolean(
        compute="_compute_dunning_active",
        help="The company has an active dunning sequence: its reminders run.",
    )
    dunning_late_fees = fields.Boolean(
        related="company_id.dunning_late_fees",
        readonly=False,
    )
    dunning_interest_rate = fields.Float(
        related="company_id.dunning_interest_rate",
        readonly=False,
    )
    dunning_rates_warning = fields.Text(
        compute="_compute_dunning_rates_warning",
        help="Why the tables of the rates of late-payment interest may be out of date.",
    )
    dunning_risky_days_late = fields.Float(
        related="company_id.dunning_risky_days_late",
        readonly=False,
    )
    dunning_risky_on_time_rate = fields.Float(
        related="company_id.dunning_risky_on_time_rate",
        readonly=False,
    )
    dunning_risky_broken_promises = fields.Integer(
        related="company_id.dunning_risky_broken_promises",
        readonly=False,
    )
    dunning_good_days_late = fields.Float(
        related="company_id.dunning_good_days_late",
        readonly=False,
    )
    dunning_good_on_time_rate = fields.Float(
        related="company_id.dunning_good_on_time_rate",
        readonly=False,
    )

    @api.depends("dunning_late_fees")
    def _compute_dunning_rates_warning(self):
        warning = self.env["account.dunning.ecb.rate"]._get_rates_warning()
        for settings in self:
            settings.dunning_rates_warning = settings.dunning_late_fees and warning

    @api.depends("company_id")
    def _compute_dunning_active(self):
        companies = self.env["res.company"]._get_dunning_companies()
        for settings in self:
            settings.dunning_active = settings.company_id in companies
