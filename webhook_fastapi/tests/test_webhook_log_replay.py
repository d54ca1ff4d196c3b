# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Replay of logged calls, as their original user."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WebhookLogCase, partner_params


@tagged("post_install", "-at_install")
class TestWebhookLogReplay(WebhookLogCase):
    # ------------------------------------------------------------------
    # Replay
    # ------------------------------------------------------------------
    def test_replay_long_request_from_full_log(self):
        original = self.logged_ok(
            "create_data",
            partner_params({"name": "Replayed", "comment": "r" * 300}),
            80,
        )
        self.assertTrue(original.full_log_attachment_id)
        action = original.with_user(self.admin).action_replay()
        replay = self.Log.browse(action["res_id"])
        self.assertEqual(action["res_model"], "webhook.log")
        self.assertEqual(replay.replayed_from_id, original)
        self.assertEqual(original.replay_ids, replay)
        self.assertEqual(original.replay_count, 1)
        self.assertEqual(
            (replay.state, replay.route, replay.user_id),
            ("done", "/api/create_data", self.api_user),
        )
        partners = self.Partner.search([("name", "=", "Replayed")])
        self.assertEqual(len(partners), 2)
        self.assertEqual(partners.mapped("create_uid"), self.api_user)
        for comment in partners.mapped("comment"):
            self.assertIn("r" * 300, comment)
        self.assertEqual(replay.request_preview, original.request_preview)
        self.assertEqual(replay.res_id, max(partners.ids))

    def test_replay_short_request_from_preview(self):
        params = {
            "model": "res.partner",
            "vals": {"search_key": {"ref": "LOG-1"}, "payload": {"phone": "v1"}},
        }
        self.assertApiOk(self.post("update_data", params))
        original = self.last_log()
        self.assertFalse(original.full_log_attachment_id)
        self.partner.phone = "changed since"
        action = original.with_user(self.admin).action_replay()
        self.assertEqual(self.Log.browse(action["res_id"]).replayed_from_id, original)
        self.assertEqual(self.partner.phone, "v1")

    def test_replay_failed_call_logs_failure(self):
        params = {
            "model": "res.partner",
            "vals": {"search_key": {"ref": "NOPE"}, "payload": {"comment": "v1"}},
        }
        self.assertApiError(self.post("update_data", params), 404)
        original = self.last_log()
        replay = self.Log.browse(
            original.with_user(self.admin).action_replay()["res_id"]
        )
        self.assertEqual(
            (replay.state, replay.http_status, replay.replayed_from_id),
            ("failed", 404, original),
        )

    def test_replay_refusals(self):
        self.assertApiOk(
            self.post(
                "create_data",
                {"model": "res.partner", "vals": {"payload": {"name": "R"}}},
            )
        )
        original = self.last_log().with_user(self.admin)
        count = self.Log.search_count([])
        # Archived user: a clear error, nothing run.
        self.api_user.active = False
        with self.assertRaisesRegex(UserError, "archived"):
            original.action_replay()
        self.api_user.active = True
        # Redacted secrets cannot be replayed.
        params = {
            "model": "res.partner",
            "vals": {"payload": {"name": "S", "password": "pw-hunter2"}},
        }
        self.post("create_data", params)
        with self.assertRaisesRegex(UserError, "secret"):
            self.last_log().with_user(self.admin).action_replay()
        # Entries without a user, and a vanished full log.
        self.post("search_data", {"model": "res.partner"}, key="Bearer bad")
        with self.assertRaisesRegex(UserError, "no user"):
            self.last_log().with_user(self.admin).action_replay()
        truncated = original.sudo().copy({"request_size": 10**6})
        with self.assertRaisesRegex(UserError, "full log is gone"):
            truncated.with_user(self.admin).action_replay()
        self.assertEqual(
            self.Log.search_count([]), count + 3
        )  # two calls and the copy: no replay

    def test_replay_with_logging_off_notifies(self):
        self.assertApiOk(
            self.post(
                "create_data",
                {"model": "res.partner", "vals": {"payload": {"name": "Quiet"}}},
            )
        )
        original = self.last_log()
        self.setParam("webhook.create_data_log", "False")
        action = original.with_user(self.admin).action_replay()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.Partner.search_count([("name", "=", "Quiet")]), 2)
