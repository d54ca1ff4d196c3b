# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ``webhooks`` section of OpenAPI 3.1 for outbound rules: the body a
receiver gets (typed from the rule's payload fields), the signature headers
and the answers it must give. A receiver can generate its handler's types.

Pure: the Odoo fields are read through ``describe(model, name)``, which
returns ``{"type", "relation", "string", "selection"}`` or None for an
unknown field, so that every mapping here is testable without a database.
The schemas follow what tools.payload and the inbound serializer send, not
what one might expect: an expanded many2one is a list of one object, a
datetime is "YYYY-MM-DD HH:MM:SS" in UTC (not RFC 3339: no "T", no offset).
"""

from odoo.addons.webhook_fastapi.tools.field_spec import parse_field_spec

from .template import PLACEHOLDER, WHOLE

X2MANY = ("one2many", "many2many")
RELATIONAL = ("many2one", *X2MANY)
ID = {"type": "integer"}
TEXT = {"type": "string"}
SCALARS = {
    "char": TEXT,
    "text": TEXT,
    "html": TEXT,
    "selection": TEXT,
    "integer": ID,
    "float": {"type": "number"},
    "monetary": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
        "description": "UTC, YYYY-MM-DD HH:MM:SS",
    },
    "binary": {"type": "string", "contentEncoding": "base64"},
    "reference": {"type": "string", "description": "<model>,<id>"},
    "many2one_reference": ID,
}


def nullable(schema):
    """``schema`` or null: every empty value but a boolean is sent as null.
    A schema without a type already accepts null."""
    kind = schema.get("type")
    if kind is None or kind == "boolean":
        return dict(schema)
    return dict(schema, type=[kind, "null"])


def scalar_schema(info):
    """A value of a non-relational field (unknown types: any JSON)."""
    schema = dict(SCALARS.get(info["type"], {}))
    if info.get("selection"):
        schema["enum"] = [*info["selection"], None]
    return nullable(schema)


def field_schema(describe, model, name, sub):
    """A field of a ``field{sub}`` payload, as serialize_records sends it."""
    if name == "id":
        return dict(ID)
    info = describe(model, name)
    if info is None:
        return {}
    kind = info["type"]
    if kind not in RELATIONAL:
        schema = scalar_schema(info)
    elif sub is None:
        schema = {"type": "array", "items": ID} if kind in X2MANY else nullable(ID)
    else:
        item = object_schema(describe, info["relation"], sub, required=False)
        schema = {"type": "array", "items": item}
        if kind == "many2one":  # a list of one object, or null
            schema = dict(nullable(schema), maxItems=1)
    if info.get("string"):
        schema["title"] = info["string"]
    return schema


def object_schema(describe, model, spec, required=True):
    """An object of ``spec`` (parse_field_spec's dict). Related records the
    reader may not see are sent as {"id"} alone: nested objects may miss any
    field, and always may carry their id."""
    properties = {} if required else {"id": dict(ID)}
    for name, sub in spec.items():
        properties[name] = field_schema(describe, model, name, sub)
    schema = {"type": "object", "properties": properties}
    if required and properties:
        schema["required"] = list(properties)
    return schema


def path_schema(describe, model, path):
    """The value of a template's ``{a.b.c}`` (tools.template.resolve_path):
    ids for relations, lists once a step is to-many, null if unresolvable."""
    many, info = False, None
    for name in path.split("."):
        info = model and describe(model, name)
        if not info:
            return {"type": "null"}
        many = many or info["type"] in X2MANY
        model = info["relation"] if info["type"] in RELATIONAL else None
    if info["type"] in RELATIONAL:
        leaf = ID if many else nullable(ID)
    else:
        leaf = scalar_schema(info)
    return {"type": "array", "items": leaf} if many else leaf


def template_schema(describe, model, template):
    """A JSON template as tools.template.render_template fills it."""
    if isinstance(template, str):
        whole = WHOLE.match(template)
        if whole:
            return path_schema(describe, model, whole.group(1))
        return dict(TEXT) if PLACEHOLDER.search(template) else {"const": template}
    if isinstance(template, dict):
        properties = {
            key: template_schema(describe, model, value)
            for key, value in template.items()
        }
        schema = {"type": "object", "properties": properties}
        return dict(schema, required=list(properties)) if properties else schema
    if isinstance(template, list):
        items = [template_schema(describe, model, value) for value in template]
        return {
            "type": "array",
            "prefixItems": items,
            "minItems": len(items),
            "maxItems": len(items),
        }
    return {"const": template}


def payload_schema(describe, model, payload):
    """The body of a rule whose parsed payload fields (``_parsed_payload``)
    are ``payload``: None (the record's id alone), a field list or a
    template, as tools.payload.build_payloads reads them."""
    if not payload:
        return object_schema(describe, model, {"id": None})
    if isinstance(payload, list):
        return object_schema(describe, model, parse_field_spec(payload))
    return template_schema(describe, model, payload)


def envelope_schema(event_type, model, payload):
    """tools.payload.envelope: the payload's keys beside id and model."""
    properties = {"id": dict(ID), "model": {"const": model}}
    required = ["id", "model"]
    if payload.get("type") == "object":
        for key, value in payload.get("properties", {}).items():
            properties.setdefault(key, value)
        required += [key for key in payload.get("required", ()) if key not in required]
    else:
        properties["value"] = payload
        required.append("value")
    data = {"type": "object", "properties": properties, "required": required}
    return {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": event_type},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": data,
        },
    }


def _header(name, description, example):
    return {
        "name": name,
        "in": "header",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
        "example": example,
    }


# Standard Webhooks (https://www.standardwebhooks.com/): verify them with any
# of its libraries and the rule's signing secret (never published here).
SIGNATURE_HEADERS = [
    _header(
        "webhook-id",
        "The message's id: the same on every attempt of one delivery, so that "
        "a redelivery can be recognised.",
        "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    ),
    _header(
        "webhook-timestamp",
        "Seconds since the epoch when the attempt was signed: refuse old ones.",
        "1700000000",
    ),
    _header(
        "webhook-signature",
        'Space-separated "v1,<base64 HMAC-SHA256 of id.timestamp.body>", '
        "one per valid secret (two while a secret is being rotated).",
        "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    ),
]
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds, or an HTTP date: when to send it again.",
        "schema": {"type": "string"},
    }
}


def responses(retries):
    """What the receiver answers, and what the sender then does."""
    return {
        "2XX": {"description": "Received: the delivery is done (its body is ignored)."},
        "410": {
            "description": "Gone: the delivery fails for good and the receiver's "
            "endpoint is disabled; nothing more is sent to it until it is "
            "enabled again in Odoo."
        },
        "429": {
            "description": "Too many requests: sent again after Retry-After, "
            "else on the retry schedule.",
            "headers": RETRY_AFTER,
        },
        "503": {
            "description": "Unavailable: sent again after Retry-After, else on "
            "the retry schedule.",
            "headers": RETRY_AFTER,
        },
        "default": {
            "description": "Any other answer, or none in time: sent again on the "
            f"retry schedule ({retries})."
        },
    }


def webhook_item(describe, rule):
    """The Path Item of one rule. ``rule`` is a dict: key, name, model,
    event_type, payload_format, payload (parsed payload fields), triggers
    (a sentence), operation_id, timeout, max_attempts, retry_schedule."""
    body = payload_schema(describe, rule["model"], rule["payload"])
    if rule["payload_format"] == "envelope":
        body = envelope_schema(rule["event_type"], rule["model"], body)
    retries = (
        f"answer within {rule['timeout']:g} s; waits {rule['retry_schedule']}; "
        f"at most {rule['max_attempts']} attempts"
    )
    operation = {
        "summary": rule["name"],
        "description": f"Sent by Odoo {rule['triggers']}. Signed with the "
        "Standard Webhooks headers.",
        "operationId": rule["operation_id"],
        "tags": ["outbound webhooks"],
        "parameters": SIGNATURE_HEADERS,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body}},
        },
        "responses": responses(retries),
        # The receiver authenticates Odoo by the signature headers above,
        # not by an HTTP security scheme: say so explicitly.
        "security": [],
    }
    return {"post": operation}
