"""Faults: the Odoo server is killed (SIGKILL) in the middle of sending
outbound deliveries, then started again on the same database.

The write only queues events; the job commits the deliveries it builds
from them before it sends. It sends them at once (a pool of threads), each
claimed delivery leased to its database session.

The receiver answers the first ANSWERED POSTs and holds the others open;
once those answers are committed (done in the database), the server dies
with the others in flight: they are still pending, leased to a session that
no longer exists, so the restarted server sends them at once, not when the
lease ends. After the restart every delivery has arrived, each under its one
webhook-id (the receiver dedups on it), twice only for those in flight at the
kill (counted), never for one whose answer was committed; every attempt of a
delivery carries the same id, body and a valid signature, and the database
ends with every delivery done.
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
ANSWERED = 5  # answered and committed before the kill; the others in flight


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
    before_restart = kill_while_sending(server, receiver, rule_id)

    # The deliveries were committed before sending; the answered ones are
    # done, those in flight at the kill still pending, and no event is left.
    after_kill = pending_deliveries(server, rule_id)
    assert len(after_kill) == DELIVERIES
    states = sorted((state, attempts) for _id, state, attempts in after_kill)
    assert states == [("done", 1)] * ANSWERED + [("pending", 0)] * (
        DELIVERIES - ANSWERED
    )
    assert not server.sql("SELECT id FROM webhook_outbound_event")
    msg_ids = {msg_id for msg_id, _state, _attempts in after_kill}
    done_ids = {msg_id for msg_id, state, _n in after_kill if state == "done"}

    server.restart()
    receiver.reset()
    for _ in range(10):  # each run sends every due delivery; bounded
        server.run_cron(CRON)
        states = {s for _id, s, _n in pending_deliveries(server, rule_id)}
        if states == {"done"}:
            break
        time.sleep(0.5)
    final = pending_deliveries(server, rule_id)
    assert {state for _id, state, _n in final} == {"done"}
    assert {n for msg_id, _s, n in final if msg_id not in done_ids} == {1}
    in_flight = {r["headers"]["webhook-id"] for r in before_restart} - done_ids
    assert len(in_flight) == DELIVERIES - ANSWERED
    check_arrivals(before_restart, receiver.received(), secret, tag, msg_ids, in_flight)


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


def kill_while_sending(server, receiver, rule_id):
    """Run the job and SIGKILL the server once ANSWERED deliveries are done
    in the database and every other one is held open by the receiver; the
    requests received until then."""
    # The cron runs inside this RPC call (no cron thread): it builds and
    # commits the deliveries, then sends them all at once.
    receiver.reset(script=[200] * ANSWERED, default="block")

    def run_cron():
        try:
            server.run_cron(CRON)
        except Exception:  # noqa: BLE001 - the server dies under this call
            pass

    def done():
        rows = pending_deliveries(server, rule_id)
        return sum(state == "done" for _id, state, _n in rows)

    cron = threading.Thread(target=run_cron, daemon=True)
    cron.start()
    receiver.wait_for(DELIVERIES, timeout=120)
    for _ in range(200):  # bounded: the answered outcomes get committed
        if done() == ANSWERED:
            break
        time.sleep(0.05)
    server.kill()
    receiver.release()
    cron.join(60)
    before_restart = receiver.received()
    assert len(before_restart) == DELIVERIES
    return before_restart


def check_arrivals(before_restart, after_restart, secret, tag, msg_ids, in_flight):
    """Every delivery arrived, signed, under its one webhook-id; twice only
    if it was in flight at the kill, with the same body each time."""
    attempts = defaultdict(list)
    for request in before_restart + after_restart:
        assert request["path"] == f"/hook/{tag}"
        assert verify_signature(secret, request["headers"], request["body"])
        attempts[request["headers"]["webhook-id"]].append(request["body"])
    assert set(attempts) == msg_ids, "every pending delivery arrived"
    for msg_id, bodies in attempts.items():
        expected = 2 if msg_id in in_flight else 1
        assert len(bodies) == expected, (msg_id, len(bodies))
        assert len(set(bodies)) == 1, "every attempt sends the same body"
    names = sorted(json.loads(bodies[0])["name"] for bodies in attempts.values())
    assert names == sorted(f"{tag} {n}" for n in range(DELIVERIES))
