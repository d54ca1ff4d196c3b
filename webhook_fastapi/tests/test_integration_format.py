# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The response format per integration (issue 14): a client of the original
addon keeps its wire format while the others get the strict one, from the
same server."""

from odoo.tests import tagged

from .integration_helpers import IntegrationCase


@tagged("post_install", "-at_install")
class TestIntegrationFormat(IntegrationCase):
    def test_integration_answers_in_its_own_format(self):
        self.env["ir.config_parameter"].set_param("webhook.response_format", "strict")
        self.integration.response_format = "original"
        # A bad payload: the original format says so in an HTTP 200.
        status, body, _headers = self.create_partner(5)
        self.assertEqual(status, 200)
        self.assertFalse(body["result"]["is_success"])
        self.assertIn("expected a string", body["result"]["messages"])
        # The log keeps the truthful status.
        log = self.env["webhook.log"].search([], order="id desc", limit=1)
        self.assertEqual((log.http_status, log.state), (400, "failed"))
        # The same server answers another caller (a plain user key) strictly.
        status, _body = self.post(
            "create_data", {"model": "res.partner", "vals": {"payload": {"name": 5}}}
        )
        self.assertEqual(status, 400)
        # And this integration strictly again once its format is cleared.
        self.integration.response_format = False
        status, _body, _headers = self.create_partner(5)
        self.assertEqual(status, 400)

    def test_original_values_for_the_integration(self):
        self.integration.response_format = "original"
        status, body, _headers = self.ipost(
            "search_data",
            {
                "model": "res.partner",
                "vals": {
                    "payload": {
                        "search_domain": f"[('id', '=', {self.shop.id})]",
                        "search_field": ["name", "email"],
                    }
                },
            },
        )
        self.assertEqual(status, 200)
        [row] = body["result"]["result"]
        # Empty values are false in the original format, null in strict.
        self.assertIs(row["email"], False)
