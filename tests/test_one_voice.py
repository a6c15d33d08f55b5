# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One customer, one voice: a single collection status per customer that
every consumer reads, one message per customer and day, and no action
contradicting an answer of the customer."""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import RedirectWarning
from odoo.tests import Form, freeze_time, tagged

from .common import TODAY, DunningCase


def day(offset):
    return TODAY + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestOneVoice(DunningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["account.dunning.run"]
        cls.Page = cls.env["account.dunning.portal"]
        cls.Move = cls.env["account.move"]

    def workspace(self, partner=None):
        with freeze_time(TODAY):
            return self.env["account.dunning.customer"].search(
                [("partner_id", "=", (partner or self.customer).id)]
            )

    def reminders(self, moves, when=TODAY):
        return self.events(moves).filtered(
            lambda event: event.event_type == "reminder" and event.date == when
        )

    # One message per customer and day ---------------------------------

    def test_two_steps_due_the_same_day_give_one_email(self):
        # Reminder 2 due for one invoice, reminder 1 for another: one
        # email in the tone of the second reminder, listing both.
        late = self.create_invoice(due=day(-14), amount=700)
        recent = self.create_invoice(due=day(-1), amount=300)
        self.run_dunning()
        mails = self.mails(self.customer)
        self.assertEqual(len(mails), 1, "one email for the customer today")
        self.assertEqual(self.reminders(late).step_id, self.step_reminder2)
        self.assertEqual(self.reminders(recent).step_id, self.step_reminder1)
        self.assertEqual(self.reminders(late | recent).mail_id, mails)
        body = str(mails.body_html)
        self.assertIn(late.name, body)
        self.assertIn(recent.name, body)
        self.assertIn("Days Overdue", body)
        self.assertIn(">14<", body.replace(" ", ""), "each invoice with its own days overdue")
        self.assertEqual(
            mails.subject, self.template_reminder2._render_field("subject", late.ids)[late.id]
        )
        self.assertEqual(late.dunning_step_id, self.step_reminder2)
        self.assertEqual(recent.dunning_step_id, self.step_reminder1)

    def test_a_notice_due_the_same_day_is_folded_in_as_also_coming_due(self):
        overdue = self.create_invoice(due=day(-1), amount=500)
        coming = self.create_invoice(due=day(8), amount=200)
        self.run_dunning()
        mails = self.mails(self.customer)
        self.assertEqual(len(mails), 1)
        self.assertEqual(self.reminders(overdue).step_id, self.step_reminder1)
        self.assertEqual(self.reminders(coming).step_id, self.step_notice)
        body = str(mails.mail_message_id.body)
        self.assertIn("Also coming due", body)
        table, block = body.split("Also coming due")
        self.assertIn(overdue.name, table)
        self.assertNotIn(coming.name, table, "not among the overdue invoices")
        self.assertIn(coming.name, block)

    def test_a_template_preview_shows_the_email_the_run_sends(self):
        # Odoo's Preview renders the template on one invoice: it lists what
        # the run's email for that invoice lists, the customer's other
        # invoices and their total included, the notice left to its block.
        late = self.create_invoice(due=day(-14), amount=700)
        recent = self.create_invoice(due=day(-1), amount=300)
        coming = self.create_invoice(due=day(8), amount=200)
        other = self.create_invoice(due=day(-1), amount=50, partner=self.customer_b)
        with freeze_time(TODAY):
            preview = self.env["mail.template.preview"].create(
                {
                    "mail_template_id": self.template_reminder2.id,
                    "resource_ref": f"account.move,{late.id}",
                }
            )
            previewed = str(preview.body_html)
        self.assertFalse(preview.error_msg)
        for move in late | recent:
            self.assertIn(move.name, previewed)
        self.assertNotIn(coming.name, previewed, "the notice has its own block")
        self.assertNotIn(other.name, previewed, "another customer's invoice")
        self.assertIn("1,000.00", previewed, "the total of the two overdue invoices")
        self.run_dunning()
        # The stored message is sanitized, hence serialized anew (attributes,
        # entities): the preview is compared sanitized the same way.
        Message = self.env["mail.message"]
        expected = Message._fields["body"].convert_to_cache(previewed, Message).strip()
        sent = str(self.mails(self.customer).mail_message_id.body)
        self.assertIn(expected, sent, "the run sends the body the preview showed")

    def test_calls_and_letters_are_one_per_customer(self):
        self.sequence.step_ids.filtered(lambda step: step.offset_days == 14).write(
            {"channel": "letter", "mail_template_id": False}
        )
        self.sequence.write(
            {
                "step_ids": [
                    Command.create({"name": "Letter 2", "offset_days": 20, "channel": "letter"}),
                    Command.create({"name": "Call 2", "offset_days": 45, "channel": "phone"}),
                ]
            }
        )
        first_call = self.create_invoice(due=day(-30))
        second_call = self.create_invoice(due=day(-45))
        first_letter = self.create_invoice(partner=self.customer_b, due=day(-14))
        second_letter = self.create_invoice(partner=self.customer_b, due=day(-20))
        self.run_dunning()
        calls = self.reminders(first_call | second_call)
        self.assertEqual(len(calls.activity_id), 1, "one call listing both invoices")
        self.assertIn(first_call.name, str(calls.activity_id.note))
        self.assertIn(second_call.name, str(calls.activity_id.note))
        self.assertEqual(calls.step_id.mapped("name"), ["Call 2", "Call"])
        letters = self.reminders(first_letter | second_letter)
        self.assertEqual(len(letters.attachment_id), 1, "one letter for both invoices")
        self.assertEqual(set(letters.step_id.mapped("name")), {"Reminder 2", "Letter 2"})

    def test_one_message_per_step_when_the_company_wants_it(self):
        self.company.dunning_one_message_per_step = True
        self.create_invoice(due=day(-14))
        self.create_invoice(due=day(-1))
        self.run_dunning()
        self.assertEqual(len(self.mails(self.customer)), 2)

    def test_the_run_sends_nothing_more_to_a_customer_reminded_today(self):
        reminded = self.create_invoice(due=day(-1))
        other = self.create_invoice(due=day(-14))
        # A person reminded the customer of one invoice this morning.
        with freeze_time(TODAY):
            reminded.action_dunning_send_now()
        self.run_dunning()
        self.assertFalse(self.reminders(other), "the customer had its message today")
        self.assertEqual(len(self.mails(self.customer)), 1)
        self.run_dunning(day(1))
        self.assertEqual(self.reminders(other, day(1)).step_id, self.step_reminder2)

    def test_send_next_reminder_asks_before_a_second_message_the_same_day(self):
        first = self.create_invoice(due=day(-1))
        second = self.create_invoice(due=day(-2))
        self.run_dunning()
        self.assertTrue(self.reminders(first | second))
        third = self.create_invoice(due=day(-3))
        with freeze_time(TODAY), self.assertRaises(RedirectWarning) as warning:
            third.action_dunning_send_now()
        self.assertIn("already reminded today", warning.exception.args[0])
        self.assertFalse(self.reminders(third))

    def test_send_reminders_proposes_one_email_per_customer(self):
        late = self.create_invoice(due=day(-14))
        recent = self.create_invoice(due=day(-1))
        coming = self.create_invoice(due=day(3))
        with freeze_time(TODAY):
            action = (late | recent | coming).action_open_dunning_send_wizard()
            wizard = Form(self.env["account.dunning.send"].with_context(**action["context"]))
            wizard = wizard.save()
            self.assertEqual(len(wizard.line_ids), 1)
            self.assertEqual(wizard.line_ids.step_id, self.step_reminder2)
            self.assertIn("Also coming due", str(wizard.line_ids.body))
            wizard.action_send()
        self.assertEqual(len(self.mails(self.customer)), 1)
        self.assertEqual(self.reminders(late).step_id, self.step_reminder2)
        self.assertEqual(self.reminders(recent).step_id, self.step_reminder1)
        self.assertEqual(self.reminders(coming).step_id, self.step_notice)

    def test_send_reminders_never_proposes_a_step_before_one_waiting(self):
        # Boulangerie Lefèvre: its formal notice waits to be printed.
        self.step_call.write({"channel": "formal_notice"})
        waiting = self.create_invoice(due=day(-30))
        self.run_dunning()
        self.assertEqual(self.events(waiting).state, "pending")
        with freeze_time(TODAY):
            action = waiting.action_open_dunning_send_wizard()
            wizard = Form(self.env["account.dunning.send"].with_context(**action["context"])).save()
        self.assertFalse(wizard.line_ids, "reminder 2 is not proposed")
        self.assertIn("waiting for approval or printing", wizard.skipped_ids.reason)

    # One status, read by everything -----------------------------------

    def create_instalments_invoice(self):
        """Half due 20 days ago, half in 10 days."""
        term = self.env["account.payment.term"].create(
            {
                "name": "Two instalments",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 10}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 40}),
                ],
            }
        )
        with freeze_time(day(-30)):
            move = self.Move.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": day(-30),
                    "invoice_payment_term_id": term.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Works", "quantity": 1, "price_unit": 900, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
        return move

    def test_answers_show_as_the_customers_status(self):
        # A promise and a dispute from the customer's page: the workspace
        # and the invoices say so, not that an action is needed.
        promised = self.create_invoice(due=day(-3))
        disputed = self.create_invoice(due=day(-3))
        reason = self.env.ref("account_dunning.dispute_reason_amount")
        with freeze_time(TODAY):
            self.Page._answer_promise(self.customer, self.company, promised, str(day(10)))
            self.Page._answer_dispute(self.customer, self.company, disputed, reason.id, "Wrong")
        self.assertEqual(promised.dunning_status, "promise")
        self.assertEqual(promised.dunning_status_until, day(10))
        self.assertEqual(disputed.dunning_status, "dispute")
        line = self.workspace()
        self.assertEqual(line.status, "promise")
        self.assertEqual(line.status_until, day(10))
        self.assertEqual(self.customer.dunning_collection_status, "promise")
        self.assertIn(
            self.customer,
            self.env["res.partner"].search([("dunning_collection_status", "=", "promise")]),
        )

    def test_status_is_stored_and_searchable(self):
        field = self.Move._fields["dunning_status"]
        self.assertTrue(field.store)
        self.assertTrue(field.index)
        invoice = self.create_invoice(due=day(5))
        self.assertEqual(invoice.dunning_status, "on_track")
        self.assertIn(invoice, self.Move.search([("dunning_status", "=", "on_track")]))
        self.pay(invoice)
        self.assertEqual(invoice.dunning_status, "settled")
        self.assertEqual(self.customer_b.dunning_collection_status, "settled")

    def test_every_consumer_agrees_on_a_mixed_book(self):
        eur = self.setup_other_currency("EUR", rates=[(TODAY - timedelta(days=400), 2.0)])
        book = {
            "partial": self.create_invoice(due=day(-1), amount=1000),
            "credited": self.create_invoice(due=day(-3), amount=400),
            "instalments": self.create_instalments_invoice(),
            "foreign": self.create_invoice(due=day(-14), amount=500, currency=eur),
            "disputed": self.create_invoice(partner=self.customer_b, due=day(-14)),
            "paused": self.create_invoice(partner=self.customer_b, due=day(-1)),
            "paid": self.create_invoice(partner=self.customer_b, due=day(-5)),
            "coming": self.create_invoice(partner=self.customer_b, due=day(20)),
        }
        self.pay(book["partial"], amount=250, day=day(-2))
        refund = book["credited"]._reverse_moves([{"invoice_date": day(-2)}])
        refund.action_post()
        self.pay(book["paid"])
        reason = self.env.ref("account_dunning.dispute_reason_quality")
        book["disputed"]._dunning_write({"dunning_dispute_reason_id": reason.id})
        with freeze_time(TODAY):
            book["paused"].action_dunning_pause(until=day(10))
        moves = self.Move.concat(*book.values())
        with freeze_time(TODAY):
            remindable = self.Move.search(
                [("id", "in", moves.ids), ("dunning_remindable", "=", True)]
            )
            self.assertEqual(remindable, moves.filtered("dunning_remindable"))
            self.assertEqual(remindable, moves._dunning_filter_open())
            self.assertEqual(
                set(remindable.mapped(lambda move: next(k for k, v in book.items() if v == move))),
                {"partial", "instalments", "foreign", "disputed", "paused", "coming"},
            )
            paid = self.Move.search([("id", "in", moves.ids), ("dunning_paid", "=", True)])
            self.assertEqual(paid, moves.filtered("dunning_paid"))
            self.assertEqual(paid, book["paid"])
            overdue = self.Move.search([("id", "in", moves.ids), ("dunning_overdue", "=", True)])
            self.assertEqual(overdue, moves.filtered("dunning_overdue"))
            self.assertNotIn(book["coming"], overdue)
            due = self.Move.search([("id", "in", moves.ids), ("dunning_due_today", "=", True)])
            self.assertEqual(due, moves.filtered("dunning_due_today"))
            query = self.Run._get_due_moves_query(self.company, TODAY)
            self.assertEqual(self.Move.search([("id", "in", query)]) & moves, due)
            # The customer's page shows exactly the remindable invoices.
            for partner in (self.customer, self.customer_b):
                self.assertEqual(
                    self.Page._get_customer_page_moves(partner, self.company),
                    remindable.filtered(lambda move, p=partner: move.commercial_partner_id == p),
                )
            # The workspace counts and sums them.
            for partner in (self.customer, self.customer_b):
                line = self.workspace(partner)
                mine = remindable.filtered(lambda move, p=partner: move.commercial_partner_id == p)
                self.assertEqual(line.invoice_count, len(mine))
                self.assertAlmostEqual(
                    line.amount_overdue,
                    sum((mine & overdue).mapped("amount_residual_signed")),
                )
            # One status, from invoices to customers.
            self.assertEqual(book["disputed"].dunning_status, "dispute")
            self.assertEqual(book["paused"].dunning_status, "paused")
            self.assertEqual(book["paid"].dunning_status, "settled")
            self.assertEqual(self.workspace(self.customer_b).status, "dispute")
            self.assertEqual(self.customer_b.dunning_collection_status, "dispute")
        # The run reminds the invoices due today and no other.
        self.run_dunning()
        self.assertEqual(
            self.events(moves).filtered(lambda event: event.event_type == "reminder").move_id, due
        )

    # No contradictory action ------------------------------------------

    def test_an_answer_stops_every_escalation(self):
        invoice = self.create_invoice(due=day(-1))
        with freeze_time(TODAY):
            self.Page._answer_promise(self.customer, self.company, invoice, str(day(20)))
        self.run_dunning(day(13))
        self.assertFalse(self.reminders(invoice, day(13)), "no reminder 2 while promised")
        self.assertEqual(invoice.dunning_status, "promise")
        self.run_dunning(day(21))
        self.assertEqual(self.reminders(invoice, day(21)).step_id, self.step_reminder2)

    def test_a_letter_waiting_is_not_printed_after_the_customer_says_it_paid(self):
        self.step_call.write({"channel": "formal_notice"})
        invoice = self.create_invoice(due=day(-30))
        self.run_dunning()
        letter = self.events(invoice)
        self.assertEqual(letter.state, "pending")
        with freeze_time(TODAY):
            self.Page._answer_paid(self.customer, self.company, invoice, str(TODAY), "1000", "VIR")
            result = letter.action_print_letters()
        self.assertIn("No letter is printed", result["params"]["message"])
        self.assertIn("already paid", result["params"]["message"])
        self.assertEqual(letter.state, "pending", "still waiting, for after the hold")
        self.assertIn("Not sent on", letter.note)
        self.assertEqual(invoice.dunning_status, "probably_paid")

    def test_an_approval_waiting_is_not_sent_after_a_promise(self):
        self.step_reminder1.auto = False
        invoice = self.create_invoice(due=day(-1))
        self.run_dunning()
        waiting = self.events(invoice)
        self.assertEqual(invoice.dunning_status, "approval")
        with freeze_time(TODAY):
            self.Page._answer_promise(self.customer, self.company, invoice, str(day(9)))
            result = waiting.action_approve()
        self.assertEqual(waiting.state, "pending")
        self.assertFalse(self.mails(self.customer))
        self.assertIn("promised to pay", result["params"]["message"])
        self.assertIn("promised to pay", waiting.note)

    def test_a_letter_of_an_invoice_paid_since_is_dropped(self):
        self.step_call.write({"channel": "letter"})
        paid = self.create_invoice(due=day(-30))
        self.create_invoice(partner=self.customer_b, due=day(-30))
        self.run_dunning()
        letters = self.env["account.dunning.event"].search(
            [("state", "=", "pending"), ("attachment_id", "!=", False)]
        )
        self.pay(paid)
        with freeze_time(TODAY):
            result = letters.action_print_letters()
        self.assertIn("Not printed", result["params"]["message"])
        self.assertEqual(letters.filtered(lambda e: e.move_id == paid).state, "skipped")
        printed = letters.filtered(lambda e: e.move_id != paid)
        self.assertEqual(printed.state, "sent")
        self.assertTrue(printed.sent_at, "when it was printed")
        self.assertIn("Printed by", printed.note)

    def test_a_dispute_told_on_the_phone_takes_the_invoice_out(self):
        invoice = self.create_invoice(due=day(-30))
        self.run_dunning()
        activity = self.events(invoice).activity_id
        activity.dunning_call_outcome = "dispute"
        with freeze_time(TODAY):
            activity.action_feedback(feedback="Goods damaged")
        self.assertEqual(invoice.dunning_status, "dispute")
        self.assertTrue(invoice.dunning_dispute_reason_id)

    def test_a_plan_email_and_a_thank_you_wait_for_a_day_without_reminder(self):
        # The customer's plan announces an instalment and it paid a reminded
        # invoice, the day another invoice is due for reminder 1.
        self.add_thank_you_step()
        planned = self.create_invoice(due=day(-10), amount=600)
        with freeze_time(TODAY):
            plan = self.env["account.dunning.plan"].create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(planned.ids)],
                    "line_ids": [
                        Command.create({"date": day(3), "amount": 300}),
                        Command.create({"date": day(33), "amount": 300}),
                    ],
                }
            )
            plan.action_confirm()
        thanked = self.create_invoice(due=day(-20))
        self.run_dunning(day(-6))
        self.assertTrue(self.reminders(thanked, day(-6)))
        self.pay(thanked, day=day(-1))
        reminded = self.create_invoice(due=day(-1))
        self.run_dunning()
        today = self.events(planned | thanked | reminded).filtered(
            lambda event: event.date == TODAY and event.state in ("sent", "queued")
        )
        self.assertEqual(today.move_id, reminded, "one message today: the reminder")
        # Then one a day: the plan's notice, then the thanks.
        for offset, event_type in ((1, "plan"), (2, "thank_you")):
            self.run_dunning(day(offset))
            events = self.events(planned | thanked | reminded).filtered(
                lambda event, offset=offset: event.date == day(offset)
            )
            self.assertEqual(events.mapped("event_type"), [event_type])
