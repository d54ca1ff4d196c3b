"""Screenshots for the README (docs/screenshots/*.png): the dashboards, and
setting up an integration from nothing.

    .venv/bin/python scripts/screenshots.py [--only dashboards|integration] [OUTPUT_DIR]

Starts Odoo on a fresh copy of the addons' database with sale_management
(tests/helpers/server.py, as the end-to-end suites do) and headless Chromium
(scripts/browser.py), logged in as admin.

Dashboards: API calls through real HTTP (some of them refused) and outbound
deliveries to two local receivers (one that fails half of the time), then
the API calls and deliveries dashboards, one 1280x800 PNG per view.
Everything is real except the dates: all of it happens within a minute, so
the entries' dates are then spread over the last seven days, or the graphs'
time axis would show a single bar.

Integration: scripts/screenshots_integration.py clicks through the set-up
of an integration, calls the API with the key it made, and shows the form
again (integration_*.png).
"""

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

import psycopg2
from browser import Browser, admin_session
from screenshots_integration import walk_through

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT / "tests"))

from helpers.checks import partner_invoice_rule  # noqa: E402
from helpers.receiver import Receiver  # noqa: E402
from helpers.server import ADMIN_PASSWORD, pg_settings, start_server  # noqa: E402
from helpers.server import _free_port as free_port  # noqa: E402

SEND_CRON = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"
# (file, action, view type, CSS selector of the rendered view)
SHOTS = [
    (
        "api_calls_graph.png",
        "webhook_fastapi.action_webhook_log_dashboard",
        "graph",
        ".o_graph_renderer canvas",
    ),
    (
        "api_calls_pivot.png",
        "webhook_fastapi.action_webhook_log_dashboard",
        "pivot",
        ".o_pivot table",
    ),
    (
        "deliveries_graph.png",
        "webhook_fastapi_outbound.action_webhook_delivery_dashboard",
        "graph",
        ".o_graph_renderer canvas",
    ),
    (
        "deliveries_pivot.png",
        "webhook_fastapi_outbound.action_webhook_delivery_dashboard",
        "pivot",
        ".o_pivot table",
    ),
]


def make_api_calls(server, rounds=12):
    """Calls on every route; about one in five is refused (unknown model,
    unknown field, bad key), as a dashboard of real traffic would show."""
    for n in range(rounds):
        ref = f"SHOT-{n % 4}"
        vals = {
            "search_key": {"ref": ref},
            "payload": {"name": f"Shop {n}", "ref": ref},
        }
        server.api("create_update_data", {"model": "res.partner", "vals": vals})
        server.api(
            "search_data",
            {"model": "res.partner", "vals": {"payload": {"search_field": ["name"]}}},
        )
        payload = {"name": f"Invoice address {n}", "type": "invoice"}
        server.api(
            "create_data", {"model": "res.partner", "vals": {"payload": payload}}
        )
        if n % 2:
            server.api(
                "search_data", {"model": "no.such.model", "vals": {"payload": {}}}
            )
        if n % 3 == 0:
            bad = {"search_key": {"ref": ref}, "payload": {"no_such_field": 1}}
            server.api("update_data", {"model": "res.partner", "vals": bad})
        if n % 4 == 0:
            server.api("search_data", {"model": "res.partner"}, key="Bearer wrong")


def make_deliveries(server, healthy, flaky, count=16):
    """Two rules on invoice addresses: one to a receiver that always answers
    200, one (a single attempt) to a receiver that answers 500 every other
    time. The partners are written through JSON-RPC, the job run by hand."""
    partner_invoice_rule(server, "Invoices to the ERP", healthy.url + "/erp")
    rule_id, __ = partner_invoice_rule(server, "Invoices to the CRM", flaky.url)
    server.rpc("webhook.outbound.rule", "write", [rule_id], {"max_attempts": 1})
    flaky.reset(
        default=200, script=list(itertools.islice(itertools.cycle([500, 200]), count))
    )
    for n in range(count):
        partner_id = server.rpc("res.partner", "create", {"name": f"Customer {n}"})
        server.rpc("res.partner", "write", [partner_id], {"type": "invoice"})
    for __ in range(10):
        server.run_cron(SEND_CRON)
        pending = server.sql("SELECT count(*) FROM webhook_log WHERE state = 'pending'")
        if not pending[0][0]:
            return
        time.sleep(1)


def spread_dates(db, days=7):
    """Move the entries back over the last ``days`` days (more of them
    recently), keeping their order: a fixed seed, so that the images stay
    the same, and the oldest entries first, so that the graphs' first
    series (and colour) is Done, as the first call and delivery were."""
    rng = random.Random(15)
    with psycopg2.connect(dbname=db, **pg_settings()) as conn, conn.cursor() as cr:
        for log_type in ("receive", "send"):  # each over the whole week
            cr.execute(
                "SELECT id FROM webhook_log WHERE log_type = %s ORDER BY id",
                [log_type],
            )
            ids = [row[0] for row in cr.fetchall()]
            ago = sorted(
                (int(rng.triangular(0, days * 24 - 1, 0)) for __ in ids),
                reverse=True,
            )
            for log_id, hours in zip(ids, ago, strict=True):
                cr.execute(
                    "UPDATE webhook_log SET date = date - make_interval(hours => %s)"
                    " WHERE id = %s",
                    [hours, log_id],
                )
    conn.close()


def take_screenshots(server, browser, out_dir):
    for name, action, view_type, selector in SHOTS:
        url = f"{server.url}/odoo/action-{action}?view_type={view_type}"
        browser.open(url, selector)
        time.sleep(1.5)  # the chart's animation
        browser.screenshot(out_dir / name)
        print(f"screenshots: {out_dir / name}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument(
        "--only", choices=("dashboards", "integration"), help="one set of images"
    )
    return parser.parse_args()


def main():
    args = parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    server = start_server(modules=("sale_management",), name="screenshots")
    try:
        browser = Browser(free_port())
        try:
            take_all(server, browser, args)
        finally:
            browser.close()
    finally:
        server.stop()


def take_all(server, browser, args):
    browser.log_in(server.url, admin_session(server.url, server.db, ADMIN_PASSWORD))
    if args.only != "integration":
        with Receiver() as healthy, Receiver() as flaky:
            healthy.delay = 0.05
            make_api_calls(server)
            make_deliveries(server, healthy, flaky)
        spread_dates(server.db)
        take_screenshots(server, browser, args.out_dir)
    if args.only != "dashboards":
        walk_through(server, browser, args.out_dir)


if __name__ == "__main__":
    main()
