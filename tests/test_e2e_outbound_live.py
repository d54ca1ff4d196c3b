"""The outbound path as it runs in production: a server with a cron thread
and nobody running the job by hand. A write through JSON-RPC fires a rule;
its commit inserts the event and a trigger row and notifies the cron
workers, whose thread builds the delivery and POSTs it to a local receiver.

The test listens on the cron workers' channel itself: the commit must
notify it (Odoo's cron thread otherwise only polls every minute), then the
POST must arrive without anyone running the job.
"""

import json
import select
import time
import uuid

import psycopg2
import pytest
from helpers.checks import partner_invoice_rule
from helpers.receiver import verify_signature
from helpers.server import pg_settings

NOTIFY_WAIT = 20  # seconds, bounded waits only
POST_WAIT = 90  # longer than the cron thread's own polling interval


@pytest.fixture(scope="module")
def server(odoo_servers):
    return odoo_servers(name="cron", extra_args=("--max-cron-threads", "1"))


def test_commit_wakes_the_cron_thread(server, receiver):
    tag = uuid.uuid4().hex[:8]
    rule_id, secret = partner_invoice_rule(
        server, f"Live {tag}", f"{receiver.url}/{tag}"
    )
    partner_id = server.rpc("res.partner", "create", {"name": f"Live {tag}"})
    # Registry and cron thread warmed up: the first job run after the start
    # (the thread's initial poll) is out of the way.
    server.run_cron("webhook_fastapi_outbound.ir_cron_webhook_outbound_send")

    listener = psycopg2.connect(dbname="postgres", **pg_settings())
    try:
        listener.autocommit = True
        listener.cursor().execute("LISTEN cron_trigger")
        server.rpc("res.partner", "write", [partner_id], {"type": "invoice"})
        assert _notified(listener, server.db), "the commit did not wake the cron"
    finally:
        listener.close()

    [request] = receiver.wait_for(1, timeout=POST_WAIT)
    assert request["path"] == f"/hook/{tag}"
    assert json.loads(request["body"]) == {"name": f"Live {tag}", "type": "invoice"}
    assert verify_signature(secret, request["headers"], request["body"])
    # The outcome is committed at the job's next look (LAND_WAIT) after the
    # answer: wait for it (bounded) rather than read the moment in between.
    deadline = time.monotonic() + POST_WAIT
    while True:
        [(state, attempts)] = server.sql(
            "SELECT state, attempt_count FROM webhook_log WHERE outbound_rule_id = %s",
            [rule_id],
        )
        if state == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (state, attempts) == ("done", 1)
    assert not server.sql(
        "SELECT id FROM webhook_outbound_event WHERE rule_id = %s", [rule_id]
    )


def _notified(conn, dbname):
    deadline = time.monotonic() + NOTIFY_WAIT
    while time.monotonic() < deadline:
        select.select([conn], [], [], 1)
        conn.poll()
        if any(n.payload == dbname for n in conn.notifies):
            return True
    return False
