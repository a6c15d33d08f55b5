# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, models
from odoo.tools import format_date

_logger = logging.getLogger(__name__)


class AccountDunningPlan(models.Model):
    """Payment plans in the daily run: what each plan needs today (closed
    when paid, broken after too many missed instalments, a notice before
    each instalment, a reminder the day after a missed one). The messages
    are steps of the plan's sequence, triggered by its instalments, that
    the run sends as any step. At most one message per plan and day: a
    reminder gives the notice due the same day."""

    _inherit = "account.dunning.plan"

    @api.model
    def _run_payment_plans(self, company, today):
        """Close the plans paid and break those missed too often.

        :return: the plans' messages of the day, for the run to send:
            [(plan, trigger, reminded, announced)], ``trigger`` the one of
            the step to send (see ``_get_plan_action``)
        """
        plans = self.sudo().search([("company_id", "=", company.id), ("state", "=", "active")])
        messages = []
        for plan in plans:
            action, reminded, announced = self._get_plan_action(plan, today)
            if action == "done":
                self._close_plan(plan, today)
            elif action == "broken":
                self._break_plan(plan, today)
            elif action:
                messages.append((plan, action, reminded, announced))
        return messages

    @api.model
    def _get_plan_action(self, plan, today):
        """What a plan needs on ``today`` (no I/O beyond the plan).

        :return: (action, reminded, announced): action is done, broken, the
            trigger of the step to send (plan_missed, plan_instalment) or
            False; reminded the missed instalments the reminder is about,
            announced the instalment whose notice the message gives (empty
            recordsets when none).
        """
        Line = plan.line_ids.browse()
        if not plan.move_ids.filtered(lambda move: move._dunning_is_open()):
            return "done", Line, Line
        sequence = plan._get_sequence()
        statuses = plan.line_ids._get_statuses(plan.amount_paid, today)
        missed = Line.union(*(line for line, status in statuses.items() if status == "missed"))
        if len(missed) >= (sequence.plan_missed_limit or 1):
            return "broken", Line, Line
        upcoming = Line._get_upcoming(statuses)
        announced = upcoming.filtered(lambda line: self._is_plan_notice_due(line, sequence, today))
        reminded = missed.filtered(lambda line: not line.reminder_sent)
        if reminded:
            # One message a day: the reminder gives the notice due today too.
            return "plan_missed", reminded, announced
        return ("plan_instalment" if announced else False), Line, announced

    @api.model
    def _is_plan_notice_due(self, line, sequence, today):
        """Whether the notice of the instalment ``line`` goes on ``today``:
        not sent yet, and the notice days before it have begun."""
        return (
            not line.notice_sent and line.date - timedelta(days=sequence.plan_notice_days) <= today
        )

    @api.model
    def _group_plan_messages_by_step(self, messages):
        """{step: [(plan, customer, its open invoices oldest due first)]} for
        ``messages`` (see ``_run_payment_plans``): the step of each plan's
        sequence for the message's trigger. A sequence without such a step
        sends no such message; the instalments stay unmarked, so that a
        step added later still gives the notices ahead."""
        by_step = {}
        for plan, trigger, _reminded, _announced in messages:
            step = plan._get_sequence()._get_trigger_step(trigger)
            if not step:
                _logger.info(
                    "Dunning: %s has no step sent %s: no message for %s.",
                    plan._get_sequence().display_name,
                    trigger,
                    plan.display_name,
                )
                continue
            moves = plan.move_ids.filtered(lambda move: move._dunning_is_open()).sorted(
                lambda move: (move.invoice_date_due, move.id)
            )
            by_step.setdefault(step, []).append((plan, plan.partner_id, moves))
        return by_step

    @api.model
    def _complete_plan_event_vals(self, vals_list, messages):
        """The events of the plans' messages (values, one per invoice) name
        their plan and what the message was about; the instalments it
        reminds or announces are marked, so that they are never messaged
        twice (a failure is a task for a person, as for any step)."""
        about = {}
        for plan, _trigger, reminded, announced in messages:
            note = self._get_plan_message_note(reminded, announced)
            about.update(dict.fromkeys(plan.move_ids.ids, (plan, note)))
        for vals in vals_list:
            if vals["move_id"] in about:
                plan, note = about[vals["move_id"]]
                vals["plan_id"] = plan.id
                vals["note"] = f"{note} {vals['note']}" if vals.get("note") else note
        Line = self.env["account.dunning.plan.line"].sudo()
        Line.union(*(reminded for _plan, _trigger, reminded, _announced in messages)).write(
            {"reminder_sent": True}
        )
        Line.union(*(announced for _plan, _trigger, _reminded, announced in messages)).write(
            {"notice_sent": True}
        )
        return vals_list

    @api.model
    def _get_plan_message_note(self, reminded, announced):
        """What a plan's message is about, in the plan's events."""
        if not reminded:
            return _(
                "Notice of the instalment of %(date)s.",
                date=format_date(self.env, announced.date),
            )
        if announced:
            return _(
                "Reminder of a missed instalment, with the notice of the instalment of %(date)s.",
                date=format_date(self.env, announced.date),
            )
        return _("Reminder of a missed instalment.")

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
        activity = self.env["mail.activity"]._create_dunning_activities(
            [
                (
                    moves,
                    moves[:1]._get_dunning_responsible(),
                    self.env.ref("mail.mail_activity_data_todo"),
                    _("Payment plan broken"),
                    Markup("<p>%s</p>") % note + moves._get_dunning_activity_note(plan.partner_id),
                )
            ],
            today,
        )
        Event = self.env["account.dunning.event"]
        Event.sudo().create(
            [
                Event._prepare_manual_event_vals(
                    move,
                    today,
                    "plan",
                    plan_id=plan.id,
                    activity_id=activity.id,
                    note=note,
                )
                for move in moves
            ]
        )
