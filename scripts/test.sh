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
"$PYTHON" -m pytest -p no:cacheprovider --odoo-database "$DB" --odoo-config "$CONF" \
    --odoo-http -o python_files='test_*.py' "$ADDONS_DIR/$MODULE/tests" "$@"
