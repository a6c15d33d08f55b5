/** @odoo-module */
// Copyright 2026 Account Dunning Developers
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {ListController} from "@web/views/list/list_controller";
import {listView} from "@web/views/list/list_view";
import {onWillStart} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

// The workspace says, above the customers, when today's dunning run did not
// finish: Odoo stops calling a job killed three times in a row.
export class DunningWorkspaceListController extends ListController {
    static template = "account_dunning.WorkspaceListView";

    setup() {
        super.setup();
        this.orm = useService("orm");
        onWillStart(async () => {
            this.runWarning = await this.orm.call(
                "account.dunning.customer",
                "get_run_warning",
                []
            );
        });
    }
}

registry.category("views").add("account_dunning_workspace_list", {
    ...listView,
    Controller: DunningWorkspaceListController,
});
