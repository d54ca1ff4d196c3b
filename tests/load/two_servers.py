"""Two Odoo servers, one database, their cron threads sending 10,000
outbound events (issue 19 item 2, the measured variant of
``tests/test_two_servers.py``; a report, run by ``make two-servers``).

Both servers run with ``--max-cron-threads 1``: nothing here calls the
sending job; the commit of the write that queues the events wakes the cron
threads (PostgreSQL NOTIFY), and each thread takes a scheduled action that
runs the sending job (Odoo runs one action on one server at a time, so the
second server sends through a second action: see ``Running at scale`` in
the README). Phases, each with its own events and a fresh receiver count:

``one``   only the first server's cron thread runs (the second action is
          inactive and the second server has no cron thread): the
          baseline, deliveries per second of one server;
``two``   both servers: each ``webhook-id`` arrives once, every delivery is
          leased once, and deliveries per second against ``one``;
``kill``  both servers, the first SIGKILLed once a third has arrived: the
          second delivers everything; deliveries that arrive twice must be
          among those the dead server had leased and not settled (counted).

Exits 1 when a check fails. Only 127.0.0.1.
"""

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.checks import partner_invoice_rule  # noqa: E402
from helpers.receiver import Receiver  # noqa: E402
from multi_server import (  # noqa: E402
    app_name,
    audit_rows,
    execute,
    install_audit,
    second_send_cron,
    start_pair,
)

CHUNK = 1000  # partners created per RPC call


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10000, help="phase two")
    parser.add_argument("--baseline", type=int, default=3000, help="phase one")
    parser.add_argument("--kill-events", type=int, default=3000, help="phase kill")
    parser.add_argument("--delay", type=float, default=0.05, help="receiver, s")
    parser.add_argument("--timeout", type=float, default=600, help="per phase, s")
    parser.add_argument(
        "--endpoint-concurrency",
        type=int,
        help="webhook.outbound_endpoint_concurrency (each server's share of "
        "the one endpoint): with a slow receiver, what bounds one server",
    )
    return parser.parse_args()


def create_partners(server, label, count):
    ids = []
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        ids += server.rpc(
            "res.partner",
            "create",
            [{"name": f"{label} {start + n}"} for n in range(size)],
        )
    return ids


def queue(server, rule_id, label, count):
    """``count`` partners enter the rule's domain in one write, whose
    commit queues ``count`` events and wakes the cron threads. Returns
    (last delivery id, last audit id) before them and the commit time."""
    ids = create_partners(server, label, count)
    [(log_id, audit_id)] = server.sql(
        "SELECT (SELECT coalesce(max(id), 0) FROM webhook_log), "
        "(SELECT coalesce(max(id), 0) FROM test_delivery_audit)"
    )
    started = time.monotonic()
    server.rpc("res.partner", "write", ids, {"type": "invoice"})
    return (log_id, audit_id), started


def make_due(server, cron_id):
    """The second action due now, and the cron threads told (as Odoo's
    own ``_trigger`` does: a trigger row and a NOTIFY)."""
    execute(
        server.db,
        "INSERT INTO ir_cron_trigger (cron_id, call_at) "
        "VALUES (%s, now() at time zone 'UTC')",
        [cron_id],
    )
    # Cron threads LISTEN on the "postgres" database, not the served one.
    execute("postgres", "SELECT pg_notify('cron_trigger', %s)", [server.db])


def done_count(server, rule_id, since):
    [(done, total)] = server.sql(
        "SELECT count(*) FILTER (WHERE state = 'done'), count(*) FROM webhook_log "
        "WHERE outbound_rule_id = %s AND id > %s",
        [rule_id, since],
    )
    return done, total


def wait_done(server, rule_id, since, count, timeout):
    """The time at which ``count`` deliveries are done (polls every 50 ms)."""
    started = time.monotonic()
    last = 0
    while time.monotonic() - started < timeout:
        last, _total = done_count(server, rule_id, since)
        if last >= count:
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"FAIL: {last} of {count} deliveries done in {timeout} s")


def settled_by(server, audit_since):
    """({app: delivery ids leased}, {app: delivery ids settled done})."""
    leased, settled = {}, {}
    for delivery_id, what, app in audit_rows(server, audit_since):
        if what == "lease":
            leased.setdefault(app, set()).add(delivery_id)
        elif what == "done":
            settled.setdefault(app, set()).add(delivery_id)
    return leased, settled


def received_ids(receiver):
    return Counter(r["headers"]["webhook-id"] for r in receiver.received())


def phase_one(ctx, count):
    a, rule_id = ctx["a"], ctx["rule_id"]
    ctx["receiver"].reset()
    (since, audit_since), started = queue(a, rule_id, f"{ctx['tag']} one", count)
    ended = wait_done(a, rule_id, since, count, ctx["timeout"])
    per_id = received_ids(ctx["receiver"])
    _leased, settled = settled_by(a, audit_since)
    return {
        "phase": "one server",
        "events": count,
        "seconds": ended - started,
        "per_s": count / (ended - started),
        "received": len(per_id),
        "twice": sum(1 for n in per_id.values() if n > 1),
        "by_server": {app: len(ids) for app, ids in settled.items()},
    }


def phase_two(ctx, count, kill=False):
    a, b, rule_id = ctx["a"], ctx["b"], ctx["rule_id"]
    receiver = ctx["receiver"]
    receiver.reset()
    label = f"{ctx['tag']} {'kill' if kill else 'two'}"
    (since, audit_since), started = queue(a, rule_id, label, count)
    make_due(a, ctx["second_cron"])
    killed = None
    if kill:
        receiver.wait_for(count // 3, timeout=ctx["timeout"])
        killed = app_name(a)
        a.kill()

    # Nothing is re-triggered by hand: the second server's own wake-ups
    # (the orphaned leases are due at once) must finish the work.
    ended = wait_done(b, rule_id, since, count, ctx["timeout"])
    time.sleep(1)  # answers still on their way to the receiver
    per_id = received_ids(receiver)
    leased, settled = settled_by(b, audit_since)
    leases = Counter(
        d for d, what, _app in audit_rows(b, audit_since) if what == "lease"
    )
    result = {
        "phase": "two servers, one killed" if kill else "two servers",
        "events": count,
        "seconds": ended - started,
        "per_s": count / (ended - started),
        "received": len(per_id),
        "twice": sum(1 for n in per_id.values() if n > 1),
        "leased_twice": sum(1 for n in leases.values() if n > 1),
        "by_server": {app: len(ids) for app, ids in settled.items()},
    }
    if killed:
        in_flight = leased.get(killed, set()) - settled.get(killed, set())
        result["in_flight_at_kill"] = len(in_flight)
    return result


def check(results, counts):
    """The issue's conditions; returns the failures."""
    one, two, kill = results
    failures = []
    for result, count in zip(results, counts, strict=False):
        if result["received"] != count:
            failures.append(
                f"{result['phase']}: {result['received']} of {count} arrived"
            )
    if one["twice"] or two["twice"]:
        failures.append("a delivery arrived twice with nothing failing")
    if two["leased_twice"]:
        failures.append("a delivery was leased twice with nothing failing")
    if len(two["by_server"]) != 2:
        failures.append(f"not both servers sent: {two['by_server']}")
    if kill["twice"] > kill.get("in_flight_at_kill", 0):
        failures.append("more deliveries arrived twice than were in flight at the kill")
    return failures


def report(results, delay):
    print(f"\nReceiver answers in {delay * 1000:.0f} ms; deliveries per second:")
    for r in results:
        extra = ""
        if "in_flight_at_kill" in r:
            extra = f", in flight at the kill {r['in_flight_at_kill']}"
        print(
            f"  {r['phase']:<24} {r['events']:>6} events {r['seconds']:7.1f} s "
            f"{r['per_s']:7.1f}/s  arrived {r['received']}, twice {r['twice']}"
            f"{extra}; settled by server {sorted(r['by_server'].values())}"
        )
    print(
        f"  two servers / one server: {results[1]['per_s'] / results[0]['per_s']:.2f}x"
    )


def start(args, tag):
    data_dir_b = Path(tempfile.mkdtemp(prefix="two_servers_b_"))

    def settings(first):
        # The second server starts with no cron thread; see main().
        first.set_param("webhook.outbound_allowed_hosts", '["127.0.0.1"]')
        if args.endpoint_concurrency:
            first.set_param(
                "webhook.outbound_endpoint_concurrency", str(args.endpoint_concurrency)
            )

    a, b = start_pair(
        "two_servers_load", data_dir_b, ["--max-cron-threads", "1"], None, settings
    )
    install_audit(a)
    rule_id, _secret = partner_invoice_rule(
        a, f"Two servers {tag}", "http://127.0.0.1:9"
    )
    second = second_send_cron(a)
    return a, b, rule_id, second


def main():
    args = arguments()
    tag = uuid.uuid4().hex[:8]
    a, b, rule_id, second = start(args, tag)
    try:
        with Receiver(delay=args.delay) as receiver:
            a.rpc(
                "webhook.outbound.rule",
                "write",
                [rule_id],
                {"endpoint_url": receiver.url},
            )
            ctx = {"a": a, "b": b, "rule_id": rule_id, "tag": tag, "receiver": receiver}
            ctx.update(second_cron=second, timeout=args.timeout)
            b.stop()  # phase one: the first server's cron thread alone
            one = phase_one(ctx, args.baseline)
            b.start()
            two = phase_two(ctx, args.events)
            kill = phase_two(ctx, args.kill_events, kill=True)
    finally:
        for server in (a, b):
            server.stop()
    results = (one, two, kill)
    report(results, args.delay)
    failures = check(results, (args.baseline, args.events, args.kill_events))
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
