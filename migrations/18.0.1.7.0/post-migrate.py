# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What 18.0.1.7.0 changed that ``-u`` does not carry: the payment plans'
notices and reminders of missed instalments are steps of the sequences,
which the module's ``noupdate`` data does not give existing databases.
Idempotent, like every step of the module's migrations."""

from odoo import SUPERUSER_ID, api

from odoo.addons.account_dunning.migrations import helpers


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # Every sequence sent both, with the module's templates, before.
    helpers.create_trigger_steps(
        env,
        "plan_instalment",
        "Instalment Notice",
        "account_dunning.mail_template_dunning_plan_notice",
        "account_dunning.dunning_step_plan_notice",
    )
    helpers.create_trigger_steps(
        env,
        "plan_missed",
        "Missed Instalment",
        "account_dunning.mail_template_dunning_plan_reminder",
        "account_dunning.dunning_step_plan_missed",
    )
