# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class WebhookUpsertKey(models.Model):
    """Digests of the keys of recent /api/create_update_data calls: the
    unique row that makes concurrent upserts of one key create one record
    (see webhook.api.service._api_lock_key)."""

    _name = "webhook.upsert.key"
    _description = "Webhook API: recent upsert keys"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("key_unique", "unique (key)", "An upsert key is recorded once.")
    ]

    @api.autovacuum
    def _gc_old_keys(self):
        # A key only matters while concurrent calls may still be running.
        self.env.cr.execute(
            "DELETE FROM webhook_upsert_key "
            "WHERE date < (now() at time zone 'UTC') - interval '1 day'"
        )
