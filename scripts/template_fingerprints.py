# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Record the fingerprints of the templates of a release, as installed on a
database, in migrations/shipped_templates.json (see
scripts/template-fingerprints.sh)."""

import argparse
import importlib.util
import json
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

HELPERS = Path(__file__).resolve().parent.parent / "migrations" / "helpers.py"


def load_helpers():
    # By path: the database may run an earlier release, whose
    # account_dunning has no such file.
    spec = importlib.util.spec_from_file_location("account_dunning_upgrade_helpers", HELPERS)
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    return helpers


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--release", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    helpers = load_helpers()
    path = helpers.SHIPPED_TEMPLATES
    shipped = json.loads(path.read_text()) if path.exists() else {}
    # Recording a release again replaces what was recorded for it.
    for by_lang in shipped.values():
        for fingerprints in by_lang.values():
            for fingerprint, releases in list(fingerprints.items()):
                if args.release in releases:
                    releases.remove(args.release)
                if not releases:
                    del fingerprints[fingerprint]
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for xmlid, template in sorted(helpers.module_templates(env).items()):
            for code, fingerprint in helpers.template_fingerprints(template).items():
                releases = (
                    shipped.setdefault(xmlid, {})
                    .setdefault(helpers._lang_key(code), {})
                    .setdefault(fingerprint, [])
                )
                if args.release not in releases:
                    releases.append(args.release)
                    releases.sort(key=lambda v: [int(part) for part in v.split(".")])
    path.write_text(json.dumps(shipped, indent=2, sort_keys=True) + "\n")
    print(f"Fingerprints of {args.release} recorded in {path}")


if __name__ == "__main__":
    main()
