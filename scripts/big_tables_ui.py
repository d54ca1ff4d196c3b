"""What an admin waits for beside big tables (``big_tables.py --ui``): an
Odoo server on the scratch database, and the calls the web client makes to
open each list and dashboard, timed over JSON-RPC (median of 3, warm).

Each list: ``web_search_read`` with the fields of its list view (many2one
fields with their display name, as the web client asks), 80 rows in the
model's order, the count limited to 10,001; the lists without their
default filter (the whole table: the worst case). Each dashboard: the
graph's ``read_group`` (by day and state, its default 7-day filter) and the
pivot's (by day, with its measures).
"""

import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.server import OdooServer  # noqa: E402

LISTS = {
    "API Logs list (all entries)": [],
    "API calls list (receive)": [("log_type", "=", "receive")],
    "Deliveries list (send)": [("log_type", "=", "send")],
    "Failed deliveries list": [("log_type", "=", "send"), ("state", "=", "failed")],
}
MEASURES = ["__count", "success_rate:avg", "duration_ms:avg"]


def list_spec(server):
    """The specification the web client sends for the log's list view."""
    views = server.rpc("webhook.log", "get_views", [[False, "list"]])
    arch = views["views"]["list"]["arch"]
    fields = views["models"]["webhook.log"]["fields"]
    spec = {}
    for name in re.findall(r'<field name="(\w+)"', arch):
        relational = fields.get(name, {}).get("type") == "many2one"
        spec[name] = {"fields": {"display_name": {}}} if relational else {}
    return spec


def timed(call, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def lists(server):
    spec = list_spec(server)
    for name, domain in LISTS.items():
        yield (
            name,
            lambda d=domain: server.rpc(
                "webhook.log",
                "web_search_read",
                d,
                spec,
                limit=80,
                count_limit=10001,
            ),
        )


def dashboards(server):
    week = (datetime.utcnow() - timedelta(days=7)).strftime("%Y-%m-%d 00:00:00")
    for kind in ("receive", "send"):
        domain = [("log_type", "=", kind), ("date", ">=", week)]
        yield f"{kind} dashboard: graph", lambda d=domain: server.rpc(
            "webhook.log", "read_group", d, ["__count"], ["date:day", "state"],
            lazy=False,
        )  # fmt: skip
        yield (
            f"{kind} dashboard: pivot",
            lambda d=domain: server.rpc(
                "webhook.log", "read_group", d, MEASURES, ["date:day"], lazy=False
            ),
        )


def rule_screens(server):
    rule_ids = server.rpc("webhook.outbound.rule", "search", [], limit=1)
    yield "Rules list", lambda: server.rpc(
        "webhook.outbound.rule", "web_search_read", [],
        {"name": {}, "health_state": {}, "model_id": {"fields": {"display_name": {}}}},
        limit=80,
    )  # fmt: skip
    yield "A rule's deliveries (80)", lambda: server.rpc(
        "webhook.log", "web_search_read",
        [("outbound_rule_id", "in", rule_ids)], list_spec(server), limit=80,
        count_limit=10001,
    )  # fmt: skip


def measure_ui(db):
    """Print the timings; the server is stopped at the end."""
    log = Path(tempfile.gettempdir()) / f"big-tables-ui-{db}.log"
    server = OdooServer(db, log).start()
    try:
        print("\n== what the web client waits for (JSON-RPC, ms)")
        for group in (lists, dashboards, rule_screens):
            for name, call in group(server):
                try:
                    print(f"{timed(call):10.1f} ms  {name}")
                except RuntimeError as exc:  # a field missing on this version
                    print(f"{'':10}    {name}: {exc}")
    finally:
        server.stop()
