/** @odoo-module */
// Copyright 2026 Account Dunning Developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {registry} from "@web/core/registry";

function inDays(days) {
    const date = new Date();
    date.setDate(date.getDate() + days);
    return date.toISOString().slice(0, 10);
}

// The customer's path from the link of a reminder, without login: it
// disputes one invoice, then promises to pay the other. The Python test that
// starts it checks what was recorded.
registry.category("web_tour.tours").add("account_dunning_customer_tour", {
    steps: () => [
        {
            content: "The page lists the open invoices",
            trigger: ".o_dunning_invoices tbody tr:nth-child(2)",
        },
        {
            content: "Dispute the first invoice",
            trigger: ".o_dunning_dispute .form-check:first-child input",
            run: "click",
        },
        {
            trigger: ".o_dunning_dispute select[name=reason_id]",
            run: "selectByLabel The amount is wrong",
        },
        {
            trigger: ".o_dunning_dispute textarea[name=message]",
            run: "edit We ordered 10, not 12.",
        },
        {
            trigger: ".o_dunning_dispute button[type=submit]",
            run: "click",
        },
        {
            content: "The dispute is recorded",
            trigger: ".o_dunning_answered:contains(dispute is recorded)",
        },
        {
            content: "Promise to pay the other invoice",
            trigger: ".o_dunning_promise .form-check:last-child input:checked",
        },
        {
            trigger: ".o_dunning_promise .form-check:first-child input",
            run: "click",
        },
        {
            trigger: ".o_dunning_promise input[name=date]",
            run() {
                // A date field takes no typing in every browser: set its value.
                this.anchor.value = inDays(10);
            },
        },
        {
            trigger: ".o_dunning_promise button[type=submit]",
            run: "click",
        },
        {
            content: "The promise is recorded",
            trigger: ".o_dunning_answered:contains(promise to pay)",
        },
    ],
});
