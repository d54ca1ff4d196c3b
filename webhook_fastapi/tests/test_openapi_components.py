# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""/api/openapi.json: the pieces shared by the routes are named components
that each route refers to, the session cookie is a security scheme, and
every failure a route documents has worked examples that fit its schema,
as real failures do."""

import json

from odoo.tests import tagged

from ..route_table import ROUTES
from .common import WebhookHttpCase, partner_params
from .openapi_helpers import OpenApiSpecMixin

SHARED = (
    "Lookup",
    "X2ManyCommand",
    "Payload",
    "AutoCreate",
    "ModelName",
    "JsonRpcRequestEnvelope",
    "JsonRpcResponseEnvelope",
)
# Routes whose vals carry a payload to write, and a search_key.
WRITES = ("create_data", "update_data", "create_update_data")
KEYED = ("update_data", "create_update_data", "call_function")


def refs(schema):
    """Every $ref in ``schema``, at any depth."""
    found = set()
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "$ref" in item:
                found.add(item["$ref"].rsplit("/", 1)[-1])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@tagged("post_install", "-at_install")
class TestOpenApiComponents(OpenApiSpecMixin, WebhookHttpCase):
    def setUp(self):
        super().setUp()
        self.load_spec()

    def vals_properties(self, name):
        params = self.properties(self.request_schema(name))["params"]
        return self.properties(self.properties(params)["vals"])

    def test_shared_pieces_are_components(self):
        schemas = self.spec["components"]["schemas"]
        for name in SHARED:
            self.assertIn(name, schemas)
        lookup = schemas["Lookup"]
        self.assertEqual(lookup["type"], "object")
        self.assertEqual(lookup["minProperties"], 1)
        command = self.properties(schemas["X2ManyCommand"])
        self.assertEqual(command["mode"]["anyOf"][0]["enum"], ["add", "replace"])
        self.assertEqual(self.required(schemas["X2ManyCommand"]), {"records"})
        self.assertIn("Lookup", refs(command["records"]))
        # A payload value may be a lookup or an x2many command.
        self.assertTrue({"Lookup", "X2ManyCommand"} <= refs(schemas["Payload"]))
        self.assertEqual(refs(schemas["AutoCreate"]), {"Payload"})

    def test_each_route_refers_to_them(self):
        for name in ROUTES:
            body = self.request_schema(name)
            self.assertEqual(
                body["allOf"][0],
                {"$ref": "#/components/schemas/JsonRpcRequestEnvelope"},
            )
            self.assertFalse(body["unevaluatedProperties"], name)
            # The envelope's keys are not copied into the route's model.
            self.assertEqual(set(body["allOf"][1]["properties"]), {"params"}, name)
            ok = self.response_content(name, 200)["schema"]
            self.assertEqual(
                self.resolve(ok)["allOf"][0]["$ref"],
                "#/components/schemas/JsonRpcResponseEnvelope",
            )
            params = self.properties(body)["params"]
            if name != "batch":
                self.assertIn("ModelName", refs(self.properties(params)["model"]))
        for name in WRITES:
            vals = self.vals_properties(name)
            self.assertEqual(vals["payload"], {"$ref": "#/components/schemas/Payload"})
            self.assertEqual(refs(vals["auto_create"]), {"AutoCreate"}, name)
        for name in KEYED:
            search_key = self.vals_properties(name)["search_key"]
            self.assertEqual(search_key["$ref"], "#/components/schemas/Lookup", name)

    def test_no_inline_copies(self):
        # Each shared description is in the document once: in its component.
        text = json.dumps(self.spec)
        for name in ("Lookup", "Payload", "AutoCreate", "X2ManyCommand"):
            description = json.dumps(self.component(name)["description"])
            self.assertEqual(text.count(description), 1, name)
        self.assertEqual(text.count('"Echoed back in the answer\'s `id`."'), 1)

    def test_validation_is_unchanged(self):
        # The named schemas validate as before: an empty search_key is a 422,
        # lookups and commands are the service's to check (400), a payload
        # must be an object.
        self.assertApiError(
            self.post("update_data", partner_params({}, search_key={})), 422
        )
        self.assertApiError(
            self.post(
                "update_data",
                partner_params({"name": "x"}, search_key={"name": [1]}),
            ),
            400,
            "plain values",
        )
        bad_command = {"category_id": {"mode": "merge", "records": []}}
        self.assertApiError(
            self.post("create_data", partner_params(bad_command)), 400, "mode"
        )
        self.assertApiError(
            self.post(
                "create_data", {"model": "res.partner", "vals": {"payload": [1]}}
            ),
            422,
            "payload",
        )
        self.assertApiError(
            self.post(
                "create_data",
                partner_params({"name": "x"}, auto_create={"category_id": 1}),
            ),
            422,
            "auto_create",
        )

    def test_session_cookie_is_a_security_scheme(self):
        schemes = self.spec["components"]["securitySchemes"]
        self.assertEqual(
            {k: v for k, v in schemes["OdooSession"].items() if k != "description"},
            {"type": "apiKey", "in": "cookie", "name": "session_id"},
        )
        self.assertEqual(schemes["OdooApiKey"]["scheme"], "bearer")
        self.assertEqual(schemes["OdooApiKeyHeader"]["in"], "header")
        # Every route takes a session (webhook_api_auth), each scheme alone.
        for name in ROUTES:
            self.assertEqual(
                self.operation(name)["security"],
                [{"OdooApiKey": []}, {"OdooApiKeyHeader": []}, {"OdooSession": []}],
                name,
            )
        # And it is true: the cookie alone is enough.
        self.authenticate("webhook_tester", "webhook_tester_pw")
        self.assertApiOk(
            self.post("search_data", partner_params({"limit": 1}), key=None)
        )


@tagged("post_install", "-at_install")
class TestOpenApiErrors(OpenApiSpecMixin, WebhookHttpCase):
    """Each failure status of each route: documented with its schema and
    worked examples that fit it; real failures fit it too."""

    def setUp(self):
        super().setUp()
        self.load_spec()

    def error_statuses(self, name):
        responses = self.operation(name)["responses"]
        return sorted(int(status) for status in responses if int(status) >= 400)

    def test_every_error_status_has_fitting_examples(self):
        for name in ROUTES:
            statuses = self.error_statuses(name)
            for status in (400, 401, 403, 413, 415, 422, 429, 500):
                self.assertIn(status, statuses, name)
            if ROUTES[name].writes:
                self.assertIn(409, statuses, name)
            for status in statuses:
                content = self.response_content(name, status)
                examples = content.get("examples")
                self.assertTrue(examples, (name, status))
                for key, example in examples.items():
                    self.assertTrue(example.get("summary"), (name, status, key))
                    value = example["value"]
                    self.assertEqual(
                        self.schema_errors(value, content["schema"]),
                        [],
                        (name, status, key),
                    )
                    self.assertFalse(value["result"]["is_success"])
            # The success example fits its schema too.
            ok = self.response_content(name, 200)
            self.assertEqual(self.schema_errors(ok["example"], ok["schema"]), [], name)

    def test_wrong_examples_do_not_fit(self):
        # The check above can fail: a success body is no error answer.
        content = self.response_content("update_data", 404)
        ok = self.response_content("update_data", 200)["example"]
        self.assertTrue(self.schema_errors(ok, content["schema"]))
        example = content["examples"]["no_match"]["value"]
        self.assertTrue(
            self.schema_errors(
                dict(example, result=dict(example["result"], extra=1)),
                content["schema"],
            )
        )

    def assertDocumented(self, name, answer, status, example=None):
        """The real answer ``answer`` has ``status``, which ``name``
        documents, fits that status' schema, and says what the example
        ``example`` (a key of its examples) says."""
        got, body = answer
        self.assertEqual(got, status, body)
        self.assertIn(status, self.error_statuses(name))
        content = self.response_content(name, status)
        self.assertEqual(self.schema_errors(body, content["schema"]), [], body)
        if example:
            shown = content["examples"][example]["value"]["result"]["messages"]
            self.assertEqual(body["result"]["messages"], shown)

    def test_real_failures_fit_the_documented_schema(self):
        self.assertDocumented(
            "create_data",
            self.post("create_data", partner_params({"nmae": "x"})),
            400,
            "unknown_field",
        )
        self.assertDocumented(
            "search_data",
            self.post("search_data", {"model": "res.nope"}),
            400,
            "unknown_model",
        )
        self.assertDocumented(
            "create_data",
            self.post("create_data", partner_params({"name": "x"}), key="Bearer no"),
            401,
            "invalid_key",
        )
        self.assertDocumented(
            "search_data",
            self.post("search_data", {"model": "res.partner"}, key=None),
            401,
            "no_credentials",
        )
        users = {"model": "res.users", "vals": {"payload": {"name": "x", "login": "x"}}}
        self.assertDocumented("create_data", self.post("create_data", users), 403)

    def test_real_conflicts_fit_the_documented_schema(self):
        self.assertDocumented(
            "update_data",
            self.post(
                "update_data",
                partner_params({"name": "x"}, search_key={"ref": "EXT-404"}),
            ),
            404,
            "no_match",
        )
        self.Partner.create([{"name": "Twin", "ref": "DUP"}] * 2)
        self.assertDocumented(
            "call_function",
            self.post(
                "call_function",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"ref": "DUP"},
                        "payload": {"method": "address_get"},
                    },
                },
            ),
            409,
        )
        self.assertDocumented(
            "update_data",
            self.post(
                "update_data",
                partner_params(
                    {"name": "x"},
                    search_key={"id": self.Partner.create({"name": "Read once"}).id},
                    if_unmodified_since="2000-01-01 00:00:00",
                ),
            ),
            409,
        )

    def test_real_refusals_of_the_body_fit_the_documented_schema(self):
        self.assertDocumented(
            "create_data",
            self.post(
                "create_data",
                partner_params({"name": "x"}),
                headers={"Content-Type": "text/plain"},
            ),
            415,
            "not_json",
        )
        self.assertDocumented(
            "search_data", self.post("search_data", body={"params": {}}), 422, "schema"
        )
        batch = {
            "operations": [
                {
                    "route": "create_data",
                    "model": "res.partner",
                    "vals": {"payload": {"name": "B"}},
                },
                {
                    "route": "update_data",
                    "model": "res.partner",
                    "vals": {"search_key": {"ref": "NONE"}, "payload": {"name": "x"}},
                },
            ]
        }
        self.assertDocumented("batch", self.post("batch", batch), 404)
