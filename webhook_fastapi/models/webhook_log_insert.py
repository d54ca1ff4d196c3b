# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""How an API log entry is written: one plain INSERT (every call writes
one), and the Full Log attachment of a long call (webhook_log.py is the
model itself)."""

from odoo import api, models, tools
from odoo.tools import SQL


class WebhookLogInsert(models.Model):
    _inherit = "webhook.log"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _insert_entry(self, vals, savepoint=None):
        """Insert one entry of ``vals`` (stored fields) in one INSERT, as
        create() stores it (the fields' own defaults, who and when), without
        create()'s work around it: no constraint, computed field, tracking
        or trigger watches this log (the outbound rules refuse it), and
        every call writes one. The pending RELEASE of ``savepoint`` (a
        CallSavepoint) goes in the same round trip. Returns the entry."""
        fields_ = self._fields
        if any(
            name not in fields_
            or not fields_[name].column_type
            or name in models.LOG_ACCESS_COLUMNS
            for name in vals
        ):
            return self.create(vals)  # not only the columns it writes: the ORM's way
        values = {
            name: fields_[name].default(self)
            for name in self._insert_defaults()
            if name not in vals
        }
        values.update(vals)
        row = [
            fields_[name].convert_to_column_insert(value, self, values)
            for name, value in values.items()
        ]
        row += [self.env.uid, self.env.uid]
        # Field names quoted as SQL.identifier quotes them, in one SQL object
        # rather than one per column (composing those cost more than the
        # INSERT's round trip). As create() writes them: who, and now() as
        # cr.now() reads it, the transaction's clock.
        columns = ", ".join(f'"{name}"' for name in values)
        query = SQL(
            f'INSERT INTO "{self._table}" ({columns}, "create_uid", "write_uid", '
            '"create_date", "write_date") VALUES '
            f"({', '.join(['%s'] * len(row))}, "
            "now() at time zone 'UTC', now() at time zone 'UTC') RETURNING id",
            *row,
        )
        release = savepoint.take_release() if savepoint is not None else None
        if release is not None:
            query = SQL("%s; %s", release, query)
        self.env.cr.execute(query)
        return self.browse(self.env.cr.fetchone()[0])

    @api.model
    @tools.ormcache()
    def _insert_defaults(self):
        """Names of the stored fields with a default of their own."""
        return tuple(
            name
            for name, field in self._fields.items()
            if field.store
            and field.column_type
            and field.default
            and name not in models.LOG_ACCESS_COLUMNS
        )

    def _attach_full_log(self, request_text, response_text):
        self.ensure_one()
        content = '{"request": %s, "response": %s}' % (
            request_text or "null",
            response_text or "null",
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"webhook-log-{self.id}.json",
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/json",
                "raw": content.encode(),
            }
        )
        self.full_log_attachment_id = attachment
