# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The endpoint policies on the event path: health written after each
landing and 410 Gone failing a delivery for good (the sender); disabled
endpoints not claimed, the rate limit per endpoint and throttled resends
(the queue)."""

import threading
import time

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..tools.health import GONE

# Seconds the job waits before looking again when all that is due is held
# by a rate limit (an endpoint's second is full).
RATE_POLL = 0.1
# The precise clock of claims and of the rate window (the ORM's dates stop
# at the second); one value for all the rows of a statement.
PRECISE_NOW = SQL("(statement_timestamp() AT TIME ZONE 'UTC')")


class WebhookOutboundSender(models.AbstractModel):
    _inherit = "webhook.outbound.sender"

    @api.model
    def _after_attempts(self, outcomes):
        res = super()._after_attempts(outcomes)
        self.env["webhook.outbound.endpoint"]._record_outcomes(outcomes)
        return res

    @api.model
    def _outcome(self, delivery, vals, result, limit):
        vals = super()._outcome(delivery, vals, result, limit)
        if not result.error and not result.refused and result.status == GONE:
            # Standard Webhooks: the receiver asks to stop. The endpoint is
            # disabled by the health update of this landing.
            vals.update(
                state="failed",
                next_attempt_date=False,
                error_message=_(
                    "The receiver answered HTTP 410 Gone: its endpoint is "
                    "disabled, nothing more is sent to it until it is re-enabled."
                ),
            )
        return vals


class WebhookOutboundQueue(models.AbstractModel):
    _inherit = "webhook.outbound.queue"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _claimable_sql(self):
        return SQL(
            """(%s AND NOT EXISTS (
                   SELECT 1 FROM webhook_outbound_endpoint AS ep
                    WHERE ep.rule_id = d.outbound_rule_id
                      AND ep.url = d.target_url AND ep.state = 'disabled'))""",
            super()._claimable_sql(),
        )

    @api.model
    def _rate_room_sql(self):
        """Per endpoint of a rate-limited rule with pending deliveries: its
        limit less the deliveries claimed in the last second (in flight or
        landed: claims of every worker, in the database)."""
        return SQL(
            """SELECT r.id AS rule_id, t.url, r.rate_limit - (
                      SELECT count(*) FROM webhook_log AS c
                       WHERE c.claimed_at > %(now)s - interval '1 second'
                         AND c.outbound_rule_id = r.id AND c.target_url = t.url
                   ) AS n
                 FROM webhook_outbound_rule AS r
           CROSS JOIN LATERAL (
                      SELECT DISTINCT p.target_url AS url FROM webhook_log AS p
                       WHERE p.log_type = 'send' AND p.state = 'pending'
                         AND p.outbound_rule_id = r.id) AS t
                WHERE r.rate_limit > 0""",
            now=PRECISE_NOW,
        )

    @api.model
    def _claim(self, *args, **kwargs):
        """The claim, and the moment of each claim of a rate-limited rule.
        Two workers claiming at once share the limit: a rate-limited
        endpoint's room is taken from the first ones of its due deliveries,
        which the other worker holds locked (SKIP LOCKED) until it commits;
        one committed since this claim's snapshot cannot be locked under
        REPEATABLE READ: this claim then takes nothing this time."""
        try:
            with self.env.cr.savepoint():
                deliveries = super()._claim(*args, **kwargs)
                self._stamp_rate_claims(deliveries)
        except pg_errors.SerializationFailure:
            return self.env["webhook.log"].sudo()
        return deliveries

    @api.model
    def _stamp_rate_claims(self, deliveries):
        limited = deliveries.filtered(lambda d: d.outbound_rule_id.rate_limit > 0)
        if limited:
            self.env.cr.execute(
                SQL(
                    "UPDATE webhook_log SET claimed_at = %s WHERE id = ANY(%s)",
                    PRECISE_NOW,
                    limited.ids,
                )
            )
            limited.invalidate_recordset(["claimed_at"])

    @api.model
    def _send_stream(self, flight, deadline):
        """Also while rate-held deliveries wait for their endpoint's next
        second: the run goes on until they are sent or its time is up,
        rather than ending and being woken again at once, in a loop."""
        while True:
            super()._send_stream(flight, deadline)
            if time.monotonic() >= deadline or not self._rate_held():
                return
            if not getattr(threading.current_thread(), "testing", False):
                self.env.cr.commit()  # pylint: disable=invalid-commit
            time.sleep(RATE_POLL)

    @api.model
    def _rate_held(self):
        """Whether due deliveries wait only for a rate-limited endpoint."""
        self.env.cr.execute(
            SQL(
                """SELECT EXISTS (
                       SELECT 1 FROM webhook_log AS d
                         JOIN webhook_outbound_rule AS r ON r.id = d.outbound_rule_id
                        WHERE r.rate_limit > 0 AND d.log_type = 'send'
                          AND d.state = 'pending' AND d.next_attempt_date <= %s
                          AND %s AND %s)""",
                fields.Datetime.now(),
                self._not_behind_sql(),
                self._claimable_sql(),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _requeue_throttled(self, deliveries, per_second):
        """``_requeue`` (same webhook-id, from the first attempt), the
        deliveries then spread ``per_second`` a second in their order, so
        that a recovery does not flood the receivers. One query."""
        deliveries = deliveries.sorted("id")
        self._requeue(deliveries)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE webhook_log AS d
                      SET next_attempt_date = %s + make_interval(
                              secs => (spread.rank - 1) / %s)
                     FROM (SELECT id, row_number() OVER (ORDER BY id) AS rank
                             FROM webhook_log WHERE id = ANY(%s)) AS spread
                    WHERE d.id = spread.id""",
                fields.Datetime.now(),
                max(per_second, 1),
                deliveries.ids,
            )
        )
        deliveries.invalidate_recordset(["next_attempt_date"])
