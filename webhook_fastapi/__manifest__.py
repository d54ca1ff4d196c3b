# Copyright 2026 The webhook_fastapi authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "REST API for Webhook (FastAPI)",
    "summary": "Documented REST API to create, update, upsert, search and call "
    "methods on any model, with a full call log",
    "version": "18.0.1.1.0",
    "category": "Extra Tools",
    "license": "AGPL-3",
    "author": "webhook_fastapi authors",
    "website": "https://github.com/webhook-fastapi/webhook-fastapi",
    "depends": ["fastapi", "extendable_fastapi"],
    "external_dependencies": {
        "python": [
            "fastapi",
            "pydantic>=2",
            "extendable-pydantic>=1.2.0",
            "a2wsgi",
            "fastapi-offline",
        ]
    },
    "data": [
        "security/webhook_security.xml",
        "security/ir.model.access.csv",
        "data/ir_config_parameter.xml",
        "data/fastapi_endpoint.xml",
        "data/ir_cron.xml",
        "views/webhook_log_views.xml",
        "views/webhook_menus.xml",
        "views/webhook_integration_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "webhook_fastapi/static/tests/tours/*.js",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "post_init_hook": "post_init_hook",
    "development_status": "Beta",
    "installable": True,
}
