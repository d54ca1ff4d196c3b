# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The five routes. Each one hands its body to ``webhook.api.service``,
which authenticates, runs, rolls back, logs and maps errors in one place."""

import threading
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from odoo.api import Environment

from odoo.addons.fastapi.dependencies import odoo_env

from ..schemas import (
    CallFunctionRequest,
    CreateDataRequest,
    CreateUpdateDataRequest,
    SearchDataRequest,
    UpdateDataRequest,
    WebhookResponse,
)

# Declared so that OpenAPI documents the scheme and Swagger shows its
# Authorize button; the key itself is checked by the service.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="OdooApiKey",
    description="An Odoo API key (Preferences > Account Security > New API Key). "
    "Alternatively, the session cookie of /web/session/authenticate.",
)


def _error(description):
    return {"model": WebhookResponse, "description": description}


ERROR_RESPONSES = {
    400: _error(
        "Bad payload: unknown field, bad value, lookup with no or several matches"
    ),
    401: _error("Missing or invalid credentials"),
    403: _error("Access rights or record rules forbid the operation"),
    404: _error("`search_key` matches no record"),
    409: _error("`search_key` matches several records"),
    415: _error("The body is not sent as application/json"),
    422: _error("The body does not fit the request schema"),
    500: _error("A bug: the traceback is in the API log, never in the answer"),
}

webhook_router = APIRouter(
    tags=["webhook"],
    dependencies=[Depends(bearer_scheme)],
    responses=ERROR_RESPONSES,
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
                route, body.model_dump(mode="json"), http_info
            )
        return JSONResponse(status_code=status, content=content)


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


def api_call(
    env: Annotated[Environment, Depends(odoo_env)],
    request: Request,
    _credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer_scheme)
    ],
) -> ApiCall:
    return ApiCall(env, request)


Call = Annotated[ApiCall, Depends(api_call)]


def _examples(summary, params, **extra):
    return {"default": {"summary": summary, "value": {"params": params, **extra}}}


@webhook_router.post(
    "/create_data", response_model=WebhookResponse, summary="Create a record"
)
def create_data(
    body: Annotated[
        CreateDataRequest,
        Body(
            openapi_examples=_examples(
                "A partner with a looked-up country, tags and a file",
                {
                    "model": "res.partner",
                    "vals": {
                        "callback_url": "https://example.com/hooks/partner",
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
                            "attachment_ids": [
                                {"name": "hello.txt", "datas": "aGVsbG8="}
                            ],
                        },
                        "auto_create": {"category_id": {}},
                        "result_field": ["name", "category_id{name}"],
                    },
                },
            )
        ),
    ],
    call: Call,
) -> Any:
    """Create one record of any model. Relational values are looked up by any
    field (batched), created on demand with `auto_create`, and nested lines
    are created with their parent."""
    return call.run("create_data", body)


@webhook_router.post(
    "/update_data", response_model=WebhookResponse, summary="Update a record"
)
def update_data(
    body: Annotated[
        UpdateDataRequest,
        Body(
            openapi_examples=_examples(
                "Add a tag to the partner whose ref is EXT-001",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"ref": "EXT-001"},
                        "payload": {
                            "phone": "+66 2 123 4567",
                            "category_id": {
                                "mode": "add",
                                "records": [{"name": "VIP"}],
                            },
                        },
                        "result_field": ["phone"],
                    },
                },
            )
        ),
    ],
    call: Call,
) -> Any:
    """Update the one record that `search_key` matches: 404 when none, 409
    when several. one2many lists replace the existing lines unless given as
    `{"mode": "add", "records": [...]}`."""
    return call.run("update_data", body)


@webhook_router.post(
    "/create_update_data",
    response_model=WebhookResponse,
    summary="Update a record, or create it",
)
def create_update_data(
    body: Annotated[
        CreateUpdateDataRequest,
        Body(
            openapi_examples=_examples(
                "Upsert a partner by its external reference",
                {
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
                },
            )
        ),
    ],
    call: Call,
) -> Any:
    """Update the record `search_key` matches, or create it when none does;
    409 when several do. Concurrent calls with the same key create one
    record."""
    return call.run("create_update_data", body)


@webhook_router.post(
    "/search_data", response_model=WebhookResponse, summary="Search records"
)
def search_data(
    body: Annotated[
        SearchDataRequest,
        Body(
            openapi_examples=_examples(
                "Companies with their contacts",
                {
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
                },
            )
        ),
    ],
    call: Call,
) -> Any:
    """Search with a domain and return the chosen fields, relations expanded
    to any depth. Reads are batched: the query count does not grow with the
    number of records."""
    return call.run("search_data", body)


@webhook_router.post(
    "/call_function", response_model=WebhookResponse, summary="Call a method"
)
def call_function(
    body: Annotated[
        CallFunctionRequest,
        Body(
            openapi_examples=_examples(
                "Archive a partner",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"ref": "EXT-001"},
                        "payload": {
                            "method": "action_archive",
                            "context": {"lang": "en_US"},
                        },
                    },
                },
            )
        ),
    ],
    call: Call,
) -> Any:
    """Call a public method on the one record `search_key` matches, with
    `parameter` as keyword arguments. The return value is made JSON-safe."""
    return call.run("call_function", body)
