# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.account_move import PAID_PAYMENT_STATES

# Balances at a month end: over several months, their average.
BALANCES = (
    "receivable",
    "overdue",
    "amount_not_due",
    "amount_1_30",
    "amount_31_60",
    "amount_61_90",
    "amount_over_90",
    "unapplied",
    "opening_receivable",
    "disputed",
)
# The additive figures of a row; every KPI is a ratio of their sums.
MEASURES = (
    "receivable",
    "overdue",
    "amount_not_due",
    "amount_1_30",
    "amount_31_60",
    "amount_61_90",
    "amount_over_90",
    "unapplied",
    "opening_receivable",
    "sales",
    "daily_sales",
    "paid_count",
    "days_late",
    "reminder_count",
    "reminded_amount",
    "recovered_count",
    "recovered_amount",
    "promise_count",
    "promise_kept_count",
    "disputed",
)


class AccountDunningKpi(models.Model):
    """Collection KPIs per month, company, responsible, sequence and step.

    Balances are rebuilt for each month end from the journal items and
    their matchings, so the figures are stored: ``_refresh_kpis`` computes
    them in one SQL statement, every night and on demand, and the pivot
    reads a few hundred rows whatever the size of the books. Balances are
    as of the last day of each month (the refresh day for the current
    month), in the company currency.

    Ratios are computed from the sums of the group shown (never averaged
    row by row), so they are right at every level of a pivot."""

    _name = "account.dunning.kpi"
    _description = "Dunning KPIs"
    _log_access = False
    _rec_name = "date"
    _order = "date desc, id"

    date = fields.Date(string="Month", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    responsible_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        readonly=True,
    )
    step_id = fields.Many2one(
        "account.dunning.step",
        string="Reminder Step",
        readonly=True,
        help="Set on the rows of reminders sent, for the recovery after each step.",
    )
    receivable = fields.Monetary(
        string="Receivables",
        readonly=True,
        help="What customers owe at the end of the month: open invoices less "
        "credit notes and payments not matched yet. Over several months, the "
        "average of their month ends, as for every balance.",
    )
    overdue = fields.Monetary(
        readonly=True,
        help="Open amount of the invoices past their due date at the end of the month.",
    )
    amount_not_due = fields.Monetary(string="Not Yet Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    amount_over_90 = fields.Monetary(string="Over 90 Days", readonly=True)
    unapplied = fields.Monetary(
        string="Unapplied Credits",
        readonly=True,
        help="Payments and credit notes not matched with an invoice yet, at the "
        "end of the month.",
    )
    opening_receivable = fields.Monetary(
        string="Opening Receivables",
        readonly=True,
        help="Receivables at the end of the previous month.",
    )
    sales = fields.Monetary(
        string="Credit Sales",
        readonly=True,
        help="Customer invoices less credit notes of the month, taxes included.",
    )
    daily_sales = fields.Monetary(
        string="Average Daily Sales",
        readonly=True,
        help="Credit sales of the three months ending with this month, divided "
        "by the number of days of these three months (up to today for the "
        "current month).",
    )
    paid_count = fields.Integer(
        string="Invoices Paid",
        readonly=True,
        help="Invoice instalments paid in full during the month.",
    )
    days_late = fields.Integer(
        string="Total Days Late",
        readonly=True,
        help="Sum of the days after their due date at which the invoices paid in "
        "the month were paid in full.",
    )
    reminder_count = fields.Integer(string="Reminders", readonly=True)
    reminded_amount = fields.Monetary(
        string="Amount Reminded",
        readonly=True,
        help="What was left to pay on the invoices when their reminders were sent.",
    )
    recovered_count = fields.Integer(string="Reminders Followed by Payment", readonly=True)
    recovered_amount = fields.Monetary(
        string="Amount Recovered",
        readonly=True,
        help="Amount reminded of the invoices paid in full within the recovery "
        "window after the reminder (Settings, default 7 days).",
    )
    promise_count = fields.Integer(
        string="Promises Due",
        readonly=True,
        help="Promises to pay whose date has passed, per invoice, in the month of "
        "the promised date.",
    )
    promise_kept_count = fields.Integer(
        string="Promises Kept",
        readonly=True,
        help="Promises due whose invoice was paid in full by the promised date.",
    )
    disputed = fields.Monetary(
        readonly=True,
        help="Open amount of the invoices in dispute at the end of the month.",
    )
    overdue_ratio = fields.Float(
        string="Overdue Ratio (%)",
        readonly=True,
        aggregator="avg",
        help="Overdue ÷ receivables.",
    )
    dso = fields.Float(
        string="DSO (days)",
        readonly=True,
        aggregator="avg",
        help="Days sales outstanding, average daily sales method over three months: "
        "receivables at the end of the month ÷ average daily sales. Over several "
        "months: their receivables ÷ their average daily sales.",
    )
    cei = fields.Float(
        string="CEI (%)",
        readonly=True,
        aggregator="avg",
        help="Collection effectiveness index: (opening receivables + credit sales - "
        "receivables) ÷ (opening receivables + credit sales - receivables not "
        "overdue). 100 % means everything that could be collected was.",
    )
    avg_days_late = fields.Float(
        string="Average Days Late",
        readonly=True,
        aggregator="avg",
        help="Average number of days after the due date at which the invoices paid "
        "in full in the month were paid (0 when paid on time).",
    )
    recovery_rate = fields.Float(
        string="Recovered After Reminder (%)",
        readonly=True,
        aggregator="avg",
        help="Amount recovered ÷ amount reminded.",
    )
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        readonly=True,
        aggregator="avg",
        help="Promises kept ÷ promises due.",
    )

    @api.model
    def _get_kpi_months(self):
        """How many months, the current one included, the KPIs cover."""
        return 12

    @api.model
    def _get_ratio_sql(self, total):
        """The SQL of each ratio, ``total(name)`` giving the SQL of a measure
        (a row's value, or a group's sum)."""
        collected = SQL(
            "(%s + %s - %s)", total("opening_receivable"), total("sales"), total("receivable")
        )
        return {
            "overdue_ratio": SQL(
                "100.0 * %s / NULLIF(%s, 0)", total("overdue"), total("receivable")
            ),
            "dso": SQL("%s / NULLIF(%s, 0)", total("receivable"), total("daily_sales")),
            "cei": SQL("100.0 * %s / NULLIF(%s + %s, 0)", collected, collected, total("overdue")),
            "avg_days_late": SQL(
                "%s::numeric / NULLIF(%s, 0)", total("days_late"), total("paid_count")
            ),
            "recovery_rate": SQL(
                "100.0 * %s / NULLIF(%s, 0)", total("recovered_amount"), total("reminded_amount")
            ),
            "promise_kept_rate": SQL(
                "100.0 * %s / NULLIF(%s, 0)",
                total("promise_kept_count"),
                total("promise_count"),
            ),
        }

    @api.model
    def _get_kpi_query(self, today, companies):
        """The KPI rows of ``companies`` as of ``today``, in one SQL query."""
        first = today.replace(day=1) - relativedelta(months=self._get_kpi_months() - 1)
        facts = SQL(" UNION ALL ").join(self._get_kpi_fact_queries(today, first, companies))
        sums = SQL(", ").join(
            SQL("COALESCE(SUM(f.%s), 0) AS %s", SQL.identifier(name), SQL.identifier(name))
            for name in MEASURES
        )
        ratios = SQL(", ").join(
            SQL("%s AS %s", expression, SQL.identifier(name))
            for name, expression in self._get_ratio_sql(
                lambda name: SQL.identifier("r", name)
            ).items()
        )
        return SQL(
            """
            WITH %(sources)s,
            rows AS (
                SELECT f.month, f.company_id, comp.currency_id,
                       COALESCE(pr.user_id, comp.dunning_responsible_id) AS responsible_id,
                       f.sequence_id, f.step_id, %(sums)s
                  FROM (%(facts)s) f
                  JOIN res_company comp ON comp.id = f.company_id
             LEFT JOIN partner_responsibles pr ON pr.partner_id = f.partner_id
                 WHERE f.month BETWEEN %(first)s AND %(today)s
              GROUP BY f.month, f.company_id, comp.currency_id,
                       COALESCE(pr.user_id, comp.dunning_responsible_id),
                       f.sequence_id, f.step_id
            )
            SELECT r.month AS date, r.company_id, r.currency_id, r.responsible_id,
                   r.sequence_id, r.step_id, %(measures)s, %(ratios)s
              FROM rows r
            """,
            sources=self._get_kpi_sources(today, first, companies),
            sums=sums,
            facts=facts,
            first=first,
            today=today,
            measures=SQL(", ").join(SQL.identifier("r", name) for name in MEASURES),
            ratios=ratios,
        )

    @api.model
    def _get_kpi_sources(self, today, first, companies):
        """The common table expressions the facts read: the month ends, the
        receivable items open at one of them or matched since, and what was
        open of each at each month end (``open`` undoes the matchings dated
        after it)."""
        opening = first - relativedelta(months=1)
        return SQL(
            """
            partner_responsibles AS (%(partner_responsibles)s),
            months AS (
                SELECT m::date AS month,
                       LEAST((m + INTERVAL '1 month' - INTERVAL '1 day')::date, %(today)s)
                           AS month_end
                  FROM generate_series(%(opening)s::date, %(today)s::date, INTERVAL '1 month') m
            ),
            partials AS (
                SELECT apr.debit_move_id AS line_id, apr.max_date, apr.amount
                  FROM account_partial_reconcile apr
                 WHERE apr.max_date >= %(opening)s AND apr.company_id IN %(companies)s
                 UNION ALL
                SELECT apr.credit_move_id, apr.max_date, -apr.amount
                  FROM account_partial_reconcile apr
                 WHERE apr.max_date >= %(opening)s AND apr.company_id IN %(companies)s
            ),
            touched AS (
                SELECT line_id, MAX(max_date) AS closed FROM partials GROUP BY line_id
            ),
            lines AS (
                SELECT l.id, l.move_id, l.company_id,
                       COALESCE(partner.commercial_partner_id, l.partner_id) AS partner_id,
                       mv.dunning_sequence_id AS sequence_id, mv.move_type, mv.payment_state,
                       l.date, l.date_maturity, l.balance, l.amount_residual,
                       CASE WHEN l.reconciled THEN touched.closed END AS closed
                  FROM account_move_line l
                  JOIN account_account account ON account.id = l.account_id
                  JOIN account_move mv ON mv.id = l.move_id
             LEFT JOIN res_partner partner ON partner.id = l.partner_id
             LEFT JOIN touched ON touched.line_id = l.id
                 WHERE account.account_type = 'asset_receivable'
                   AND l.parent_state = 'posted'
                   AND l.company_id IN %(companies)s
                   AND l.date <= %(today)s
                   AND (l.reconciled IS NOT TRUE OR touched.line_id IS NOT NULL)
            ),
            line_months AS (
                SELECT l.id, l.move_id, l.company_id, l.partner_id, l.sequence_id,
                       l.date_maturity, m.month, m.month_end,
                       l.amount_residual
                           + COALESCE(SUM(pt.amount) FILTER (WHERE pt.max_date > m.month_end), 0)
                           AS open
                  FROM lines l
                  JOIN months m ON l.date <= m.month_end
                               AND (l.closed IS NULL OR l.closed > m.month_end)
             LEFT JOIN partials pt ON pt.line_id = l.id
              GROUP BY l.id, l.move_id, l.company_id, l.partner_id, l.sequence_id,
                       l.date_maturity, l.amount_residual, m.month, m.month_end
            ),
            paid_moves AS (
                SELECT l.move_id, MAX(l.closed) AS paid_date
                  FROM lines l
                 WHERE l.move_type = 'out_invoice' AND l.payment_state IN %(paid_states)s
              GROUP BY l.move_id
                HAVING BOOL_AND(l.closed IS NOT NULL)
            ),
            calls AS (
                SELECT e.move_id, e.date, e.call_outcome,
                       LEAD(e.date) OVER (PARTITION BY e.move_id ORDER BY e.date, e.id) AS until
                  FROM account_dunning_event e
                 WHERE e.call_outcome IS NOT NULL AND e.company_id IN %(companies)s
            ),
            disputes AS (
                -- From the call that said so to the next call on the invoice.
                SELECT move_id, date, until FROM calls WHERE call_outcome = 'dispute'
            )
            """,
            today=today,
            opening=opening,
            companies=tuple(companies.ids),
            paid_states=PAID_PAYMENT_STATES,
            partner_responsibles=self.env["res.partner"]._get_dunning_responsibles_query(),
        )

    @api.model
    def _get_kpi_fact_queries(self, today, first, companies):
        """One query per kind of fact of ``companies``, from the month
        ``first`` to ``today``."""
        return [
            self._get_kpi_fact_query(*facts)
            for facts in (
                self._get_balance_facts(),
                self._get_opening_facts(),
                self._get_sales_facts(companies),
                self._get_payment_facts(),
                self._get_reminder_facts(first, companies),
                self._get_promise_facts(today, first, companies),
            )
        ]

    @api.model
    def _get_kpi_fact_query(self, dimensions, measures, source):
        """``dimensions`` selects the month, company, customer, sequence and
        step of a fact, ``measures`` maps some measures to their SQL (the
        others are 0), from ``source``."""
        return SQL(
            "SELECT %s, %s FROM %s",
            dimensions,
            SQL(", ").join(
                SQL("%s AS %s", measures.get(name, SQL("0")), SQL.identifier(name))
                for name in MEASURES
            ),
            source,
        )

    @api.model
    def _get_balance_facts(self):
        """What is open at each month end, aged, and in dispute then."""
        days = SQL("(lm.month_end - lm.date_maturity)")

        def aged(condition):
            return SQL("CASE WHEN lm.open > 0 AND %s THEN lm.open ELSE 0 END", condition)

        return (
            SQL(
                "lm.month AS month, lm.company_id AS company_id, lm.partner_id AS partner_id,"
                " lm.sequence_id AS sequence_id, NULL::int AS step_id"
            ),
            {
                "receivable": SQL("lm.open"),
                "overdue": aged(SQL("%s > 0", days)),
                "amount_not_due": aged(SQL("%s <= 0", days)),
                "amount_1_30": aged(SQL("%s BETWEEN 1 AND 30", days)),
                "amount_31_60": aged(SQL("%s BETWEEN 31 AND 60", days)),
                "amount_61_90": aged(SQL("%s BETWEEN 61 AND 90", days)),
                "amount_over_90": aged(SQL("%s > 90", days)),
                "unapplied": SQL("CASE WHEN lm.open < 0 THEN lm.open ELSE 0 END"),
                "disputed": aged(SQL("d.move_id IS NOT NULL")),
            },
            SQL(
                """line_months lm
             LEFT JOIN disputes d ON d.move_id = lm.move_id AND d.date <= lm.month_end
                                 AND (d.until IS NULL OR d.until > lm.month_end)"""
            ),
        )

    @api.model
    def _get_opening_facts(self):
        """What was open at the end of a month opens the next one."""
        return (
            SQL(
                "(lm.month + INTERVAL '1 month')::date, lm.company_id, lm.partner_id,"
                " lm.sequence_id, NULL::int"
            ),
            {"opening_receivable": SQL("lm.open")},
            SQL("line_months lm"),
        )

    @api.model
    def _get_sales_facts(self, companies):
        """The invoices and credit notes of each month, and their share of
        the average daily sales of this month and the next two."""
        return (
            SQL(
                "m.month, l.company_id, COALESCE(partner.commercial_partner_id, l.partner_id),"
                " mv.dunning_sequence_id, NULL::int"
            ),
            {
                "sales": SQL(
                    "CASE WHEN m.month = date_trunc('month', l.date) THEN l.balance ELSE 0 END"
                ),
                "daily_sales": SQL(
                    "l.balance / (m.month_end - (m.month - INTERVAL '2 months')::date + 1)"
                ),
            },
            SQL(
                """account_move_line l
                  JOIN account_account account ON account.id = l.account_id
                  JOIN account_move mv ON mv.id = l.move_id
             LEFT JOIN res_partner partner ON partner.id = l.partner_id
                  JOIN months m ON l.date BETWEEN (m.month - INTERVAL '2 months')::date
                                              AND m.month_end
                 WHERE account.account_type = 'asset_receivable'
                   AND l.parent_state = 'posted' AND l.company_id IN %s
                   AND mv.move_type IN ('out_invoice', 'out_refund', 'out_receipt')""",
                tuple(companies.ids),
            ),
        )

    @api.model
    def _get_payment_facts(self):
        """The invoice instalments paid in full in each month, and how late."""
        return (
            SQL(
                "date_trunc('month', l.closed)::date, l.company_id, l.partner_id,"
                " l.sequence_id, NULL::int"
            ),
            {
                "paid_count": SQL("1"),
                "days_late": SQL("GREATEST(l.closed - l.date_maturity, 0)"),
            },
            SQL(
                """lines l
                 WHERE l.closed IS NOT NULL AND l.balance > 0 AND l.move_type = 'out_invoice'
                   AND l.payment_state IN %s""",
                PAID_PAYMENT_STATES,
            ),
        )

    @api.model
    def _get_reminder_facts(self, first, companies):
        """Each reminder done since ``first``, and whether its invoice was
        paid in full within the company's recovery window after it. Amounts
        in company currency at the invoice's rate."""
        rate = SQL("COALESCE(mv.amount_total_signed / NULLIF(mv.amount_total, 0), 1)")
        recovered = SQL(
            "pm.paid_date BETWEEN e.date AND e.date + COALESCE(comp.dunning_recovery_days, 0)"
        )
        return (
            SQL(
                "date_trunc('month', e.date)::date, e.company_id, e.partner_id,"
                " e.sequence_id, e.step_id"
            ),
            {
                "reminder_count": SQL("1"),
                "reminded_amount": SQL("e.amount_residual * %s", rate),
                "recovered_count": SQL("CASE WHEN %s THEN 1 ELSE 0 END", recovered),
                "recovered_amount": SQL(
                    "CASE WHEN %s THEN e.amount_residual * %s ELSE 0 END", recovered, rate
                ),
            },
            SQL(
                """account_dunning_event e
                  JOIN account_move mv ON mv.id = e.move_id
                  JOIN res_company comp ON comp.id = e.company_id
             LEFT JOIN paid_moves pm ON pm.move_id = e.move_id
                 WHERE e.event_type = 'reminder' AND e.state IN ('sent', 'queued')
                   AND e.step_id IS NOT NULL AND e.date >= %s AND e.company_id IN %s""",
                first,
                tuple(companies.ids),
            ),
        )

    @api.model
    def _get_promise_facts(self, today, first, companies):
        """Each promise to pay whose date has passed, in the month of that
        date, and whether its invoice was paid in full by then."""
        return (
            SQL(
                "date_trunc('month', e.promise_date)::date, e.company_id, e.partner_id,"
                " e.sequence_id, NULL::int"
            ),
            {
                "promise_count": SQL("1"),
                "promise_kept_count": SQL(
                    "CASE WHEN pm.paid_date <= e.promise_date THEN 1 ELSE 0 END"
                ),
            },
            SQL(
                """account_dunning_event e
             LEFT JOIN paid_moves pm ON pm.move_id = e.move_id
                 WHERE e.call_outcome = 'promise' AND e.company_id IN %s
                   AND e.promise_date >= %s AND e.promise_date < %s""",
                tuple(companies.ids),
                first,
                today,
            ),
        )

    @api.model
    def _refresh_kpis(self, companies, today=None):
        """Compute again the KPIs of ``companies`` as of ``today`` (default:
        the company's today), replacing their rows. A company whose KPIs
        another transaction is computing is left to it. Returns the
        companies refreshed."""
        # The figures are read in SQL.
        self.env.flush_all()
        refreshed = self.env["res.company"]
        for company in companies:
            day = today or self._get_kpi_today(company)
            # One refresh per company at a time; the other waits for nothing.
            self.env.cr.execute(
                SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", self._lock_key(), company.id)
            )
            if not self.env.cr.fetchone()[0]:
                continue
            self.env.cr.execute(
                SQL("DELETE FROM account_dunning_kpi WHERE company_id = %s", company.id)
            )
            columns = SQL(", ").join(
                SQL.identifier(name)
                for name in (
                    "date",
                    "company_id",
                    "currency_id",
                    "responsible_id",
                    "sequence_id",
                    "step_id",
                    *MEASURES,
                    *self._get_ratio_sql(SQL.identifier),
                )
            )
            # The planner cannot estimate the rows of the query's common
            # table expressions, and a nested loop over two of them takes
            # hours on large books: hash joins are right at any size here.
            # Without nested loops the estimated cost is huge, which would
            # make PostgreSQL compile the query (JIT) for seconds, even on
            # an empty book.
            self.env.cr.execute("SET LOCAL enable_nestloop = off")
            self.env.cr.execute("SET LOCAL jit = off")
            self.env.cr.execute(
                SQL(
                    "INSERT INTO account_dunning_kpi (%s) %s",
                    columns,
                    self._get_kpi_query(day, company),
                )
            )
            self.env.cr.execute("SET LOCAL enable_nestloop TO DEFAULT")
            self.env.cr.execute("SET LOCAL jit TO DEFAULT")
            company.sudo().write(
                {"dunning_kpi_date": day, "dunning_kpi_refreshed_at": fields.Datetime.now()}
            )
            refreshed |= company
        self.invalidate_model()
        return refreshed

    @api.model
    def _get_kpi_today(self, company):
        """Today in the company's timezone, as its dunning run sees it."""
        return company.with_context(**company._get_dunning_context())._get_dunning_today()

    @api.model
    def _lock_key(self):
        # The first half of the advisory lock, the company id is the second.
        return 0x4B5049

    @api.model
    def _cron_refresh_kpis(self):
        """Refresh the KPIs of each company not refreshed today, one company
        per call, committed after each."""
        companies = (
            self.env["res.company"]
            .search([])
            .filtered(lambda company: company.dunning_kpi_date != self._get_kpi_today(company))
        )
        if companies:
            self._refresh_kpis(companies[0])
        self.env["ir.cron"]._notify_progress(
            done=1 if companies else 0, remaining=len(companies[1:])
        )

    def _read_group_select(self, aggregate_spec, query):
        # A ratio of a group is the ratio of its sums, never an average of rows.
        fname = aggregate_spec.split(":")[0]
        ratios = self._get_ratio_sql(
            lambda name: SQL("SUM(%s)", self._field_to_sql(self._table, name, query))
        )
        if fname in ratios:
            return ratios[fname]
        if fname in BALANCES and aggregate_spec.endswith(":sum"):
            # Month-end balances of several months are averaged, not added:
            # the balance rows are those without a step.
            return SQL(
                "SUM(%s) / NULLIF(COUNT(DISTINCT %s) FILTER (WHERE %s IS NULL), 0)",
                self._field_to_sql(self._table, fname, query),
                self._field_to_sql(self._table, "date", query),
                self._field_to_sql(self._table, "step_id", query),
            )
        return super()._read_group_select(aggregate_spec, query)
