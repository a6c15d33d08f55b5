# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, models
from odoo.tools import format_date

PLAN_NOTICE_TEMPLATE = "account_dunning.mail_template_dunning_plan_notice"
PLAN_REMINDER_TEMPLATE = "account_dunning.mail_template_dunning_plan_reminder"


class AccountDunningRun(models.AbstractModel):
    """Payment plans in the daily run: a notice before each instalment, a
    reminder the day after a missed one, the plan broken after too many
    missed, closed when its invoices are paid. At most one email per plan
    and day."""

    _inherit = "account.dunning.run"

    @api.model
    def _run_payment_plans(self, company, today):
        plans = (
            self.env["account.dunning.plan"]
            .sudo()
            .search([("company_id", "=", company.id), ("state", "=", "active")])
        )
        notices, reminders = [], []
        for plan in plans:
            action = self._get_plan_action(plan, today)
            if action == "done":
                self._close_plan(plan, today)
            elif action == "broken":
                self._break_plan(plan, today)
            elif action == "notice":
                notices.append(plan)
            elif action == "reminder":
                reminders.append(plan)
        vals_list = []
        for template_ref, todo, flag in (
            (PLAN_NOTICE_TEMPLATE, notices, "notice_sent"),
            (PLAN_REMINDER_TEMPLATE, reminders, "reminder_sent"),
        ):
            if todo:
                vals_list += self._send_plan_emails(self.env.ref(template_ref), todo, today, flag)
        return self.env["account.dunning.event"].sudo().create(vals_list)

    @api.model
    def _get_plan_action(self, plan, today):
        """What a plan needs on ``today`` (no I/O beyond the plan): done,
        broken, notice, reminder or nothing."""
        open_moves = plan.move_ids.filtered(lambda move: move._dunning_is_open())
        if not open_moves:
            return "done"
        sequence = plan._get_sequence()
        statuses = plan.line_ids._get_statuses(plan.amount_paid, today)
        missed = [line for line, status in statuses.items() if status == "missed"]
        if len(missed) >= (sequence.plan_missed_limit or 1):
            return "broken"
        if any(not line.reminder_sent for line in missed):
            return "reminder"
        upcoming = plan.next_line_id
        if (
            upcoming
            and statuses.get(upcoming) == "due"
            and not upcoming.notice_sent
            and upcoming.date - timedelta(days=sequence.plan_notice_days) <= today
        ):
            return "notice"
        return False

    @api.model
    def _send_plan_emails(self, template, plans, today, flag):
        """One email per plan, about its open invoices, recorded as plan
        events; the instalments concerned are marked so that they are never
        emailed twice."""
        Event = self.env["account.dunning.event"]
        groups = [
            (
                plan.partner_id,
                plan.move_ids.filtered(lambda m: m._dunning_is_open()).sorted(
                    lambda move: (move.invoice_date_due, move.id)
                ),
            )
            for plan in plans
        ]
        sent, failures = self._send_emails(groups, template)
        plan_of = {moves[:1]: plan for plan, (_partner, moves) in zip(plans, groups, strict=True)}
        vals_list = []
        for _partner, moves, _recipients, mail in sent:
            plan = plan_of[moves[:1]]
            if flag == "notice_sent":
                note = _(
                    "Notice of the instalment of %(date)s.",
                    date=format_date(self.env, plan.next_line_id.date),
                )
            else:
                note = _("Reminder of a missed instalment.")
            vals_list += [
                Event._prepare_event_vals(
                    move,
                    move.dunning_step_id,
                    "queued",
                    today,
                    channel="email",
                    event_type="plan",
                    plan_id=plan.id,
                    mail_id=mail.id,
                    message_id=mail.mail_message_id.id,
                    note=note,
                )
                for move in moves
            ]
        for _partner, moves, reason in failures:
            plan = plan_of[moves[:1]]
            vals_list += [
                Event._prepare_event_vals(
                    move,
                    move.dunning_step_id,
                    "failed",
                    today,
                    channel="email",
                    event_type="plan",
                    plan_id=plan.id,
                    note=reason,
                )
                for move in moves
            ]
        for plan in plans:
            if flag == "notice_sent":
                plan.next_line_id.notice_sent = True
            else:
                statuses = plan.line_ids._get_statuses(plan.amount_paid, today)
                missed = [line.id for line, status in statuses.items() if status == "missed"]
                plan.line_ids.browse(missed).write({"reminder_sent": True})
        return vals_list

    @api.model
    def _close_plan(self, plan, today):
        plan._release_moves()
        plan.state = "done"
        plan.message_post(body=_("All the invoices of the plan are paid."))

    @api.model
    def _break_plan(self, plan, today):
        """Too many instalments missed: the invoices follow their sequence
        again, from the step now due, and the responsible is told."""
        moves = plan._release_moves().filtered(lambda move: move._dunning_is_open())
        plan.state = "broken"
        note = _(
            "Payment plan broken: %(count)s instalments missed. The invoices follow "
            "their dunning sequence again.",
            count=plan.missed_count,
        )
        plan.message_post(body=note)
        activity = self._create_activities(
            [
                (
                    moves,
                    moves[:1]._get_dunning_responsible(),
                    self.env.ref("mail.mail_activity_data_todo"),
                    _("Payment plan broken"),
                    Markup("<p>%s</p>") % note
                    + self._prepare_activity_note(plan.partner_id, moves),
                )
            ],
            today,
        )
        Event = self.env["account.dunning.event"]
        Event.sudo().create(
            [
                Event._prepare_event_vals(
                    move,
                    move.dunning_step_id,
                    "received",
                    today,
                    channel="manual",
                    event_type="plan",
                    plan_id=plan.id,
                    activity_id=activity.id,
                    note=note,
                )
                for move in moves
            ]
        )
