# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 16 item 1: the Idempotency-Key header of the write routes. The
race of 20 parallel calls needs a real server: tests/test_idempotency_e2e.py."""

import json
import uuid
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WebhookHttpCase, partner_params


@tagged("post_install", "-at_install")
class TestIdempotencyKey(WebhookHttpCase):
    def send(self, route, params, key, body_id=None):
        """POST with ``Idempotency-Key: key``; (status, body, headers)."""
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.api_key}",
        }
        if key is not None:
            headers["Idempotency-Key"] = key
        body = {"params": params, "id": body_id}
        response = self.url_open(
            f"/api/{route}", data=json.dumps(body), headers=headers, timeout=60
        )
        return response.status_code, response.json(), response.headers

    def named(self, name):
        return self.Partner.search_count([("name", "=", name)])

    def test_same_key_and_body_replays_without_running(self):
        key = str(uuid.uuid4())
        params = partner_params({"name": "Idem Once"}, result_field=["name"])
        status, first, headers = self.send("create_data", params, key, body_id=1)
        self.assertEqual(status, 200, first)
        self.assertNotIn("Idempotent-Replayed", headers)
        self.assertFalse(self.last_log().idempotent_replay)
        # Another key order and JSON-RPC id: the same params all the same.
        params = {"vals": params["vals"], "model": "res.partner"}
        status, again, headers = self.send("create_data", params, key, body_id=2)
        self.assertEqual(status, 200, again)
        self.assertEqual(headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again["result"], first["result"])
        self.assertEqual(again["id"], 2)
        self.assertEqual(self.named("Idem Once"), 1)
        log = self.last_log()
        self.assertTrue(log.idempotent_replay)
        self.assertEqual((log.http_status, log.state), (200, "done"))
        # Without a key, the same body creates again.
        self.assertEqual(self.send("create_data", params, None)[0], 200)
        self.assertEqual(self.named("Idem Once"), 2)

    def test_same_key_other_body_is_422(self):
        key = "order-42"
        self.send("create_data", partner_params({"name": "Idem A"}), key)
        status, body, _headers = self.send(
            "create_data", partner_params({"name": "Idem B"}), key
        )
        self.assertApiError((status, body), 422, "another body")
        self.assertEqual(self.named("Idem B"), 0)
        # The refusal is logged, and does not replace the kept answer.
        self.assertIn("another body", self.last_log().error_message)
        status, _body, headers = self.send(
            "create_data", partner_params({"name": "Idem A"}), key
        )
        self.assertEqual((status, headers.get("Idempotent-Replayed")), (200, "true"))

    def test_keys_are_per_user(self):
        other, other_key = self._make_api_user("idem_other", "Idem Other")
        self.send("create_data", partner_params({"name": "Idem U"}), "shared")
        status, _body = self.post(
            "create_data",
            partner_params({"name": "Idem U"}),
            key=f"Bearer {other_key}",
            headers={"Idempotency-Key": "shared"},
        )
        self.assertEqual(status, 200)
        self.assertEqual(self.named("Idem U"), 2)

    def test_client_error_is_kept_and_replayed(self):
        params = partner_params({"phone": "1"}, search_key={"ref": "IDEM-404"})
        status, first, _headers = self.send("update_data", params, "upd-1")
        self.assertEqual(status, 404, first)
        # The record exists now, but the key's answer is the kept 404.
        partner = self.Partner.create({"name": "Idem 404", "ref": "IDEM-404"})
        status, again, headers = self.send("update_data", params, "upd-1")
        self.assertEqual((status, headers.get("Idempotent-Replayed")), (404, "true"))
        self.assertEqual(again["result"], first["result"])
        self.assertFalse(partner.phone)

    def test_server_error_is_not_kept(self):
        service = type(self.env["webhook.api.service"])
        params = partner_params({"name": "Idem 500"})
        with (
            patch.object(service, "_route_create_data", side_effect=RuntimeError),
            mute_logger("odoo.addons.webhook_fastapi.models.webhook_api_service"),
        ):
            status, _body, _headers = self.send("create_data", params, "srv-1")
        self.assertEqual(status, 500)
        status, _body, headers = self.send("create_data", params, "srv-1")
        self.assertEqual(status, 200)
        self.assertNotIn("Idempotent-Replayed", headers)
        self.assertEqual(self.named("Idem 500"), 1)

    def test_bad_keys_are_400_and_logged(self):
        params = partner_params({"name": "Idem Bad"})
        for key, fragment in (
            ("", "empty"),
            ("k" * 256, "256 characters"),
            ("cl\u00e9", "printable ASCII"),
            ("a\tb", "printable ASCII"),
        ):
            status, body, _headers = self.send("create_data", params, key)
            self.assertApiError((status, body), 400, fragment)
            self.assertIn("Idempotency-Key", self.last_log().error_message)
        self.assertEqual(self.named("Idem Bad"), 0)
        self.assertEqual(self.send("create_data", params, "k" * 255)[0], 200)

    def test_running_key_is_409(self):
        # The row a committed running call would leave (the live race is in
        # the e2e test: here the test's single transaction holds the lock).
        self.env.cr.execute(
            "INSERT INTO webhook_idempotency_key (user_id, key, fingerprint, state,"
            " date) VALUES (%s, 'busy', 'x', 'running', now() at time zone 'UTC')",
            [self.api_user.id],
        )
        params = partner_params({"name": "Idem Busy"})
        self.env.cr.execute(
            "UPDATE webhook_idempotency_key SET fingerprint = %s WHERE key = 'busy'",
            [self._fingerprint(params)],
        )
        status, body, _headers = self.send("create_data", params, "busy")
        self.assertApiError((status, body), 409, "still running")
        self.assertEqual(self.named("Idem Busy"), 0)

    def _fingerprint(self, params):
        from ..schemas import CreateDataRequest
        from ..tools.extendable_context import extendable_registry
        from ..tools.idempotency import fingerprint

        with extendable_registry(self.env.cr.dbname):
            request = CreateDataRequest.model_validate({"params": params})
        return fingerprint(request.model_dump()["params"])

    def test_expired_key_runs_again_and_is_purged(self):
        params = partner_params({"name": "Idem Old"})
        self.send("create_data", params, "old")
        self.setParam("webhook.idempotency_hours", "2")
        Key = self.env["webhook.idempotency.key"]
        self.env.cr.execute(
            "UPDATE webhook_idempotency_key SET date = date - interval '3 hours' "
            "WHERE key = 'old'"
        )
        status, _body, headers = self.send("create_data", params, "old")
        self.assertEqual(status, 200)
        self.assertNotIn("Idempotent-Replayed", headers)
        self.assertEqual(self.named("Idem Old"), 2)
        # The daily cleanup job purges the expired keys only.
        self.send("create_data", partner_params({"name": "Idem Gc"}), "gc-old")
        self.env.cr.execute(
            "UPDATE webhook_idempotency_key SET date = date - interval '3 hours' "
            "WHERE key = 'gc-old'"
        )
        self.Log._gc_old_logs()
        self.assertEqual(
            sorted(Key.search([("key", "in", ["old", "gc-old"])]).mapped("key")),
            ["old"],
        )

    def test_read_route_ignores_the_key(self):
        params = partner_params({"search_domain": [["name", "=", "none"]]})
        for _n in range(2):
            status, _body, headers = self.send("search_data", params, "read")
            self.assertEqual(status, 200)
            self.assertNotIn("Idempotent-Replayed", headers)
        self.assertEqual(self.send("search_data", params, "")[0], 200)

    def test_openapi_documents_the_headers(self):
        spec = self.url_open("/api/openapi.json").json()
        for route in ("create_data", "update_data", "create_update_data"):
            operation = spec["paths"][f"/{route}"]["post"]
            names = [p["name"] for p in operation.get("parameters", [])]
            self.assertIn("Idempotency-Key", names, route)
            self.assertIn(
                "Idempotent-Replayed", operation["responses"]["200"]["headers"]
            )
        search = spec["paths"]["/search_data"]["post"]
        self.assertNotIn("Idempotency-Key", str(search.get("parameters")))
