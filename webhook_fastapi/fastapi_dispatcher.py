# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Errors raised before a route runs (a body that does not fit the schema,
a body that is not JSON) never reach ``webhook.api.service``. For the
webhook app they get the same envelope, and their log entry is written on a
cursor of its own, since the request's transaction is rolled back."""

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

from .models.webhook_api_service import JSON_CONTENT_TYPE

_logger = logging.getLogger(__name__)

# Chain on whatever fastapi dispatcher is registered (extendable_fastapi's).
BaseDispatcher = _dispatchers["fastapi"]


class WebhookFastApiDispatcher(BaseDispatcher):
    routing_type = "fastapi"

    def dispatch(self, endpoint, args):
        self._webhook_started = time.perf_counter()
        try:
            return super().dispatch(endpoint, args)
        finally:
            self._webhook_add_sql_stats()

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
        path = request.httprequest.path
        with request.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            endpoint = env["fastapi.endpoint"]._get_endpoint(path)
            if not endpoint or endpoint.app != "webhook":
                return None
            route = path[len(endpoint.root_path) :].strip("/") or "/"
            headers = dict(request.httprequest.headers.items())
            content_type = headers.get("Content-Type") or ""
            if isinstance(exc, RequestValidationError):
                if JSON_CONTENT_TYPE.match(content_type) or not content_type:
                    status, message = 422, _validation_message(exc.errors())
                else:
                    status = 415
                    message = (
                        f"Content-Type must be application/json, got {content_type!r}"
                    )
            elif isinstance(exc, StarletteHTTPException) and exc.status_code < 500:
                # FastAPI's own refusals, e.g. a body nested too deep to parse.
                status = exc.status_code
                message = (
                    "The body could not be parsed: it is not JSON, or it is "
                    f"nested too deeply ({exc.detail})"
                )
            else:
                status, message = (
                    500,
                    "Internal server error: the details are in the API log",
                )
            if status < 500:
                # A client's mistake, not a server error: keep Odoo's log quiet.
                exc.loglevel = logging.INFO
            body = self._webhook_raw_body()
            response = {
                "jsonrpc": "2.0",
                "id": body.get("id") if isinstance(body, dict) else None,
                "result": {"is_success": False, "result": None, "messages": message},
            }
            started = getattr(self, "_webhook_started", None)
            env["webhook.log"]._log_received_call(
                route=route,
                params=body.get("params")
                if isinstance(body, dict) and isinstance(body.get("params"), dict)
                else {},
                body=body,
                http_info={
                    "headers": headers,
                    "remote_addr": request.httprequest.remote_addr,
                },
                status=status,
                response=response,
                uid=None,
                outcome={},
                error_trace=None if status < 500 else repr(exc),
                duration_ms=(time.perf_counter() - started) * 1000.0
                if started
                else 0.0,
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


def _validation_message(errors):
    parts = []
    for error in errors[:10]:
        if error.get("type") == "json_invalid":
            detail = (error.get("ctx") or {}).get("error") or "invalid JSON"
            return f"The body is not valid JSON: {detail}"
        if tuple(error.get("loc", ())) == ("body",) and error.get("type") == "missing":
            return (
                "The body is empty: expected a JSON object like "
                '{"params": {"model": ..., "vals": {...}}}'
            )

        loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {error.get('msg')}")
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return "Request does not fit the schema: " + "; ".join(parts) + more
