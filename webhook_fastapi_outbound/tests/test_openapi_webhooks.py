# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 18 item 6: the outbound events in the OpenAPI's ``webhooks``."""

import json

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from odoo import fields
from odoo.tests import BaseCase, tagged

from odoo.addons.webhook_fastapi.tests.common import WebhookHttpCase

from ..tools.openapi_webhooks import (
    SIGNATURE_HEADERS,
    field_schema,
    path_schema,
    payload_schema,
)
from ..tools.payload import build_payloads, envelope

FIELDS = {
    ("partner", "name"): {"type": "char", "string": "Name"},
    ("partner", "color"): {"type": "integer"},
    ("partner", "credit"): {"type": "monetary"},
    ("partner", "ratio"): {"type": "float"},
    ("partner", "active"): {"type": "boolean"},
    ("partner", "birthday"): {"type": "date"},
    ("partner", "seen"): {"type": "datetime"},
    ("partner", "kind"): {"type": "selection", "selection": ["a", "b"]},
    ("partner", "data"): {"type": "json"},
    ("partner", "country_id"): {"type": "many2one", "relation": "country"},
    ("partner", "tag_ids"): {"type": "many2many", "relation": "tag"},
    ("country", "code"): {"type": "char"},
    ("tag", "name"): {"type": "char"},
}


# A template rule's payload: field paths, text around a field and a constant.
TEMPLATE_PAYLOAD = {
    "partner": "{name}",
    "country": "{country_id.code}",
    "tags": "{category_id}",
    "greeting": "Hello {name}",
    "version": 2,
}


def describe(model, name):
    info = FIELDS.get((model, name))
    return info and {"relation": None, "string": None, **info}


class TestFieldSchemas(BaseCase):
    def schema(self, name, sub=None):
        return field_schema(describe, "partner", name, sub)

    def test_scalars(self):
        self.assertEqual(
            self.schema("name"), {"type": ["string", "null"], "title": "Name"}
        )
        self.assertEqual(self.schema("color"), {"type": ["integer", "null"]})
        self.assertEqual(self.schema("credit"), {"type": ["number", "null"]})
        self.assertEqual(self.schema("ratio"), {"type": ["number", "null"]})
        # An empty boolean is false, never null.
        self.assertEqual(self.schema("active"), {"type": "boolean"})
        self.assertEqual(
            self.schema("birthday"), {"type": ["string", "null"], "format": "date"}
        )
        self.assertIn("pattern", self.schema("seen"))
        self.assertEqual(self.schema("kind")["enum"], ["a", "b", None])
        self.assertEqual(self.schema("data"), {})
        self.assertEqual(self.schema("no_such_field"), {})

    def test_relations(self):
        self.assertEqual(self.schema("country_id"), {"type": ["integer", "null"]})
        expanded = self.schema("country_id", {"code": None})
        # The serializer sends an expanded many2one as a list of one object.
        self.assertEqual(
            (expanded["type"], expanded["maxItems"]), (["array", "null"], 1)
        )
        self.assertEqual(
            expanded["items"]["properties"],
            {"id": {"type": "integer"}, "code": {"type": ["string", "null"]}},
        )
        self.assertEqual(
            self.schema("tag_ids"), {"type": "array", "items": {"type": "integer"}}
        )
        self.assertEqual(
            self.schema("tag_ids", {"name": None})["items"]["properties"]["name"],
            {"type": ["string", "null"]},
        )

    def test_template_paths(self):
        self.assertEqual(
            path_schema(describe, "partner", "country_id.code"),
            {"type": ["string", "null"]},
        )
        self.assertEqual(
            path_schema(describe, "partner", "tag_ids.name"),
            {"type": "array", "items": {"type": ["string", "null"]}},
        )
        self.assertEqual(path_schema(describe, "partner", "name.x"), {"type": "null"})
        self.assertEqual(path_schema(describe, "partner", "nope"), {"type": "null"})

    def test_empty_payload_is_the_id(self):
        self.assertEqual(
            payload_schema(describe, "partner", None),
            {
                "type": "object",
                "properties": {"id": {"type": "integer"}},
                "required": ["id"],
            },
        )


@tagged("post_install", "-at_install")
class TestOpenApiWebhooks(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec_rule = cls._create_rule(
            name="Partner sync",
            trigger_on_create=True,
            payload_fields='["name", "country_id{code}", "category_id"]',
        )
        cls.envelope_rule = cls._create_rule(
            name="Billing",
            event_type="partner.billing",
            payload_format="envelope",
            payload_fields='["email", "is_company"]',
        )
        cls.template_rule = cls._create_rule(
            name="Template", payload_fields=json.dumps(TEMPLATE_PAYLOAD)
        )
        cls.archived_rule = cls._create_rule(name="Archived one")
        cls.archived_rule.active = False
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Receiver Co",
                "email": "co@example.com",
                "country_id": cls.env.ref("base.th").id,
                "category_id": [(0, 0, {"name": "VIP"})],
            }
        )

    @classmethod
    def _create_rule(cls, **values):
        """A static-URL rule on partners, with a private path and secret."""
        return cls.env["webhook.outbound.rule"].create(
            {
                "model_id": cls.env["ir.model"]._get("res.partner").id,
                "endpoint_source": "static",
                "endpoint_url": "https://receiver.example.com/PRIVATE-PATH",
                "authorization_header": "Bearer TOPSECRET-AUTH",
                **values,
            }
        )

    def fetch(self):
        response = self.url_open("/api/openapi.json")
        self.assertEqual(response.status_code, 200)
        return response.text, response.json()

    def body_schema(self, webhooks, key):
        operation = webhooks[key]["post"]
        return operation["requestBody"]["content"]["application/json"]["schema"]

    def assertSent(self, schema, rule):
        """What the rule sends for the partner fits what is documented."""
        [(payload, _problems)] = build_payloads(rule._parsed_payload(), self.partner)
        if rule.payload_format == "envelope":
            stamp = fields.Datetime.now().isoformat(timespec="seconds") + "Z"
            payload = envelope(rule.event_type, stamp, "res.partner", 1, payload)
        Draft202012Validator(schema).validate(payload)

    def test_field_list_rule(self):
        _text, schema = self.fetch()
        body = self.body_schema(schema["webhooks"], "res.partner.partner_sync")
        # First what is really sent, then the details.
        self.assertSent(body, self.spec_rule)
        props = body["properties"]
        self.assertEqual(body["required"], ["name", "country_id", "category_id"])
        self.assertEqual(props["name"]["type"], ["string", "null"])
        country = props["country_id"]
        self.assertEqual((country["type"], country["maxItems"]), (["array", "null"], 1))
        self.assertEqual(
            country["items"]["properties"]["code"]["type"], ["string", "null"]
        )
        self.assertEqual(props["category_id"]["items"], {"type": "integer"})
        operation = schema["webhooks"]["res.partner.partner_sync"]["post"]
        self.assertEqual(operation["summary"], "Partner sync")
        self.assertIn("when one is created", operation["description"])
        self.assertEqual(operation["parameters"], SIGNATURE_HEADERS)
        responses = operation["responses"]
        self.assertLessEqual({"2XX", "410", "429", "503", "default"}, set(responses))
        self.assertIn("Retry-After", responses["429"]["headers"])
        self.assertIn("Retry-After", responses["503"]["headers"])

    def test_envelope_rule(self):
        _text, schema = self.fetch()
        body = self.body_schema(schema["webhooks"], "partner.billing")
        self.assertEqual(body["properties"]["type"], {"const": "partner.billing"})
        self.assertEqual(body["properties"]["timestamp"]["format"], "date-time")
        data = body["properties"]["data"]
        self.assertEqual(data["required"], ["id", "model", "email", "is_company"])
        self.assertEqual(data["properties"]["model"], {"const": "res.partner"})
        self.assertEqual(data["properties"]["is_company"]["type"], "boolean")
        self.assertSent(body, self.envelope_rule)

    def test_template_rule(self):
        _text, schema = self.fetch()
        body = self.body_schema(schema["webhooks"], "res.partner.template")
        props = body["properties"]
        self.assertEqual(props["partner"]["type"], ["string", "null"])
        self.assertEqual(props["country"]["type"], ["string", "null"])
        self.assertEqual(props["tags"], {"type": "array", "items": {"type": "integer"}})
        self.assertEqual(props["greeting"], {"type": "string"})
        self.assertEqual(props["version"], {"const": 2})
        self.assertSent(body, self.template_rule)

    def test_only_active_rules_and_nothing_private(self):
        text, schema = self.fetch()
        self.assertEqual(
            set(schema["webhooks"]),
            {"res.partner.partner_sync", "partner.billing", "res.partner.template"},
        )
        self.assertNotIn("Archived one", text)
        secrets = self.env["webhook.outbound.rule"].sudo().search([]).mapped("secret")
        for private in ["TOPSECRET-AUTH", "receiver.example.com", "PRIVATE-PATH"]:
            self.assertNotIn(private, text)
        for secret in filter(None, secrets):
            self.assertNotIn(secret, text)
        # The schema follows the rules at once, though the app is pooled.
        self.envelope_rule.active = False
        self.assertNotIn("partner.billing", self.fetch()[1]["webhooks"])

    def test_whole_document_is_valid_openapi(self):
        _text, schema = self.fetch()
        self.assertTrue(schema["openapi"].startswith("3.1"))
        self.assertIn("webhooks", schema)
        validate(schema)
