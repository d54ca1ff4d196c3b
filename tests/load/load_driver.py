"""Load driver of ``scripts/load.sh`` (issue 19 item 1): integrator traffic
against an Odoo server with 1, 2 and 4 prefork workers, through the webhook
API and, as the baseline, the same business operations through native
JSON-RPC (``/jsonrpc`` ``execute_kw``, with the same user's API key).

Why not locust: every locust release pulls Werkzeug 3, gevent >= 24 and
greenlet 3 (``pip install --dry-run locust`` in .venv), which would replace
the versions Odoo 18 pins in the same virtualenv. This driver is bounded
threads + ``requests``: CLIENTS threads, each with its own keep-alive
session, for at most DURATION seconds and MAX_OPS operations.

The mix, per client, in this order (weights 4 / 3 / 2 / 1):

``search``  20 sale orders, partner and lines expanded (API ``search_data``
            / native ``web_search_read`` with the same specification);
``upsert``  a partner by ``ref`` among REFS keys shared by every client
            (API ``create_update_data`` / native ``search`` then ``write``
            or ``create``);
``order``   a sale order of 10 lines, partner and products by name (API
            ``create_data`` / native ``name_search`` x11 + ``create``);
``call``    ``address_get`` on the partner of a ``ref`` (API
            ``call_function`` / native ``search`` + the call).

Reported per run: business operations per second, p50/p95/p99 latency per
operation, HTTP requests, 5xx answers and failed operations, duplicates
among the upserted refs, the server's CPU seconds (Odoo's processes) and
PostgreSQL's time (``pg_stat_database.active_time``: statements executing
in this database) per operation, and the whole machine's CPU use (other
people's work included). Only 127.0.0.1.

Here: the runs and the command line; the server and what is measured around
it in ``load_server.py``, a client and the mix in ``load_client.py``, the
figures and the report in ``load_report.py``.
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests
from load_client import Client, execute_kw_body
from load_report import print_report, run_figures
from load_server import (
    ROOT,
    Server,
    counters,
    duplicate_refs,
    pg_active_ms,
    sql,
)

sys.path.insert(0, str(ROOT / "tests" / "bench"))
from bench_client import unique_names  # noqa: E402


def run_phase(ctx, mode, clients, duration, max_ops):
    samples = defaultdict(list)
    failed = defaultdict(int)
    lock = threading.Lock()

    def record(op, seconds, ok):
        with lock:
            if ok:
                samples[op].append(seconds)
            else:
                failed[op] += 1

    stop_at = time.monotonic() + duration
    threads = [Client(ctx, n, mode, stop_at, max_ops, record) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 300)
    elapsed = time.monotonic() - started
    status = defaultdict(int)
    for thread in threads:
        for code, n in thread.status.items():
            status[code] += n
    errors = [e for t in threads for e in t.errors]
    return {
        "elapsed": elapsed,
        "samples": samples,
        "failed": dict(failed),
        "status": dict(status),
        "requests": sum(t.requests for t in threads),
        "errors": errors[:5],
    }


def one_run(args, ctx, mode, workers):
    log = Path(args.log_dir) / f"load-{mode}-w{workers}.log"
    log.unlink(missing_ok=True)
    server = Server(args.db, workers, log).start()
    ctx = {**ctx, "url": server.url, "run": f"{ctx['run']}{mode[0]}{workers}"}
    try:
        # Warm every worker (registry, caches) without measuring.
        run_phase(ctx, mode, args.clients, args.warmup, 10**6)
        time.sleep(1.5)  # let the backends flush their statistics
        before = counters(server, args.db)
        result = run_phase(ctx, mode, args.clients, args.duration, args.max_ops)
        after = counters(server, None)
    finally:
        server.stop()  # the sessions end: their statistics are flushed
    time.sleep(1.0)
    after["pg"] = pg_active_ms(args.db)
    dupes = duplicate_refs(args.db, ctx["run"])
    run = {"mode": mode, "workers": workers, "clients": args.clients}
    return run_figures(run, result, before, after, dupes)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--key", required=True, help="admin's API key")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--modes", default="api,rpc")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--max-ops", type=int, default=2000, help="per client")
    parser.add_argument("--log-dir", default=str(ROOT / ".state" / "logs"))
    parser.add_argument("--json", help="write the figures there too")
    return parser.parse_args()


def pick_names(args, uid):
    """A company partner's name and 10 saleable products' names, unique
    ones (bench_client.unique_names), read through a probe server."""
    probe = Server(args.db, 0, Path(args.log_dir) / "load-probe.log").start()
    try:
        session = requests.Session()

        class _C:  # the little bench_client.unique_names needs
            def execute_kw(self, model, method, a, kw=None):
                body = execute_kw_body(args.db, uid, args.key, model, method, a, kw)
                return session.post(
                    probe.url + "/jsonrpc", json=body, timeout=60
                ).json()["result"]

        partner = unique_names(_C(), "res.partner", [("is_company", "=", True)], 1)[0]
        products = unique_names(_C(), "product.product", [("sale_ok", "=", True)], 10)
    finally:
        probe.stop()
    return partner, products


def run_all(args, ctx):
    """One run per worker count and mode, each announced when done."""
    runs = []
    for workers in (int(w) for w in args.workers.split(",")):
        for mode in args.modes.split(","):
            runs.append(one_run(args, ctx, mode, workers))
            r = runs[-1]
            print(
                f"{mode} w{workers}: {r['ops_per_s']:.1f} ops/s, 5xx {r['http_5xx']}, "
                f"dup {r['duplicates']}",
                flush=True,
            )
    return runs


def main():
    args = parse_args()
    Path(args.log_dir).mkdir(parents=True, exist_ok=True)
    [(uid,)] = sql(args.db, "SELECT id FROM res_users WHERE login = 'admin'")
    partner, products = pick_names(args, uid)
    ctx = {
        "db": args.db,
        "uid": uid,
        "key": args.key,
        "partner": partner,
        "products": products,
        "run": uuid.uuid4().hex[:6],
    }
    load_before = " ".join(f"{v:.2f}" for v in os.getloadavg())
    runs = run_all(args, ctx)
    print_report(runs, load_before)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))
    bad = [r for r in runs if r["http_5xx"] or (r["mode"] == "api" and r["duplicates"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
