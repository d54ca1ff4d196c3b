"""Migration from the original addon (usability_webhooks, from its PyPI
package) on a database where both are installed, with sale_management.

Both addons name their rule model webhook.outbound.rule: installed together
they share its table and ours is the model the registry keeps, so the
original's rules cannot be created through its ORM any more. They are
written here as its install leaves them: rows with its columns
(trigger_domain, endpoint_source 'record', auth_header, note) and ours
filled with their defaults (domain '[]', one secret for all). Its log
(api.log) is still its own model, written through JSON-RPC.

Then: the migration (the readme's command, over JSON-RPC) converts the
rules, their callback URLs and the logs, a second run adds nothing, and a
sale order confirmed afterwards fires the migrated rule once, signed with
its new secret, to a real local receiver. Everything is checked in the
database."""

import json
import time

import pytest
from helpers.receiver import Receiver, verify_signature

CRON = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"
SHARED_SECRET = "whsec_c2FtZS1zZWNyZXQtZm9yLWV2ZXJ5LXJ1bGU="
ORIGINAL_ROUTES = ("create_data", "update_data", "search_data")


@pytest.fixture(scope="module")
def both(odoo_servers):
    return odoo_servers(modules=("usability_webhooks", "sale_management"))


@pytest.fixture(scope="module")
def receiver():
    with Receiver() as receiver:
        yield receiver


def _insert_original_rule(server, name, model, **cols):
    """A rule of the original, as it is in the shared table once ours is
    installed (see the module's docstring)."""
    values = {
        "name": name,
        "model_id": server.sql("SELECT id FROM ir_model WHERE model = %s", [model])[0][
            0
        ],
        "model_name": model,
        "endpoint_source": "record",
        "active": True,
        "domain": "[]",
        "payload_format": "bare",
        "retry_schedule": "5s, 5m, 30m, 2h, 5h, 10h, 10h",
        "send_as_user_id": 1,
        "secret": SHARED_SECRET,
        "timeout": 10.0,
        "max_attempts": 8,
        "create_uid": 2,
        **cols,
    }
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    return server.sql(
        f"INSERT INTO webhook_outbound_rule ({columns}) VALUES ({marks}) RETURNING id",
        list(values.values()),
    )[0][0]


def test_original_answers_its_routes_while_both_are_installed(both):
    """The finding the readme documents: while both are installed, the
    original's http controllers answer its routes, ours included (its
    JSON-RPC error for a call without credentials, in an HTTP 200; ours
    would answer 401), and ours the rest of /api."""
    for route in ORIGINAL_ROUTES:
        status, body = both.api(route, {"model": "res.partner", "vals": {}}, key=None)
        assert status == 200, (route, body)
        assert body["error"]["data"]["name"] == "werkzeug.exceptions.Unauthorized"
    status, body = both.api("delete_data", {"model": "res.partner"}, key=None)
    assert status == 404 and "No such route" in json.dumps(body), body
    assert both.get("/api/openapi.json").status_code == 200


def test_migration_then_an_order_fires_the_migrated_rule_once(both, receiver):
    both.set_param("webhook.outbound_allowed_hosts", '["127.0.0.1"]')
    rules = _original_rules(both, receiver)
    logs = _original_logs(both)

    result = both.rpc("webhook.original.migration", "migrate_original", True)
    assert (result["rules"], result["archived"], result["logs"]) == (5, 2, 3), result
    assert result["callbacks"] == 1, result
    _check_rules(both, rules, result["report"])
    _check_logs(both, logs)

    counts = _counts(both)
    again = both.rpc("webhook.original.migration", "migrate_original", True)
    assert (again["rules"], again["callbacks"], again["logs"]) == (0, 0, 0), again
    assert _counts(both) == counts

    _confirm_order_and_check_delivery(both, receiver, rules["static"])

    # The documented last step: uninstall the original; nothing migrated
    # is lost, ours answers its routes, and the rule still fires.
    counts = _counts(both)
    module = both.rpc(
        "ir.module.module", "search", [("name", "=", "usability_webhooks")]
    )
    both.rpc("ir.module.module", "button_immediate_uninstall", module)
    assert not both.sql("SELECT to_regclass('api_log')")[0][0]
    assert _counts(both) == counts
    params = {"model": "res.partner", "vals": {"payload": {"name": "After"}}}
    status, body = both.api("create_data", params, key=None)
    assert status == 401, body
    _confirm_order_and_check_delivery(both, receiver, rules["static"])


def _original_rules(server, receiver):
    payload = {"order": "{name}", "state": "{state}", "customer": "{partner_id.name}"}
    order_rule = {
        "endpoint_source": "static",
        "endpoint_url": receiver.url,
        "auth_header": "Bearer original-token",
        "trigger_domain": "[('state', '=', 'sale')]",
        "payload_fields": json.dumps(payload),
        "note": "kept in the report only",
    }
    rules = {  # key: (name, model, the original's columns)
        "static": ("Order to ERP", "sale.order", order_rule),
        "callback": (
            "Partner callback",
            "res.partner",
            {"trigger_domain": "[('email', '!=', False)]", "payload_fields": "[]"},
        ),
        "bad_domain": (
            "Bad domain",
            "res.partner",
            {"trigger_domain": "[('no_such', '=', 1)]"},
        ),
        "label": (
            "Label format",
            "sale.order",
            {
                "trigger_domain": "[('state', '=', 'cancel')]",
                "payload_fields": '{"state": "{state:label}"}',
            },
        ),
        "empty": ("Nothing to send", "res.partner", {"trigger_domain": "[]"}),
    }
    return {
        key: _insert_original_rule(server, name, model, **columns)
        for key, (name, model, columns) in rules.items()
    }


def _original_logs(server):
    partner = server.rpc("res.partner", "create", {"name": "Original's client"})
    entries = [
        {
            "model": "res.partner",
            "route": "/api/create_data",
            "function_name": "create_data",
            "log_type": "receive",
            "state": "done",
            "data_preview": '{"payload": {"name": "A"}}',
            "data_size": 26,
            "res_model": "res.partner",
            "res_id": partner,
            "callback_url": "http://127.0.0.1:9/callback",
        },
        {
            "model": "res.partner",
            "route": "/api/update_data",
            "function_name": "update_data",
            "log_type": "receive",
            "state": "draft",
        },
        {
            "model": "sale.order",
            "route": "http://127.0.0.1:9/erp",
            "function_name": "Order to ERP",
            "log_type": "send",
            "state": "failed",
            "result_preview": "connection refused",
        },
    ]
    return [server.rpc("api.log", "create", entry) for entry in entries]


def _check_rules(server, rules, report):
    rows = {
        row[0]: row[1:]
        for row in server.sql(
            """SELECT id, domain, endpoint_source, authorization_header, active,
                      secret, payload_fields
                 FROM webhook_outbound_rule WHERE id = ANY(%s)""",
            [list(rules.values())],
        )
    }
    assert rows[rules["static"]][:4] == (
        "[('state', '=', 'sale')]",
        "static",
        "Bearer original-token",
        True,
    )
    assert rows[rules["callback"]][:2] == ("[('email', '!=', False)]", "callback")
    # A list was not a payload for the original (it sent the id): emptied.
    assert rows[rules["callback"]][5] is None
    assert rows[rules["callback"]][3] is True
    assert rows[rules["bad_domain"]][3] is False
    assert rows[rules["label"]][3] is False
    assert rows[rules["empty"]][3] is True
    secrets = {row[4] for row in rows.values()}
    assert len(secrets) == len(rows) and SHARED_SECRET not in secrets
    for name in ("Bad domain", "Label format", "kept in the report only"):
        assert name in report, report
    marks = server.sql(
        """SELECT count(*) FROM ir_model_data WHERE module = '__webhook_original__'
              AND model = 'webhook.outbound.rule' AND res_id = ANY(%s)""",
        [list(rules.values())],
    )[0][0]
    assert marks == len(rules)


def _check_logs(server, log_ids):
    rows = server.sql(
        """SELECT a.id, w.log_type, w.route, w.target_url, w.state, w.model_name,
                  w.request_preview, w.response_preview, w.callback_url
             FROM api_log a
             JOIN ir_model_data d ON d.module = '__webhook_original__'
                  AND d.model = 'webhook.log' AND d.name = 'api_log_' || a.id
             JOIN webhook_log w ON w.id = d.res_id
            WHERE a.id = ANY(%s) ORDER BY a.id""",
        [log_ids],
    )
    assert [row[1:6] for row in rows] == [
        ("receive", "/api/create_data", None, "done", "res.partner"),
        ("receive", "/api/update_data", None, "failed", "res.partner"),
        ("send", None, "http://127.0.0.1:9/erp", "failed", "sale.order"),
    ]
    assert rows[0][6] == '{"payload": {"name": "A"}}'
    assert rows[2][7] == "connection refused"
    assert rows[0][8] == "http://127.0.0.1:9/callback"
    callback = server.sql(
        """SELECT c.url FROM webhook_outbound_callback c JOIN api_log a
               ON a.res_model = c.res_model AND a.res_id = c.res_id
            WHERE a.id = %s""",
        [log_ids[0]],
    )
    assert callback == [("http://127.0.0.1:9/callback",)]


def _counts(server):
    return server.sql(
        """SELECT (SELECT count(*) FROM webhook_outbound_rule),
                  (SELECT count(*) FROM webhook_log),
                  (SELECT count(*) FROM webhook_outbound_callback),
                  (SELECT count(*) FROM ir_model_data
                    WHERE module = '__webhook_original__')"""
    )[0]


def _confirm_order_and_check_delivery(server, receiver, rule_id):
    receiver.reset()
    partner = server.rpc("res.partner", "create", {"name": "Migrated Customer"})
    product = server.rpc("product.product", "create", {"name": "Migrated Widget"})
    order = server.rpc(
        "sale.order",
        "create",
        {
            "partner_id": partner,
            "order_line": [(0, 0, {"product_id": product, "product_uom_qty": 2})],
        },
    )
    server.rpc("sale.order", "action_confirm", [order])
    server.run_cron(CRON)
    [request] = receiver.wait_for(1, timeout=30)
    name = server.rpc("sale.order", "read", [order], ["name"])[0]["name"]
    assert json.loads(request["body"]) == {
        "order": name,
        "state": "sale",
        "customer": "Migrated Customer",
    }
    assert request["headers"]["authorization"] == "Bearer original-token"
    secret = server.sql(
        "SELECT secret FROM webhook_outbound_rule WHERE id = %s", [rule_id]
    )[0][0]
    assert verify_signature(secret, request["headers"], request["body"])
    # Exactly once: another run of the queue and a later write send nothing.
    server.rpc("sale.order", "write", [order], {"note": "later edit"})
    server.run_cron(CRON)
    time.sleep(2)
    assert receiver.count == 1
    sent = server.sql(
        """SELECT count(*) FROM webhook_log
            WHERE log_type = 'send' AND outbound_rule_id = %s AND res_id = %s""",
        [rule_id, order],
    )[0][0]
    assert sent == 1
