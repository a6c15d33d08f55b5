# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, models
from odoo.tools import SQL, format_amount, format_date

from .account_move import OPEN_PAYMENT_STATES

EVIDENCE_MODELS = ("account.bank.statement.line", "account.payment", "account.move.line")


class AccountDunningRun(models.AbstractModel):
    """ "Probably paid": never chase a customer whose money is already there.

    Before a reminder, the run looks, for the whole batch at once, for money
    of the customers that nobody reconciled yet: bank transactions from the
    customer or naming one of its open invoices, payments without journal
    entry, and credits on its receivable account (payments, credit notes).
    The reminders of those customers are held by a pending event for a few
    days, and their responsible asked to reconcile.
    """

    _inherit = "account.dunning.run"

    @api.model
    def _hold_probably_paid(self, moves, today, step=None):
        """Split ``moves`` into the invoices to remind and those held because
        their customer probably paid.

        :param step: the step about to run, else each invoice's due step
        :return: (invoices to remind, values of the hold events)
        """
        held, vals_list = moves.browse(), []
        for company, company_moves in moves.grouped("company_id").items():
            if self._is_probably_paid_check_active(company):
                company_held, company_vals = self._hold_company_probably_paid(
                    company, company_moves, today, step
                )
                held |= company_held
                vals_list += company_vals
        return moves - held, vals_list

    @api.model
    def _hold_company_probably_paid(self, company, moves, today, step):
        evidence = self._get_probably_paid_evidence(company, moves.commercial_partner_id)
        held = moves.filtered(lambda move: move.commercial_partner_id.id in evidence)
        if not held:
            return held, []
        hold_until = today + timedelta(days=company.dunning_probably_paid_days - 1)
        Event = self.env["account.dunning.event"]
        todo = self.env.ref("mail.mail_activity_data_todo")
        groups = held._dunning_group_by_customer()
        activities = self.env["mail.activity"]._create_dunning_activities(
            [
                (
                    partner_moves,
                    partner_moves[:1]._get_dunning_responsible(),
                    todo,
                    _("Probably paid: reconcile %(customer)s", customer=partner.display_name),
                    self._prepare_probably_paid_note(partner, partner_moves, evidence[partner.id]),
                )
                for partner, partner_moves in groups
            ],
            today,
        )
        vals_list = []
        for (partner, partner_moves), activity in zip(groups, activities, strict=True):
            found = evidence[partner.id][0]
            note = _(
                "Reminder held until %(date)s: %(found)s.",
                date=format_date(self.env, hold_until),
                found=self._describe_evidence(found),
            )
            for move in partner_moves:
                move_step = step or self._get_step_or_nothing(move, today)
                vals_list.append(
                    Event._prepare_event_vals(
                        move,
                        move_step,
                        "pending",
                        today,
                        channel=move_step.channel or "manual",
                        event_type="probably_paid",
                        hold_until=hold_until,
                        evidence_ref=f"{found._name},{found.id}",
                        activity_id=activity.id,
                        note=note,
                    )
                )
        return held, vals_list

    @api.model
    def _is_probably_paid_check_active(self, company):
        return company.dunning_probably_paid_check

    @api.model
    def _get_step_or_nothing(self, move, today):
        try:
            return move._get_dunning_due_step(today) or self.env["account.dunning.step"]
        except (OverflowError, ValueError):
            return self.env["account.dunning.step"]

    @api.model
    def _get_probably_paid_evidence(self, company, partners):
        """{customer id: [money found, most recent first]} for the customers
        of ``partners`` that have money not reconciled in ``company``: three
        queries whatever the number of customers. Money that already held a
        customer once does not hold it again."""
        if not partners:
            return {}
        for model in ("account.move", "account.move.line", "account.payment"):
            self.env[model].flush_model()
        self.env["account.bank.statement.line"].flush_model()
        found = []
        for method in (
            self._get_unreconciled_bank_lines,
            self._get_unreconciled_payments,
            self._get_unreconciled_credits,
        ):
            found += method(company, tuple(partners.ids))
        used = self._get_used_evidence(partners)
        evidence = {}
        for partner_id, record in found:
            if (partner_id, f"{record._name},{record.id}") not in used:
                evidence.setdefault(partner_id, []).append(record)
        return evidence

    @api.model
    def _get_unreconciled_bank_lines(self, company, partner_ids):
        """Incoming bank transactions not reconciled, from one of the
        customers or whose label names one of their open invoices."""
        self.env.cr.execute(
            SQL(
                """
                SELECT st.id, p.commercial_partner_id, NULL, NULL
                  FROM account_bank_statement_line st
                  JOIN account_move stm ON stm.id = st.move_id
                  JOIN res_partner p ON p.id = st.partner_id
                 WHERE st.company_id = %(company)s AND stm.state = 'posted'
                   AND NOT st.is_reconciled AND st.amount > 0
                   AND p.commercial_partner_id IN %(partners)s
                 UNION ALL
                SELECT st.id, m.commercial_partner_id, m.name, st.payment_ref
                  FROM account_bank_statement_line st
                  JOIN account_move stm ON stm.id = st.move_id
                  JOIN account_move m
                    ON m.company_id = st.company_id
                   AND m.commercial_partner_id IN %(partners)s
                   AND m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.payment_state IN %(open_states)s
                   AND m.name IS NOT NULL AND m.name != '/'
                   AND STRPOS(UPPER(st.payment_ref), UPPER(m.name)) > 0
                 WHERE st.company_id = %(company)s AND stm.state = 'posted'
                   AND NOT st.is_reconciled AND st.amount > 0
                   AND st.partner_id IS NULL
              ORDER BY 1 DESC
                """,
                company=company.id,
                partners=partner_ids,
                open_states=OPEN_PAYMENT_STATES,
            )
        )
        rows = [
            (line_id, partner_id)
            for line_id, partner_id, name, label in self.env.cr.fetchall()
            if not name or self._label_names_invoice(label, name)
        ]
        return self._browse_found("account.bank.statement.line", rows)

    @api.model
    def _label_names_invoice(self, label, name):
        """Whether a bank label names the invoice ``name`` as a whole word:
        INV/2026/0001 is not named by INV/2026/00012."""
        pattern = rf"(?<![0-9A-Za-z]){re.escape(name)}(?![0-9A-Za-z])"
        return bool(re.search(pattern, label or "", re.IGNORECASE))

    @api.model
    def _get_unreconciled_payments(self, company, partner_ids):
        """Customer payments registered without a journal entry (no
        outstanding account) and not matched to any invoice."""
        self.env.cr.execute(
            SQL(
                """
                SELECT pay.id, p.commercial_partner_id
                  FROM account_payment pay
                  JOIN res_partner p ON p.id = pay.partner_id
                 WHERE pay.company_id = %(company)s AND pay.state = 'in_process'
                   AND pay.move_id IS NULL
                   AND pay.payment_type = 'inbound' AND pay.partner_type = 'customer'
                   AND p.commercial_partner_id IN %(partners)s
                   AND NOT EXISTS (SELECT 1 FROM account_move__account_payment rel
                                    WHERE rel.payment_id = pay.id)
              ORDER BY pay.id DESC
                """,
                company=company.id,
                partners=partner_ids,
            )
        )
        return self._browse_found("account.payment", self.env.cr.fetchall())

    @api.model
    def _get_unreconciled_credits(self, company, partner_ids):
        """Credits of the customers on their receivable account that are not
        reconciled: payments and credit notes not matched to the invoices."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, p.commercial_partner_id
                  FROM account_move_line l
                  JOIN res_partner p ON p.id = l.partner_id
                  JOIN account_account a ON a.id = l.account_id
                 WHERE l.company_id = %(company)s AND l.parent_state = 'posted'
                   AND a.account_type = 'asset_receivable'
                   AND NOT l.reconciled AND l.amount_residual < 0
                   AND l.partner_id IN (SELECT id FROM res_partner
                                         WHERE commercial_partner_id IN %(partners)s)
              ORDER BY l.id DESC
                """,
                company=company.id,
                partners=partner_ids,
            )
        )
        return self._browse_found("account.move.line", self.env.cr.fetchall())

    @api.model
    def _browse_found(self, model, rows):
        """[(customer id, record)] from rows of (record id, customer id), the
        records browsed together so that describing them reads each table
        once."""
        records = self.env[model].sudo().browse(dict.fromkeys(row[0] for row in rows))
        by_id = {record.id: record for record in records}
        return [(partner_id, by_id[record_id]) for record_id, partner_id in rows]

    @api.model
    def _get_used_evidence(self, partners):
        """{(customer id, money found)} that already held these customers."""
        self.env["account.dunning.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT partner_id, evidence_ref FROM account_dunning_event
                 WHERE event_type = 'probably_paid' AND partner_id IN %s
                   AND evidence_ref IS NOT NULL
                """,
                tuple(partners.ids),
            )
        )
        return set(self.env.cr.fetchall())

    @api.model
    def _describe_evidence(self, record):
        """The money found, in words."""
        if record._name == "account.bank.statement.line":
            return _(
                "bank transaction of %(date)s, %(amount)s, “%(label)s”, not reconciled",
                date=format_date(self.env, record.date),
                amount=format_amount(self.env, record.amount, record.currency_id),
                label=record.payment_ref or "",
            )
        if record._name == "account.payment":
            return _(
                "payment %(name)s of %(date)s, %(amount)s, not reconciled",
                name=record.name or "",
                date=format_date(self.env, record.date),
                amount=format_amount(self.env, record.amount, record.currency_id),
            )
        return _(
            "%(entry)s of %(date)s, %(amount)s credited and not reconciled",
            entry=record.move_id.name,
            date=format_date(self.env, record.date),
            amount=format_amount(self.env, -record.amount_residual, record.company_currency_id),
        )

    @api.model
    def _prepare_probably_paid_note(self, partner, moves, found):
        """The activity asking to reconcile: the money found and the
        invoices held."""
        items = Markup("").join(
            Markup("<li>%s</li>") % self._describe_evidence(record) for record in found
        )
        return (
            Markup("<p>%s</p><ul>%s</ul>")
            % (
                _(
                    "The reminder was not sent: this money of the customer is not "
                    "reconciled yet. Reconcile it with the invoices, or the reminder "
                    "goes out when the hold ends."
                ),
                items,
            )
        ) + moves._get_dunning_activity_note(partner)

    @api.model
    def _release_probably_paid_holds(self, company, today):
        """End the holds whose invoice is no longer open, whose money was
        reconciled, or whose time is over: the invoice then gets the step
        due, once."""
        Event = self.env["account.dunning.event"].sudo()
        holds = Event.search(
            [
                ("company_id", "=", company.id),
                ("event_type", "=", "probably_paid"),
                ("state", "=", "pending"),
            ]
        )
        if not holds:
            return Event
        unreconciled = self._get_unreconciled_evidence(holds.mapped("evidence_ref"))
        reasons = {}
        for event in holds:
            reason = self._get_hold_end_reason(event, today, unreconciled)
            if reason:
                reasons.setdefault(reason, Event)
                reasons[reason] |= event
        for reason, events in reasons.items():
            events.write({"state": "skipped", "note": reason})
            paid = events.filtered(lambda event: not event.move_id._dunning_is_open())
            paid.activity_id.filtered(lambda activity: activity.exists()).action_feedback(reason)
        return Event.concat(*reasons.values())

    @api.model
    def _get_hold_end_reason(self, event, today, unreconciled):
        """Why a probably-paid hold ends on ``today``, if it does.

        :param unreconciled: the money found that still waits to be reconciled
        """
        if not event.move_id._dunning_is_open():
            return _("Hold ended: the invoice is paid.")
        if event.evidence_ref and event.evidence_ref not in unreconciled:
            return _("Hold ended: the money found was reconciled with other invoices.")
        if event.hold_until and event.hold_until < today:
            return _("Hold ended: the money found was not reconciled in time.")
        return False

    @api.model
    def _get_unreconciled_evidence(self, records):
        """The records of ``records`` (money found, of any of the evidence
        models) that still wait to be reconciled, read model by model."""
        unreconciled = []
        for model in EVIDENCE_MODELS:
            found = (
                self.env[model]
                .sudo()
                .browse({record.id for record in records if record._name == model})
                .exists()
            )
            unreconciled += found.filtered(self._is_evidence_unreconciled)
        return set(unreconciled)

    @api.model
    def _is_evidence_unreconciled(self, record):
        """Whether the money found still waits to be reconciled."""
        if record._name == "account.bank.statement.line":
            return not record.is_reconciled
        if record._name == "account.payment":
            return record.state == "in_process" and not record.invoice_ids
        return not record.reconciled
