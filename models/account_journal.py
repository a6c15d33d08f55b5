# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _fill_sale_purchase_dashboard_data(self, dashboard_data):
        super()._fill_sale_purchase_dashboard_data(dashboard_data)
        sale_journals = self.filtered(lambda journal: journal.type == "sale")
        if not sale_journals or not self.env.user.has_group(
            "account_dunning.group_account_dunning_user"
        ):
            return
        overdue = self._get_dunning_overdue(sale_journals.company_id)
        for journal in sale_journals:
            count, amount = overdue.get(journal.company_id, (0, 0.0))
            dashboard_data[journal.id].update(
                {
                    "dunning_overdue_count": count,
                    "dunning_overdue": journal.company_id.currency_id.format(amount),
                }
            )

    def _get_dunning_overdue(self, companies):
        """Per company: how many customers are overdue, and by how much, in
        the company currency (one query)."""
        Move = self.env["account.move"]
        groups = Move._read_group(
            Move._get_dunning_remindable_domain()
            + [
                ("company_id", "in", companies.ids),
                ("dunning_date_due", "<", fields.Date.context_today(self)),
            ],
            ["company_id"],
            ["commercial_partner_id:count_distinct", "amount_residual_signed:sum"],
        )
        return {company: (count, amount) for company, count, amount in groups}

    def action_open_dunning_workspace(self):
        """The customers to chase, from the overview."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning.account_dunning_customer_action"
        )
