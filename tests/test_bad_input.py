"""The bad input catalogue of issue #6, over HTTP against a live server.

Each bad request must get the status the addon's USAGE documents, the
documented error envelope with a message naming the problem, leave nothing
behind in the database, and be logged as one Failed entry of the API log.
"""

import base64
import json
import os
import uuid

import pytest
from bad_input_cases import CASES, MARKER, NESTED, TWIN, partner
from helpers.checks import assert_error_envelope, assert_refused
from helpers.checks import row_counts as counts


@pytest.fixture(scope="module")
def sale(odoo_servers):
    server = odoo_servers(modules=("sale_management",))
    for _ in range(2):
        server.rpc("res.partner", "create", {"name": TWIN})
    return server


@pytest.mark.parametrize(
    ("route", "request_kwargs", "status", "fragments"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input(sale, route, request_kwargs, status, fragments):
    before, first_log = counts(sale), sale.last_log_id()
    code, body = sale.api(route, **request_kwargs)
    assert code == status, body
    assert_error_envelope(body, request_id(request_kwargs))
    message = body["result"]["messages"]
    for fragment in fragments:
        assert fragment in message, message
    assert counts(sale) == before, "a refused request must leave nothing behind"
    assert not os.path.exists(MARKER), "code in the domain was executed"
    logs = sale.sql(
        "SELECT route, state, http_status, error_message FROM webhook_log "
        "WHERE id > %s ORDER BY id",
        [first_log],
    )
    assert logs == [(f"/api/{route}", "failed", status, message)]


def request_id(request_kwargs):
    """The JSON-RPC id of the request, which the answer must echo."""
    try:
        body = json.loads(request_kwargs["raw"])
    except KeyError:
        return None
    except ValueError:
        return None
    return body.get("id") if isinstance(body, dict) else None


NESTED_BODIES = {
    "value": (
        "create_data",
        '{"params": {"model": "res.partner", "vals": {"payload": '
        '{"name": "Deep", "comment": ' + NESTED + "}}}}",
    ),
    "whole_body": ("search_data", NESTED),
}


@pytest.mark.parametrize("where", list(NESTED_BODIES))
def test_nested_1000_levels(sale, where):
    """A body nested 1000 levels deep is refused with a 4xx envelope."""
    route, raw = NESTED_BODIES[where]
    assert_refused(sale, route, raw=raw)


def test_10_mb_payload(sale):
    """10 MB of valid JSON (a 7.5 MB file in base64) is accepted, stored,
    and logged whole in a Full Log attachment."""
    data = os.urandom(7_500_000)
    name = f"E2E Big {uuid.uuid4().hex[:6]}"
    params = partner(
        {
            "name": name,
            "attachment_ids": [
                {"name": "big.bin", "datas": base64.b64encode(data).decode()}
            ],
        }
    )
    first_log = sale.last_log_id()
    code, body = sale.api("create_data", params)
    assert code == 200, body
    partner_id = body["result"]["result"]["id"]
    [(size,)] = sale.sql(
        "SELECT file_size FROM ir_attachment WHERE res_model = 'res.partner' "
        "AND res_id = %s AND name = 'big.bin'",
        [partner_id],
    )
    assert size == len(data)
    [(state, status, request_size, full_log)] = sale.sql(
        "SELECT state, http_status, request_size, full_log_attachment_id "
        "FROM webhook_log WHERE id > %s",
        [first_log],
    )
    assert (state, status) == ("done", 200)
    assert request_size > 10_000_000
    assert full_log
    [(full_size,)] = sale.sql(
        "SELECT file_size FROM ir_attachment WHERE id = %s", [full_log]
    )
    assert full_size > 10_000_000


NUL_CASES = {
    "model": ("create_data", {"model": "res.part\x00ner", "vals": {"payload": {}}}),
    "method": (
        "call_function",
        {
            "model": "res.partner",
            "vals": {"search_key": {"id": 1}, "payload": {"method": "name\x00"}},
        },
    ),
    "value": ("create_data", partner({"name": "a\x00b"})),
    "key": ("create_data", partner({"na\x00me": "x"})),
    "lookup": ("create_data", partner({"name": "x", "parent_id": {"name": "a\x00"}})),
    "search_key": (
        "update_data",
        {
            "model": "res.partner",
            "vals": {"search_key": {"ref": "a\x00"}, "payload": {"name": "x"}},
        },
    ),
    "search_domain": (
        "search_data",
        {
            "model": "res.partner",
            "vals": {"payload": {"search_domain": [["name", "=", "a\x00b"]]}},
        },
    ),
}


@pytest.mark.parametrize("where", list(NUL_CASES))
def test_nul_character(sale, where):
    """A NUL character is bad input (400): PostgreSQL cannot store it. Found
    by the fuzzer (it was a 500, without a log entry in model or method)."""
    route, params = NUL_CASES[where]
    assert_refused(sale, route, 400, params=params)


def test_refused_after_writing_leaves_nothing(sale):
    """A constraint that fails after the values were written (a partner made
    its own parent): 400, and the write before it is rolled back too."""
    ref = f"LOOP-{uuid.uuid4().hex[:6]}"
    partner_id = sale.rpc(
        "res.partner", "create", {"name": "E2E Loop", "ref": ref, "comment": "old"}
    )
    first_log = sale.last_log_id()
    code, body = sale.api(
        "update_data",
        {
            "model": "res.partner",
            "vals": {
                "search_key": {"ref": ref},
                "payload": {"comment": "new", "parent_id": {"ref": ref}},
            },
        },
    )
    assert code == 400, body
    assert_error_envelope(body)
    assert "recursive" in body["result"]["messages"].lower(), body
    [(comment, parent)] = sale.sql(
        "SELECT comment, parent_id FROM res_partner WHERE id = %s", [partner_id]
    )
    assert (comment, parent) == ("<p>old</p>", None)
    [(state, status)] = sale.sql(
        "SELECT state, http_status FROM webhook_log WHERE id > %s", [first_log]
    )
    assert (state, status) == ("failed", 400)
