# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Swagger UI and ReDoc served by the app itself, from the files of a pinned
PyPI distribution (fastapi-offline): FastAPI's own pages load them from a
CDN, with no pinned version, and stay blank on a server without internet.
"""

from importlib.metadata import version
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
# The only files served, with their types: a name is a key of this dict or
# a 404, so no path can leave ASSETS_DIR.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
ASSETS_PATH = "/docs-assets"
# The URLs carry the distribution's version: a new version is a new URL, so
# browsers may keep the files for good.
ASSETS_VERSION = version("fastapi-offline")
ASSETS_CACHE = "public, max-age=31536000, immutable"
# The page names the files of the version it was built with: not cached.
PAGE_CACHE = "no-cache"

docs_router = APIRouter(include_in_schema=False)


def _asset_url(request: Request, name):
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}{ASSETS_PATH}/{name}?v={ASSETS_VERSION}"


def _openapi_url(request: Request):
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}{request.app.openapi_url}"


def _page(response: HTMLResponse):
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


@docs_router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    app = request.app
    return _page(
        get_swagger_ui_html(
            openapi_url=_openapi_url(request),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=_asset_url(request, "swagger-ui-bundle.js"),
            swagger_css_url=_asset_url(request, "swagger-ui.css"),
            swagger_favicon_url=_asset_url(request, "favicon.png"),
            # No call to the public validator.swagger.io either.
            swagger_ui_parameters=dict(
                app.swagger_ui_parameters or {}, validatorUrl=None
            ),
        )
    )


@docs_router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return _page(
        get_redoc_html(
            openapi_url=_openapi_url(request),
            title=f"{request.app.title} - ReDoc",
            redoc_js_url=_asset_url(request, "redoc.standalone.js"),
            redoc_favicon_url=_asset_url(request, "favicon.png"),
            with_google_fonts=False,
        )
    )


@docs_router.get(ASSETS_PATH + "/{name}")
def docs_asset(name: str) -> FileResponse:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return FileResponse(
        ASSETS_DIR / name,
        media_type=media_type,
        headers={"Cache-Control": ASSETS_CACHE},
    )
