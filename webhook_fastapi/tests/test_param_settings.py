# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""System parameters typed by people: lists as JSON or comma-separated, and
a value the readers would ignore refused when it is saved."""

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from ..tools.params import param_bool, param_int, param_str_list, parse_str_list
from .param_helpers import store_unchecked_param

COMPANY_FREE = "webhook.ignore_checkcompany_model"


@tagged("post_install", "-at_install")
class TestParamSettings(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ICP = cls.env["ir.config_parameter"]

    def assertRefused(self, key, value, expected):
        """Refused on save, by set_param, create and write alike, with a
        message naming the key, the value and what it must be."""
        param = self.ICP.search([("key", "=", key)]) or self.ICP.create(
            {"key": key, "value": "1" if expected != "list" else "[]"}
        )
        attempts = (
            lambda: self.ICP.set_param(key, value),
            lambda: param.write({"value": value}),
            lambda: (param.unlink(), self.ICP.create({"key": key, "value": value})),
        )
        for attempt in attempts:
            with self.assertRaises(ValidationError) as caught:
                attempt()
            message = str(caught.exception)
            self.assertIn(key, message)
            self.assertIn(repr(value), message)
            self.assertIn(expected, message)

    def test_list_forms(self):
        for raw, items in (
            ("res.partner, res.country", ["res.partner", "res.country"]),
            (" res.partner ,, res.country ,", ["res.partner", "res.country"]),
            ("res.partner\nres.country\n", ["res.partner", "res.country"]),
            ("res.partner", ["res.partner"]),
            ('["res.partner", "res.country"]', ["res.partner", "res.country"]),
            ("[]", []),
        ):
            with self.subTest(raw=raw):
                self.assertEqual(parse_str_list(raw), items)
                self.ICP.set_param(COMPANY_FREE, raw)
                self.assertEqual(param_str_list(self.ICP, COMPANY_FREE), items)
        for raw in ("[res.partner]", '{"res.partner": 1}', '["a", 1]', '"a"'):
            with self.subTest(raw=raw), self.assertRaises(ValueError):
                parse_str_list(raw)

    def test_comma_separated_company_free_models_are_used(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["res.partner"].create({"name": "Foreign", "company_id": other.id})
        env = self.env(su=True, context={"allowed_company_ids": [self.env.company.id]})
        service = env["webhook.api.service"]
        for value, found in (
            ("[]", 0),
            ("res.country, res.partner", 1),
            ('["res.country", "res.partner"]', 1),
        ):
            with self.subTest(value=value):
                self.ICP.set_param(COMPANY_FREE, value)
                converter = service._api_converter()
                lookup = converter._lookup(
                    env["res.partner"], {"name": "Foreign"}, None, "x", 0
                )
                converter.resolve()
                self.assertEqual(len(lookup.ids), found)

    def test_bad_values_refused_on_save(self):
        self.assertRefused("webhook.create_data_log", "maybe?", "a boolean")
        self.assertRefused("webhook.rollback_except", "2", "a boolean")
        self.assertRefused("webhook.preview_limit", "lots", "greater than 0")
        self.assertRefused("webhook.search_max_limit", "0", "greater than 0")
        self.assertRefused("webhook.max_request_size", "-5", "greater than 0")
        self.assertRefused(COMPANY_FREE, "[res.partner", "a list")
        self.assertRefused(COMPANY_FREE, '{"res.partner": true}', "a list")

    def test_good_values_and_defaults_accepted(self):
        for key, value in (
            ("webhook.create_data_log", "Off"),
            ("webhook.rollback_state_failed", "0"),
            ("webhook.preview_limit", " 500 "),
            (COMPANY_FREE, "res.partner"),
        ):
            self.ICP.set_param(key, value)
            self.assertEqual(self.ICP.get_param(key), value)
        # Deleting a parameter means its default.
        self.ICP.set_param("webhook.preview_limit", False)
        self.assertFalse(self.ICP.search([("key", "=", "webhook.preview_limit")]))
        # Other keys are not ours to check.
        self.ICP.set_param("another.addon_switch", "maybe?")

    def test_readers_stay_lenient_with_stored_bad_values(self):
        """A bad value stored before it was checked (or by SQL) still means
        the default, with a warning: never an error for an API caller."""
        for key, value, read, default in (
            ("webhook.create_data_log", "maybe?", param_bool, True),
            ("webhook.preview_limit", "0", param_int, 2000),
            (COMPANY_FREE, "[res.partner", param_str_list, ["x"]),
        ):
            with self.subTest(key=key):
                store_unchecked_param(self.env, key, value)
                self.assertEqual(self.ICP.get_param(key), value)
                with self.assertLogs("odoo.addons.webhook_fastapi.tools.params"):
                    self.assertEqual(read(self.ICP, key, default), default)

    def test_data_file_keys_are_checked_and_their_values_pass(self):
        """Every parameter this addon ships is in the table (a new one
        cannot be forgotten), and its shipped value passes."""
        kinds = self.ICP._webhook_param_kinds()
        shipped = self.env["ir.model.data"].search(
            [("module", "=", "webhook_fastapi"), ("model", "=", "ir.config_parameter")]
        )
        params = self.ICP.browse(shipped.mapped("res_id"))
        self.assertTrue(params)
        for param in params:
            self.assertIn(param.key, kinds)
        params._check_webhook_param_value()
