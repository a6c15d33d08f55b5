# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import format_amount

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount


class DunningCustomerPage(http.Controller):
    """The page the link of a reminder opens: the customer's open invoices,
    with what it can answer. The signed token is the only key: no login."""

    def _forbid_caching_and_framing(self):
        """Whoever has the link sees the customer's invoices: no cache may
        keep a response, no other site may frame it to trick a click. Set
        on the future response, the headers reach the error pages too, the
        404 of a wrong token included. Odoo's own pages of a customer's data
        (/my/account, /my/security) allow the same origin only: that origin
        reads the page anyway, and Odoo frames its pages in its editors."""
        headers = request.future_response.headers
        headers["Cache-Control"] = "no-store"
        headers["X-Frame-Options"] = "SAMEORIGIN"
        headers["Content-Security-Policy"] = "frame-ancestors 'self'"

    def _get_page_and_customer(self, token):
        Page = request.env["account.dunning.portal"].sudo()
        found = Page._get_customer_from_token(token)
        if not found:
            raise NotFound()
        partner, company = found
        return Page, partner, company

    def _render_page(self, token, partner, company, answered=None, error=None):
        Page = request.env["account.dunning.portal"].sudo()
        if partner.lang:
            request.update_context(lang=partner.lang)
        Page = Page.with_context(lang=partner.lang or request.env.lang)
        values = Page._get_customer_page_values(partner, company, token)
        values.update(answered=answered, error=error)
        return request.render("account_dunning.customer_page", values)

    @http.route(
        "/dunning/<string:token>", type="http", auth="public", methods=["GET"], website=True
    )
    def customer_page(self, token, answered=None, **kwargs):
        self._forbid_caching_and_framing()
        _Page, partner, company = self._get_page_and_customer(token)
        answered = answered if answered in ("promise", "paid", "dispute", "plan") else None
        return self._render_page(token, partner, company, answered=answered)

    @http.route("/dunning/l/<string:code>", type="http", auth="public", methods=["GET"])
    def customer_short_link(self, code):
        """The short link of a letter: to the customer's page."""
        self._forbid_caching_and_framing()
        url = request.env["account.dunning.link"].sudo()._get_customer_page_url_from_code(code)
        if not url:
            raise NotFound()
        return request.redirect(url, local=True)

    @http.route(
        "/dunning/<string:token>/answer",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def customer_answer(self, token, answer=None, **post):
        """One form per answer: promise, paid, dispute or plan."""
        self._forbid_caching_and_framing()
        Page, partner, company = self._get_page_and_customer(token)
        # The customer is the author of what its answer posts and changes.
        request.update_context(dunning_page_author_id=partner.id)
        Page = Page.with_context(dunning_page_author_id=partner.id)
        # Recorded in the company's language, for its accountants; the
        # answer methods refuse in the customer's.
        Page = Page.with_company(company).with_context(**company._get_dunning_context())
        # Each invoice once, however often the form names it.
        move_ids = dict.fromkeys(
            Page._parse_answer_integer(value)
            for value in request.httprequest.form.getlist("move_ids")
        )
        moves = request.env["account.move"].sudo().browse(list(move_ids))
        try:
            if answer == "promise":
                Page._answer_promise(partner, company, moves, post.get("date"), post.get("message"))
                answered = "promise"
            elif answer == "paid":
                upload = request.httprequest.files.get("remittance")
                attachment = (
                    (upload.filename, upload.mimetype, upload.read())
                    if upload and upload.filename
                    else None
                )
                Page._answer_paid(
                    partner,
                    company,
                    moves,
                    post.get("date"),
                    post.get("amount"),
                    post.get("reference"),
                    attachment,
                )
                answered = "paid"
            elif answer == "dispute":
                Page._answer_dispute(
                    partner,
                    company,
                    moves,
                    Page._parse_answer_integer(post.get("reason_id")),
                    post.get("message"),
                )
                answered = "dispute"
            elif answer == "plan":
                Page._answer_plan(partner, company, moves, post.get("count"), post.get("date"))
                answered = "plan"
            else:
                raise NotFound()
        except UserError as error:
            request.env.cr.rollback()
            return self._render_page(token, partner, company, error=error.args[0])
        # Reloading the page must not post the answer again.
        return request.redirect(f"/dunning/{token}?answered={answered}", local=True)

    @http.route(
        "/dunning/<string:token>/pay", type="http", auth="public", methods=["GET"], website=True
    )
    def customer_pay_all(self, token, **kwargs):
        """Pay all the open invoices of the page at once, with the payment
        providers of Odoo, as account_payment pays a portal user's overdue
        invoices."""
        self._forbid_caching_and_framing()
        Page, partner, company = self._get_page_and_customer(token)
        if partner.lang:
            request.update_context(lang=partner.lang)
        moves = Page._get_customer_page_moves(partner, company)
        currency = moves.currency_id
        if not moves or len(currency) != 1:
            return request.redirect(f"/dunning/{token}", local=True)
        total = sum(moves.mapped("amount_residual"))
        values = PortalAccount()._get_common_page_view_values(
            invoices_data={
                "partner": partner,
                "company": company,
                "total_amount": total,
                "currency": currency,
                "amount_residual": total,
                "payment_reference": ", ".join(moves.mapped("name")),
                "landing_route": f"/dunning/{token}",
                "transaction_route": f"/dunning/{token}/transaction",
            },
        )
        values.update(
            partner=partner,
            company=company,
            res_company=company,
            moves=moves,
            amount=total,
            token=token,
            format_amount=lambda value, currency: format_amount(request.env, value, currency),
        )
        return request.render("account_dunning.customer_pay_page", values)

    @http.route("/dunning/<string:token>/transaction", type="json", auth="public")
    def customer_pay_all_transaction(self, token, payment_reference=None, **kwargs):
        """The payment transaction of all the open invoices of the page,
        for what is left to pay on them whatever the form sent."""
        self._forbid_caching_and_framing()
        Page, partner, company = self._get_page_and_customer(token)
        moves = Page._get_customer_page_moves(partner, company)
        if not moves or len(moves.currency_id) != 1:
            raise ValidationError(
                Page._in_customer_language(partner).env._(
                    "There is nothing to pay in one currency."
                )
            )
        portal = PaymentPortal()
        portal._validate_transaction_kwargs(kwargs)
        kwargs["amount"] = sum(moves.mapped("amount_residual"))
        return portal._process_transaction(
            partner.id, moves.currency_id.id, moves.ids, payment_reference, **kwargs
        )
