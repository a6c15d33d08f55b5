"""End to end in the demo of scripts/run-demo.sh: a customer opens the link
of its reminder, pays its first invoice with Odoo's test payment provider,
and the invoice is paid. Prints the invoice's payment state; exits 1 if it
is not paid.

    python scripts/demo_payment.py http://127.0.0.1:8069
"""

import sys

from playwright.sync_api import sync_playwright

BASE_URL = sys.argv[1]


def call(page, model, method, args, kwargs=None):
    response = page.request.post(
        f"{BASE_URL}/web/dataset/call_kw",
        data={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        },
    )
    return response.json()["result"]


def main():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        admin = browser.new_page()
        admin.goto(f"{BASE_URL}/web/login")
        admin.fill("input[name=login]", "admin")
        admin.fill("input[name=password]", "admin")
        admin.click("button[type=submit]")
        admin.wait_for_url("**/odoo**")
        row = call(
            admin,
            "account.dunning.customer",
            "search_read",
            [[("amount_overdue", ">", 0)]],
            {"fields": ["partner_id"], "limit": 1},
        )[0]
        partner_id = row["partner_id"][0]
        url = call(admin, "res.partner", "action_open_dunning_customer_page", [[partner_id]])["url"]

        # The customer, without any session.
        customer = browser.new_context().new_page()
        customer.goto(BASE_URL + url)
        link = customer.locator(".o_dunning_invoices tbody tr a").first
        href = link.get_attribute("href")
        invoice_id = int(href.split("/my/invoices/")[1].split("?")[0])
        link.click()
        customer.wait_for_load_state("load")
        customer.wait_for_timeout(2000)
        if not customer.locator("#pay_with").is_visible():
            customer.locator("a[data-bs-target='#pay_with']").first.click()
        customer.wait_for_selector("#pay_with input[name=o_payment_radio]", state="attached")
        radio = customer.locator("#pay_with input[name=o_payment_radio]").first
        if not radio.is_checked():
            radio.check(force=True)
        customer.fill("input[name=customer_input]", "4111 1111 1111 1111")
        customer.click("button[name=o_payment_submit_button]")
        customer.wait_for_url("**/payment/status**")
        customer.wait_for_timeout(5000)

        state = call(admin, "account.move", "read", [[invoice_id], ["name", "payment_state"]])[0]
        print(f"{state['name']}: {state['payment_state']}")
        browser.close()
        sys.exit(0 if state["payment_state"] in ("paid", "in_payment") else 1)


if __name__ == "__main__":
    main()
