# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the nightly recompute of the payment behaviour and the sequence
rules on the benchmark book.

The book is the one of bench_dunning.py (customers and open invoices, e.g.
made with --generate-only), given its journal items and a year of paid
invoices by bench_kpi.py's generator, and three rule sequences: big
accounts (by name), risky and good customers (by payment risk). Unless
--skip-generate, all of that is generated first, untimed.

Then the nightly job runs twice, each in its own committed transaction as
the scheduler runs it: the first night moves the customers into their
rule's sequence (their open invoices re-enter it), the second finds little
to change. It prints the wall time and the queries of each night, the risk
levels and the customers per rule.
"""

import argparse
import time
from datetime import date

from bench_dunning import generate as generate_book
from bench_kpi import generate as generate_paid

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry

RULES = [
    ("Big accounts", "[('name', '=like', 'Bench customer 1%')]", 5),
    ("Risky customers", "[('dunning_risk', '=', 'risky')]", 10),
    ("Good customers", "[('dunning_risk', '=', 'good')]", 20),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--invoices", type=int, default=100000)
    parser.add_argument("--due-ratio", type=float, default=0.05)
    parser.add_argument("--paid", type=int, default=100000, help="paid invoices over a year")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="run on the database as it is, e.g. a copy of one generated before",
    )
    parser.add_argument(
        "--skip-book",
        action="store_true",
        help="the book of bench_dunning.py is there already (e.g. --generate-only): "
        "add the paid invoices and the rules only",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate, do not run the nights"
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="print the N costliest calls (cProfile)"
    )
    return parser.parse_args()


def generate(registry, args):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not args.skip_book:
            args.one_step_per_customer = False
            generate_book(env, args, date.today())
        generate_paid(env, args.paid)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        default = env["account.dunning.sequence"].search(
            [("company_id", "=", env.ref("base.main_company").id), ("is_default", "=", True)]
        )
        # Created before any behaviour is known: only the rule by name
        # matches now, the nightly job does the rest.
        for name, domain, priority in RULES:
            default.copy(
                {
                    "name": name,
                    "is_default": False,
                    "rule_domain": domain,
                    "rule_priority": priority,
                    "step_ids": [Command.create(vals) for vals in default.step_ids.copy_data()],
                }
            )
        cr.commit()


def night(registry, label):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        progress = env["ir.cron.progress"].create(
            {"cron_id": env.ref("account_dunning.ir_cron_dunning_rules").id}
        )
        cr.commit()
        queries = odoo.sql_db.sql_counter
        started = time.perf_counter()
        env["res.partner"].with_context(
            ir_cron_progress_id=progress.id
        )._cron_recompute_dunning_rules()
        env.flush_all()
        cr.commit()
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.1f}s, {odoo.sql_db.sql_counter - queries} SQL queries")


def report(registry):
    with registry.cursor() as cr:
        company = str(api.Environment(cr, SUPERUSER_ID, {}).ref("base.main_company").id)
        cr.execute(
            """
            SELECT p.dunning_risk->>%s, COUNT(*),
                   ROUND(AVG((p.dunning_avg_days_late->>%s)::numeric), 1),
                   ROUND(AVG((p.dunning_on_time_rate->>%s)::numeric), 1)
              FROM res_partner p WHERE p.dunning_behaviour_count ? %s
          GROUP BY 1 ORDER BY 1
            """,
            [company] * 4,
        )
        for risk, count, late, on_time in cr.fetchall():
            print(f"  {risk}: {count} customers, {late} days late, {on_time} % on time")
        cr.execute(
            """
            SELECT s.name->>'en_US', COUNT(p.id)
              FROM res_partner p
              JOIN account_dunning_sequence s
                ON s.id = (p.dunning_rule_sequence_id->>%s)::int
          GROUP BY 1 ORDER BY 1
            """,
            [company],
        )
        for name, count in cr.fetchall():
            print(f"  rule {name}: {count} customers")
        cr.execute(
            """
            SELECT s.name->>'en_US', COUNT(m.id)
              FROM account_move m JOIN account_dunning_sequence s ON s.id = m.dunning_sequence_id
             WHERE m.payment_state IN ('not_paid', 'partial') AND m.move_type = 'out_invoice'
          GROUP BY 1 ORDER BY 1
            """
        )
        for name, count in cr.fetchall():
            print(f"  open invoices in {name}: {count}")


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    if not args.skip_generate:
        generate(registry, args)
    if args.generate_only:
        return
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    night(registry, "first night (customers move to their rule's sequence)")
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    night(registry, "next night (steady)")
    report(registry)


if __name__ == "__main__":
    main()
