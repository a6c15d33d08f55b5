# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time one dunning run over many customers and open invoices.

Run through bench/run.sh, which creates the database. Customers and invoice
headers are inserted in SQL (the engine reads no invoice line); their dunning
state is then computed by the module itself. The run is timed the way the
scheduler drives it: calls of at most the run's time budget, a commit after
each. It prints the wall time, the queries, and the CPU time of the Odoo
process per reminder email.
"""

import argparse
import random
import time
from datetime import date, timedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

STEP_OFFSETS = (-8, 1, 14, 30)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--invoices", type=int, default=100000)
    parser.add_argument("--due-ratio", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--one-step-per-customer",
        action="store_true",
        help="all the invoices of a customer are at the same step: one email per "
        "customer for all its invoices due",
    )
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="run on the database as it is, e.g. a copy of one generated before",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate the book, do not run"
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="print the N costliest calls (cProfile)"
    )
    parser.add_argument(
        "--profile-sort", default="cumulative", help="cProfile sort key, e.g. tottime"
    )
    return parser.parse_args()


def generate(env, args, today):
    """Insert customers and open invoices spread over every stage.

    A share ``due_ratio`` of the invoices have a step due today; the others
    are before their next step (not yet due, between two steps, or past the
    last one).
    """
    rng = random.Random(args.seed)
    cr = env.cr
    company = env.ref("base.main_company")
    sequence = env["account.dunning.sequence"].search(
        [("company_id", "=", company.id), ("is_default", "=", True)]
    )
    # No PDF rendering in the timed run: wkhtmltopdf cost is per invoice and
    # measured apart (see README).
    sequence.step_ids.write({"attach_invoice": False})
    steps = sequence.reminder_step_ids.sorted("offset_days")
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, email, is_company, active, autopost_bills,
                                     type, lang, company_id, create_date, write_date)
            SELECT 'Bench customer ' || n, 'Bench customer ' || n,
                   'customer' || n || '@bench.example.com', TRUE, TRUE, 'ask',
                   'contact', 'en_US', NULL, now(), now()
              FROM generate_series(1, %s) n
         RETURNING id
            """,
            args.customers,
        )
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL"
    )
    rows = []
    due_count = int(args.invoices * args.due_ratio)
    email_steps = [index for index, step in enumerate(steps) if step.channel == "email"]
    customer_steps = [rng.choice(email_steps) for _partner in partner_ids]
    for index in range(args.invoices):
        partner_id = partner_ids[index % len(partner_ids)]
        due_today = index < due_count
        if args.one_step_per_customer:
            step_index = customer_steps[index % len(partner_ids)]
        else:
            step_index = rng.randrange(len(steps))
        step_offset = STEP_OFFSETS[step_index]
        if due_today:
            # The step's date is today: crossed in the last run window.
            due_date = today - timedelta(days=step_offset)
            last_step = steps[step_index - 1].id if step_index else None
        else:
            # Before its next step: the step's date is still ahead.
            due_date = today - timedelta(days=step_offset) + timedelta(days=rng.randint(1, 6))
            last_step = steps[step_index - 1].id if step_index else None
        rows.append((partner_id, due_date, last_step, rng.randint(100, 5000)))
    cr.execute(
        SQL(
            """
            INSERT INTO account_move (name, move_type, state, payment_state, journal_id,
                    company_id, currency_id, partner_id, commercial_partner_id,
                    date, invoice_date, invoice_date_due, dunning_date_due, amount_total,
                    amount_residual, amount_total_signed, amount_residual_signed,
                    dunning_sequence_id, dunning_start_date, dunning_step_id,
                    auto_post, create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || v.n, 'out_invoice', 'posted', 'not_paid', %(journal)s,
                   %(company)s, %(currency)s, v.partner_id, v.partner_id,
                   v.due - 30, v.due - 30, v.due, v.due, v.amount, v.amount, v.amount, v.amount,
                   %(sequence)s, v.due - 60, v.last_step,
                   'no', %(uid)s, %(uid)s, now(), now()
              FROM unnest(%(partners)s::int[], %(dues)s::date[], %(steps)s::int[],
                          %(amounts)s::numeric[]) WITH ORDINALITY
                   AS v(partner_id, due, last_step, amount, n)
         RETURNING id
            """,
            journal=journal.id,
            company=company.id,
            currency=company.currency_id.id,
            sequence=sequence.id,
            uid=SUPERUSER_ID,
            partners=[row[0] for row in rows],
            dues=[row[1] for row in rows],
            steps=[row[2] for row in rows],
            amounts=[row[3] for row in rows],
        )
    )
    move_ids = [row[0] for row in cr.fetchall()]
    env.invalidate_all()
    moves = env["account.move"].browse(move_ids)
    started = time.perf_counter()
    for offset in range(0, len(moves), 5000):
        chunk = moves[offset : offset + 5000]
        chunk._dunning_recompute_next()
        chunk._dunning_recompute_status()
        env.flush_all()
        env.invalidate_all()
    # As autovacuum does on a live database after such a bulk load.
    cr.execute("ANALYZE res_partner, account_move")
    print(
        f"generated {len(partner_ids)} customers, {len(move_ids)} open invoices "
        f"({due_count} due today); dunning state computed in "
        f"{time.perf_counter() - started:.1f}s"
    )
    cr.commit()


def run_dunning(registry, today, batch_size):
    """Drive the cron as the scheduler does; return (seconds, CPU seconds,
    queries, calls)."""
    calls = 0
    queries_before = odoo.sql_db.sql_counter
    started = time.perf_counter()
    cpu_started = time.process_time()
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            progress = env["ir.cron.progress"].create(
                {"cron_id": env.ref("account_dunning.ir_cron_run_dunning").id}
            )
            env["account.dunning.run"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_run_dunning(batch_size=batch_size)
            env.flush_all()
            calls += 1
            remaining = progress.remaining
            done = progress.done
            cr.commit()
        if not remaining or not done:
            break
    return (
        time.perf_counter() - started,
        time.process_time() - cpu_started,
        odoo.sql_db.sql_counter - queries_before,
        calls,
    )


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    today = date.today()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not args.skip_generate:
            generate(env, args, today)
    if args.generate_only:
        return
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    seconds, cpu, queries, calls = run_dunning(registry, today, args.batch_size)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile_sort).print_stats(args.profile)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, COUNT(*) FROM account_dunning_event GROUP BY state ORDER BY state"
        )
        events = dict(cr.fetchall())
        cr.execute("SELECT COUNT(*) FROM mail_mail")
        mails = cr.fetchone()[0]
    processed = sum(events.values())
    print(f"run: {seconds:.1f}s in {calls} scheduler calls, {queries} SQL queries")
    print(f"events: {events}; emails queued: {mails}")
    reminded = events.get("queued", 0) + events.get("sent", 0)
    print(
        f"CPU of the Odoo process: {cpu:.1f}s, {1000 * cpu / max(mails, 1):.2f} ms per email, "
        f"{1000 * cpu / max(reminded, 1):.2f} ms per invoice reminded"
    )
    print(
        f"throughput: {args.invoices / seconds:.0f} open invoices/s scanned, "
        f"{processed / seconds:.0f} due invoices/s processed"
    )


if __name__ == "__main__":
    main()
