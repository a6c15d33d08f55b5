# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What 18.0.1.1.0 to 18.0.1.5.0 changed that ``-u`` does not carry: each
step is idempotent, so that databases already upgraded to one of those
releases are repaired too."""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

from odoo.addons.account_dunning.migrations import helpers

_logger = logging.getLogger(__name__)

VERSION = "18.0.1.5.0"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    # 18.0.1.1.0: the daily run moved to the dunning service.
    helpers.repair_cron(
        env,
        "account_dunning.ir_cron_run_dunning",
        shipped=[("account.dunning.sequence", "model._cron_run_dunning()")],
        current=("account.dunning.run", "model._cron_run_dunning()"),
    )
    # 18.0.1.4.0: reminders give the oldest unpaid due date, the instalments
    # left and the late-payment rates only (the rate label has notes for
    # the accountant); 18.0.1.5.0: the plan notice names the instalment it
    # announces, dates in words.
    helpers.update_templates(
        env,
        [
            "account_dunning.mail_template_dunning_notice",
            "account_dunning.mail_template_dunning_reminder1",
            "account_dunning.mail_template_dunning_reminder2",
            "account_dunning.mail_template_dunning_plan_notice",
            "account_dunning.mail_template_dunning_plan_reminder",
        ],
        VERSION,
    )
    move_legal_interest_rate(env)
    # 18.0.1.4.0: steps count from the oldest instalment left to pay. The
    # last step done was for the instalment then oldest; the next steps of
    # the invoices already open count from it.
    cr.execute(
        SQL(
            "UPDATE account_move SET dunning_step_date_due = dunning_date_due"
            " WHERE dunning_step_id IS NOT NULL AND dunning_step_date_due IS NULL"
        )
    )
    helpers.recompute_dunning_next(env)
    # 18.0.1.5.0: one collection status per invoice and customer, stored.
    fill_pause_origins(cr)
    env["account.move"]._dunning_init_status()
    # 18.0.1.2.0 and 18.0.1.4.0: the KPIs and the customers' payment
    # behaviour, computed by the scheduler soon after the upgrade rather
    # than at the next night.
    env.ref("account_dunning.ir_cron_dunning_kpis")._trigger()
    env.ref("account_dunning.ir_cron_dunning_rules")._trigger()


def move_legal_interest_rate(env):
    """18.0.1.4.0 replaced the company's legal interest rate of
    18.0.1.0.0 with the table of legal rates per half-year: a rate a company
    set becomes the rate of the half-year it was last saved in, unless the
    table has one."""
    cr = env.cr
    cr.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = 'res_company' AND column_name = 'dunning_legal_interest_rate'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        "SELECT id, dunning_legal_interest_rate, write_date FROM res_company"
        " WHERE dunning_legal_interest_rate > 0 ORDER BY write_date"
    )
    Rate = env["account.dunning.legal.rate"]
    for company_id, value, saved in cr.fetchall():
        start = env["account.dunning.ecb.rate"]._get_half_year_start(saved.date())
        rate = Rate.search([("date", "=", start), ("category", "=", "other")])
        if not rate:
            Rate.create({"date": start, "category": "other", "rate": value})
            _logger.info(
                "Legal interest rate of %s: %s %% (from company %s)", start, value, company_id
            )
        elif rate.rate != value:
            _logger.warning(
                "Company %s had a legal interest rate of %s %%; the table of legal rates "
                "has %s %% for the half-year from %s: kept.",
                company_id,
                value,
                rate.rate,
                start,
            )


def fill_pause_origins(cr):
    """Who paused the invoices paused before 18.0.1.5.0: the customer when
    a promise, a claim of payment or a reply explains the pause's end,
    else a person."""
    cr.execute(
        """
        UPDATE account_move m
           SET dunning_pause_origin = CASE
                   WHEN EXISTS (SELECT 1 FROM account_dunning_event e
                                 WHERE e.move_id = m.id AND e.call_outcome = 'promise'
                                   AND e.promise_date = m.dunning_pause_until) THEN 'promise'
                   WHEN EXISTS (SELECT 1 FROM account_dunning_event e
                                  JOIN res_company c ON c.id = e.company_id
                                 WHERE e.move_id = m.id AND e.event_type = 'answer'
                                   AND e.date + c.dunning_paid_claim_days - 1
                                       = m.dunning_pause_until) THEN 'claim'
                   WHEN EXISTS (SELECT 1 FROM account_dunning_event e
                                  JOIN res_company c ON c.id = e.company_id
                                 WHERE e.move_id = m.id AND e.event_type = 'reply'
                                   AND e.date + c.dunning_reply_pause_days
                                       = m.dunning_pause_until) THEN 'reply'
                   ELSE 'manual'
               END
         WHERE m.dunning_paused AND m.dunning_pause_origin IS NULL
        """
    )
