# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Idempotency keys of the write routes (header ``Idempotency-Key``).

Why an advisory lock and a row written in the call's own transaction,
rather than a row committed at once on a cursor of its own:

- ``pg_try_advisory_xact_lock`` on (user, key) is what a concurrent second
  call sees while the first one runs: it is taken before anything else and
  held until the first call's transaction ends, so the second call gets
  409 at once, without waiting.
- The key's row is inserted (state running) and then set to done, with the
  answer, in the call's own transaction: the answer is kept if and only if
  the work is committed. A crash or a rolled-back transaction leaves no
  "running" row behind that would block the key until it expires, and no
  "done" row whose work was lost.
- A call whose snapshot was taken before the first call committed cannot
  see its row: its ``INSERT ... ON CONFLICT`` then raises a serialization
  failure, and Odoo retries the request in a new transaction, which sees
  the kept answer and replays it.
"""

import json
import threading

from odoo import api, fields, models

from ..tools import ApiError
from ..tools.idempotency import lock_id
from ..tools.params import param_int

DEFAULT_IDEMPOTENCY_HOURS = 24


class WebhookIdempotencyKey(models.Model):
    _name = "webhook.idempotency.key"
    _description = "Webhook API: idempotency keys and their kept answers"
    _order = "id desc"
    _rec_name = "key"
    _log_access = False

    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, ondelete="cascade"
    )
    key = fields.Char(required=True, readonly=True, size=255)
    fingerprint = fields.Char(
        required=True, readonly=True, help="SHA-256 of the canonical JSON of params."
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")],
        required=True,
        readonly=True,
        default="running",
    )
    status = fields.Integer("HTTP Status", readonly=True)
    response = fields.Text("Kept Answer", readonly=True)
    date = fields.Datetime(
        "Created", required=True, readonly=True, index=True, default=fields.Datetime.now
    )

    _sql_constraints = [
        ("user_key_unique", "unique (user_id, key)", "A key is kept once per user.")
    ]

    @api.model
    def _retention_hours(self):
        return param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.idempotency_hours",
            DEFAULT_IDEMPOTENCY_HOURS,
        )

    @api.model
    def _claim(self, uid, key, fingerprint):
        """Take ``key`` for this call: None when the call is to run; the
        kept ``(status, response)`` when it is to be replayed; a 409 while
        another call with the key runs, a 422 when the body differs."""
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id(uid, key)])
        if not cr.fetchone()[0]:
            raise ApiError(_running_message(), 409)
        # An expired row (not purged yet) is taken over as a new key.
        cr.execute(
            """INSERT INTO webhook_idempotency_key
                      (user_id, key, fingerprint, state, date)
               VALUES (%s, %s, %s, 'running', now() at time zone 'UTC')
          ON CONFLICT (user_id, key) DO UPDATE
                  SET fingerprint = EXCLUDED.fingerprint, state = 'running',
                      status = NULL, response = NULL, date = EXCLUDED.date
                WHERE webhook_idempotency_key.date
                      < EXCLUDED.date - make_interval(hours => %s)
            RETURNING id""",
            [uid, key, fingerprint, self._retention_hours()],
            log_exceptions=False,  # a serialization failure is retried by Odoo
        )
        if cr.fetchone():
            return None
        cr.execute(
            "SELECT fingerprint, state, status, response "
            "FROM webhook_idempotency_key WHERE user_id = %s AND key = %s",
            [uid, key],
        )
        kept_fingerprint, state, status, response = cr.fetchone()
        if kept_fingerprint != fingerprint:
            raise ApiError(
                "Idempotency-Key was already used with another body: a retry "
                "must send the same params (use a new key for a new request)",
                422,
            )
        if state != "done":
            raise ApiError(_running_message(), 409)
        return status, json.loads(response)

    @api.model
    def _finish(self, uid, key, fingerprint, status, response):
        """Keep the answer of a call that ran with ``key``; a server error
        is not kept, so that the same key may be retried."""
        cr = self.env.cr
        if status >= 500:
            cr.execute(
                "DELETE FROM webhook_idempotency_key WHERE user_id = %s AND key = %s",
                [uid, key],
            )
            return
        # An upsert: a refused call's savepoint took the running row away.
        cr.execute(
            """INSERT INTO webhook_idempotency_key
                      (user_id, key, fingerprint, state, status, response, date)
               VALUES (%s, %s, %s, 'done', %s, %s, now() at time zone 'UTC')
          ON CONFLICT (user_id, key) DO UPDATE
                  SET fingerprint = EXCLUDED.fingerprint, state = 'done',
                      status = EXCLUDED.status, response = EXCLUDED.response,
                      date = EXCLUDED.date""",
            [uid, key, fingerprint, status, json.dumps(response, default=str)],
        )

    @api.model
    def _gc_old_keys(self, batch_size=1000, max_batches=100):
        """Delete the keys older than ``webhook.idempotency_hours``, by
        batches (committed each, except in tests); rows a call holds are
        skipped. Returns how many were deleted."""
        cr = self.env.cr
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        for _batch in range(max_batches):
            cr.execute(
                """DELETE FROM webhook_idempotency_key WHERE id IN (
                       SELECT id FROM webhook_idempotency_key
                        WHERE date < (now() at time zone 'UTC')
                                     - make_interval(hours => %s)
                        ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)""",
                [self._retention_hours(), batch_size],
            )
            deleted = cr.rowcount
            done += deleted
            if auto_commit:
                cr.commit()  # pylint: disable=invalid-commit
            if deleted < batch_size:
                break
        return done


# Kept beside the keys: webhook_log.py is another feature's file.
class WebhookLog(models.Model):
    _inherit = "webhook.log"  # pylint: disable=consider-merging-classes-inherited

    idempotent_replay = fields.Boolean(
        readonly=True,
        help="The call repeated an Idempotency-Key: it was answered with the "
        "kept answer of the first call, and nothing was done.",
    )

    @api.model
    def _gc_old_logs(self, batch_size=1000, max_batches=100):
        # The daily cleanup job also purges the expired idempotency keys.
        self.env["webhook.idempotency.key"].sudo()._gc_old_keys(batch_size)
        return super()._gc_old_logs(batch_size=batch_size, max_batches=max_batches)


def _running_message():
    return (
        "A call with this Idempotency-Key is still running: retry later with "
        "the same key to get its answer"
    )
