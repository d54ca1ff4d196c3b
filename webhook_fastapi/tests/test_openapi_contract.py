# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What generated clients read in /api/openapi.json: operation ids, typed
answers, constraints, metadata, and request examples that run."""

import random

from openapi_spec_validator import validate

from odoo.tests import tagged

from ..route_table import ROUTES
from .common import WebhookHttpCase, partner_params
from .openapi_helpers import OpenApiSpecMixin


@tagged("post_install", "-at_install")
class TestOpenApiContract(OpenApiSpecMixin, WebhookHttpCase):
    def setUp(self):
        super().setUp()
        self.load_spec()

    def test_document_is_valid_openapi(self):
        validate(self.spec)

    def test_operation_ids_are_route_names(self):
        ids = {name: self.operation(name)["operationId"] for name in ROUTES}
        self.assertEqual(ids, {name: name for name in ROUTES})

    def test_jsonrpc_is_the_constant_2_0(self):
        for name in ROUTES:
            prop = self.properties(self.request_schema(name))["jsonrpc"]
            consts = [s.get("const") for s in prop.get("anyOf", [prop])]
            self.assertIn("2.0", consts, name)
            self.assertNotIn("jsonrpc", self.required(self.request_schema(name)))
        params = partner_params({"search_field": ["name"], "limit": 1})
        self.assertEqual(self.post("search_data", body={"params": params})[0], 200)
        ok = {"jsonrpc": "2.0", "params": params}
        self.assertEqual(self.post("search_data", body=ok)[0], 200)
        bad = {"jsonrpc": "1.0", "params": params}
        self.assertApiError(self.post("search_data", body=bad), 422, "jsonrpc")

    def test_search_key_needs_a_property(self):
        for name in ("update_data", "create_update_data", "call_function"):
            params = self.properties(self.request_schema(name))["params"]
            search_key = self.properties(self.properties(params)["vals"])["search_key"]
            self.assertEqual(self.resolve(search_key).get("minProperties"), 1, name)
        answer = self.post("update_data", partner_params({}, search_key={}))
        self.assertApiError(answer, 422, "search_key")

    def test_tag_licence_and_contact(self):
        tags = {tag["name"]: tag for tag in self.spec.get("tags", [])}
        self.assertTrue(tags["webhook"].get("description"))
        info = self.spec["info"]
        self.assertEqual(info["license"]["identifier"], "AGPL-3.0-or-later")
        self.assertTrue(info["contact"]["url"])

    def test_each_success_answer_is_typed(self):
        for name in ROUTES:
            ok = self.operation(name)["responses"]["200"]["content"]
            ok = ok["application/json"]
            result = self.properties(self.properties(ok["schema"])["result"])
            data = result["result"]
            typed = {k for k in data if k not in ("title", "description", "default")}
            self.assertTrue(typed, f"{name}: result.result is untyped")
            self.assertTrue(ok["example"]["result"]["is_success"], name)

    def assertExampleRuns(self, name):
        status, answer = self.post(name, body=ROUTES[name].example["value"])
        self.assertEqual(status, 200, (name, answer))
        self.assertTrue(answer["result"]["is_success"], (name, answer))

    def test_request_examples_run_alone(self):
        # Each on the untouched database: none needs another's record.
        for name in ROUTES:
            savepoint = self.env.cr.savepoint(flush=False)
            try:
                self.assertExampleRuns(name)
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()

    def test_request_examples_run_in_any_order(self):
        # Twice, each time in another order: none breaks on what another
        # made, or when it runs again.
        order = list(ROUTES)
        for seed in (1, 2):
            random.Random(seed).shuffle(order)
            for name in order:
                self.assertExampleRuns(name)
