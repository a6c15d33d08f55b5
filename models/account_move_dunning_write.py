# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.tools import SQL, split_every

from .account_move import ENGINE_WRITE_CONTEXT, RECOMPUTE_CHUNK


class AccountMove(models.Model):
    """How the dunning state of invoices is written and recomputed: by the
    engine, the actions and the settings that change it (steps, sequences,
    grace window), in sudo and without touching accounting data."""

    _inherit = "account.move"

    def _dunning_write_step(self, vals):
        """Write the last step done with ``vals`` (the engine's own dunning
        fields), remembering the due date of the instalment it was done for:
        one UPDATE for all the invoices, as the ORM's write would store it,
        and the fields computed from them recomputed as after that write.
        The ORM's write of ``account.move`` runs the accounting's checks and
        syncs, needless for these fields and the costliest part of moving
        the invoices of a run to their step."""
        if not self:
            return
        moves = self.sudo()
        fnames = ["dunning_step_date_due", *vals]
        moves.flush_recordset(["dunning_date_due", *fnames])
        moves.modified(fnames, before=True)
        assignments = [
            SQL(
                "%s = %s",
                SQL.identifier(fname),
                moves._fields[fname].convert_to_column(value, moves),
            )
            for fname, value in vals.items()
        ]
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET dunning_step_date_due = dunning_date_due, %s,"
                " write_uid = %s, write_date = (now() at time zone 'UTC') WHERE id IN %s",
                SQL(", ").join(assignments),
                self.env.uid,
                tuple(moves.ids),
            )
        )
        moves.invalidate_recordset([*fnames, "write_uid", "write_date"])
        moves.modified(fnames)

    def _dunning_write(self, vals):
        """Write dunning state without touching accounting data."""
        if self:
            self.sudo().with_context(**ENGINE_WRITE_CONTEXT, dunning_written=tuple(vals)).write(
                vals
            )

    def _check_company(self, fnames=None):
        # The ORM checks every field of every invoice when one relational
        # field is written. The engine writes its own state only: check its
        # fields, once per company and value, so that moving thousands of
        # invoices to another sequence costs no per-invoice check.
        written = self.env.context.get("dunning_written")
        if (
            fnames is not None
            or not written
            or any(not fname.startswith("dunning_") for fname in written)
        ):
            return super()._check_company(fnames=fnames)
        fnames = [fname for fname in written if self._fields[fname].relational]
        samples = {(move.company_id, *(move[fname] for fname in fnames)): move.id for move in self}
        return super(AccountMove, self.browse(samples.values()))._check_company(fnames=fnames)

    def _dunning_recompute_status(self):
        """Recompute the collection status, after a change the ORM cannot
        see: the date."""
        self._dunning_recompute(["dunning_status", "dunning_status_until"])

    def _dunning_recompute_next(self):
        """Recompute the next step after a change the ORM cannot see, such as
        steps edited or the grace window changed."""
        self._dunning_recompute(["dunning_next_step_id", "dunning_next_date"])

    def _dunning_recompute(self, fnames):
        """Recompute the stored fields ``fnames`` of these invoices, by
        chunks stored and dropped from memory one after the other when they
        are many: a step edited on a book of a million open invoices."""
        moves = self.sudo()
        for chunk in moves._dunning_chunks():
            for fname in fnames:
                self.env.add_to_compute(moves._fields[fname], chunk)
            chunk._recompute_recordset(fnames)

    def _dunning_chunks(self, size=RECOMPUTE_CHUNK):
        """These invoices, ``size`` at a time; between two chunks, what was
        computed or written is stored and the cache emptied."""
        for index, ids in enumerate(split_every(size, self.ids)):
            if index:
                self.env.flush_all()
                self.env.invalidate_all()
            yield self.browse(ids)
