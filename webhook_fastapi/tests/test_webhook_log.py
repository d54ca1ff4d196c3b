# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The API log: preview boundaries, route switches, rollback, redaction,
access, replay and retention. (test_rollback_log covers the basics.)"""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..schemas import CreateDataRequest
from ..tools.extendable_context import extendable_registry
from .common import WebhookLogCase, partner_params
from .param_helpers import store_unchecked_param

SECRET_VALUES = (
    "pw-hunter2",
    "tok-s3cr3t",
    "sec-b4n4n4",
    "key-4p1k3y",
    "nested-tok-99",
    "hdr-k3y-77",
)


@tagged("post_install", "-at_install")
class TestWebhookLog(WebhookLogCase):
    # ------------------------------------------------------------------
    # Previews and full logs at the boundary
    # ------------------------------------------------------------------
    def test_preview_boundary(self):
        params = {
            "model": "res.partner",
            "vals": {
                "payload": {"name": "Bordeline Café 日本", "comment": "é" * 150 + "END"}
            },
        }
        body = {"params": params}
        # What the log stores: the validated request, serialized without escaping.
        # (Extensions of other installed addons included.)
        with extendable_registry(self.env.cr.dbname):
            request = CreateDataRequest.model_validate(body)
        stored = json.dumps(
            request.model_dump(mode="json"), ensure_ascii=False, default=str
        )
        length = len(stored)
        self.assertGreater(length, 200)
        for limit, truncated in (
            (length - 1, True),
            (length, False),
            (length + 1, False),
        ):
            with self.subTest(limit=limit):
                self.setParam("webhook.preview_limit", str(limit))
                code, answer = self.post("create_data", body=body)
                self.assertEqual(code, 200, answer)
                log = self.last_log()
                self.assertEqual(log.request_size, length)
                self.assertEqual(log.request_preview, stored[:limit])
                answer_text = json.dumps(answer, ensure_ascii=False)
                self.assertEqual(log.response_size, len(answer_text))
                self.assertEqual(log.response_preview, answer_text)  # short: whole
                self.assertEqual(bool(log.full_log_attachment_id), truncated)
                if truncated:
                    attachment = log.full_log_attachment_id
                    self.assertEqual(
                        (attachment.res_model, attachment.res_id),
                        ("webhook.log", log.id),
                    )
                    full = json.loads(attachment.raw.decode())
                    self.assertEqual(full["request"], json.loads(stored))
                    self.assertEqual(full["response"], answer)
                    action = log.action_open_full_log()
                    self.assertEqual(
                        action["url"], f"/web/content/{attachment.id}?download=false"
                    )
                else:
                    self.assertFalse(log.action_open_full_log())

    def test_response_over_limit_alone_gets_a_full_log(self):
        self.Partner.create(
            [{"name": f"Many {i}", "ref": f"MANY-{i}"} for i in range(10)]
        )
        params = partner_params({"search_field": ["name", "ref"], "limit": 50})
        log = self.logged_ok("search_data", params, 250)
        self.assertLessEqual(log.request_size, 250)
        self.assertGreater(log.response_size, 250)
        self.assertEqual(len(log.response_preview), 250)
        self.assertIn(b"MANY-9", log.full_log_attachment_id.raw)

    def test_malformed_preview_limit_means_default(self):
        for value in ("lots", "-5", "0"):
            # Refused on save: stored as an older version could have left it.
            store_unchecked_param(self.env, "webhook.preview_limit", value)
            with self.assertLogs("odoo.addons.webhook_fastapi.tools.params", "WARNING"):
                self.assertEqual(self.Log._preview_limit(), 2000)
        self.env["ir.config_parameter"].search(
            [("key", "=", "webhook.preview_limit")]
        ).unlink()
        self.assertEqual(self.Log._preview_limit(), 2000)

    def test_entry_fields(self):
        params = {
            "model": "res.partner",
            "vals": {"payload": {"name": "Fields"}},
        }
        before = fields.Datetime.now() - timedelta(seconds=1)
        result = self.assertApiOk(self.post("create_data", params))
        log = self.last_log()
        self.assertEqual(log.log_type, "receive")
        self.assertEqual(log.state, "done")
        self.assertEqual(log.http_status, 200)
        self.assertEqual(log.model_name, "res.partner")
        self.assertEqual((log.res_model, log.res_id), ("res.partner", result["id"]))
        self.assertGreaterEqual(log.date, before)
        self.assertGreater(log.duration_ms, 0)
        self.assertEqual(log.remote_addr, "127.0.0.1")
        action = log.action_open_record()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("res.partner", result["id"])
        )
        self.assertTrue(log.can_replay)

    # ------------------------------------------------------------------
    # Route switches
    # ------------------------------------------------------------------
    def _route_calls(self):
        key = {"ref": "LOG-1"}
        return {
            "create_data": {
                "model": "res.partner",
                "vals": {"payload": {"name": "Switch"}},
            },
            "update_data": {
                "model": "res.partner",
                "vals": {"search_key": key, "payload": {"comment": "x"}},
            },
            "create_update_data": {
                "model": "res.partner",
                "vals": {"search_key": key, "payload": {"comment": "y"}},
            },
            "search_data": {
                "model": "res.partner",
                "vals": {"payload": {"search_field": ["name"], "limit": 1}},
            },
            "call_function": {
                "model": "res.partner",
                "vals": {
                    "search_key": key,
                    "payload": {"method": "read", "parameter": {"fields": ["name"]}},
                },
            },
        }

    def test_each_route_switch(self):
        calls = self._route_calls()
        ICP = self.env["ir.config_parameter"]
        for route, params in calls.items():
            with self.subTest(route=route):
                key = f"webhook.{route}_log"
                # Off: this route is not logged, the others still are.
                self.setParam(key, "False")
                start = self.max_log_id()
                self.assertApiOk(self.post(route, params))
                self.assertFalse(self.new_logs(start))
                other = "search_data" if route != "search_data" else "create_data"
                self.assertApiOk(self.post(other, calls[other]))
                self.assertEqual(
                    self.new_logs(start).mapped("route"), [f"/api/{other}"]
                )
                # "0" is off too.
                self.setParam(key, "0")
                start = self.max_log_id()
                self.assertApiOk(self.post(route, params))
                self.assertFalse(self.new_logs(start))
                # Missing means the default: on.
                ICP.search([("key", "=", key)]).unlink()
                start = self.max_log_id()
                self.assertApiOk(self.post(route, params))
                self.assertEqual(
                    self.new_logs(start).mapped("route"), [f"/api/{route}"]
                )
                # Malformed means the default too, never an error.
                store_unchecked_param(self.env, key, "maybe?")
                start = self.max_log_id()
                with self.assertLogs(
                    "odoo.addons.webhook_fastapi.tools.params", "WARNING"
                ):
                    self.assertApiOk(self.post(route, params))
                self.assertEqual(len(self.new_logs(start)), 1)
                self.setParam(key, "True")

    # ------------------------------------------------------------------
    # A failed call's entry survives its rollback
    # ------------------------------------------------------------------
    def test_failed_method_call_rolled_back_entry_kept(self):
        def webhook_test_fail(records):
            records.write({"comment": "written before the failure"})
            raise UserError(records.env._("refused after writing"))

        partner_class = type(self.env["res.partner"])
        with patch.object(
            partner_class, "webhook_test_fail", webhook_test_fail, create=True
        ):
            params = {
                "model": "res.partner",
                "vals": {
                    "search_key": {"ref": "LOG-1"},
                    "payload": {"method": "webhook_test_fail"},
                },
            }
            self.assertApiError(
                self.post("call_function", params), 400, "refused after writing"
            )
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.comment)
        log = self.last_log()
        self.assertEqual(
            (log.state, log.http_status, log.route, log.function),
            ("failed", 400, "/api/call_function", "webhook_test_fail"),
        )
        self.assertIn("refused after writing", log.error_message)
        self.assertFalse(log.traceback)  # a 4xx is the caller's fault: no traceback

    # ------------------------------------------------------------------
    # Redaction
    # ------------------------------------------------------------------
    def _assert_nowhere(self, log, secrets):
        texts = [
            log.request_preview,
            log.response_preview,
            log.request_headers,
            log.error_message,
            log.traceback,
        ]
        if log.full_log_attachment_id:
            texts.append(log.full_log_attachment_id.raw.decode())
        blob = "\n".join(t or "" for t in texts)
        for secret in secrets:
            self.assertNotIn(secret, blob)

    def test_each_kind_of_secret_redacted(self):
        self.setParam(
            "webhook.preview_limit", "100"
        )  # the full log must be redacted too
        params = {
            "model": "res.partner",
            "vals": {
                "payload": {
                    "name": "Secret keeper",
                    "comment": "c" * 200,
                    "password": "pw-hunter2",
                    "access_token": "tok-s3cr3t",
                    "client_secret": "sec-b4n4n4",
                    "api_key": "key-4p1k3y",
                    "child_ids": [{"name": "Kid", "refresh_token": "nested-tok-99"}],
                }
            },
        }
        headers = {
            "X-Api-Key": "hdr-k3y-77",
            "Cookie": "session_id=cookie-abc; other=1",
        }
        self.post(
            "create_data", params, headers=headers
        )  # fails on the unknown fields: logged anyway
        log = self.last_log()
        self.assertTrue(log.full_log_attachment_id)
        self._assert_nowhere(log, SECRET_VALUES + ("cookie-abc", self.api_key))
        full = json.loads(log.full_log_attachment_id.raw.decode())["request"]["params"][
            "vals"
        ]["payload"]
        for key in ("password", "access_token", "client_secret", "api_key"):
            self.assertEqual(full[key], "***", key)
        self.assertEqual(full["child_ids"][0], {"name": "Kid", "refresh_token": "***"})
        headers_logged = json.loads(log.request_headers)
        lowered = {k.lower(): v for k, v in headers_logged.items()}
        self.assertEqual(lowered["x-api-key"], "***")
        self.assertEqual(lowered["content-type"], "application/json")

    def test_credential_headers_never_stored(self):
        """Authorization, Proxy-Authorization and Cookie are credentials as a
        whole: not even their names are kept (issue 11, item 10)."""
        headers = {
            "Cookie": "session_id=cookie-abc",
            "Proxy-Authorization": "Basic cHJveHk6cHc=",
        }
        params = {"model": "res.partner", "vals": {"payload": {"no_such": 1}}}
        self.post("create_data", params, headers=headers)
        lowered = {k.lower() for k in json.loads(self.last_log().request_headers)}
        self.assertIn("content-type", lowered)
        for name in ("authorization", "proxy-authorization", "cookie"):
            self.assertNotIn(name, lowered)

    def test_wrong_api_key_not_logged(self):
        self.assertApiError(
            self.post(
                "search_data", {"model": "res.partner"}, key="Bearer wrong-key-xyz"
            ),
            401,
        )
        log = self.last_log()
        self.assertEqual((log.state, log.http_status), ("failed", 401))
        self.assertFalse(log.user_id)
        self._assert_nowhere(log, ("wrong-key-xyz",))

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_access_admin_only(self):
        log = self.logged_ok("create_data", partner_params({"name": "Acl"}), 50)
        attachment = log.full_log_attachment_id
        self.assertTrue(attachment)
        # A plain internal user: nothing at all.
        clerk_log = log.with_user(self.clerk)
        with self.assertRaises(AccessError):
            self.Log.with_user(self.clerk).search([])
        with self.assertRaises(AccessError):
            clerk_log.read(["request_preview"])
        with self.assertRaises(AccessError):
            clerk_log.unlink()
        with self.assertRaises(AccessError):
            attachment.with_user(self.clerk).read(["raw"])
        with self.assertRaises(UserError):  # AccessError is a UserError
            clerk_log.action_replay()
        menu = self.env.ref("webhook_fastapi.menu_webhook_log")
        self.assertNotIn(menu, self.env["ir.ui.menu"].with_user(self.clerk).search([]))
        self.assertIn(menu, self.env["ir.ui.menu"].with_user(self.admin).search([]))
        # Nor over HTTP.
        self.authenticate("webhook_log_clerk", "webhook_log_clerk")
        response = self.url_open(f"/web/content/{attachment.id}")
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(b"Acl", response.content)
        # Administrators read and delete, nobody edits or creates.
        admin_log = log.with_user(self.admin)
        self.assertTrue(admin_log.request_preview)
        self.assertTrue(attachment.with_user(self.admin).raw)
        with self.assertRaises(AccessError):
            admin_log.write({"state": "done", "error_message": "edited"})
        with self.assertRaises(AccessError):
            self.Log.with_user(self.admin).create({"route": "/api/forged"})
        admin_log.unlink()
        self.assertFalse(log.exists())
        self.assertFalse(attachment.exists())
