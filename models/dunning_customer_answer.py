# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date
from odoo.tools.misc import hash_sign, verify_hash_signed

TOKEN_SCOPE = "account_dunning.customer_page"
# How long the link of a reminder opens the customer's page.
TOKEN_VALIDITY = timedelta(days=90)
# The most instalments a customer may ask for, and how soon the first.
PLAN_MAX_ASKED = 24
PLAN_FIRST_WITHIN = timedelta(days=31)
# Answers one customer may give from its page in a day.
ANSWERS_PER_DAY = 10
REMITTANCE_MAX_SIZE = 5 * 1024 * 1024
REMITTANCE_TYPES = ("application/pdf", "image/png", "image/jpeg")


class AccountDunningRun(models.AbstractModel):
    """The customer's answers from the link of a reminder: a page of its
    open invoices, opened with a signed token and without login, from which
    it pays, promises to pay by a date, says it already paid, or disputes
    invoices. Each answer is posted on the chatters, recorded as events and
    given to the customer's dunning responsible."""

    _inherit = "account.dunning.run"

    # ------------------------------------------------------------------
    # The page and its token
    # ------------------------------------------------------------------

    @api.model
    def _get_customer_page_url(self, partner, company):
        """The link of a reminder: the customer's page of its open invoices
        of ``company``."""
        token = hash_sign(
            self.env(su=True),
            TOKEN_SCOPE,
            [partner.commercial_partner_id.id, company.id],
            expiration=TOKEN_VALIDITY,
        )
        return f"/dunning/{token}"

    @api.model
    def _get_customer_from_token(self, token):
        """(customer, company) of a valid token, else None: a wrong,
        tampered or expired token opens nothing."""
        try:
            values = verify_hash_signed(self.env(su=True), TOKEN_SCOPE, token)
        except (ValueError, TypeError):
            return None
        if not values or len(values) != 2:
            return None
        partner = self.env["res.partner"].sudo().browse(values[0]).exists()
        company = self.env["res.company"].sudo().browse(values[1]).exists()
        if not partner or not company:
            return None
        return partner, company

    @api.model
    def _get_customer_page_moves(self, partner, company):
        """The invoices the page shows: the customer's open invoices of the
        company of the link, and nothing else."""
        Move = self.env["account.move"].sudo()
        return Move.search(
            Move._get_dunning_remindable_domain()
            + [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", company.id),
            ],
            order="invoice_date_due, id",
        )

    @api.model
    def _get_customer_page_values(self, partner, company, token):
        moves = self._get_customer_page_moves(partner, company)
        sequence = moves.dunning_sequence_id[:1] or self.env[
            "account.dunning.sequence"
        ].sudo().search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)
        today = self.with_company(company)._get_dunning_today(company)
        return {
            "partner": partner,
            "company": company,
            "moves": moves,
            "token": token,
            "today": today,
            "promise_max_date": today + timedelta(days=sequence.promise_max_days or 0),
            "plan_max_count": PLAN_MAX_ASKED,
            "plan_first_max_date": today + PLAN_FIRST_WITHIN,
            "can_promise": bool(sequence.promise_max_days),
            "reasons": self.env["account.dunning.dispute.reason"].sudo().search([]),
            "total": sum(moves.mapped("amount_residual")),
            "currency": company.currency_id,
            "format_amount": lambda amount, currency: format_amount(self.env, amount, currency),
        }

    # ------------------------------------------------------------------
    # Answers
    # ------------------------------------------------------------------

    @api.model
    def _answer_promise(self, partner, company, moves, date, message=""):
        """The customer promises to pay ``moves`` by ``date``: their
        reminders pause until then."""
        today = self._check_answer(partner, company, moves)
        date = self._parse_answer_date(date)
        limit = self._get_promise_max_date(moves, today)
        if not date or date <= today or date > limit:
            raise UserError(
                _(
                    "Choose a payment date after today and no later than %(date)s.",
                    date=format_date(self.env, limit),
                )
            )
        moves.action_dunning_pause(
            until=date,
            reason=_("Promise to pay by %(date)s", date=format_date(self.env, date)),
        )
        text = _(
            "The customer promises to pay %(invoices)s by %(date)s.",
            invoices=", ".join(moves.mapped("name")),
            date=format_date(self.env, date),
        )
        return self._record_answer(
            partner,
            moves,
            "promise",
            self._join_message(text, message),
            _("Promise to pay by %(date)s", date=format_date(self.env, date)),
            call_outcome="promise",
            promise_date=date,
        )

    @api.model
    def _answer_paid(self, partner, company, moves, date, amount, reference, attachment=None):
        """The customer says it already paid: its reminders hold for the
        company's days and the responsible looks for the payment.

        :param attachment: (file name, content type, bytes) of the remittance
        """
        today = self._check_answer(partner, company, moves)
        date = self._parse_answer_date(date)
        if not date or date > today:
            raise UserError(_("Give the date of the payment: today or before."))
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            amount = 0
        if amount <= 0:
            raise UserError(_("Give the amount paid."))
        if attachment:
            self._check_remittance(attachment)
        until = today + timedelta(days=company.dunning_paid_claim_days - 1)
        moves.action_dunning_pause(
            until=until,
            reason=_(
                "The customer says it paid on %(date)s: find the payment",
                date=format_date(self.env, date),
            ),
        )
        text = _(
            "The customer says it paid %(amount)s on %(date)s (reference: %(reference)s) "
            "for %(invoices)s. Reminders wait until %(until)s.",
            amount=format_amount(self.env, amount, company.currency_id),
            date=format_date(self.env, date),
            reference=reference or "-",
            invoices=", ".join(moves.mapped("name")),
            until=format_date(self.env, until),
        )
        return self._record_answer(
            partner,
            moves,
            "answer",
            text,
            _("Said paid: find the payment of %(customer)s", customer=partner.display_name),
            attachment=attachment,
        )

    @api.model
    def _answer_dispute(self, partner, company, moves, reason, message):
        """The customer disputes ``moves``: they leave the sequence until a
        person resolves the dispute; its other invoices go on."""
        self._check_answer(partner, company, moves)
        reason = self.env["account.dunning.dispute.reason"].sudo().browse(reason).exists()
        if not reason or not reason.active:
            raise UserError(_("Choose the reason of the dispute."))
        if not (message or "").strip():
            raise UserError(_("Tell us what is wrong with the invoices."))
        moves._dunning_write({"dunning_dispute_reason_id": reason.id})
        text = _(
            "The customer disputes %(invoices)s: %(reason)s.",
            invoices=", ".join(moves.mapped("name")),
            reason=reason.name,
        )
        return self._record_answer(
            partner,
            moves,
            "dispute",
            self._join_message(text, message),
            _("Dispute: %(reason)s", reason=reason.name),
            call_outcome="dispute",
            dispute_reason_id=reason.id,
        )

    @api.model
    def _answer_plan(self, partner, company, moves, count, first_date):
        """The customer asks to pay ``moves`` in ``count`` monthly
        instalments from ``first_date``: the plan starts at once within the
        sequence's limits, else waits for a Dunning Manager."""
        today = self._check_answer(partner, company, moves)
        first_date = self._parse_answer_date(first_date)
        try:
            count = int(count)
        except (TypeError, ValueError):
            count = 0
        if not 2 <= count <= PLAN_MAX_ASKED:
            raise UserError(_("Choose between 2 and %(count)s instalments.", count=PLAN_MAX_ASKED))
        if not first_date or first_date < today or first_date > today + PLAN_FIRST_WITHIN:
            raise UserError(_("The first instalment must fall within a month from today."))
        currency = moves[:1].currency_id
        owed = sum(moves.mapped("amount_residual"))
        share = currency.round(owed / count)
        amounts = [share] * (count - 1) + [currency.round(owed - share * (count - 1))]
        plan = (
            self.env["account.dunning.plan"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "currency_id": currency.id,
                    "origin": "portal",
                    "move_ids": [(6, 0, moves.ids)],
                    "line_ids": [
                        (0, 0, {"date": first_date + relativedelta(months=index), "amount": amount})
                        for index, amount in enumerate(amounts)
                    ],
                }
            )
        )
        plan.action_confirm()
        if plan.state == "active":
            summary = _("Payment plan started at the customer's request")
        else:
            summary = _("Payment plan asked: approve it or call the customer")
        text = _(
            "The customer asks to pay %(invoices)s in %(count)s monthly instalments from "
            "%(date)s.",
            invoices=", ".join(moves.mapped("name")),
            count=count,
            date=format_date(self.env, first_date),
        )
        self._record_answer(partner, moves, "plan", text, summary, plan_id=plan.id)
        return plan

    @api.model
    def _check_answer(self, partner, company, moves):
        """Refuse an answer on invoices that are not the customer's open ones
        of the company of the link, or too many answers in a day.

        :return: the company's today
        """
        allowed = self._get_customer_page_moves(partner, company)
        if not moves or moves - allowed:
            raise UserError(_("Choose at least one of your open invoices."))
        today = self.with_company(company)._get_dunning_today(company)
        # An answer is one message, recorded as an event per invoice.
        answers = len(
            self.env["account.dunning.event"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("event_type", "in", ("answer", "promise", "dispute", "plan")),
                    ("message_id.author_id", "=", partner.id),
                    ("date", "=", today),
                ],
                ["message_id"],
            )
        )
        if answers >= ANSWERS_PER_DAY:
            raise UserError(_("Too many answers today: please contact us directly."))
        return today

    @api.model
    def _get_promise_max_date(self, moves, today):
        days = min(moves.dunning_sequence_id.mapped("promise_max_days") or [0])
        return today + timedelta(days=days)

    @api.model
    def _parse_answer_date(self, value):
        try:
            return fields.Date.to_date(value) if value else False
        except ValueError:
            return False

    @api.model
    def _check_remittance(self, attachment):
        name, mimetype, content = attachment
        if mimetype not in REMITTANCE_TYPES:
            raise UserError(_("The proof of payment must be a PDF, PNG or JPEG file."))
        if len(content) > REMITTANCE_MAX_SIZE:
            raise UserError(_("The proof of payment must be smaller than 5 MB."))
        if not content:
            raise UserError(_("The proof of payment %(name)s is empty.", name=name))

    @api.model
    def _join_message(self, text, message):
        message = (message or "").strip()[:2000]
        return f"{text}\n{message}" if message else text

    @api.model
    def _record_answer(self, partner, moves, event_type, text, summary, attachment=None, **values):
        """Post the answer on the customer's chatter and its invoices',
        record an event per invoice and give the responsible a to-do.

        :return: the events
        """
        company = moves[:1].company_id
        today = self.with_company(company)._get_dunning_today(company)
        body = Markup("<p>%s</p>") % text
        attachments = []
        if attachment:
            attachments = [(attachment[0], attachment[2])]
        message = partner.sudo().message_post(
            body=body,
            subject=summary,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=partner.id,
            attachments=attachments,
        )
        # The same note on each invoice, in one batch; the proof of payment
        # stays on the customer's message.
        moves.sudo()._message_log_batch(
            bodies=dict.fromkeys(moves.ids, body),
            author_id=partner.id,
            message_type="comment",
        )
        activity = self._create_activities(
            [
                (
                    moves,
                    moves[:1]._get_dunning_responsible(),
                    self.env.ref("mail.mail_activity_data_todo"),
                    summary,
                    body + self._prepare_activity_note(partner, moves),
                )
            ],
            today,
        )
        Event = self.env["account.dunning.event"].sudo()
        return Event.create(
            [
                Event._prepare_event_vals(
                    move,
                    move.dunning_step_id,
                    "received",
                    today,
                    channel="email",
                    event_type=event_type,
                    message_id=message.id,
                    activity_id=activity.id,
                    note=text,
                    **values,
                )
                for move in moves
            ]
        )
