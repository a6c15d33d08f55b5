# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the migration scripts of account_dunning share.

``-u`` never rewrites the module's ``noupdate`` records (scheduled actions,
email and SMS templates) nor fills what a new stored field needs: each
release's scripts in ``migrations/<version>/`` do, with these helpers.

A template is brought to the new version only if a partner did not edit it:
its values in every installed language must be those of a version the module
shipped. The fingerprints of the shipped versions are recorded in
``shipped_templates.json`` (``scripts/template_fingerprints.py`` records a
release's); an edited template is left as is and named in the log.

This file is also loaded by path, by scripts working on databases of earlier
releases: it imports nothing of the module.
"""

import hashlib
import json
import logging
import re
from pathlib import Path

from odoo.tools import SQL, split_every
from odoo.tools.translate import PoFileReader, get_po_paths

_logger = logging.getLogger(__name__)

MODULE = "account_dunning"
SHIPPED_TEMPLATES = Path(__file__).with_name("shipped_templates.json")
# Every value of a template that resetting it from its file rewrites or
# empties: equal on all of them to a shipped version means not edited.
TEMPLATE_FIELDS = {
    "mail.template": (
        "name",
        "description",
        "active",
        "model",
        "subject",
        "email_from",
        "use_default_to",
        "email_to",
        "partner_to",
        "email_cc",
        "reply_to",
        "lang",
        "body_html",
        "attachment_ids",
        "report_template_ids",
        "email_layout_xmlid",
        "mail_server_id",
        "scheduled_date",
        "auto_delete",
        "user_id",
        "ref_ir_act_window",
    ),
    "sms.template": ("name", "model", "body", "lang", "sidebar_action_id"),
}
# Chunks of invoices recomputed at once, so that memory stays flat.
RECOMPUTE_CHUNK = 2000


# ----------------------------------------------------------------------
# Templates
# ----------------------------------------------------------------------


def _normalize(value):
    """A value as compared between versions: whitespace, which the XML
    loader and Odoo's sanitizers may change between releases of Odoo,
    does not count."""
    if not isinstance(value, str):
        return value
    value = re.sub(r">\s+<", "><", str(value))
    return re.sub(r"\s+", " ", value).strip()


def _template_values(template):
    values = {}
    for fname in TEMPLATE_FIELDS[template._name]:
        value = template[fname]
        field = template._fields[fname]
        if fname == "report_template_ids":
            value = sorted(value.mapped("report_name"))
        elif field.type in ("many2many", "one2many"):
            value = len(value)
        elif field.type == "many2one":
            value = bool(value)
        values[fname] = _normalize(value or False)
    return values


def _lang_key(code):
    """The translations a language gets from the module: fr_BE, fr_CA...
    load its fr.po."""
    return code.split("_")[0] if code != "en_US" else code


def template_fingerprints(template):
    """{language key: fingerprint} of a template in English and in every
    other installed language."""
    languages = [code for code, _name in template.env["res.lang"].get_installed()]
    fingerprints = {}
    for code in ["en_US"] + [code for code in languages if code != "en_US"]:
        values = _template_values(template.with_context(lang=code))
        payload = json.dumps(values, sort_keys=True, default=str)
        fingerprints[code] = hashlib.sha256(payload.encode()).hexdigest()[:16]
    return fingerprints


def module_templates(env):
    """The email and SMS templates the module ships, by XML id."""
    data = env["ir.model.data"].search(
        [("module", "=", MODULE), ("model", "in", list(TEMPLATE_FIELDS))]
    )
    return {
        f"{MODULE}.{row.name}": env[row.model].browse(row.res_id).exists()
        for row in data
        if env[row.model].browse(row.res_id).exists()
    }


def load_shipped_templates():
    return json.loads(SHIPPED_TEMPLATES.read_text())


def _template_state(template, shipped, version):
    """'current', 'shipped' (an earlier version, not edited) or 'edited'."""
    fingerprints = template_fingerprints(template)
    english = fingerprints["en_US"]
    known = shipped.get("en_US", {})
    if english not in known:
        return "edited"
    releases = set(known[english])
    for code, fingerprint in fingerprints.items():
        if code == "en_US" or fingerprint == english:
            # Not translated: English is shown.
            continue
        by_lang = shipped.get(_lang_key(code), {})
        if fingerprint not in by_lang:
            return "edited"
        releases &= set(by_lang[fingerprint])
    return "current" if version in releases else "shipped"


def update_templates(env, xmlids, version, shipped=None):
    """Bring these templates of the module to the version of the working
    files (``version``) with their translations, unless a partner edited
    them: those are left as is and named in the log.

    :param shipped: the fingerprints of the shipped versions, by default
        those recorded in ``shipped_templates.json``
    """
    shipped = load_shipped_templates() if shipped is None else shipped
    templates = module_templates(env)
    for xmlid in xmlids:
        template = templates.get(xmlid)
        if not template:
            continue
        state = _template_state(template, shipped.get(xmlid, {}), version)
        if state == "shipped":
            template.reset_template()
            _logger.info("%s: brought to version %s", xmlid, version)
        elif state == "edited":
            _logger.warning(
                "%s (%s) differs from every version this module shipped: left as "
                "is. Compare it with the version %s of %s, or reset it from its form "
                "to take that version.",
                xmlid,
                template.name,
                version,
                template.template_fs,
            )


# ----------------------------------------------------------------------
# Scheduled actions
# ----------------------------------------------------------------------


def repair_cron(env, xmlid, shipped, current):
    """Make the scheduled action ``xmlid`` call ``current`` (model, code)
    if it calls one of the ``shipped`` earlier ones. A job that called a
    method its model no longer had failed at every run and Odoo may have
    deactivated it: it is active again."""
    cron = env.ref(xmlid, raise_if_not_found=False)
    if not cron:
        return
    state = (cron.model_id.model, (cron.code or "").strip())
    if state == current:
        return
    if state not in shipped:
        _logger.warning(
            "%s (%s) calls %s on %s, which this module never shipped: left as is. "
            "It should call %s on %s.",
            xmlid,
            cron.name,
            state[1],
            state[0],
            current[1],
            current[0],
        )
        return
    cron.write({"model_id": env["ir.model"]._get_id(current[0]), "code": current[1]})
    _logger.info("%s now calls %s on %s", xmlid, current[1], current[0])
    if not cron.active:
        cron.active = True
        _logger.warning(
            "%s (%s) failed at every run since an earlier upgrade and was inactive: it is "
            "repaired and active again.",
            xmlid,
            cron.name,
        )


# ----------------------------------------------------------------------
# Stored fields
# ----------------------------------------------------------------------


def recompute_dunning_next(env):
    """Recompute the next step and date of the open invoices in a
    sequence, after a change of what they count from."""
    Move = env["account.move"].sudo()
    moves = Move._search_dunning_open_moves([("dunning_sequence_id", "!=", False)])
    for ids in split_every(RECOMPUTE_CHUNK, moves.ids):
        Move.browse(ids)._dunning_recompute_next()
        env.flush_all()
        env.invalidate_all()
    _logger.info("Next dunning step recomputed on %s open invoices", len(moves))


def column_exists(cr, table, column):
    cr.execute(
        SQL(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            table,
            column,
        )
    )
    return bool(cr.fetchone())


def fill_column_from(cr, table, column, column_type, expression):
    """Create ``column`` filled with ``expression`` (SQL on the table's
    row), unless it exists: the ORM would fill it with its default."""
    if column_exists(cr, table, column):
        return
    cr.execute(
        SQL(
            "ALTER TABLE %(table)s ADD COLUMN %(column)s %(type)s;"
            " UPDATE %(table)s SET %(column)s = %(expression)s",
            table=SQL.identifier(table),
            column=SQL.identifier(column),
            type=SQL(column_type),
            expression=SQL(expression),
        )
    )


# ----------------------------------------------------------------------
# Records the module ships
# ----------------------------------------------------------------------


def shipped_translations(env, xmlid, fname):
    """{language: value} of the field ``fname`` of the module's record
    ``xmlid`` in the translation files of the installed languages: what a
    record made by a migration, like the shipped one, is named."""
    name = xmlid.split(".", 1)[1]
    translations = {}
    for code, _label in env["res.lang"].get_installed():
        if code == "en_US":
            continue
        for path in get_po_paths(MODULE, code, env):
            for entry in PoFileReader(path):
                if (
                    entry.get("imd_name") == name
                    and entry.get("name", "").endswith(f",{fname}")
                    and entry["value"]
                ):
                    translations.setdefault(code, entry["value"])
    return translations


# ----------------------------------------------------------------------
# Steps
# ----------------------------------------------------------------------


def create_thank_you_steps(env, name, column="thank_you_template_id"):
    """Give each sequence whose thank-you template (``column``, the field
    of the sequences before 18.0.1.6.0, read in SQL) is set the step sent
    when paid, with that template, named ``name`` in English and as the
    module's shipped thank-you step in the other languages. A sequence
    that has such a step already is left as is."""
    if not column_exists(env.cr, "account_dunning_sequence", column):
        return
    env.cr.execute(
        SQL(
            "SELECT id, %(column)s FROM account_dunning_sequence"
            " WHERE %(column)s IS NOT NULL ORDER BY id",
            column=SQL.identifier(column),
        )
    )
    rows = env.cr.fetchall()
    Sequence = env["account.dunning.sequence"].with_context(active_test=False)
    translations = None
    for sequence_id, template_id in rows:
        sequence = Sequence.browse(sequence_id).exists()
        template = env["mail.template"].browse(template_id).exists()
        if not sequence or sequence.paid_step_id:
            continue
        if not template or template.model != "account.move":
            _logger.warning(
                "%s: its thank-you template (id %s) is gone or not for invoices: no "
                "thank-you step.",
                sequence.name,
                template_id,
            )
            continue
        step = env["account.dunning.step"].create(
            {
                "sequence_id": sequence.id,
                "name": name,
                "trigger": "paid",
                "channel": "email",
                "mail_template_id": template.id,
                "auto": True,
            }
        )
        if translations is None:
            translations = shipped_translations(env, f"{MODULE}.dunning_step_thank_you", "name")
        if translations:
            step.update_field_translations("name", translations)
        _logger.info("%s: its thank-you email is now its step %s", sequence.name, name)


def create_trigger_steps(env, trigger, name, template_xmlid, step_xmlid):
    """Give each sequence without a step sent on ``trigger`` (one of the
    triggers other than the due date) that step, by email with the
    module's template ``template_xmlid`` as the database has it, named
    ``name`` in English and as the module's shipped step ``step_xmlid`` in
    the other languages. A sequence that has such a step is left as is."""
    template = env.ref(template_xmlid, raise_if_not_found=False)
    if not template:
        _logger.warning(
            "The template %s is gone: no step sent %s is given to the sequences.",
            template_xmlid,
            trigger,
        )
        return
    sequences = (
        env["account.dunning.sequence"]
        .with_context(active_test=False)
        .search([("step_ids", "not any", [("trigger", "=", trigger)])])
    )
    if not sequences:
        return
    steps = env["account.dunning.step"].create(
        [
            {
                "sequence_id": sequence.id,
                "name": name,
                "trigger": trigger,
                "channel": "email",
                "mail_template_id": template.id,
                "auto": True,
            }
            for sequence in sequences
        ]
    )
    translations = shipped_translations(env, step_xmlid, "name")
    if translations:
        for step in steps:
            step.update_field_translations("name", translations)
    _logger.info(
        "%s sequences now send their payment plans' messages as the step %s.",
        len(steps),
        name,
    )
