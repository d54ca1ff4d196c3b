# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The business logic of the webhook API, in one inheritable model.

``_api_handle`` is the single place where every route is authenticated,
run inside a savepoint, rolled back on failure, mapped to an HTTP status
and logged. The ``_route_*`` methods hold each route's logic; other addons
extend any of them with ``_inherit = "webhook.api.service"``.
"""

import hashlib
import logging
import re
import time
import traceback

import psycopg2
from psycopg2 import errorcodes

from odoo import api, models, tools
from odoo.exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.models import check_method_name

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

from ..tools import (
    ApiError,
    check_domain_fields,
    parse_domain,
    parse_field_spec,
    parse_order,
    serialize_records,
    to_jsonable,
)
from ..tools.converter import PayloadConverter
from ..tools.errors import check_json_value
from ..tools.params import param_bool, param_int, param_str_list
from ..tools.serializer import check_spec
from ..tools.url_guard import check_url

_logger = logging.getLogger(__name__)

CONCURRENCY_ERRORS = (
    errorcodes.LOCK_NOT_AVAILABLE,
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
)
DEFAULT_SEARCH_FIELDS = ["id", "display_name"]
DEFAULT_SEARCH_MAX_LIMIT = 1000
# Context keys a caller may set in call_function. Anything that could switch
# users, skip checks or touch module installation is left out on purpose.
SAFE_CONTEXT_KEYS = {
    "lang",
    "tz",
    "active_test",
    "allowed_company_ids",
    "tracking_disable",
    "mail_notrack",
    "mail_create_nolog",
    "mail_create_nosubscribe",
}
SAFE_CONTEXT_PREFIXES = ("default_",)
BEARER = re.compile(r"^\s*bearer\s+(\S*)\s*$", re.IGNORECASE)
JSON_CONTENT_TYPE = re.compile(
    r"^\s*application/([a-z0-9.+-]*\+)?json\s*(;.*)?$", re.IGNORECASE
)


class WebhookApiService(models.AbstractModel):
    _name = "webhook.api.service"
    _description = "Webhook REST API service"

    # ------------------------------------------------------------------
    # The one entry point
    # ------------------------------------------------------------------
    @api.model
    def _api_handle(self, route, body, http_info, as_uid=None, log_extra=None):
        """Run ``route`` for ``body``; return ``(http_status, response_dict)``.

        ``as_uid`` runs the call as that user without looking at credentials:
        only for trusted server-side callers (replay from the log).
        ``log_extra`` adds values to the log entry. Never raises, except for
        database concurrency errors, which Odoo retries with a fresh
        transaction.
        """
        started = time.perf_counter()
        params = body.get("params") or {}
        outcome = {}
        uid = None
        error_trace = None
        savepoint = self.env.cr.savepoint()
        try:
            if as_uid:
                uid = as_uid
            else:
                self._api_check_content_type(http_info)
                uid = self._api_authenticate(http_info)
            check_json_value(params, "params")
            service = self._api_user_env(uid)
            outcome = getattr(service, f"_route_{route}")(params)
            status, message, is_success = 200, outcome.get("message", ""), True
            savepoint.close(rollback=False)
        except Exception as exc:  # noqa: BLE001 - mapped below, one place for all routes
            if (
                isinstance(exc, psycopg2.OperationalError)
                and exc.pgcode in CONCURRENCY_ERRORS
            ):
                savepoint.close(rollback=True)
                raise
            status, message = self._api_map_error(exc)
            is_success = False
            if status >= 500:
                error_trace = traceback.format_exc()
                _logger.exception("webhook API %s failed", route)
            # Always undone, whatever the parameters say: a failed SQL
            # statement leaves the transaction unusable, and data that broke
            # a constraint must never be committed.
            invalid = isinstance(exc, psycopg2.Error | ValidationError)
            try:
                savepoint.close(rollback=invalid or self._api_rollback_wanted(status))
            except psycopg2.Error as flush_error:
                # Keeping the partial work failed on flush (a constraint):
                # the savepoint is rolled back by then; the call stays failed.
                _logger.info(
                    "webhook API %s: partial work not kept: %s", route, flush_error
                )
        response = self._api_envelope(
            body, is_success, outcome.get("result") if is_success else None, message
        )
        self._api_log(
            route=route,
            params=params,
            body=body,
            http_info=http_info,
            status=status,
            response=response,
            uid=uid,
            outcome=outcome,
            error_trace=error_trace,
            duration_ms=(time.perf_counter() - started) * 1000.0,
            log_extra=log_extra,
        )
        return status, response

    @api.model
    def _api_envelope(self, body, is_success, result, message):
        """The answer's JSON-RPC envelope, for every route and refusal."""
        return {
            "jsonrpc": "2.0",
            "id": body.get("id") if isinstance(body, dict) else None,
            "result": {"is_success": is_success, "result": result, "messages": message},
        }

    @api.model
    def _api_map_error(self, exc):
        """(status, message) for an exception: the one error mapping."""
        if isinstance(exc, ApiError):
            return exc.status, exc.message
        if isinstance(exc, AccessDenied):
            return 401, str(exc) or "Access denied"
        if isinstance(exc, AccessError):
            return 403, _first_arg(exc)
        if isinstance(exc, MissingError):
            return 404, _first_arg(exc)
        if isinstance(exc, UserError | ValidationError):
            return 400, _first_arg(exc)
        if isinstance(exc, psycopg2.IntegrityError | psycopg2.DataError):
            # NOT NULL, unique, check constraints and bad casts: the data is wrong.
            diag = (exc.pgerror or str(exc)).strip().splitlines()[0]
            return (
                400,
                "The database refused the values: "
                f"{diag.removeprefix('ERROR:').strip()}",
            )
        return 500, "Internal server error: the details are in the API log"

    @api.model
    def _api_rollback_wanted(self, status):
        icp = self.env["ir.config_parameter"].sudo()
        if status >= 500:
            return param_bool(icp, "webhook.rollback_except", True)
        return param_bool(icp, "webhook.rollback_state_failed", True)

    @api.model
    def _api_log(self, **values):
        """Hook for the API log (see webhook.log); does nothing when the
        route's logging is switched off."""
        icp = self.env["ir.config_parameter"].sudo()
        outcome = values.get("outcome") or {}
        # The entry that carries a callback URL is where the outbound addon
        # finds it (models without the mixin): it is written even when the
        # route's logging is off.
        keeps_callback = outcome.get("callback_url") and outcome.get("record")
        if not keeps_callback and not param_bool(
            icp, f"webhook.{values['route']}_log", True
        ):
            return None
        return self.env["webhook.log"].sudo()._log_received_call(**values)

    # ------------------------------------------------------------------
    # Authentication
    # ------------------------------------------------------------------
    @api.model
    def _api_check_content_type(self, http_info):
        # Also what keeps cookie-authenticated calls safe from cross-site
        # forms: browsers cannot send application/json cross-site without
        # a CORS preflight, which these routes never grant.
        content_type = _header(http_info, "content-type") or ""
        if not JSON_CONTENT_TYPE.match(content_type):
            raise ApiError(
                "Content-Type must be application/json, "
                f"got {content_type or 'none'!r}",
                415,
            )

    @api.model
    def _api_authenticate(self, http_info):
        """Return the uid of the caller: an API key wins over a session."""
        authorization = _header(http_info, "authorization")
        if authorization is not None:
            match = BEARER.match(authorization)
            if not match:
                raise ApiError("Authorization header must be 'Bearer <api key>'", 401)
            key = match.group(1)
            uid = key and self._api_key_uid(key)
            if not uid:
                raise ApiError("Invalid API key", 401)
            return uid
        uid = http_info.get("session_uid")
        if uid:
            if (_header(http_info, "sec-fetch-site") or "").lower() == "cross-site":
                raise ApiError(
                    "Cross-site requests cannot use the session cookie; use an API key",
                    403,
                )
            return uid
        raise ApiError(
            "Authentication required: send 'Authorization: Bearer <api key>' "
            "or the session "
            "cookie from /web/session/authenticate",
            401,
        )

    @api.model
    def _api_identify(self, http_info):
        """The caller's uid when its credentials are valid, else None; never
        raises (for log entries of calls refused before any route ran)."""
        try:
            return self._api_authenticate(http_info)
        except (ApiError, AccessDenied):
            return None

    @api.model
    def _api_key_uid(self, key):
        """The user of an API key, or None.

        Verifying a key hashes it with thousands of rounds (several ms), so
        which key row a key matches is cached per worker, by a digest of the
        key. Whether that row still exists, is unexpired and belongs to an
        active user is read on every call (one indexed query): a key
        revoked or expired anywhere (another worker, a shell, SQL) stops
        working at once."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        key_id = self.with_context(webhook_api_key=key)._api_key_row_cached(digest)
        if not key_id:
            return None
        self.env.cr.execute(
            """SELECT k.user_id FROM res_users_apikeys k
                 JOIN res_users u ON u.id = k.user_id
                WHERE k.id = %s AND u.active
                  AND (k.scope IS NULL OR k.scope = 'rpc')
                  AND (k.expiration_date IS NULL
                       OR k.expiration_date >= now() at time zone 'utc')""",
            [key_id],
        )
        row = self.env.cr.fetchone()
        return row[0] if row else None

    @api.model
    @tools.ormcache("digest")
    def _api_key_row_cached(self, digest):
        # The id of the key row the key verifies against (as Odoo's own
        # res.users.apikeys._check_credentials checks it), or None.
        key = self.env.context["webhook_api_key"]
        self.env.cr.execute(
            "SELECT id, key FROM res_users_apikeys WHERE index = %s",
            [key[:INDEX_SIZE]],
        )
        for key_id, hashed in self.env.cr.fetchall():
            if KEY_CRYPT_CONTEXT.verify(key, hashed):
                return key_id
        return None

    @api.model
    def _api_user_env(self, uid):
        """This service as the caller, with all of the caller's companies."""
        # One query for what the call needs, read fresh: reading a field of
        # res.users through the ORM fetches all its columns and its
        # partner's on every call, and Odoo's per-user caches are not all
        # cleared when a company drops a user or a partner changes language.
        self.env.cr.execute(
            """SELECT u.active, u.company_id, p.lang, p.tz,
                      ARRAY(SELECT rel.cid
                              FROM res_company_users_rel rel
                              JOIN res_company c ON c.id = rel.cid
                             WHERE rel.user_id = u.id AND c.active
                          ORDER BY c.sequence, c.id)
                 FROM res_users u
                 JOIN res_partner p ON p.id = u.partner_id
                WHERE u.id = %s""",
            [uid],
        )
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            raise ApiError("The user of these credentials is archived", 401)
        _active, main, lang, tz, companies = row
        company_ids = [main] + [c for c in companies if c != main]
        ctx = {k: v for k, v in self.env.context.items() if k == "lang"}
        ctx.update(allowed_company_ids=company_ids, tz=tz or "UTC")
        if "lang" not in ctx and lang:
            ctx["lang"] = lang
        # A new environment, not with_user(): the caller must also be the
        # transaction's origin user, which Odoo uses for x2many commands on
        # models that refuse sudo commands (res.partner, res.users...).
        return api.Environment(self.env.cr, uid, ctx)[self._name]

    # ------------------------------------------------------------------
    # Helpers shared by the routes
    # ------------------------------------------------------------------
    @api.model
    def _api_model(self, name, operation):
        if not isinstance(name, str) or name not in self.env:
            raise ApiError(f"Unknown model {name!r}")
        model = self.env[name]
        if model._abstract:
            raise ApiError(f"Model {name!r} cannot be used through this API")
        model.check_access(operation)
        return model

    @api.model
    def _api_converter(self):
        return PayloadConverter(self.env, self._api_company_free_models())

    @api.model
    def _api_company_free_models(self):
        icp = self.env["ir.config_parameter"].sudo()
        return param_str_list(icp, "webhook.ignore_checkcompany_model")

    @api.model
    def _api_find_one(self, model, search_key, converter):
        """The one record ``search_key`` matches: 404 when none, 409 when several."""
        if not isinstance(search_key, dict) or not search_key:
            raise ApiError(
                'search_key must be an object of lookup values, e.g. {"ref": "X"}'
            )
        lookup = converter._lookup(model, search_key, None, "search_key", 0)
        converter.resolve()
        if not lookup.ids:
            raise ApiError(
                f"No record of '{model._name}' matches search_key {lookup.describe()}",
                404,
            )
        if len(lookup.ids) > 1:
            raise ApiError(
                f"{len(lookup.ids)} records of '{model._name}' match "
                f"search_key {lookup.describe()} "
                f"(ids {', '.join(map(str, lookup.ids[:10]))})",
                409,
            )
        return model.browse(lookup.ids[0])

    @api.model
    def _api_check_callback_url(self, url):
        """Only http(s) URLs to public hosts (SSRF guard); hosts listed in
        webhook.outbound_allowed_hosts (JSON list) are let through."""
        if url in (None, ""):
            return None
        icp = self.env["ir.config_parameter"].sudo()
        allowed = param_str_list(icp, "webhook.outbound_allowed_hosts")
        return check_url(url, allowed, resolve=None, what="callback_url")

    @api.model
    def _api_result_spec(self, model, vals):
        """The result_field spec, checked against the model before anything
        is written (a typo must not leave a record behind)."""
        spec = parse_field_spec(vals.get("result_field") or [])
        check_spec(model, spec)
        return spec

    @api.model
    def _api_result(self, record, spec):
        return serialize_records(record, spec, with_id=True)[0]

    @api.model
    def _api_write_values(self, model, vals, record=None):
        """Convert the payload, then create ``model`` or write ``record``."""
        converter = self._api_converter()
        node = converter.prepare(
            model._name,
            vals.get("payload") or {},
            vals.get("auto_create"),
            update=bool(record),
        )
        values = converter.build(node)
        callback_url = vals.get("callback_url")
        if callback_url and "callback_url" in model._fields:
            # The outbound mixin's field: the record keeps where to report to.
            values["callback_url"] = callback_url
        if record is None:
            record = model.create(values)
            converter.attach(node, record)
        else:
            # Also with an empty payload: an upsert must not attach a
            # callback URL to a record the caller may not change.
            record.check_access("write")
            before = {fname: record[fname].ids for fname, _children in node.children}
            if values:
                record.write(values)
            converter.attach(node, record, before)
        return record

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------
    @api.model
    def _route_create_data(self, params):
        model = self._api_model(params.get("model"), "create")
        vals = params.get("vals") or {}
        callback_url = self._api_check_callback_url(vals.get("callback_url"))
        spec = self._api_result_spec(model, vals)
        record = self._api_write_values(model, vals)
        return {
            "result": self._api_result(record, spec),
            "message": f"Created {model._name} {record.id}",
            "record": record,
            "callback_url": callback_url,
        }

    @api.model
    def _route_update_data(self, params):
        model = self._api_model(params.get("model"), "write")
        vals = params.get("vals") or {}
        spec = self._api_result_spec(model, vals)
        record = self._api_find_one(
            model, vals.get("search_key"), self._api_converter()
        )
        self._api_write_values(model, vals, record)
        return {
            "result": self._api_result(record, spec),
            "message": f"Updated {model._name} {record.id}",
            "record": record,
        }

    @api.model
    def _route_create_update_data(self, params):
        model = self._api_model(params.get("model"), "write")
        model.check_access("create")
        vals = params.get("vals") or {}
        callback_url = self._api_check_callback_url(vals.get("callback_url"))
        spec = self._api_result_spec(model, vals)
        search_key = vals.get("search_key")
        try:
            record = self._api_find_one(model, search_key, self._api_converter())
        except ApiError as exc:
            if exc.status != 404:
                raise
            self.env["webhook.upsert.key"]._lock_creation(model._name, search_key)
            record = self._api_write_values(model, vals)
            message = f"Created {model._name} {record.id}"
        else:
            self._api_write_values(model, vals, record)
            message = f"Updated {model._name} {record.id}"
        return {
            "result": self._api_result(record, spec),
            "message": message,
            "record": record,
            "callback_url": callback_url,
        }

    @api.model
    def _route_search_data(self, params):
        model = self._api_model(params.get("model"), "read")
        payload = (params.get("vals") or {}).get("payload") or {}
        spec = parse_field_spec(payload.get("search_field") or DEFAULT_SEARCH_FIELDS)
        check_spec(model, spec)
        domain = parse_domain(payload.get("search_domain"))
        check_domain_fields(model, domain)
        order = parse_order(payload.get("order"), model)
        max_limit = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.search_max_limit",
            DEFAULT_SEARCH_MAX_LIMIT,
        )
        limit = payload.get("limit")
        if limit is None or limit == 0:
            limit = max_limit
        elif limit > max_limit:
            raise ApiError(
                f"limit {limit} is above the maximum of {max_limit} "
                "(system parameter webhook.search_max_limit); page with offset"
            )
        try:
            records = model.search(
                domain, offset=payload.get("offset") or 0, limit=limit, order=order
            )
        except (ValueError, AssertionError) as exc:
            raise ApiError(f"Invalid search_domain: {exc}") from None
        result = serialize_records(records, spec, with_id=True)
        return {"result": result, "message": f"{len(result)} record(s) found"}

    @api.model
    def _route_call_function(self, params):
        model = self._api_model(params.get("model"), "read")
        vals = params.get("vals") or {}
        payload = vals.get("payload") or {}
        method = payload.get("method")
        self._api_check_method(model, method)
        context = self._api_check_context(payload.get("context") or {})
        kwargs = payload.get("parameter") or {}
        record = self._api_find_one(
            model, vals.get("search_key"), self._api_converter()
        )
        try:
            result = getattr(record.with_context(**context), method)(**kwargs)
        except (TypeError, ValueError, AttributeError) as exc:
            # The method refused the caller's arguments (wrong names, types
            # or values): say so, rather than a 500.
            raise ApiError(
                f"{model._name}.{method}() refused its parameters: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        return {
            "result": to_jsonable(result),
            "message": f"Called {model._name}.{method} on {record.id}",
            "record": record,
            "function": method,
        }

    @api.model
    def _api_check_method(self, model, method):
        if not isinstance(method, str) or not method:
            raise ApiError("payload.method must be a method name")
        try:
            check_method_name(method)
        except AccessError as exc:
            raise ApiError(_first_arg(exc), 403) from None
        if method in model._fields:
            raise ApiError(f"'{method}' is a field of '{model._name}', not a method")
        if not callable(getattr(type(model), method, None)):
            raise ApiError(f"Model '{model._name}' has no method '{method}'")

    @api.model
    def _api_check_context(self, context):
        if not isinstance(context, dict):
            raise ApiError("payload.context must be an object")
        refused = sorted(
            key
            for key in context
            if key not in SAFE_CONTEXT_KEYS
            and not key.startswith(SAFE_CONTEXT_PREFIXES)
        )
        if refused:
            raise ApiError(
                f"context key(s) {', '.join(map(repr, refused))} are not allowed; "
                "allowed: "
                f"{', '.join(sorted(SAFE_CONTEXT_KEYS))} and default_*"
            )
        return context


def _first_arg(exc):
    return str(exc.args[0]) if exc.args else exc.__class__.__name__


def _header(http_info, name):
    headers = http_info.get("headers") or {}
    return headers.get(name, headers.get(name.title()))
