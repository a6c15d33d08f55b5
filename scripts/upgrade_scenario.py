# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The book and the checks of the upgrade test (scripts/test-upgrade.sh).

``prepare`` runs with an earlier release installed: it makes a small book
and gives it two days of reminders (D1 and D2) through the scheduled action,
as the scheduler runs it, emails delivered to a real SMTP server on
127.0.0.1. It uses only what every release since 18.0.1.0.0 has.

``check`` runs once the database is upgraded to the working tree. On D3 the
scheduled actions run and must send exactly the steps due, worked out by
hand below: nothing sent twice, nothing lost, nothing for paused, excluded
or paid invoices, one email per customer, rendered with the new template
fields. Every view, action and report of the module must load, and the
upgrade log must show no error.

Days: D3 is today, D1 the day before yesterday. The default sequence sends
a notice at D-8, reminder 1 at D+1, reminder 2 at D+14 and plans a call at
D+30 (D: the due date its steps count from).
"""

import argparse
import ast
import contextlib
import email
import email.policy
import http.server
import json
import logging
import re
import socket
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import freezegun
from aiosmtpd.controller import Controller

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry

MODULE = "account_dunning"
REPO_ROOT = Path(__file__).resolve().parent.parent
D3 = date.today()
D1, D2 = D3 - timedelta(days=2), D3 - timedelta(days=1)
FIRST_RELEASE = "18.0.1.0.0"
CRONS = (
    "ir_cron_run_dunning",
    "ir_cron_dunning_digest",
    "ir_cron_dunning_statements",
    "ir_cron_dunning_kpis",
    "ir_cron_dunning_ecb_rates",
    "ir_cron_dunning_rules",
)
# The customers of the book: (key, name, language).
CUSTOMERS = [
    ("alpha", "Alpha SARL", "fr_FR"),
    ("beta", "Beta Ltd", "en_US"),
    ("gamma", "Gamma SAS", "fr_FR"),
    ("delta", "Delta Inc", "en_US"),
    ("epsilon", "Epsilon GmbH", "en_US"),
    ("zeta", "Zeta SA", "fr_FR"),
    ("eta", "Eta SCOP", "fr_FR"),
    ("theta", "Theta LLC", "en_US"),
    ("iota", "Iota BV", "en_US"),
    ("kappa", "Kappa Oy", "en_US"),
    ("lambda", "Lambda AB", "en_US"),
]
# The company's legal interest rate of 18.0.1.0.0, moved by the upgrade to
# the table of legal rates.
LEGAL_RATE = 3.45
EDITED_TEMPLATE = "mail_template_dunning_reminder2"
EDITED_TEXT = "Our accounts team is at your disposal."


FAILURES = []


def check(condition, message):
    """Check and go on, so that one run shows every failure."""
    if condition:
        print(f"  ok: {message}")
    else:
        print(f"  FAILED: {message}")
        FAILURES.append(message)


# ----------------------------------------------------------------------
# Real servers on 127.0.0.1: SMTP for the reminders, HTTP for the ECB rates
# ----------------------------------------------------------------------


class SmtpHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = SmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler.messages
    finally:
        controller.stop()


@contextlib.contextmanager
def ecb_server():
    """Serve the ECB rates of the tests, as the ECB Data Portal does."""
    content = (REPO_ROOT / "tests" / "data" / "ecb_mro_rates.csv").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/rates.csv"
    finally:
        server.shutdown()


# ----------------------------------------------------------------------
# Odoo
# ----------------------------------------------------------------------


@contextlib.contextmanager
def environment(registry):
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def on_day(day):
    # Mid-day in Paris: the company's today is ``day``.
    return freezegun.freeze_time(datetime.combine(day, datetime.min.time()) + timedelta(hours=10))


def run_scheduled(registry, xmlids):
    """Run these scheduled actions as Odoo's scheduler does, until done,
    then deliver the mail queue as Odoo's mail job does.

    Odoo takes the jobs due by the database's clock and reschedules them by
    Python's, which freezegun stops on the day played: the jobs are due by
    both, and done once rescheduled past the day played, whatever the time
    of day the test runs at."""
    IrCron = registry["ir.cron"]
    played = datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")
    with environment(registry) as env:
        cron_ids = tuple(env.ref(f"{MODULE}.{xmlid}").id for xmlid in xmlids)
        # Only these: the other jobs wait.
        env.cr.execute(
            "UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') + interval '1 day'"
            " WHERE id NOT IN %s",
            [cron_ids],
        )
        env.cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id NOT IN %s", [cron_ids])
        env.cr.execute(
            "UPDATE ir_cron SET nextcall ="
            " LEAST(now() at time zone 'UTC', %s::timestamp) - interval '1 minute'"
            " WHERE id IN %s",
            [played, cron_ids],
        )
    for _round in range(20):
        IrCron._process_jobs(registry.db_name)
        with environment(registry) as env:
            env.cr.execute(
                "SELECT count(*) FROM ir_cron WHERE id IN %s AND active"
                " AND nextcall <= LEAST(now() at time zone 'UTC', %s::timestamp)",
                [cron_ids, played],
            )
            if not env.cr.fetchone()[0]:
                break
    with environment(registry) as env:
        env["mail.mail"].sudo().process_email_queue()


def find(env, key):
    return env["res.partner"].search([("ref", "=", f"upgrade-{key}")])


def invoice_of(env, key):
    return env["account.move"].search([("ref", "=", f"upgrade-{key}")])


# ----------------------------------------------------------------------
# prepare: with the earlier release
# ----------------------------------------------------------------------


def make_invoice(env, key, partner, due, amount, invoice_date=None, term=None):
    vals = {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "ref": f"upgrade-{key}",
        "invoice_date": invoice_date or due - timedelta(days=30),
        "invoice_line_ids": [
            Command.create({"name": "Services", "quantity": 1, "price_unit": amount})
        ],
    }
    if term:
        vals["invoice_payment_term_id"] = term.id
    else:
        vals["invoice_date_due"] = due
    move = env["account.move"].create(vals)
    move.invoice_line_ids.tax_ids = False
    move.action_post()
    return move


def pay(env, move, amount, day):
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=move.ids
    ).create({"amount": amount, "payment_date": day}).action_create_payments()


def prepare(registry, release):
    with smtp_server() as (port, messages):
        with environment(registry) as env:
            setup_company(env, port)
        with on_day(D1):
            with environment(registry) as env:
                make_book(env)
            run_scheduled(registry, ["ir_cron_run_dunning"])
        with on_day(D2):
            with environment(registry) as env:
                pay(env, invoice_of(env, "e1"), 1000, D2)
            run_scheduled(registry, ["ir_cron_run_dunning"])
        with environment(registry) as env:
            check_history(env, release, messages)
            edit_template(env)


def setup_company(env, smtp_port):
    company = env.ref("base.main_company")
    company.partner_id.write({"tz": "Europe/Paris", "lang": "en_US"})
    values = {"email": "billing@company.example.com", "dunning_late_fees": True}
    if "dunning_legal_interest_rate" in company._fields:
        values["dunning_legal_interest_rate"] = LEGAL_RATE
    company.write(values)
    env["ir.mail_server"].create(
        {
            "name": "Upgrade test SMTP",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_encryption": "none",
            "sequence": 0,
        }
    )
    # wkhtmltopdf fetches the styles of invoice PDFs from report.url: no
    # server runs here, let it fail at once.
    env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
    env["res.partner"].create(
        [
            {"name": name, "ref": f"upgrade-{key}", "lang": lang, "email": f"{key}@example.com"}
            for key, name, lang in CUSTOMERS
        ]
    )
    find(env, "delta").dunning_excluded = True


def make_book(env):
    """Invoices posted on D1, each with its story and what D3 owes it."""
    c = {key: find(env, key) for key, _name, _lang in CUSTOMERS}
    two_instalments = env["account.payment.term"].create(
        {
            "name": "Two instalments",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 50, "nb_days": 20}),
                Command.create({"value": "percent", "value_amount": 50, "nb_days": 47}),
            ],
        }
    )
    # Alpha: two invoices due D3-1: the notice on D1, reminder 1 on D3, in
    # one email.
    make_invoice(env, "a1", c["alpha"], D3 - timedelta(days=1), 1000)
    make_invoice(env, "a2", c["alpha"], D3 - timedelta(days=1), 500)
    # Beta: due D1-13: reminder 1 on D1, reminder 2 on D2, nothing on D3.
    make_invoice(env, "b1", c["beta"], D1 - timedelta(days=13), 1000)
    # Gamma: paused until after D3.
    g1 = make_invoice(env, "g1", c["gamma"], D1 - timedelta(days=20), 1000)
    g1.action_dunning_pause(until=D3 + timedelta(days=5), reason="Upgrade test")
    # Delta: excluded customer.
    make_invoice(env, "d1", c["delta"], D1 - timedelta(days=20), 1000)
    # Epsilon: reminder 1 on D1, paid on D2.
    make_invoice(env, "e1", c["epsilon"], D1 - timedelta(days=13), 1000)
    # Zeta: instalments due D1-40 and D1-13, neither paid. Before 18.0.1.4.0
    # the steps count from the last one (reminder 1 on D1, 2 on D2), then
    # from the oldest: the call, due since D1-10, on D3. From 18.0.1.4.0 on,
    # the call on D1 and nothing on D3.
    make_invoice(
        env, "z1", c["zeta"], None, 2000, invoice_date=D1 - timedelta(days=60), term=two_instalments
    )
    # Eta: instalments due D3-1 and D3+26: reminder 1 of the first on D3,
    # which shows its due date and the instalments left.
    make_invoice(
        env, "h1", c["eta"], None, 3000, invoice_date=D3 - timedelta(days=21), term=two_instalments
    )
    # Theta: due D3+8: its notice on D3.
    make_invoice(env, "t1", c["theta"], D3 + timedelta(days=8), 800)
    # Iota: due D3-1, 300 paid on D1: notice on D1, reminder 1 on D3 for 700.
    i1 = make_invoice(env, "i1", c["iota"], D3 - timedelta(days=1), 1000)
    pay(env, i1, 300, D1)
    # Kappa: due D1-13: reminder 1 on D1, reminder 2 on D2, paid on D3
    # after the upgrade: the sequence thanked before, its thank-you step
    # thanks once on D3.
    make_invoice(env, "k1", c["kappa"], D1 - timedelta(days=13), 1000)
    # Lambda, in releases with payment plans: due D1-20, in a plan since D1
    # with instalments on D3+3 and D3+33: no reminder, the notice of the
    # first instalment on D3 (3 days before), by the step the migration of
    # 18.0.1.7.0 gives the sequence.
    if has_plans(env):
        l1 = make_invoice(env, "l1", c["lambda"], D1 - timedelta(days=20), 1200)
        plan = env["account.dunning.plan"].create(
            {
                "partner_id": c["lambda"].id,
                "move_ids": [Command.set(l1.ids)],
                "line_ids": [
                    Command.create({"date": D3 + timedelta(days=3), "amount": 600}),
                    Command.create({"date": D3 + timedelta(days=33), "amount": 600}),
                ],
            }
        )
        plan.action_confirm()
        check(plan.state == "active", "Lambda's payment plan is active")


def has_plans(env):
    return "account.dunning.plan" in env


def has_plans_since(release):
    """Payment plans came with 18.0.1.3.0."""
    return release >= "18.0.1.3.0"


def events_by_invoice(env, day):
    events = env["account.dunning.event"].search([("date", "=", day)])
    found = {}
    for event in events:
        key = event.move_id.ref.removeprefix("upgrade-")
        label = event.step_id.name if event.event_type == "reminder" else event.event_type
        found.setdefault(key, set()).add(label)
    return found


def check_history(env, release, messages):
    """The earlier release did what it should, else the upgrade checks
    would prove nothing."""
    print(f"The history made by {release}:")
    before_instalments = release < "18.0.1.4.0"
    d1 = events_by_invoice(env, D1)
    expected = {
        "a1": {"Advance Notice"},
        "a2": {"Advance Notice"},
        "b1": {"Reminder 1"},
        "e1": {"Reminder 1"},
        "k1": {"Reminder 1"},
        "z1": {"Reminder 1" if before_instalments else "Reminder 3: Phone Call"},
        "h1": set() if before_instalments else {"Advance Notice"},
        "i1": {"Advance Notice"},
    }
    expected = {key: steps for key, steps in expected.items() if steps}
    check(d1 == expected, f"D1: {d1} == {expected}")
    d2 = {
        key: steps for key, steps in events_by_invoice(env, D2).items() if "thank_you" not in steps
    }
    expected = {"b1": {"Reminder 2"}, "k1": {"Reminder 2"}}
    if before_instalments:
        expected["z1"] = {"Reminder 2"}
    check(d2 == expected, f"D2: {d2} == {expected}")
    check(messages, f"{len(messages)} emails delivered to the SMTP server")


def edit_template(env):
    """A partner's own words in a template: the upgrade must keep them."""
    template = env.ref(f"{MODULE}.{EDITED_TEMPLATE}")
    template.body_html = template.body_html.replace(
        "Kind regards,", f"{EDITED_TEXT}<br/>Kind regards,"
    )
    check(EDITED_TEXT in template.body_html, "a partner edited reminder 2")


# ----------------------------------------------------------------------
# check: upgraded to the working tree
# ----------------------------------------------------------------------


def check_upgrade(registry, release, upgrade_log):
    check_upgrade_log(upgrade_log, release)
    with environment(registry) as env:
        check_crons_repaired(env)
        check_templates(env)
        if release == FIRST_RELEASE:
            check_legal_rate_moved(env)
        check_statuses(env)
        check_screens(env)
    with smtp_server() as (port, messages), ecb_server() as ecb_url:
        with environment(registry) as env:
            env["ir.mail_server"].search([("name", "=", "Upgrade test SMTP")]).smtp_port = port
            env["ir.config_parameter"].set_param("account_dunning.ecb_rates_url", ecb_url)
        with on_day(D3):
            with environment(registry) as env:
                pay(env, invoice_of(env, "k1"), 1000, D3)
            run_scheduled(registry, CRONS)
        with environment(registry) as env:
            check_crons_ran(env)
            check_d3(env, release, messages)


def template_changed_since(release, xmlid):
    """Whether the working tree ships the template ``xmlid`` other than
    ``release`` did (in English): only then does the upgrade bring it to
    this version, or leave it, edited, and name it in the log."""
    manifest = ast.literal_eval((REPO_ROOT / "__manifest__.py").read_text())
    shipped = json.loads((REPO_ROOT / "migrations" / "shipped_templates.json").read_text())
    return not any(
        release in versions and manifest["version"] in versions
        for versions in shipped[f"{MODULE}.{xmlid}"]["en_US"].values()
    )


def check_upgrade_log(path, release):
    print("The upgrade log:")
    text = Path(path).read_text()
    problems = [
        line
        for line in text.splitlines()
        if re.search(r" (ERROR|CRITICAL) ", line)
        or (
            re.search(r" WARNING ", line)
            and "account_dunning" in line
            and " left as is" not in line
        )
    ]
    check(not problems, "no error, no unexpected warning of the module:\n" + "\n".join(problems))
    named = re.search(rf"WARNING .*{EDITED_TEMPLATE}.* left as is", text)
    if template_changed_since(release, EDITED_TEMPLATE):
        check(named, "the edited template is named in the log")
    else:
        check(not named, f"the edited template, unchanged since {release}, is not touched")


def check_crons_repaired(env):
    print("Scheduled actions after the upgrade:")
    for xmlid in CRONS:
        cron = env.ref(f"{MODULE}.{xmlid}")
        method = re.match(r"model\.(\w+)\(", cron.code).group(1)
        check(
            cron.active and hasattr(env[cron.model_id.model], method),
            f"{xmlid} is active and {cron.model_id.model} has {method}",
        )


def check_templates(env):
    print("Templates after the upgrade:")
    for xmlid in (
        "mail_template_dunning_notice",
        "mail_template_dunning_reminder1",
        "mail_template_dunning_reminder2",
    ):
        template = env.ref(f"{MODULE}.{xmlid}")
        if xmlid == EDITED_TEMPLATE:
            check(EDITED_TEXT in template.body_html, f"{xmlid} keeps the partner's words")
            continue
        for lang in ("en_US", "fr_FR"):
            body = template.with_context(lang=lang).body_html
            check(
                "invoice.dunning_date_due" in body and "dunning_late_rate_label" not in body,
                f"{xmlid} ({lang}) is the new version: oldest due date, no accountant's note",
            )
        check(
            "Cordialement" in template.with_context(lang="fr_FR").body_html,
            f"{xmlid} is still in French",
        )
    for xmlid in ("mail_template_dunning_plan_notice", "mail_template_dunning_plan_reminder"):
        template = env.ref(f"{MODULE}.{xmlid}")
        for lang in ("en_US", "fr_FR"):
            check(
                "upcoming_line_id" in template.with_context(lang=lang).body_html,
                f"{xmlid} ({lang}) names the instalment it announces",
            )


def check_legal_rate_moved(env):
    print("The company's legal interest rate:")
    company = env.ref("base.main_company")
    start = env["account.dunning.ecb.rate"]._get_half_year_start(company.write_date.date())
    rate = env["account.dunning.legal.rate"].search(
        [("date", "=", start), ("category", "=", "other")]
    )
    check(rate.rate == LEGAL_RATE, f"legal rate of {start}: {rate.rate} == {LEGAL_RATE}")


def check_statuses(env):
    """The collection status of 18.0.1.5.0, filled on the invoices already
    there and read by the workspace."""
    print("Collection statuses:")
    expected = {"g1": "paused", "d1": "excluded", "e1": "settled", "a1": "on_track"}
    found = {key: invoice_of(env, key).dunning_status for key in expected}
    check(found == expected, f"invoices: {found} == {expected}")
    workspace = env["account.dunning.customer"].search([])
    by_customer = {line.partner_id.ref.removeprefix("upgrade-"): line.status for line in workspace}
    check(
        by_customer.get("gamma") == "paused" and by_customer.get("delta") == "excluded",
        f"customers: {by_customer}",
    )


def check_screens(env):
    """Every view, action and report of the module loads."""
    print("Screens:")
    data = env["ir.model.data"].search([("module", "=", MODULE)])
    views = env["ir.ui.view"].browse(
        data.filtered(lambda d: d.model == "ir.ui.view").mapped("res_id")
    )
    for view in views.filtered(lambda view: view.type != "qweb"):
        env[view.model].get_views([(view.id, view.type)])
    check(views, f"{len(views)} views load")
    actions = env["ir.actions.act_window"].browse(
        data.filtered(lambda d: d.model == "ir.actions.act_window").mapped("res_id")
    )
    for action in actions:
        view_types = action.view_mode.split(",")
        env[action.res_model].get_views([(False, view_type) for view_type in view_types])
    check(actions, f"{len(actions)} window actions load")
    move = invoice_of(env, "a1")
    reports = env["ir.actions.report"].browse(
        data.filtered(lambda d: d.model == "ir.actions.report").mapped("res_id")
    )
    for report in reports.filtered(lambda report: report.model == "account.move"):
        html, _type = env["ir.actions.report"]._render_qweb_html(report, move.ids)
        check(move.name.encode() in html, f"report {report.report_name} renders")


def check_crons_ran(env):
    print("Scheduled actions on D3:")
    for xmlid in CRONS:
        cron = env.ref(f"{MODULE}.{xmlid}")
        check(
            cron.active and not cron.failure_count and cron.nextcall.date() > D3,
            f"{xmlid} ran without failure",
        )


def check_d3(env, release, messages):
    print("D3, after the upgrade:")
    before_instalments = release < "18.0.1.4.0"
    found = events_by_invoice(env, D3)
    expected = {
        "a1": {"Reminder 1"},
        "a2": {"Reminder 1"},
        "h1": {"Reminder 1"},
        "t1": {"Advance Notice"},
        "i1": {"Reminder 1"},
        # Thanked by the step the migration made of the sequence's template;
        # e1, thanked on D2, is not thanked again.
        "k1": {"thank_you"},
    }
    if before_instalments:
        expected["z1"] = {"Reminder 3: Phone Call"}
    plans = bool(invoice_of(env, "l1"))
    check(plans == has_plans_since(release), "Lambda's plan was made where plans exist")
    if plans:
        expected["l1"] = {"plan"}
    check(found == expected, f"the steps due and nothing else: {found} == {expected}")
    customers = {key for key, _name, _lang in CUSTOMERS}
    by_customer = {}
    for recipients, message in messages:
        for recipient in recipients:
            key = recipient.split("@")[0]
            if key in customers:
                by_customer.setdefault(key, []).append(message)
    emailed = {"alpha": 1, "eta": 1, "theta": 1, "iota": 1, "kappa": 1}
    if plans:
        emailed["lambda"] = 1
    check(
        {key: len(mails) for key, mails in by_customer.items()} == emailed,
        f"one email per customer due, to thank or in a plan: {sorted(by_customer)}",
    )
    if by_customer.keys() != emailed.keys():
        return
    alpha = body_of(by_customer["alpha"][0])
    check(
        invoice_of(env, "a1").name in alpha and invoice_of(env, "a2").name in alpha,
        "Alpha's reminder lists both its invoices",
    )
    eta = body_of(by_customer["eta"][0])
    h1 = invoice_of(env, "h1")
    first_due = h1.line_ids.filtered("date_maturity").sorted("date_maturity")[0].date_maturity
    check(
        first_due.strftime("%d/%m/%Y") in eta,
        f"Eta's reminder gives the due date of its oldest instalment, {first_due}",
    )
    check("chéances" in eta, "Eta's reminder lists the instalments left, in French")
    check(
        "%" in eta and "BCE" not in eta and "ECB" not in eta,
        "Eta's reminder gives the late-payment rates, without the accountant's notes",
    )
    iota = body_of(by_customer["iota"][0])
    check("700.00" in iota, "Iota's reminder asks for what is left to pay")
    check(
        "thank you for your payment" in by_customer["kappa"][0]["Subject"],
        "Kappa is thanked with the sequence's thank-you template",
    )
    if plans:
        event = env["account.dunning.event"].search(
            [("move_id", "=", invoice_of(env, "l1").id), ("date", "=", D3)]
        )
        check(
            "your next instalment" in by_customer["lambda"][0]["Subject"]
            and event.step_id.trigger == "plan_instalment",
            "Lambda gets the notice of its instalment, by the sequence's step",
        )


def body_of(message):
    part = message.get_body(preferencelist=("html", "plain"))
    return part.get_content()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stage", choices=("prepare", "check"))
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--release", required=True)
    parser.add_argument("--upgrade-log")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    # The SMTP server's own log of each command.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    registry = Registry(args.database)
    if args.stage == "prepare":
        prepare(registry, args.release)
    else:
        check_upgrade(registry, args.release, args.upgrade_log)
    if FAILURES:
        sys.exit(f"{len(FAILURES)} checks failed.")


if __name__ == "__main__":
    main()
