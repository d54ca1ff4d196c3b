"""Issue 16 item 1 over HTTP with a live multi-threaded server: 20
parallel calls with one new Idempotency-Key create one record; the others
get 409 (the first call still runs) or its kept answer. The rest of the
feature is tested in the addon's tests/test_idempotency.py."""

import uuid
from collections import Counter

import pytest
import requests
from helpers.checks import in_parallel

PARALLEL = 20


@pytest.fixture(scope="module")
def server(odoo_servers):
    return odoo_servers()


def post(server, key, name):
    response = requests.post(
        f"{server.url}/api/create_data",
        json={
            "params": {
                "model": "res.partner",
                "vals": {
                    "payload": {
                        "name": name,
                        "child_ids": [{"name": f"{name} {n}"} for n in range(10)],
                    }
                },
            }
        },
        headers={
            "Authorization": f"Bearer {server.api_key}",
            "Idempotency-Key": key,
            "Connection": "close",
        },
        timeout=120,
    )
    return response.status_code, response.json(), response.headers


def test_parallel_calls_with_one_key_create_one_record(server):
    key, name = str(uuid.uuid4()), f"IDEM-{uuid.uuid4().hex[:8]}"
    answers = in_parallel(PARALLEL, lambda _n: post(server, key, name))
    statuses = Counter(status for status, _body, _headers in answers)
    assert set(statuses) <= {200, 409}, answers
    rows = server.sql(
        "SELECT id FROM res_partner WHERE name = %s AND parent_id IS NULL", [name]
    )
    assert len(rows) == 1, f"{len(rows)} records for one Idempotency-Key: {statuses}"
    ok = [(body, headers) for status, body, headers in answers if status == 200]
    assert {body["result"]["result"]["id"] for body, _h in ok} == {rows[0][0]}
    fresh = [h for _b, h in ok if h.get("Idempotent-Replayed") != "true"]
    assert len(fresh) == 1, statuses  # one ran, the other 200s are replays
    for status, body, _headers in answers:
        if status == 409:
            assert "still running" in body["result"]["messages"], body
    # Once done, the key answers the kept answer to everyone, and is kept.
    status, body, headers = post(server, key, name)
    assert (status, headers.get("Idempotent-Replayed")) == (200, "true"), body
    assert server.sql(
        "SELECT state, status FROM webhook_idempotency_key WHERE key = %s", [key]
    ) == [("done", 200)]
    replays = server.sql(
        "SELECT count(*) FROM webhook_log WHERE idempotent_replay "
        "AND request_headers LIKE %s",
        [f"%{key}%"],
    )
    assert replays[0][0] == len(ok)  # the replays and the last call
