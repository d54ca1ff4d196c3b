# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The webhook app without FastAPI's per-request dependency analysis.

When an app has any ``dependency_overrides``, FastAPI rebuilds every
dependency of the route on every request (``get_dependant``: signature
analysis and new Pydantic adapters), overridden or not. The fastapi addon
gives every app two overrides (``fastapi_endpoint_id`` and ``company_id``),
which profiling showed to be one of the largest costs of a small call.
The webhook routes use neither dependency: the app keeps its company in
``app.state`` (read by ``routers.webhook.request_env``) and no overrides.
"""

from odoo import models


# Apart from fastapi_endpoint.py: a performance measure with its own reason.
class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"  # pylint: disable=consider-merging-classes-inherited

    def _get_app(self):
        app = super()._get_app()
        if self.app == "webhook":
            app.state.webhook_company_id = self.company_id.id or None
            app.dependency_overrides.clear()
        return app
