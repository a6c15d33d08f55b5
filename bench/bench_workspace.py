# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the first page of the dunning workspace, as the web client asks for
it, on a database made by bench/run.sh (e.g. with --generate-only).

Prints the time and the queries of: the default worklist (action needed
today, end of sequence), all the customers, and the list grouped by
collection status.
"""

import argparse
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

SPEC = {
    name: {}
    for name in (
        "partner_id",
        "status",
        "amount_due",
        "amount_overdue",
        "amount_1_30",
        "amount_31_60",
        "amount_61_90",
        "amount_over_90",
        "oldest_days_overdue",
        "last_date",
        "next_date",
        "currency_id",
    )
}
for name in ("partner_id", "last_step_id", "next_step_id", "responsible_id", "currency_id"):
    SPEC[name] = {"fields": {"display_name": {}}}


def timed(registry, label, call):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        queries = odoo.sql_db.sql_counter
        started = time.perf_counter()
        result = call(env["account.dunning.customer"])
        seconds = time.perf_counter() - started
        print(
            f"{label}: {seconds * 1000:.0f} ms, {odoo.sql_db.sql_counter - queries} queries, "
            f"{result}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    worklist = ["|", ("status", "=", "action"), ("status", "=", "end")]
    timed(
        registry,
        "worklist, first page",
        lambda model: f"{model.web_search_read(worklist, SPEC, limit=80)['length']} lines",
    )
    timed(
        registry,
        "all customers, first page",
        lambda model: f"{model.web_search_read([], SPEC, limit=80)['length']} lines",
    )
    timed(
        registry,
        "grouped by status",
        lambda model: f"{len(model.web_read_group([], ['amount_due:sum'], ['status'])['groups'])}"
        " groups",
    )


if __name__ == "__main__":
    main()
