"""Faults: the Odoo server is killed (SIGKILL) in the middle of sending
outbound deliveries, then started again on the same database.

The write only queues events; the job commits the deliveries it builds
from them before it sends.

The receiver holds the third POST open, so the server dies inside a batch
whose outcomes are not committed: the deliveries it had already POSTed are
still pending in the database and will be sent again. After the restart
every delivery must arrive, each under its one webhook-id (the receiver
dedups on it), a webhook-id arrives more than once only for those retried
after the crash, every attempt of a delivery carries the same id, body and a
valid signature, and the database ends with every delivery done.
"""

import json
import threading
import time
import uuid
from collections import defaultdict

import pytest
from helpers.checks import partner_invoice_rule
from helpers.receiver import verify_signature

CRON = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"
DELIVERIES = 15
POSTED_BEFORE_KILL = 3  # the third one is held open when the server dies


@pytest.fixture(scope="module")
def server(odoo_servers):
    return odoo_servers(name="faults")


def pending_deliveries(server, rule_id):
    return server.sql(
        "SELECT webhook_msg_id, state, coalesce(attempt_count, 0) FROM webhook_log "
        "WHERE outbound_rule_id = %s ORDER BY id",
        [rule_id],
    )


def test_sigkill_while_sending(server, receiver):
    tag = uuid.uuid4().hex[:8]
    rule_id, secret = partner_invoice_rule(
        server, f"Crash test {tag}", f"{receiver.url}/{tag}"
    )
    queue_events(server, rule_id, tag)
    before_restart = kill_while_sending(server, receiver)

    # The deliveries were committed before sending; the batch died
    # uncommitted: the database has them all pending, and no event left.
    after_kill = pending_deliveries(server, rule_id)
    assert len(after_kill) == DELIVERIES
    assert {(state, attempts) for _id, state, attempts in after_kill} == {
        ("pending", 0)
    }
    assert not server.sql("SELECT id FROM webhook_outbound_event")
    msg_ids = {msg_id for msg_id, _state, _attempts in after_kill}

    server.restart()
    receiver.reset()
    for _ in range(10):  # each run sends every due delivery; bounded
        server.run_cron(CRON)
        states = {s for _id, s, _n in pending_deliveries(server, rule_id)}
        if states == {"done"}:
            break
        time.sleep(0.5)
    final = pending_deliveries(server, rule_id)
    assert {(state, attempts) for _id, state, attempts in final} == {("done", 1)}
    check_arrivals(before_restart, receiver.received(), secret, tag, msg_ids)


def queue_events(server, rule_id, tag):
    """DELIVERIES partners enter the rule's domain in one write: its commit
    queues one event each; no delivery is built yet."""
    partner_ids = [
        server.api(
            "create_data",
            {"model": "res.partner", "vals": {"payload": {"name": f"{tag} {n}"}}},
        )[1]["result"]["result"]["id"]
        for n in range(DELIVERIES)
    ]
    # One write puts every partner in the rule's domain: its commit queues
    # one event each; the sending job builds the deliveries.
    server.rpc("res.partner", "write", partner_ids, {"type": "invoice"})
    events = server.sql(
        "SELECT res_id FROM webhook_outbound_event WHERE rule_id = %s", [rule_id]
    )
    assert sorted(row[0] for row in events) == sorted(partner_ids)
    assert pending_deliveries(server, rule_id) == []


def kill_while_sending(server, receiver):
    """Run the job and SIGKILL the server while the receiver holds a POST
    open; the requests received until then."""
    # The cron runs inside this RPC call (no cron thread): it builds and
    # commits the deliveries, then sends; the receiver answers two POSTs,
    # holds the third open, and the server is killed.
    receiver.reset(script=[200, 200, "block"])

    def run_cron():
        try:
            server.run_cron(CRON)
        except Exception:  # noqa: BLE001 - the server dies under this call
            pass

    cron = threading.Thread(target=run_cron, daemon=True)
    cron.start()
    receiver.wait_for(POSTED_BEFORE_KILL, timeout=120)
    server.kill()
    receiver.release()
    cron.join(60)
    before_restart = receiver.received()
    assert len(before_restart) == POSTED_BEFORE_KILL
    return before_restart


def check_arrivals(before_restart, after_restart, secret, tag, msg_ids):
    """Every delivery arrived, signed, under its one webhook-id; twice only
    if it was POSTed before the crash, with the same body each time."""
    attempts = defaultdict(list)
    for request in before_restart + after_restart:
        assert request["path"] == f"/hook/{tag}"
        assert verify_signature(secret, request["headers"], request["body"])
        attempts[request["headers"]["webhook-id"]].append(request["body"])
    assert set(attempts) == msg_ids, "every pending delivery arrived"
    retried = {r["headers"]["webhook-id"] for r in before_restart}
    for msg_id, bodies in attempts.items():
        expected = 2 if msg_id in retried else 1
        assert len(bodies) == expected, (msg_id, len(bodies))
        assert len(set(bodies)) == 1, "every attempt sends the same body"
    names = sorted(json.loads(bodies[0])["name"] for bodies in attempts.values())
    assert names == sorted(f"{tag} {n}" for n in range(DELIVERIES))
