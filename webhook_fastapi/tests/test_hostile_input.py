# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hostile input (issue 11): what a caller without a key, or with a bad
body, must never achieve. The races and the server freeze need a real
multi-threaded server: they are in the top-level tests/test_hostile_input.py.
"""

import json
import subprocess
import sys
from pathlib import Path

from odoo.tests import tagged

from .common import WebhookHttpCase, WebhookServiceCase

REDACT_PY = Path(__file__).resolve().parent.parent / "tools" / "redact.py"
# Loads tools/redact.py alone (it imports nothing of Odoo) and redacts the
# hostile inputs; a quadratic pattern would not finish within the timeout.
REDACT_SCRIPT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("redact", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for text in ("{" + "A" * 10_000_000, "token" * 2_000_000, 'secret="' * 1_000_000):
    mod.redact_text(text)
assert mod.redact_text("x token=abc y") == 'x token="***" y'
print("ok")
"""


def _partner_params(payload, **vals):
    return {"model": "res.partner", "vals": {"payload": payload, **vals}}


@tagged("post_install", "-at_install")
class TestRedactionFreeze(WebhookServiceCase):
    def test_redaction_is_linear_on_10_mb(self):
        """Item 1: 10 MB of word characters (and of repeated secret words)
        are redacted in bounded time: the old pattern backtracked
        quadratically (40 kB took 91 s) and froze every thread."""
        done = subprocess.run(
            [sys.executable, "-c", REDACT_SCRIPT, str(REDACT_PY)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.assertEqual(done.stdout.strip(), "ok", done.stderr)

    def test_unparsed_body_is_kept_as_preview_only(self):
        log_model = self.env["webhook.log"]
        vals, text = log_model._prepare_payload_vals("request", "x" * 5000, 2000)
        self.assertEqual(vals["request_size"], 5000)
        self.assertEqual(len(vals["request_preview"]), 2000)
        self.assertEqual(text, vals["request_preview"])


@tagged("post_install", "-at_install")
class TestApiKeyChecks(WebhookServiceCase):
    def _key_row(self):
        return (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.api_user.id)], limit=1)
        )

    def test_api_key_expiry_checked_at_use(self):
        """Item 8: an expired key stops at once, not up to a minute later
        (the cache holds which key row matched, never that it is valid)."""
        self.assertApiOk(self.call("search_data", {"model": "res.partner"}))
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = "
            "(now() at time zone 'utc') - interval '1 second' WHERE id = %s",
            [self._key_row().id],
        )
        self.assertApiError(
            self.call("search_data", {"model": "res.partner"}), 401, "API key"
        )

    def test_api_key_deleted_elsewhere_stops_at_once(self):
        """Item 8: a key deleted by SQL (or a shell, another worker: nothing
        signals this process) stops working on the next call."""
        self.assertApiOk(self.call("search_data", {"model": "res.partner"}))
        self.env.cr.execute(
            "DELETE FROM res_users_apikeys WHERE id = %s", [self._key_row().id]
        )
        self.assertApiError(
            self.call("search_data", {"model": "res.partner"}), 401, "API key"
        )


@tagged("post_install", "-at_install")
class TestUnsearchableDomain(WebhookServiceCase):
    def search(self, model, domain):
        return self.call(
            "search_data",
            {"model": model, "vals": {"payload": {"search_domain": domain}}},
        )

    def test_domain_on_unsearchable_field_refused(self):
        """Item 5: Odoo drops a term on a field it cannot search (and so
        returned every user for a password); we refuse it, naming it."""
        self.assertApiError(
            self.search("res.users", [["password", "=", "x"]]), 400, "password"
        )
        self.assertApiError(
            self.search("res.partner", [["no_such_field", "=", 1]]),
            400,
            "no_such_field",
        )
        self.assertApiError(
            self.search("res.partner", [["name.id", "=", 1]]),
            400,
            "not a relational field",
        )
        self.assertApiError(
            self.search("res.partner", [["parent_id.password_x", "=", 1]]),
            400,
            "password_x",
        )
        self.assertApiOk(
            self.search(
                "res.partner", ["|", ["parent_id.name", "=", "x"], ["id", "=", 1]]
            )
        )


@tagged("post_install", "-at_install")
class TestHostileHttp(WebhookHttpCase):
    def assertFailedLog(self, status, first_id):
        logs = self.Log.search([("id", ">", first_id)])
        self.assertEqual(len(logs), 1, logs.mapped("error_message"))
        self.assertEqual((logs.state, logs.http_status), ("failed", status))
        return logs

    def _last_id(self):
        return self.Log.search([], limit=1, order="id desc").id or 0

    def test_malformed_values_get_400_and_a_log_entry(self):
        """Item 6: these were 500s without a log entry."""
        deep = "[" * 900 + "]" * 900
        cases = {
            "lone surrogate": (
                "create_data",
                '{"params": {"model": "res.partner", "vals": {"payload": '
                '{"name": "bad \\ud800 text"}}}}',
                "surrogate",
            ),
            "900 nested lists": (
                "create_data",
                '{"params": {"model": "res.partner", "vals": {"payload": '
                '{"name": "Deep", "comment": ' + deep + "}}}}",
                "nested deeper",
            ),
            "Infinity in a domain": (
                "search_data",
                '{"params": {"model": "res.partner", "vals": {"payload": '
                '{"search_domain": [["id", "<", Infinity]]}}}}',
                "finite",
            ),
            "1e308 for a float": (
                "create_data",
                '{"params": {"model": "res.partner", "vals": {"payload": '
                '{"name": "Far", "partner_latitude": 1e308}}}}',
                "partner_latitude",
            ),
        }
        for name, (route, raw, fragment) in cases.items():
            with self.subTest(name):
                first = self._last_id()
                answer = self.post(route, raw=raw)
                self.assertApiError(answer, 400, fragment)
                self.assertFailedLog(400, first)
        self.assertFalse(self.Partner.search([("name", "in", ("Deep", "Far"))]))

    def test_method_and_route_errors_say_what_is_wrong(self):
        """Item 7: wrong method, unknown route, missing Content-Type. (Their
        log entries are written on a cursor of their own, which a test
        transaction cannot show: the e2e suite checks them.)"""
        for method in ("GET", "OPTIONS"):
            with self.subTest(method):
                response = self.opener.request(
                    method, self.base_url() + "/api/create_data", timeout=30
                )
                self.assertEqual(response.status_code, 405)
                message = response.json()["result"]["messages"]
                self.assertIn(f"Method {method} is not allowed", message)
                self.assertIn("POST", message)
        answer = self.post("no_such_route", {"model": "res.partner"})
        self.assertApiError(answer, 404, "No such route", "/api/create_data")
        response = self.url_open(
            "/api/search_data",
            data=json.dumps({"params": {"model": "res.partner"}}),
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": ""},
        )
        self.assertEqual(response.status_code, 415, response.text)
        self.assertIn("application/json", response.json()["result"]["messages"])

    def test_request_size_limit(self):
        """Item 2: a body over webhook.max_request_size gets 413 (announced
        by Content-Length, or sent chunked), and is not stored."""
        self.env["ir.config_parameter"].set_param("webhook.max_request_size", "5000")
        body = json.dumps(
            {"params": _partner_params({"name": "Big", "comment": "c" * 6000})}
        )
        answer = self.post("create_data", raw=body)
        self.assertApiError(answer, 413, "too large", "webhook.max_request_size")

        def chunks():
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000].encode()

        response = self.url_open(
            "/api/create_data",
            data=chunks(),
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        self.assertEqual(response.status_code, 413, response.text)
        self.assertFalse(self.Partner.search([("name", "=", "Big")]))
        # Under the limit, the same route works.
        self.assertApiOk(self.post("create_data", _partner_params({"name": "Small"})))

    def test_anonymous_call_keeps_preview_only(self):
        """Item 2: a call without valid credentials never stores more than
        its preview (a 130 MB body used to become a 136 MB attachment)."""
        body = json.dumps(
            {"params": _partner_params({"name": "Anon", "comment": "a" * 50_000})}
        )
        for key in (None, "Bearer wrong-key"):
            with self.subTest(key=key):
                first = self._last_id()
                self.assertApiError(self.post("create_data", raw=body, key=key), 401)
                log = self.assertFailedLog(401, first)
                self.assertFalse(log.full_log_attachment_id)
                self.assertEqual(len(log.request_preview), 2000)
                self.assertGreater(log.request_size, 50_000)
        # The same body with a key is kept whole, as before.
        first = self._last_id()
        self.assertApiOk(self.post("create_data", raw=body))
        log = self.Log.search([("id", ">", first)])
        self.assertTrue(log.full_log_attachment_id)

    def test_anonymous_failure_flood_is_capped(self):
        """Item 2: past webhook.anonymous_log_limit entries an hour, failed
        anonymous calls are counted on the last entry, not stored."""
        self.env.cr.execute(
            "UPDATE webhook_log SET date = date - interval '2 hours' "
            "WHERE user_id IS NULL"
        )
        self.env["ir.config_parameter"].set_param("webhook.anonymous_log_limit", "3")
        first = self._last_id()
        for _i in range(7):
            self.post("search_data", {"model": "res.partner"}, key=None)
        logs = self.Log.search([("id", ">", first)], order="id")
        self.assertEqual(len(logs), 3)
        self.assertEqual(logs.mapped("suppressed_count"), [0, 0, 4])
        # Authenticated calls are never capped.
        self.assertApiOk(self.post("search_data", {"model": "res.partner"}))
        self.assertEqual(self.Log.search_count([("id", ">", first)]), 4)
