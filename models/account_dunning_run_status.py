# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.tools import format_date

from .account_dunning_run import RETRY_DELAY


class AccountDunningRun(models.AbstractModel):
    """Whether today's run finished, read from its scheduled action and the
    invoices still due: what the digest and the workspace tell. Read only:
    it runs nothing."""

    _inherit = "account.dunning.run"

    @api.model
    def _get_run_unfinished_companies(self):
        """The companies whose run stopped today with reminders due still
        unsent: Odoo no longer calls a job killed three times in a row before
        its next date."""
        cron = self._get_cron()
        now = fields.Datetime.now()
        Company = self.env["res.company"]
        if not cron.active or cron.nextcall <= now:
            return Company
        soon = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count(
                [("cron_id", "=", cron.id), ("call_at", "<=", now + RETRY_DELAY * 5)], limit=1
            )
        )
        if soon:
            return Company
        return (
            self.env["res.company"]
            ._get_dunning_companies()
            .filtered(lambda company: self._count_due_moves(company))
        )

    @api.model
    def _get_run_unfinished_warning(self):
        """In words, that today's run did not finish."""
        cron = self._get_cron()
        return _(
            "Today's dunning run did not finish: some reminders due today were "
            "not sent. The run goes on at its next call, on %(date)s; if this "
            "stays, check the server log of the job %(job)s.",
            date=format_date(self.env, cron.nextcall.date()),
            job=cron.name,
        )
