/** @odoo-module */
// Copyright 2026 Account Dunning Developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {registry} from "@web/core/registry";

// A Dunning User's morning: the workspace, a customer's Dunning page, and the
// reminders due sent from there.
registry.category("web_tour.tours").add("account_dunning_workspace_tour", {
    url: "/odoo/action-account_dunning.account_dunning_customer_action",
    steps: () => [
        {
            content: "It says that today's run did not finish",
            trigger: ".o_dunning_run_warning:contains(dunning run did not finish)",
        },
        {
            content: "The worklist opens on the customers needing action",
            trigger: ".o_searchview_facet:contains(Action Needed Today)",
        },
        {
            content: "See every customer",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Tour Customer A):contains(2,300.00)",
        },
        {
            content: "Open the customer",
            trigger:
                ".o_data_row:contains(Tour Customer A) button[name=action_open_customer]",
            run: "click",
        },
        {
            content: "Its Dunning page",
            trigger: ".o_notebook .nav-link[name=dunning]",
            run: "click",
        },
        {
            trigger: "div[name=dunning_open_move_ids] .o_data_row:contains(1,100.00)",
        },
        {
            trigger: "div[name=dunning_open_move_ids] .o_data_row:contains(1,200.00)",
        },
        {
            content: "Send the reminders due",
            trigger: "button[name=action_dunning_send_reminders]",
            run: "click",
        },
        {
            trigger: ".modal div[name=line_ids] .o_data_row:contains(Tour Customer A)",
        },
        {
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "They are queued",
            trigger:
                ".o_notification:contains('Reminder emails queued: 1. Invoices reminded: 2.')",
        },
        {
            content: "Open the dunning menu",
            trigger:
                "button[data-menu-xmlid='account_dunning.account_dunning_menu_root']",
            run: "click",
        },
        {
            content: "Open the dunning dashboard",
            trigger:
                "a[data-menu-xmlid='account_dunning.account_dunning_dashboard_menu']",
            run: "click",
        },
        {
            content: "A screen to read: named, without save or discard icons",
            trigger:
                ".o_control_panel:not(:has(.o_form_status_indicator)) .o_breadcrumb:contains(Dunning Dashboard)",
        },
        {
            content: "Compute the KPIs now",
            trigger: ".o_form_view button[name=action_refresh]",
            run: "click",
        },
        {
            content: "The reminders just sent are counted per step",
            trigger: ".o_form_view div[name=step_recovery] td:contains(Reminder 1)",
        },
        {
            content: "Open the recovery per step",
            trigger: ".o_form_view button[name=action_open_step_recovery]",
            run: "click",
        },
        {
            content: "The pivot shows the step",
            trigger: ".o_pivot th:contains(Reminder 1)",
        },
        {
            content: "The breadcrumb names the dashboard, not its record",
            trigger: ".o_breadcrumb a:contains(Dunning Dashboard)",
        },
    ],
});
