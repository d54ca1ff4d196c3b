"""Benchmark: the per-call cost of an integration's checks (a mixin of
bench.Bench). The same search_data call with the API user's plain key and
with the key of an integration of the same user that has scopes (read
fields too), an allowed network and rate limits per minute and per day
(counted in PostgreSQL on a short transaction of its own). Target: at most
1 ms more per call."""

import statistics
import time

INTEGRATION = "webhook.integration"


class IntegrationBenchmarks:
    """``bench_integration``; expects ``self.c``, ``self.rounds``,
    ``self.row()`` and ``self.notes`` from Bench."""

    def bench_integration(self):
        c = self.c
        integration_id, key = self._bench_integration_key()
        scoped = c.clone()
        scoped.key = key
        params = {
            "model": "res.partner",
            "vals": {"payload": {"search_field": ["name"], "limit": 5}},
        }
        try:
            for client in (c, scoped):  # warm the caches of the worker
                for _n in range(5):
                    client.api("search_data", params)
            times = {"plain": [], "integration": []}
            for _n in range(max(self.rounds, 30)):
                for name, client in (("plain", c), ("integration", scoped)):
                    started = time.perf_counter()
                    client.api("search_data", params)
                    times[name].append(time.perf_counter() - started)
                    time.sleep(0.01)
        finally:
            c.execute_kw(INTEGRATION, "unlink", [[integration_id]])
        plain = statistics.median(times["plain"])
        checked = statistics.median(times["integration"])
        self.row(
            "12. search_data with an integration key (scopes, network, rate "
            "limits per minute and day)",
            "the same call with a plain user key",
            checked,
            plain,
            None,
            None,
            "difference <= 1 ms",
        )
        self.notes.append(
            f"12. integration checks: {(checked - plain) * 1000:+.2f} ms per call "
            "(median difference; target <= 1 ms)"
        )

    def _bench_integration_key(self):
        c = self.c
        # The plain key's user (from its log entry): both keys act as one user.
        c.api("search_data", {"model": "res.partner", "vals": {}})
        [last] = c.execute_kw(
            "webhook.log",
            "search_read",
            [[("route", "=", "/api/search_data")]],
            {"fields": ["user_id"], "limit": 1, "order": "id desc"},
        )
        uid = last["user_id"][0]
        model_id = c.execute_kw("ir.model", "search", [[("model", "=", "res.partner")]])
        read_fields = c.execute_kw(
            "ir.model.fields",
            "search",
            [[("model", "=", "res.partner"), ("name", "in", ["name", "ref"])]],
        )
        scope = {
            "model_id": model_id[0],
            "allow_search": True,
            "read_field_ids": [(6, 0, read_fields)],
        }
        integration_id = c.execute_kw(
            INTEGRATION,
            "create",
            [
                {
                    "name": "bench",
                    "user_id": uid,
                    "allowed_networks": "127.0.0.0/8, ::1",
                    "rate_per_minute": 1_000_000,
                    "rate_per_day": 100_000_000,
                    "scope_ids": [(0, 0, scope)],
                }
            ],
        )
        wizard = c.execute_kw(
            "webhook.integration.key.wizard",
            "create",
            [{"integration_id": integration_id, "name": "bench"}],
        )
        action = c.execute_kw(
            "webhook.integration.key.wizard", "action_generate", [[wizard]]
        )
        return integration_id, action["context"]["default_key"]
