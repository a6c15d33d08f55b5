# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What 18.0.1.6.0 changed that ``-u`` does not carry: its scheduled
actions are ``noupdate``, and two of them now call the customers' model;
the thank-you email of a sequence is now its step sent when paid.
Idempotent, like every step of the module's migrations."""

from odoo import SUPERUSER_ID, api

from odoo.addons.account_dunning.migrations import helpers


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # 18.0.1.6.0: the monthly statements and the payment behaviour are the
    # customer's, no longer the dunning service's.
    helpers.repair_cron(
        env,
        "account_dunning.ir_cron_dunning_statements",
        shipped=[("account.dunning.run", "model._cron_send_statements()")],
        current=("res.partner", "model._cron_send_statements()"),
    )
    helpers.repair_cron(
        env,
        "account_dunning.ir_cron_dunning_rules",
        shipped=[("account.dunning.run", "model._cron_recompute_dunning_rules()")],
        current=("res.partner", "model._cron_recompute_dunning_rules()"),
    )
    # 18.0.1.6.0: the thank-you email is a step, triggered when paid; the
    # sequence's column of its template is still there.
    helpers.create_thank_you_steps(env, "Thank You")
