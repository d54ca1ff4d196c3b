# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo.tests import tagged

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestWebhookLogTour(WebhookHttpCase):
    def test_log_list_form_full_log_replay(self):
        self.env["ir.config_parameter"].set_param("webhook.preview_limit", "200")
        comment = "TOUR-START-MARKER " + "z" * 400 + " TOUR-END-MARKER"
        params = {
            "model": "res.partner",
            "vals": {"payload": {"name": "Tour Partner", "comment": comment}},
        }
        self.assertApiOk(self.post("create_data", params))
        log = self.last_log()
        self.assertTrue(log.full_log_attachment_id)

        self.start_tour(
            "/odoo/action-webhook_fastapi.action_webhook_log",
            "webhook_fastapi_log_tour",
            login="admin",
        )

        replay = self.Log.search([("replayed_from_id", "=", log.id)])
        self.assertEqual(len(replay), 1)
        self.assertEqual((replay.state, replay.user_id), ("done", self.api_user))
        self.assertEqual(self.Partner.search_count([("name", "=", "Tour Partner")]), 2)
        # What the Full Log button opens, fetched the way the browser did.
        self.authenticate("admin", "admin")
        url = log.action_open_full_log()["url"]
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        full = json.loads(response.content)
        self.assertEqual(
            full["request"]["params"]["vals"]["payload"]["comment"], comment
        )
        self.assertTrue(full["response"]["result"]["is_success"])
