# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The webhook app without FastAPI's per-request costs that it does not need.

When an app has any ``dependency_overrides``, FastAPI rebuilds every
dependency of the route on every request (``get_dependant``: signature
analysis and new Pydantic adapters), overridden or not. The fastapi addon
gives every app two overrides (``fastapi_endpoint_id`` and ``company_id``),
which profiling showed to be one of the largest costs of a small call.
The webhook routes use neither dependency: the app keeps its company in
``app.state`` (read by ``routers.webhook.request_env``) and no overrides.

The fastapi addon also gives every app a sync dependency that only
documents the ``Accept-Language`` header (the dispatcher reads the header
itself): FastAPI runs a sync dependency in its thread pool, a thread hop
on every request. The webhook app documents the same header with an async
one.
"""

from typing import Annotated

from fastapi import Depends, Header

from odoo import models

from odoo.addons.fastapi.dependencies import accept_language as _addon_accept_language


async def accept_language(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            description="The Accept-Language header is used to specify the language "
            "of the content to be returned. If a language is not available, the "
            "server will return the content in the default language.",
        ),
    ] = None,
) -> str:
    """The fastapi addon's ``accept_language``, async: documents the header,
    which the dispatcher reads to set the environment's language."""
    return accept_language


# Apart from fastapi_endpoint.py: a performance measure with its own reason.
class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"  # pylint: disable=consider-merging-classes-inherited

    def _get_app(self):
        app = super()._get_app()
        if self.app == "webhook":
            app.state.webhook_company_id = self.company_id.id or None
            app.dependency_overrides.clear()
        return app

    def _get_fastapi_app_dependencies(self):
        dependencies = super()._get_fastapi_app_dependencies()
        if self.app != "webhook":
            return dependencies
        return [
            Depends(accept_language)
            if dependency.dependency is _addon_accept_language
            else dependency
            for dependency in dependencies
        ]
