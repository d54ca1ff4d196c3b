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
"""

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "bench"))
from bench_client import unique_names  # noqa: E402

MIX = [
    "search",
    "upsert",
    "search",
    "order",
    "upsert",
    "search",
    "call",
    "upsert",
    "search",
    "order",
]
REFS = 40
TICK = os.sysconf("SC_CLK_TCK")


def pg_settings():
    return {
        "host": os.environ.get("DB_HOST", "127.0.0.1"),
        "port": int(os.environ.get("DB_PORT", "5432")),
        "user": os.environ.get("DB_USER", "odoo"),
        "password": os.environ.get("DB_PASSWORD", "odoo"),
    }


def sql(db, query, args=None):
    conn = psycopg2.connect(dbname=db, **pg_settings())
    try:
        with conn, conn.cursor() as cr:
            cr.execute(query, args)
            return cr.fetchall()
    finally:
        conn.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the server ---------------------------------------------------------------
class Server:
    def __init__(self, db, workers, log_path, extra=()):
        self.db, self.workers, self.log_path = db, workers, log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        odoo_cmd = subprocess.run(
            ["bash", str(ROOT / "scripts" / "db.sh"), "odoo-cmd"],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout.split("\n")
        self.cmd = [w for w in odoo_cmd if w] + [
            "-d",
            db,
            "--db-filter",
            f"^{db}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--gevent-port",
            str(free_port()),
            "--workers",
            str(workers),
            "--max-cron-threads",
            "0",
            "--limit-time-real",
            "300",
            "--limit-time-cpu",
            "300",
            "--log-level",
            "warn",
            *extra,
        ]
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo stopped: see {self.log_path}")
            try:
                if requests.get(self.url + "/web/health", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"Odoo did not answer: see {self.log_path}")

    def cpu_seconds(self):
        """CPU of Odoo's processes: the root, its live children, and the
        children it has reaped (cutime/cstime)."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        return total / TICK

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _children(pid):
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out += [int(entry.name), *_children(int(entry.name))]
    return out


def machine_busy():
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# -- one client ---------------------------------------------------------------
class Client(threading.Thread):
    def __init__(self, ctx, number, mode, stop_at, max_ops, record):
        super().__init__(daemon=True)
        self.ctx, self.number, self.mode = ctx, number, mode
        self.stop_at, self.max_ops, self.record = stop_at, max_ops, record
        self.http = requests.Session()
        self.requests = 0
        self.status = defaultdict(int)  # HTTP status: count
        self.errors = []
        self.last_ref = None  # the last ref this client upserted

    # transport
    def _post(self, path, body, headers=None):
        self.requests += 1
        response = self.http.post(
            self.ctx["url"] + path, json=body, headers=headers, timeout=300
        )
        self.status[response.status_code] += 1
        return response

    def api(self, route, params):
        response = self._post(
            f"/api/{route}",
            {"params": params},
            {"Authorization": f"Bearer {self.ctx['key']}"},
        )
        if response.status_code != 200:
            raise RuntimeError(f"{route}: {response.status_code} {response.text[:300]}")
        return response.json()["result"]["result"]

    def rpc(self, model, method, args, kwargs=None):
        ctx = self.ctx
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    ctx["db"],
                    ctx["uid"],
                    ctx["key"],
                    model,
                    method,
                    args,
                    kwargs or {},
                ],
            },
        }
        response = self._post("/jsonrpc", body)
        answer = response.json()
        if response.status_code != 200 or "error" in answer:
            raise RuntimeError(f"{model}.{method}: {json.dumps(answer)[:300]}")
        return answer["result"]

    # business operations
    def op_search(self):
        ctx = self.ctx
        if self.mode == "api":
            payload = {
                "search_field": [
                    "name",
                    "partner_id{name,email}",
                    "order_line{product_id,product_uom_qty,price_unit}",
                ],
                "search_domain": [["state", "in", ["draft", "sale"]]],
                "limit": 20,
                "order": "id desc",
            }
            self.api(
                "search_data", {"model": "sale.order", "vals": {"payload": payload}}
            )
        else:
            line = {"product_id": {}, "product_uom_qty": {}, "price_unit": {}}
            spec = {
                "name": {},
                "partner_id": {"fields": {"name": {}, "email": {}}},
                "order_line": {"fields": line},
            }
            self.rpc(
                "sale.order",
                "web_search_read",
                [],
                {
                    "domain": [["state", "in", ["draft", "sale"]]],
                    "specification": spec,
                    "limit": 20,
                    "order": "id desc",
                },
            )
        del ctx

    def _ref(self, seq):
        return f"LOAD-{self.ctx['run']}-{(self.number * 7 + seq) % REFS}"

    def op_upsert(self, seq):
        ref = self._ref(seq)
        vals = {"name": f"Load {ref}", "ref": ref, "comment": f"client {self.number}"}
        if self.mode == "api":
            self.api(
                "create_update_data",
                {
                    "model": "res.partner",
                    "vals": {"search_key": {"ref": ref}, "payload": vals},
                },
            )
        else:
            ids = self.rpc("res.partner", "search", [[["ref", "=", ref]]], {"limit": 1})
            if ids:
                self.rpc("res.partner", "write", [ids, vals])
            else:
                self.rpc("res.partner", "create", [vals])
        self.last_ref = ref

    def op_order(self):
        ctx = self.ctx
        if self.mode == "api":
            lines = [
                {"product_id": {"name": n}, "product_uom_qty": 1}
                for n in ctx["products"]
            ]
            payload = {
                "partner_id": {"name": ctx["partner"]},
                "client_order_ref": f"LOAD-{ctx['run']}",
                "order_line": lines,
            }
            self.api(
                "create_data", {"model": "sale.order", "vals": {"payload": payload}}
            )
        else:
            pid = self.rpc("res.partner", "name_search", [ctx["partner"]], {"limit": 1})
            ids = [
                self.rpc(
                    "product.product", "name_search", [n], {"limit": 1, "operator": "="}
                )[0][0]
                for n in ctx["products"]
            ]
            lines = [(0, 0, {"product_id": i, "product_uom_qty": 1}) for i in ids]
            self.rpc(
                "sale.order",
                "create",
                [
                    {
                        "partner_id": pid[0][0],
                        "client_order_ref": f"LOAD-{ctx['run']}",
                        "order_line": lines,
                    }
                ],
            )

    def op_call(self, seq):
        del seq
        ref = self.last_ref
        if self.mode == "api":
            self.api(
                "call_function",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"ref": ref},
                        "payload": {
                            "method": "address_get",
                            "parameter": {"adr_pref": ["invoice", "delivery"]},
                        },
                    },
                },
            )
        else:
            ids = self.rpc("res.partner", "search", [[["ref", "=", ref]]], {"limit": 1})
            self.rpc(
                "res.partner",
                "address_get",
                [ids[:1]],
                {"adr_pref": ["invoice", "delivery"]},
            )

    def run(self):
        for seq in range(self.max_ops):
            if time.monotonic() >= self.stop_at:
                break
            op = MIX[(seq + self.number) % len(MIX)]
            if op == "call" and not self.last_ref:
                op = "upsert"  # the call needs a ref this client has made
            started = time.monotonic()
            try:
                if op in ("upsert", "call"):
                    getattr(self, f"op_{op}")(seq)
                else:
                    getattr(self, f"op_{op}")()
                ok = True
            except Exception as exc:  # noqa: BLE001 - counted and reported
                ok = False
                self.errors.append(f"{op}: {exc}"[:400])
            self.record(op, time.monotonic() - started, ok)


def percentile(values, q):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


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


def pg_active_ms(db):
    return sql(
        "postgres",
        "SELECT coalesce(active_time, 0) FROM pg_stat_database " "WHERE datname = %s",
        [db],
    )[0][0]


def one_run(args, ctx, mode, workers):
    log = Path(args.log_dir) / f"load-{mode}-w{workers}.log"
    log.unlink(missing_ok=True)
    server = Server(args.db, workers, log).start()
    ctx = {**ctx, "url": server.url, "run": f"{ctx['run']}{mode[0]}{workers}"}
    try:
        # Warm every worker (registry, caches) without measuring.
        run_phase(ctx, mode, args.clients, args.warmup, 10**6)
        time.sleep(1.5)  # let the backends flush their statistics
        cpu0, pg0, busy0 = server.cpu_seconds(), pg_active_ms(args.db), machine_busy()
        me0 = resource.getrusage(resource.RUSAGE_SELF)
        result = run_phase(ctx, mode, args.clients, args.duration, args.max_ops)
        cpu1, busy1 = server.cpu_seconds(), machine_busy()
        me1 = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        server.stop()  # the sessions end: their statistics are flushed
    time.sleep(1.0)
    pg1 = pg_active_ms(args.db)
    refs = f"LOAD-{ctx['run']}-%"
    dupes = sql(
        args.db,
        "SELECT count(*) FROM (SELECT ref FROM res_partner WHERE ref "
        "LIKE %s GROUP BY ref HAVING count(*) > 1) AS d",
        [refs],
    )[0][0]
    ops = sum(len(v) for v in result["samples"].values())
    busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * os.cpu_count()
    return {
        "mode": mode,
        "workers": workers,
        "clients": args.clients,
        "elapsed": result["elapsed"],
        "ops": ops,
        "ops_per_s": ops / result["elapsed"],
        "requests": result["requests"],
        "http_5xx": sum(n for code, n in result["status"].items() if code >= 500),
        "status": result["status"],
        "failed_ops": result["failed"],
        "duplicates": dupes,
        "errors": result["errors"],
        "server_cpu_ms_per_op": (cpu1 - cpu0) * 1000 / max(ops, 1),
        "pg_ms_per_op": (pg1 - pg0) / max(ops, 1),
        "client_cpu_ms_per_op": (
            me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime
        )
        * 1000
        / max(ops, 1),
        "machine_cores_busy": busy,
        "per_op": {
            op: {
                "n": len(v),
                "per_s": len(v) / result["elapsed"],
                "p50": percentile(v, 0.5) * 1000,
                "p95": percentile(v, 0.95) * 1000,
                "p99": percentile(v, 0.99) * 1000,
            }
            for op, v in sorted(result["samples"].items())
        },
    }


def print_report(runs, load_before):
    print(f"\nMachine: {os.cpu_count()} cores; load average before: {load_before}")
    print(
        "mode workers clients  ops/s  req/s  5xx failed dup  odoo-cpu-ms/op "
        "pg-ms/op client-cpu-ms/op cores-busy"
    )
    for r in runs:
        print(
            f"{r['mode']:<6}{r['workers']:>5}{r['clients']:>8}{r['ops_per_s']:>8.1f}"
            f"{r['requests'] / r['elapsed']:>7.1f}{r['http_5xx']:>5}"
            f"{sum(r['failed_ops'].values()):>7}{r['duplicates']:>4}"
            f"{r['server_cpu_ms_per_op']:>16.1f}{r['pg_ms_per_op']:>9.1f}"
            f"{r['client_cpu_ms_per_op']:>17.1f}{r['machine_cores_busy']:>11.2f}"
        )
    print("\nper operation (ops/s, p50 / p95 / p99 ms):")
    for r in runs:
        cells = "  ".join(
            f"{op} {s['per_s']:.1f}/s {s['p50']:.0f}/{s['p95']:.0f}/{s['p99']:.0f}"
            for op, s in r["per_op"].items()
        )
        print(f"  {r['mode']:<4} w{r['workers']}: {cells}")
    for r in runs:
        for err in r["errors"]:
            print(f"  error ({r['mode']} w{r['workers']}): {err}")


def main():
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
    args = parser.parse_args()
    Path(args.log_dir).mkdir(parents=True, exist_ok=True)

    [(uid,)] = sql(args.db, "SELECT id FROM res_users WHERE login = 'admin'")
    probe = Server(args.db, 0, Path(args.log_dir) / "load-probe.log").start()
    try:
        session = requests.Session()

        class _C:  # the little bench_client.unique_names needs
            def execute_kw(self, model, method, a, kw=None):
                body = {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "service": "object",
                        "method": "execute_kw",
                        "args": [args.db, uid, args.key, model, method, a, kw or {}],
                    },
                }
                return session.post(
                    probe.url + "/jsonrpc", json=body, timeout=60
                ).json()["result"]

        partner = unique_names(_C(), "res.partner", [("is_company", "=", True)], 1)[0]
        products = unique_names(_C(), "product.product", [("sale_ok", "=", True)], 10)
    finally:
        probe.stop()
    ctx = {
        "db": args.db,
        "uid": uid,
        "key": args.key,
        "partner": partner,
        "products": products,
        "run": uuid.uuid4().hex[:6],
    }
    load_before = " ".join(f"{v:.2f}" for v in os.getloadavg())
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
    print_report(runs, load_before)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))
    bad = [r for r in runs if r["http_5xx"] or (r["mode"] == "api" and r["duplicates"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
