# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Reading the served /api/openapi.json in tests."""

import json

from jsonschema import Draft202012Validator


class OpenApiSpecMixin:
    def load_spec(self):
        # url_open needs the test's browser session: not in setUpClass.
        self.spec = json.loads(self.url_open("/api/openapi.json").text)
        return self.spec

    def component(self, name):
        return self.spec["components"]["schemas"][name]

    def resolve(self, schema):
        """``schema`` with its $ref followed (components only)."""
        while "$ref" in schema:
            schema = self.component(schema["$ref"].rsplit("/", 1)[-1])
        return schema

    def properties(self, schema):
        """The properties of an object schema, those of its ``allOf`` parts
        included (the JSON-RPC envelope is one)."""
        schema = self.resolve(schema)
        found = {}
        for part in schema.get("allOf", ()):
            found.update(self.properties(part))
        found.update(schema.get("properties", {}))
        return found

    def required(self, schema):
        schema = self.resolve(schema)
        names = set(schema.get("required", ()))
        for part in schema.get("allOf", ()):
            names |= self.required(part)
        return names

    def operation(self, name):
        return self.spec["paths"][f"/{name}"]["post"]

    def request_schema(self, name):
        body = self.operation(name)["requestBody"]["content"]["application/json"]
        return self.resolve(body["schema"])

    def response_content(self, name, status):
        response = self.operation(name)["responses"][str(status)]
        return response["content"]["application/json"]

    def schema_errors(self, instance, schema):
        """What is wrong with ``instance`` for ``schema`` (a schema of the
        document, $refs to its components resolved): [] when it fits."""
        root = dict(schema, components=self.spec["components"])
        validator = Draft202012Validator(root)
        return [
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(instance)
        ]
