# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.models import INSERT_BATCH_SIZE, LOG_ACCESS_COLUMNS
from odoo.tools import SQL, split_every


def insert_records(model, vals_list):
    """Create records of ``model`` from ``vals_list`` in one INSERT, stored
    as ``create`` stores them, for values built by the module: stored
    columns only, no x2many. The defaults of the fields not given are
    computed once for the batch rather than once per record, nor is each
    value converted for the cache: per record, ``create`` cost more than
    the INSERT. As after ``create``, the stored fields depending on the new
    records are marked to recompute, and the one2many of the records they
    point to are read again.

    Not for values a person entered: the company of each record is not
    checked (``_check_company``), nor its Python constraints.
    """
    if not vals_list:
        return model.browse()
    given = sorted({fname for vals in vals_list for fname in vals})
    fields = [model._fields[fname] for fname in given]
    if any(not (field.store and field.column_type) for field in fields):
        raise ValueError(f"{model._name}: only stored columns are inserted, not {given}")
    given_by_all = set.intersection(*(set(vals) for vals in vals_list))
    defaulted = [
        fname
        for fname, field in model._fields.items()
        if field.store and field.column_type and fname not in given_by_all
        if fname != "id" and fname not in LOG_ACCESS_COLUMNS and not field.compute
    ]
    defaults = model.default_get(defaulted)
    now = model.env.cr.now()
    magic = dict.fromkeys(("create_uid", "write_uid"), model.env.uid)
    magic.update(dict.fromkeys(("create_date", "write_date"), now))
    columns = sorted({*defaults, *given, *magic})
    rows = []
    for vals in vals_list:
        values = {**magic, **defaults, **vals}
        rows.append(
            SQL(", ").join(
                model._fields[fname].convert_to_column_insert(values.get(fname), model, values)
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
    for field in fields:
        inverses = model.pool.field_inverses[field]
        if field.type == "many2one" and inverses:
            targets = {vals[field.name] for vals in vals_list if vals.get(field.name)}
            model.env[field.comodel_name].browse(targets).invalidate_recordset(
                [inverse.name for inverse in inverses]
            )
    with model.env.protecting(fields, records):
        records.modified(columns, create=True)
    return records
