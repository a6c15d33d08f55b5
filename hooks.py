# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Give every company a default sequence and put the open invoices in
    it. They enter it today: invoices already far past a step wait for the
    next one, so installing never sends a burst of old reminders."""
    env["res.company"].search([])._dunning_ensure_default_sequence()
    env["account.move"].sudo()._search_dunning_open_moves([])._dunning_sync_sequence()
    env.flush_all()
    # The dunning columns were just filled on every open invoice: let the
    # planner know them before the first run.
    env.cr.execute("ANALYZE account_move")
