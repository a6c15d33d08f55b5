# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .account_move import COLLECTION_STATUSES

RISK_LEVELS = [("good", "Good"), ("normal", "Normal"), ("risky", "Risky")]
SEQUENCE_REASONS = [
    ("own", "Own Choice"),
    ("rule", "Rule"),
    ("default", "Company Default"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Dunning Users only: the other users, portal customers included, neither
    # see nor change who is reminded and how.

    dunning_sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Dunning Sequence",
        company_dependent=True,
        groups="account_dunning.group_account_dunning_user",
        domain="[('company_id', 'in', allowed_company_ids)]",
        help="Reminders this customer receives in the current company. Empty: "
        "the default sequence of the company.",
    )
    dunning_rule_sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Sequence by Rule",
        company_dependent=True,
        readonly=True,
        groups="account_dunning.group_account_dunning_user",
        help="The first sequence, by priority, whose Applies To domain this "
        "customer matches in the current company. Set by the rules, when the "
        "customer or the sequences change and every night.",
    )
    dunning_applied_sequence_id = fields.Many2one(
        "account.dunning.sequence",
        string="Applied Dunning Sequence",
        compute="_compute_dunning_applied_sequence",
        groups="account_dunning.group_account_dunning_user",
        help="The sequence this customer's invoices follow in the current company.",
    )
    dunning_sequence_reason = fields.Selection(
        SEQUENCE_REASONS,
        string="Sequence Reason",
        compute="_compute_dunning_applied_sequence",
        groups="account_dunning.group_account_dunning_user",
    )
    dunning_sequence_reason_label = fields.Char(
        string="Why",
        compute="_compute_dunning_applied_sequence",
        groups="account_dunning.group_account_dunning_user",
        help="Own choice: the sequence chosen for the customer. Rule: the first "
        "sequence whose Applies To domain the customer matches. Company default: "
        "neither.",
    )
    # Payment behaviour, per customer and company: computed every night in
    # SQL over the invoices due in the last 12 months (see
    # _get_payment_behaviour_query), usable in the rules.
    dunning_avg_days_late = fields.Float(
        string="Average Days Late",
        company_dependent=True,
        readonly=True,
        digits=(16, 1),
        groups="account_dunning.group_account_dunning_user",
        help="How late the customer paid its invoices due in the last 12 months, "
        "on average weighted by amount: the days from the due date to the payment, "
        "or to today for invoices still unpaid; paying early counts as 0.",
    )
    dunning_on_time_rate = fields.Float(
        string="Paid On Time (%)",
        company_dependent=True,
        readonly=True,
        digits=(16, 1),
        groups="account_dunning.group_account_dunning_user",
        help="The share of the customer's invoices due in the last 12 months that "
        "were paid in full by their due date.",
    )
    dunning_trend = fields.Float(
        string="Lateness Trend (days)",
        company_dependent=True,
        readonly=True,
        digits=(16, 1),
        groups="account_dunning.group_account_dunning_user",
        help="Average days late of the invoices due in the last 3 months minus "
        "that of the 9 months before: above 0 the customer pays later than it "
        "used to, below 0 sooner. 0 when one of the periods has no invoice.",
    )
    dunning_broken_promises = fields.Integer(
        string="Broken Promises",
        company_dependent=True,
        readonly=True,
        groups="account_dunning.group_account_dunning_user",
        help="Promises to pay the customer did not keep in the last 12 months "
        "(one per day a promise was found broken).",
    )
    dunning_behaviour_count = fields.Integer(
        string="Invoices Measured",
        company_dependent=True,
        readonly=True,
        groups="account_dunning.group_account_dunning_user",
        help="The invoices due in the last 12 months the payment behaviour is computed on.",
    )
    dunning_risk = fields.Selection(
        RISK_LEVELS,
        string="Payment Risk",
        company_dependent=True,
        readonly=True,
        groups="account_dunning.group_account_dunning_user",
        help="From the payment behaviour and the thresholds of the settings. "
        "Empty: no invoice due in the last 12 months nor broken promise.",
    )
    dunning_event_ids = fields.One2many(
        "account.dunning.event",
        "partner_id",
        string="Dunning Events",
        groups="account_dunning.group_account_dunning_user",
    )
    dunning_collection_status = fields.Selection(
        COLLECTION_STATUSES,
        string="Collection Status",
        compute="_compute_dunning_collection_status",
        search="_search_dunning_collection_status",
        groups="account_dunning.group_account_dunning_user",
        help="Where the collection of this customer stands in the current company: the "
        "first status, in order of precedence, of its open invoices; settled when it owes "
        "nothing.",
    )
    dunning_collection_status_until = fields.Date(
        string="Collection Status Until",
        compute="_compute_dunning_collection_status",
        groups="account_dunning.group_account_dunning_user",
    )
    dunning_excluded = fields.Boolean(
        string="Excluded From Dunning",
        tracking=True,
        groups="account_dunning.group_account_dunning_user",
        help="This customer receives no reminder at all.",
    )
    dunning_professional = fields.Boolean(
        string="Acts as a Business",
        groups="account_dunning.group_account_dunning_user",
        help="A sole trader or professional recorded as an individual: owes the "
        "fixed recovery indemnity and the business late-payment rate, as "
        "companies do. Other individuals are consumers.",
    )
    dunning_public_buyer = fields.Boolean(
        string="Public Buyer",
        groups="account_dunning.group_account_dunning_user",
        help="A public body (State, local authority, hospital...): its late-payment "
        "rate is the ECB rate of the half-year the delay started in plus 8 points "
        "(French Code de la commande publique, article R2192-31).",
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Dunning Responsible",
        domain=[("share", "=", False)],
        tracking=True,
        groups="account_dunning.group_account_dunning_user",
        help="Gets the calls to make and the failed reminders of this "
        "customer, and follows the customer to receive replies to reminders. "
        "Empty: the salesperson, else the company's default dunning responsible.",
    )

    dunning_note = fields.Text(
        groups="account_dunning.group_account_dunning_user",
        help="What the accountants need to know when chasing this customer.",
    )
    dunning_open_move_ids = fields.Many2many(
        "account.move",
        string="Open Items",
        compute="_compute_dunning_open_move_ids",
        groups="account_dunning.group_account_dunning_user",
    )
    dunning_timeline_ids = fields.Many2many(
        "account.dunning.event",
        string="Dunning Timeline",
        compute="_compute_dunning_timeline_ids",
        groups="account_dunning.group_account_dunning_user",
    )
    dunning_overdue_count = fields.Integer(
        string="Overdue Invoices",
        compute="_compute_dunning_overdue",
        groups="account_dunning.group_account_dunning_user",
    )
    dunning_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_dunning_overdue",
        currency_field="currency_id",
        groups="account_dunning.group_account_dunning_user",
        help="Left to pay on the overdue invoices, in the company currency.",
    )
    dunning_plan_count = fields.Integer(
        string="Payment Plans",
        compute="_compute_dunning_plan_count",
        groups="account_dunning.group_account_dunning_user",
    )
    dunning_event_count = fields.Integer(
        string="Reminders",
        compute="_compute_dunning_event_count",
        groups="account_dunning.group_account_dunning_user",
    )

    @api.depends(
        "commercial_partner_id.dunning_sequence_id",
        "commercial_partner_id.dunning_rule_sequence_id",
    )
    @api.depends_context("company")
    def _compute_dunning_applied_sequence(self):
        Sequence = self.env["account.dunning.sequence"]
        default = Sequence._get_default_sequences(self.env.company).get(self.env.company, Sequence)
        labels = dict(self._fields["dunning_sequence_reason"]._description_selection(self.env))
        for partner in self:
            sequence, reason = partner.commercial_partner_id._get_dunning_applied_sequence(default)
            partner.dunning_applied_sequence_id = sequence
            partner.dunning_sequence_reason = reason if sequence else False
            if reason == "rule":
                label = _("Rule: %(sequence)s", sequence=sequence.name)
            else:
                label = labels[reason] if sequence else False
            partner.dunning_sequence_reason_label = label

    @api.depends_context("company", "tz")
    def _compute_dunning_overdue(self):
        today = fields.Date.context_today(self)
        totals = {
            partner: (count, amount)
            for partner, count, amount in self.env["account.move"]._read_group(
                self._get_dunning_overdue_domain(today),
                ["commercial_partner_id"],
                ["__count", "amount_residual_signed:sum"],
            )
        }
        for partner in self:
            count, amount = totals.get(partner.commercial_partner_id, (0, 0.0))
            partner.dunning_overdue_count = count
            partner.dunning_overdue_amount = amount

    @api.depends_context("company")
    @api.depends_context("company")
    def _compute_dunning_collection_status(self):
        rows = self._get_dunning_collection_statuses()
        for partner in self:
            status, until = rows.get(partner.commercial_partner_id.id, ("settled", False))
            partner.dunning_collection_status = status
            partner.dunning_collection_status_until = until

    def _get_dunning_collection_statuses(self):
        """{customer id: (status, until)} in the current company, for the
        customers owing open invoices there."""
        query = self.env["account.move"]._get_collection_status_query(self.env.company.ids)
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, status, status_until FROM (%s) s WHERE partner_id IN %s",
                query,
                tuple(self.commercial_partner_id.ids) or (0,),
            )
        )
        return {partner_id: (status, until) for partner_id, status, until in self.env.cr.fetchall()}

    def _search_dunning_collection_status(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(_("Search the collection status with = or in."))
        statuses = [value] if isinstance(value, str) else list(value)
        query = self.env["account.move"]._get_collection_status_query(self.env.company.ids)
        owing = SQL("(SELECT partner_id FROM (%s) s)", query)
        domain = [
            (
                "commercial_partner_id",
                "in",
                SQL("(SELECT partner_id FROM (%s) s WHERE status IN %s)", query, tuple(statuses)),
            )
        ]
        if "settled" in statuses:
            domain = ["|", *domain, ("commercial_partner_id", "not in", owing)]
        return domain

    def _compute_dunning_open_move_ids(self):
        Move = self.env["account.move"]
        moves = Move._search_dunning_open_moves(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ],
            order="invoice_date_due, id",
        )
        by_partner = moves.grouped("commercial_partner_id")
        for partner in self:
            partner.dunning_open_move_ids = by_partner.get(partner.commercial_partner_id, Move)

    @api.depends_context("company")
    def _compute_dunning_timeline_ids(self):
        """Every dunning event of all the customer's invoices, newest first."""
        Event = self.env["account.dunning.event"]
        events = Event.search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )
        by_partner = events.grouped("partner_id")
        for partner in self:
            partner.dunning_timeline_ids = by_partner.get(partner.commercial_partner_id, Event)

    def _compute_dunning_plan_count(self):
        counts = dict(
            self.env["account.dunning.plan"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.dunning_plan_count = counts.get(partner.commercial_partner_id, 0)

    def _compute_dunning_event_count(self):
        counts = dict(
            self.env["account.dunning.event"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.dunning_event_count = counts.get(partner.commercial_partner_id, 0)

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "dunning_sequence_id",
            "dunning_excluded",
            "dunning_responsible_id",
            "dunning_professional",
            "dunning_public_buyer",
        ]

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners._dunning_apply_rules_on_change()
        return partners

    def write(self, vals):
        res = super().write(vals)
        if any(self._fields[fname].store for fname in vals if fname in self._fields):
            self._dunning_apply_rules_on_change()
        if "dunning_sequence_id" in vals:
            self.env["account.move"].sudo()._search_dunning_open_moves(
                [
                    ("company_id", "=", self.env.company.id),
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ]
            )._dunning_sync_sequence()
        return res

    def action_open_dunning_overdue(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_move_dunning_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_overdue": 1}
        return action

    def action_dunning_send_reminders(self):
        """Send the reminders due for this customer's open invoices, through
        the Send Reminders wizard (never what is not due, never twice a
        day)."""
        self.ensure_one()
        self._check_dunning_user()
        return self.dunning_open_move_ids.action_open_dunning_send_wizard()

    def action_dunning_pause(self):
        """Pause the reminders of this customer's open invoices until a date."""
        self.ensure_one()
        self._check_dunning_user()
        if not self.dunning_open_move_ids:
            raise UserError(_("This customer has no open invoice to pause."))
        return self.dunning_open_move_ids.action_open_dunning_pause_wizard()

    def action_dunning_log_call(self):
        """Log a call with this customer, in its chatter."""
        self.ensure_one()
        self._check_dunning_user()
        return {
            "type": "ir.actions.act_window",
            "name": _("Log a call"),
            "res_model": "mail.activity",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "default_res_id": self.commercial_partner_id.id,
                "default_activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "default_user_id": self.env.uid,
                "default_date_deadline": fields.Date.context_today(self),
            },
        }

    def action_open_dunning_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_dunning_plan_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_open_dunning_customer_page(self):
        """What the customer sees from the link of its reminders, in the
        current company."""
        self.ensure_one()
        self._check_dunning_user()
        url = self.env["account.dunning.portal"]._get_customer_page_url(
            self.commercial_partner_id, self.env.company
        )
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}

    def action_open_dunning_events(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_dunning.account_dunning_event_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def _check_dunning_user(self):
        """The dunning of customers, their statements included, is for
        Dunning Users (and the engine) only."""
        if not self.env.su and not self.env.user.has_group(
            "account_dunning.group_account_dunning_user"
        ):
            raise AccessError(_("Only Dunning Users see and act on the dunning of customers."))

    def _get_dunning_overdue_domain(self, today):
        return self.env["account.move"]._get_dunning_remindable_domain() + [
            ("commercial_partner_id", "in", self.commercial_partner_id.ids),
            ("company_id", "=", self.env.company.id),
            ("dunning_date_due", "<", today),
        ]

    def _dunning_apply_rules_on_change(self):
        """These customers changed: re-evaluate the rules for them, in each
        company that has rules."""
        companies = (
            self.env["account.dunning.sequence"]
            .sudo()
            .search([("is_default", "=", False), ("rule_domain", "not in", (False, "[]"))])
            .company_id
        )
        if companies:
            self._dunning_apply_rules(companies, self.commercial_partner_id)

    @api.model
    def _get_dunning_rule_base_domain(self, company):
        """The customers rules apply to: the commercial partners that may be
        invoiced in ``company``."""
        return [
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
            ("company_id", "in", (False, company.id)),
        ]

    @api.model
    def _match_dunning_rules(self, company, rules, partners=None):
        """{partner id: id of the first of ``rules`` it matches} for the
        customers of ``company`` (all of them, or ``partners``): one search
        per rule, whatever the number of customers."""
        Partner = self.sudo().with_company(company).with_context(active_test=False)
        domain = self._get_dunning_rule_base_domain(company)
        if partners is not None:
            domain += [("id", "in", partners.ids)]
        matched = {}
        for rule in rules:
            for partner_id in Partner.search(domain + rule._get_rule_domain(), order="id").ids:
                matched.setdefault(partner_id, rule.id)
        return matched

    @api.model
    def _dunning_apply_rules(self, companies, partners=None):
        """Re-evaluate the rules of ``companies`` for their customers (all
        of them, or ``partners``), store the sequence each one matches, and
        move the open invoices of the customers whose sequence changed into
        it by the entry rule (from today, no stale step).

        :return: the customers whose rule sequence changed
        """
        Sequence = self.env["account.dunning.sequence"]
        changed = self.browse()
        if partners is not None and not partners:
            return changed
        for company in companies:
            rules = Sequence._get_dunning_rule_sequences(company)
            matched = self._match_dunning_rules(company, rules, partners)
            company_changed = self._dunning_store_rule_sequences(company, matched, partners)
            if company_changed:
                self.env["account.move"].sudo()._search_dunning_open_moves(
                    [
                        ("company_id", "=", company.id),
                        ("commercial_partner_id", "in", company_changed.ids),
                    ]
                )._dunning_sync_sequence()
            changed |= company_changed
        return changed

    @api.model
    def _dunning_store_rule_sequences(self, company, matched, partners=None):
        """Store ``matched`` ({partner id: sequence id}) as the rule sequence
        of the customers in ``company``, and clear it for the others (all of
        them, or ``partners``), in one query.

        :return: the customers whose rule sequence changed
        """
        self.flush_model(["dunning_rule_sequence_id"])
        scope = SQL("TRUE") if partners is None else SQL("p.id = ANY(%s)", partners.ids)
        key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                WITH matched AS (
                    SELECT * FROM unnest(%(ids)s::int[], %(sequences)s::int[]) AS m(id, sequence_id)
                ),
                targets AS (
                    SELECT p.id, m.sequence_id
                      FROM res_partner p
                 LEFT JOIN matched m ON m.id = p.id
                     WHERE (m.id IS NOT NULL OR p.dunning_rule_sequence_id ? %(key)s)
                       AND %(scope)s
                       AND (p.dunning_rule_sequence_id->>%(key)s)::int
                           IS DISTINCT FROM m.sequence_id
                )
                UPDATE res_partner p
                   SET dunning_rule_sequence_id = CASE
                           WHEN t.sequence_id IS NULL THEN p.dunning_rule_sequence_id - %(key)s
                           ELSE COALESCE(p.dunning_rule_sequence_id, '{}'::jsonb)
                                || jsonb_build_object(%(key)s, t.sequence_id)
                       END
                  FROM targets t
                 WHERE p.id = t.id
             RETURNING p.id
                """,
                ids=list(matched),
                sequences=list(matched.values()),
                key=key,
                scope=scope,
            )
        )
        changed = self.browse(row[0] for row in self.env.cr.fetchall())
        if changed:
            self.invalidate_model(["dunning_rule_sequence_id"])
        return changed

    def _get_reminder_recipients(self):
        """Who receives this customer's reminders: its invoice contacts that
        have an email, else the customer itself if it has one."""
        self.ensure_one()
        customer = self.commercial_partner_id
        contacts = customer.child_ids.filtered(
            lambda contact: contact.type == "invoice" and contact.email
        )
        if contacts:
            return contacts
        return customer if customer.email else self.browse()

    @api.model
    def _get_dunning_responsibles_query(self):
        """SQL of (partner_id, user_id): the customers' own dunning
        responsible, else their salesperson, each only when active and
        internal, as ``account.move._get_dunning_responsible`` finds them
        before it falls back to the company's default responsible. For the
        reports that decide it in SQL."""
        return SQL(
            """
            SELECT p.id AS partner_id, COALESCE(dunning_user.id, sales_user.id) AS user_id
              FROM res_partner p
         LEFT JOIN res_users dunning_user ON dunning_user.id = p.dunning_responsible_id
                                         AND dunning_user.active AND NOT dunning_user.share
         LEFT JOIN res_users sales_user ON sales_user.id = p.user_id
                                       AND sales_user.active AND NOT sales_user.share
             WHERE dunning_user.id IS NOT NULL OR sales_user.id IS NOT NULL
            """
        )
