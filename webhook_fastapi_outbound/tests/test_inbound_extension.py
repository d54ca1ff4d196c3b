# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What this addon adds to the inbound API through its extension points:
the ``callback_url`` of create_data and create_update_data (schema and
service extensions), the log's delivery states and the retention of what
deliveries still need."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.webhook_fastapi.tests.common import WebhookHttpCase, partner_params


@tagged("post_install", "-at_install")
class TestInboundExtension(WebhookHttpCase):
    def create_with_callback(self, name, url):
        """create_data of a partner with a callback_url; returns (status, body)."""
        return self.post(
            "create_data", partner_params({"name": name}, callback_url=url)
        )

    def assertCallbackLogged(self, name, url):
        """A successful create_data with a callback_url: its log entry keeps
        the URL and points to the created record. Returns the result."""
        result = self.assertApiOk(self.create_with_callback(name, url))
        log = self.last_log()
        self.assertEqual(log.callback_url, url)
        self.assertEqual((log.res_model, log.res_id), ("res.partner", result["id"]))
        return result

    def test_callback_url(self):
        self.assertApiError(
            self.create_with_callback("cb", "ftp://example.com/x"), 400, "callback_url"
        )
        for url in (
            "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:8069/x",
            "http://localhost/x",
            "http://10.0.0.5/x",
        ):
            with self.subTest(url=url):
                self.assertApiError(
                    self.create_with_callback("ssrf", url), 400, "internal address"
                )
        self.assertFalse(self.Partner.search([("name", "=", "ssrf")]))

    def test_callback_url_allowed_kept_and_logged(self):
        self.env["ir.config_parameter"].set_param(
            "webhook.outbound_allowed_hosts", '["127.0.0.1"]'
        )
        self.assertApiOk(self.create_with_callback("local ok", "http://127.0.0.1:9/x"))
        self.assertCallbackLogged("cb", "https://example.com/hook")
        # The callback is registered to the calling integration, also with
        # the route's logging switched off (deliveries do not read the log).
        self.env["ir.config_parameter"].set_param("webhook.create_data_log", "False")
        count = self.Log.search_count([])
        result = self.assertApiOk(
            self.create_with_callback("cb2", "https://example.com/hook2")
        )
        self.assertEqual(self.Log.search_count([]), count)
        callback = self.env["webhook.outbound.callback"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", result["id"])]
        )
        self.assertEqual(
            (callback.url, callback.user_id),
            ("https://example.com/hook2", self.api_user),
        )

    def test_upsert_cannot_attach_a_callback_without_write_access(self):
        self.Partner.create({"name": "Acme", "ref": "EXT-1"})
        # Else a caller could point the webhooks of any record it can read
        # at its own URL.
        self._api_user_writes_own_partners_only()
        params = partner_params(
            {},
            search_key={"ref": "EXT-1"},
            callback_url="https://attacker.example/hook",
        )
        self.assertApiError(self.post("create_update_data", params), 403)
        self.assertFalse(self.last_log().callback_url)
        self.assertFalse(self.env["webhook.outbound.callback"].search([]))

    def test_callback_url_in_the_log_entry(self):
        self.assertCallbackLogged("Fields", "https://example.com/hook")

    def test_sends_cannot_be_replayed(self):
        admin = self.env.ref("base.user_admin")
        send = self.Log.create(
            {"log_type": "send", "route": "/api/create_data", "state": "pending"}
        )
        self.assertFalse(send.can_replay)
        with self.assertRaises(UserError):
            send.with_user(admin).action_replay()

    def test_retention_keeps_what_deliveries_need(self):
        self.env["ir.config_parameter"].set_param("webhook.log_retention_days", "10")

        def old(days, **vals):
            date = fields.Datetime.now() - timedelta(days=days)
            return self.Log.sudo().create(
                {"route": "/api/create_data", "date": date, **vals}
            )

        gone = old(11, log_type="send") | old(30, log_type="send", state="failed")
        pending = old(60, log_type="send", state="pending")
        # A received call's callback URL is a record of the call only: the
        # registered callback lives in webhook.outbound.callback.
        gone |= old(60, callback_url="https://example.com/hook")
        self.env.ref("webhook_fastapi.ir_cron_webhook_log_gc").method_direct_trigger()
        self.assertFalse(gone.exists())
        self.assertEqual(pending.exists(), pending)
