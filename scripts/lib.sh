# Shared by the project's scripts: finds Odoo and PostgreSQL, exposes the
# repository to Odoo as the addon "account_dunning". Source it, don't run it.
# shellcheck shell=bash

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
MODULE=account_dunning

die() {
    echo "error: $*" >&2
    exit 1
}

# Odoo 18.0 is a prerequisite: the one importable by $PYTHON, or the source
# tree named by ODOO_PATH.
find_odoo() {
    if [ -n "${ODOO_PATH:-}" ]; then
        [ -f "$ODOO_PATH/odoo/__init__.py" ] \
            || die "ODOO_PATH=$ODOO_PATH is not an Odoo source tree (no odoo/__init__.py)."
        export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"
    fi
    local found
    found=$("$PYTHON" -c 'import odoo, odoo.release, os; print(odoo.release.serie, os.path.dirname(os.path.dirname(odoo.__file__)))' 2>/dev/null) \
        || die "Odoo is not importable by $PYTHON. Odoo 18.0 is a prerequisite: make 'import odoo' work (e.g. a .pth file naming an Odoo 18.0 source tree) or set ODOO_PATH to that tree."
    local serie=${found%% *}
    ODOO_ROOT=${found#* }
    [ "$serie" = "18.0" ] || die "Odoo $serie found in $ODOO_ROOT; this addon needs Odoo 18.0."
    [ -d "$ODOO_ROOT/addons/account" ] \
        || die "Odoo in $ODOO_ROOT has no addons/account: a complete Odoo 18.0 source tree is needed."
    "$PYTHON" -c 'import psycopg2, werkzeug, lxml, babel' 2>/dev/null \
        || die "Odoo's Python dependencies are missing: run scripts/setup-env.sh."
}

# PostgreSQL on this machine: started if it is installed but down. The
# current OS user connects through the socket, as a role of its own.
ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
            echo "Starting PostgreSQL..."
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start \
                || die "PostgreSQL could not be started."
            for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        fi
        pg_isready -q || die "PostgreSQL is not running on this machine (socket or 127.0.0.1:5432)."
    fi
    if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
        psql -U postgres -d postgres -qc "CREATE ROLE \"$(id -un)\" LOGIN CREATEDB" \
            || die "No PostgreSQL role for $(id -un), and none could be created."
    fi
}

# Odoo sees the repository as addons/account_dunning, whatever the checkout's
# folder is called.
make_addons_dir() {
    ADDONS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/account_dunning_addons.XXXXXX")
    ln -s "$REPO_ROOT" "$ADDONS_DIR/$MODULE"
    ADDONS_PATH="$ODOO_ROOT/addons,$ADDONS_DIR"
}

write_config() {
    # $1: config file, $2: database
    cat >"$1" <<CONF
[options]
addons_path = $ADDONS_PATH
db_name = $2
db_host = False
db_port = False
list_db = False
http_interface = 127.0.0.1
without_demo = ${WITHOUT_DEMO:-False}
CONF
}

odoo_bin() {
    "$PYTHON" -m odoo "$@"
}
