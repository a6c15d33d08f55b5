# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Give every company a default sequence and a default responsible, and
    put the open invoices in the sequence. They enter it today: invoices
    already far past a step wait for the next one, so installing never sends
    a burst of old reminders. The payment behaviour is computed at once, the
    KPIs soon after."""
    companies = env["res.company"].search([])
    companies._dunning_ensure_default_sequence()
    companies._dunning_ensure_default_responsible()
    Move = env["account.move"].sudo()
    # Once all the sequences and steps of the data files exist (they do not
    # resync the book one by one during the install); by chunks, so that
    # memory stays flat on databases with many open invoices.
    for moves in Move._search_dunning_open_moves([])._dunning_chunks():
        moves._dunning_sync_sequence()
        moves._dunning_recompute_next()
    Move._dunning_init_status()
    # The dunning columns were just filled on every open invoice: let the
    # planner know them before the first run.
    env.cr.execute("ANALYZE account_move")
    # The payment behaviour of the book already there, and the rules that
    # read it: a customer with a year of history never shows "0 % paid on
    # time" until the first night. Set-based: one query per company.
    env["res.partner"].sudo()._recompute_dunning_rules(companies)
    # The KPIs of the books already there, computed by the scheduler soon
    # after the install rather than in it.
    env.ref("account_dunning.ir_cron_dunning_kpis")._trigger()
