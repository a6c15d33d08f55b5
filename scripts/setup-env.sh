#!/usr/bin/env bash
# Installs what the project needs besides Odoo and PostgreSQL: Odoo's Python
# dependencies and the test and lint tools (pinned, from PyPI), and, as root,
# the Debian packages used by tests (wkhtmltopdf, Chromium, pdftotext).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r "$REPO_ROOT/requirements-test.txt"

missing=()
command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
command -v chromium >/dev/null || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    else
        die "Missing Debian packages: ${missing[*]} (install them as root with apt-get)."
    fi
fi
