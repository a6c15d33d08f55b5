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
http_port = ${HTTP_PORT:-8069}
without_demo = ${WITHOUT_DEMO:-False}
CONF
}

# A TCP port of 127.0.0.1 that nothing listens on (at the time).
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

odoo_bin() {
    "$PYTHON" -m odoo "$@"
}

# ---------------------------------------------------------------------------
# Releases, taken from git history (the upgrade test and the template
# fingerprints).

# The first release was tagged after the fact: its commit is known by heart,
# so that a clone without tags finds it too.
FIRST_RELEASE=18.0.1.0.0
FIRST_RELEASE_COMMIT=1d3f3d4

# The version in the manifest of commit $1, or of the working tree.
manifest_version() {
    if [ -n "${1:-}" ]; then
        git -C "$REPO_ROOT" show "$1:__manifest__.py"
    else
        cat "$REPO_ROOT/__manifest__.py"
    fi | sed -n 's/^ *"version": "\([0-9.]*\)",/\1/p'
}

# The commit of release $1: its tag, else (a clone without tags) the last
# commit at that version, just before the version changed.
release_commit() {
    local version=$1 commit newer=
    if commit=$(git -C "$REPO_ROOT" rev-parse -q --verify "refs/tags/$version^{commit}"); then
        echo "$commit"
    elif [ "$version" = "$FIRST_RELEASE" ]; then
        git -C "$REPO_ROOT" rev-parse --verify "$FIRST_RELEASE_COMMIT^{commit}"
    else
        for commit in $(git -C "$REPO_ROOT" log --first-parent --format=%H -- __manifest__.py); do
            if [ "$(manifest_version "$commit")" = "$version" ]; then
                if [ -n "$newer" ]; then
                    git -C "$REPO_ROOT" rev-parse "$newer^"
                else
                    git -C "$REPO_ROOT" rev-parse HEAD
                fi
                return
            fi
            newer=$commit
        done
        die "Release $version is neither tagged nor found in git history."
    fi
}

# The latest release below the working tree's version: the latest release
# tag below it, else (a clone without tags) the version before it in history.
previous_release() {
    local current commit version
    current=$(manifest_version)
    if [ -n "$(git -C "$REPO_ROOT" tag --list '18.0.*')" ]; then
        { git -C "$REPO_ROOT" tag --list '18.0.*'; echo "$current"; } | sort -V -u \
            | awk -v current="$current" '$0 == current { print previous; exit } { previous = $0 }'
        return
    fi
    for commit in $(git -C "$REPO_ROOT" log --first-parent --format=%H -- __manifest__.py); do
        version=$(manifest_version "$commit")
        if [ "$version" != "$current" ]; then
            echo "$version"
            return
        fi
    done
}

# An addons folder, under $1, holding release $2 as account_dunning.
release_addons() {
    local dir=$1/addons_$2
    mkdir -p "$dir/$MODULE"
    git -C "$REPO_ROOT" archive "$(release_commit "$2")" | tar -x -C "$dir/$MODULE"
    echo "$dir"
}

# A config file $1 for addons folder $2 (holding account_dunning).
write_release_config() {
    cat >"$1" <<CONF
[options]
addons_path = $ODOO_ROOT/addons,$2
db_host = False
db_port = False
list_db = False
without_demo = all
CONF
}

# A database $1 with the Odoo modules the addon depends on, in English and
# French, to copy for each release; config file $2.
create_release_base_db() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    odoo_bin -c "$2" -d "$1" --stop-after-init --log-level=warn \
        -i account_payment,mail,portal,sms,snailmail --load-language=en_US,fr_FR
}
