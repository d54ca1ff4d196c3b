# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deliveries are sent by a pool of threads with a share per endpoint: a
slow endpoint delays only its own deliveries (issue 15, item 1)."""

import threading
import time
from types import SimpleNamespace

from odoo.tests import tagged

from .common import OutboundCase, Receiver

PER_ENDPOINT = 2
RECORDS = 4


@tagged("post_install", "-at_install")
class TestSendingPool(OutboundCase):
    def setUp(self):
        super().setUp()
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("webhook.outbound_concurrency", "4")
        icp.set_param("webhook.outbound_endpoint_concurrency", str(PER_ENDPOINT))
        self.slow = Receiver()
        self.addCleanup(self.slow.stop)
        self.gate = threading.Event()
        self.addCleanup(self.gate.set)
        self.slow.reset(default=("wait", self.gate))
        self.slow_rule = self.make_rule(name="slow", endpoint_url=self.slow.url)
        self.fast_rule = self.make_rule(name="fast")

    def fire(self):
        partners = self.Partner.create([{"name": f"Pool {i}"} for i in range(RECORDS)])
        partners.write({"type": "invoice"})

    def watch(self, seen):
        """Until the fast receiver has every delivery (20 s at most), note
        how many POSTs the slow one holds; then let the slow one answer."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(self.receiver.requests) < RECORDS:
            time.sleep(0.02)
        seen["fast"] = len(self.receiver.requests)
        seen["slow"] = len(self.slow.requests)
        self.gate.set()

    def test_slow_endpoint_delays_only_itself(self):
        self.fire()
        self.env.cr.flush()  # the commit's pre-commit hooks: events queued
        seen = {}
        watcher = threading.Thread(target=self.watch, args=(seen,), daemon=True)
        watcher.start()
        self.env["webhook.outbound.queue"]._cron_send()
        watcher.join(30)
        # Every fast delivery arrived while the slow endpoint held its
        # share of the pool (and no more) blocked.
        self.assertEqual(seen, {"fast": RECORDS, "slow": PER_ENDPOINT})
        deliveries = self.deliveries(self.slow_rule) | self.deliveries(self.fast_rule)
        self.assertEqual(set(deliveries.mapped("state")), {"done"})
        self.assertEqual(len(self.slow.requests), RECORDS)
        self.assertFalse(any(deliveries.mapped("lease_pid")))

    def test_claim_respects_each_endpoint_share(self):
        self.fire()
        self.commit_hooks()
        Queue = self.env["webhook.outbound.queue"]
        busy = {self.slow.url: 1}
        claimed = Queue._claim(10, busy, PER_ENDPOINT)
        by_rule = {
            r: len(claimed.filtered(lambda d, r=r: d.outbound_rule_id == r))
            for r in (self.slow_rule, self.fast_rule)
        }
        self.assertEqual(by_rule, {self.slow_rule: 1, self.fast_rule: PER_ENDPOINT})

    def test_claim_lines_up_ahead_but_not_for_a_rate_limit(self):
        """Beyond its share, an endpoint may have ``ahead`` more waiting in
        line (started as its POSTs end); a rate-limited one none: its
        deliveries are sent as they are claimed, never later in a bunch."""
        self.fire()
        self.commit_hooks()
        self.slow_rule.rate_limit = 10
        claimed = self.env["webhook.outbound.queue"]._claim(10, {}, 1, ahead=2)
        by_rule = {
            r: len(claimed.filtered(lambda d, r=r: d.outbound_rule_id == r))
            for r in (self.slow_rule, self.fast_rule)
        }
        self.assertEqual(by_rule, {self.slow_rule: 1, self.fast_rule: 3})

    def test_look_again_only_while_a_claim_would_take_something(self):
        """A run whose claim took nothing looks again only while the same
        claim without locks would take deliveries (another server's claim
        held the rows); leased (or no) deliveries end the run."""
        self.fire()
        self.commit_hooks()
        Queue = self.env["webhook.outbound.queue"]
        flight = SimpleNamespace(busy=dict, per_target=PER_ENDPOINT, ahead=0)
        unlocked = Queue._claim(10, {}, PER_ENDPOINT, lock=False)
        self.assertEqual(set(unlocked), set(Queue._claim(10, {}, PER_ENDPOINT)))
        deadline = time.monotonic() + 10
        self.assertTrue(Queue._due_left(flight, deadline))
        Queue._lease(Queue._claim(100))
        self.assertFalse(Queue._due_left(flight, deadline))
        self.assertFalse(Queue._due_left(flight, time.monotonic()), "past the end")

    def test_lease_hides_claimed_until_its_session_is_gone(self):
        self.fire()
        self.commit_hooks()
        Queue = self.env["webhook.outbound.queue"]
        claimed = Queue._claim(100)
        Queue._lease(claimed)
        self.assertEqual(len(claimed), 2 * RECORDS)
        self.assertFalse(Queue._claim(100), "leased deliveries are not due")
        # A session that does not exist (its server was killed): due again.
        self.env.cr.execute(
            "UPDATE webhook_log SET lease_pid = %s WHERE id = ANY(%s)",
            [2**31 - 1, claimed.ids],
        )
        self.env.invalidate_all()
        self.assertEqual(Queue._claim(100), claimed)
