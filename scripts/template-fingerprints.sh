#!/usr/bin/env bash
# Records in migrations/shipped_templates.json the fingerprints of the email
# and SMS templates of releases, in English and French, as installed from git
# history (release names) or from the working tree ("current", the default).
# Run it when a release changes a template: its migration then updates the
# databases where the template is one the module shipped, and leaves those a
# partner edited.
#   scripts/template-fingerprints.sh current 18.0.1.4.0
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

find_odoo
ensure_postgres
WORK=$(mktemp -d "${TMPDIR:-/tmp}/account_dunning_fingerprints.XXXXXX")
BASE_DB=account_dunning_fingerprints_$$
DB=${BASE_DB}_release
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true; dropdb --if-exists "$BASE_DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/current"
ln -s "$REPO_ROOT" "$WORK/current/$MODULE"
write_release_config "$WORK/current.conf" "$WORK/current"
create_release_base_db "$BASE_DB" "$WORK/current.conf"
for release in "${@:-current}"; do
    if [ "$release" = current ]; then
        conf=$WORK/current.conf
        version=$(manifest_version)
    else
        conf=$WORK/$release.conf
        write_release_config "$conf" "$(release_addons "$WORK" "$release")"
        version=$release
    fi
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    createdb -T "$BASE_DB" "$DB"
    odoo_bin -c "$conf" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
    "$PYTHON" "$REPO_ROOT/scripts/template_fingerprints.py" --config "$conf" --database "$DB" \
        --release "$version"
done
