# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import format_amount, format_date


class AccountDunningEvent(models.Model):
    """The daily digest of the responsibles: their calls, approvals and
    failures, and whether today's run finished."""

    _inherit = "account.dunning.event"

    @api.model
    def _cron_send_digest(self):
        """Each morning, one email per responsible with work: the customers
        to call or act on, the reminders waiting for approval and the failed
        ones. Nobody gets an empty digest."""
        work = self._get_digest_work()
        Run = self.env["account.dunning.run"]
        unfinished = Run._get_run_unfinished_companies()
        # Someone must hear of it, even with nothing else to do.
        Event = self.sudo()
        for user in self._get_run_warning_users(unfinished):
            work.setdefault(user, {"calls": Event, "approvals": Event, "failures": Event})
        mails = self.env["account.dunning.mailer"]._queue_mails(
            [
                self._prepare_digest_mail(
                    user,
                    items,
                    (user.company_ids & unfinished)
                    and Run.with_context(lang=user.lang)._get_run_unfinished_warning(),
                )
                for user, items in work.items()
            ]
        )
        self.env["ir.cron"]._notify_progress(done=len(mails), remaining=0)
        return mails

    @api.model
    def _get_digest_work(self):
        """{user: {"calls": events, "approvals": events, "failures": events}}
        for the users who have something to do."""
        Event = self.sudo()
        calls = Event.search(
            [
                ("channel", "in", ("phone", "manual")),
                ("state", "=", "sent"),
                ("activity_id", "!=", False),
            ]
        )
        # Those an answer of the customer holds are not work for today.
        approvals = Event.search(
            [
                ("state", "=", "pending"),
                ("attachment_id", "=", False),
                ("event_type", "=", "reminder"),
                ("move_id.dunning_status", "=", "approval"),
            ]
        )
        failures = Event.search([("state", "=", "failed"), ("activity_id", "!=", False)])
        work = defaultdict(lambda: {"calls": Event, "approvals": Event, "failures": Event})
        for kind, events, get_user in (
            ("calls", calls, lambda event: event.activity_id.user_id),
            ("approvals", approvals, lambda event: event.move_id._get_dunning_responsible()),
            ("failures", failures, lambda event: event.activity_id.user_id),
        ):
            for user, user_events in events.grouped(get_user).items():
                if user and user.active and not user.share and user.email:
                    work[user][kind] |= user_events
        return dict(work)

    @api.model
    def _get_run_warning_users(self, companies):
        """Who hears that the run of ``companies`` did not finish: their
        default dunning responsibles."""
        return companies.dunning_responsible_id.filtered(
            lambda user: user.active and not user.share and user.email
        )

    @api.model
    def _prepare_digest_mail(self, user, items, run_warning=False):
        """The digest email of ``user``, in the user's language."""
        env = self.with_context(lang=user.lang).env
        company = user.company_id
        body = env["ir.qweb"]._render(
            "account_dunning.dunning_digest",
            {
                "user": user,
                "company": company,
                "run_warning": run_warning,
                "calls": items["calls"].with_env(env).sorted("date"),
                "approvals": items["approvals"].with_env(env).sorted("date"),
                "failures": items["failures"].with_env(env).sorted("date"),
                "format_amount": lambda amount, currency: format_amount(env, amount, currency),
                "format_date": lambda day: format_date(env, day),
            },
        )
        return {
            "subject": env._(
                "Dunning: your tasks of %(date)s",
                date=format_date(env, fields.Date.context_today(self.with_user(user))),
            ),
            "body_html": body,
            "email_from": company.email_formatted or self.env.ref("base.user_root").email_formatted,
            "recipient_ids": [(6, 0, user.partner_id.ids)],
            "auto_delete": True,
        }
