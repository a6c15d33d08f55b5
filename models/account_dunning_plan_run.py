# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, models
from odoo.tools import format_date

PLAN_NOTICE_TEMPLATE = "account_dunning.mail_template_dunning_plan_notice"
PLAN_REMINDER_TEMPLATE = "account_dunning.mail_template_dunning_plan_reminder"


class AccountDunningPlan(models.Model):
    """Payment plans in the daily run: a notice before each instalment, a
    reminder the day after a missed one, the plan broken after too many
    missed, closed when its invoices are paid. At most one email per plan
    and day: a reminder gives the notice due the same day."""

    _inherit = "account.dunning.plan"

    @api.model
    def _run_payment_plans(self, company, today):
        """Close the plans paid and break those missed too often.

        :return: the plans' emails of the day, to send with
            ``_send_payment_plan_emails``: [(plan, reminded, announced)]
        """
        plans = self.sudo().search([("company_id", "=", company.id), ("state", "=", "active")])
        emails = []
        for plan in plans:
            action, reminded, announced = self._get_plan_action(plan, today)
            if action == "done":
                self._close_plan(plan, today)
            elif action == "broken":
                self._break_plan(plan, today)
            elif action:
                emails.append((action, plan, reminded, announced))
        return emails

    @api.model
    def _send_payment_plan_emails(self, company, today, emails):
        """Send the plans' emails of the day, but to customers who got
        another message today: theirs go tomorrow."""
        messaged = self.env["account.dunning.event"]._get_customers_messaged_today(company, today)
        vals_list = []
        for action, template_ref in (
            ("notice", PLAN_NOTICE_TEMPLATE),
            ("reminder", PLAN_REMINDER_TEMPLATE),
        ):
            todo = [
                (plan, reminded, announced)
                for kind, plan, reminded, announced in emails
                if kind == action and plan.partner_id.id not in messaged
            ]
            if todo:
                vals_list += self._send_plan_emails(self.env.ref(template_ref), todo, today)
        return self.env["account.dunning.event"].sudo().create(vals_list)

    @api.model
    def _get_plan_action(self, plan, today):
        """What a plan needs on ``today`` (no I/O beyond the plan).

        :return: (action, reminded, announced): action is done, broken,
            notice, reminder or False; reminded the missed instalments the
            reminder is about, announced the instalment whose notice the
            email gives (empty recordsets when none).
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
            # One email a day: the reminder gives the notice due today too.
            return "reminder", reminded, announced
        return ("notice" if announced else False), Line, announced

    @api.model
    def _is_plan_notice_due(self, line, sequence, today):
        """Whether the notice of the instalment ``line`` goes on ``today``:
        not sent yet, and the notice days before it have begun."""
        return (
            not line.notice_sent and line.date - timedelta(days=sequence.plan_notice_days) <= today
        )

    @api.model
    def _send_plan_emails(self, template, emails, today):
        """One email per plan of ``emails`` ([(plan, reminded, announced)]),
        about its open invoices, recorded as plan events; the instalments it
        reminds or announces are marked so that they are never emailed
        twice."""
        Event = self.env["account.dunning.event"]
        groups = [
            (
                plan.partner_id,
                plan.move_ids.filtered(lambda m: m._dunning_is_open()).sorted(
                    lambda move: (move.invoice_date_due, move.id)
                ),
            )
            for plan, _reminded, _announced in emails
        ]
        sent, failures = self.env["account.dunning.mailer"]._send(groups, template)
        email_of = {
            moves[:1]: email for email, (_partner, moves) in zip(emails, groups, strict=True)
        }
        vals_list = []
        for _partner, moves, _recipients, mail in sent:
            plan, reminded, announced = email_of[moves[:1]]
            note = self._get_plan_email_note(reminded, announced)
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
        # Failed as a step fails: an event per invoice and a task per
        # customer; each invoice records the step it is at.
        for partner, moves, reason in failures:
            plan = email_of[moves[:1]][0]
            failed = Event._prepare_failure_vals(
                self.env["account.dunning.step"],
                [(partner, moves, reason)],
                today,
                what=template.display_name,
                channel="email",
                event_type="plan",
                plan_id=plan.id,
            )
            for vals, move in zip(failed, moves, strict=True):
                vals.update(
                    step_id=move.dunning_step_id.id,
                    sequence_id=move.dunning_step_id.sequence_id.id,
                )
            vals_list += failed
        Line = self.env["account.dunning.plan.line"].sudo()
        Line.union(*(reminded for _plan, reminded, _announced in emails)).write(
            {"reminder_sent": True}
        )
        Line.union(*(announced for _plan, _reminded, announced in emails)).write(
            {"notice_sent": True}
        )
        return vals_list

    @api.model
    def _get_plan_email_note(self, reminded, announced):
        """What a plan email is about, in the plan's events."""
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
