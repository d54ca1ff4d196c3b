# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import tagged

from ..tools.converter import PayloadConverter
from .common import WebhookHttpCase, partner_params
from .param_helpers import store_unchecked_param


@tagged("post_install", "-at_install")
class TestRollbackAndLog(WebhookHttpCase):
    # Auto-creates a tag, then fails on the parent lookup: partial work.
    FAILING = {
        "model": "res.partner",
        "vals": {
            "payload": {
                "name": "Half done",
                "category_id": {"records": [{"name": "Leftover tag"}]},
                "parent_id": {"name": "Nobody at all"},
            },
            "auto_create": {"category_id": {}},
        },
    }

    def test_failed_call_leaves_nothing_but_its_log(self):
        self.assertApiError(
            self.post("create_data", self.FAILING), 400, "Nobody at all"
        )
        self.assertFalse(self.Category.search([("name", "=", "Leftover tag")]))
        log = self.last_log()
        self.assertEqual(
            (log.state, log.http_status, log.route), ("failed", 400, "/api/create_data")
        )
        self.assertIn("Nobody at all", log.error_message)
        self.assertEqual(log.user_id, self.api_user)

    def test_failed_call_keeps_partial_work_when_asked(self):
        self.setParam("webhook.rollback_state_failed", "0")
        self.assertApiError(self.post("create_data", self.FAILING), 400)
        self.assertTrue(self.Category.search([("name", "=", "Leftover tag")]))

    def test_constraint_errors_always_roll_back(self):
        # Even when partial work is to be kept: invalid data is never kept.
        self.setParam("webhook.rollback_state_failed", "0")
        me = self.Partner.create({"name": "Loop", "ref": "LOOP-1"})
        params = {
            "model": "res.partner",
            "vals": {
                "search_key": {"ref": "LOOP-1"},
                "payload": {"comment": "changed", "parent_id": {"ref": "LOOP-1"}},
            },
        }
        self.assertApiError(self.post("update_data", params), 400)
        self.assertFalse(me.parent_id)
        self.assertFalse(me.comment)

    def _boom(self, *args, **kwargs):
        raise RuntimeError("simulated bug after the record was created")

    def test_unexpected_error_is_500_without_details_and_rolled_back(self):
        params = {"model": "res.partner", "vals": {"payload": {"name": "Doomed"}}}
        with (
            patch.object(PayloadConverter, "attach", self._boom),
            self.assertLogs("odoo.addons.webhook_fastapi", "ERROR"),
        ):
            self.assertApiError(
                self.post("create_data", params), 500, "Internal server error"
            )
        self.assertFalse(self.Partner.search([("name", "=", "Doomed")]))
        log = self.last_log()
        self.assertIn("simulated bug", log.traceback)
        self.assertNotIn("simulated", log.response_preview)

    def test_unexpected_error_keeps_work_when_asked(self):
        self.setParam("webhook.rollback_except", "0")
        params = {"model": "res.partner", "vals": {"payload": {"name": "Survivor"}}}
        with (
            patch.object(PayloadConverter, "attach", self._boom),
            self.assertLogs("odoo.addons.webhook_fastapi", "ERROR"),
        ):
            self.assertApiError(self.post("create_data", params), 500)
        self.assertTrue(self.Partner.search([("name", "=", "Survivor")]))

    def test_route_switches(self):
        params = {
            "model": "res.partner",
            "vals": {"payload": {"search_field": ["name"], "limit": 1}},
        }
        count = self.Log.search_count([])
        self.setParam("webhook.search_data_log", "False")
        self.assertApiOk(self.post("search_data", params))
        self.assertEqual(self.Log.search_count([]), count)
        # malformed (refused on save, stored as SQL could) means the default: on
        store_unchecked_param(self.env, "webhook.search_data_log", "garbage")
        with self.assertLogs("odoo.addons.webhook_fastapi.tools.params", "WARNING"):
            self.assertApiOk(self.post("search_data", params))
        self.assertEqual(self.Log.search_count([]), count + 1)

    def test_secrets_never_logged(self):
        params = {
            "model": "res.partner",
            "vals": {
                "payload": {"name": "Secretive", "comment": "x", "password": "hunter2"}
            },
        }
        self.post("create_data", params, headers={"Cookie": "session_id=abc123"})
        log = self.last_log()
        self.assertNotIn("hunter2", log.request_preview)
        self.assertNotIn(self.api_key, log.request_headers)
        self.assertNotIn("abc123", log.request_headers)
        self.assertIn('"password": "***"', log.request_preview)

    def test_preview_limit_and_full_log(self):
        log = self.logged_ok(
            "create_data", partner_params({"name": "Big", "comment": "x" * 1000}), 300
        )
        self.assertEqual(len(log.request_preview), 300)
        self.assertGreater(log.request_size, 1000)
        self.assertTrue(log.full_log_attachment_id)
        self.assertIn(b"x" * 1000, log.full_log_attachment_id.raw)
        self.assertEqual(log.action_open_full_log()["type"], "ir.actions.act_url")
