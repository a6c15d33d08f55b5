# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200


class AccountDunningSequence(models.Model):
    _name = "account.dunning.sequence"
    _description = "Dunning Sequence"
    _order = "company_id, is_default desc, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(
        string="Default",
        copy=False,
        help="Customers without a sequence of their own follow the default "
        "sequence of their company. There is one default sequence per company.",
    )
    step_ids = fields.One2many(
        "account.dunning.step",
        "sequence_id",
        string="Steps",
        copy=True,
    )
    step_count = fields.Integer(compute="_compute_step_count")
    thank_you_template_id = fields.Many2one(
        "mail.template",
        string="Thank-You Email",
        domain=[("model", "=", "account.move")],
        ondelete="set null",
        help="Sent once to customers when invoices that received at least one "
        "reminder are fully paid. Empty: no thank-you email.",
    )
    step_warning = fields.Text(
        compute="_compute_step_warning",
        help="What would make saving the steps fail.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        compute="_compute_partner_ids",
        help="Customers who follow this sequence in its company. Customers "
        "with no sequence of their own follow the default sequence.",
    )
    partner_count = fields.Integer(string="Customers Count", compute="_compute_partner_ids")

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A dunning sequence with this name already exists in this company.",
        ),
    ]

    def init(self):
        # The engine relies on a single default per company: enforce it in the
        # database too, so that concurrent saves cannot create two.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS account_dunning_sequence_default_uniq"
                " ON account_dunning_sequence (company_id) WHERE is_default AND active"
            )
        )

    @api.depends("step_ids")
    def _compute_step_count(self):
        for sequence in self:
            sequence.step_count = len(sequence.step_ids)

    @api.depends("step_ids.offset_days", "step_ids.channel", "step_ids.mail_template_id")
    def _compute_step_warning(self):
        for sequence in self:
            sequence.step_warning = "\n".join(sequence._get_step_problems()) or False

    def _compute_partner_ids(self):
        for sequence in self:
            partners = (
                self.env["res.partner"]
                .with_company(sequence.company_id)
                .search([("dunning_sequence_id", "=", sequence._origin.id)])
                if sequence._origin
                else self.env["res.partner"]
            )
            sequence.partner_ids = partners
            sequence.partner_count = len(partners)

    @api.constrains("is_default", "active")
    def _check_default_active(self):
        for sequence in self:
            if sequence.is_default and not sequence.active:
                raise ValidationError(
                    _(
                        "The default dunning sequence %(name)s cannot be archived: "
                        "make another sequence the default first.",
                        name=sequence.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Unset the previous defaults first: the unique index is checked row
        # by row.
        self._unset_defaults(
            {
                vals.get("company_id") or self.env.company.id
                for vals in vals_list
                if vals.get("is_default")
            }
        )
        sequences = super().create(vals_list)
        # The ORM caches an empty value for the computed x2many of new
        # records: let the customers be computed instead.
        sequences.invalidate_recordset(["partner_ids"])
        self._sync_company_invoices(sequences.filtered("is_default").company_id)
        return sequences

    def write(self, vals):
        if vals.get("is_default"):
            companies = set(self.company_id.ids)
            if vals.get("company_id"):
                companies.add(vals["company_id"])
            self._unset_defaults(companies, keep=self)
        companies = self.company_id
        res = super().write(vals)
        if {"is_default", "active", "company_id"} & vals.keys():
            self._sync_company_invoices(companies | self.company_id)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("dunning_sequence_id", "in", self.ids)], ["dunning_sequence_id"], ["__count"]
            )
        )
        if used:
            sequence, count = used[0]
            raise UserError(
                _(
                    "The dunning sequence %(sequence)s is used by %(count)s invoices: "
                    "archive it instead of deleting it, so that their history stays.",
                    sequence=sequence.sudo().display_name,
                    count=count,
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for sequence, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = _("%s (copy)", sequence.name)
        return vals_list

    def action_make_default(self):
        self.ensure_one()
        self.is_default = True

    def action_open_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Customers of %(sequence)s", sequence=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self.partner_ids.ids)],
            "context": {"default_dunning_sequence_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _unset_defaults(self, company_ids, keep=None):
        others = self.search(
            [
                ("company_id", "in", list(company_ids)),
                ("is_default", "=", True),
                ("id", "not in", keep.ids if keep else []),
            ]
        )
        # Not through write(): the caller moves the invoices to the new
        # default once.
        res = super(AccountDunningSequence, others).write({"is_default": False})
        others.flush_recordset(["is_default"])
        return res

    @api.model
    def _get_default_sequences(self, companies):
        """Return {company: its default sequence} for the given companies."""
        sequences = self.sudo().search(
            [("company_id", "in", companies.ids), ("is_default", "=", True)]
        )
        return {sequence.company_id: sequence for sequence in sequences}

    def _get_open_dunning_moves(self):
        """Open invoices following these sequences."""
        if not self:
            return self.env["account.move"]
        return (
            self.env["account.move"]
            .sudo()
            ._search_dunning_open_moves([("dunning_sequence_id", "in", self.ids)])
        )

    @api.model
    def _sync_company_invoices(self, companies):
        """Put the open invoices of these companies in their current sequence."""
        if not companies:
            return
        moves = (
            self.env["account.move"]
            .sudo()
            ._search_dunning_open_moves([("company_id", "in", companies.ids)])
        )
        moves._dunning_sync_sequence()

    def _get_step_problems(self):
        """What is wrong with the steps as edited, in words (no I/O)."""
        self.ensure_one()
        problems = []
        by_offset = self.step_ids.grouped("offset_days")
        for steps in by_offset.values():
            if len(steps) > 1:
                problems.append(
                    _(
                        "Steps %(steps)s are all on %(when)s: give each step its own day.",
                        steps=", ".join(steps.mapped("name")),
                        when=steps[0].offset_label,
                    )
                )
        for step in self.step_ids:
            if step.channel == "email" and not step.mail_template_id:
                problems.append(
                    _("The email step %(step)s needs an email template.", step=step.name or "")
                )
        return problems

    # ------------------------------------------------------------------
    # The core rule: which step is due for an invoice on a date. Pure: no
    # I/O beyond the steps of the sequence, which are prefetched.
    # ------------------------------------------------------------------

    def _get_open_steps(self, due_date, last_step, start_date, grace_days):
        """Steps still ahead of an invoice, in order.

        A step is behind the invoice when it is not after the last step done,
        or when it is stale: the invoice was already open when it entered the
        sequence on ``start_date``, and the step's date was more than
        ``grace_days`` before. Such invoices enter a sequence by crossing a
        step date, never by catching up on old ones. Invoices posted into
        their sequence have no ``start_date``: no step is stale for them.
        """
        self.ensure_one()
        threshold = start_date and start_date - timedelta(days=grace_days)
        return self.step_ids.sorted("offset_days").filtered(
            lambda step: (not last_step or step.offset_days > last_step.offset_days)
            and (not threshold or step._get_date(due_date) >= threshold)
        )

    def _get_due_step(self, due_date, last_step, start_date, grace_days, today):
        """The step to run on ``today``: the latest open step whose date has
        come. After a downtime or a pause this is one step, never a burst."""
        open_steps = self._get_open_steps(due_date, last_step, start_date, grace_days)
        return open_steps.filtered(lambda step: step._get_date(due_date) <= today)[-1:]

    # ------------------------------------------------------------------
    # The engine
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_dunning(self, batch_size=DEFAULT_BATCH_SIZE):
        """Move every open customer invoice through its dunning sequence.

        Under the scheduler, each call handles one batch of customers: the
        scheduler commits it and calls again while work remains, so a crash
        loses at most the current batch. Called directly, all batches run in
        the current transaction.
        """
        under_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        done = 0
        for company in self._get_dunning_companies():
            sequences = self.with_company(company).with_context(
                **self._get_dunning_context(company)
            )
            today = sequences._get_dunning_today(company)
            sequences._resume_expired_pauses(company, today)
            sequences._send_thank_you(company, today)
            seen = set()
            while True:
                moves = sequences._lock_due_moves(company, today, batch_size)
                if not moves or set(moves.ids) <= seen:
                    break
                seen.update(moves.ids)
                moves._dunning_run(today)
                done += len(moves)
                if under_scheduler:
                    remaining = self._count_due_moves()
                    self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
                    if remaining:
                        # The scheduler calls again by itself; a run started
                        # by hand needs the reminder too.
                        self.env.ref("account_dunning.ir_cron_run_dunning")._trigger()
                    return
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)

    @api.model
    def _get_dunning_companies(self):
        """Companies that have at least one active dunning sequence."""
        return self.sudo().search([]).company_id

    @api.model
    def _get_dunning_context(self, company):
        """Context of a company's run: its timezone decides what today is, and
        its language is the one of the notes and tasks for its accountants
        (customers get their emails in their own language)."""
        tz = company.partner_id.tz or self.env.context.get("tz") or self.env.user.tz
        lang = company.partner_id.lang or self.env.lang
        return {"tz": tz or "UTC", "lang": lang, "tracking_disable": True}

    @api.model
    def _get_dunning_today(self, company):
        return fields.Date.context_today(self.with_company(company))

    @api.model
    def _resume_expired_pauses(self, company, today):
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("dunning_paused", "=", True),
                    ("dunning_pause_until", "!=", False),
                    ("dunning_pause_until", "<", today),
                ]
            )
        )
        moves.action_dunning_resume()

    @api.model
    def _send_thank_you(self, company, today):
        """Thank, once, the customers who fully paid invoices that received
        at least one reminder, when their sequence has a thank-you email."""
        moves = self._lock_thanked_moves(company)
        Event = self.env["account.dunning.event"].sudo()
        Step = self.env["account.dunning.step"].sudo()
        vals_list = []
        for (sequence, partner), partner_moves in moves.grouped(
            lambda move: (move.dunning_sequence_id, move.commercial_partner_id)
        ).items():
            template = sequence.thank_you_template_id
            recipients = partner._get_reminder_recipients()
            values = {}
            if recipients:
                values = Step._render_reminder_emails([partner_moves], template=template)[
                    partner_moves[:1].id
                ]
            if not recipients or isinstance(values, Exception):
                note = (
                    _("Not thanked: %(error)s", error=values)
                    if recipients
                    else _("Not thanked: the customer has no email address.")
                )
                state = "failed" if recipients else "skipped"
                vals_list += [
                    Event._prepare_thank_you_vals(move, state, today, note=note)
                    for move in partner_moves
                ]
                continue
            values["attachment_ids"] = []
            mail = Step._queue_reminder_emails(
                [(partner, partner_moves, recipients, values)], template
            )
            note = _(
                "Thanked by email: %(recipients)s.",
                recipients=", ".join(recipients.mapped("email_formatted")),
            )
            vals_list += [
                Event._prepare_thank_you_vals(
                    move,
                    "sent",
                    today,
                    mail_id=mail.id,
                    message_id=mail.mail_message_id.id,
                    note=note,
                )
                for move in partner_moves
            ]
        return Event.create(vals_list)

    @api.model
    def _lock_thanked_moves(self, company):
        """Lock and return the paid invoices of a company to thank: reminded
        at least once, never thanked, following a sequence that thanks."""
        self.env.flush_all()
        query = SQL(
            """
            SELECT m.id FROM account_move m
              JOIN account_dunning_sequence s ON s.id = m.dunning_sequence_id
             WHERE m.company_id = %(company_id)s
               AND m.move_type = 'out_invoice'
               AND m.state = 'posted'
               AND m.payment_state IN ('paid', 'in_payment')
               AND s.thank_you_template_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM account_dunning_event e
                            WHERE e.move_id = m.id AND e.state = 'sent'
                              AND e.event_type = 'reminder')
               AND NOT EXISTS (SELECT 1 FROM account_dunning_event e
                                WHERE e.move_id = m.id AND e.event_type = 'thank_you')
          ORDER BY m.commercial_partner_id, m.invoice_date_due, m.id
               FOR UPDATE OF m SKIP LOCKED
            """,
            company_id=company.id,
        )
        return self._lock_moves(query)

    @api.model
    def _get_due_moves_query(self, company, today):
        """SQL condition on ``account_move m`` selecting the invoices of a
        company that are due for a step on ``today``.

        Everything is decided in the database, with an index on the next
        date, so that invoices that are not due cost nothing.
        """
        return SQL(
            """m.company_id = %(company_id)s
               AND m.dunning_next_date <= %(today)s
               AND m.move_type = 'out_invoice'
               AND m.state = 'posted'
               AND m.payment_state IN ('not_paid', 'partial')
               AND m.amount_residual > 0
               AND NOT COALESCE(m.dunning_paused, FALSE)
               AND NOT EXISTS (SELECT 1 FROM account_dunning_event e
                                WHERE e.move_id = m.id AND e.state = 'pending')
               AND NOT EXISTS (SELECT 1 FROM res_partner p
                                WHERE p.id = m.commercial_partner_id
                                  AND p.dunning_excluded)""",
            company_id=company.id,
            today=today,
        )

    @api.model
    def _lock_due_moves(self, company, today, limit):
        """Lock and return the due invoices of up to ``limit`` customers.

        A customer's invoices are always taken together so that one email
        covers them all. Rows locked by another worker are skipped.
        """
        self.env.flush_all()
        query = SQL(
            """
            SELECT m.id FROM account_move m
             WHERE %(due)s
               AND m.commercial_partner_id IN (
                    SELECT DISTINCT m.commercial_partner_id FROM account_move m
                     WHERE %(due)s
                  ORDER BY m.commercial_partner_id
                     LIMIT %(limit)s)
          ORDER BY m.commercial_partner_id, m.invoice_date_due, m.id
               FOR UPDATE OF m SKIP LOCKED
            """,
            due=self._get_due_moves_query(company, today),
            limit=limit,
        )
        return self._lock_moves(query)

    @api.model
    def _lock_moves(self, query):
        """The invoices selected and locked by ``query`` (FOR UPDATE SKIP
        LOCKED): none if another worker changed them meanwhile."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query)
                move_ids = [row[0] for row in self.env.cr.fetchall()]
        except pg_errors.SerializationFailure:
            # Another worker changed these invoices after this transaction
            # started: it owns them, this run leaves them alone.
            _logger.info("Dunning: invoices already being processed by another worker.")
            return self.env["account.move"]
        return self.env["account.move"].sudo().browse(move_ids)

    @api.model
    def _count_due_moves(self):
        """Invoices still due for a step in all companies, each on its own today."""
        self.env.flush_all()
        total = 0
        for company in self._get_dunning_companies():
            today = self.with_context(**self._get_dunning_context(company))._get_dunning_today(
                company
            )
            self.env.cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM account_move m WHERE %s",
                    self._get_due_moves_query(company, today),
                )
            )
            total += self.env.cr.fetchone()[0]
        return total
