#!/usr/bin/env bash
# Regenerates i18n/account_dunning.pot from a fresh database with the module
# and its demo data (the names of the demo's sequences and steps are
# translated too), and merges it into every translation (new terms
# untranslated, old ones dropped). Needs gettext's msgmerge.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

find_odoo
ensure_postgres
make_addons_dir
DB=${I18N_DB:-account_dunning_i18n_$$}
CONF="$ADDONS_DIR/odoo.conf"
WITHOUT_DEMO=False write_config "$CONF" "$DB"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$ADDONS_DIR"' EXIT

dropdb --if-exists "$DB" >/dev/null 2>&1 || true
odoo_bin -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
odoo_bin -c "$CONF" -d "$DB" --modules="$MODULE" --i18n-export="$REPO_ROOT/i18n/$MODULE.pot" \
    --log-level=warn
for po in "$REPO_ROOT"/i18n/*.po; do
    msgmerge --quiet --no-fuzzy-matching --no-wrap --update --backup=none "$po" "$REPO_ROOT/i18n/$MODULE.pot"
    msgattrib --no-obsolete --no-wrap --output-file="$po" "$po"
done
