# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hashlib
import json

from odoo import api, fields, models


class WebhookUpsertKey(models.Model):
    """One row per (model, lookup values) that the API created a record for:
    the row that makes concurrent creations of one key create one record
    (see ``_lock_creation``)."""

    _name = "webhook.upsert.key"
    _description = "Webhook API: keys of records created by lookup"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("key_unique", "unique (key)", "An upsert key is recorded once.")
    ]

    @api.model
    def _lock_creation(self, model_name, lookup_values):
        """Call after a lookup found nothing, before creating the record.

        Writes the key's row (insert, or update when it exists). A second
        caller of the same key blocks on that row until the first one
        commits; then, since its REPEATABLE READ snapshot cannot see the
        first one's change, PostgreSQL raises a serialization failure and
        Odoo retries the request in a new transaction, whose lookup finds
        the record the first one created. The same happens when the first
        one committed after this transaction's snapshot was taken, which a
        plain or advisory lock would not catch. Whatever the key's history
        (renamed, archived, deleted record), the row is always written, so
        no creation goes unserialized; lookups that find their record never
        write it, so updates do not queue behind each other here.
        """
        text = json.dumps([model_name, lookup_values], sort_keys=True, default=str)
        digest = hashlib.sha1(text.encode()).hexdigest()
        self.env.cr.execute(
            "INSERT INTO webhook_upsert_key (key, date) "
            "VALUES (%s, now() at time zone 'UTC') "
            "ON CONFLICT (key) DO UPDATE SET date = EXCLUDED.date",
            [digest],
            log_exceptions=False,  # a serialization failure is expected: retried
        )

    @api.autovacuum
    def _gc_old_keys(self):
        # A key only matters while concurrent calls may still be running.
        self.env.cr.execute(
            "DELETE FROM webhook_upsert_key "
            "WHERE date < (now() at time zone 'UTC') - interval '1 day'"
        )
