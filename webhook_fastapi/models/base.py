# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the lookups of a running batch must hear of (``_inherit = "base"``):
every change of a record of a model whose lookup answers the batch keeps
(see tools/batch_lookups.py). The cost outside a batch, and on the models
it does not watch: one dictionary lookup per call."""

from odoo import models

from ..tools.batch_lookups import active_lookups


def _watching(records):
    lookups = active_lookups(records.env)
    return lookups if lookups is not None and lookups.watches(records._name) else None


class Base(models.AbstractModel):
    _inherit = "base"

    def write(self, vals):
        lookups = _watching(self)
        if lookups is None:
            return super().write(vals)
        fnames = set(vals)  # before overrides pop some of them
        lookups.changing(self, fnames)
        result = super().write(vals)
        lookups.changed(self, fnames)
        return result

    def _create(self, data_list):
        records = super()._create(data_list)
        lookups = _watching(records)
        if lookups is not None:
            lookups.changed(records)
        return records

    def unlink(self):
        lookups = _watching(self)
        if lookups is not None:
            lookups.changing(self)
        return super().unlink()

    def _compute_field_value(self, field):
        lookups = _watching(self)
        if lookups is None or not field.store:
            return super()._compute_field_value(field)
        fnames = [f.name for f in self.pool.field_computed.get(field, [field])]
        lookups.changing(self, fnames)
        result = super()._compute_field_value(field)
        lookups.changed(self, fnames)
        return result

    def _invalidate_cache(self, fnames=None, ids=None):
        lookups = _watching(self)
        if lookups is not None:
            lookups.forget(self._name, fnames)
        return super()._invalidate_cache(fnames, ids)
