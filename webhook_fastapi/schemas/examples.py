# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The worked example of each route, shown in Swagger (/api/docs).

Each request runs, as often and in whatever order, on a database with only
the base addon (a test posts them all): none needs a record another example
or the demo data makes. Partner 1 is base's company partner.
"""

EXAMPLES = {
    "create_data": {
        "summary": "A partner with a looked-up country, tags, a contact and a file",
        "value": {
            "params": {
                "model": "res.partner",
                "vals": {
                    "payload": {
                        "name": "ACME Ltd",
                        "country_id": {"code": "TH"},
                        "category_id": {
                            "mode": "replace",
                            "records": [{"name": "VIP"}],
                        },
                        "child_ids": [
                            {"name": "Jane Doe", "email": "jane@example.com"}
                        ],
                        "attachment_ids": [{"name": "hello.txt", "datas": "aGVsbG8="}],
                    },
                    "auto_create": {"category_id": {}},
                    "result_field": ["name", "category_id{name}"],
                },
            }
        },
    },
    "update_data": {
        "summary": "Note on the company partner and a tag, created if missing",
        "value": {
            "params": {
                "model": "res.partner",
                "vals": {
                    "search_key": {"id": 1},
                    "payload": {
                        "comment": "Key account",
                        "category_id": {"mode": "add", "records": [{"name": "VIP"}]},
                    },
                    "auto_create": {"category_id": {}},
                    "result_field": ["comment", "category_id{name}"],
                },
            }
        },
    },
    "create_update_data": {
        "summary": "Upsert a partner by its external reference (created once)",
        "value": {
            "params": {
                "model": "res.partner",
                "vals": {
                    "search_key": {"ref": "EXT-001"},
                    "payload": {
                        "name": "ACME Ltd",
                        "ref": "EXT-001",
                        "email": "info@acme.example",
                    },
                    "result_field": ["name", "email"],
                },
            }
        },
    },
    "search_data": {
        "summary": "Companies with their country and contacts",
        "value": {
            "params": {
                "model": "res.partner",
                "vals": {
                    "payload": {
                        "search_field": [
                            "name",
                            "country_id{code,name}",
                            "child_ids{name,email}",
                        ],
                        "search_domain": "[('is_company', '=', True)]",
                        "limit": 10,
                        "order": "name asc",
                    }
                },
            }
        },
    },
    "call_function": {
        "summary": "The invoice and delivery addresses of the company partner",
        "value": {
            "params": {
                "model": "res.partner",
                "vals": {
                    "search_key": {"id": 1},
                    "payload": {
                        "method": "address_get",
                        "parameter": {"adr_pref": ["invoice", "delivery"]},
                        "context": {"lang": "en_US"},
                    },
                },
            }
        },
    },
    "batch": {
        "summary": "A company, then a contact of it (parent_id from operation 0)",
        "value": {
            "params": {
                "atomic": True,
                "operations": [
                    {
                        "route": "create_data",
                        "model": "res.partner",
                        "vals": {
                            "payload": {"name": "ACME Batch", "is_company": True},
                            "result_field": ["name"],
                        },
                    },
                    {
                        "route": "create_data",
                        "model": "res.partner",
                        "vals": {
                            "payload": {
                                "name": "Jane Batch",
                                "parent_id": {"$ref": "0.result.id"},
                            },
                            "result_field": ["parent_id"],
                        },
                    },
                ],
            }
        },
    },
}
