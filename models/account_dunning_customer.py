# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL

from .account_move import COLLECTION_STATUSES
from .res_partner import RISK_LEVELS


class AccountDunningCustomer(models.Model):
    """The dunning workspace: one line per customer and company owing open
    invoices, with what it owes, how late, what was done and what comes
    next. Read in one query, whatever the number of customers shown."""

    _name = "account.dunning.customer"
    _description = "Dunning Customer"
    _auto = False
    _rec_name = "partner_id"
    _order = "oldest_days_overdue desc, amount_overdue desc, id"
    _depends = {
        "account.move": [
            "move_type",
            "state",
            "payment_state",
            "amount_residual",
            "amount_residual_signed",
            "dunning_date_due",
            "commercial_partner_id",
            "company_id",
            "dunning_next_date",
            "dunning_next_step_id",
            "dunning_paused",
            "dunning_plan_id",
            "dunning_status",
            "dunning_status_until",
        ],
        "account.dunning.event": [
            "partner_id",
            "company_id",
            "date",
            "step_id",
            "channel",
            "state",
            "event_type",
            "call_outcome",
            "promise_date",
            "activity_id",
            "hold_until",
            "evidence_ref",
        ],
        "res.partner": [
            "dunning_excluded",
            "dunning_responsible_id",
            "user_id",
            "dunning_avg_days_late",
            "dunning_on_time_rate",
            "dunning_trend",
            "dunning_broken_promises",
            "dunning_risk",
            "dunning_behaviour_count",
        ],
        "res.company": ["dunning_responsible_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    responsible_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    invoice_count = fields.Integer(string="Open Invoices", readonly=True)
    amount_due = fields.Monetary(string="Total Due", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_not_due = fields.Monetary(string="Not Yet Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    amount_over_90 = fields.Monetary(string="Over 90 Days", readonly=True)
    oldest_days_overdue = fields.Integer(
        string="Days Overdue",
        readonly=True,
        help="Days overdue of the customer's oldest overdue invoice.",
    )
    last_date = fields.Date(string="Last Action", readonly=True)
    last_step_id = fields.Many2one(
        "account.dunning.step",
        string="Last Step",
        readonly=True,
    )
    last_channel = fields.Selection(
        selection="_get_channel_selection",
        readonly=True,
    )
    next_date = fields.Date(string="Next Action", readonly=True)
    next_step_id = fields.Many2one(
        "account.dunning.step",
        string="Next Step",
        readonly=True,
    )
    next_channel = fields.Selection(
        selection="_get_channel_selection",
        readonly=True,
    )
    status = fields.Selection(
        COLLECTION_STATUSES,
        string="Collection Status",
        readonly=True,
        help="The first status, in order of precedence, of the customer's open invoices: "
        "an answer of the customer (probably paid, replied, promise, dispute, payment "
        "plan) first, then a pause, a step awaiting approval, a letter to print, a call or "
        "task due today, the end of the sequence while overdue, on track.",
    )
    status_until = fields.Date(
        string="Until",
        readonly=True,
        help="The day the promise, hold, reply pause or pause ends.",
    )
    held_until = fields.Date(
        readonly=True,
        help="The customer probably paid: its reminders are held until this date, "
        "waiting for the money found to be reconciled.",
    )
    evidence_ref = fields.Reference(
        selection=lambda self: self.env["account.dunning.event"]
        ._fields["evidence_ref"]
        ._description_selection(self.env),
        string="Money Found",
        readonly=True,
    )
    last_reply_date = fields.Date(
        string="Last Reply",
        readonly=True,
        help="The last time the customer answered a reminder by email (not an " "automatic reply).",
    )
    # "No Data" rather than an empty risk: no invoice was due in the last 12
    # months, so no figure is shown either (see behaviour_count).
    risk = fields.Selection(
        RISK_LEVELS + [("none", "No Data")],
        string="Payment Risk",
        readonly=True,
        help="From the payment behaviour of the last 12 months and the thresholds "
        "of the settings, computed every night.",
    )
    avg_days_late = fields.Float(
        string="Average Days Late",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="How late the customer paid its invoices due in the last 12 months, "
        "on average weighted by amount.",
    )
    on_time_rate = fields.Float(
        string="Paid On Time (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="The share of its invoices due in the last 12 months the customer paid "
        "by their due date.",
    )
    trend = fields.Float(
        string="Lateness Trend (days)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Average days late of the last 3 months minus that of the 9 months "
        "before: above 0 the customer pays later than it used to.",
    )
    broken_promises = fields.Integer(
        readonly=True,
        help="Promises to pay the customer did not keep in the last 12 months.",
    )
    behaviour_count = fields.Integer(
        string="Invoices Measured",
        readonly=True,
        help="The invoices due in the last 12 months the payment behaviour is computed "
        "on: none, no figure.",
    )
    dunning_note = fields.Text(related="partner_id.dunning_note")

    @api.model
    def _get_channel_selection(self):
        return self.env["account.dunning.step"]._fields["channel"]._description_selection(self.env)

    @property
    def _table_query(self):
        return self._get_workspace_query(fields.Date.context_today(self))

    @api.model
    def _get_workspace_query(self, today):
        """The workspace in one SQL query, as of ``today``: the open
        invoices grouped per customer and company, the last reminder and the
        work waiting for a person found through indexes."""
        status, status_until = self.env["account.move"]._get_collection_status_aggregates("o")
        return SQL(
            """
            WITH open_moves AS (
                SELECT m.id, m.commercial_partner_id AS partner_id, m.company_id,
                       m.amount_residual_signed AS residual,
                       %(today)s - m.dunning_date_due AS days,
                       m.dunning_next_date, m.dunning_next_step_id, m.dunning_paused,
                       m.dunning_plan_id, m.dunning_status, m.dunning_status_until
                  FROM account_move m
                 WHERE %(remindable)s
            ),
            customers AS (
                SELECT MIN(o.id) AS id, o.partner_id, o.company_id,
                       COUNT(*) AS invoice_count,
                       SUM(o.residual) AS amount_due,
                       SUM(o.residual) FILTER (WHERE o.days > 0) AS amount_overdue,
                       SUM(o.residual) FILTER (WHERE o.days <= 0) AS amount_not_due,
                       SUM(o.residual) FILTER (WHERE o.days BETWEEN 1 AND 30) AS amount_1_30,
                       SUM(o.residual) FILTER (WHERE o.days BETWEEN 31 AND 60) AS amount_31_60,
                       SUM(o.residual) FILTER (WHERE o.days BETWEEN 61 AND 90) AS amount_61_90,
                       SUM(o.residual) FILTER (WHERE o.days > 90) AS amount_over_90,
                       GREATEST(MAX(o.days), 0) AS oldest_days_overdue,
                       %(status)s AS status,
                       %(status_until)s AS status_until,
                       (ARRAY_AGG(o.dunning_next_step_id ORDER BY o.dunning_next_date, o.id)
                            FILTER (WHERE o.dunning_next_date IS NOT NULL
                                      AND NOT COALESCE(o.dunning_paused, FALSE)))[1]
                           AS next_step_id,
                       MIN(o.dunning_next_date)
                           FILTER (WHERE NOT COALESCE(o.dunning_paused, FALSE))
                           AS next_date
                  FROM open_moves o
              GROUP BY o.partner_id, o.company_id
            )
            SELECT c.id, c.partner_id, c.company_id, comp.currency_id,
                   c.invoice_count, c.amount_due,
                   COALESCE(c.amount_overdue, 0) AS amount_overdue,
                   COALESCE(c.amount_not_due, 0) AS amount_not_due,
                   COALESCE(c.amount_1_30, 0) AS amount_1_30,
                   COALESCE(c.amount_31_60, 0) AS amount_31_60,
                   COALESCE(c.amount_61_90, 0) AS amount_61_90,
                   COALESCE(c.amount_over_90, 0) AS amount_over_90,
                   c.oldest_days_overdue,
                   last_event.date AS last_date,
                   last_event.step_id AS last_step_id,
                   last_event.channel AS last_channel,
                   c.next_date, c.next_step_id, next_step.channel AS next_channel,
                   COALESCE(pr.user_id, comp.dunning_responsible_id) AS responsible_id,
                   held.hold_until AS held_until, held.evidence_ref,
                   last_reply.date AS last_reply_date,
                   COALESCE(p.dunning_risk->>c.company_id::text, 'none') AS risk,
                   COALESCE((p.dunning_behaviour_count->>c.company_id::text)::int, 0)
                       AS behaviour_count,
                   (p.dunning_avg_days_late->>c.company_id::text)::float8 AS avg_days_late,
                   (p.dunning_on_time_rate->>c.company_id::text)::float8 AS on_time_rate,
                   (p.dunning_trend->>c.company_id::text)::float8 AS trend,
                   (p.dunning_broken_promises->>c.company_id::text)::int AS broken_promises,
                   c.status, c.status_until
              FROM customers c
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_company comp ON comp.id = c.company_id
              LEFT JOIN account_dunning_step next_step ON next_step.id = c.next_step_id
              LEFT JOIN (%(partner_responsibles)s) pr ON pr.partner_id = c.partner_id
              LEFT JOIN LATERAL (
                    SELECT e.date, e.step_id, e.channel
                      FROM account_dunning_event e
                     WHERE e.partner_id = c.partner_id AND e.company_id = c.company_id
                       AND e.event_type = 'reminder' AND e.state IN ('sent', 'queued')
                  ORDER BY e.date DESC, e.id DESC
                     LIMIT 1
              ) last_event ON TRUE
              LEFT JOIN LATERAL (
                    SELECT e.hold_until, e.evidence_ref
                      FROM account_dunning_event e
                     WHERE e.partner_id = c.partner_id AND e.company_id = c.company_id
                       AND e.event_type = 'probably_paid' AND e.state = 'pending'
                  ORDER BY e.id DESC
                     LIMIT 1
              ) held ON TRUE
              LEFT JOIN LATERAL (
                    SELECT e.date
                      FROM account_dunning_event e
                     WHERE e.partner_id = c.partner_id AND e.company_id = c.company_id
                       AND e.event_type = 'reply'
                  ORDER BY e.date DESC, e.id DESC
                     LIMIT 1
              ) last_reply ON TRUE
            """,
            today=today,
            status=status,
            status_until=status_until,
            remindable=self._get_remindable_condition(),
            partner_responsibles=self.env["res.partner"]._get_dunning_responsibles_query(),
        )

    @api.model
    def _get_remindable_condition(self):
        """The SQL of ``account.move._get_dunning_remindable_domain``, on
        the table ``m``."""
        # The workspace's own rule keeps each user to the allowed companies.
        Move = self.env["account.move"].sudo()
        query = Move._search(Move._get_dunning_remindable_domain())
        return SQL("m.id IN %s", query.subselect())

    @api.model
    def get_run_warning(self):
        """That today's dunning run did not finish in one of the user's
        companies, in words, else False."""
        self.check_access("read")
        Run = self.env["account.dunning.run"].sudo()
        if Run._get_run_unfinished_companies() & self.env.companies:
            return Run.with_context(lang=self.env.lang)._get_run_unfinished_warning()
        return False

    def action_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
            "context": {"dunning_open_page": True},
        }

    def action_open_invoices(self):
        """The customer's invoices open for dunning."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_move_dunning_action"
        )
        action["domain"] = [
            ("commercial_partner_id", "in", self.partner_id.ids),
            ("company_id", "in", self.company_id.ids),
        ]
        return action

    def action_send_reminders(self):
        """Send reminders, as from the invoices: what is due for each
        customer, never what is not due, never twice a day."""
        return self._get_open_moves().action_open_dunning_send_wizard()

    def action_send_statements(self):
        """Email their statement to the customers selected, each in its
        company."""
        self.partner_id._check_dunning_user()
        messages = self.env["mail.message"]
        for company, lines in self.grouped("company_id").items():
            messages |= lines.partner_id.with_company(company)._send_dunning_statement()
        return self.env["res.partner"]._notify_dunning_statements_sent(messages)

    def action_pause(self):
        """Pause the reminders of the customers' open invoices."""
        return self._get_open_moves().action_open_dunning_pause_wizard()

    def _get_open_moves(self):
        return self.env["account.move"]._search_dunning_open_moves(
            [
                ("commercial_partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
            ]
        )
