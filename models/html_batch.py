# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tools import SQL


def create_with_html(model, vals_list, fname, sanitize=True):
    """Create records of ``model`` in one batch, the HTML field ``fname``
    of each sanitized once at most: the ORM sanitizes an HTML value twice
    on create (for its cache and for its column), which was the largest
    cost of a reminder.

    :param sanitize: False for values built by the caller from escaped text
        only
    """
    if not vals_list:
        return model
    field = model._fields[fname]
    values = [
        (field.convert_to_cache(vals.get(fname), model) if sanitize else vals.get(fname)) or ""
        for vals in vals_list
    ]
    records = model.create([dict(vals, **{fname: ""}) for vals in vals_list])
    model.env.flush_all()
    model.env.cr.execute(
        SQL(
            "UPDATE %(table)s t SET %(column)s = v.value FROM (VALUES %(values)s)"
            " AS v(id, value) WHERE t.id = v.id",
            table=SQL.identifier(model._table),
            column=SQL.identifier(fname),
            values=SQL(",").join(
                SQL("(%s, %s)", record.id, str(value))
                for record, value in zip(records, values, strict=True)
            ),
        )
    )
    records.invalidate_recordset([fname])
    return records
