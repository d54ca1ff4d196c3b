# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Errors raised before a route runs (a body that does not fit the schema,
a body that is not JSON or too large, a wrong method or path) never reach
``webhook.api.service``. For the webhook app they get the same envelope,
and their log entry is written on a cursor of its own, since the request's
transaction is rolled back."""

import json
import logging
import threading
import time

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from odoo import SUPERUSER_ID, api
from odoo.http import _dispatchers, request

# Make sure the dispatchers this one chains on are registered first.
from odoo.addons.extendable_fastapi import (
    fastapi_dispatcher as _extendable,  # noqa: F401
)
from odoo.addons.fastapi.pools import fastapi_app_pool

from .models.webhook_api_auth import JSON_CONTENT_TYPE
from .tools.asgi_runner import run_asgi
from .tools.body_limit import BodyTooLarge, limit_request_body
from .tools.errors import schema_error_message
from .tools.outcome import ApiOutcome

_logger = logging.getLogger(__name__)

# Chain on whatever fastapi dispatcher is registered (extendable_fastapi's).
BaseDispatcher = _dispatchers["fastapi"]


class WebhookFastApiDispatcher(BaseDispatcher):
    routing_type = "fastapi"

    def dispatch(self, endpoint, args):
        self._webhook_started = time.perf_counter()
        try:
            path = self.request.httprequest.path
            if not self.request.env["fastapi.endpoint"]._webhook_is_api_path(path):
                return super().dispatch(endpoint, args)
            icp = self.request.env["ir.config_parameter"].sudo()
            limit_request_body(self._webhook_werkzeug_request(), icp)
            with self._manage_extendable_context():
                return self._webhook_dispatch()
        finally:
            self._webhook_add_sql_stats()

    def _webhook_dispatch(self):
        """The fastapi addon's ``dispatch`` for the webhook app, the app run
        on this thread (tools/asgi_runner.py) rather than behind a2wsgi on
        a loop thread of its own: the same app, environment, answer and
        errors (the app's exceptions propagate to ``handle_error``)."""
        self.request.params = {}
        environ = self._get_environ()
        path = environ["PATH_INFO"]
        with fastapi_app_pool.get_app(env=request.env, root_path=path) as wsgi_app:
            uid = request.env["fastapi.endpoint"].sudo().get_uid(path)
            with self._manage_odoo_env(uid):
                status, headers, body = run_asgi(wsgi_app.app, environ)
                if status is None:
                    raise RuntimeError("The API's app ended without an answer")
                return self.request.make_response(body, headers=headers, status=status)

    def _webhook_werkzeug_request(self):
        # The object whose stream the fastapi dispatcher hands to the app.
        httprequest = self.request.httprequest
        return getattr(httprequest, "_HTTPRequest__wrapped", httprequest)

    def _webhook_add_sql_stats(self):
        # See routers.webhook._report_sql_to_odoo_request.
        stats = getattr(self.request, "webhook_sql_stats", None)
        thread = threading.current_thread()
        if stats and stats[0] != thread.ident and hasattr(thread, "query_count"):
            thread.query_count += stats[1]
            thread.query_time += stats[2]

    def handle_error(self, exc):
        try:
            handled = self._webhook_handle_error(exc)
        except Exception:  # the log must never hide the original error
            _logger.exception("Could not log the failed webhook API call")
            handled = None
        return handled if handled is not None else super().handle_error(exc)

    def _webhook_handle_error(self, exc):
        httprequest = request.httprequest
        with request.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            endpoint = env["fastapi.endpoint"]._get_endpoint(httprequest.path)
            if not endpoint or endpoint.app != "webhook":
                return None
            route = httprequest.path[len(endpoint.root_path) :].strip("/") or "/"
            status, message = _status_and_message(exc, httprequest, endpoint)
            if status < 500:
                # A client's mistake, not a server error: keep Odoo's log quiet.
                exc.loglevel = logging.INFO
            # Never read a body refused for its size.
            body = "" if isinstance(exc, BodyTooLarge) else self._webhook_raw_body()
            service = env["webhook.api.service"]
            http_info = {
                "headers": dict(httprequest.headers.items()),
                "remote_addr": httprequest.remote_addr,
                "session_uid": request.session.uid if request.session else None,
            }
            outcome = ApiOutcome(
                status=status,
                message=message,
                error_trace=None if status < 500 else repr(exc),
            )
            started = getattr(self, "_webhook_started", None) or time.perf_counter()
            status, response = service._api_respond(
                route,
                body,
                http_info,
                outcome,
                service._api_identify(http_info),
                started,
            )
        return request.make_json_response(response, status=status)

    def _webhook_raw_body(self):
        """The request body: parsed JSON when it is JSON, else the text."""
        try:
            stream = self._get_environ()["wsgi.input"]
            stream.seek(0)
            raw = stream.read()
        except Exception:  # a body we cannot read is logged as empty
            return ""
        text = raw.decode("utf-8", "replace")
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return text


def _status_and_message(exc, httprequest, endpoint):
    """HTTP status and message for an error raised before the route ran."""
    if isinstance(exc, BodyTooLarge):
        return 413, exc.message
    if isinstance(exc, RequestValidationError):
        content_type = httprequest.headers.get("Content-Type") or ""
        if JSON_CONTENT_TYPE.match(content_type):
            return 422, schema_error_message(exc.errors())
        return 415, f"Content-Type must be application/json, got {content_type!r}"
    if isinstance(exc, StarletteHTTPException) and exc.status_code < 500:
        return exc.status_code, _http_refusal_message(exc, httprequest, endpoint)
    return 500, "Internal server error: the details are in the API log"


def _http_refusal_message(exc, httprequest, endpoint):
    routes = ", ".join(
        f"{endpoint.root_path.rstrip('/')}{path}"
        for path in endpoint._webhook_route_paths()
    )
    if exc.status_code == 404:
        return f"No such route: {httprequest.path}. The routes are (POST): {routes}"
    if exc.status_code == 405:
        return (
            f"Method {httprequest.method} is not allowed on {httprequest.path}: "
            "use POST with a JSON body"
        )
    # FastAPI's own refusals, e.g. a body nested too deep to parse.
    return (
        f"The body could not be parsed: it is not JSON, or it is nested too "
        f"deeply ({exc.detail})"
    )
