# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 13, item 6: a payload always identifies its record; the Standard
Webhooks envelope on request."""

from odoo.tests import tagged

from .test_delivery import DeliveryCase


@tagged("post_install", "-at_install")
class TestPayloadFormat(DeliveryCase):
    def sent_body(self, rule):
        self.fire(rule)
        self.send()
        self.assertEqual(len(self.receiver.requests), 1)
        return self.receiver.json()

    def test_empty_field_list_still_identifies_the_record(self):
        rule = self.make_rule(payload_fields="[]")
        self.assertEqual(self.sent_body(rule), {"id": self.partner.id})

    def test_standard_envelope(self):
        rule = self.make_rule(
            name="Invoice Address / set!",
            payload_format="envelope",
            payload_fields='["name", "country_id{code}"]',
        )
        self.assertEqual(rule.event_type, "res.partner.invoice_address_set")
        body = self.sent_body(rule)
        self.assertRegex(body.pop("timestamp"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(
            body,
            {
                "type": "res.partner.invoice_address_set",
                "data": {
                    "id": self.partner.id,
                    "model": "res.partner",
                    "name": "Buyer",
                    "country_id": [{"code": "TH"}],
                },
            },
        )

    def test_thin_envelope_and_own_event_type(self):
        rule = self.make_rule(
            payload_format="envelope", payload_fields="[]", event_type="partner.billing"
        )
        body = self.sent_body(rule)
        self.assertEqual(body["type"], "partner.billing")
        self.assertEqual(body["data"], {"id": self.partner.id, "model": "res.partner"})

    def test_envelope_of_a_template_keeps_the_record_identity(self):
        rule = self.make_rule(
            payload_format="envelope",
            payload_fields='{"id": "{name}", "text": "Hello {name}"}',
        )
        data = self.sent_body(rule)["data"]
        self.assertEqual(
            data, {"id": self.partner.id, "model": "res.partner", "text": "Hello Buyer"}
        )
