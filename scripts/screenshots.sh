#!/usr/bin/env bash
# Takes the screenshots of README.rst and the Apps store page
# (static/description/screenshot_*.png) from the demo database of
# scripts/run-demo.sh, with headless Chromium driven by Playwright.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

export DEMO_DB=${DEMO_DB:-account_dunning_screenshots}
export HTTP_PORT=${HTTP_PORT:-8079}
export SMTP_PORT=${SMTP_PORT:-2579}
"$PYTHON" -c 'import playwright' 2>/dev/null \
    || "$PYTHON" -m pip install --quiet --disable-pip-version-check playwright==1.48.0
command -v chromium >/dev/null || die "Chromium is missing: run scripts/setup-env.sh as root."

LOG=$(mktemp)
"$REPO_ROOT/scripts/run-demo.sh" >"$LOG" 2>&1 &
DEMO_PID=$!
stop_demo() {
    kill $DEMO_PID 2>/dev/null || true
    pkill -f -- "-d $DEMO_DB" 2>/dev/null || true
    pkill -f -- "-l 127.0.0.1:$SMTP_PORT" 2>/dev/null || true
    rm -f "$LOG"
}
trap stop_demo EXIT
for _ in $(seq 1 600); do
    grep -q "Odoo is served" "$LOG" && break
    kill -0 $DEMO_PID 2>/dev/null || { cat "$LOG"; die "The demo stopped."; }
    sleep 1
done
grep -q "Odoo is served" "$LOG" || die "The demo did not start in 10 minutes."
"$PYTHON" "$REPO_ROOT/scripts/screenshots.py" "http://127.0.0.1:$HTTP_PORT" "$REPO_ROOT/static/description"
