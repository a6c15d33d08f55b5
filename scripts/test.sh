#!/usr/bin/env bash
# The test command, in three passes:
#   nodemo   the module installed on a fresh database without demo data, and
#            its whole test suite run by pytest-odoo on real PostgreSQL;
#   demo     the same on a database with demo data, Odoo's default and what
#            OCA's CI does;
#   upgrade  earlier releases upgraded to the working tree
#            (scripts/test-upgrade.sh).
# PASSES chooses among them (default: all three). Extra arguments go to pytest.
# The two suite passes run side by side (one core each), each on its own
# database and HTTP port; their output follows when both are done.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PASSES=${PASSES:-nodemo demo upgrade}
[ "${SKIP_SETUP:-0}" = 1 ] || "$REPO_ROOT/scripts/setup-env.sh"
find_odoo
ensure_postgres

CURRENT_DB=
cleanup() {
    if [ -n "$CURRENT_DB" ] && [ "${KEEP_DB:-0}" != 1 ]; then
        dropdb --if-exists "$CURRENT_DB" >/dev/null 2>&1 || true
    fi
    rm -rf "${ADDONS_DIR:-}"
}
trap cleanup EXIT

# $1: nodemo or demo; the other arguments go to pytest.
test_pass() {
    local pass=$1 without_demo=all
    shift
    [ "$pass" = demo ] && without_demo=False
    make_addons_dir
    local db=${TEST_DB:-account_dunning_test_$$}_$pass conf=$ADDONS_DIR/odoo.conf
    local junit=$ADDONS_DIR/junit.xml
    CURRENT_DB=$db
    HTTP_PORT=$(free_port) WITHOUT_DEMO=$without_demo write_config "$conf" "$db"
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    echo "== Tests, $pass: installing $MODULE in a fresh database $db..."
    odoo_bin -c "$conf" -d "$db" -i "$MODULE" --stop-after-init --log-level=warn
    echo "Running the tests..."
    # pytest gets the tests through the addons folder so that they import as
    # odoo.addons.account_dunning.
    local status=0
    (cd "$ADDONS_DIR" && "$PYTHON" -m pytest -p no:cacheprovider --odoo-database "$db" \
        --odoo-config "$conf" --odoo-http -o python_files='test_*.py' --junitxml="$junit" \
        "$ADDONS_DIR/$MODULE/tests" "$@") || status=$?
    # Odoo skips browser tours, rather than failing them, when Chromium or
    # websocket-client is missing: a skipped test fails the run.
    [ $status != 0 ] || "$PYTHON" - "$junit" <<'PY' || status=$?
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
    [ "${KEEP_DB:-0}" != 1 ] || echo "Kept: database $db"
    cleanup
    CURRENT_DB=
    return $status
}

suites=() upgrade=0
for pass in $PASSES; do
    case $pass in
        nodemo | demo) suites+=("$pass") ;;
        upgrade) upgrade=1 ;;
        *) die "Unknown pass $pass: choose among nodemo, demo and upgrade." ;;
    esac
done

if [ ${#suites[@]} = 1 ]; then
    test_pass "${suites[0]}" "$@"
elif [ ${#suites[@]} -gt 1 ]; then
    LOGS=$(mktemp -d)
    pids=()
    for pass in "${suites[@]}"; do
        (trap cleanup EXIT && test_pass "$pass" "$@") >"$LOGS/$pass.log" 2>&1 &
        pids+=($!)
    done
    failed=0
    for index in "${!suites[@]}"; do
        wait "${pids[$index]}" || failed=1
        cat "$LOGS/${suites[$index]}.log"
    done
    rm -rf "$LOGS"
    [ $failed = 0 ] || die "A test pass failed."
fi
[ $upgrade = 0 ] || SKIP_SETUP=1 "$REPO_ROOT/scripts/test-upgrade.sh"
