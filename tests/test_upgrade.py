# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The helpers of the migration scripts. The upgrades themselves, from
earlier releases installed from git history, are tested by
scripts/test-upgrade.sh."""

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged

from odoo.addons.account_dunning.migrations import helpers

VERSION = get_manifest("account_dunning")["version"]
LOGGER = "odoo.addons.account_dunning.migrations.helpers"


@tagged("post_install", "-at_install")
class TestUpgradeHelpers(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["account_dunning"], ["fr_FR"])
        cls.templates = helpers.module_templates(cls.env)
        cls.reminder = cls.env.ref("account_dunning.mail_template_dunning_reminder1")

    def test_the_templates_of_this_version_are_recorded(self):
        # A template changed in data/ without its fingerprints recorded
        # would never reach existing databases: its migration could not
        # tell it from a template a partner edited.
        shipped = helpers.load_shipped_templates()
        self.assertIn("account_dunning.mail_template_dunning_reminder1", self.templates)
        self.assertIn("account_dunning.sms_template_dunning_reminder", self.templates)
        for xmlid, template in self.templates.items():
            for code, fingerprint in helpers.template_fingerprints(template).items():
                recorded = shipped.get(xmlid, {}).get(helpers._lang_key(code), {})
                self.assertIn(
                    VERSION,
                    recorded.get(fingerprint, []),
                    f"{xmlid} ({code}) changed: record it with scripts/template-fingerprints.sh "
                    f"and update it in a migration script of {VERSION}.",
                )

    def test_a_template_of_this_version_is_not_touched(self):
        body = self.reminder.body_html
        with self.assertNoLogs(LOGGER, "WARNING"):
            helpers.update_templates(
                self.env, ["account_dunning.mail_template_dunning_reminder1"], VERSION
            )
        self.assertEqual(self.reminder.body_html, body)

    def test_a_shipped_template_is_brought_to_this_version_in_each_language(self):
        xmlid = "account_dunning.mail_template_dunning_reminder1"
        french_body = self.reminder.with_context(lang="fr_FR").body_html
        self.reminder.with_context(lang="fr_FR").subject = "Ancienne relance"
        self.reminder.write({"subject": "Old reminder", "body_html": "<p>Old version</p>"})
        # The version just made stands for one shipped by an earlier release.
        old = helpers.template_fingerprints(self.reminder)
        shipped = {
            xmlid: {
                helpers._lang_key(code): {fingerprint: ["18.0.1.0.0"]}
                for code, fingerprint in old.items()
            }
        }
        helpers.update_templates(self.env, [xmlid], VERSION, shipped=shipped)
        self.assertIn("invoice.dunning_date_due", self.reminder.body_html)
        self.assertNotEqual(self.reminder.subject, "Old reminder")
        french = self.reminder.with_context(lang="fr_FR")
        self.assertEqual(french.body_html, french_body)
        self.assertIn("relance", french.subject.lower())
        self.assertNotEqual(french.subject, "Ancienne relance")

    def test_an_edited_template_is_left_and_named_in_the_log(self):
        xmlid = "account_dunning.mail_template_dunning_reminder1"
        self.reminder.body_html = "<p>Our own words</p>"
        with self.assertLogs(LOGGER, "WARNING") as logs:
            helpers.update_templates(self.env, [xmlid], VERSION)
        self.assertIn("Our own words", self.reminder.body_html)
        self.assertIn(xmlid, logs.output[0])
        self.assertIn("left as is", logs.output[0])

    def test_a_template_translated_by_a_partner_is_left(self):
        xmlid = "account_dunning.mail_template_dunning_reminder1"
        self.reminder.with_context(lang="fr_FR").subject = "Notre propre objet"
        with self.assertLogs(LOGGER, "WARNING"):
            helpers.update_templates(self.env, [xmlid], "18.0.99.0.0")
        self.assertEqual(self.reminder.with_context(lang="fr_FR").subject, "Notre propre objet")

    def test_a_cron_calling_a_moved_method_is_repaired_and_active_again(self):
        # 18.0.1.1.0 moved the daily run; Odoo deactivates a job that fails
        # at every run.
        cron = self.env.ref("account_dunning.ir_cron_run_dunning")
        cron.write(
            {
                "model_id": self.env["ir.model"]._get_id("account.dunning.sequence"),
                "active": False,
            }
        )
        with self.assertLogs(LOGGER, "WARNING"):
            helpers.repair_cron(
                self.env,
                "account_dunning.ir_cron_run_dunning",
                shipped=[("account.dunning.sequence", "model._cron_run_dunning()")],
                current=("account.dunning.run", "model._cron_run_dunning()"),
            )
        self.assertEqual(cron.model_id.model, "account.dunning.run")
        self.assertTrue(cron.active)
        self.assertTrue(hasattr(self.env[cron.model_id.model], "_cron_run_dunning"))

    def test_a_cron_changed_by_a_partner_is_left(self):
        cron = self.env.ref("account_dunning.ir_cron_run_dunning")
        cron.code = "model._cron_run_dunning(batch_size=50)"
        with self.assertLogs(LOGGER, "WARNING") as logs:
            helpers.repair_cron(
                self.env,
                "account_dunning.ir_cron_run_dunning",
                shipped=[("account.dunning.sequence", "model._cron_run_dunning()")],
                current=("account.dunning.run", "model._cron_run_dunning()"),
            )
        self.assertEqual(cron.code, "model._cron_run_dunning(batch_size=50)")
        self.assertIn("left as is", logs.output[0])

    def test_a_sequence_that_thanked_gets_its_thank_you_step(self):
        # Before 18.0.1.6.0 the sequence had the template in a column of its
        # own, still there when the migration runs.
        self.env.cr.execute(
            "ALTER TABLE account_dunning_sequence ADD COLUMN thank_you_template_id int"
        )
        template = self.env.ref("account_dunning.mail_template_dunning_thank_you").copy()
        # Sequences as an earlier release made them: steps of their own only.
        Sequence = self.env["account.dunning.sequence"].with_context(install_mode=True)
        thanking = Sequence.create({"name": "Thanking", "is_default": False})
        silent = Sequence.create({"name": "Silent", "is_default": False})
        self.env.cr.execute(
            "UPDATE account_dunning_sequence SET thank_you_template_id = %s WHERE id = %s",
            (template.id, thanking.id),
        )
        helpers.create_thank_you_steps(self.env, "Thank You")
        step = thanking.paid_step_id
        self.assertEqual(step.trigger, "paid")
        self.assertEqual(step.mail_template_id, template)
        self.assertEqual(step.name, "Thank You")
        self.assertEqual(
            step.with_context(lang="fr_FR").name,
            self.env.ref("account_dunning.dunning_step_thank_you").with_context(lang="fr_FR").name,
            "named as the shipped step",
        )
        self.assertNotEqual(step.with_context(lang="fr_FR").name, "Thank You")
        self.assertFalse(thanking.reminder_step_ids)
        self.assertFalse(silent.step_ids)
        # Run again, nothing more.
        helpers.create_thank_you_steps(self.env, "Thank You")
        self.assertEqual(len(thanking.step_ids), 1)

    def test_each_sequence_gets_the_steps_of_its_plans_messages(self):
        Sequence = self.env["account.dunning.sequence"].with_context(install_mode=True)
        bare = Sequence.create({"name": "Bare", "is_default": False})
        custom = Sequence.create({"name": "Custom", "is_default": False})
        own = self.env.ref("account_dunning.mail_template_dunning_plan_notice").copy()
        mine = self.env["account.dunning.step"].create(
            {
                "sequence_id": custom.id,
                "name": "My notice",
                "trigger": "plan_instalment",
                "mail_template_id": own.id,
            }
        )
        for _run in range(2):  # idempotent
            helpers.create_trigger_steps(
                self.env,
                "plan_instalment",
                "Instalment Notice",
                "account_dunning.mail_template_dunning_plan_notice",
                "account_dunning.dunning_step_plan_notice",
            )
        step = bare._get_trigger_step("plan_instalment")
        self.assertEqual(len(bare.step_ids), 1)
        self.assertEqual(
            step.mail_template_id,
            self.env.ref("account_dunning.mail_template_dunning_plan_notice"),
        )
        self.assertEqual(step.name, "Instalment Notice")
        self.assertEqual(
            step.with_context(lang="fr_FR").name,
            self.env.ref("account_dunning.dunning_step_plan_notice")
            .with_context(lang="fr_FR")
            .name,
            "named as the shipped step",
        )
        self.assertNotEqual(step.with_context(lang="fr_FR").name, "Instalment Notice")
        self.assertEqual(custom.step_ids, mine, "its own step is left")

    def test_no_thank_you_column_no_thank_you_step(self):
        before = self.env["account.dunning.step"].search_count([])
        helpers.create_thank_you_steps(self.env, "Thank You")
        self.assertEqual(self.env["account.dunning.step"].search_count([]), before)
