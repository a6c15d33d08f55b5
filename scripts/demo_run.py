# Run by scripts/run-demo.sh in "odoo shell": the administrator in English and
# two customers in French, one dunning run, its emails sent to the local
# mailbox, and a summary.
# ruff: noqa: F821 - "env" is given by odoo shell

import os
import time
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields

# Where the local SMTP server of scripts/run-demo.sh delivers the emails, and
# how long to wait for them.
MAILDIR = os.environ["MAILDIR"]
MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "120"))

# The administrator works in English; the company's notes and tasks are in
# French, its language; the customers in French or English (demo data).
env.ref("base.user_admin").partner_id.lang = "en_US"
env.ref("base.main_company").partner_id.lang = "fr_FR"
env = env(context=dict(env.context, lang="en_US"))
today = fields.Date.context_today(env.user)


def history_invoice(customer, issued, amount, label):
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_date": issued,
            "invoice_date_due": issued + timedelta(days=30),
            "invoice_line_ids": [
                Command.create({"name": label, "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }
    )
    invoice.action_post()
    return invoice


def history_event(invoice, step, day, **values):
    Event = env["account.dunning.event"].sudo()
    Event.create(Event._prepare_event_vals(invoice, step, "sent", day, **values))


def maildir_count():
    return sum(len(os.listdir(os.path.join(MAILDIR, box))) for box in ("new", "cur"))


def wait_for_delivery(mails, received_before):
    """Wait until the server's mail queue, which the runs triggered, has
    handed ``mails`` to the local SMTP server and their messages are in the
    Maildir, MAIL_TIMEOUT seconds at most.

    :param received_before: the messages in the Maildir before any was sent
    :return: what happened, in words
    """
    deadline = time.monotonic() + MAIL_TIMEOUT
    while True:
        # A new transaction, to see what the server's queue committed.
        env.cr.commit()
        # A sent email may be deleted (auto_delete): those left wait or failed.
        left = mails.exists()
        left.invalidate_recordset(["state"])
        waiting = left.filtered(lambda mail: mail.state == "outgoing")
        failed = left.filtered(lambda mail: mail.state in ("exception", "cancel"))
        sent = len(mails) - len(waiting) - len(failed)
        received = maildir_count() - received_before
        # One message per recipient at least.
        if (not waiting and received >= sent) or time.monotonic() >= deadline:
            break
        time.sleep(2)
    report = [f"{sent} of {len(mails)} sent, {received} messages in the Maildir {MAILDIR}"]
    if waiting:
        report.append(f"{len(waiting)} still in the mail queue after {MAIL_TIMEOUT} s")
    if failed:
        report.append(f"{len(failed)} failed: " + "; ".join(failed.mapped("failure_reason")))
    if received < sent:
        report.append("the SMTP server did not deliver them all")
    return "; ".join(report)


def pay(invoice, day):
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoice.ids
    ).create({"payment_date": day})._create_payments()


# A year of invoices paid, some late after a reminder, a call with a promise
# kept, one with a promise broken and a dispute settled: the dunning KPIs
# have months to show.
customers = [
    env.ref(f"account_dunning.demo_partner_{name}")
    for name in ("bistrot", "atelier", "boulangerie", "garage", "hotel", "cafe")
]
reminder1 = env.ref("account_dunning.dunning_step_reminder1")
reminder2 = env.ref("account_dunning.dunning_step_reminder2")
call = env.ref("account_dunning.dunning_step_reminder3")
for months_ago in range(11, 1, -1):
    for index, customer in enumerate(customers):
        issued = today.replace(day=1) - relativedelta(months=months_ago) + timedelta(days=index * 4)
        invoice = history_invoice(
            customer, issued, 400 + 150 * index + 40 * months_ago, "Monthly maintenance"
        )
        due = invoice.invoice_date_due
        days_late = (index * 7 + months_ago * 5) % 33 - 6
        if days_late > 0:
            history_event(invoice, reminder1, due + timedelta(days=1))
        if days_late > 14:
            history_event(invoice, reminder2, due + timedelta(days=14))
        if index == 0 and months_ago in (3, 2):
            # A promise by due + 20: kept 3 months ago, broken 2 months ago.
            history_event(
                invoice,
                call,
                due + timedelta(days=10),
                call_outcome="promise",
                promise_date=due + timedelta(days=20),
            )
            days_late = 18 if months_ago == 3 else 27
        if index == 1 and months_ago == 4:
            history_event(invoice, call, due + timedelta(days=5), call_outcome="dispute")
            history_event(invoice, call, due + timedelta(days=20), call_outcome="reached")
            days_late = 22
        pay(invoice, due + timedelta(days=days_late))
        thank_you = invoice.dunning_sequence_id.paid_step_id
        if days_late > 0 and thank_you:
            # Thanked when paid, as the run does: no thank-you email today.
            Event = env["account.dunning.event"].sudo()
            Event.create(
                Event._prepare_event_vals(
                    invoice, thank_you, "sent", due + timedelta(days=days_late)
                )
            )

# One customer was already reminded before today: its invoice shows a history.
history = env.ref("account_dunning.demo_invoice_with_history")
history._dunning_write({"dunning_start_date": False})
for offset in (-8, 1):
    run_day = history.invoice_date_due + timedelta(days=offset)
    env["account.dunning.run"]._run_moves(history, run_day)
# Each commit below lets the server's mail queue send what it queued: the
# emails are listed before it, the Maildir counted before the first.
received_before = maildir_count()
queued = env["mail.mail"].search([("state", "=", "outgoing")])
env.cr.commit()
env.ref("account_dunning.ir_cron_run_dunning").method_direct_trigger()
queued |= env["mail.mail"].search([("state", "=", "outgoing")])
env.cr.commit()
delivery = wait_for_delivery(queued, received_before)
env["account.dunning.kpi"]._refresh_kpis(env.ref("base.main_company"))
# The nightly payment behaviour, over the year of history made above.
env.ref("account_dunning.ir_cron_dunning_rules").method_direct_trigger()
# A French accountant with the Dunning User rights (login and password: claire).
if not env["res.users"].search([("login", "=", "claire")]):
    env["res.users"].create(
        {
            "name": "Claire Comptable",
            "login": "claire",
            "password": "claire",
            "lang": "fr_FR",
            "tz": "Europe/Paris",
            "email": "claire@atelier-lumiere.example.com",
            "groups_id": [
                Command.set(
                    [
                        env.ref("account.group_account_invoice").id,
                        env.ref("account_dunning.group_account_dunning_user").id,
                    ]
                )
            ],
        }
    )
env.cr.commit()

events = env["account.dunning.event"].search([("date", "=", today)], order="partner_id, id")
print(f"\nDunning run of {today}: {len(events)} events")
for event in events:
    print(
        f"  {event.partner_id.name:<22} {event.move_id.name:<16} "
        f"{event.step_id.name or event.event_type:<24} {event.state:<8} {event.note or ''}"
    )
print(f"\nEmails: {delivery}.")
