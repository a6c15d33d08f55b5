# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_SEQUENCE = "account_dunning.dunning_sequence_default"
SIREN_LENGTH = 9
SIRET_LENGTH = 14
IBAN_PATTERN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
DUNNING_RISK_FIELDS = {
    "dunning_risky_days_late",
    "dunning_risky_on_time_rate",
    "dunning_risky_broken_promises",
    "dunning_good_days_late",
    "dunning_good_on_time_rate",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_grace_days = fields.Integer(
        string="Dunning Grace Window (days)",
        default=1,
        help="When invoices enter a dunning sequence (sequence created, "
        "customer assigned, module installed), steps whose date is past by "
        "more than this many days are not sent: the invoice waits for the "
        "next step.",
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Default Dunning Responsible",
        domain=[("share", "=", False)],
        help="Receives dunning tasks and failures of customers that have "
        "neither a dunning responsible nor a salesperson.",
    )
    dunning_recovery_days = fields.Integer(
        string="Dunning Recovery Window (days)",
        default=7,
        help="A reminder counts as followed by payment in the dunning KPIs when "
        "its invoice is paid in full within this many days after it.",
    )
    dunning_probably_paid_check = fields.Boolean(
        string="Hold Reminders When Probably Paid",
        default=True,
        help="Before a reminder, look for money of the customer not yet "
        "reconciled: a bank transaction from the customer or naming one of its "
        "invoices, a payment or a credit note. If there is, the reminder is "
        "held and the responsible asked to reconcile.",
    )
    dunning_probably_paid_days = fields.Integer(
        string="Probably Paid Hold (days)",
        default=5,
        help="A reminder held because the customer probably paid goes out after "
        "this many days if the invoice is still not reconciled by then.",
    )
    dunning_reply_pause_days = fields.Integer(
        string="Pause After a Reply (days)",
        default=3,
        help="When a customer answers a reminder by email, its reminders pause "
        "for this many days so that someone reads the reply first.",
    )
    dunning_paid_claim_days = fields.Integer(
        string="Hold When Said Paid (days)",
        default=5,
        help="When a customer says from the link of a reminder that it already "
        "paid, its reminders wait this many days for the payment to be found.",
    )
    dunning_one_message_per_step = fields.Boolean(
        string="One Message per Step",
        help="Send a customer one message per step due, as many a day as steps fall "
        "due. Off: one message per customer and channel a day, in the tone of the most "
        "advanced step due, listing each invoice.",
    )
    dunning_kpi_date = fields.Date(
        string="Dunning KPIs Date",
        readonly=True,
        help="The day the dunning KPIs of the company were computed for.",
    )
    dunning_kpi_refreshed_at = fields.Datetime(string="Dunning KPIs Computed At", readonly=True)
    dunning_late_fees = fields.Boolean(
        string="Late-Payment Costs",
        default=False,
        help="Compute the late-payment costs due by law in France on customer "
        "invoices paid late (Code de commerce, articles L441-10 and D441-5): "
        "interest from the day after the due date, without any reminder "
        "being needed, and a fixed recovery indemnity of 40 EUR per late "
        "invoice for business customers. Consumers owe the legal interest "
        "rate from the formal notice (Code civil, article 1231-6).",
    )
    dunning_interest_rate = fields.Float(
        string="Contractual Late-Payment Rate (%)",
        digits=(16, 2),
        help="Annual rate of the late-payment interest, as stated in your "
        "terms and conditions, for business customers. Leave 0 to apply the "
        "legal default: the ECB main refinancing rate of the half-year plus 10 "
        "points. In each half-year it is raised to 3 times the legal interest "
        "rate if below (French Code de commerce, article L441-10).",
    )

    dunning_risky_days_late = fields.Float(
        string="Risky Above (days late)",
        digits=(16, 1),
        default=30.0,
        help="A customer is risky when its invoices of the last 12 months were "
        "paid this many days late or more on average, weighted by amount.",
    )
    dunning_risky_on_time_rate = fields.Float(
        string="Risky Below (% on time)",
        digits=(16, 1),
        default=50.0,
        help="A customer is risky when it paid fewer of its invoices of the last "
        "12 months by their due date than this share.",
    )
    dunning_risky_broken_promises = fields.Integer(
        string="Risky From (broken promises)",
        default=2,
        help="A customer is risky when it broke this many promises to pay in the "
        "last 12 months. 0: broken promises alone never make a customer risky.",
    )
    dunning_good_days_late = fields.Float(
        string="Good Up To (days late)",
        digits=(16, 1),
        default=5.0,
        help="A customer is good when it paid at most this many days late on "
        "average, paid at least the good share on time and broke no promise.",
    )
    dunning_good_on_time_rate = fields.Float(
        string="Good From (% on time)",
        digits=(16, 1),
        default=80.0,
        help="A customer is good when it paid at least this share of its invoices "
        "by their due date, paid at most the good days late on average and broke "
        "no promise.",
    )
    dunning_behaviour_date = fields.Date(
        string="Payment Behaviour Date",
        readonly=True,
        help="The day the payment behaviour of the customers was computed for.",
    )

    @api.constrains(
        "dunning_grace_days",
        "dunning_recovery_days",
        "dunning_probably_paid_days",
        "dunning_reply_pause_days",
        "dunning_paid_claim_days",
    )
    def _check_dunning_grace_days(self):
        if any(company.dunning_grace_days < 0 for company in self):
            raise ValidationError(_("The dunning grace window cannot be negative."))
        if any(company.dunning_recovery_days < 0 for company in self):
            raise ValidationError(_("The dunning recovery window cannot be negative."))
        if any(not 0 < company.dunning_probably_paid_days <= 90 for company in self):
            raise ValidationError(
                _("A reminder held because the customer probably paid waits 1 to 90 days.")
            )
        if any(not 0 < company.dunning_reply_pause_days <= 90 for company in self):
            raise ValidationError(_("The pause after a customer's reply lasts 1 to 90 days."))
        if any(not 0 < company.dunning_paid_claim_days <= 90 for company in self):
            raise ValidationError(_("The hold when a customer says it paid lasts 1 to 90 days."))

    @api.constrains(
        "dunning_risky_days_late",
        "dunning_risky_on_time_rate",
        "dunning_risky_broken_promises",
        "dunning_good_days_late",
        "dunning_good_on_time_rate",
    )
    def _check_dunning_risk_thresholds(self):
        for company in self:
            rates = (company.dunning_risky_on_time_rate, company.dunning_good_on_time_rate)
            if any(not 0 <= rate <= 100 for rate in rates):
                raise ValidationError(_("The shares paid on time are between 0 and 100 %."))
            if (
                company.dunning_good_days_late < 0
                or company.dunning_risky_broken_promises < 0
                or company.dunning_good_days_late > company.dunning_risky_days_late
                or company.dunning_good_on_time_rate < company.dunning_risky_on_time_rate
            ):
                raise ValidationError(
                    _(
                        "The payment risk thresholds cannot overlap: good customers pay "
                        "at most as late and at least as often on time as risky ones, "
                        "and the numbers cannot be negative."
                    )
                )

    @api.constrains("dunning_interest_rate")
    def _check_dunning_interest_rate(self):
        # The floor of 3 times the legal interest rate changes every
        # half-year: it is applied when the interest is computed.
        if any(company.dunning_interest_rate < 0 for company in self):
            raise ValidationError(_("The late-payment rate cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_sequence()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if DUNNING_RISK_FIELDS & vals.keys():
            # Risk levels, and the rules reading them, follow new thresholds
            # at once rather than the next night.
            self.env["res.partner"].sudo()._recompute_dunning_rules(self)
        if "dunning_grace_days" in vals:
            self.env["account.move"].sudo()._search_dunning_open_moves(
                [("company_id", "in", self.ids)]
            )._dunning_recompute_next()
        return res

    def _dunning_ensure_default_responsible(self):
        """Give companies without a default dunning responsible one of their
        accounting managers, so that no dunning task goes to nobody."""
        for company in self.filtered(lambda company: not company.dunning_responsible_id):
            company.dunning_responsible_id = company._get_dunning_manager()

    def _dunning_ensure_default_sequence(self):
        """Give companies without any dunning sequence a copy of the default
        one, so that their customers are reminded from day one."""
        template = self.env.ref(DEFAULT_SEQUENCE, raise_if_not_found=False)
        if not template:
            return
        template = template.sudo()
        Sequence = template.with_context(active_test=False)
        equipped = Sequence.search([("company_id", "in", self.ids)]).company_id
        for company in self - equipped:
            sequence = template.copy(
                {"company_id": company.id, "name": template.name, "is_default": True}
            )
            # copy() leaves out the translations of the values it is given.
            template.copy_translations(sequence)

    def _get_dunning_registry(self):
        """(label, number) of the company's registration, as letters print
        it. In France a SIREN has 9 digits and a SIRET 14 (the SIREN and the
        establishment); any other form ("RCS Lyon B 812 345 678", another
        country's number) is printed as it is entered."""
        self.ensure_one()
        number = self.company_registry or ("siret" in self._fields and self.siret) or ""
        digits = "".join(number.split())
        if self.country_id.code == "FR" and digits.isdigit():
            if len(digits) == SIRET_LENGTH:
                return _("SIRET"), number
            if len(digits) == SIREN_LENGTH:
                return _("SIREN"), number
        return _("Registry Number"), number

    def _get_dunning_sender_lines(self):
        """The lines that identify the company under its address on letters
        and formal notices: registration, VAT number, bank account. Debian's
        wkhtmltopdf prints no header nor footer: the letter's body carries
        them."""
        self.ensure_one()
        lines = []
        label, number = self._get_dunning_registry()
        if number:
            lines.append(_("%(label)s: %(number)s", label=label, number=number))
        if self.vat:
            lines.append(_("VAT: %(vat)s", vat=self.vat))
        bank = self.partner_id.bank_ids[:1]
        if bank:
            account = _format_bank_account(bank.acc_number)
            if bank.bank_bic:
                lines.append(_("IBAN: %(iban)s - BIC: %(bic)s", iban=account, bic=bank.bank_bic))
            else:
                lines.append(_("IBAN: %(iban)s", iban=account))
        return lines


def _format_bank_account(number):
    """An IBAN by groups of 4 characters, as it is printed; any other
    account number as it is entered."""
    compact = "".join(number.split()).upper()
    if IBAN_PATTERN.fullmatch(compact):
        return " ".join(compact[index : index + 4] for index in range(0, len(compact), 4))
    return number
