# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The spec's scenario, through the inbound API for real (HTTP), with a real
receiver: create with callback_url, transition, one signed POST."""

import json

from odoo.tests import tagged

from odoo.addons.webhook_fastapi.tests.common import WebhookHttpCase

from .common import OutboundMixin, verify_signature


@tagged("post_install", "-at_install")
class TestAcceptance(OutboundMixin, WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_outbound()

    def api_update(self, partner_id, payload):
        return self.post(
            "update_data",
            {
                "model": "res.partner",
                "vals": {"search_key": {"id": partner_id}, "payload": payload},
            },
        )

    def api_create(self, callback):
        """Create the spec's partner through the inbound API; its id."""
        result = self.assertApiOk(
            self.post(
                "create_data",
                {
                    "model": "res.partner",
                    "vals": {
                        "callback_url": callback,
                        "payload": {
                            "name": "ABC Co.",
                            "country_id": {"code": "TH"},
                            "category_id": {"records": [{"name": "Wholesale"}]},
                        },
                        "auto_create": {"category_id": {"name": "Wholesale"}},
                    },
                },
            )
        )
        return result["id"]

    def assert_one_signed_post(self, rule):
        self.assertEqual(len(self.receiver.requests), 1)
        request = self.receiver.requests[0]
        self.assertEqual(request["path"], "/hook/so-status")
        self.assertEqual(
            json.loads(request["body"]),
            {
                "name": "ABC Co.",
                "type": "invoice",
                "country_id": [{"code": "TH", "name": "Thailand"}],
                "category_id": [{"name": "Wholesale"}],
            },
        )
        self.assertTrue(
            verify_signature(rule.secret, request["headers"], request["body"])
        )

    def test_spec_scenario(self):
        rule = self.make_rule(
            endpoint_source="callback",
            endpoint_url=False,
            payload_fields='["name", "type", "country_id{code,name}", '
            '"category_id{name}"]',
        )
        callback = self.receiver.url + "/so-status"
        partner_id = self.api_create(callback)
        self.env.invalidate_all()
        self.assertFalse(
            self.deliveries(rule), "creation alone does not fire (no creation option)"
        )
        # Unrelated field: nothing. Transition: one delivery. Same again: nothing.
        self.assertApiOk(self.api_update(partner_id, {"phone": "+66 2 000"}))
        self.assertApiOk(self.api_update(partner_id, {"type": "invoice"}))
        self.assertApiOk(
            self.api_update(partner_id, {"type": "invoice", "phone": "+66 2 001"})
        )
        self.env.invalidate_all()
        # The requests only queued an event; the sending job builds the delivery.
        self.assertFalse(self.deliveries(rule))
        events = self.env["webhook.outbound.event"].search([("rule_id", "=", rule.id)])
        self.assertEqual(events.mapped("res_id"), [partner_id])
        self.commit_hooks()
        self.assertFalse(events.exists())
        delivery = self.deliveries(rule)
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.target_url, callback)
        self.assertEqual(
            self.receiver.requests, [], "nothing is sent by the request itself"
        )
        self.send()
        self.assert_one_signed_post(rule)
        self.assertEqual(delivery.state, "done")

    def test_failed_call_is_never_announced(self):
        rule = self.make_rule()
        partner = self.Partner.create({"name": "Loop"})
        # The write happens, then the constraint on parent_id fails: the call
        # is rolled back, and so is the transition.
        code, body = self.api_update(
            partner.id, {"type": "invoice", "parent_id": {"id": partner.id}}
        )
        self.assertEqual(code, 400, body)
        self.env.invalidate_all()
        self.assertEqual(partner.type, "contact")
        self.assertFalse(self.deliveries(rule))
        self.send()
        self.assertEqual(self.receiver.requests, [])
