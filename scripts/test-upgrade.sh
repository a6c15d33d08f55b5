#!/usr/bin/env bash
# The upgrade test: earlier releases, taken from git history, are installed
# on a database, given a small book and two days of reminders through the
# scheduled action, then upgraded with -u to the working tree and checked
# (scripts/upgrade_scenario.py says what is checked).
#
# The releases: the first one (18.0.1.0.0) and the previous one, the latest
# release tag below the manifest's version. Others can be named:
#   scripts/test-upgrade.sh 18.0.1.2.0 18.0.1.3.0
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ "${SKIP_SETUP:-0}" = 1 ] || "$REPO_ROOT/scripts/setup-env.sh"
find_odoo
ensure_postgres
git -C "$REPO_ROOT" rev-parse --git-dir >/dev/null 2>&1 \
    || die "The upgrade test takes the earlier releases from git history: $REPO_ROOT is no git checkout."
CURRENT=$(manifest_version)

if [ $# -gt 0 ]; then
    RELEASES=("$@")
else
    PREVIOUS=$(previous_release)
    [ -n "$PREVIOUS" ] || die "No release tag below $CURRENT: tag the releases (git tag 18.0.x.y.z <commit>)."
    RELEASES=("$FIRST_RELEASE")
    [ "$PREVIOUS" = "$FIRST_RELEASE" ] || RELEASES+=("$PREVIOUS")
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/account_dunning_upgrade.XXXXXX")
BASE_DB=account_dunning_upgrade_base_$$
DBS=("$BASE_DB")
cleanup() {
    if [ "${KEEP_DB:-0}" != 1 ]; then
        for db in "${DBS[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done
        rm -rf "$WORK"
    else
        echo "Kept: databases ${DBS[*]}, files in $WORK"
    fi
}
trap cleanup EXIT

# Once for all releases: a database with Odoo's modules the addon depends on,
# English and French, copied for each release.
mkdir -p "$WORK/current"
ln -s "$REPO_ROOT" "$WORK/current/$MODULE"
write_release_config "$WORK/current.conf" "$WORK/current"
echo "Creating the base database $BASE_DB (Accounting, French)..."
create_release_base_db "$BASE_DB" "$WORK/current.conf"

# $1: the release; the scenario's log is $WORK/<release>.log
upgrade_from() {
    local release=$1 db=account_dunning_upgrade_${1//./_}_$$ dir conf
    local log=$WORK/$release.log
    dir=$(release_addons "$WORK" "$release")
    conf=$WORK/$release.conf
    write_release_config "$conf" "$dir"
    {
        echo "== Upgrade from $release ($(release_commit "$release" | cut -c1-7)) to $CURRENT"
        createdb -T "$BASE_DB" "$db"
        odoo_bin -c "$conf" -d "$db" -i "$MODULE" --stop-after-init --log-level=warn
        "$PYTHON" "$REPO_ROOT/scripts/upgrade_scenario.py" prepare --config "$conf" --database "$db" \
            --release "$release"
        echo "Upgrading to the working tree..."
        odoo_bin -c "$WORK/current.conf" -d "$db" -u "$MODULE" --stop-after-init --log-level=info \
            --logfile="$WORK/$release.upgrade.log"
        "$PYTHON" "$REPO_ROOT/scripts/upgrade_scenario.py" check --config "$WORK/current.conf" \
            --database "$db" --release "$release" --upgrade-log "$WORK/$release.upgrade.log"
    } >"$log" 2>&1
}

# The releases are upgraded side by side: each one is a process of its own.
pids=()
for release in "${RELEASES[@]}"; do
    DBS+=("account_dunning_upgrade_${release//./_}_$$")
    upgrade_from "$release" &
    pids+=($!)
done
failed=0
for index in "${!RELEASES[@]}"; do
    if wait "${pids[$index]}"; then
        status=passed
    else
        status=FAILED
        failed=1
    fi
    cat "$WORK/${RELEASES[$index]}.log"
    echo "== Upgrade from ${RELEASES[$index]}: $status"
done
exit $failed
