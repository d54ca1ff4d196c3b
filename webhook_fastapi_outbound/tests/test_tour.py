# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRuleTour(HttpCase):
    def test_create_rule_through_the_form(self):
        # HttpCase skips the test with a message when Chromium is absent.
        self.start_tour(
            "/odoo", "webhook_fastapi_outbound_rule_tour", login="admin", timeout=120
        )
        rule = self.env["webhook.outbound.rule"].search([("name", "=", "Tour rule")])
        self.assertEqual(len(rule), 1)
        self.assertEqual(rule.model_name, "res.partner.category")
        self.assertIn("'id'", rule.domain.replace('"', "'"))
        self.assertEqual(rule.payload_fields, '["name", "color"]')
        self.assertEqual(rule.endpoint_url, "https://hooks.example.com/tags")
        self.assertTrue(rule.sudo().secret.startswith("whsec_"))
