# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, models
from odoo.exceptions import ValidationError

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
                step.mail_template_id._check_dunning_rendering(step)
            for variant in variants:
                variant.mail_template_id._check_dunning_rendering(variant.step_id)
        return res

    def _check_dunning_rendering(self, step):
        """Refuse, when it is saved, a template the run of ``step`` could not
        render: rendered as the run does, on the latest posted customer
        invoice of the step's company. Without any, there is nothing to
        render it on yet."""
        self.ensure_one()
        # Module data loads before everything it renders is there; the
        # other constraint of the step explains a template of another model.
        if not self.env.registry.ready or self.model != "account.move":
            return
        sample = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", step.company_id.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                ],
                order="id desc",
                limit=1,
            )
        )
        if not sample:
            return
        rendered = (
            self.env["account.dunning.mailer"].sudo()._render([sample], self.sudo())[sample.id]
        )
        if isinstance(rendered, Exception):
            raise ValidationError(
                _(
                    "The email template %(template)s of step %(step)s cannot be rendered: "
                    "%(error)s",
                    template=self.display_name,
                    step=step.display_name,
                    error=self.env["account.dunning.event"]._get_failure_reason(rendered),
                )
            )
