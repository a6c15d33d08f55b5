/** @odoo-module */
// Copyright 2026 Account Dunning Developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {FormController} from "@web/views/form/form_controller";
import {formView} from "@web/views/form/form_view";
import {registry} from "@web/core/registry";

// The dunning dashboard is a screen to read: its filters are never saved, so
// it shows no save or discard icons, and its breadcrumb is the action's name,
// never "New".
export class DunningDashboardFormController extends FormController {
    static template = "account_dunning.DashboardFormView";

    setup() {
        this.actionName = this.env.config.getDisplayName();
        super.setup();
    }

    displayName() {
        return this.actionName;
    }
}

registry.category("views").add("account_dunning_dashboard_form", {
    ...formView,
    Controller: DunningDashboardFormController,
});
