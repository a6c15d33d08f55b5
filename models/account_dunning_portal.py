# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
import unicodedata
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date, formatLang
from odoo.tools.mimetypes import fix_filename_extension, guess_mimetype
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
REMITTANCE_NAME_MAX_LENGTH = 255
# The longest message to the accountants, and payment reference (a SEPA
# transfer's remittance information is 140 characters at most).
MESSAGE_MAX_LENGTH = 2000
REFERENCE_MAX_LENGTH = 140
# A whole number of a form (an id, a count): ASCII digits, as "²".isdigit()
# is true yet int() refuses it, and few enough for a PostgreSQL integer.
INTEGER_PATTERN = re.compile(r"[0-9]{1,9}")
# A date as a form's date input sends it, and nothing after it.
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# An amount as a form's number input sends it, without the exponent, nan or
# inf that float() also takes; below a bound far beyond any payment and
# still exact to the cent in a float.
AMOUNT_PATTERN = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
AMOUNT_MAX = 10**12


class AccountDunningPortal(models.AbstractModel):
    """The customer's page from the link of a reminder: its open invoices,
    opened with a signed token and without login, from which it pays,
    promises to pay by a date, says it already paid, or disputes invoices.
    Each answer is posted on the chatters, recorded as events and given to
    the customer's dunning responsible. Used by the portal controller."""

    _name = "account.dunning.portal"
    _description = "Dunning Customer Page"

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
        today = company.with_env(self.env)._get_dunning_today()
        return {
            "partner": partner,
            "company": company,
            # The layout's logo and name: the company that invoiced, not the
            # website's.
            "res_company": company,
            "moves": moves,
            "token": token,
            "today": today,
            "promise_max_date": today + timedelta(days=sequence.promise_max_days or 0),
            "plan_max_count": PLAN_MAX_ASKED,
            "plan_first_max_date": today + PLAN_FIRST_WITHIN,
            "amount_max": AMOUNT_MAX,
            "message_max_length": MESSAGE_MAX_LENGTH,
            "message_limit": self._get_answer_text_limit(MESSAGE_MAX_LENGTH),
            "reference_max_length": REFERENCE_MAX_LENGTH,
            "reference_limit": self._get_answer_text_limit(REFERENCE_MAX_LENGTH),
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
        for_customer = self._in_customer_language(partner)
        today, date, message = for_customer._check_answer_promise(
            partner, company, moves, date, message
        )
        moves.action_dunning_pause(
            until=date,
            reason=_("Promise to pay by %(date)s", date=format_date(self.env, date)),
            origin="promise",
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
        for_customer = self._in_customer_language(partner)
        today, date, amount, reference, attachment = for_customer._check_answer_paid(
            partner, company, moves, date, amount, reference, attachment
        )
        until = today + timedelta(days=company.dunning_paid_claim_days - 1)
        moves.action_dunning_pause(
            until=until,
            reason=_(
                "The customer says it paid on %(date)s: find the payment",
                date=format_date(self.env, date),
            ),
            origin="claim",
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
        for_customer = self._in_customer_language(partner)
        reason, message = for_customer._check_answer_dispute(
            partner, company, moves, reason, message
        )
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
        for_customer = self._in_customer_language(partner)
        count, first_date = for_customer._check_answer_plan(
            partner, company, moves, count, first_date
        )
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
        # A plan that cannot work (invoices of another plan...) is refused
        # to the customer in its language; it starts in the company's, whose
        # accountants read its chatter.
        plan.with_env(for_customer.env)._check_plan()
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

    # ------------------------------------------------------------------
    # What the customer sent: refused with a message, in its language
    # ------------------------------------------------------------------

    @api.model
    def _in_customer_language(self, partner):
        """The refusals of an answer are for the customer, in its language;
        what the answer records is for the company's accountants."""
        return self.with_context(lang=partner.lang or self.env.lang)

    @api.model
    def _check_answer_promise(self, partner, company, moves, date, message):
        """:return: the company's today, the date and message of the promise"""
        today = self._check_answer(partner, company, moves)
        date = self._parse_answer_date(date)
        limit = self._get_promise_max_date(moves, today)
        if not date or date <= today or date > limit:
            raise UserError(
                _(
                    "Choose a payment date after today and no later than %(date)s.",
                    # The month in words: 04/09 is 9 April or 4 September.
                    date=format_date(self.env, limit, date_format="long"),
                )
            )
        message = self._check_answer_text(
            message, _("Your message"), MESSAGE_MAX_LENGTH, multiline=True
        )
        return today, date, message

    @api.model
    def _check_answer_paid(self, partner, company, moves, date, amount, reference, attachment):
        """:return: the company's today, the date, amount and reference of
        the payment, and its proof as _check_remittance gives it"""
        today = self._check_answer(partner, company, moves)
        date = self._parse_answer_date(date)
        if not date or date > today:
            raise UserError(_("Give the date of the payment: today or before."))
        amount = self._parse_answer_amount(amount)
        if not amount:
            raise UserError(_("Give the amount paid: a number above zero, such as 1250.50."))
        reference = self._check_answer_text(
            reference, _("The payment reference"), REFERENCE_MAX_LENGTH
        )
        if attachment:
            attachment = self._check_remittance(attachment)
        return today, date, amount, reference, attachment

    @api.model
    def _check_answer_dispute(self, partner, company, moves, reason, message):
        """:return: the reason and the message of the dispute"""
        self._check_answer(partner, company, moves)
        reason = self.env["account.dunning.dispute.reason"].sudo().browse(reason).exists()
        if not reason or not reason.active:
            raise UserError(_("Choose the reason of the dispute."))
        message = self._check_answer_text(
            message, _("Your message"), MESSAGE_MAX_LENGTH, multiline=True
        )
        if not message:
            raise UserError(_("Tell us what is wrong with the invoices."))
        return reason, message

    @api.model
    def _check_answer_plan(self, partner, company, moves, count, first_date):
        """:return: the count of instalments and the date of the first"""
        today = self._check_answer(partner, company, moves)
        first_date = self._parse_answer_date(first_date)
        count = self._parse_answer_integer(count)
        if not 2 <= count <= PLAN_MAX_ASKED:
            raise UserError(_("Choose between 2 and %(count)s instalments.", count=PLAN_MAX_ASKED))
        if not first_date or first_date < today or first_date > today + PLAN_FIRST_WITHIN:
            raise UserError(_("The first instalment must fall within a month from today."))
        return count, first_date

    @api.model
    def _check_answer(self, partner, company, moves):
        """Refuse an answer on invoices that are not the customer's open ones
        of the company of the link, or too many answers in a day.

        :return: the company's today
        """
        allowed = self._get_customer_page_moves(partner, company)
        if not moves or moves - allowed:
            raise UserError(_("Choose at least one of your open invoices."))
        today = company.with_env(self.env)._get_dunning_today()
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
    def _parse_answer_integer(self, value):
        """A whole number of a form (an id, a count), else 0, which no
        record has and no count allows: refused as an unknown choice."""
        return int(value) if INTEGER_PATTERN.fullmatch(str(value)) else 0

    @api.model
    def _parse_answer_date(self, value):
        """The date of a form, else False: Odoo's Date.to_date would read
        the first ten characters of anything."""
        if not DATE_PATTERN.fullmatch(value or ""):
            return False
        try:
            return fields.Date.to_date(value)
        except ValueError:  # 2026-02-30
            return False

    @api.model
    def _parse_answer_amount(self, value):
        """The positive amount of a form, at most AMOUNT_MAX, else 0."""
        if not AMOUNT_PATTERN.fullmatch(value or ""):
            return 0
        amount = float(value)
        return amount if 0 < amount <= AMOUNT_MAX else 0

    @api.model
    def _check_answer_text(self, value, label, max_length, multiline=False):
        """The text of a form stripped, its line breaks as \\n; refused when
        it has control characters (PostgreSQL stores no NUL, the chatter's
        HTML none) but the line breaks and tabs of a multiline text, or
        more than ``max_length`` characters, the length the form states.

        :param label: the field, as the refusals name it
        """
        # Browsers send a line break as \r\n, and count it as one character.
        text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
        allowed = "\n\t" if multiline else ""
        if any(unicodedata.category(char) == "Cc" and char not in allowed for char in text):
            raise UserError(
                _(
                    "%(field)s contains invisible control characters: please remove them.",
                    field=label,
                )
            )
        text = text.strip()
        if len(text) > max_length:
            raise UserError(
                _(
                    "%(field)s: %(count)s characters at most, please shorten it.",
                    field=label,
                    count=formatLang(self.env, max_length, digits=0),
                )
            )
        return text

    @api.model
    def _get_answer_text_limit(self, max_length):
        """The most characters of a text field, as the form states it."""
        return _("%(count)s characters at most.", count=formatLang(self.env, max_length, digits=0))

    @api.model
    def _check_remittance(self, attachment):
        """The proof of payment, its type read from its content rather than
        the one the browser declares, its name ending with the extension of
        that type, from which its attachment takes its type.

        :return: (file name, content type, bytes)
        """
        name, _declared, content = attachment
        name = self._check_answer_text(
            name, _("The file name of the proof of payment"), REMITTANCE_NAME_MAX_LENGTH
        )
        if not content:
            raise UserError(_("The proof of payment %(name)s is empty.", name=name))
        mimetype = guess_mimetype(content)
        if mimetype not in REMITTANCE_TYPES:
            raise UserError(_("The proof of payment must be a PDF, PNG or JPEG file."))
        if len(content) > REMITTANCE_MAX_SIZE:
            raise UserError(_("The proof of payment must be smaller than 5 MB."))
        return fix_filename_extension(name, mimetype), mimetype, content

    @api.model
    def _join_message(self, text, message):
        return f"{text}\n{message}" if message else text

    @api.model
    def _attach_to_notes(self, notes, attachment):
        """Attach the file the customer sent to the notes of its invoices,
        each invoice getting its own copy: the proof of payment is found
        with the invoice it concerns.

        :param attachment: (file name, content type, bytes)
        """
        name, mimetype, content = attachment
        for note in notes:
            note.attachment_ids = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": name,
                        "mimetype": mimetype,
                        "raw": content,
                        "res_model": note.model,
                        "res_id": note.res_id,
                    }
                )
            )

    @api.model
    def _record_answer(self, partner, moves, event_type, text, summary, attachment=None, **values):
        """Post the answer on the customer's chatter and its invoices',
        record an event per invoice and give the responsible a to-do.

        :return: the events
        """
        company = moves[:1].company_id
        today = company.with_env(self.env)._get_dunning_today()
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
        # The same note on each invoice, in one batch.
        notes = moves.sudo()._message_log_batch(
            bodies=dict.fromkeys(moves.ids, body),
            author_id=partner.id,
            message_type="comment",
        )
        if attachment:
            self._attach_to_notes(notes, attachment)
        activity = self.env["mail.activity"]._create_dunning_activities(
            [
                (
                    moves,
                    moves[:1]._get_dunning_responsible(),
                    self.env.ref("mail.mail_activity_data_todo"),
                    summary,
                    body + moves.with_env(self.env)._get_dunning_activity_note(partner),
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
