# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Insert a book of open invoices into a database without the module, to
time the module's installation on it (``BENCH_INSTALL=1 bench/run.sh``).

Customers and invoice headers are inserted in SQL, as in bench_dunning.py:
each customer has ``invoices / customers`` open invoices, due from 120 days
ago to 30 days ahead.
"""

import argparse
import random
import time
from datetime import date, timedelta

from bench_dunning import insert_customers

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=200000)
    parser.add_argument("--invoices", type=int, default=1000000)
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def generate(env, args, today):
    rng = random.Random(args.seed)
    cr = env.cr
    company = env.ref("base.main_company")
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    partner_ids = insert_customers(cr, args.customers)
    partners = [partner_ids[index % len(partner_ids)] for index in range(args.invoices)]
    dues = [today + timedelta(days=rng.randint(-120, 30)) for _index in range(args.invoices)]
    amounts = [round(rng.uniform(100, 5000), 2) for _index in range(args.invoices)]
    cr.execute(
        SQL(
            """
            INSERT INTO account_move (name, move_type, state, payment_state, journal_id,
                    company_id, currency_id, partner_id, commercial_partner_id,
                    date, invoice_date, invoice_date_due, amount_total,
                    amount_residual, amount_total_signed, amount_residual_signed,
                    auto_post, create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || v.n, 'out_invoice', 'posted', 'not_paid', %(journal)s,
                   %(company)s, %(currency)s, v.partner_id, v.partner_id,
                   v.due - 30, v.due - 30, v.due, v.amount, v.amount, v.amount, v.amount,
                   'no', %(uid)s, %(uid)s, now(), now()
              FROM unnest(%(partners)s::int[], %(dues)s::date[], %(amounts)s::numeric[])
                   WITH ORDINALITY AS v(partner_id, due, amount, n)
            """,
            journal=journal.id,
            company=company.id,
            currency=company.currency_id.id,
            uid=SUPERUSER_ID,
            partners=partners,
            dues=dues,
            amounts=amounts,
        )
    )
    cr.execute("ANALYZE res_partner, account_move")
    cr.commit()


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    started = time.perf_counter()
    with registry.cursor() as cr:
        generate(api.Environment(cr, SUPERUSER_ID, {}), args, date.today())
    print(
        f"inserted {args.customers} customers and {args.invoices} open invoices in "
        f"{time.perf_counter() - started:.0f}s"
    )


if __name__ == "__main__":
    main()
