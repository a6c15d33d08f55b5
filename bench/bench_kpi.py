# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time the dunning KPI report as the web client reads it, on the benchmark
book made by bench/run.sh (e.g. with --generate-only).

The book gets its journal items first (unless --skip-generate): the
receivable line of each open invoice, and a year of invoices paid in full
(``--paid``), each with its payment, its matching and, for some, the
reminder sent before the payment. Then it prints the time and the queries
of: computing the KPIs (the nightly job), the pivot's first page (12 months
and its total), and the pivot grouped by responsible and by reminder step.
"""

import argparse
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

MEASURES = [
    "receivable:sum",
    "overdue:sum",
    "overdue_ratio:avg",
    "dso:avg",
    "cei:avg",
    "avg_days_late:avg",
    "recovery_rate:avg",
    "promise_kept_rate:avg",
    "disputed:sum",
]


def generate(env, paid):
    """Journal items of the open benchmark invoices, and ``paid`` invoices
    paid over the last year with their payments, matchings and reminders."""
    cr = env.cr
    company = env.ref("base.main_company")
    receivable = env["account.account"].search(
        [("company_ids", "in", company.ids), ("account_type", "=", "asset_receivable")],
        limit=1,
    )
    bank = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
    )
    sale = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    step_ids = (
        env["account.dunning.sequence"]
        .search([("company_id", "=", company.id), ("is_default", "=", True)])
        .step_ids.filtered(lambda step: step.channel == "email" and step.offset_days > 0)
        .ids
    )
    params = {
        "account": receivable.id,
        "currency": company.currency_id.id,
        "company": company.id,
        "bank": bank.id,
        "sale": sale.id,
        "paid": paid,
        "steps": step_ids,
        "uid": SUPERUSER_ID,
        "customers": "Bench customer %",
    }
    started = time.perf_counter()
    cr.execute("SELECT setseed(0.42)")
    # One receivable line per open invoice of the book.
    cr.execute(
        SQL(
            """
            INSERT INTO account_move_line (move_id, account_id, journal_id, company_id,
                    company_currency_id, currency_id, partner_id, date, date_maturity,
                    parent_state, balance, debit, credit, amount_currency, amount_residual,
                    amount_residual_currency, reconciled, display_type, name)
            SELECT m.id, %(account)s, m.journal_id, m.company_id, %(currency)s, %(currency)s,
                   m.commercial_partner_id, m.date, m.invoice_date_due, 'posted',
                   m.amount_residual, m.amount_residual, 0, m.amount_residual,
                   m.amount_residual, m.amount_residual, FALSE, 'payment_term', m.name
              FROM account_move m
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
               AND NOT EXISTS (SELECT 1 FROM account_move_line l WHERE l.move_id = m.id)
            """,
            **params,
        )
    )
    # A year of invoices paid between 10 days early and 45 days late.
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_paid ON COMMIT DROP AS
            WITH customers AS (
                SELECT ARRAY_AGG(id ORDER BY id) AS ids
                  FROM res_partner WHERE name LIKE %(customers)s
            ),
            draws AS (
                SELECT n, CURRENT_DATE - 400 + (random() * 370)::int AS invoice_date,
                       (random() * 55)::int AS delay,
                       (100 + random() * 4900)::numeric(12, 2) AS amount
                  FROM generate_series(1, %(paid)s) n
            )
            SELECT d.n, c.ids[1 + mod(d.n, array_length(c.ids, 1))] AS partner_id,
                   d.invoice_date, d.invoice_date + 30 AS due,
                   LEAST(d.invoice_date + 20 + d.delay, CURRENT_DATE - 1) AS paid_on, d.amount,
                   NULL::int AS move_id, NULL::int AS payment_id,
                   NULL::int AS line_id, NULL::int AS payment_line_id
              FROM draws d, customers c
            """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
            WITH moves AS (
                INSERT INTO account_move (name, move_type, state, payment_state, journal_id,
                        company_id, currency_id, partner_id, commercial_partner_id, date,
                        invoice_date, invoice_date_due, amount_total, amount_residual,
                        amount_total_signed, amount_residual_signed, auto_post,
                        create_uid, write_uid, create_date, write_date)
                SELECT 'BENCH/PAID/' || b.n, 'out_invoice', 'posted', 'paid', %(sale)s,
                       %(company)s, %(currency)s, b.partner_id, b.partner_id, b.invoice_date,
                       b.invoice_date, b.due, b.amount, 0, b.amount, 0, 'no',
                       %(uid)s, %(uid)s, now(), now()
                  FROM bench_paid b ORDER BY b.n
             RETURNING id, name
            )
            UPDATE bench_paid b SET move_id = moves.id
              FROM moves WHERE moves.name = 'BENCH/PAID/' || b.n
            """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
            WITH moves AS (
                INSERT INTO account_move (name, move_type, state, journal_id, company_id,
                        currency_id, partner_id, commercial_partner_id, date, auto_post,
                        create_uid, write_uid, create_date, write_date)
                SELECT 'BENCH/PAY/' || b.n, 'entry', 'posted', %(bank)s, %(company)s,
                       %(currency)s, b.partner_id, b.partner_id, b.paid_on, 'no',
                       %(uid)s, %(uid)s, now(), now()
                  FROM bench_paid b
             RETURNING id, name
            )
            UPDATE bench_paid b SET payment_id = moves.id
              FROM moves WHERE moves.name = 'BENCH/PAY/' || b.n
            """,
            **params,
        )
    )
    for column, move, day, due, sign in (
        ("line_id", "move_id", "invoice_date", "due", 1),
        ("payment_line_id", "payment_id", "paid_on", "paid_on", -1),
    ):
        cr.execute(
            SQL(
                """
                WITH lines AS (
                    INSERT INTO account_move_line (move_id, account_id, journal_id, company_id,
                            company_currency_id, currency_id, partner_id, date, date_maturity,
                            parent_state, balance, debit, credit, amount_currency,
                            amount_residual, amount_residual_currency, reconciled,
                            display_type, name)
                    SELECT b.%(move)s, %(account)s, m.journal_id, %(company)s, %(currency)s,
                           %(currency)s, b.partner_id, b.%(day)s, b.%(due)s, 'posted',
                           %(sign)s * b.amount, GREATEST(%(sign)s * b.amount, 0),
                           GREATEST(-%(sign)s * b.amount, 0), %(sign)s * b.amount, 0, 0, TRUE,
                           'payment_term', m.name
                      FROM bench_paid b JOIN account_move m ON m.id = b.%(move)s
                 RETURNING id, move_id
                )
                UPDATE bench_paid b SET %(column)s = lines.id
                  FROM lines WHERE lines.move_id = b.%(move)s
                """,
                column=SQL.identifier(column),
                move=SQL.identifier(move),
                day=SQL.identifier(day),
                due=SQL.identifier(due),
                sign=sign,
                **params,
            )
        )
    cr.execute(
        """
        INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount,
                debit_amount_currency, credit_amount_currency, company_id,
                debit_currency_id, credit_currency_id, max_date)
        SELECT b.line_id, b.payment_line_id, b.amount, b.amount, b.amount,
               %s, %s, %s, GREATEST(b.invoice_date, b.paid_on)
          FROM bench_paid b
        """,
        (company.id, company.currency_id.id, company.currency_id.id),
    )
    # The first reminder after the due date of the invoices paid late.
    cr.execute(
        SQL(
            """
            INSERT INTO account_dunning_event (move_id, partner_id, company_id, step_id,
                    sequence_id, channel, date, state, event_type, amount_residual,
                    currency_id, create_uid, write_uid, create_date, write_date)
            SELECT b.move_id, b.partner_id, %(company)s, s.id, s.sequence_id, 'email',
                   b.due + 1, 'sent', 'reminder', b.amount, %(currency)s,
                   %(uid)s, %(uid)s, now(), now()
              FROM bench_paid b
              JOIN account_dunning_step s ON s.id = (%(steps)s::int[])[1 + mod(b.n, 2)]
             WHERE b.paid_on > b.due
            """,
            **params,
        )
    )
    cr.execute("ANALYZE account_move, account_move_line, account_partial_reconcile")
    cr.execute("ANALYZE account_dunning_event")
    cr.commit()
    print(
        f"generated the journal items and {paid} paid invoices in "
        f"{time.perf_counter() - started:.1f}s"
    )


def timed(registry, label, groupby):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Kpi = env["account.dunning.kpi"]
        queries = odoo.sql_db.sql_counter
        started = time.perf_counter()
        groups = Kpi.read_group([], MEASURES, groupby, lazy=False)
        seconds = time.perf_counter() - started
        print(
            f"{label}: {seconds * 1000:.0f} ms, {odoo.sql_db.sql_counter - queries} queries, "
            f"{len(groups)} groups"
        )
        return groups


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--paid", type=int, default=100000)
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    if not args.skip_generate:
        with registry.cursor() as cr:
            generate(api.Environment(cr, SUPERUSER_ID, {}), args.paid)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        queries = odoo.sql_db.sql_counter
        started = time.perf_counter()
        env["account.dunning.kpi"]._refresh_kpis(env.ref("base.main_company"))
        rows = env["account.dunning.kpi"].search_count([])
        print(
            f"KPIs computed (nightly job, Compute Now): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms, "
            f"{odoo.sql_db.sql_counter - queries} queries, {rows} rows"
        )
    # The pivot's first page: its total, then its rows (one call each).
    timed(registry, "pivot total", [])
    months = timed(registry, "pivot by month", ["date:month"])
    for group in months[-3:]:
        print(
            f"  {group['date:month']}: receivables {group['receivable']:.0f}, "
            f"overdue {group['overdue_ratio']:.1f} %, DSO {group['dso']:.1f}, "
            f"CEI {group['cei']:.1f} %, {group['avg_days_late']:.1f} days late, "
            f"recovered {group['recovery_rate'] or 0:.1f} %"
        )
    timed(registry, "by responsible", ["responsible_id"])
    timed(registry, "by step", ["step_id"])


if __name__ == "__main__":
    main()
