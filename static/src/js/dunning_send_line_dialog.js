/** @odoo-module */
// Copyright 2026 Account Dunning Developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {X2ManyFieldDialog} from "@web/views/fields/relational_utils";
import {patch} from "@web/core/utils/patch";

patch(X2ManyFieldDialog.prototype, {
    setup() {
        super.setup(...arguments);
        if (this.record.resModel === "account.dunning.send.line") {
            // The dialog is one customer's email: titled after the customer,
            // and without "Save & New", as no customer can be added there.
            this.canCreate = false;
            const partner = this.record.data.partner_id;
            if (partner) {
                this.title = partner[1];
            }
        }
    },
});
