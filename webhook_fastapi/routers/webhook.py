# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The routes of route_table.ROUTES. Each one hands its body to
``webhook.api.service``, which authenticates, runs, rolls back, logs and
maps errors in one place."""

import copy
import threading
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.responses import JSONResponse
from fastapi.security import (
    APIKeyCookie,
    APIKeyHeader,
    HTTPAuthorizationCredentials,
    HTTPBearer,
)

from odoo.api import Environment

from odoo.addons.fastapi.context import odoo_env_ctx

from ..route_table import ROUTES, register_route
from ..schemas.response_examples import error_examples

# Declared so that OpenAPI documents the scheme and Swagger shows its
# Authorize button; the key itself is checked by the service.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="OdooApiKey",
    description="An Odoo API key (Preferences > Account Security > New API Key), "
    "as `Authorization: Bearer <key>`.",
)
# The same key in the header the original addon's clients use; a Bearer
# key wins when both are sent.
api_key_header_scheme = APIKeyHeader(
    name="x-api-key",
    auto_error=False,
    scheme_name="OdooApiKeyHeader",
    description="The same Odoo API key, as `x-api-key: <key>` "
    "(`Authorization: Bearer` wins when both are sent).",
)

# A browser session works too (webhook_api_auth: a key wins over it; not
# cross-site). Swagger UI on /api/docs sends it when logged in to Odoo.
session_cookie_scheme = APIKeyCookie(
    name="session_id",
    auto_error=False,
    scheme_name="OdooSession",
    description="The session cookie of an Odoo login (`/web/session/authenticate` "
    "or the web client), for calls from the same site: a cross-site request "
    "with it is refused (403), and an API key sent with it wins.",
)

# The failures every route documents, and the ones some add (ApiRoute.errors;
# 409 on write routes, for the Idempotency-Key).
COMMON_ERRORS = {
    400: "Bad payload: unknown field, bad value, a lookup matching no or "
    "several records, a method that cannot be called",
    401: "Missing or invalid credentials",
    403: "Access rights or record rules forbid the operation; the API key's "
    "integration does not allow it (scope, network); a cross-site call with "
    "the session cookie",
    413: "The body is larger than `webhook.max_request_size`; a batch of more "
    "operations than `webhook.batch_max_operations`",
    415: "The body is not sent as application/json",
    422: "The body does not fit the request schema; the `Idempotency-Key` was "
    "used with another body",
    429: "The API key's integration is over its rate limit: retry after "
    "`Retry-After` seconds",
    500: "A bug: the traceback is in the API log, never in the answer",
}
ROUTE_ERRORS = {
    404: "`search_key` matches no record",
    409: "`search_key` matches several records; the record changed since "
    "`if_unmodified_since`; a call with this `Idempotency-Key` is still running",
}
RATE_LIMIT_HEADERS = {
    "Retry-After": {
        "description": "Seconds until the exhausted window resets.",
        "schema": {"type": "integer"},
    },
    "RateLimit": {
        "description": "What is left of each window, e.g. "
        '`"minute";r=0;t=17` (IETF httpapi RateLimit fields; also on the '
        "answers of limited integrations that pass).",
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": 'The integration\'s quotas, e.g. `"minute";q=60;w=60`.',
        "schema": {"type": "string"},
    },
}


def error_responses(route):
    """OpenAPI responses of ``route``'s failures: the schema, a description
    and worked examples of each status."""
    statuses = set(COMMON_ERRORS) | set(route.errors)
    if route.writes:
        statuses.add(409)
    responses = {}
    for status in sorted(statuses):
        response = {
            "model": route.error_model,
            "description": COMMON_ERRORS.get(status) or ROUTE_ERRORS[status],
            "content": {
                "application/json": {"examples": error_examples(route.name, status)}
            },
        }
        if status == 429:
            response["headers"] = RATE_LIMIT_HEADERS
        responses[status] = response
    return responses


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="1-255 printable ASCII characters, e.g. a UUID, new for each "
        "operation. The first complete answer (success or 4xx, not 5xx) is kept "
        "per API user and key for `webhook.idempotency_hours` (default 24): the "
        "same key and body again get that answer (same status and body, header "
        "`Idempotent-Replayed: true`) without anything being done; the same key "
        "with another body gets 422; while the first call runs, 409 (retry later "
        "with the same key).",
        examples=["6f1c2b0e-8d4f-4a57-9a43-2f0d1c9b7e21"],
    ),
]
REPLAY_RESPONSES = {
    200: {
        "description": "Success (or the kept answer of an earlier call with "
        "the same Idempotency-Key)",
        "headers": {
            "Idempotent-Replayed": {
                "description": "`true` when this is the kept answer of an "
                "earlier call with the same Idempotency-Key",
                "schema": {"type": "string", "enum": ["true"]},
            }
        },
    }
}

webhook_router = APIRouter(
    tags=["webhook"],
    dependencies=[
        Depends(bearer_scheme),
        Depends(api_key_header_scheme),
        Depends(session_cookie_scheme),
    ],
)


class ApiCall:
    """What the service needs to know about the HTTP request."""

    def __init__(self, env: Environment, request: Request):
        self.env = env
        self.request = request

    def run(self, route: str, body) -> JSONResponse:
        headers = self.request.headers
        http_info = {
            "headers": dict(headers.items()),
            "session_uid": _session_uid(),
            "remote_addr": self.request.client.host if self.request.client else None,
        }
        with _report_sql_to_odoo_request():
            status, content = self.env["webhook.api.service"]._api_handle(
                route, body, http_info
            )
        # The service adds Idempotent-Replayed to the answer of a replay.
        return JSONResponse(
            status_code=status,
            content=content,
            headers=http_info.get("response_headers"),
        )


@contextmanager
def _report_sql_to_odoo_request():
    """Odoo's access log counts the SQL queries of the request's thread, but
    FastAPI runs routes in a thread pool: hand our counts to the request so
    that its log line (and any profiling built on it) tells the truth."""
    from odoo.http import request as odoo_request

    thread = threading.current_thread()
    if not hasattr(thread, "query_count"):
        # Odoo only counts on threads that carry these attributes.
        thread.query_count, thread.query_time = 0, 0.0
    count, duration = thread.query_count, thread.query_time
    try:
        yield
    finally:
        if odoo_request:
            odoo_request.webhook_sql_stats = (
                thread.ident,
                thread.query_count - count,
                thread.query_time - duration,
            )


def _session_uid():
    # TestClient calls have no Odoo request: no session either.
    from odoo.http import request as odoo_request

    if odoo_request and getattr(odoo_request, "session", None) is not None:
        return odoo_request.session.uid
    return None


async def request_env(request: Request) -> Environment:
    """The request's environment, as the fastapi addon's ``odoo_env`` gives
    it (the endpoint's company in ``allowed_company_ids``, kept in the app's
    state: see models/fastapi_endpoint_fast.py), without its cost: FastAPI
    runs a sync dependency in its thread pool, and ``odoo_env`` (a generator
    depending on ``company_id``) took three thread hops for a context
    variable read."""
    env = odoo_env_ctx.get()
    company = getattr(request.app.state, "webhook_company_id", None)
    if company is not None:
        env = env(context=dict(env.context, allowed_company_ids=[company]))
    return env


async def api_call(
    env: Annotated[Environment, Depends(request_env)],
    request: Request,
    _credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer_scheme)
    ],
) -> ApiCall:
    # async: nothing blocks here, and a sync dependency costs a thread hop.
    return ApiCall(env, request)


Call = Annotated[ApiCall, Depends(api_call)]


def add_api_route(route):
    """Register ``route`` (an ApiRoute) and mount POST /<name>: the same
    thin handler for every route, each with its own request model (so
    OpenAPI documents each body) and its worked example."""
    register_route(route)
    body_type = Annotated[
        route.request_model,
        Body(openapi_examples={"default": route.example}),
    ]

    # async def although the work blocks: the app runs to completion on the
    # request's own thread (tools/asgi_runner.py), so blocking there is what
    # every Odoo controller does, and FastAPI skips its thread-pool hop.
    if route.writes:

        async def endpoint(
            body: body_type, call: Call, idempotency_key: IdempotencyKey = None
        ) -> Any:
            # The header is read by the service; declared for OpenAPI.
            return call.run(route.name, body)

        responses = copy.deepcopy(REPLAY_RESPONSES)
    else:

        async def endpoint(body: body_type, call: Call) -> Any:
            return call.run(route.name, body)

        responses = {200: {"description": "Success"}}
    responses.update(error_responses(route))
    if route.response_example is not None:
        responses[200]["content"] = {
            "application/json": {"example": route.response_example}
        }
    endpoint.__name__ = route.name
    endpoint.__doc__ = route.description
    webhook_router.post(
        f"/{route.name}",
        # The route's name, not FastAPI's <name>_<path>_post: the method
        # names of generated clients.
        operation_id=route.name,
        # Documents the success answer only: the endpoint returns the
        # service's JSONResponse, which FastAPI neither validates nor filters.
        response_model=route.response_model,
        summary=route.summary,
        responses=responses,
    )(endpoint)


for _route in list(ROUTES.values()):
    add_api_route(_route)
