# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The daily retention job of the API log."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import WebhookLogCase
from .param_helpers import store_unchecked_param


@tagged("post_install", "-at_install")
class TestWebhookLogRetention(WebhookLogCase):
    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    def _old_log(self, days, **vals):
        vals = {
            "route": "/api/create_data",
            "user_id": self.env.uid,
            "date": fields.Datetime.now() - timedelta(days=days),
            **vals,
        }
        return self.Log.sudo()._create_with_payloads(
            vals, {"big": "b" * 50}, {"ok": True}
        )

    def test_retention(self):
        self.setParam("webhook.preview_limit", "10")
        self.setParam("webhook.log_retention_days", "10")
        old = self._old_log(11) | self._old_log(30, state="failed")
        recent = self._old_log(9)
        attachments = old.full_log_attachment_id
        self.assertEqual(len(attachments), 2)
        cron = self.env.ref("webhook_fastapi.ir_cron_webhook_log_gc")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        cron.method_direct_trigger()
        self.assertFalse(old.exists())
        self.assertFalse(attachments.exists())
        self.assertEqual(recent.exists(), recent)
        self.assertTrue(recent.full_log_attachment_id.exists())

    def test_retention_in_batches(self):
        self.setParam("webhook.log_retention_days", "5")
        old = self.Log.browse()
        for _i in range(5):
            old |= self._old_log(6)
        sizes = []
        unlink = type(self.Log).unlink

        def counting_unlink(records):
            sizes.append(len(records))
            return unlink(records)

        with patch.object(type(self.Log), "unlink", counting_unlink):
            self.assertEqual(self.Log._gc_old_logs(batch_size=2, max_batches=2), 4)
            self.assertEqual(sizes, [2, 2])
            self.assertEqual(len(old.exists()), 1)
            self.assertEqual(self.Log._gc_old_logs(batch_size=2, max_batches=2), 1)
        self.assertFalse(old.exists())

    def test_retention_default_when_malformed(self):
        store_unchecked_param(self.env, "webhook.log_retention_days", "forever")
        kept, dropped = self._old_log(29), self._old_log(31)
        with self.assertLogs("odoo.addons.webhook_fastapi.tools.params", "WARNING"):
            self.Log._gc_old_logs()
        self.assertTrue(kept.exists())
        self.assertFalse(dropped.exists())
