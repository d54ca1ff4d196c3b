"""Benchmark 4 (a mixin of bench.Bench): what outbound rules cost a write(),
and how fast one worker sends the deliveries, to the receiver of the
end-to-end suites (tests/helpers/receiver.py)."""

import statistics
import sys
import time
from pathlib import Path

# tests/ (the suites' support package) is not on the path of a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.receiver import Receiver  # noqa: E402

RULE = "webhook.outbound.rule"
THROUGHPUT_RECORDS = 100


class Writer:
    """Writes a fresh ``ref`` on one partner through JSON-RPC, timed."""

    def __init__(self, client, partner):
        self.c = client
        self.partner = partner
        self.counter = iter(range(10**9))

    def ref(self, prefix="W"):
        return f"{prefix}-{next(self.counter)}"

    def write(self, ref, partner=None):
        partner = partner or self.partner
        self.c.execute_kw("res.partner", "write", [[partner], {"ref": ref}])

    def median(self, count):
        """Median time of ``count`` writes, after one to warm up (after any
        registry change)."""
        self.write(self.ref())
        values = []
        for _ in range(count):
            started = time.perf_counter()
            self.write(self.ref())
            values.append(time.perf_counter() - started)
        return statistics.median(values)

    def timed(self, ref):
        """Time of one write of ``ref`` (from "reset": always a change)."""
        self.write("reset")
        started = time.perf_counter()
        self.write(ref)
        return time.perf_counter() - started


class OutboundBenchmarks:
    """``bench_outbound``; expects ``self.c``, ``self.rounds``,
    ``self.row()`` and ``self.notes`` from Bench."""

    def bench_outbound(self):
        """write() cost of outbound rules, and delivery throughput."""
        with Receiver() as receiver:
            writer, base = self._outbound_setup(receiver)
            never_ids, no_rule = self._bench_rules_not_matching(writer, base)
            fire_id = self._bench_queued_write(writer, base, receiver, no_rule)
            self._bench_throughput(writer, receiver)
        self.c.execute_kw(RULE, "unlink", [[fire_id, *never_ids]])

    def _outbound_setup(self, receiver):
        """The receiver allowed, no rule left by an interrupted run (it would
        skew every figure), a partner to write on; the rules' common values."""
        c = self.c
        args = ["webhook.outbound_allowed_hosts", '["127.0.0.1"]']
        c.execute_kw("ir.config_parameter", "set_param", args)
        leftovers = c.execute_kw(
            RULE,
            "search",
            [[("name", "=like", "bench %"), ("active", "in", [True, False])]],
        )
        if leftovers:
            c.execute_kw(RULE, "unlink", [leftovers])
        model_id = c.execute_kw("ir.model", "search", [[("model", "=", "res.partner")]])
        partner = c.execute_kw("res.partner", "create", [{"name": "bench outbound"}])
        base = {"model_id": model_id[0], "endpoint_source": "static"}
        base["endpoint_url"] = receiver.url
        return Writer(c, partner), base

    def _bench_rules_not_matching(self, writer, base):
        """10 rules watching the written field, none of which matches."""
        c = self.c
        no_rule_1 = writer.median(self.rounds * 4)
        never = [
            {
                **base,
                "name": f"bench never {i}",
                "domain": f"[('ref', '=', 'NEVER-{i}')]",
            }
            for i in range(10)
        ]
        never_ids = c.execute_kw(RULE, "create", [never])
        with_rules = writer.median(self.rounds * 4)
        c.execute_kw(RULE, "write", [never_ids, {"active": False}])
        no_rule_2 = writer.median(self.rounds * 4)
        no_rule = (no_rule_1 + no_rule_2) / 2
        self.row(
            "4. write() of a watched field on res.partner, 10 rules that do not match",
            "no rule (before and after)",
            with_rules,
            no_rule,
            None,
            None,
            "ratio <= 1.05",
        )
        return never_ids, no_rule

    def _bench_queued_write(self, writer, base, receiver, no_rule):
        """One rule that fires on every write, its receiver taking 2 s."""
        receiver.delay = 2.0
        fire = {**base, "name": "bench fire", "domain": "[('ref', '=like', 'W-%')]"}
        fire_id = self.c.execute_kw(RULE, "create", [fire])
        writer.write("reset")
        fired, quiet = [], []
        for _ in range(self.rounds * 2):
            fired.append(writer.timed(writer.ref("W")))  # fires
            quiet.append(writer.timed(writer.ref("X")))  # same field, no match
        fired, quiet = statistics.median(fired), statistics.median(quiet)
        name = "4. write() that queues a delivery to a receiver taking 2 s"
        target = "ratio <= 1.2 (sent after commit, in the background)"
        self.row(name, "no rule", fired, no_rule, None, None, target)
        self.row(name, "same write, rule not matching", fired, quiet, None, None, "-")
        return fire_id

    def _bench_throughput(self, writer, receiver):
        """N pending deliveries to a fast receiver, one cron run."""
        c = self.c
        receiver.delay = 0.0
        self._drain_deliveries()
        receiver.reset()
        # 100 records, one committed write each: transitions of one record
        # that the job has not handled yet are announced once (coalesced).
        names = [f"bench throughput {i}" for i in range(THROUGHPUT_RECORDS)]
        targets = c.execute_kw("res.partner", "search", [[("name", "in", names)]])
        if len(targets) < THROUGHPUT_RECORDS:
            missing = [{"name": x} for x in names[len(targets) :]]
            targets += c.execute_kw("res.partner", "create", [missing])
        c.execute_kw("res.partner", "write", [targets, {"ref": "reset"}])
        for target in targets:
            writer.write(writer.ref(), target)
        started = time.perf_counter()
        self._drain_deliveries()
        elapsed = time.perf_counter() - started
        sent = receiver.count
        self.notes.append(
            f"4. Delivery throughput: {sent} deliveries sent in "
            f"{elapsed:.2f} s by one worker = {sent / elapsed:.0f} per "
            "second (target >= 50)"
        )

    def _send_job_id(self):
        """The sending job's ir.cron id (its xmlid: ir_cron_webhook_outbound_send);
        read once, so that other threads can use it without the client."""
        if not getattr(self, "send_job_id", None):
            self.send_job_id = self._read_send_job_id()
        return self.send_job_id

    def _read_send_job_id(self):
        return self.c.execute_kw(
            "ir.model.data",
            "search_read",
            [
                [
                    ("module", "=", "webhook_fastapi_outbound"),
                    ("name", "=", "ir_cron_webhook_outbound_send"),
                ]
            ],
            {"fields": ["res_id"]},
        )[0]["res_id"]

    def _run_send_job(self, client=None):
        """One run of the sending job, inside this JSON-RPC call."""
        client = client or self.c
        client.execute_kw("ir.cron", "method_direct_trigger", [[self._send_job_id()]])

    def _drain_deliveries(self):
        """Run the sending job until nothing is pending (bounded)."""
        domain = [("log_type", "=", "send"), ("state", "=", "pending")]
        for _ in range(60):
            self._run_send_job()
            if not self.c.execute_kw("webhook.log", "search_count", [domain]):
                return
        raise RuntimeError("deliveries still pending after 60 runs of the job")
