#!/usr/bin/env bash
# Benchmark: a fresh database with the module, N customers and open
# invoices, one timed dunning run. Options go to bench_dunning.py, e.g.
#   bench/run.sh --customers 20000 --invoices 100000 --due-ratio 0.05
# BENCH_WORKSPACE=1 also times the first page of the dunning workspace;
# BENCH_KPI=1 adds a year of paid invoices and times the KPIs.
# BENCH_INSTALL=1 times the installation of the module on a book inserted
# before it (bench_install.py: --customers N --invoices M).
# BENCH_VALGRIND=1 also counts the instructions of the run (callgrind; about
# 50 times slower, use a small book).
# BENCH_FROM=<database> runs on a copy of a database generated before
# (with --generate-only), e.g. to compare two versions of the code on one
# book: pass --skip-generate too.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

find_odoo
ensure_postgres
make_addons_dir
DB=${BENCH_DB:-account_dunning_bench}
CONF="$ADDONS_DIR/odoo.conf"
WITHOUT_DEMO=all write_config "$CONF" "$DB"
trap 'rm -rf "$ADDONS_DIR"' EXIT

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
if [ "${BENCH_INSTALL:-}" = 1 ]; then
    # The module installed on a book that was there before it.
    echo "Installing account in $DB..."
    odoo_bin -c "$CONF" -d "$DB" -i account --stop-after-init --log-level=warn
    "$PYTHON" "$REPO_ROOT/bench/bench_install.py" --config "$CONF" --database "$DB" "$@"
    echo "Installing $MODULE on that book..."
    /usr/bin/time -f "installation: %e s, peak memory %M KB" \
        "$PYTHON" -m odoo -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
    exit 0
fi
if [ -n "${BENCH_FROM:-}" ]; then
    echo "Copying $BENCH_FROM to $DB..."
    createdb -T "$BENCH_FROM" "$DB"
    odoo_bin -c "$CONF" -d "$DB" -u "$MODULE" --stop-after-init --log-level=warn
else
    echo "Installing $MODULE in $DB..."
    odoo_bin -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
fi
if [ "${BENCH_VALGRIND:-}" = 1 ]; then
    # The interpreter itself, not a wrapper script: valgrind follows no exec.
    export BENCH_CALLGRIND_OUT="$ADDONS_DIR/callgrind.out"
    valgrind -q --tool=callgrind --instr-atstart=no --callgrind-out-file="$BENCH_CALLGRIND_OUT" \
        "$("$PYTHON" -c 'import sys; print(sys.executable)')" \
        "$REPO_ROOT/bench/bench_dunning.py" --config "$CONF" --database "$DB" "$@"
else
    "$PYTHON" "$REPO_ROOT/bench/bench_dunning.py" --config "$CONF" --database "$DB" "$@"
fi
if [ "${BENCH_WORKSPACE:-}" = 1 ]; then
    "$PYTHON" "$REPO_ROOT/bench/bench_workspace.py" --config "$CONF" --database "$DB"
fi
if [ "${BENCH_KPI:-}" = 1 ]; then
    "$PYTHON" "$REPO_ROOT/bench/bench_kpi.py" --config "$CONF" --database "$DB"
fi
