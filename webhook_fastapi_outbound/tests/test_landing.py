# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The attempts that land together are written together (issue 15, item 1:
deliveries per second per worker): the queries of a landing do not grow
with the number of deliveries in it, and each delivery still gets its own
outcome (success, retry, Retry-After, 3xx, transport error, 410, a crash).
And the pool's lines: a target's next delivery starts as soon as one of its
POSTs ends, not when the job's loop comes round."""

import contextlib
import threading
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..tools.flight import Flight
from ..tools.http_exchange import Exchange
from .common import OutboundCase

SENDER_LOGGER = "odoo.addons.webhook_fastapi_outbound.models.webhook_outbound_sender"


@contextlib.contextmanager
def record_queries():
    """The text of every query run meanwhile (whitespace folded)."""
    queries, execute = [], sql_db.Cursor.execute

    def recording(cr, query, params=None, log_exceptions=True):
        queries.append(" ".join(str(getattr(query, "code", query)).split()))
        return execute(cr, query, params, log_exceptions)

    with patch.object(sql_db.Cursor, "execute", recording):
        yield queries


# One of each path of an outcome, in this order, again and again.
OUTCOMES = [
    lambda: Exchange(status=200, text='{"ok": true}', duration_ms=5),
    lambda: Exchange(status=500, text="oops", duration_ms=5),
    lambda: Exchange(status=429, text="slow down", retry_after="7", duration_ms=5),
    lambda: Exchange(status=302, text="", duration_ms=5),
    lambda: Exchange(error="ConnectionError: refused", duration_ms=5),
    lambda: Exchange(status=410, text="gone", duration_ms=5),
    lambda: RuntimeError("the thread crashed"),
]


@tagged("post_install", "-at_install")
class TestLanding(OutboundCase):
    def landing(self, count):
        """Land ``count`` attempts of a new rule's deliveries at once, as
        the sending job does after a commit (the cache cleared); returns
        the deliveries, the results and the queries the landing took."""
        rule = self.make_rule(name=f"landing {count}", max_attempts=5)
        partners = self.Partner.create([{"name": f"L{i}"} for i in range(count)])
        partners.write({"type": "invoice"})
        self.commit_hooks()
        Queue = self.env["webhook.outbound.queue"]
        Sender = self.env["webhook.outbound.sender"]
        deliveries = Queue._claim(count)
        self.assertEqual(deliveries.outbound_rule_id, rule)
        Queue._lease(deliveries)
        results = []
        for i, delivery in enumerate(deliveries):
            vals, _request = Sender._prepare(delivery)
            results.append(((delivery.id, vals), OUTCOMES[i % len(OUTCOMES)]()))
        self.env.flush_all()
        self.env.invalidate_all()  # what the commit after the claim does
        with record_queries() as queries, mute_logger(SENDER_LOGGER):
            Sender._land(results)
            self.env.flush_all()
        return deliveries, results, queries

    def test_queries_of_a_landing_do_not_grow_with_its_size(self):
        self.landing(len(OUTCOMES))  # warm the caches (rules, parameters)
        _deliveries, _results, few = self.landing(len(OUTCOMES))
        deliveries, results, many = self.landing(5 * len(OUTCOMES))
        # The per-delivery code read each delivery on its own, one query
        # more per delivery (41 for 7 deliveries, 69 for 35), and its ORM
        # writes took one UPDATE per set of changed values (data-dependent).
        self.assertEqual(len(many), len(few))

        # One statement per table: the deliveries (one for those that made
        # an attempt, one for the one that crashed), their attempts, the
        # endpoints' health.
        def count(prefix):
            return sum(q.startswith(prefix) for q in many)

        self.assertEqual(count("UPDATE webhook_log AS d SET"), 2)
        self.assertEqual(count('UPDATE "webhook_log"'), 0)
        self.assertEqual(count("INSERT INTO webhook_outbound_attempt"), 1)
        self.assertEqual(
            sum("INSERT INTO webhook_outbound_endpoint AS e" in q for q in many), 1
        )
        self.assertEqual(len(deliveries.attempt_ids), len(deliveries))
        for delivery, (_tag, result) in zip(deliveries, results, strict=True):
            self.assert_outcome(delivery, result)
        endpoint = deliveries.outbound_rule_id.endpoint_ids
        self.assertEqual(endpoint.state, "disabled")  # the 410

    def assert_outcome(self, delivery, result):
        """The outcome that ``result`` calls for, on ``delivery`` and on
        its attempt."""
        now = fields.Datetime.now()
        attempt = delivery.attempt_ids
        self.assertEqual(len(attempt), 1)
        self.assertEqual(delivery.attempt_count, 1)
        self.assertFalse(delivery.lease_pid)
        if isinstance(result, Exception):
            self.assertEqual(delivery.state, "failed")
            self.assertIn("the thread crashed", delivery.error_message)
            return
        self.assertEqual(delivery.http_status, result.status)
        self.assertEqual(attempt.http_status, result.status)
        self.assertEqual(attempt.response_preview or "", result.text)
        self.assertEqual(delivery.response_preview or "", result.text)
        expected = {200: "done", 410: "failed"}.get(result.status, "pending")
        self.assertEqual(delivery.state, expected, result)
        wait = (delivery.next_attempt_date or now) - delivery.last_attempt_date
        if result.status == 429:  # Retry-After: 7 s, not the schedule
            self.assertEqual(wait, timedelta(seconds=7))
        elif expected == "pending":  # the schedule: 5 s, give or take 10 %
            self.assertTrue(timedelta(seconds=4) <= wait <= timedelta(seconds=6))
            self.assertTrue(delivery.error_message)
        else:
            self.assertFalse(delivery.next_attempt_date)


@tagged("post_install", "-at_install")
class TestFlightLines(TransactionCase):
    def test_next_in_line_starts_when_its_target_frees_a_slot(self):
        gate, started = threading.Event(), []

        def post(name, wait=None):
            started.append(name)
            if wait:
                wait.wait(10)
            return name

        with Flight(size=2, per_target=1) as flight:
            self.assertEqual((flight.free(), flight.ahead), (2, 1))
            flight.submit("a1", "A", post, "a1", gate)
            flight.submit("a2", "A", post, "a2")
            # What waits in line holds no thread: B's share is still free.
            self.assertEqual(flight.free(), 1)
            flight.submit("b1", "B", post, "b1", gate)
            self.assertEqual(flight.busy(), {"A": 2, "B": 1})
            self.assertEqual(flight.free(), 0)
            # A's second waits: one POST at a time to A.
            self.assertEqual(sorted(started), ["a1", "b1"])
            gate.set()
            # a2 starts when a1 ends, with nobody calling landed().
            for _ in range(200):
                if "a2" in started:
                    break
                threading.Event().wait(0.01)
            self.assertIn("a2", started)
            landed = flight.all_landed()
        self.assertEqual(sorted(landed), [("a1", "a1"), ("a2", "a2"), ("b1", "b1")])
        self.assertEqual(len(flight), 0)
        self.assertEqual(flight.busy(), {})

    def test_what_a_thread_raises_is_its_result(self):
        def boom():
            raise ValueError("bad")

        with Flight(size=1, per_target=1) as flight:
            flight.submit("x", "A", boom)
            ((tag, result),) = flight.all_landed()
        self.assertEqual(tag, "x")
        self.assertIsInstance(result, ValueError)
