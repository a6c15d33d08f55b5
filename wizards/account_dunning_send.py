# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class AccountDunningSend(models.TransientModel):
    """Send reminders now ("Relancer"): one email per customer for the
    invoices selected, previewed and editable before it leaves."""

    _name = "account.dunning.send"
    _description = "Send Reminders"

    line_ids = fields.One2many(
        "account.dunning.send.line",
        "wizard_id",
        string="Customers",
    )
    skipped_ids = fields.One2many(
        "account.dunning.send.skipped",
        "wizard_id",
        string="Skipped Invoices",
        readonly=True,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Sent")],
        default="draft",
        required=True,
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            moves = self.env["account.move"].browse(context["active_ids"])
            moves._check_dunning_access()
            values.update(self._prepare_wizard_vals(moves))
        return values

    def action_send(self):
        """Send the reminders of the customers kept, then tell what
        happened. Invoices paid, paused or reminded by someone else since the
        wizard was opened are left out."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(_("These reminders were already sent."))
        lines = self.line_ids.filtered("to_send")
        if not lines:
            raise UserError(_("No customer is selected: there is nothing to send."))
        moves = lines.move_ids
        moves._check_dunning_access()
        moves._dunning_lock()
        late_reasons = lines._get_late_skip_reasons()
        today = fields.Date.context_today(self)
        Run = self.env["account.dunning.run"]
        vals_list = []
        for (step, template), key_lines in lines.grouped(
            lambda line: (line.step_id, line.template_id)
        ).items():
            groups, edits = [], {}
            for line in key_lines:
                line_moves = line._get_moves_to_send(late_reasons)
                if not line_moves:
                    continue
                groups.append((line.partner_id, line_moves.sudo()))
                if line_moves == line.move_ids:
                    # Edited for these very invoices: sent as edited.
                    edits[line_moves[:1].id] = {"subject": line.subject, "body_html": line.body}
            if groups:
                vals_list += Run._run_step(
                    step.sudo(),
                    groups,
                    today,
                    approved=True,
                    template=template.sudo(),
                    edits=edits,
                )
        events = Run._record_events(vals_list)
        events._supersede_pending()
        self.state = "done"
        return self._notify_sent(events, late_reasons)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _prepare_wizard_vals(self, moves):
        """One line per customer and company, and every invoice that will
        not be reminded with the reason why."""
        reasons = moves._get_dunning_block_reasons()
        line_vals, skipped = [], list(reasons.items())
        candidates = moves.filtered(lambda move: move not in reasons).sorted(
            lambda move: (move.invoice_date_due, move.id)
        )
        for (company, partner), customer_moves in candidates.grouped(
            lambda move: (move.company_id, move.commercial_partner_id)
        ).items():
            step = self._get_default_step(customer_moves)
            reason = self._get_customer_skip_reason(partner, customer_moves, step)
            if reason:
                skipped += [(move, reason) for move in customer_moves]
                continue
            line_vals.append(
                Command.create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "move_ids": [Command.set(customer_moves.ids)],
                        "step_id": step.id,
                        "snapshot": self._get_snapshot(customer_moves),
                    }
                )
            )
        return {
            "line_ids": line_vals,
            "skipped_ids": [
                Command.create(
                    {
                        "move_id": move.id,
                        "partner_id": move.commercial_partner_id.id,
                        "reason": reason,
                    }
                )
                for move, reason in skipped
            ],
        }

    @api.model
    def _get_default_step(self, moves):
        """The email step to send: the first email step from the step the
        customer's most advanced invoice is at today (the step due, else the
        next one), else the last email step of the sequence."""
        today = fields.Date.context_today(self)
        sequence = moves[:1].dunning_sequence_id
        email_steps = sequence.step_ids.filtered(lambda step: step.channel == "email").sorted(
            "offset_days"
        )
        reached = self.env["account.dunning.step"].concat(
            *(move._get_dunning_step_to_send(today) for move in moves)
        )
        if reached:
            furthest = max(reached.mapped("offset_days"))
            ahead = email_steps.filtered(lambda step: step.offset_days >= furthest)
            if ahead:
                return ahead[0]
        return email_steps[-1:]

    @api.model
    def _get_customer_skip_reason(self, partner, moves, step):
        """Why a customer gets no reminder from the wizard, if so."""
        if not step:
            return _("Its dunning sequence has no email step.")
        if not partner._get_reminder_recipients():
            return _("The customer has no email address, nor has any of its invoice contacts.")
        return False

    @api.model
    def _get_snapshot(self, moves):
        """The last dunning event of each invoice, to notice reminders sent
        by someone else while the wizard is open."""
        return json.dumps({str(move.id): max(move.dunning_event_ids.ids or [0]) for move in moves})

    def _notify_sent(self, events, late_reasons):
        sent = events.filtered(lambda event: event.state in ("sent", "queued"))
        failed = events.filtered(lambda event: event.state == "failed")
        message = _(
            "Reminder emails sent: %(customers)s. Invoices reminded: %(invoices)s.",
            customers=len(sent.mail_id),
            invoices=len(sent),
        )
        if failed:
            message += " " + _(
                "Invoices failed: %(count)s, see their dunning history.", count=len(failed)
            )
        skipped = len(self.skipped_ids) + len(late_reasons)
        if skipped:
            message += " " + _("Invoices skipped: %(count)s.", count=skipped)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if failed else "success",
                "message": message,
                "sticky": bool(failed or late_reasons),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
