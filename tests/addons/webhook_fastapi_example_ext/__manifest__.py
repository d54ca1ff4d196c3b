# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "REST API for Webhook: example extension (tests only)",
    "summary": "Extends a request schema, the service and the route table, "
    "as webhook_fastapi's USAGE tells integrators to",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "license": "AGPL-3",
    "author": "webhook_fastapi authors",
    "depends": ["webhook_fastapi"],
    "installable": True,
}
