# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The outbound system parameters as people type them: the allowed hosts
as a comma-separated list or JSON, and values the sender would ignore
refused when they are saved."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.webhook_fastapi.tools import ApiError

from .test_delivery import DeliveryCase

HOSTS = "webhook.outbound_allowed_hosts"


@tagged("post_install", "-at_install")
class TestParamLists(DeliveryCase):
    def setUp(self):
        super().setUp()
        self.ICP = self.env["ir.config_parameter"].sudo()

    def refused_then_allowed_by(self, value):
        """A delivery to the local receiver is refused with no host allowed,
        then sent once ``value`` is the allowed hosts."""
        self.ICP.set_param(HOSTS, "[]")
        delivery = self.fire(self.make_rule())
        self.send()
        self.assertEqual(delivery.state, "failed")
        self.assertIn("loopback", delivery.error_message)
        self.ICP.set_param(HOSTS, value)
        delivery.action_resend()
        self.send()
        self.assertEqual(delivery.state, "done", delivery.error_message)
        self.assertEqual(len(self.receiver.requests), 1)

    def test_comma_separated_hosts_let_a_delivery_through(self):
        self.refused_then_allowed_by("example.org, 127.0.0.1")
        self.assertEqual(
            self.env["webhook.outbound.sender"]._allowed_hosts(),
            ["example.org", "127.0.0.1"],
        )

    def test_json_hosts_still_work(self):
        self.refused_then_allowed_by('["example.org", "127.0.0.1"]')

    def test_comma_separated_hosts_for_inbound_callback_urls(self):
        service = self.env["webhook.api.service"]
        url = "http://127.0.0.1:9/x"
        self.ICP.set_param(HOSTS, "example.org")
        with self.assertRaisesRegex(ApiError, "loopback"):
            service._api_check_callback_url(url)
        self.ICP.set_param(HOSTS, " example.org ,127.0.0.1 ")
        self.assertEqual(service._api_check_callback_url(url), url)

    def test_bad_values_refused_on_save(self):
        for key, value, expected in (
            ("webhook.outbound_enabled", "maybe", "a boolean"),
            (HOSTS, '["127.0.0.1"', "a list"),
            (HOSTS, '"127.0.0.1"', "a list"),
            ("webhook.outbound_secret_overlap_hours", "-1", "0 or more"),
            ("webhook.outbound_secret_overlap_hours", "a day", "0 or more"),
        ):
            with self.subTest(key=key, value=value):
                with self.assertRaises(ValidationError) as caught:
                    self.ICP.set_param(key, value)
                message = str(caught.exception)
                for part in (key, repr(value), expected):
                    self.assertIn(part, message)
        # 0 is a valid overlap (none); deleting means the default.
        self.ICP.set_param("webhook.outbound_secret_overlap_hours", "0")
        self.ICP.set_param("webhook.outbound_enabled", False)
        self.assertFalse(self.ICP.get_param("webhook.outbound_enabled"))

    def test_data_file_keys_are_checked_and_their_values_pass(self):
        kinds = self.ICP._webhook_param_kinds()
        shipped = self.env["ir.model.data"].search(
            [
                ("module", "=", "webhook_fastapi_outbound"),
                ("model", "=", "ir.config_parameter"),
            ]
        )
        params = self.ICP.browse(shipped.mapped("res_id"))
        self.assertEqual(len(params), 5)
        for param in params:
            self.assertIn(param.key, kinds)
        params._check_webhook_param_value()
