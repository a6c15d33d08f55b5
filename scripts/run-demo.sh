#!/usr/bin/env bash
# The run command: a fresh database with the module and its demo customers
# and invoices, the dunning cron run once, its emails delivered to a local
# mailbox by Odoo's mail queue (waited for, MAIL_TIMEOUT seconds at most),
# then Odoo served on http://localhost:8069 (login admin/admin).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

DB=${DEMO_DB:-account_dunning_demo}
HTTP_PORT=${HTTP_PORT:-8069}
SMTP_PORT=${SMTP_PORT:-2525}
MAILDIR=${MAILDIR:-${TMPDIR:-/tmp}/account_dunning_demo_mail}

[ "${SKIP_SETUP:-0}" = 1 ] || "$REPO_ROOT/scripts/setup-env.sh"
find_odoo
ensure_postgres
make_addons_dir
CONF="$ADDONS_DIR/odoo.conf"
WITHOUT_DEMO=False write_config "$CONF" "$DB"
cat >>"$CONF" <<CONF
smtp_server = 127.0.0.1
smtp_port = $SMTP_PORT
CONF

# A local mailbox receives the reminders: nothing leaves this machine.
mkdir -p "$MAILDIR/tmp" "$MAILDIR/new" "$MAILDIR/cur"
"$PYTHON" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" &
SMTP_PID=$!
trap 'kill $SMTP_PID 2>/dev/null; rm -rf "$ADDONS_DIR"' EXIT

echo "Creating database $DB with the module and its demo data..."
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
# A French company: its currency and country are set before Accounting is
# installed, so that it gets the French chart of accounts and books in EUR.
odoo_bin -c "$CONF" -d "$DB" -i base --load-language=en_US,fr_FR --stop-after-init --log-level=warn
odoo_bin shell -c "$CONF" -d "$DB" --log-level=warn --no-http <<'PY'
env.ref("base.EUR").active = True
env.ref("base.main_company").write(
    {"currency_id": env.ref("base.EUR").id, "country_id": env.ref("base.fr").id}
)
env.cr.commit()
PY
# The chart of accounts is loaded once the install is over: Accounting
# first, then the module and its demo invoices.
odoo_bin -c "$CONF" -d "$DB" -i l10n_fr_account --stop-after-init --log-level=warn
odoo_bin -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
# Odoo's test payment provider, so that a customer pays an invoice from the
# link of a reminder without any real payment service.
odoo_bin -c "$CONF" -d "$DB" -i payment_demo --stop-after-init --log-level=warn
odoo_bin shell -c "$CONF" -d "$DB" --log-level=warn --no-http <<'PY'
env.ref("payment.payment_provider_demo").write({"state": "test", "is_published": True})
env.cr.commit()
PY

# Serve first: wkhtmltopdf fetches the styles of the PDFs from the server.
# Started directly, not through a shell function, so that $! is the server
# itself: stopping this script stops Odoo too.
"$PYTHON" -m odoo -c "$CONF" -d "$DB" --log-level=warn &
ODOO_PID=$!
stop() {
    kill "$SMTP_PID" "$ODOO_PID" 2>/dev/null || true
    wait "$ODOO_PID" 2>/dev/null || true
    rm -rf "$ADDONS_DIR"
}
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 60); do
    curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/login" && break
    sleep 1
done

echo "Running the dunning cron once, and waiting for its emails to reach the Maildir..."
# The served Odoo's mail queue sends the emails: the script waits for them.
MAILDIR=$MAILDIR odoo_bin shell -c "$CONF" -d "$DB" --log-level=warn --no-http \
    <"$REPO_ROOT/scripts/demo_run.py"

echo
echo "Odoo is served on http://localhost:$HTTP_PORT (login: admin, password: admin)."
echo "Its emails go to the Maildir $MAILDIR. Stop with Ctrl-C."
wait $ODOO_PID
