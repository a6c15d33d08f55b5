"""Screenshots of the accountant's screens, from the demo database served
by scripts/run-demo.sh. Run by scripts/screenshots.sh."""

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE_URL, TARGET = sys.argv[1], Path(sys.argv[2])
SEQUENCES = "/odoo/action-account_dunning.account_dunning_sequence_action"
DUNNING = "/odoo/action-account_dunning.account_move_dunning_action"
WORKSPACE = "/odoo/action-account_dunning.account_dunning_customer_action"
DASHBOARD = "/odoo/action-account_dunning.account_dunning_dashboard_action"
KPIS = "/odoo/action-account_dunning.account_dunning_kpi_action"


def settle(page):
    # Odoo keeps a connection open: wait for the screen to be drawn instead.
    page.wait_for_selector(".o_action_manager .o_view_controller")
    page.wait_for_timeout(1500)


def shoot(page, name, locator=None):
    settle(page)
    path = TARGET / f"screenshot_{name}.png"
    (locator or page).screenshot(path=str(path))
    print(f"  {path}")


def call(page, model, method, args, kwargs=None):
    """A method of the server, with the session of ``page``."""
    response = page.request.post(
        f"{BASE_URL}/web/dataset/call_kw",
        data={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        },
    )
    return response.json()["result"]


def shoot_pdf(raw, name):
    """The first page of a PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / f"{name}.pdf"
        pdf.write_bytes(raw)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-singlefile",
                str(pdf),
                str(TARGET / f"screenshot_{name}"),
            ],
            check=True,
        )
    print(f"  {TARGET / f'screenshot_{name}.png'}")


def customer_page_url(page, lang):
    """The link of the reminders of a demo customer speaking ``lang``, as
    the accountant's Customer's Page button gives it."""
    rows = call(
        page,
        "account.dunning.customer",
        "search_read",
        [[("partner_id.lang", "=", lang), ("amount_overdue", ">", 0)]],
        {"fields": ["partner_id"], "limit": 1},
    )
    action = call(
        page, "res.partner", "action_open_dunning_customer_page", [[rows[0]["partner_id"][0]]]
    )
    return BASE_URL + action["url"]


def shoot_customer_page(browser, url, name, locale):
    """The customer's page as the customer sees it: no session."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    customer = context.new_page()
    customer.goto(url)
    customer.wait_for_selector(".o_dunning_customer_page")
    customer.wait_for_timeout(1000)
    path = TARGET / f"screenshot_{name}.png"
    customer.screenshot(path=str(path), full_page=True)
    print(f"  {path}")
    context.close()


def main():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        # 1280 px wide: the screens must read on a laptop.
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
        page.goto(f"{BASE_URL}/web/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "admin")
        page.click("button[type=submit]")
        page.wait_for_url("**/odoo**")

        page.goto(BASE_URL + SEQUENCES)
        page.locator(".o_data_row").first.click()
        page.wait_for_selector(".o_form_view div[name=step_ids] .o_data_row")
        shoot(page, "sequence")

        page.goto(BASE_URL + DUNNING)
        page.wait_for_selector(".o_list_view .o_data_row")
        shoot(page, "dunning_list")

        page.locator(".o_data_row", has_text="1,840.00").locator("td[name=name]").click()
        page.locator(".o_notebook a.nav-link", has_text="Dunning").click()
        page.wait_for_selector(".o_dunning_timeline .o_data_row")
        settle(page)
        page.locator(".o_dunning_timeline").scroll_into_view_if_needed()
        shoot(page, "invoice_timeline")

        page.goto(BASE_URL + DUNNING)
        page.wait_for_selector(".o_list_view .o_data_row")
        for amount in ("1,840.00", "680.00", "2,300.00"):
            page.locator(".o_data_row", has_text=amount).locator(
                ".o_list_record_selector input"
            ).check()
        page.locator(".o_control_panel button", has_text="Send reminders").click()
        page.wait_for_selector(".modal div[name=line_ids] .o_data_row")
        shoot(page, "send_wizard")

        page.locator(".modal div[name=line_ids] .o_data_row").first.locator(
            "td[name=partner_id]"
        ).click()
        page.wait_for_selector(".modal .o_form_view div[name=body]")
        shoot(page, "send_wizard_preview")

        page.goto(BASE_URL + WORKSPACE)
        page.wait_for_selector(".o_searchview_facet")
        page.locator(".o_searchview_facet .o_facet_remove").first.click()
        page.wait_for_selector(".o_list_view .o_data_row")
        shoot(page, "workspace")

        row = page.locator(".o_data_row").first
        row.locator("button[name=action_open_customer]").click()
        page.wait_for_selector(".o_form_view .o_notebook")
        page.locator(".o_notebook a.nav-link[name=dunning]").click()
        page.wait_for_selector("div[name=dunning_open_move_ids] .o_data_row")
        settle(page)
        shoot(page, "customer_dunning_page")

        partner_id = page.url.rstrip("/").split("/")[-1]
        response = page.request.get(
            f"{BASE_URL}/report/pdf/account_dunning.report_customer_statement/{partner_id}"
        )
        shoot_pdf(response.body(), "statement")
        invoice_id = call(
            page,
            "account.move",
            "search",
            [
                [
                    ("move_type", "=", "out_invoice"),
                    ("payment_state", "=", "not_paid"),
                    ("partner_id.name", "=", "Boulangerie Lefèvre"),
                ]
            ],
            {"limit": 1},
        )[0]
        response = page.request.get(
            f"{BASE_URL}/report/pdf/account_dunning.report_dunning_formal_notice/{invoice_id}"
        )
        shoot_pdf(response.body(), "formal_notice")

        page.goto(BASE_URL + DASHBOARD)
        page.wait_for_selector(".o_form_view div[name=step_recovery] table")
        shoot(page, "dashboard")

        page.goto(BASE_URL + KPIS)
        page.wait_for_selector(".o_pivot table")
        shoot(page, "kpi_pivot")

        shoot_customer_page(browser, customer_page_url(page, "en_US"), "customer_page", "en-US")
        shoot_customer_page(browser, customer_page_url(page, "fr_FR"), "customer_page_fr", "fr-FR")

        # A new French Dunning User, at 1280 px: the worklist, the invoices and the
        # dashboard.
        french = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
        french.goto(f"{BASE_URL}/web/login")
        french.fill("input[name=login]", "claire")
        french.fill("input[name=password]", "claire")
        french.click("button[type=submit]")
        french.wait_for_url("**/odoo**")
        french.goto(BASE_URL + WORKSPACE)
        french.wait_for_selector(".o_list_view .o_data_row")
        shoot(french, "workspace_fr")
        french.goto(BASE_URL + DUNNING)
        french.wait_for_selector(".o_list_view .o_data_row")
        shoot(french, "dunning_list_fr")
        french.goto(BASE_URL + DASHBOARD)
        french.wait_for_selector(".o_form_view div[name=step_recovery] table")
        shoot(french, "dashboard_fr")
        browser.close()


if __name__ == "__main__":
    main()
