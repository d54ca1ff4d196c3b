"""Clients of the original addon, over HTTP, with
``webhook.response_format = original`` (issue 14).

Each request follows an example of the original's README
(/work/shared/spec/seed-webhook-readme.txt: its five routes, the relational
field formats, attachments, both ways to authenticate); the assertions are
on the original's wire format: HTTP 200 for everything, ``is_success``
telling failures, many2one values as ``[id, "name"]``, empty values
``false``, unknown payload keys dropped (and named in ``messages``),
update_data answering ``{"id": [ids], <search_key>}``. The holes of the
original stay closed. The parameter is put back to strict at the end, so
the other suites see the default.
"""

import base64
import uuid

import pytest
from helpers.checks import assert_error_envelope

FORMAT = "webhook.response_format"


@pytest.fixture(scope="module")
def server(odoo):
    odoo.set_param(FORMAT, "original")
    try:
        yield odoo
    finally:
        odoo.set_param(FORMAT, "strict")


@pytest.fixture
def tag():
    return f"orig-{uuid.uuid4().hex[:8]}"


def call(server, route, model, vals, key_header="x-api-key"):
    """POST as the original's clients do: the JSON-RPC envelope, the key in
    ``x-api-key`` (or ``Authorization: Bearer``)."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"model": model, "vals": vals},
    }
    if key_header == "x-api-key":
        return server.api(
            route, body=body, key=None, headers={"x-api-key": server.api_key}
        )
    return server.api(route, body=body)


def ok(answer):
    code, body = answer
    assert code == 200, body
    assert body["result"]["is_success"] is True, body
    return body["result"]


def refused(answer, *fragments):
    code, body = answer
    assert code == 200, body
    assert_error_envelope(body)
    for fragment in fragments:
        assert fragment in body["result"]["messages"], body
    return body["result"]["messages"]


def last_log(server):
    [row] = server.sql(
        "SELECT state, http_status, response_preview FROM webhook_log "
        "ORDER BY id DESC LIMIT 1"
    )
    return row


def country(server, code):
    [row] = server.rpc(
        "res.country", "search_read", [("code", "=", code)], ["display_name"]
    )
    return row["id"], row["display_name"]


def test_create_data_as_documented(server, tag):
    """Route 1: many2one by name, many2many replace, one2many lines with a
    nested many2one, auto_create, result_field, callback_url, and a key the
    model does not have (the original ignores it)."""
    th_id, th_name = country(server, "TH")
    vals = {
        "callback_url": "https://ext-system.example.com/webhook",
        "payload": {
            "name": f"Customer {tag}",
            "ref": tag,
            "country_id": {"name": th_name},
            "category_id": {"mode": "replace", "records": [{"name": f"VIP {tag}"}]},
            "child_ids": [{"name": f"Contact {tag}", "country_id": {"code": "TH"}}],
            "external_system_code": "ABC-1",
        },
        "auto_create": {"category_id": {"name": f"VIP {tag}"}},
        "result_field": ["name", "country_id", "email", "child_ids{name}"],
    }
    result = ok(call(server, "create_data", "res.partner", vals))
    record = result["result"]
    assert record["name"] == f"Customer {tag}"
    assert record["country_id"] == [th_id, th_name]
    assert record["email"] is False
    assert [c["name"] for c in record["child_ids"]] == [f"Contact {tag}"]
    assert "payload.external_system_code" in result["messages"]
    state, status, preview = last_log(server)
    assert (state, status) == ("done", 200)
    assert "external_system_code" in preview


def test_create_update_data_then_update_data(server, tag):
    """Routes 2 and 3: upsert creates, then updates; update_data with a
    many2one by id and a many2many add answers ids in a list and the
    search_key; a search_key matching nothing is a success that writes
    nothing."""
    vals = {
        "search_key": {"ref": tag},
        "payload": {"name": f"Upsert {tag}", "ref": tag, "country_id": {"code": "TH"}},
        "result_field": ["name"],
    }
    created = ok(call(server, "create_update_data", "res.partner", vals))["result"]
    again = ok(call(server, "create_update_data", "res.partner", vals))["result"]
    assert created["id"] == again["id"]
    be_id, be_name = country(server, "BE")
    update = {
        "search_key": {"ref": tag},
        "payload": {
            "country_id": {"id": be_id},
            "category_id": {"mode": "add", "records": [{"name": f"Tag {tag}"}]},
        },
        "auto_create": {"category_id": {}},
        "result_field": ["country_id"],
    }
    result = ok(call(server, "update_data", "res.partner", update))["result"]
    assert result == {"id": [created["id"]], "ref": tag, "country_id": [be_id, be_name]}
    nothing = dict(update, search_key={"ref": f"{tag}-missing"})
    answer = ok(call(server, "update_data", "res.partner", nothing))
    assert answer["result"] == {"id": [], "ref": f"{tag}-missing"}
    assert "nothing updated" in answer["messages"]
    # What strict mode would have answered stays in the log.
    assert last_log(server)[:2] == ("done", 404)


def test_update_data_never_updates_several(server, tag):
    """The original updated every match silently; here it is refused (in
    the original's failure format) and nothing changes."""
    for name in ("A", "B"):
        server.rpc("res.partner", "create", {"name": name, "ref": tag})
    vals = {"search_key": {"ref": tag}, "payload": {"phone": "1"}}
    refused(call(server, "update_data", "res.partner", vals), "2 records")
    assert last_log(server)[:2] == ("failed", 409)
    phones = server.rpc("res.partner", "search_read", [("ref", "=", tag)], ["phone"])
    assert [p["phone"] for p in phones] == [False, False]


def test_search_data_as_documented(server, tag):
    """Route 4: search_field with expansions, a domain string, limit, order;
    and without search_field, the stored fields."""
    th_id, th_name = country(server, "TH")
    partner_id = server.rpc(
        "res.partner",
        "create",
        {"name": f"Search {tag}", "ref": tag, "country_id": th_id},
    )
    payload = {
        "search_field": ["name", "country_id", "state_id", "country_id{name,code}"],
        "search_domain": f"[('ref', '=', '{tag}')]",
        "limit": 10,
        "order": "name asc, id desc",
    }
    [row] = ok(call(server, "search_data", "res.partner", {"payload": payload}))[
        "result"
    ]
    assert row == {
        "id": partner_id,
        "name": f"Search {tag}",
        "country_id": [{"name": th_name, "code": "TH"}],
        "state_id": False,
    }
    payload["search_field"] = ["name", "country_id"]
    [row] = ok(call(server, "search_data", "res.partner", {"payload": payload}))[
        "result"
    ]
    assert row["country_id"] == [th_id, th_name]
    del payload["search_field"]
    [row] = ok(call(server, "search_data", "res.partner", {"payload": payload}))[
        "result"
    ]
    assert row["ref"] == tag and row["country_id"] == [th_id, th_name]
    assert row["email"] is False
    assert "image_1920" not in row


def test_call_function_as_documented(server, tag):
    """Route 5: a public method on the record of search_key, with a context;
    private methods and context keys that bypass checks stay refused."""
    server.rpc("res.partner", "create", {"name": f"Call {tag}", "ref": tag})
    vals = {
        "search_key": {"ref": tag},
        "payload": {"method": "action_archive", "context": {"lang": "en_US"}},
    }
    ok(call(server, "call_function", "res.partner", vals))
    active = server.rpc(
        "res.partner",
        "search_read",
        [("ref", "=", tag), ("active", "=", False)],
        ["active"],
    )
    assert active == [{"id": active[0]["id"], "active": False}]
    private = {"search_key": {"id": active[0]["id"]}, "payload": {"method": "_read"}}
    refused(call(server, "call_function", "res.partner", private), "_read")
    context = {
        "search_key": {"id": active[0]["id"]},
        "payload": {"method": "read", "context": {"uid": 1}},
    }
    refused(call(server, "call_function", "res.partner", context), "'uid'")


def test_attachments(server, tag):
    vals = {
        "payload": {
            "name": f"Files {tag}",
            "attachment_ids": [
                {"name": "note.txt", "datas": base64.b64encode(b"hello").decode()}
            ],
        }
    }
    record_id = ok(call(server, "create_data", "res.partner", vals))["result"]["id"]
    files = server.sql(
        "SELECT name FROM ir_attachment WHERE res_model = 'res.partner' "
        "AND res_id = %s",
        [record_id],
    )
    assert files == [("note.txt",)]


def test_failures_answer_200(server, tag):
    """Every failure is HTTP 200 with is_success false; the log keeps the
    truthful status."""
    refused(call(server, "create_data", "res.nope", {"payload": {}}), "res.nope")
    assert last_log(server)[:2] == ("failed", 400)
    params = {"model": "res.partner", "vals": {"payload": {"name": "No key"}}}
    code, body = server.api("create_data", params=params, key=None)
    assert code == 200
    assert "x-api-key" in body["result"]["messages"]
    assert last_log(server)[:2] == ("failed", 401)
    code, body = server.api("create_data", params=params, key="Bearer not-a-key")
    assert code == 200 and body["result"]["is_success"] is False
    assert "Invalid API key" in body["result"]["messages"]
    # Refused before any route ran (the body does not fit the schema).
    refused(server.api("create_data", params={"model": "res.partner"}), "vals")
    assert last_log(server)[:2] == ("failed", 422)


def test_bearer_and_session_still_work(server, tag):
    """The README's other ways in: Authorization: Bearer, and the session
    of /web/session/authenticate."""
    vals = {"payload": {"name": f"Bearer {tag}"}}
    ok(call(server, "create_data", "res.partner", vals, key_header="bearer"))
    session = server.api_user_session()
    answer = session.post(
        f"{server.url}/api/search_data",
        json={"params": {"model": "res.partner", "vals": {"payload": {"limit": 1}}}},
        timeout=30,
    )
    assert answer.status_code == 200
    assert answer.json()["result"]["is_success"] is True
