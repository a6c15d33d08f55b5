/** @odoo-module */
// Copyright 2026 Account Dunning Developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {registry} from "@web/core/registry";

function inDays(days) {
    const date = new Date();
    date.setDate(date.getDate() + days);
    return date.toISOString().slice(0, 10);
}

// The customer, from the link of a reminder, promises to pay its invoice.
registry.category("web_tour.tours").add("account_dunning_promise_tour", {
    steps: () => [
        {
            content: "Its invoice is chosen",
            trigger: ".o_dunning_promise .form-check input:checked",
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
            trigger: ".o_dunning_answered",
        },
    ],
});

// A Dunning User working in French: the workspace shows the promise, and
// the formal notice waiting is not printed.
registry.category("web_tour.tours").add("account_dunning_promise_workspace_tour", {
    steps: () => [
        {
            content: "See every customer",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "The customer shows its promise",
            trigger:
                ".o_data_row:contains(Client Promesse) td[name=status]:contains(Promesse de paiement)",
        },
    ],
});

registry.category("web_tour.tours").add("account_dunning_promise_letters_tour", {
    steps: () => [
        {
            content: "Select the formal notice waiting",
            trigger:
                ".o_data_row:contains(Client Promesse) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Print it",
            trigger: "button[name=action_print_letters]",
            run: "click",
        },
        {
            content: "It is not printed, and the reason is given",
            trigger:
                ".o_notification:contains(Aucune lettre n'est imprimée):contains(promis de payer)",
        },
    ],
});
