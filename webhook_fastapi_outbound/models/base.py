# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ORM hooks of the outbound rules, on every model (``_inherit = "base"``).

Why not patch the watched model classes, as base_automation does: its
_unregister_hook (run whenever a base.automation rule is saved) deletes
every ``write``/``create``/``_compute_field_value``/``unlink`` attribute of
every model class, ours included, which left the rules silent until a
restart. These methods are part of every model's class hierarchy instead:
nothing deletes them, and base_automation's patches call them as their
origin. The cost on a model no rule watches: one lookup in a cached dict."""

from odoo import api, models

# cr.postcommit.data key (cleared at commit and rollback): {model name:
# {record id: names of the stored computed fields computed once}} for the
# records created in this transaction, whose first computation belongs to
# their creation (see "Also on Creation"), not to a transition.
CREATED_KEY = "webhook_fastapi_outbound.created"


class Base(models.AbstractModel):
    _inherit = "base"

    def _webhook_outbound_rules(self):
        """The RuleData of the active rules on this model; () while the
        registry is loading (the rules' table may not exist yet) and for
        what the sending job writes."""
        if not self.pool.ready or self.env.context.get("webhook_outbound_internal"):
            return ()
        return self.env["webhook.outbound.trigger"]._rules_for_model(self._name)

    def write(self, vals):
        rules = self and self._webhook_outbound_rules()
        # The cheap path: a set intersection per rule of the model.
        rules = [data for data in rules if data.fields & vals.keys()]
        if not rules:
            return super().write(vals)
        Trigger = self.env["webhook.outbound.trigger"].sudo()
        records = self.sudo().filtered("id")
        before = {data: Trigger._match(data, records) for data in rules}
        result = super().write(vals)
        for data in rules:
            # A true transition: did not match before the write, matches after.
            Trigger._queue(data, Trigger._match(data, records - before[data]))
        return result

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        rules = [data for data in self._webhook_outbound_rules() if data.on_create]
        if rules:
            Trigger = self.env["webhook.outbound.trigger"].sudo()
            for data in rules:
                Trigger._queue(data, Trigger._match(data, records.sudo()))
        return records

    def _create(self, data_list):
        records = super()._create(data_list)
        if self._webhook_outbound_rules():
            created = self.env.cr.postcommit.data.setdefault(CREATED_KEY, {})
            created.setdefault(self._name, {}).update(
                (rid, set()) for rid in records.ids
            )
        return records

    def _compute_field_value(self, field):
        """Stored computed fields change through a recompute, not write():
        compare the records' match before and after, as base_automation
        does, for the rules whose domain reads one of the stored fields
        that this compute method assigns."""
        rules = self._webhook_outbound_rules()
        if not rules:
            return super()._compute_field_value(field)
        stored = {f.name for f in self.pool.field_computed.get(field, ()) if f.store}
        rules = [data for data in rules if data.fields & stored]
        records = self.sudo().filtered("id") if rules else ()
        if records:
            records -= self._webhook_outbound_first_compute(records, stored)
        if not records:
            return super()._compute_field_value(field)
        Trigger = self.env["webhook.outbound.trigger"].sudo()
        before = {data: Trigger._match(data, records) for data in rules}
        result = super()._compute_field_value(field)
        for data in rules:
            Trigger._queue(data, Trigger._match(data, records - before[data]))
        return result

    def _webhook_outbound_first_compute(self, records, stored):
        """The records of ``records`` created in this transaction whose
        fields ``stored`` are computed for the first time: they had no
        value before (NULL in the table), so this is no transition."""
        created = self.env.cr.postcommit.data.get(CREATED_KEY, {}).get(self._name)
        if not created:
            return records.browse()
        first = []
        for rid in records.ids:
            done = created.get(rid)
            if done is not None and not stored <= done:
                first.append(rid)
                done.update(stored)
        return records.browse(first)

    def unlink(self):
        rules = self and self._webhook_outbound_rules()
        rules = [data for data in rules if data.on_unlink]
        if rules:
            # Before the deletion: the payload is built from the record.
            Trigger = self.env["webhook.outbound.trigger"].sudo()
            Trigger._queue_deletions(rules, self.sudo())
        return super().unlink()
