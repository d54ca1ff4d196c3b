# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import OutboundCase, closed_port_url, verify_signature


class DeliveryCase(OutboundCase):
    """A partner with a country and a tag, and firing a rule on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.country = cls.env.ref("base.th")
        cls.tag = cls.env["res.partner.category"].create({"name": "Gold"})
        cls.partner = cls.Partner.create(
            {
                "name": "Buyer",
                "country_id": cls.country.id,
                "category_id": [(6, 0, cls.tag.ids)],
            }
        )

    def fire(self, rule, partner=None):
        partner = partner or self.partner
        partner.write({"type": "invoice"})
        self.commit_hooks()
        delivery = self.deliveries(rule).filtered(lambda d: d.res_id == partner.id)[-1:]
        self.assertEqual(len(delivery), 1)
        return delivery


@tagged("post_install", "-at_install")
class TestDelivery(DeliveryCase):
    def test_signed_post_with_expanded_payload(self):
        rule = self.make_rule(
            payload_fields='["name", "type", "country_id{code}", "category_id{name}"]'
        )
        delivery = self.fire(rule)
        self.assertEqual(delivery.state, "pending")
        self.assertEqual(
            self.receiver.requests, [], "nothing is sent inside the transaction"
        )
        self.send()
        self.assertEqual(len(self.receiver.requests), 1)
        request = self.receiver.requests[0]
        self.assertEqual(
            json.loads(request["body"]),
            {
                "name": "Buyer",
                "type": "invoice",
                "country_id": [{"code": "TH"}],
                "category_id": [{"name": "Gold"}],
            },
        )
        headers = request["headers"]
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["authorization"], "Bearer s3cr3t-token")
        self.assertEqual(headers["webhook-id"], delivery.webhook_msg_id)
        self.assertTrue(verify_signature(rule.secret, headers, request["body"]))
        self.assertFalse(
            verify_signature("whsec_" + "A" * 32, headers, request["body"])
        )
        self.assertAlmostEqual(
            int(headers["webhook-timestamp"]),
            fields.Datetime.now().timestamp(),
            delta=120,
        )
        self.assertRecordValues(
            delivery,
            [
                {
                    "state": "done",
                    "http_status": 200,
                    "attempt_count": 1,
                    "next_attempt_date": False,
                    "error_message": False,
                }
            ],
        )
        self.assertIn('"received": true', delivery.response_preview)

    def test_empty_payload_sends_id(self):
        rule = self.make_rule()
        self.fire(rule)
        self.send()
        self.assertEqual(self.receiver.json(), {"id": self.partner.id})

    def test_template_payload(self):
        template = {
            "text": "Invoice address {name} in {country_id.name}",
            "partner": "{id}",
            "country": "{country_id.code}",
            "tags": "{category_id.name}",
            "company": "{is_company}",
            "missing": "{country_id.nope}",
            "through_scalar": "{name.x}",
            "fixed": {"source": "odoo", "n": 3, "list": ["{ref}"]},
        }
        rule = self.make_rule(payload_fields=json.dumps(template))
        self.assertIn("country_id.nope", rule.payload_warning)
        delivery = self.fire(rule)
        self.send()
        self.assertEqual(
            self.receiver.json(),
            {
                "text": "Invoice address Buyer in Thailand",
                "partner": self.partner.id,
                "country": "TH",
                "tags": ["Gold"],
                "company": False,
                "missing": None,
                "through_scalar": None,
                "fixed": {"source": "odoo", "n": 3, "list": [None]},
            },
        )
        self.assertIn(
            "no field 'nope' on model 'res.country'", delivery.payload_warning
        )
        self.assertIn("{name.x}", delivery.payload_warning)
        self.assertEqual(delivery.state, "done")

    def test_retry_500_then_recover_same_webhook_id(self):
        rule = self.make_rule(max_attempts=3)
        self.receiver.reset(script=[500])
        delivery = self.fire(rule)
        before = fields.Datetime.now()
        self.send()
        self.assertRecordValues(
            delivery, [{"state": "pending", "http_status": 500, "attempt_count": 1}]
        )
        self.assertIn("HTTP 500", delivery.error_message)
        # The schedule's first wait (5 s, jitter): the next run sends nothing.
        self.assertGreaterEqual(
            delivery.next_attempt_date, before + timedelta(seconds=4)
        )
        self.assertLessEqual(
            delivery.next_attempt_date, fields.Datetime.now() + timedelta(seconds=6)
        )
        self.send()
        self.assertEqual(len(self.receiver.requests), 1)
        self.make_due(delivery)
        self.send()
        self.assertRecordValues(
            delivery, [{"state": "done", "http_status": 200, "attempt_count": 2}]
        )
        ids = {r["headers"]["webhook-id"] for r in self.receiver.requests}
        self.assertEqual(ids, {delivery.webhook_msg_id})
        self.assertEqual(len(self.receiver.requests), 2)
        for request in self.receiver.requests:
            self.assertTrue(
                verify_signature(rule.secret, request["headers"], request["body"])
            )

    def test_timeout_then_failed_then_resend(self):
        rule = self.make_rule(timeout=0.3, max_attempts=2)
        self.receiver.reset(script=[("sleep", 1.0), ("sleep", 1.0)])
        delivery = self.fire(rule)
        self.send()
        self.assertRecordValues(delivery, [{"state": "pending", "attempt_count": 1}])
        self.assertIn("Timeout", delivery.error_message)
        self.make_due(delivery)
        self.send()
        self.assertRecordValues(
            delivery,
            [{"state": "failed", "attempt_count": 2, "next_attempt_date": False}],
        )
        # Resend: back in the queue, delivered with the same webhook-id.
        delivery.action_resend()
        self.assertEqual(delivery.state, "pending")
        self.send()
        self.assertRecordValues(delivery, [{"state": "done", "attempt_count": 1}])
        self.assertEqual(
            {r["headers"]["webhook-id"] for r in self.receiver.requests},
            {delivery.webhook_msg_id},
        )
        self.assertEqual(len(self.receiver.requests), 3)

    def test_receiver_down(self):
        rule = self.make_rule(endpoint_url=closed_port_url(), max_attempts=2)
        delivery = self.fire(rule)
        self.send()
        self.assertRecordValues(
            delivery, [{"state": "pending", "attempt_count": 1, "http_status": 0}]
        )
        self.assertIn("ConnectionError", delivery.error_message)
        self.make_due(delivery)
        self.send()
        self.assertRecordValues(delivery, [{"state": "failed", "attempt_count": 2}])
        # The receiver comes back at that address.
        rule.endpoint_url = self.receiver.url
        delivery.target_url = self.receiver.url
        # As a Settings administrator (not the superuser): log entries are
        # read-only for everyone, resending is the one change allowed.
        delivery.with_user(self.env.ref("base.user_admin")).action_resend()
        self.send()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(len(self.receiver.requests), 1)

    def test_one_broken_delivery_does_not_block_the_others(self):
        good = self.make_rule()
        bad = self.make_rule(name="bad header")
        bad_delivery = self.fire(bad)
        good_delivery = self.deliveries(good)
        # A value no HTTP client can send (saved before the constraint existed).
        self.env.cr.execute(
            "UPDATE webhook_outbound_rule SET authorization_header = %s WHERE id = %s",
            ["Bearer \u2713", bad.id],
        )
        bad.invalidate_recordset()
        with self.assertLogs("odoo.addons.webhook_fastapi_outbound", "ERROR"):
            self.send()
        self.assertEqual(bad_delivery.state, "failed")
        self.assertIn("UnicodeEncodeError", bad_delivery.error_message)
        self.assertEqual(good_delivery.state, "done")
        with self.assertRaises(ValidationError):
            bad.authorization_header = "Bearer \u2713"

    def test_callback_url_missing_is_a_failed_entry(self):
        rule = self.make_rule(endpoint_source="callback", endpoint_url=False)
        delivery = self.fire(rule)
        self.assertEqual(delivery.state, "failed")
        self.assertIn("No callback URL", delivery.error_message)
        self.send()
        self.assertEqual(self.receiver.requests, [])

    def test_callback_url_of_the_registered_callback(self):
        rule = self.make_rule(endpoint_source="callback", endpoint_url=False)
        Callback = self.env["webhook.outbound.callback"]
        admin = self.env.ref("base.user_admin")
        Callback._set_url(self.partner, self.receiver.url + "/old", admin.id)
        Callback._set_url(self.partner, self.receiver.url + "/new", admin.id)
        delivery = self.fire(rule)
        self.assertEqual(delivery.target_url, self.receiver.url + "/new")
        self.send()
        self.assertEqual(self.receiver.requests[0]["path"], "/hook/new")

    def test_ssrf_refusals(self):
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("webhook.outbound_allowed_hosts", "[]")
        rule = self.make_rule(max_attempts=5)
        delivery = self.fire(rule)
        self.send()
        # Refused, not retried: retrying cannot change the answer.
        self.assertRecordValues(delivery, [{"state": "failed", "attempt_count": 1}])
        self.assertIn("loopback", delivery.error_message)
        self.assertEqual(self.receiver.requests, [])
        for url, kind in [
            ("http://169.254.169.254/latest/meta-data", "cloud metadata"),
            ("http://10.1.2.3/x", "private"),
            ("http://localhost:8069/x", "loopback"),
            ("http://[::1]/x", "loopback"),
            ("http://192.168.0.10/x", "private"),
            ("gopher://example.com/x", "only http and https"),
        ]:
            delivery.write({"target_url": url, "state": "pending", "attempt_count": 0})
            self.make_due(delivery)
            self.send()
            self.assertEqual(delivery.state, "failed", url)
            self.assertIn(kind, delivery.error_message, url)
        # Allowed by the system parameter: sent.
        icp.set_param("webhook.outbound_allowed_hosts", '["127.0.0.1"]')
        delivery.write({"target_url": self.receiver.url})
        delivery.action_resend()
        self.send()
        self.assertEqual(delivery.state, "done")

    def test_company_dependent_values_of_the_record_company(self):
        company2 = self.env["res.company"].create({"name": "Second Co"})
        rule = self.make_rule(payload_fields='["name", "barcode"]')
        partner = self.Partner.create({"name": "Co2 buyer", "company_id": company2.id})
        partner.with_company(company2).barcode = "BC-2"
        delivery = self.fire(rule, partner)
        self.assertEqual(
            json.loads(delivery.payload_json), {"name": "Co2 buyer", "barcode": "BC-2"}
        )

    def test_secrets_hidden_and_never_logged(self):
        rule = self.make_rule(payload_fields='["name"]')
        delivery = self.fire(rule)
        self.send()
        self.assertEqual(delivery.state, "done")
        secret, token = rule.secret, "s3cr3t-token"
        self.assertTrue(secret.startswith("whsec_"))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(l)::text FROM webhook_log l WHERE log_type = 'send'"
        )
        dump = " ".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn(delivery.webhook_msg_id, dump)
        self.assertNotIn(token, dump)
        self.assertNotIn(secret, dump)
        self.assertIn('"Authorization": "***"', delivery.request_headers)
        # A non-admin, even one given read access to the rules, cannot read them.
        user = new_test_user(self.env, login="outbound_user", groups="base.group_user")
        with self.assertRaises(AccessError):
            rule.with_user(user).read(["name"])
        self.env["ir.model.access"].create(
            {
                "name": "test read",
                "model_id": self.env["ir.model"]._get_id("webhook.outbound.rule"),
                "group_id": self.env.ref("base.group_user").id,
                "perm_read": True,
            }
        )
        as_user = rule.with_user(user)
        self.assertEqual(as_user.read(["name"])[0]["name"], rule.name)
        for field in ("secret", "authorization_header"):
            with self.assertRaises(AccessError):
                as_user.read([field])
            self.assertNotIn(field, as_user.fields_get())

    def test_rotate_secret_with_overlap(self):
        rule = self.make_rule()
        other = self.make_rule(name="Other")
        self.assertNotEqual(rule.secret, other.secret)
        old = rule.secret
        rule.action_regenerate_secret()
        self.assertNotEqual(rule.secret, old)
        self.assertTrue(rule.secret.startswith("whsec_"))
        self.fire(rule)
        self.send()
        # During the overlap, a receiver holding either secret verifies it.
        request = self.receiver.requests[-1]
        self.assertEqual(request["headers"]["webhook-signature"].count("v1,"), 2)
        for secret in (old, rule.secret):
            self.assertTrue(
                verify_signature(secret, request["headers"], request["body"])
            )
        rule.previous_secret_until = fields.Datetime.now() - timedelta(seconds=1)
        self.partner.write({"type": "contact"})
        self.fire(rule)
        self.send()
        request = self.receiver.requests[-1]
        self.assertTrue(
            verify_signature(rule.secret, request["headers"], request["body"])
        )
        self.assertFalse(verify_signature(old, request["headers"], request["body"]))

    def test_send_test_button(self):
        rule = self.make_rule(payload_fields='["name"]')
        wizard = (
            self.env["webhook.outbound.test"]
            .with_context(default_rule_id=rule.id)
            .create({})
        )
        self.assertEqual(wizard.record_ref._name, "res.partner")
        wizard.record_ref = self.partner
        wizard.action_send()
        self.assertEqual(self.receiver.json(), {"name": "Buyer"})
        self.assertRecordValues(wizard, [{"state": "done", "http_status": 200}])
        self.assertTrue(wizard.delivery_id.is_test)
        # Failure shown, and not retried in the background.
        self.receiver.reset(default=500)
        wizard.action_send()
        self.assertRecordValues(wizard, [{"state": "failed", "http_status": 500}])
        self.assertIn("HTTP 500", wizard.error_message)
