"""Screenshots of the dashboards (docs/screenshots/*.png) for the README.

    .venv/bin/python scripts/screenshots.py [OUTPUT_DIR]

Starts Odoo on a fresh copy of the addons' database (tests/helpers/server.py,
as the end-to-end suites do), makes API calls through real HTTP (some of them
refused) and outbound deliveries to two local receivers (one that fails half
of the time), then opens the API calls and deliveries dashboards in headless
Chromium, logged in as admin, and saves one 1280x800 PNG per view.

Everything is real except the dates: all of it happens within a minute, so
the entries' dates are then spread over the last seven days, or the graphs'
time axis would show a single bar.

Chromium is driven through its DevTools protocol (websocket-client, in the
venv); ``CHROMIUM`` names the binary when it is neither ``chromium`` nor
``chromium-browser`` on the PATH.
"""

import base64
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import requests
import websocket

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.checks import partner_invoice_rule  # noqa: E402
from helpers.receiver import Receiver  # noqa: E402
from helpers.server import ADMIN_PASSWORD, pg_settings, start_server  # noqa: E402
from helpers.server import _free_port as free_port  # noqa: E402

SIZE = (1280, 800)
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


def admin_session(server):
    response = requests.post(
        f"{server.url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": server.db, "login": "admin", "password": ADMIN_PASSWORD},
        },
        timeout=60,
    )
    response.raise_for_status()
    return response.cookies["session_id"]


def chromium_binary():
    found = os.environ.get("CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None
    )
    if not found:
        sys.exit("Chromium is missing: apt-get install chromium (or set CHROMIUM)")
    return found


class Browser:
    """Headless Chromium, one page, through the DevTools protocol."""

    def __init__(self, port):
        self.profile = tempfile.mkdtemp(prefix="wf-screenshots-")
        self.process = subprocess.Popen(
            [
                chromium_binary(),
                "--headless=new",
                "--no-sandbox",  # root in containers
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={SIZE[0]},{SIZE[1]}",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        self.ws = websocket.create_connection(self._page_socket(port), timeout=60)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=SIZE[0],
            height=SIZE[1],
            deviceScaleFactor=1,
            mobile=False,
        )

    def _page_socket(self, port):
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                targets = requests.get(f"{url}/json", timeout=5).json()
                page = next(t for t in targets if t["type"] == "page")
                return page["webSocketDebuggerUrl"]
            except (requests.RequestException, StopIteration, ValueError):
                time.sleep(0.3)
        raise RuntimeError("Chromium's DevTools did not answer")

    def call(self, method, **params):
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, selector, timeout=60):
        expression = f"!!document.querySelector({json.dumps(selector)})"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.call("Runtime.evaluate", expression=expression)
            if answer.get("result", {}).get("value"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{selector} did not appear in {timeout} s")

    def screenshot(self, url, selector, path):
        self.call("Page.navigate", url=url)
        self.wait_for(selector)
        time.sleep(1.5)  # the chart's animation
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


def take_screenshots(server, out_dir):
    browser = Browser(free_port())
    try:
        host = server.url.split("//")[1].split(":")[0]
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie",
            name="session_id",
            value=admin_session(server),
            domain=host,
            path="/",
        )
        for name, action, view_type, selector in SHOTS:
            url = f"{server.url}/odoo/action-{action}?view_type={view_type}"
            browser.screenshot(url, selector, out_dir / name)
            print(f"screenshots: {out_dir / name}")
    finally:
        browser.close()


def main():
    default = ROOT / "docs" / "screenshots"
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    out_dir.mkdir(parents=True, exist_ok=True)
    server = start_server(name="screenshots")
    try:
        with Receiver() as healthy, Receiver() as flaky:
            healthy.delay = 0.05
            make_api_calls(server)
            make_deliveries(server, healthy, flaky)
        spread_dates(server.db)
        take_screenshots(server, out_dir)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
