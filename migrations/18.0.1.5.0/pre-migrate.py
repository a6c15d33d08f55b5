# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.addons.account_dunning.migrations.helpers import fill_column_from


def migrate(cr, version):
    # 18.0.1.1.0 added when each step was done: for the events already
    # there, when they were created, not the time of the upgrade (the
    # field's default).
    fill_column_from(cr, "account_dunning_event", "sent_at", "timestamp", "create_date")
