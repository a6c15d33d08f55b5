# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models
from odoo.tools import SQL

from .account_move import ENGINE_WRITE_CONTEXT


class AccountMove(models.Model):
    """How the dunning state of invoices is written and recomputed: by the
    engine, the actions and the settings that change it (steps, sequences,
    grace window), in sudo and without touching accounting data."""

    _inherit = "account.move"

    def _dunning_write_step(self, vals):
        """Write the last step done with ``vals``, remembering the due date
        of the instalment it was done for (in one statement for all)."""
        if not self:
            return
        moves = self.sudo()
        moves.flush_recordset(["dunning_date_due", "dunning_step_date_due"])
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET dunning_step_date_due = dunning_date_due WHERE id IN %s",
                tuple(moves.ids),
            )
        )
        moves.invalidate_recordset(["dunning_step_date_due"])
        moves._dunning_write(vals)

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
        moves = self.sudo()
        for fname in ("dunning_status", "dunning_status_until"):
            self.env.add_to_compute(moves._fields[fname], moves)
        moves._recompute_recordset(["dunning_status", "dunning_status_until"])

    def _dunning_recompute_next(self):
        """Recompute the next step after a change the ORM cannot see, such as
        steps edited or the grace window changed."""
        moves = self.sudo()
        for fname in ("dunning_next_step_id", "dunning_next_date"):
            self.env.add_to_compute(moves._fields[fname], moves)
        moves._recompute_recordset(["dunning_next_step_id", "dunning_next_date"])
