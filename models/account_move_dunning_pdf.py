# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import models

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    """The invoice PDFs the reminders attach, stored on the invoices as Odoo
    stores them when it sends one: rendered by the run's pre-pass a few at a
    time (``account.dunning.run._prepare_invoice_pdfs``), and by the email
    channel for those still missing."""

    _inherit = "account.move"

    def _dunning_store_invoice_pdfs(self):
        """Render and store the PDF of these invoices with the report that
        ``account.move.send`` would choose (the customer's invoice template),
        in one wkhtmltopdf run per report when it can split documents, else
        one run per invoice.

        :return: {invoice id: the error} for those that failed
        """
        if not self:
            return {}
        Send = self.env["account.move.send"].sudo()
        Report = self.env["ir.actions.report"].sudo().with_context(force_report_rendering=True)
        Send = Send.with_env(Report.env)
        errors = {}
        for company, company_moves in self.grouped("company_id").items():
            invoices_data = {
                move: {"pdf_report": Send._get_default_pdf_report_id(move)}
                for move in company_moves.with_env(Report.env)
            }
            try:
                with self.env.cr.savepoint():
                    Send._prepare_invoice_pdf_report(invoices_data)
            except Exception:  # noqa: BLE001 - retried one invoice at a time
                _logger.info("Dunning: rendering invoice PDFs one at a time.")
                for move, move_data in invoices_data.items():
                    try:
                        with self.env.cr.savepoint():
                            Send._prepare_invoice_pdf_report({move: move_data})
                    except Exception as error:  # noqa: BLE001 - reported on the reminder
                        errors[move.id] = error
            Send.with_company(company)._link_invoice_documents(
                {move: data for move, data in invoices_data.items() if move.id not in errors}
            )
        self.invalidate_recordset(["invoice_pdf_report_id", "invoice_pdf_report_file"])
        return errors
