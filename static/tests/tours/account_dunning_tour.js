/** @odoo-module */
// Copyright 2026 Account Dunning Developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {registry} from "@web/core/registry";

// Walks an accountant's day: a new sequence, an invoice paused then resumed,
// and reminders sent in bulk to two customers. The Python test that starts it
// checks what was recorded.
registry.category("web_tour.tours").add("account_dunning_tour", {
    url: "/odoo/action-account_dunning.account_dunning_sequence_action",
    steps: () => [
        {
            content: "Create a sequence",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Sequence",
        },
        {
            content: "Add a step",
            trigger: "div[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: "div[name=step_ids] .o_selected_row div[name=offset_days] input",
            run: "edit 5",
        },
        {
            trigger: "div[name=step_ids] .o_selected_row div[name=name] input",
            run: "edit Tour reminder",
        },
        {
            trigger:
                "div[name=step_ids] .o_selected_row div[name=mail_template_id] input",
            run: "edit First Reminder",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Dunning: First Reminder)",
            run: "click",
        },
        {
            content: "Save the sequence",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Go to the dunning list",
            trigger:
                "button[data-menu-xmlid='account_dunning.account_dunning_menu_root']",
            run: "click",
        },
        {
            trigger: "a[data-menu-xmlid='account_dunning.account_move_dunning_menu']",
            run: "click",
        },
        {
            content: "Open an overdue invoice",
            trigger: ".o_data_row:contains(Tour Customer B) td[name=name]",
            run: "click",
        },
        {
            content: "Pause it",
            trigger: "button[name=action_open_dunning_pause_wizard]",
            run: "click",
        },
        {
            trigger: ".modal div[name=reason] input",
            run: "edit Disputed delivery",
        },
        {
            trigger: ".modal button[name=action_pause]",
            run: "click",
        },
        {
            content: "The invoice says it is paused",
            trigger:
                ".alert:contains(Reminders are paused):contains(Disputed delivery)",
        },
        {
            content: "Resume it",
            trigger: "button[name=action_dunning_resume]",
            run: "click",
        },
        {
            trigger: "button[name=action_open_dunning_pause_wizard]",
        },
        {
            content: "Back to the dunning list",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Dunning)",
            run: "click",
        },
        {
            content: "Select three invoices of two customers",
            trigger: ".o_data_row:contains(1,100.00) .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(1,200.00) .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(1,300.00) .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_cp_action_menus button:contains(Actions)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o_menu_item:contains(Send reminders)",
            run: "click",
        },
        {
            content: "One line per customer, its invoices at two steps",
            trigger:
                ".modal div[name=line_ids] .o_data_row:contains(Tour Customer A):contains(2,300.00)",
        },
        {
            trigger: ".modal div[name=line_ids] .o_data_row:contains(Tour Customer B)",
        },
        {
            content: "Read and edit the email of the first customer",
            trigger:
                ".modal div[name=line_ids] .o_data_row:contains(Tour Customer A) td[name=partner_id]",
            run: "click",
        },
        {
            content: "The dialog is titled after the customer",
            trigger: ".modal .modal-title:contains(Tour Customer A)",
        },
        {
            trigger: ".modal div[name=body]:contains(1,200.00)",
        },
        {
            trigger: ".modal div[name=subject] input",
            run: "edit Tour subject",
        },
        {
            content: "Saved, with no Save & New",
            trigger:
                ".modal-footer:not(:has(.o_form_button_save_new)) .o_form_button_save",
            run: "click",
        },
        {
            content: "Back to the customers",
            trigger:
                "body:not(:has(.o_form_button_save)) .modal button[name=action_send]",
        },
        {
            content: "Send",
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "The result is told",
            trigger:
                ".o_notification:contains('Reminder emails queued: 2. Invoices reminded: 3.')",
        },
    ],
});
