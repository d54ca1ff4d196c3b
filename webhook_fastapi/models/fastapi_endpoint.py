# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from fastapi import APIRouter

from odoo import api, fields, models, tools

from ..route_table import ROUTES
from ..routers import webhook_router
from ..routers.docs import docs_router

# As in the manifest.
API_CONTACT = {
    "name": "webhook_fastapi authors",
    "url": "https://github.com/webhook-fastapi/webhook-fastapi",
}


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(
        selection_add=[("webhook", "Webhook REST API")],
        ondelete={"webhook": "cascade"},
    )

    def _get_fastapi_routers(self) -> list[APIRouter]:
        if self.app == "webhook":
            return [webhook_router, docs_router]
        return super()._get_fastapi_routers()

    def _prepare_fastapi_app_params(self):
        params = super()._prepare_fastapi_app_params()
        if self.app == "webhook":
            params.update(
                title="Odoo Webhook REST API",
                version="18.0.1.0.0",
                description=self.description
                or "Create, update, upsert, search and call methods on any model.",
                # Generated clients and API catalogues show these.
                license_info={
                    "name": "AGPL-3.0-or-later",
                    "identifier": "AGPL-3.0-or-later",
                },
                contact=API_CONTACT,
                openapi_tags=[
                    {
                        "name": "webhook",
                        "description": "Create, update, upsert, search, call "
                        "methods and run batches on any model, as the API "
                        "key's user, with its access rights.",
                    }
                ],
                # Served by docs_router from packaged files, not from a CDN.
                docs_url=None,
                redoc_url=None,
            )
        return params

    @api.model
    @tools.ormcache("path")
    def _webhook_is_api_path(self, path):
        """Whether ``path`` is under an endpoint of the webhook app (cached:
        asked on every request of any fastapi app)."""
        endpoint = self.sudo()._get_endpoint(path)
        return bool(endpoint and endpoint.app == "webhook")

    def _webhook_route_paths(self):
        return [f"/{name}" for name in ROUTES]
