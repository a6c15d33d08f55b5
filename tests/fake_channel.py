# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A channel as another module would add it: a value of the step's channel
and one method, plus the check of its own steps. Loaded by the tests only."""

from odoo import api, fields, models


class AccountDunningStep(models.Model):
    _inherit = "account.dunning.step"

    channel = fields.Selection(selection_add=[("fax", "Fax")], ondelete={"fax": "cascade"})


class AccountDunningRun(models.AbstractModel):
    _inherit = "account.dunning.run"

    @api.model
    def _get_step_problems(self, step):
        problems = super()._get_step_problems(step)
        if step.channel == "fax" and not step.mail_template_id:
            problems.append(f"The fax step {step.name} needs a cover page template.")
        return problems

    def _send_by_fax(self, step, groups, today, **options):
        """One fax per customer, to its phone number; a customer without one
        fails, visibly, like any reminder."""
        Event = self.env["account.dunning.event"]
        vals_list, failures = [], []
        for partner, moves in groups:
            if not partner.phone:
                failures.append((partner, moves, f"{partner.name} has no fax number."))
                continue
            moves[:1]._message_log(body=f"Faxed {step.name} to {partner.phone}.")
            vals_list += [
                Event._prepare_event_vals(
                    move, step, "sent", today, note=f"Faxed to {partner.phone}."
                )
                for move in moves
            ]
        return vals_list + Event._prepare_failure_vals(step, failures, today)
