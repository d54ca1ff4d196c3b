"""Outbound rules on a database with base_automation, sale_stock and account:
the rules keep firing once base_automation rules are created, edited,
toggled and deleted (its _unregister_hook deletes every patched write/create
of every model), and they fire on transitions that come from a recompute of
a stored computed field: a delivery validated (stock.picking state = done),
an invoice paid (account.move payment_state). Real servers, real receiver.
"""

import json
import time
import uuid

import pytest

CRON = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"
MODULES = ("base_automation", "sale_stock", "account")


@pytest.fixture(scope="module")
def server(odoo_servers):
    server = odoo_servers(modules=MODULES)
    server.set_param("webhook.outbound_allowed_hosts", '["127.0.0.1"]')
    return server


def model_id(server, name):
    return server.rpc("ir.model", "search", [("model", "=", name)])[0]


def make_rule(server, receiver, model, domain, tag):
    return server.rpc(
        "webhook.outbound.rule",
        "create",
        {
            "name": f"E2E {tag}",
            "model_id": model_id(server, model),
            "domain": domain,
            "endpoint_source": "static",
            "endpoint_url": f"{receiver.url}/{tag}",
            "payload_fields": json.dumps(["name"]),
        },
    )


def deliveries_of(server, receiver, rule_id, tag, expected=1):
    """Run the sending job; the requests of ``tag``, after a grace period
    that a duplicate would have used to arrive."""
    server.run_cron(CRON)
    receiver.wait_for(expected)
    time.sleep(1)
    server.run_cron(CRON)
    rows = server.sql(
        "SELECT count(*) FROM webhook_log WHERE outbound_rule_id = %s", [rule_id]
    )
    requests = [r for r in receiver.received() if r["path"].endswith(tag)]
    return requests, rows[0][0]


def make_order(server, suffix):
    partner = server.rpc("res.partner", "create", {"name": f"E2E Buyer {suffix}"})
    product = server.rpc(
        "product.product",
        "create",
        {"name": f"E2E Thing {suffix}", "type": "consu", "list_price": 10.0},
    )
    return server.rpc(
        "sale.order",
        "create",
        {
            "partner_id": partner,
            "order_line": [[0, 0, {"product_id": product, "product_uom_qty": 2}]],
        },
    )


def test_rules_survive_base_automation_changes(server, receiver):
    """Create, edit, toggle and delete base.automation rules (each one runs
    its _unregister_hook), then confirm a sale order: one delivery."""
    tag = f"so-{uuid.uuid4().hex[:6]}"
    rule_id = make_rule(server, receiver, "sale.order", "[('state', '=', 'sale')]", tag)
    automation = server.rpc(
        "base.automation",
        "create",
        {
            "name": "E2E automation",
            "model_id": model_id(server, "sale.order"),
            "trigger": "on_create_or_write",
        },
    )
    server.rpc("base.automation", "write", [automation], {"name": "E2E edited"})
    server.rpc("base.automation", "write", [automation], {"active": False})
    server.rpc("base.automation", "write", [automation], {"active": True})
    spare = server.rpc(
        "base.automation",
        "create",
        {
            "name": "E2E spare",
            "model_id": model_id(server, "res.partner"),
            "trigger": "on_write",
        },
    )
    server.rpc("base.automation", "unlink", [spare])
    order = make_order(server, tag)
    server.rpc("sale.order", "action_confirm", [order])
    requests, logged = deliveries_of(server, receiver, rule_id, tag)
    assert len(requests) == 1 and logged == 1
    name = server.rpc("sale.order", "read", [order], ["name"])[0]["name"]
    assert json.loads(requests[0]["body"]) == {"name": name}


def test_validated_delivery_fires(server, receiver):
    """stock.picking's state is computed from its moves: validating the
    delivery is a recompute, not a write of state."""
    tag = f"pick-{uuid.uuid4().hex[:6]}"
    rule_id = make_rule(
        server, receiver, "stock.picking", "[('state', '=', 'done')]", tag
    )
    order = make_order(server, tag)
    server.rpc("sale.order", "action_confirm", [order])
    [picking] = server.rpc("sale.order", "read", [order], ["picking_ids"])[0][
        "picking_ids"
    ]
    moves = server.rpc("stock.picking", "read", [picking], ["move_ids"])[0]["move_ids"]
    for move in server.rpc("stock.move", "read", moves, ["product_uom_qty"]):
        server.rpc(
            "stock.move",
            "write",
            [move["id"]],
            {"quantity": move["product_uom_qty"], "picked": True},
        )
    server.rpc("stock.picking", "button_validate", [picking])
    assert server.rpc("stock.picking", "read", [picking], ["state"])[0]["state"] == (
        "done"
    )
    requests, logged = deliveries_of(server, receiver, rule_id, tag)
    assert len(requests) == 1 and logged == 1


def test_paid_invoice_fires(server, receiver):
    """account.move's payment_state is computed from the reconciliation:
    registering a payment is a recompute."""
    tag = f"inv-{uuid.uuid4().hex[:6]}"
    rule_id = make_rule(
        server,
        receiver,
        "account.move",
        "[('payment_state', 'in', ['paid', 'in_payment'])]",
        tag,
    )
    partner = server.rpc("res.partner", "create", {"name": f"E2E Payer {tag}"})
    invoice = server.rpc(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner,
            "invoice_line_ids": [
                [0, 0, {"name": "E2E line", "quantity": 1, "price_unit": 100.0}]
            ],
        },
    )
    server.rpc("account.move", "action_post", [invoice])
    context = {"active_model": "account.move", "active_ids": [invoice]}
    wizard = server.rpc("account.payment.register", "create", {}, context=context)
    server.rpc(
        "account.payment.register", "action_create_payments", [wizard], context=context
    )
    state = server.rpc("account.move", "read", [invoice], ["payment_state"])[0]
    assert state["payment_state"] in ("paid", "in_payment")
    requests, logged = deliveries_of(server, receiver, rule_id, tag)
    assert len(requests) == 1 and logged == 1
