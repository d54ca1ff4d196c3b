# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The queue: events (a rule fired for a record) and deliveries (webhook.log
entries of type Send, pending until sent). The firing transaction only
inserts events; the sending job (the cron calls _cron_send) turns them into
deliveries, claims the due ones for the sender, and schedules the retries
and its own wake-up."""

import logging
import threading
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.claim import CLAIM_QUERY, CLAIM_TURN, UNLOCKED_CLAIM_QUERY
from ..tools.retry import DEFAULT_SCHEDULE, parse_schedule, wait_after
from .ir_cron import SEND_CRON_XMLID

_logger = logging.getLogger(__name__)

# Per transaction of the sending job: deliveries claimed, events built; and
# the job's time budget.
BATCH_SIZE = 10
EVENT_BATCH = 500
CRON_TIME_BUDGET = 120
# Seconds a claimed delivery stays leased beyond its rule's timeout, and how
# long the job waits for an attempt to land before it looks again.
LEASE_MARGIN = 60
LAND_WAIT = 0.2
# Looks again (LAND_WAIT apart, up to this many times in a row) when a
# claim took nothing that it would have taken had another server's claim
# not held the rows.
EMPTY_RETRIES = 50
# cr.postcommit.data key: the sending job is already woken by this transaction.
WAKE_KEY = "webhook_fastapi_outbound.wake_up"


class WebhookOutboundQueue(models.AbstractModel):
    _name = "webhook.outbound.queue"
    _description = "Outbound Webhook Queue"

    # ------------------------------------------------------------------
    # The sending job
    # ------------------------------------------------------------------
    @api.model
    def _cron_send(self):
        """Scheduled action: build the deliveries of queued events, then send
        due deliveries by batches, one transaction per batch (committed so a
        crash loses at most one batch's outcomes), within a time budget; then
        wake up again for what is left and for the next retry."""
        deadline = time.monotonic() + CRON_TIME_BUDGET
        self._run_batches(self._build_deliveries, EVENT_BATCH, deadline)
        if reason := self.env["webhook.outbound.sender"]._disabled_reason():
            _logger.info("%s Pending deliveries are kept.", reason)
            return
        with self.env["webhook.outbound.sender"]._flight() as flight:
            self._send_stream(flight, deadline)
        self._schedule_wakeup()

    @api.model
    def _send_stream(self, flight, deadline):
        """Keep ``flight`` full until the deadline: build the deliveries of
        events committed meanwhile, claim what is due (each endpoint up to
        its share of the pool, and as many more to wait in line for its
        slots: they start as its POSTs end, without waiting for this loop),
        lease it and commit, start the POSTs; write the outcomes of all
        that landed since the last look together (one statement per table)
        and commit. Nothing waits for a slow endpoint but its own
        deliveries, and what is committed during the run goes out during
        the run, within LAND_WAIT. A crash loses no delivery: what was
        leased but not settled (waiting in line, in flight, or landed but
        its outcome not yet committed: the landing's few milliseconds) is
        due again at once, the POSTs already made among it sent again."""
        Sender = self.env["webhook.outbound.sender"]
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        # The first build was _cron_send's; then at most one per LAND_WAIT,
        # not one per landing (a fast receiver lands hundreds a second).
        next_build = time.monotonic() + LAND_WAIT
        retries = EMPTY_RETRIES if auto_commit else 0
        while True:
            if time.monotonic() < deadline:
                if len(flight) and time.monotonic() >= next_build:
                    self._build_deliveries()
                    next_build = time.monotonic() + LAND_WAIT
                if flight.free():
                    if auto_commit:
                        self._claim_turn()
                    deliveries = self._claim(
                        flight.free(), flight.busy(), flight.per_target, flight.ahead
                    )
                    self._lease(deliveries)
                    if auto_commit:
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                    Sender._launch(flight, deliveries)
            if not len(flight):
                if not (retries and self._due_left(flight, deadline)):
                    break
                retries -= 1  # another server's claim held the rows: look again
                continue
            retries = EMPTY_RETRIES if auto_commit else 0
            Sender._land(flight.landed(timeout=LAND_WAIT))
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _run_batches(self, run_batch, size, deadline):
        """Call ``run_batch`` (returns how many items it handled), committing
        after each call, until a batch is not full or the deadline passes."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        while time.monotonic() < deadline:
            handled = run_batch()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if handled < size:
                break

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    @api.model
    def _push_events(self, queue):
        """Insert the events of ``queue`` ({(rule id, user id, company id):
        {record id: deletion snapshot or None}}) and a wake-up of the sending
        job, in one query; returns whether there were any events."""
        rows = [
            (rule_id, res_id, user_id, company_id, snapshot)
            for (rule_id, user_id, company_id), records in queue.items()
            for res_id, snapshot in records.items()
        ]
        if not rows:
            return False
        columns = [list(column) for column in zip(*rows, strict=True)]
        self.env.cr.execute(
            SQL(
                """INSERT INTO webhook_outbound_event
                          (rule_id, res_id, user_id, company_id, snapshot, queued_at)
                   SELECT rule_id, res_id, user_id, company_id, snapshot, %s
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[],
                                 %s::text[])
                       AS event(rule_id, res_id, user_id, company_id, snapshot)
                    -- a rule deleted since its data was cached: no event
                    WHERE rule_id IN (SELECT id FROM webhook_outbound_rule);
                   %s""",
                fields.Datetime.now(),
                *columns,
                # Same round trip: this runs in the firing write's commit.
                self._wake_up_sql(),
            )
        )
        return True

    @api.model
    def _build_deliveries(self, limit=EVENT_BATCH):
        """Turn up to ``limit`` queued events into deliveries, from the
        committed state of their records; returns the number of events
        handled. SKIP LOCKED: events another worker is building are left to
        it. A record that no longer matches its rule's domain (it left it
        again before the job ran), an archived rule or a deleted record
        produce no delivery; several events of one rule and record, one.
        Deletions carry their payload (the snapshot)."""
        self.env.cr.execute(
            SQL(
                """SELECT id, rule_id, res_id, user_id, company_id, snapshot
                     FROM webhook_outbound_event
                 ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                limit,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        queue = {}
        for _event_id, rule_id, res_id, user_id, company_id, snapshot in rows:
            # dict as an ordered set; a deletion wins over a change.
            events = queue.setdefault((rule_id, user_id, company_id), {})
            events[res_id] = snapshot or events.get(res_id)
        self.env["webhook.outbound.trigger"]._confirm_events(queue)
        self.env.cr.execute(
            SQL(
                "DELETE FROM webhook_outbound_event WHERE id = ANY(%s)",
                [row[0] for row in rows],
            )
        )
        return len(rows)

    # ------------------------------------------------------------------
    # Deliveries (built in webhook_outbound_delivery.py)
    # ------------------------------------------------------------------
    @api.model
    def _claim(self, limit=BATCH_SIZE, busy=None, per_target=None, ahead=0, lock=True):
        """Lock up to ``limit`` due deliveries. SKIP LOCKED: rows another
        worker or server is sending are left to it, so they share the work.
        A delivery waits while an earlier one of its rule and record is
        pending (being retried): a record's events arrive in order. With
        ``per_target``, at most that many per target URL, and ``ahead``
        more to wait in line for its slots, counting those already taken
        (``busy``: {url: count}). Deliveries a policy holds back
        (``_claimable_sql``: a disabled endpoint) are left pending; of a
        rate-limited endpoint, at most its room (``_rate_room_sql``) is
        taken, and none to wait in line: they are sent as they are
        claimed. ``lock=False``: what the claim would take if no other
        worker held any row (nothing is locked)."""
        self.env.flush_all()
        busy = busy or {}
        self.env.cr.execute(
            SQL(
                CLAIM_QUERY if lock else UNLOCKED_CLAIM_QUERY,
                now=fields.Datetime.now(),
                in_order=self._not_behind_sql(),
                orphaned=self._orphaned_lease_sql(),
                claimable=self._claimable_sql(),
                room=self._rate_room_sql(),
                urls=list(busy),
                counts=list(busy.values()),
                per_target=per_target or limit,
                ahead=ahead,
                limit=limit,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        return self.env["webhook.log"].sudo().browse(ids)

    @api.model
    def _claim_turn(self):
        """Begin a claim's transaction with its turn among the claims of all
        servers (tools/claim.py): commit what this transaction holds, then
        wait for the claim of another server to be committed. When the
        wait runs out (CLAIM_WAIT_MS), the claim goes on without its turn,
        in a new transaction; returns whether it has it."""
        self.env.cr.commit()  # pylint: disable=invalid-commit
        try:
            self.env.cr.execute(SQL(CLAIM_TURN), log_exceptions=False)
        except pg_errors.LockNotAvailable:
            self.env.cr.rollback()
            _logger.warning("A claim waited too long for its turn: went on.")
            return False
        return True

    @api.model
    def _lease(self, deliveries):
        """Claimed deliveries are sent after their lock is committed away:
        their next attempt moves past the longest the POST may take (and a
        wait in their endpoint's line for one POST before it, see
        tools/flight.py), so no other worker claims them meanwhile, and the
        lease names this database session, so that when it is gone (its
        server was killed) they are due again at once
        (``_orphaned_lease_sql``)."""
        if deliveries:
            longest = max(deliveries.outbound_rule_id.mapped("timeout") or [0])
            until = fields.Datetime.now() + timedelta(
                seconds=2 * longest + LEASE_MARGIN
            )
            pid = self.env.cr._cnx.get_backend_pid()  # psycopg2: no query
            deliveries.write({"next_attempt_date": until, "lease_pid": pid})

    @api.model
    def _claimable_sql(self):
        """Condition on delivery ``d``: no policy holds it back (overridden:
        a disabled endpoint's deliveries stay pending). Also what the
        wake-up looks at, so that held deliveries do not wake the job."""
        return SQL("TRUE")

    @api.model
    def _rate_room_sql(self):
        """Rows (rule_id, url, n): at most ``n`` deliveries of that rule to
        that URL may be claimed now (overridden: the rate limit); none by
        default."""
        return SQL("SELECT NULL::int AS rule_id, NULL::text AS url, 0 AS n WHERE FALSE")

    @api.model
    def _orphaned_lease_sql(self):
        """Condition on delivery ``d``: leased by a session that no longer
        exists (no lease is 0: the ORM stores an empty integer so). A pid
        reused by another session meanwhile only delays the delivery until
        its lease ends."""
        return SQL(
            """(d.lease_pid > 0 AND NOT EXISTS (
                   SELECT 1 FROM pg_stat_activity AS a WHERE a.pid = d.lease_pid))"""
        )

    @api.model
    def _not_behind_sql(self):
        """Condition on delivery ``d``: no earlier delivery of its rule and
        record is pending (``d`` is the first pending one of its rule and
        record). A test delivery neither waits nor holds back. Not a
        correlated NOT EXISTS: on a backlog just built, whose statistics
        are not analysed yet, the planner ran that one as a scan of every
        pending row for each pending row (48 ms for 400, quadratic); the
        first of each rule and record is found in one pass instead
        (2.5 ms), whatever the statistics."""
        return SQL(
            """(d.is_test OR d.res_id IS NULL OR d.outbound_rule_id IS NULL
                OR d.id IN (
                   SELECT min(e.id) FROM webhook_log AS e
                    WHERE e.log_type = 'send' AND e.state = 'pending'
                      AND e.outbound_rule_id IS NOT NULL
                      AND e.res_id IS NOT NULL AND e.is_test IS NOT TRUE
                 GROUP BY e.outbound_rule_id, e.res_id))"""
        )

    @api.model
    def _send_due(self, limit=BATCH_SIZE):
        """Claim and send one batch; returns the deliveries handled."""
        Sender = self.env["webhook.outbound.sender"]
        if Sender._disabled_reason():
            return self.env["webhook.log"]
        deliveries = self._claim(limit)
        Sender._send(deliveries)
        return deliveries

    @api.model
    def _retry_wait(self, rule, attempt, retry_after=None):
        """Seconds before the next attempt after failed attempt ``attempt``:
        what the receiver asked (Retry-After), else the rule's schedule."""
        if retry_after is not None:
            return max(retry_after, 1)
        try:
            schedule = parse_schedule(rule.retry_schedule)
        except ValueError:  # refused on save: only an old row can be bad
            schedule = parse_schedule(DEFAULT_SCHEDULE)
        return wait_after(schedule, attempt)

    @api.model
    def _retry_vals(self, attempt, rule, now, retry=True, retry_after=None):
        """State after failed attempt ``attempt`` (made at ``now``): pending
        until the wait is over, or failed for good."""
        if retry and attempt < rule.max_attempts:
            wait = self._retry_wait(rule, attempt, retry_after)
            return {
                "state": "pending",
                "next_attempt_date": now + timedelta(seconds=wait),
            }
        return {"state": "failed", "next_attempt_date": False}

    @api.model
    def _requeue(self, deliveries):
        """Back in the queue from the start, keeping the webhook-id so that
        the receiver can recognise a redelivery."""
        deliveries.sudo().write(
            {
                "state": "pending",
                "attempt_count": 0,
                "next_attempt_date": fields.Datetime.now(),
                "error_message": False,
            }
        )
        self.env.ref(SEND_CRON_XMLID)._trigger()
