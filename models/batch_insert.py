# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.fields import Command
from odoo.models import INSERT_BATCH_SIZE, LOG_ACCESS_COLUMNS
from odoo.tools import SQL, split_every


def insert_records(model, vals_list, raw=()):
    """Create records of ``model`` from ``vals_list`` in one INSERT, stored
    as ``create`` stores them, for values built by the module: stored
    columns, and many2many given as one ``Command.set``. The defaults of
    the fields not given are computed once for the batch rather than once
    per record, nor is each value converted for the cache: per record,
    ``create`` cost more than the INSERT. As after ``create``, the stored
    fields depending on the new records are marked to recompute, and the
    one2many of the records they point to are read again.

    Not for values a person entered: the company of each record is not
    checked (``_check_company``), nor its Python constraints, nor what an
    override of ``create`` does.

    :param raw: the fields whose values are stored as given, not
        sanitized (HTML built from escaped text only)
    """
    if not vals_list:
        return model.browse()
    given = sorted({fname for vals in vals_list for fname in vals})
    fields = [model._fields[fname] for fname in given]
    relations = [field for field in fields if field.type == "many2many" and field.store]
    if any(not (field.store and field.column_type) for field in fields if field not in relations):
        raise ValueError(f"{model._name}: only stored fields are inserted, not {given}")
    given_by_all = set.intersection(*(set(vals) for vals in vals_list))
    defaulted = [
        fname
        for fname, field in model._fields.items()
        if field.store and field.column_type and fname not in given_by_all
        if fname != "id" and fname not in LOG_ACCESS_COLUMNS and not field.compute
    ]
    defaults = model.default_get(defaulted)
    now = model.env.cr.now()
    magic = {}
    if model._log_access:
        magic = dict.fromkeys(("create_uid", "write_uid"), model.env.uid)
        magic.update(dict.fromkeys(("create_date", "write_date"), now))
    links = {
        field: [_get_set_ids(field, vals.get(field.name)) for vals in vals_list]
        for field in relations
    }
    columns = sorted({*defaults, *given, *magic} - {field.name for field in relations})
    rows = []
    for vals in vals_list:
        values = {**magic, **defaults, **vals}
        rows.append(
            SQL(", ").join(
                (str(values[fname]) if values.get(fname) else None)
                if fname in raw
                else model._fields[fname].convert_to_column_insert(values.get(fname), model, values)
                for fname in columns
            )
        )
    ids = []
    # Statements of at most as many rows as the ORM inserts at once: each
    # one short, its indexes updated in steps.
    for batch in split_every(INSERT_BATCH_SIZE, rows):
        model.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s RETURNING id",
                SQL.identifier(model._table),
                SQL(", ").join(map(SQL.identifier, columns)),
                SQL(", ").join(SQL("(%s)", row) for row in batch),
            )
        )
        ids.extend(row[0] for row in model.env.cr.fetchall())
    records = model.browse(ids)
    for field, ids_list in links.items():
        _insert_relation(records, field, ids_list)
    for field in fields:
        _invalidate_inverses(records, field, vals_list)
    with model.env.protecting(fields, records):
        records.modified([*columns, *(field.name for field in relations)], create=True)
    return records


def _get_set_ids(field, commands):
    """The ids of one ``Command.set`` given to the many2many ``field``."""
    if not commands:
        return []
    if len(commands) != 1 or commands[0][0] != Command.SET:
        raise ValueError(f"{field}: only one Command.set is inserted, not {commands}")
    return list(dict.fromkeys(commands[0][2]))


def _insert_relation(records, field, ids_list):
    """Insert the rows of the many2many ``field`` of the new ``records``,
    as the ORM inserts them."""
    pairs = [
        (record_id, target_id)
        for record_id, target_ids in zip(records.ids, ids_list, strict=True)
        for target_id in target_ids
    ]
    for batch in split_every(INSERT_BATCH_SIZE, pairs):
        records.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s, %s) VALUES %s ON CONFLICT DO NOTHING",
                SQL.identifier(field.relation),
                SQL.identifier(field.column1),
                SQL.identifier(field.column2),
                SQL(", ").join(SQL("(%s, %s)", *pair) for pair in batch),
            )
        )


def _invalidate_inverses(records, field, vals_list):
    """Have the records that ``field`` of the new ``records`` points to
    read their one2many (or many2many) of them again."""
    inverses = records.pool.field_inverses[field]
    if not inverses:
        return
    targets = {}  # {model name: ids}
    for vals in vals_list:
        value = vals.get(field.name)
        if not value:
            continue
        if field.type == "many2one":
            targets.setdefault(field.comodel_name, set()).add(value)
        elif field.type == "many2one_reference":
            targets.setdefault(vals.get(field.model_field), set()).add(value)
        elif field.type == "many2many":
            targets.setdefault(field.comodel_name, set()).update(value[0][2])
    for inverse in inverses:
        if inverse.model_name in targets:
            records.env[inverse.model_name].browse(
                targets[inverse.model_name]
            ).invalidate_recordset([inverse.name])
