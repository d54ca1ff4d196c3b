# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestCallFunction(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.Partner.create({"name": "Callee", "ref": "CALL-1"})

    def call(self, method, parameter=None, context=None, search_key=None):
        payload = {"method": method}
        if parameter is not None:
            payload["parameter"] = parameter
        if context is not None:
            payload["context"] = context
        return self.post(
            "call_function",
            {
                "model": "res.partner",
                "vals": {
                    "search_key": search_key or {"ref": "CALL-1"},
                    "payload": payload,
                },
            },
        )

    def test_public_method_with_kwargs_and_json_safe_result(self):
        result = self.assertApiOk(
            self.call(
                "copy",
                parameter={"default": {"name": "Callee copy", "ref": "CALL-COPY"}},
                context={"lang": "en_US"},
            )
        )
        copy = self.Partner.browse(result)
        self.assertEqual(copy.name, "Callee copy")
        self.assertEqual(self.last_log().function, "copy")
        self.assertApiOk(self.call("action_archive"))
        self.assertFalse(self.partner.active)

    def test_refusals(self):
        self.assertApiError(self.call("_compute_display_name"), 403, "Private")
        self.assertApiError(self.call("init"), 403)
        self.assertApiError(self.call("no_such_method"), 400, "no_such_method")
        self.assertApiError(self.call("name"), 400, "field")
        self.assertApiError(self.call("copy", parameter={"nope": 1}), 400, "nope")
        for key in ("su", "sudo", "install_mode", "uid", "_force", "skip_checks"):
            with self.subTest(key=key):
                self.assertApiError(self.call("copy", context={key: True}), 400, key)
        self.assertApiError(self.call("copy", search_key={"ref": "NONE"}), 404)
        self.assertEqual(self.Partner.search_count([("name", "=like", "Callee%")]), 1)
