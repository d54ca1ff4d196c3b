# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 13, items 4 and 5, over HTTP: a record's callback belongs to the
integration that registered it (another one's call cannot redirect its
deliveries), and payloads are read with the rights of the user they are
sent for (the callback's owner, or the rule's Send As user), never as the
superuser."""

from odoo.tests import tagged

from odoo.addons.webhook_fastapi.tests.common import WebhookHttpCase

from .common import OutboundMixin


@tagged("post_install", "-at_install")
class TestCallbackOwner(OutboundMixin, WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_outbound()
        cls.intruder, cls.intruder_key = cls._make_api_user(
            "webhook_intruder", "Other Integration"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.Callback = cls.env["webhook.outbound.callback"]

    def api_create(self, name, path):
        vals = {"payload": {"name": name}, "callback_url": self.receiver.url + path}
        params = {"model": "res.partner", "vals": vals}
        return self.Partner.browse(
            self.assertApiOk(self.post("create_data", params))["id"]
        )

    def upsert(self, partner, payload, path, key):
        vals = {
            "search_key": {"id": partner.id},
            "payload": payload,
            "callback_url": self.receiver.url + path,
        }
        params = {"model": "res.partner", "vals": vals}
        return self.post("create_update_data", params, key=f"Bearer {key}")

    def callback_rule(self, **vals):
        return self.make_rule(
            endpoint_source="callback",
            endpoint_url=False,
            payload_fields='["name", "email", "ref"]',
            **vals,
        )

    def fire(self, *partners):
        for partner in partners:
            partner.write({"type": "invoice"})
        self.commit_hooks()

    def test_another_integration_cannot_redirect_the_deliveries(self):
        rule = self.callback_rule()
        partner = self.api_create("Owned", "/owner")
        for payload in ({}, {"name": "Renamed by intruder"}):
            self.assertApiError(
                self.upsert(partner, payload, "/intruder", self.intruder_key),
                403,
                "registered by another integration",
            )
        self.assertEqual(partner.name, "Owned", "nothing half-written")
        callback = self.Callback.search([("res_id", "=", partner.id)])
        self.assertEqual(
            (callback.url, callback.user_id),
            (self.receiver.url + "/owner", self.api_user),
        )
        self.fire(partner)
        self.send()
        self.assertEqual([r["path"] for r in self.receiver.requests], ["/hook/owner"])
        # The owner itself may move its callback.
        self.assertApiOk(self.upsert(partner, {}, "/owner2", self.api_key))
        self.assertEqual(callback.url, self.receiver.url + "/owner2")
        # The rule form lists the callbacks of its model, with their owner.
        action = rule.action_open_callbacks()
        self.assertIn(callback, self.Callback.search(action["domain"]))
        self.assertEqual(
            rule.callback_count, self.Callback.search_count(action["domain"])
        )

    def test_first_registration_claims_a_record_created_in_odoo(self):
        partner = self.Partner.create({"name": "Made in Odoo"})
        self.assertApiOk(self.upsert(partner, {}, "/first", self.intruder_key))
        self.assertApiError(self.upsert(partner, {}, "/second", self.api_key), 403)
        callback = self.Callback.search([("res_id", "=", partner.id)])
        self.assertEqual(callback.user_id, self.intruder)

    def test_payload_read_with_the_callback_owner_rights(self):
        self.callback_rule()
        visible = self.api_create("Visible", "/visible")
        moved = self.api_create("Moved away", "/moved")
        # Now a company B contact, which the integration (company A only)
        # may not read through the API: its webhooks must not show it either.
        moved.write(
            {"company_id": self.company_b.id, "email": "b@example.com", "ref": "B-1"}
        )
        self.fire(visible, moved)
        by_record = {d.res_id: d for d in self.deliveries()}
        self.assertEqual(by_record[visible.id].state, "pending")
        failed = by_record[moved.id]
        self.assertEqual(failed.state, "failed")
        self.assertIn("Webhook Tester", failed.error_message)
        self.assertIn("may not read", failed.error_message)
        self.assertFalse(failed.payload_json)
        self.send()
        self.assertEqual([r["path"] for r in self.receiver.requests], ["/hook/visible"])
        self.assertEqual(
            self.receiver.json(), {"name": "Visible", "email": None, "ref": None}
        )

    def test_static_rule_reads_as_its_send_as_user(self):
        restricted = self.make_rule(
            payload_fields='["name", "email"]', send_as_user_id=self.api_user.id
        )
        partner_b = self.Partner.create(
            {
                "name": "B secret",
                "email": "s@b.example",
                "company_id": self.company_b.id,
            }
        )
        self.fire(partner_b)
        delivery = self.deliveries(restricted)
        self.assertEqual(delivery.state, "failed")
        self.assertIn("Webhook Tester", delivery.error_message)
        self.send()
        self.assertEqual(self.receiver.requests, [])
        # A Send As user of both companies reads it (in its company).
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company_b
        restricted.send_as_user_id = admin
        partner_b.write({"type": "contact"})
        self.fire(partner_b)
        self.assertEqual(self.deliveries(restricted)[-1].state, "pending")

    def test_send_as_defaults_to_the_rule_creator(self):
        admin = self.env.ref("base.user_admin")
        rule = self.Rule.with_user(admin).create(
            {
                "name": "Creator",
                "model_id": self.partner_model.id,
                "endpoint_url": self.receiver.url,
            }
        )
        self.assertEqual(rule.send_as_user_id, admin)
