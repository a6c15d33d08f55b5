# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.tools import split_every

from .account_move import ENGINE_WRITE_CONTEXT, RECOMPUTE_CHUNK


class AccountMove(models.Model):
    """How the dunning state of invoices is written and recomputed: by the
    engine, the actions and the settings that change it (steps, sequences,
    grace window), in sudo and without touching accounting data."""

    _inherit = "account.move"

    def _dunning_write_step(self, vals):
        """Write the last step done with ``vals`` (the engine's own dunning
        fields), remembering the due date of the instalment it was done for,
        as the ORM's write stores it: the values put in the cache, to store,
        and the fields computed from them marked to recompute. The ORM then
        stores them with the fields recomputed from them in one UPDATE for
        all the invoices: each row written once, its indexes updated once
        (an UPDATE of the step, then one of the recomputed fields, wrote
        each row twice). The ORM's write of ``account.move`` runs the
        accounting's checks and syncs, needless for these fields and the
        costliest part of moving the invoices of a run to their step."""
        if not self:
            return
        moves = self.sudo()
        step_dates = moves.mapped("dunning_date_due")
        moves._dunning_set_values({**vals, "dunning_step_date_due": step_dates})

    def _dunning_set_values(self, vals):
        """Set ``vals`` ({field name: one value for all, or a list of one
        value per record}) as the ORM's write sets them, without its checks:
        in the cache, to store at the next flush, with write_uid and
        write_date, the fields depending on them marked to recompute."""
        fnames = [*vals, "write_uid", "write_date"]
        self.modified(vals, before=True)
        vals = dict(vals, write_uid=self.env.uid, write_date=self.env.cr.now())
        for fname, value in vals.items():
            field = self._fields[fname]
            values = value if isinstance(value, list) else [value] * len(self)
            self.env.cache.update(
                self, field, [field.convert_to_cache(value, self) for value in values], dirty=True
            )
        self.modified(fnames)

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
