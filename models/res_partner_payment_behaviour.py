# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.tools import SQL

# The partner's company-dependent fields and the column of the behaviour
# query each one takes its value from.
BEHAVIOUR_FIELDS = {
    "dunning_behaviour_count": "invoice_count",
    "dunning_avg_days_late": "avg_days_late",
    "dunning_on_time_rate": "on_time_rate",
    "dunning_trend": "trend",
    "dunning_broken_promises": "broken_promises",
    "dunning_risk": "risk",
}


class ResPartner(models.Model):
    """Payment behaviour and sequence rules, recomputed every night.

    The payment behaviour of each customer in each company is computed in
    one SQL statement per company over its invoices due in the last 12
    months, and stored on the customer (company-dependent fields), where the
    rules of the sequences can read it. The rules are then re-evaluated for
    all the customers, one search per rule.
    """

    _inherit = "res.partner"

    @api.model
    def _cron_recompute_dunning_rules(self):
        """Nightly: the payment behaviour of the customers, then the
        sequence each one follows by rule."""
        companies = self.env["res.company"]._get_dunning_companies()
        self._recompute_dunning_rules(companies)
        self.env["ir.cron"]._notify_progress(done=len(companies), remaining=0)

    @api.model
    def _recompute_dunning_rules(self, companies):
        """Recompute the payment behaviour of ``companies``' customers, then
        re-evaluate their rules: customers whose sequence changes enter the
        new one by the entry rule."""
        for company in companies:
            partners = self.with_company(company).with_context(**company._get_dunning_context())
            partners._update_dunning_payment_behaviour(
                company, company.with_env(partners.env)._get_dunning_today()
            )
        self._dunning_apply_rules(companies)

    @api.model
    def _update_dunning_payment_behaviour(self, company, today):
        """Store the payment behaviour of every customer of ``company`` as
        of ``today``, in one query; customers with no figure left lose
        theirs."""
        self.flush_model(list(BEHAVIOUR_FIELDS))
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.dunning.event"].flush_model()
        key = str(company.id)
        marker = SQL.identifier("p", "dunning_behaviour_count")
        new_values = {
            fname: SQL(
                """CASE WHEN b.partner_id IS NULL THEN %(column)s - %(key)s
                        ELSE COALESCE(%(column)s, '{}'::jsonb)
                             || jsonb_build_object(%(key)s, b.%(value)s)
                   END""",
                column=SQL.identifier("p", fname),
                key=key,
                value=SQL.identifier(value),
            )
            for fname, value in BEHAVIOUR_FIELDS.items()
        }
        self.env.cr.execute(
            SQL(
                """
                WITH behaviour AS (%(behaviour)s),
                targets AS (
                    SELECT p.id, %(new_values)s
                      FROM res_partner p
                 LEFT JOIN behaviour b ON b.partner_id = p.id
                     WHERE b.partner_id IS NOT NULL OR %(marker)s ? %(key)s
                )
                UPDATE res_partner p
                   SET %(assignments)s
                  FROM targets t
                 WHERE p.id = t.id AND (%(differences)s)
                """,
                behaviour=self._get_payment_behaviour_query(company, today),
                new_values=SQL(", ").join(
                    SQL("%s AS %s", value, SQL.identifier(fname))
                    for fname, value in new_values.items()
                ),
                marker=marker,
                key=key,
                assignments=SQL(", ").join(
                    SQL("%s = t.%s", SQL.identifier(fname), SQL.identifier(fname))
                    for fname in BEHAVIOUR_FIELDS
                ),
                differences=SQL(" OR ").join(
                    SQL(
                        "p.%s IS DISTINCT FROM t.%s",
                        SQL.identifier(fname),
                        SQL.identifier(fname),
                    )
                    for fname in BEHAVIOUR_FIELDS
                ),
            )
        )
        self.invalidate_model(list(BEHAVIOUR_FIELDS))
        company.sudo().dunning_behaviour_date = today

    @api.model
    def _get_payment_behaviour_query(self, company, today):
        """SQL of the payment behaviour of ``company``'s customers as of
        ``today``: one row (partner_id, invoice_count, avg_days_late,
        on_time_rate, trend, broken_promises, risk) per customer with an
        invoice due in the last 12 months or a broken promise.

        The invoices measured are the customer invoices posted and due in
        the 12 months before ``today`` (not yet due: not measured). An
        invoice paid in full (or reversed) is late by the days from its due
        date to its last matching, through its receivable items; one still
        open is late by the days from its due date to ``today``; early
        counts as 0. The average is weighted by amount (company currency);
        the share on time counts invoices paid in full by their due date.
        """
        start = today - relativedelta(months=12)
        recent = today - relativedelta(months=3)
        return SQL(
            """
            WITH invoices AS (
                SELECT m.id, m.commercial_partner_id AS partner_id,
                       m.invoice_date_due AS due, m.amount_total_signed AS amount,
                       m.payment_state IN ('paid', 'in_payment', 'reversed') AS closed
                  FROM account_move m
                 WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.company_id = %(company)s
                   AND m.invoice_date_due >= %(start)s AND m.invoice_date_due < %(today)s
                   AND m.amount_total_signed > 0
            ),
            paid AS (
                SELECT i.id, MAX(apr.max_date) AS paid_date
                  FROM invoices i
                  JOIN account_move_line l ON l.move_id = i.id
                                          AND l.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                 WHERE i.closed
              GROUP BY i.id
            ),
            lateness AS (
                SELECT i.partner_id, i.amount, i.due >= %(recent)s AS recent,
                       i.closed AND COALESCE(paid.paid_date, i.due) <= i.due AS on_time,
                       GREATEST(
                           CASE WHEN i.closed THEN COALESCE(paid.paid_date, i.due)
                                ELSE %(today)s END - i.due,
                           0
                       ) AS days
                  FROM invoices i
             LEFT JOIN paid ON paid.id = i.id
            ),
            figures AS (
                SELECT l.partner_id, COUNT(*) AS invoice_count,
                       SUM(l.amount * l.days) / SUM(l.amount) AS avg_days_late,
                       100.0 * COUNT(*) FILTER (WHERE l.on_time) / COUNT(*) AS on_time_rate,
                       SUM(l.amount * l.days) FILTER (WHERE l.recent)
                           / SUM(l.amount) FILTER (WHERE l.recent)
                       - SUM(l.amount * l.days) FILTER (WHERE NOT l.recent)
                           / SUM(l.amount) FILTER (WHERE NOT l.recent) AS trend
                  FROM lateness l
              GROUP BY l.partner_id
            ),
            promises AS (
                SELECT e.partner_id, COUNT(DISTINCT e.date) AS broken_promises
                  FROM account_dunning_event e
                 WHERE e.company_id = %(company)s
                   AND e.date >= %(start)s AND e.date <= %(today)s
                   AND %(broken)s
              GROUP BY e.partner_id
            ),
            behaviour AS (
                SELECT COALESCE(f.partner_id, pr.partner_id) AS partner_id,
                       COALESCE(f.invoice_count, 0) AS invoice_count,
                       ROUND(COALESCE(f.avg_days_late, 0), 2) AS avg_days_late,
                       ROUND(COALESCE(f.on_time_rate, 0), 2) AS on_time_rate,
                       ROUND(COALESCE(f.trend, 0), 2) AS trend,
                       COALESCE(pr.broken_promises, 0) AS broken_promises
                  FROM figures f
             FULL JOIN promises pr ON pr.partner_id = f.partner_id
            )
            SELECT b.*, %(risk)s AS risk
              FROM behaviour b
            """,
            company=company.id,
            start=start,
            recent=recent,
            today=today,
            broken=self._get_broken_promise_condition(),
            risk=self._get_dunning_risk(company),
        )

    @api.model
    def _get_broken_promise_condition(self):
        """SQL condition on the events ``e`` recording a broken promise to
        pay, one per invoice (see ``account.dunning.run._report_broken_promises``): the
        promises themselves carry the call outcome."""
        return SQL("e.event_type = 'promise' AND e.call_outcome IS NULL AND e.state = 'received'")

    @api.model
    def _get_dunning_risk(self, company):
        """SQL of the risk level of a row ``b`` of the behaviour, from the
        thresholds of ``company``: risky when it pays late on average, or
        seldom on time, or broke promises; good when it pays nearly on time,
        mostly by the due date and broke no promise; else normal."""
        risky_promises = company.dunning_risky_broken_promises
        return SQL(
            """
            CASE
                WHEN b.invoice_count > 0
                     AND (b.avg_days_late > %(risky_days)s OR b.on_time_rate < %(risky_rate)s)
                    THEN 'risky'
                WHEN %(risky_promises)s > 0 AND b.broken_promises >= %(risky_promises)s
                    THEN 'risky'
                WHEN b.invoice_count > 0 AND b.broken_promises = 0
                     AND b.avg_days_late <= %(good_days)s AND b.on_time_rate >= %(good_rate)s
                    THEN 'good'
                ELSE 'normal'
            END
            """,
            risky_days=company.dunning_risky_days_late,
            risky_rate=company.dunning_risky_on_time_rate,
            risky_promises=risky_promises,
            good_days=company.dunning_good_days_late,
            good_rate=company.dunning_good_on_time_rate,
        )
