"""One load client of ``load_driver.py``: a thread with its own keep-alive
session that runs the operation mix through the webhook API (``api``) or
native JSON-RPC (``rpc``), and records each operation's time."""

import json
import threading
import time
from collections import defaultdict

import requests

MIX = [
    "search",
    "upsert",
    "search",
    "order",
    "upsert",
    "search",
    "call",
    "upsert",
    "search",
    "order",
]
REFS = 40


def execute_kw_body(db, uid, key, model, method, args, kwargs=None):
    """The body of a native JSON-RPC ``execute_kw`` call."""
    return {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [db, uid, key, model, method, args, kwargs or {}],
        },
    }


class Client(threading.Thread):
    def __init__(self, ctx, number, mode, stop_at, max_ops, record):
        super().__init__(daemon=True)
        self.ctx, self.number, self.mode = ctx, number, mode
        self.stop_at, self.max_ops, self.record = stop_at, max_ops, record
        self.http = requests.Session()
        self.requests = 0
        self.status = defaultdict(int)  # HTTP status: count
        self.errors = []
        self.last_ref = None  # the last ref this client upserted

    # transport
    def _post(self, path, body, headers=None):
        self.requests += 1
        response = self.http.post(
            self.ctx["url"] + path, json=body, headers=headers, timeout=300
        )
        self.status[response.status_code] += 1
        return response

    def api(self, route, params):
        response = self._post(
            f"/api/{route}",
            {"params": params},
            {"Authorization": f"Bearer {self.ctx['key']}"},
        )
        if response.status_code != 200:
            raise RuntimeError(f"{route}: {response.status_code} {response.text[:300]}")
        return response.json()["result"]["result"]

    def rpc(self, model, method, args, kwargs=None):
        ctx = self.ctx
        body = execute_kw_body(
            ctx["db"], ctx["uid"], ctx["key"], model, method, args, kwargs
        )
        response = self._post("/jsonrpc", body)
        answer = response.json()
        if response.status_code != 200 or "error" in answer:
            raise RuntimeError(f"{model}.{method}: {json.dumps(answer)[:300]}")
        return answer["result"]

    # business operations
    def op_search(self):
        ctx = self.ctx
        if self.mode == "api":
            payload = {
                "search_field": [
                    "name",
                    "partner_id{name,email}",
                    "order_line{product_id,product_uom_qty,price_unit}",
                ],
                "search_domain": [["state", "in", ["draft", "sale"]]],
                "limit": 20,
                "order": "id desc",
            }
            self.api(
                "search_data", {"model": "sale.order", "vals": {"payload": payload}}
            )
        else:
            line = {"product_id": {}, "product_uom_qty": {}, "price_unit": {}}
            spec = {
                "name": {},
                "partner_id": {"fields": {"name": {}, "email": {}}},
                "order_line": {"fields": line},
            }
            self.rpc(
                "sale.order",
                "web_search_read",
                [],
                {
                    "domain": [["state", "in", ["draft", "sale"]]],
                    "specification": spec,
                    "limit": 20,
                    "order": "id desc",
                },
            )
        del ctx

    def _ref(self, seq):
        return f"LOAD-{self.ctx['run']}-{(self.number * 7 + seq) % REFS}"

    def op_upsert(self, seq):
        ref = self._ref(seq)
        vals = {"name": f"Load {ref}", "ref": ref, "comment": f"client {self.number}"}
        if self.mode == "api":
            self.api(
                "create_update_data",
                {
                    "model": "res.partner",
                    "vals": {"search_key": {"ref": ref}, "payload": vals},
                },
            )
        else:
            ids = self.rpc("res.partner", "search", [[["ref", "=", ref]]], {"limit": 1})
            if ids:
                self.rpc("res.partner", "write", [ids, vals])
            else:
                self.rpc("res.partner", "create", [vals])
        self.last_ref = ref

    def op_order(self):
        ctx = self.ctx
        if self.mode == "api":
            lines = [
                {"product_id": {"name": n}, "product_uom_qty": 1}
                for n in ctx["products"]
            ]
            payload = {
                "partner_id": {"name": ctx["partner"]},
                "client_order_ref": f"LOAD-{ctx['run']}",
                "order_line": lines,
            }
            self.api(
                "create_data", {"model": "sale.order", "vals": {"payload": payload}}
            )
        else:
            pid = self.rpc("res.partner", "name_search", [ctx["partner"]], {"limit": 1})
            ids = [
                self.rpc(
                    "product.product", "name_search", [n], {"limit": 1, "operator": "="}
                )[0][0]
                for n in ctx["products"]
            ]
            lines = [(0, 0, {"product_id": i, "product_uom_qty": 1}) for i in ids]
            self.rpc(
                "sale.order",
                "create",
                [
                    {
                        "partner_id": pid[0][0],
                        "client_order_ref": f"LOAD-{ctx['run']}",
                        "order_line": lines,
                    }
                ],
            )

    def op_call(self, seq):
        del seq
        ref = self.last_ref
        if self.mode == "api":
            self.api(
                "call_function",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"ref": ref},
                        "payload": {
                            "method": "address_get",
                            "parameter": {"adr_pref": ["invoice", "delivery"]},
                        },
                    },
                },
            )
        else:
            ids = self.rpc("res.partner", "search", [[["ref", "=", ref]]], {"limit": 1})
            self.rpc(
                "res.partner",
                "address_get",
                [ids[:1]],
                {"adr_pref": ["invoice", "delivery"]},
            )

    def run(self):
        for seq in range(self.max_ops):
            if time.monotonic() >= self.stop_at:
                break
            op = MIX[(seq + self.number) % len(MIX)]
            if op == "call" and not self.last_ref:
                op = "upsert"  # the call needs a ref this client has made
            started = time.monotonic()
            try:
                if op in ("upsert", "call"):
                    getattr(self, f"op_{op}")(seq)
                else:
                    getattr(self, f"op_{op}")()
                ok = True
            except Exception as exc:  # noqa: BLE001 - counted and reported
                ok = False
                self.errors.append(f"{op}: {exc}"[:400])
            self.record(op, time.monotonic() - started, ok)
