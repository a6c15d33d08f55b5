# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

# The fields of a template the run renders for a reminder.
RENDERED_FIELDS = {"subject", "body_html"}


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def write(self, vals):
        res = super().write(vals)
        if RENDERED_FIELDS & set(vals):
            steps = (
                self.env["account.dunning.step"]
                .sudo()
                .search([("mail_template_id", "in", self.ids)])
            )
            variants = (
                self.env["account.dunning.step.variant"]
                .sudo()
                .with_context(active_test=False)
                .search([("mail_template_id", "in", self.ids)])
            )
            for step in steps:
                step._check_template_renders(step.mail_template_id)
            for variant in variants:
                variant.step_id._check_template_renders(variant.mail_template_id)
        return res
