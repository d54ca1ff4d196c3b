"""The bad input catalogue of issue #6 (tests/test_bad_input.py sends it):
one request per case, with the status and the message fragments that the
addon's USAGE documents for it."""

import json
import uuid

MARKER = f"/tmp/e2e-pwned-{uuid.uuid4().hex}"
TWIN = f"E2E Twin {uuid.uuid4().hex[:6]}"


def partner(payload, **vals):
    return {"model": "res.partner", "vals": {"payload": payload, **vals}}


NESTED = "[" * 1000 + "]" * 1000
CASES = [
    # (id, route, request, status, fragments of the message)
    (
        "unknown model",
        "create_data",
        {"params": {"model": "no.such.model", "vals": {"payload": {"name": "x"}}}},
        400,
        ["Unknown model", "no.such.model"],
    ),
    (
        "model the user cannot access",
        "create_data",
        {
            "params": {
                "model": "ir.config_parameter",
                "vals": {"payload": {"key": "e2e.evil", "value": "1"}},
            }
        },
        403,
        ["ir.config_parameter"],
    ),
    (
        "unknown field",
        "create_data",
        {"params": partner({"name": "Bad", "no_such_field": 1})},
        400,
        ["no_such_field"],
    ),
    (
        "wrong type",
        "create_data",
        {"params": partner({"name": "Bad", "color": "red"})},
        400,
        ["color", "red"],
    ),
    (
        "bad date",
        "create_data",
        {
            "params": {
                "model": "sale.order",
                "vals": {"payload": {"partner_id": 1, "validity_date": "2024-13-45"}},
            }
        },
        400,
        ["validity_date", "2024-13-45"],
    ),
    (
        "bad datetime",
        "create_data",
        {
            "params": {
                "model": "sale.order",
                "vals": {"payload": {"partner_id": 1, "date_order": "yesterday"}},
            }
        },
        400,
        ["date_order", "yesterday"],
    ),
    (
        "bad selection value",
        "create_data",
        {"params": partner({"name": "Bad", "type": "alien"})},
        400,
        ["type", "alien"],
    ),
    (
        "lookup with no match",
        "create_data",
        {"params": partner({"name": "Bad", "parent_id": {"name": "Nobody xyz"}})},
        400,
        ["parent_id", "Nobody xyz"],
    ),
    (
        "lookup with several matches",
        "create_data",
        {"params": partner({"name": "Bad", "parent_id": {"name": TWIN}})},
        400,
        ["parent_id", TWIN],
    ),
    (
        "search_key with no match",
        "update_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {"search_key": {"ref": "nope-xyz"}, "payload": {"name": "X"}},
            }
        },
        404,
        ["nope-xyz"],
    ),
    (
        "search_key with several matches",
        "update_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {"search_key": {"name": TWIN}, "payload": {"name": "X"}},
            }
        },
        409,
        ["2 records", TWIN],
    ),
    (
        "malformed domain string",
        "search_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {"payload": {"search_domain": "[('name', '=', "}},
            }
        },
        400,
        ["search_domain"],
    ),
    (
        "code in the domain string",
        "search_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {
                    "payload": {
                        "search_domain": f"__import__('os').system('touch {MARKER}')"
                    }
                },
            }
        },
        400,
        ["search_domain"],
    ),
    (
        "code inside a domain leaf",
        "search_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {
                    "payload": {
                        "search_domain": "[('name', '=', "
                        f"__import__('os').system('touch {MARKER}'))]"
                    }
                },
            }
        },
        400,
        ["search_domain"],
    ),
    (
        "SQL in order",
        "search_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {"payload": {"order": "name; DROP TABLE res_partner --"}},
            }
        },
        400,
        ["order"],
    ),
    (
        "SQL subquery in order",
        "search_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {"payload": {"order": "(SELECT 1) desc"}},
            }
        },
        400,
        ["order"],
    ),
    (
        "private method",
        "call_function",
        {
            "params": {
                "model": "res.partner",
                "vals": {"search_key": {"id": 1}, "payload": {"method": "_write"}},
            }
        },
        403,
        ["_write"],
    ),
    (
        "missing method",
        "call_function",
        {
            "params": {
                "model": "res.partner",
                "vals": {
                    "search_key": {"id": 1},
                    "payload": {"method": "no_such_method"},
                },
            }
        },
        400,
        ["no_such_method"],
    ),
    (
        "method given a forbidden context key",
        "call_function",
        {
            "params": {
                "model": "res.partner",
                "vals": {
                    "search_key": {"id": 1},
                    "payload": {
                        "method": "action_archive",
                        "context": {"uid": 1, "active_test": False},
                    },
                },
            }
        },
        400,
        ["uid"],
    ),
    (
        "body that is not JSON",
        "create_data",
        {"raw": '{"params": {not json'},
        422,
        ["not valid JSON"],
    ),
    (
        "wrong content type",
        "create_data",
        {
            "raw": json.dumps({"params": partner({"name": "Bad"})}),
            "headers": {"Content-Type": "text/plain"},
        },
        415,
        ["Content-Type", "text/plain"],
    ),
    (
        "form-encoded body",
        "create_data",
        {
            "raw": "params=1",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
        415,
        ["Content-Type"],
    ),
    ("empty body", "create_data", {"raw": ""}, 422, ["empty"]),
    (
        "missing params",
        "create_data",
        {"raw": json.dumps({"jsonrpc": "2.0", "id": 41})},
        422,
        ["params"],
    ),
    (
        "params of the wrong shape",
        "search_data",
        {"raw": json.dumps({"params": {"model": ["res.partner"]}, "id": "x-1"})},
        422,
        ["model"],
    ),
    (
        "invalid base64",
        "create_data",
        {
            "params": partner(
                {
                    "name": "Bad",
                    "attachment_ids": [{"name": "a.txt", "datas": "@@not base64@@"}],
                }
            )
        },
        400,
        ["base64"],
    ),
    (
        "callback_url at the cloud metadata address",
        "create_data",
        {
            "params": partner(
                {"name": "Bad"},
                callback_url="http://169.254.169.254/latest/meta-data/",
            )
        },
        400,
        ["callback_url", "169.254.169.254"],
    ),
    (
        "callback_url that is not http",
        "create_update_data",
        {
            "params": {
                "model": "res.partner",
                "vals": {
                    "search_key": {"ref": "cb-xyz"},
                    "payload": {"name": "Bad", "ref": "cb-xyz"},
                    "callback_url": "file:///etc/passwd",
                },
            }
        },
        400,
        ["callback_url"],
    ),
    (
        "no credentials",
        "create_data",
        {"params": partner({"name": "Bad"}), "key": None},
        401,
        ["Authentication required"],
    ),
    (
        "invalid API key",
        "create_data",
        {"params": partner({"name": "Bad"}), "key": "Bearer not-a-key"},
        401,
        ["Invalid API key"],
    ),
]
