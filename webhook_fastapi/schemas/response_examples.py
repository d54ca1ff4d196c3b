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
