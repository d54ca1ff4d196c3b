# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What each route's request example answers, shown in Swagger."""


def _ok(result, messages, **page):
    return {
        "jsonrpc": "2.0",
        "id": None,
        "result": {
            "is_success": True,
            "result": result,
            "messages": messages,
            **page,
        },
    }


def _operation(index, result, messages):
    return {
        "index": index,
        "route": "create_data",
        "model": "res.partner",
        "status": 200,
        "is_success": True,
        "result": result,
        "messages": messages,
    }


RESPONSE_EXAMPLES = {
    "create_data": _ok(
        {"id": 42, "name": "ACME Ltd", "category_id": [{"name": "VIP"}]},
        "Created res.partner 42",
    ),
    "update_data": _ok(
        {"id": 1, "comment": "<p>Key account</p>", "category_id": [{"name": "VIP"}]},
        "Updated res.partner 1",
    ),
    "create_update_data": _ok(
        {"id": 43, "name": "ACME Ltd", "email": "info@acme.example"},
        "Created res.partner 43",
    ),
    "search_data": _ok(
        [
            {
                "id": 42,
                "name": "ACME Ltd",
                "country_id": {"code": "TH", "name": "Thailand"},
                "child_ids": [{"name": "Jane Doe", "email": "jane@example.com"}],
            }
        ],
        "1 record(s) found",
        has_more=False,
        next_cursor=None,
    ),
    "call_function": _ok(
        {"contact": 1, "delivery": 1, "invoice": 1},
        "Called res.partner.address_get on 1",
    ),
    "batch": _ok(
        {
            "atomic": True,
            "operations": [
                _operation(
                    0, {"id": 44, "name": "ACME Batch"}, "Created res.partner 44"
                ),
                _operation(1, {"id": 45, "parent_id": 44}, "Created res.partner 45"),
            ],
            "succeeded": 2,
            "failed": 0,
        },
        "2 operation(s), 2 succeeded, 0 failed | #0 200 Created res.partner 44; "
        "#1 200 Created res.partner 45",
    ),
}


def _failed(messages, result=None):
    return {
        "jsonrpc": "2.0",
        "id": None,
        "result": {"is_success": False, "result": result, "messages": messages},
    }


def _example(summary, messages, result=None):
    return {"summary": summary, "value": _failed(messages, result)}


# The failures as the service words them (webhook.api.service and the
# dispatcher; the tests provoke several and compare), by status and then by
# route: {name: Example Object}.
ERROR_EXAMPLES = {
    400: {
        "unknown_model": _example(
            "A model that does not exist", "Unknown model 'res.nope'"
        ),
    },
    401: {
        "invalid_key": _example(
            "A key that is not (or no longer) valid", "Invalid API key"
        ),
        "no_credentials": _example(
            "No key and no session",
            "Authentication required: send the API key as 'Authorization: "
            "Bearer <api key>' or as 'x-api-key: <api key>', or the session "
            "cookie from /web/session/authenticate",
        ),
    },
    403: {
        "access_rights": _example(
            "The user's access rights forbid it",
            "You are not allowed to create 'User' (res.users) records.\n\nThis "
            "operation is allowed for the following groups:\n\t- "
            "Administration/Access Rights\n\nContact your administrator to "
            "request access if necessary.",
        ),
    },
    409: {
        "idempotency_running": _example(
            "The first call with this Idempotency-Key is still running",
            "A call with this Idempotency-Key is still running: retry later "
            "with the same key to get its answer",
        ),
    },
    413: {
        "too_large": _example(
            "A body over the maximum size",
            "The request body is too large: 40000000 bytes, the maximum is "
            "33554432 bytes (system parameter webhook.max_request_size)",
        ),
    },
    415: {
        "not_json": _example(
            "A form post",
            "Content-Type must be application/json, got 'text/plain'",
        ),
    },
    422: {
        "schema": _example(
            "A required key is missing",
            "Request does not fit the schema: params.model: Field required",
        ),
    },
    429: {
        "rate_limited": _example(
            "Over the integration's rate limit",
            "Rate limit of integration 'Shop' exceeded: retry in 17 s",
        ),
    },
    500: {
        "bug": _example(
            "A bug (the traceback is in the API log)",
            "Internal server error: the details are in the API log",
        ),
    },
}

_UNKNOWN_FIELD = _example(
    "A field the model does not have",
    "Unknown field 'nmae' on model 'res.partner' (at payload.nmae)",
)
_LOOKUP_NOT_FOUND = _example(
    "A lookup that matches no record",
    "payload.country_id: no record of 'res.country' matches {'code': 'XX'} "
    "(give values in auto_create.country_id to create it)",
)
_OTHER_BODY = _example(
    "An Idempotency-Key used before with another body",
    "Idempotency-Key was already used with another body: a retry must send "
    "the same params (use a new key for a new request)",
)
_SEVERAL = _example(
    "search_key matches several records",
    "2 records of 'res.partner' match search_key {'ref': 'DUP'} (ids 10, 9)",
)
_NO_MATCH = _example(
    "search_key matches no record",
    "No record of 'res.partner' matches search_key {'ref': 'EXT-404'}",
)
_MODIFIED = _example(
    "The record was written after if_unmodified_since",
    "res.partner 1 was modified at 2025-01-31 10:20:31.654321, after "
    "if_unmodified_since 2025-01-31 10:20:30.123456: nothing written; read it "
    "again and retry",
    {"id": 1, "write_date": "2025-01-31 10:20:31.654321"},
)


def _scope(kind):
    return {
        "scope": _example(
            "The integration's scopes do not allow it",
            f"Missing scope: {kind} on res.partner",
        )
    }


_WRITE = {400: {"unknown_field": _UNKNOWN_FIELD, "lookup_not_found": _LOOKUP_NOT_FOUND}}
# What each route answers besides (or instead of) ERROR_EXAMPLES.
ROUTE_ERROR_EXAMPLES = {
    "create_data": {**_WRITE, 403: _scope("create"), 422: {"other_body": _OTHER_BODY}},
    "update_data": {
        **_WRITE,
        403: _scope("update"),
        404: {"no_match": _NO_MATCH},
        409: {"several": _SEVERAL, "modified": _MODIFIED},
        422: {"other_body": _OTHER_BODY},
    },
    "create_update_data": {
        **_WRITE,
        403: _scope("upsert"),
        409: {"several": _SEVERAL, "modified": _MODIFIED},
        422: {"other_body": _OTHER_BODY},
    },
    "search_data": {
        400: {
            "bad_domain": _example(
                "A domain on a field the model does not have",
                "search_domain: 'res.partner' has no field 'nope' (in 'nope')",
            )
        },
        403: _scope("search"),
    },
    "call_function": {
        400: {
            "no_method": _example(
                "A method the model does not have",
                "Model 'res.partner' has no method 'nope'",
            )
        },
        403: {
            **_scope("call"),
            "private": _example(
                "A private method",
                "Private methods (such as _private) cannot be called remotely.",
            ),
        },
        404: {"no_match": _NO_MATCH},
        409: {"several": _SEVERAL},
        422: {"other_body": _OTHER_BODY},
    },
    "batch": {
        404: {
            "operation_failed": _example(
                "An atomic batch whose second operation failed (all undone)",
                "Operation 1 (update_data res.partner) failed with 404: No "
                "record of 'res.partner' matches search_key {'ref': 'NONE'} | "
                "nothing was kept (atomic batch rolled back) | #0 200 Created "
                "res.partner 12; #1 404 No record of 'res.partner' matches "
                "search_key {'ref': 'NONE'}",
                {
                    "atomic": True,
                    "operations": [
                        {
                            **_operation(0, {"id": 12}, "Created res.partner 12"),
                            "rolled_back": True,
                        },
                        {
                            "index": 1,
                            "route": "update_data",
                            "model": "res.partner",
                            "status": 404,
                            "is_success": False,
                            "result": None,
                            "messages": "No record of 'res.partner' matches "
                            "search_key {'ref': 'NONE'}",
                            "rolled_back": True,
                        },
                    ],
                    "failed_operation": 1,
                },
            )
        },
        413: {
            "too_many": _example(
                "More operations than allowed",
                "A batch holds at most 100 operations (system parameter "
                "webhook.batch_max_operations), got 150: split it",
            )
        },
        422: {"other_body": _OTHER_BODY},
    },
}


def error_examples(route, status):
    """The worked examples of ``route``'s answers with ``status``."""
    examples = dict(ERROR_EXAMPLES.get(status, {}))
    examples.update(ROUTE_ERROR_EXAMPLES.get(route, {}).get(status, {}))
    return examples
