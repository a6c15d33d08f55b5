# Run by scripts/run-demo.sh in "odoo shell": the administrator in English and
# two customers in French, one dunning run, its emails sent to the local
# mailbox, and a summary.
# ruff: noqa: F821 - "env" is given by odoo shell

from datetime import timedelta

from odoo import fields

(env.ref("base.user_admin").partner_id | env.ref("base.main_company").partner_id).lang = "en_US"
for xmlid in ("account_dunning.demo_partner_boulangerie", "account_dunning.demo_partner_garage"):
    env.ref(xmlid).lang = "fr_FR"
env = env(context=dict(env.context, lang="en_US"))
# One customer was already reminded before today: its invoice shows a history.
today = fields.Date.context_today(env.user)
history = env.ref("account_dunning.demo_invoice_with_history")
history._dunning_write({"dunning_start_date": False})
for offset in (-8, 1):
    run_day = history.invoice_date_due + timedelta(days=offset)
    env["account.dunning.run"]._run_moves(history, run_day)
env.ref("account_dunning.ir_cron_run_dunning").method_direct_trigger()
env.cr.commit()
env["mail.mail"].process_email_queue()
env.cr.commit()

events = env["account.dunning.event"].search([("date", "=", today)], order="partner_id, id")
print(f"\nDunning run of {today}: {len(events)} events")
for event in events:
    print(
        f"  {event.partner_id.name:<22} {event.move_id.name:<16} "
        f"{event.step_id.name:<24} {event.state:<8} {event.note or ''}"
    )
