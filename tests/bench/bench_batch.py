"""Benchmarks of issue 16 (a mixin of bench.Bench): the per-call overhead of
a small call, POST /api/batch against one call per operation, and cursor
paging against offset paging."""

import statistics
import time

from bench_client import measure

UPSERTS = 100
ORDERS = 10
PAGED_PARTNERS = 10_000
PAGE = 500


class BatchBenchmarks:
    """``bench_small``, ``bench_batch_upsert``, ``bench_batch_orders`` and
    ``bench_cursor``; expects ``self.c``, ``self.rounds``, ``self.row()``,
    ``self.notes``, ``self.partner``, ``self.products`` from Bench."""

    # -- 9. a small call ----------------------------------------------------
    def bench_small(self):
        c = self.c
        pid = self.partner_id
        params = {
            "model": "res.partner",
            "vals": {
                "payload": {
                    "search_domain": [["id", "=", pid]],
                    "search_field": ["name"],
                }
            },
        }

        def api():
            assert c.api("search_data", params)[0]["id"] == pid

        def native():
            rows = c.execute_kw(
                "res.partner", "search_read", [[("id", "=", pid)]], {"fields": ["name"]}
            )
            assert rows[0]["id"] == pid

        def health():
            c.http.get(f"{c.url}/web/health", timeout=30).raise_for_status()

        api(), native(), health()
        # Small calls are noisy: at least 60 rounds, whatever BENCH_ROUNDS.
        medians, queries = measure(
            {"api": (c, api), "native": (c, native), "health": (c, health)},
            max(self.rounds, 60),
        )
        self.row(
            "9. search_data, one partner by id, logging on",
            "native search_read (JSON-RPC)",
            medians["api"],
            medians["native"],
            queries["api"],
            queries["native"],
            "ratio <= 1.2",
        )
        self.notes.append(
            f"9. HTTP floor (GET /web/health): {medians['health'] * 1000:.1f} ms; "
            f"search_data {medians['api'] * 1000:.1f} ms, search_read "
            f"{medians['native'] * 1000:.1f} ms"
        )

    # -- 10. 100 upserts ------------------------------------------------------
    def _upsert_vals(self, i, run):
        return {
            "search_key": {"ref": f"BENCH-UP-{i}"},
            "payload": {
                "name": f"Bench upsert {i}",
                "ref": f"BENCH-UP-{i}",
                "comment": f"run {run}",
            },
        }

    def bench_batch_upsert(self):
        run = [0]

        def batch():
            run[0] += 1
            ops = [
                {
                    "route": "create_update_data",
                    "model": "res.partner",
                    "vals": self._upsert_vals(i, run[0]),
                }
                for i in range(UPSERTS)
            ]
            result = self.c.api("batch", {"operations": ops})
            assert result["succeeded"] == UPSERTS, result

        def calls():
            run[0] += 1
            for i in range(UPSERTS):
                vals = self._upsert_vals(i, run[0])
                self.c.api("create_update_data", {"model": "res.partner", "vals": vals})

        batch(), calls()  # the partners exist: every round updates
        contenders = {"batch": batch, "calls": calls}
        name = f"10. {UPSERTS} partner upserts by ref, one batch call"
        local = {key: (self.c, func) for key, func in contenders.items()}
        runs = [(name, measure(local, self.rounds))]
        if self.rtt_ms:
            remote = f"10. same, client {self.rtt_ms:g} ms away (round trip; TCP proxy)"
            runs.append((remote, self.measure_remote(contenders)))
        for title, (medians, queries) in runs:
            self.row(
                title,
                f"{UPSERTS} create_update_data calls",
                medians["batch"],
                medians["calls"],
                queries["batch"],
                queries["calls"],
                "ratio <= 0.2 (5x faster)",
            )

    # -- 11. 10 orders of 10 lines -------------------------------------------
    def _order_vals(self):
        lines = [
            {"product_id": {"name": self.products[i]}, "product_uom_qty": 1}
            for i in range(10)
        ]
        return {
            "payload": {
                "partner_id": {"name": self.partner},
                "client_order_ref": "BENCH-B",
                "order_line": lines,
            }
        }

    def bench_batch_orders(self):
        def batch():
            ops = [
                {
                    "route": "create_data",
                    "model": "sale.order",
                    "vals": self._order_vals(),
                }
                for _ in range(ORDERS)
            ]
            assert self.c.api("batch", {"operations": ops})["succeeded"] == ORDERS

        def calls():
            for _ in range(ORDERS):
                self.c.api(
                    "create_data", {"model": "sale.order", "vals": self._order_vals()}
                )

        def flow():
            for _ in range(ORDERS):
                self.native_flow()

        batch(), calls(), flow()
        contenders = {"batch": batch, "calls": calls, "flow": flow}
        medians, queries = measure(
            {key: (self.c, func) for key, func in contenders.items()}, self.rounds
        )
        name = f"11. {ORDERS} sale orders of 10 lines (products by name), one batch"
        self._orders_rows(name, medians, queries)
        if self.rtt_ms:
            medians, queries = self.measure_remote(contenders)
            name = f"11. same, client {self.rtt_ms:g} ms away (round trip; TCP proxy)"
            self._orders_rows(name, medians, queries)

    def _orders_rows(self, name, medians, queries):
        self.row(
            name,
            f"{ORDERS} create_data calls",
            medians["batch"],
            medians["calls"],
            queries["batch"],
            queries["calls"],
            "ratio < 1",
        )
        self.row(
            name,
            f"native flow ({ORDERS} x 12 calls: name_search x11 + create)",
            medians["batch"],
            medians["flow"],
            queries["batch"],
            queries["flow"],
            "ratio < 0.33",
        )

    # -- 12. cursor vs offset ------------------------------------------------
    def _seed_paged_partners(self):
        c = self.c
        domain = [("ref", "=like", "BENCH-PAGE-%")]
        have = c.execute_kw("res.partner", "search_count", [domain])
        for start in range(have, PAGED_PARTNERS, 1000):
            rows = [
                {"name": f"Bench page {i:05d}", "ref": f"BENCH-PAGE-{i:05d}"}
                for i in range(start, min(start + 1000, PAGED_PARTNERS))
            ]
            c.execute_kw("res.partner", "create", [rows])
        return domain

    def _read_all(self, domain, by_cursor):
        """Per-page times (s) of reading every record, by cursor or offset."""
        times, cursor, offset = [], None, 0
        while True:
            payload = {
                "search_domain": [list(d) for d in domain],
                "search_field": ["name", "ref"],
                "order": "id",
                "limit": PAGE,
            }
            if by_cursor and cursor:
                payload["cursor"] = cursor
            elif not by_cursor:
                payload["offset"] = offset
            body = {"params": {"model": "res.partner", "vals": {"payload": payload}}}
            started = time.perf_counter()
            answer = self.c.http.post(
                f"{self.c.url}/api/search_data",
                json=body,
                headers={"Authorization": f"Bearer {self.c.key}"},
                timeout=300,
            ).json()["result"]
            times.append(time.perf_counter() - started)
            offset += PAGE
            cursor = answer.get("next_cursor")
            if not answer.get("has_more"):
                return times

    def bench_cursor(self):
        domain = self._seed_paged_partners()
        runs = {"cursor": [], "offset": []}
        self._read_all(domain, True), self._read_all(domain, False)
        for _ in range(self.rounds):
            for mode in ("cursor", "offset"):
                runs[mode].append(self._read_all(domain, mode == "cursor"))
        pages = len(runs["cursor"][0])
        first = {m: statistics.median(r[0] for r in runs[m]) for m in runs}
        last = {m: statistics.median(r[-1] for r in runs[m]) for m in runs}
        total = {m: statistics.median(sum(r) for r in runs[m]) for m in runs}
        self.row(
            f"12. read {PAGED_PARTNERS:,} partners, {pages} pages of {PAGE}, by cursor",
            "by offset",
            total["cursor"],
            total["offset"],
            None,
            None,
            "cursor page time flat",
        )
        for mode in ("cursor", "offset"):
            self.notes.append(
                f"12. {mode}: first page {first[mode] * 1000:.1f} ms, last page "
                f"{last[mode] * 1000:.1f} ms (x{last[mode] / first[mode]:.2f})"
            )
