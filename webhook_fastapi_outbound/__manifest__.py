# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "REST API for Webhook: Outbound",
    "summary": "POST record data to other systems when records enter a domain",
    "version": "18.0.1.2.0",
    "category": "Extra Tools",
    "license": "AGPL-3",
    "author": "webhook_fastapi authors",
    "website": "https://github.com/webhook-fastapi/webhook-fastapi",
    "depends": ["webhook_fastapi", "mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "data/ir_config_parameter.xml",
        "data/ir_cron.xml",
        "views/webhook_outbound_rule_views.xml",
        "views/webhook_outbound_callback_views.xml",
        "views/webhook_outbound_test_views.xml",
        "views/webhook_log_views.xml",
        "views/webhook_outbound_endpoint_views.xml",
        "views/webhook_outbound_resend_views.xml",
        "views/webhook_original_migration_views.xml",
        "data/webhook_original_migration.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "webhook_fastapi_outbound/static/tests/tours/*.js",
        ],
    },
    "development_status": "Beta",
    "installable": True,
}
