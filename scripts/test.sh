#!/usr/bin/env bash
# The test command: a fresh database, the module installed, the whole test
# suite run by pytest-odoo on real PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ "${SKIP_SETUP:-0}" = 1 ] || "$REPO_ROOT/scripts/setup-env.sh"
find_odoo
ensure_postgres
make_addons_dir
DB=${TEST_DB:-account_dunning_test_$$}
CONF="$ADDONS_DIR/odoo.conf"
WITHOUT_DEMO=all write_config "$CONF" "$DB"
cleanup() {
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$ADDONS_DIR"
}
[ "${KEEP_DB:-0}" = 1 ] || trap cleanup EXIT

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
echo "Installing $MODULE in a fresh database $DB..."
odoo_bin -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn

echo "Running the tests..."
# pytest gets the tests through the addons folder so that they import as
# odoo.addons.account_dunning.
cd "$ADDONS_DIR"
JUNIT="$ADDONS_DIR/junit.xml"
"$PYTHON" -m pytest -p no:cacheprovider --odoo-database "$DB" --odoo-config "$CONF" \
    --odoo-http -o python_files='test_*.py' --junitxml="$JUNIT" "$ADDONS_DIR/$MODULE/tests" "$@"

# Odoo skips browser tours, rather than failing them, when Chromium or
# websocket-client is missing: a skipped test fails the run.
"$PYTHON" - "$JUNIT" <<'PY'
import sys
import xml.etree.ElementTree as ET

skipped = [
    f"{case.get('classname')}.{case.get('name')}: {case.find('skipped').get('message')}"
    for case in ET.parse(sys.argv[1]).getroot().iter("testcase")
    if case.find("skipped") is not None
]
if skipped:
    print("Tests were skipped, the run fails:", *skipped, sep="\n  ")
    sys.exit(1)
PY
