"""The spec's scenario end to end, over HTTP, on a database with
sale_management: a sale order is created with its partner (made on the fly
with auto_create) and products looked up by name, upserted, searched with
expansion, confirmed through call_function, and the outbound rule POSTs it,
signed, to the callback URL given at creation (a real local receiver).

Once with an API key (bearer), once with the session cookie of
/web/session/authenticate. Everything is read back from the database as
admin; nothing is mocked.
"""

import json
import uuid

import pytest
from helpers.receiver import Receiver, verify_signature

CRON = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"
PAYLOAD_FIELDS = [
    "name",
    "state",
    "client_order_ref",
    "partner_id{name,email}",
    "order_line{product_id{name},product_uom_qty,price_unit}",
    "amount_total",
]


@pytest.fixture(scope="module")
def sale(odoo_servers):
    return odoo_servers(modules=("sale_management",))


@pytest.fixture(scope="module")
def receiver():
    """One receiver for the module (the ``receiver`` fixture is per test)."""
    with Receiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def rule(sale, receiver):
    """The spec's rule: sale.order, Record Callback URL, state = sale."""
    sale.set_param("webhook.outbound_allowed_hosts", '["127.0.0.1"]')
    model_id = sale.rpc("ir.model", "search", [("model", "=", "sale.order")])[0]
    rule_id = sale.rpc(
        "webhook.outbound.rule",
        "create",
        {
            "name": "E2E sale order confirmed",
            "model_id": model_id,
            "domain": "[('state', '=', 'sale')]",
            "endpoint_source": "callback",
            "payload_fields": json.dumps(PAYLOAD_FIELDS),
        },
    )
    secret = sale.rpc("webhook.outbound.rule", "read", [rule_id], ["secret"])[0]
    return {"id": rule_id, "secret": secret["secret"]}


@pytest.fixture(scope="module")
def products(sale):
    suffix = uuid.uuid4().hex[:6]
    names = {"widget": f"E2E Widget {suffix}", "gadget": f"E2E Gadget {suffix}"}
    for code, name in names.items():
        sale.rpc(
            "product.product",
            "create",
            {"name": name, "default_code": f"{code}-{suffix}", "list_price": 12.5},
        )
    return names


class BearerClient:
    def __init__(self, server):
        self.server = server

    def __call__(self, route, params):
        return self.server.api(route, params)


class SessionClient:
    """Logs in with /web/session/authenticate, then sends the cookie only."""

    def __init__(self, server):
        self.server = server
        self.http = server.api_user_session()

    def __call__(self, route, params):
        response = self.http.post(
            f"{self.server.url}/api/{route}",
            json={"jsonrpc": "2.0", "params": params, "id": 7},
            timeout=120,
        )
        return response.status_code, response.json()


def ok(answer):
    status, body = answer
    assert status == 200, body
    assert body["jsonrpc"] == "2.0"
    assert body["result"]["is_success"] is True, body
    return body["result"]


def read_order(sale, order_id):
    [order] = sale.rpc(
        "sale.order",
        "read",
        [order_id],
        ["name", "state", "client_order_ref", "partner_id", "order_line"],
    )
    lines = sale.rpc(
        "sale.order.line",
        "read",
        order["order_line"],
        ["product_id", "product_uom_qty", "price_unit"],
    )
    return order, lines


@pytest.mark.parametrize("auth", ["bearer", "session"])
def test_sale_order_lifecycle(sale, receiver, rule, products, auth):
    client = BearerClient(sale) if auth == "bearer" else SessionClient(sale)
    flow = Lifecycle(sale, client, products, receiver)
    order_id = flow.create()
    flow.upsert(order_id)
    order, lines = flow.search(order_id)
    # Nothing was sent so far: the order never entered state = sale.
    assert _deliveries(sale, order_id) == []
    order, lines = flow.confirm(order_id)
    flow.delivery(order_id, order, lines, rule)


class Lifecycle:
    """The scenario's steps for one client, on one new order."""

    def __init__(self, sale, client, products, receiver):
        self.sale, self.client, self.products = sale, client, products
        self.receiver = receiver
        self.tag = tag = uuid.uuid4().hex[:8]
        self.partner_name = f"E2E Customer {tag}"
        self.ref = f"EXT-{tag}"
        self.callback = f"{receiver.url}/so-status/{tag}"
        receiver.reset()
        self.first_log = sale.last_log_id()

    def create(self):
        """1. create_data: partner made on the fly, product looked up by name."""
        sale, tag, partner_name = self.sale, self.tag, self.partner_name
        line = {"product_id": {"name": self.products["widget"]}, "product_uom_qty": 2}
        vals = {
            "callback_url": self.callback,
            "payload": {
                "partner_id": {"name": partner_name},
                "client_order_ref": self.ref,
                "order_line": [line],
            },
            "auto_create": {"partner_id": {"email": f"{tag}@example.com"}},
            "result_field": ["name", "state", "partner_id{name,email}"],
        }
        created = ok(self.client("create_data", {"model": "sale.order", "vals": vals}))
        order_id = created["result"]["id"]
        assert created["messages"] == f"Created sale.order {order_id}"
        assert created["result"]["state"] == "draft"
        assert created["result"]["partner_id"] == [
            {"name": partner_name, "email": f"{tag}@example.com"}
        ]
        partners = sale.rpc(
            "res.partner", "search_read", [("name", "=", partner_name)], ["email"]
        )
        assert len(partners) == 1, "auto_create made exactly one partner"
        order, lines = read_order(sale, order_id)
        assert order["partner_id"][0] == partners[0]["id"]
        assert order["client_order_ref"] == self.ref
        assert order["state"] == "draft"
        widget = self.products["widget"]
        assert [(line["product_id"][1], line["product_uom_qty"]) for line in lines] == [
            (f"[widget-{widget[-6:]}] {widget}", 2.0)
        ]
        self.check_create_log(order_id)
        return order_id

    def check_create_log(self, order_id):
        [log] = self.sale.rpc(
            "webhook.log",
            "search_read",
            [("id", ">", self.first_log), ("route", "=", "/api/create_data")],
            ["state", "http_status", "user_id", "res_model", "res_id", "callback_url"],
        )
        assert log["state"] == "done" and log["http_status"] == 200
        assert log["user_id"][0] == self.sale.api_uid
        assert (log["res_model"], log["res_id"]) == ("sale.order", order_id)
        assert log["callback_url"] == self.callback

    def upsert(self, order_id):
        """2. create_update_data: the same key updates the same order, lines
        replaced."""
        sale, ref, products = self.sale, self.ref, self.products
        order_lines = [
            {"product_id": {"name": products["widget"]}, "product_uom_qty": 3},
            {
                "product_id": {"name": products["gadget"]},
                "product_uom_qty": 1,
                "price_unit": 9.5,
            },
        ]
        vals = {
            "search_key": {"client_order_ref": ref},
            "payload": {"client_order_ref": ref, "order_line": order_lines},
            "result_field": ["order_line{product_id{name},product_uom_qty}"],
        }
        params = {"model": "sale.order", "vals": vals}
        upserted = ok(self.client("create_update_data", params))
        assert upserted["result"]["id"] == order_id
        assert upserted["messages"] == f"Updated sale.order {order_id}"
        assert (
            sale.rpc("sale.order", "search_count", [("client_order_ref", "=", ref)])
            == 1
        )
        _order, lines = read_order(sale, order_id)
        assert sorted(
            (line["product_id"][0], line["product_uom_qty"], line["price_unit"])
            for line in lines
        ) == sorted(
            [
                (_product_id(sale, products["widget"]), 3.0, 12.5),
                (_product_id(sale, products["gadget"]), 1.0, 9.5),
            ]
        )

    def search(self, order_id):
        """3. search_data with expansion: exactly what the database holds."""
        order, lines = read_order(self.sale, order_id)
        payload = {
            "search_field": [
                "name",
                "state",
                "partner_id{name}",
                "order_line{product_id{name},product_uom_qty}",
            ],
            "search_domain": f"[('client_order_ref', '=', '{self.ref}')]",
            "limit": 5,
            "order": "id desc",
        }
        params = {"model": "sale.order", "vals": {"payload": payload}}
        found = ok(self.client("search_data", params))
        assert found["result"] == [
            {
                "id": order_id,
                "name": order["name"],
                "state": "draft",
                "partner_id": [{"name": self.partner_name}],
                "order_line": [
                    {
                        "product_id": [{"name": _product_name(line)}],
                        "product_uom_qty": line["product_uom_qty"],
                    }
                    for line in lines
                ],
            }
        ]
        return order, lines

    def confirm(self, order_id):
        """4. call_function: confirm the order."""
        vals = {
            "search_key": {"client_order_ref": self.ref},
            "payload": {"method": "action_confirm"},
        }
        params = {"model": "sale.order", "vals": vals}
        confirmed = ok(self.client("call_function", params))
        assert (
            confirmed["messages"] == f"Called sale.order.action_confirm on {order_id}"
        )
        order, lines = read_order(self.sale, order_id)
        assert order["state"] == "sale"
        return order, lines

    def delivery(self, order_id, order, lines, rule):
        """5. The outbound delivery: an event queued at commit; the cron
        builds the delivery from the committed order and sends it, signed."""
        sale, receiver = self.sale, self.receiver
        assert _deliveries(sale, order_id) == []
        assert sale.sql(
            "SELECT res_id FROM webhook_outbound_event WHERE rule_id = %s", [rule["id"]]
        ) == [(order_id,)]
        sale.run_cron(CRON)
        [request] = receiver.wait_for(1)
        [delivery] = _deliveries(sale, order_id)
        assert delivery["target_url"] == self.callback
        assert request["path"] == f"/hook/so-status/{self.tag}"
        headers = request["headers"]
        assert headers["content-type"] == "application/json"
        assert headers["webhook-id"] == delivery["webhook_msg_id"]
        assert verify_signature(rule["secret"], headers, request["body"])
        assert not verify_signature("whsec_" + "A" * 32, headers, request["body"])
        assert json.loads(request["body"]) == self.expected_body(order, lines)
        [delivery] = _deliveries(sale, order_id)
        assert (
            delivery["state"],
            delivery["http_status"],
            delivery["attempt_count"],
        ) == (
            "done",
            200,
            1,
        )
        # The cron again: no second delivery, no second POST.
        sale.run_cron(CRON)
        assert len(_deliveries(sale, order_id)) == 1
        assert len(receiver.received()) == 1

    def expected_body(self, order, lines):
        [amount] = self.sale.rpc("sale.order", "read", [order["id"]], ["amount_total"])
        return {
            "name": order["name"],
            "state": "sale",
            "client_order_ref": self.ref,
            "partner_id": [
                {"name": self.partner_name, "email": f"{self.tag}@example.com"}
            ],
            "order_line": [
                {
                    "product_id": [{"name": _product_name(line)}],
                    "product_uom_qty": line["product_uom_qty"],
                    "price_unit": line["price_unit"],
                }
                for line in lines
            ],
            "amount_total": amount["amount_total"],
        }


def _product_name(line):
    """The product's name in a line read back ("[code] name")."""
    return line["product_id"][1].split("] ", 1)[1]


def _product_id(sale, name):
    return sale.rpc("product.product", "search", [("name", "=", name)])[0]


def _deliveries(sale, order_id):
    return sale.rpc(
        "webhook.log",
        "search_read",
        [
            ("log_type", "=", "send"),
            ("res_model", "=", "sale.order"),
            ("res_id", "=", order_id),
        ],
        ["state", "target_url", "webhook_msg_id", "http_status", "attempt_count"],
    )
