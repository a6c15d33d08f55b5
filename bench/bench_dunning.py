# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time one dunning run over many customers and open invoices.

Run through bench/run.sh, which creates the database. Customers and invoice
headers are inserted in SQL (the engine reads no invoice line); their dunning
state is then computed by the module itself. The run is timed the way the
scheduler drives it: calls of at most the run's time budget, a commit after
each. It prints the wall time, the queries and their time, the peak memory,
and the CPU time of the Odoo process per reminder email and per invoice
reminded; ``--profile-sql N`` prints the N slowest statements.

CPU time varies by up to 20 % from one run to the next on a shared machine.
``BENCH_VALGRIND=1 bench/run.sh ...`` also counts the instructions the run
executes, under valgrind's callgrind: the same count for the same code and
book, whatever else the machine does (about 50 times slower: use a small
book, e.g. ``--customers 400 --invoices 2000 --due-ratio 0.67``).

Books of customers late on several invoices (the usual case):
``--customers 4000 --invoices 20000 --due-ratio 0.67 --one-step-per-customer``
gives each customer 3 or 4 invoices due the same day at the same step (one
email each); without ``--one-step-per-customer`` they are at different steps.
"""

import argparse
import contextlib
import heapq
import os
import random
import resource
import subprocess
import time
from datetime import date, timedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

STEP_OFFSETS = (-8, 1, 14, 30)
# The CPU an email may cost (seconds): what an invoice costs is measured
# beyond it.
EMAIL_CPU_TARGET = 0.0028


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--invoices", type=int, default=100000)
    parser.add_argument("--due-ratio", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=500)
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
    parser.add_argument("--profile-file", help="also save the cProfile statistics in this file")
    parser.add_argument(
        "--profile-sql",
        type=int,
        default=0,
        help="print the N slowest SQL statements of the run, each with its time, and the N"
        " kinds of statement that took the longest in all",
    )
    return parser.parse_args()


def insert_customers(cr, count):
    """Insert ``count`` companies, each its own commercial partner, with an
    email address; return their ids."""
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
            count,
        )
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL"
    )
    return partner_ids


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
    partner_ids = insert_customers(cr, args.customers)
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
        # Amounts with cents, as on real invoices: no two alike by chance.
        rows.append((partner_id, due_date, last_step, round(rng.uniform(100, 5000), 2)))
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


@contextlib.contextmanager
def instruction_counter(out_file):
    """Count the instructions executed in the block, under callgrind started
    with instrumentation off (``bench/run.sh`` with ``BENCH_VALGRIND=1``,
    which gives its output file); yield {"instructions": the count}, filled
    on exit."""
    counted = {"instructions": None}
    if not out_file:
        yield counted
        return
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    try:
        yield counted
    finally:
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
        with open(f"{out_file}.1", encoding="utf-8") as dump:
            totals = next(line for line in dump if line.startswith("totals:"))
        counted["instructions"] = int(totals.split()[1])


@contextlib.contextmanager
def sql_timer(top):
    """Time every statement the run executes; yield {"seconds": total time,
    "slowest": the ``top`` slowest [(seconds, statement)], "kinds": {the
    first words of a statement: [count, seconds]}}, filled on exit."""
    timing = {"seconds": 0.0, "slowest": [], "kinds": {}}
    slowest = timing["slowest"]
    kinds = timing["kinds"]
    execute = odoo.sql_db.Cursor.execute

    def timed_execute(cursor, query, params=None, log_exceptions=True):
        started = time.perf_counter()
        try:
            return execute(cursor, query, params, log_exceptions)
        finally:
            elapsed = time.perf_counter() - started
            timing["seconds"] += elapsed
            if top:
                text = " ".join((query.code if isinstance(query, SQL) else str(query)).split())
                kind = kinds.setdefault(text[:80], [0, 0.0])
                kind[0] += 1
                kind[1] += elapsed
                if len(slowest) < top or elapsed > slowest[0][0]:
                    heapq.heappush(slowest, (elapsed, text[:300]))
                if len(slowest) > top:
                    heapq.heappop(slowest)

    odoo.sql_db.Cursor.execute = timed_execute
    try:
        yield timing
    finally:
        odoo.sql_db.Cursor.execute = execute
        slowest.sort(reverse=True)


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
    with (
        instruction_counter(os.environ.get("BENCH_CALLGRIND_OUT")) as counted,
        sql_timer(args.profile_sql) as sql_timing,
    ):
        seconds, cpu, queries, calls = run_dunning(registry, today, args.batch_size)
    # The peak of the whole process, the generation of the book included
    # unless --skip-generate.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.profile_sql:
        print(f"The {len(sql_timing['slowest'])} slowest SQL statements of the run:")
        for elapsed, text in sql_timing["slowest"]:
            print(f"{1000 * elapsed:9.1f} ms  {text}")
        costliest = sorted(sql_timing["kinds"].items(), key=lambda item: -item[1][1])
        print(f"The {args.profile_sql} costliest kinds of statement (their first words):")
        for text, (count, elapsed) in costliest[: args.profile_sql]:
            print(f"{elapsed:8.1f} s {count:7d}x  {text}")
    if args.profile:
        profiler.disable()
        if args.profile_file:
            profiler.dump_stats(args.profile_file)
        pstats.Stats(profiler).sort_stats(args.profile_sort).print_stats(args.profile)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, COUNT(*) FROM account_dunning_event GROUP BY state ORDER BY state"
        )
        events = dict(cr.fetchall())
        cr.execute("SELECT COUNT(*) FROM mail_mail")
        mails = cr.fetchone()[0]
    processed = sum(events.values())
    print(
        f"run: {seconds:.1f}s in {calls} scheduler calls, {queries} SQL queries taking "
        f"{sql_timing['seconds']:.1f}s; peak memory of the process {peak_rss:.0f} MB"
    )
    print(f"events: {events}; emails queued: {mails}")
    reminded = events.get("queued", 0) + events.get("sent", 0)
    print(
        f"CPU of the Odoo process: {cpu:.1f}s, {1000 * cpu / max(mails, 1):.2f} ms per email, "
        f"{1000 * cpu / max(reminded, 1):.2f} ms per invoice reminded; beyond "
        f"{1000 * EMAIL_CPU_TARGET:.1f} ms per email, "
        f"{1000 * (cpu - mails * EMAIL_CPU_TARGET) / max(reminded, 1):.2f} ms per invoice reminded"
    )
    if counted["instructions"]:
        instructions = counted["instructions"]
        print(
            f"instructions of the run: {instructions / 1e9:.2f} G, "
            f"{instructions / 1e6 / max(mails, 1):.1f} M per email, "
            f"{instructions / 1e6 / max(reminded, 1):.1f} M per invoice reminded"
        )
    print(
        f"throughput: {args.invoices / seconds:.0f} open invoices/s scanned, "
        f"{processed / seconds:.0f} due invoices/s processed"
    )


if __name__ == "__main__":
    main()
