"""Benchmarks of the webhook API against native Odoo JSON-RPC, in one run.

Not a test: prints a table of medians, ratios and SQL query counts. Query
counts come from the server's own access log (``--workers 0``: each request
line ends with ``<queries> <query time> <other time>``).

Usage (scripts/bench.sh prepares the database and the server)::

    python tests/bench/bench.py --url http://127.0.0.1:8069 --db DB \\
        --key API_KEY --password admin --server-log odoo.log --server-pid PID
"""

import argparse
import statistics
import time
from pathlib import Path

from bench_batch import BatchBenchmarks
from bench_client import Client, DelayProxy, measure, unique_names
from bench_integration import IntegrationBenchmarks
from bench_outbound import OutboundBenchmarks
from bench_pool import PoolBenchmarks
from bench_recompute import RecomputeBenchmarks
from bench_table import print_table

BENCHMARKS = (
    "create",
    "search",
    "query_counts",
    "logging",
    "outbound",
    "memory",
    "recompute",
    "pool",
    "small",
    "batch_upsert",
    "batch_orders",
    "cursor",
    "integration",
)


class Bench(
    OutboundBenchmarks,
    RecomputeBenchmarks,
    PoolBenchmarks,
    BatchBenchmarks,
    IntegrationBenchmarks,
):
    """One benchmark per method; each appends rows to ``self.rows``."""

    def __init__(self, client, rounds, server_pid=None, rtt_ms=0):
        self.c = client
        self.rounds = rounds
        self.rtt_ms = rtt_ms
        self.server_pid = server_pid
        self.rows = []
        self.notes = []
        c = client
        self.partner = unique_names(c, "res.partner", [("is_company", "=", True)], 1)[0]
        self.partner_id = c.execute_kw(
            "res.partner", "search", [[("name", "=", self.partner)]]
        )[0]
        self.products = unique_names(c, "product.product", [("sale_ok", "=", True)], 10)
        self.product_ids = [
            c.execute_kw("product.product", "search", [[("name", "=", n)]])[0]
            for n in self.products
        ]

    def row(self, name, other, ours, theirs, q_ours, q_theirs, target):
        self.rows.append((name, other, ours, theirs, q_ours, q_theirs, target))

    # -- contenders ------------------------------------------------------
    def api_create(self, n_lines=10):
        lines = [
            {"product_id": {"name": self.products[i % 10]}, "product_uom_qty": 1}
            for i in range(n_lines)
        ]
        payload = {
            "partner_id": {"name": self.partner},
            "client_order_ref": "BENCH-C",
            "order_line": lines,
        }
        vals = {"payload": payload}
        return self.c.api("create_data", {"model": "sale.order", "vals": vals})

    def native_flow(self):
        c = self.c
        pid = c.execute_kw("res.partner", "name_search", [self.partner], {"limit": 1})
        ids = [
            c.execute_kw(
                "product.product", "name_search", [n], {"limit": 1, "operator": "="}
            )[0][0]
            for n in self.products
        ]
        lines = [(0, 0, {"product_id": i, "product_uom_qty": 1}) for i in ids]
        vals = {"partner_id": pid[0][0], "client_order_ref": "BENCH-C"}
        return c.execute_kw("sale.order", "create", [{**vals, "order_line": lines}])

    def native_create(self, n_lines=10):
        lines = [
            (0, 0, {"product_id": self.product_ids[i % 10], "product_uom_qty": 1})
            for i in range(n_lines)
        ]
        vals = {"partner_id": self.partner_id, "client_order_ref": "BENCH-C"}
        return self.c.execute_kw(
            "sale.order", "create", [{**vals, "order_line": lines}]
        )

    # -- benchmarks ------------------------------------------------------
    def bench_create(self):
        for func in (self.api_create, self.native_flow, self.native_create):
            func()  # warm caches
        medians, queries = measure(
            {
                "api": (self.c, self.api_create),
                "flow": (self.c, self.native_flow),
                "create": (self.c, self.native_create),
            },
            self.rounds,
        )
        name = "1. create_data, 10-line order, partner and products by name"
        self.row(
            name,
            "native flow: 12 calls (name_search x11 + create)",
            medians["api"],
            medians["flow"],
            queries["api"],
            queries["flow"],
            "ratio <= 0.33 (3x faster)",
        )
        self.row(
            name,
            "native create, ids known (1 call)",
            medians["api"],
            medians["create"],
            queries["api"],
            queries["create"],
            "ratio <= 1.25; queries <= native + 10",
        )
        if self.rtt_ms:
            self._bench_create_remote()

    def measure_remote(self, contenders):
        """``measure`` for a client ``rtt_ms`` away: every call goes through
        a TCP proxy that delays each direction by half the round trip. The
        contenders ({name: function}) call through ``self.c``, which is
        the proxied client meanwhile."""
        local = self.c
        port = int(local.url.rsplit(":", 1)[1])
        proxy = DelayProxy(port, self.rtt_ms / 2000)
        try:
            remote = Client(
                proxy.url,
                local.db,
                local.login,
                local.password,
                local.key,
                local.log_path,
            )
            self.c = remote
            for func in contenders.values():
                func()  # warm the connection
            return measure(
                {name: (remote, func) for name, func in contenders.items()},
                self.rounds,
            )
        finally:
            self.c = local
            proxy.stop()

    def _bench_create_remote(self):
        """Benchmark 1 for a client that is not on the server's machine:
        every call pays the network round trip, the native flow 12 times."""
        medians, queries = self.measure_remote(
            {"api": self.api_create, "flow": self.native_flow}
        )
        self.row(
            f"1. same, client {self.rtt_ms:g} ms away (round trip; TCP proxy)",
            "native flow: 12 calls",
            medians["api"],
            medians["flow"],
            queries["api"],
            queries["flow"],
            "ratio <= 0.33 (3x faster)",
        )

    def _seed_orders(self, domain):
        """200 orders of 10 lines matching ``domain`` (made once)."""
        c = self.c
        existing = c.execute_kw("sale.order", "search_count", [domain])
        for _ in range(existing, 200, 20):
            lines = [
                (0, 0, {"product_id": self.product_ids[i], "product_uom_qty": i + 1})
                for i in range(10)
            ]
            order = {
                "partner_id": self.partner_id,
                "client_order_ref": "BENCH-S",
                "order_line": lines,
            }
            c.execute_kw("sale.order", "create", [[order] * 20])

    def bench_search(self):
        c = self.c
        domain = [("client_order_ref", "=", "BENCH-S")]
        self._seed_orders(domain)
        fields = [
            "name",
            "partner_id{name,email}",
            "order_line{product_id,product_uom_qty,price_unit}",
        ]
        line_spec = {"product_id": {}, "product_uom_qty": {}, "price_unit": {}}
        spec = {
            "name": {},
            "partner_id": {"fields": {"name": {}, "email": {}}},
            "order_line": {"fields": line_spec},
        }

        def api_search():
            payload = {
                "search_field": fields,
                "search_domain": [list(d) for d in domain],
                "limit": 200,
            }
            params = {"model": "sale.order", "vals": {"payload": payload}}
            assert len(c.api("search_data", params)) == 200

        def native_search():
            kwargs = {"domain": domain, "specification": spec, "limit": 200}
            result = c.execute_kw("sale.order", "web_search_read", [], kwargs)
            assert len(result["records"]) == 200

        api_search(), native_search()
        medians, queries = measure(
            {"api": (c, api_search), "native": (c, native_search)}, self.rounds
        )
        self.row(
            "2. search_data, 200 orders (2,000 lines), 2 expansions",
            "native web_search_read, same specification",
            medians["api"],
            medians["native"],
            queries["api"],
            queries["native"],
            "ratio <= 1.1",
        )

    def _bench_tags(self):
        """100 partner tags, made once; their names."""
        c = self.c
        tags = [f"BENCH tag {i}" for i in range(100)]
        have = {
            r["name"]
            for r in c.execute_kw(
                "res.partner.category",
                "search_read",
                [[("name", "in", tags)]],
                {"fields": ["name"]},
            )
        }
        missing = [{"name": t} for t in tags if t not in have]
        if missing:
            c.execute_kw("res.partner.category", "create", [missing])
        return tags

    def bench_query_counts(self):
        c = self.c
        tags = self._bench_tags()

        def m2m(n):
            records = [{"name": t} for t in tags[:n]]
            payload = {"name": f"bench m2m {n}", "category_id": {"records": records}}
            params = {"model": "res.partner", "vals": {"payload": payload}}
            return c.api("create_data", params)

        counts = {}
        for n in (10, 100):
            for label, func in (
                ("m2m", m2m),
                ("api", self.api_create),
                ("native", self.native_create),
            ):
                func(n)  # warm, then count the second call
                offset = c.log_offset()
                func(n)
                counts[(label, n)] = c.queries_since(offset)
        self.row(
            "3. create_data, partner with 10 / 100 tags looked up by name",
            "-",
            None,
            None,
            f"{counts[('m2m', 10)]} / {counts[('m2m', 100)]}",
            None,
            "the same count",
        )
        self.row(
            "3. create_data, order with 10 / 100 lines, products by name",
            "native create, ids known",
            None,
            None,
            f"{counts[('api', 10)]} / {counts[('api', 100)]}",
            f"{counts[('native', 10)]} / {counts[('native', 100)]}",
            "overhead (ours - native) the same",
        )

    def bench_logging(self):
        def set_log(value):
            args = ["webhook.create_data_log", value]
            self.c.execute_kw("ir.config_parameter", "set_param", args)

        times = {"on": [], "off": []}
        for _ in range(self.rounds):
            for state in ("on", "off"):
                set_log("True" if state == "on" else "False")
                self.api_create()  # set_param empties the parameter cache
                started = time.perf_counter()
                self.api_create()
                times[state].append(time.perf_counter() - started)
        set_log("True")
        self.row(
            "5. create_data, 10-line order, logging on",
            "logging off",
            statistics.median(times["on"]),
            statistics.median(times["off"]),
            None,
            None,
            "ratio <= 1.15",
        )

    def bench_memory(self):
        if not self.server_pid:
            return
        status = Path(f"/proc/{self.server_pid}/status")

        def peak_kb():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
            return 0

        before = peak_kb()
        payload = {"name": "bench 10MB", "comment": "x" * 10_000_000}
        self.c.api(
            "create_data", {"model": "res.partner", "vals": {"payload": payload}}
        )
        after = peak_kb()
        grown = (after - before) / 1024
        self.notes.append(
            f"6. Peak memory (VmHWM) of the server for a 10 MB create_data: "
            f"+{grown:.0f} MB, {grown / 10:.1f}x the payload (target < 20x); "
            f"peak {after / 1024:.0f} MB"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--key", required=True, help="API key of the login user")
    parser.add_argument("--server-log")
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--title", help="printed above the table")
    parser.add_argument(
        "--rtt-ms",
        type=float,
        default=10,
        help="benchmarks 1, 10 and 11 again for a client this far away (0: skip)",
    )
    parser.add_argument(
        "--only",
        help="comma-separated subset of: " + ",".join(BENCHMARKS),
    )
    args = parser.parse_args()
    client = Client(
        args.url, args.db, args.login, args.password, args.key, args.server_log
    )
    bench = Bench(client, args.rounds, args.server_pid, args.rtt_ms)
    only = args.only.split(",") if args.only else BENCHMARKS
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    for name in BENCHMARKS:
        if name in only:
            getattr(bench, f"bench_{name}")()
    if args.title:
        print(f"\n{args.title}\n")
    print_table(bench.rows, args.rounds)
    for note in bench.notes:
        print(note)


if __name__ == "__main__":
    main()
