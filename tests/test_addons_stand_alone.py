"""Each addon stands alone, and the extension points work (issue 12, item 3).

- With only ``webhook_fastapi`` installed, nothing in its models, data,
  views or OpenAPI speaks of deliveries.
- ``tests/addons/webhook_fastapi_example_ext`` extends a request schema, the
  service and the route table the way webhook_fastapi's USAGE tells
  integrators to; its extension works over HTTP.
"""

from pathlib import Path

import pytest
from helpers.server import start_server

EXAMPLE_ADDONS = Path(__file__).resolve().parent / "addons"


@pytest.fixture(scope="module")
def inbound_alone():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADDONS", "webhook_fastapi")
        server = start_server(name="inbound_alone")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def extended():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXTRA_ADDONS_PATH", str(EXAMPLE_ADDONS))
        server = start_server(modules=("webhook_fastapi_example_ext",), name="ext")
    yield server
    server.stop()


def test_inbound_alone_speaks_of_no_delivery(inbound_alone):
    sql = inbound_alone.sql
    assert sql(
        "SELECT name FROM ir_module_module WHERE name LIKE 'webhook_fastapi%%' "
        "AND state = 'installed'"
    ) == [("webhook_fastapi",)]
    fields = {
        name
        for (name,) in sql(
            "SELECT name FROM ir_model_fields WHERE model = 'webhook.log'"
        )
    }
    assert not fields & {"callback_url", "target_url", "outbound_rule_id"}, fields
    values = sql(
        "SELECT f.name, s.value FROM ir_model_fields_selection s "
        "JOIN ir_model_fields f ON f.id = s.field_id "
        "WHERE f.model = 'webhook.log' AND f.name IN ('log_type', 'state') "
        "ORDER BY 1, 2"
    )
    assert values == [("log_type", "receive"), ("state", "done"), ("state", "failed")]
    assert (
        sql("SELECT key FROM ir_config_parameter WHERE key LIKE 'webhook.outbound%%'")
        == []
    )
    words = "'%%pending%%', '%%callback%%', '%%deliver%%', '%%outbound%%'"
    assert (
        sql(
            "SELECT name FROM ir_ui_view WHERE model = 'webhook.log' "
            f"AND arch_db->>'en_US' ILIKE ANY (ARRAY[{words}])"
        )
        == []
    )
    assert (
        sql(
            f"SELECT id FROM ir_ui_menu WHERE name->>'en_US' ILIKE ANY (ARRAY[{words}])"
        )
        == []
    )
    schema = inbound_alone.get("/api/openapi.json").text
    assert "callback_url" not in schema
    status, body = inbound_alone.api(
        "create_data",
        {
            "model": "res.partner",
            "vals": {"payload": {"name": "X"}, "callback_url": "https://e.example/h"},
        },
    )
    assert status == 422, body
    assert "callback_url" in body["result"]["messages"]


def test_example_extension_over_http(extended):
    status, body = extended.api(
        "create_data",
        {
            "model": "res.partner",
            "vals": {"payload": {"name": "Noted"}, "note": "From the extension"},
        },
    )
    assert status == 200, body
    partner_id = body["result"]["result"]["id"]
    [(comment,)] = extended.sql(
        "SELECT comment FROM res_partner WHERE id = %s", [partner_id]
    )
    assert "From the extension" in comment
    status, body = extended.api("count_data", {"model": "res.partner"})
    assert status == 200, body
    [(count,)] = extended.sql("SELECT count(*) FROM res_partner WHERE active")
    assert body["result"]["result"] == {"count": count}
    [(state, route)] = extended.sql(
        "SELECT state, route FROM webhook_log ORDER BY id DESC LIMIT 1"
    )
    assert (state, route) == ("done", "/api/count_data")
    schema = extended.get("/api/openapi.json").json()
    assert "/api/count_data" in schema["paths"] or "/count_data" in schema["paths"]
    assert "note" in extended.get("/api/openapi.json").text
