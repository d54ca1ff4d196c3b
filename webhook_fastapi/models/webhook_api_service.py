# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The business logic of the webhook API, in one inheritable model.

``_api_handle`` is the single place where every route is authenticated,
run inside a savepoint, rolled back on failure, mapped to an HTTP status
and logged. Each route's handler (named in route_table.ROUTES, defined in
webhook_api_routes.py) takes the route's typed params and returns an
ApiOutcome; authentication is in webhook_api_auth.py. Other addons extend
any of them with ``_inherit = "webhook.api.service"``.
"""

import logging
import time
import traceback

import psycopg2
from psycopg2 import errorcodes
from pydantic import ValidationError as PydanticValidationError

from odoo import api, models
from odoo.exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.tools import SQL

from ..route_table import ROUTES
from ..tools import ApiError
from ..tools.errors import check_json_value, schema_error_message
from ..tools.extendable_context import extendable_registry
from ..tools.idempotency import REPLAYED_HEADER, check_key, fingerprint, key_of
from ..tools.original_format import CallNotes
from ..tools.outcome import ApiOutcome
from ..tools.params import param_bool
from ..tools.savepoint import CallSavepoint

_logger = logging.getLogger(__name__)

CONCURRENCY_ERRORS = (
    errorcodes.LOCK_NOT_AVAILABLE,
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
)


class WebhookApiService(models.AbstractModel):
    _name = "webhook.api.service"
    _description = "Webhook REST API service"

    # ------------------------------------------------------------------
    # The one entry point
    # ------------------------------------------------------------------
    @api.model
    def _api_handle(self, route, body, http_info, as_uid=None, log_extra=None):
        """Run ``route`` for ``body`` (its request model, or the same as a
        dict, e.g. from the log); return ``(http_status, response_dict)``.

        ``as_uid`` runs the call as that user without looking at credentials:
        only for trusted server-side callers (replay from the log).
        ``log_extra`` adds values to the log entry. Never raises, except for
        database concurrency errors, which Odoo retries with a fresh
        transaction.
        """
        started = time.perf_counter()
        request = None if isinstance(body, dict) else body
        if request is not None:
            # Python mode: NaN or 1e400 must reach the checks, not become null.
            body = request.model_dump()
        uid = claim = None
        service = self  # once authenticated: in the integration's format
        savepoint = CallSavepoint(
            self.env.cr, before=self._api_transaction_settings(route, as_uid), lazy=True
        )
        try:
            # The savepoint rides on the API key's query (a read), if any.
            http_info["webhook_savepoint"] = savepoint
            uid = as_uid or self._api_caller(http_info)
            savepoint.open()
            # Network, rate limit and scopes of the caller's integration, if any.
            self._api_check_integration(route, body, http_info)
            service = self._api_for_integration(http_info)
            # Before any work: a repeated key is answered without running.
            claim, outcome = service._api_idempotency_claim(route, body, http_info, uid)
            # The caller's values read with its API key, if it sent one.
            user_row = None if as_uid else http_info.get("webhook_user_row")
            outcome = outcome or service._api_run(
                route, request, body, uid, user_row and user_row[1]
            )
            savepoint.keep()  # released with the log entry's INSERT
        except Exception as exc:  # noqa: BLE001 - mapped in one place for all routes
            outcome = service._api_fail(route, exc, savepoint)
        return service._api_respond(
            route, body, http_info, outcome, uid, started, log_extra, claim, savepoint
        )

    @api.model
    def _api_transaction_settings(self, route, as_uid=None):
        """An SQL statement setting the call's transaction, or None.

        A read route writes nothing but its log entry, yet that one row made
        its commit wait for the WAL to reach the disk, which a native read
        never does: more than the rest of a small call's database work
        (0.5 to 2 ms here). Such a call commits without waiting (PostgreSQL's
        ``synchronous_commit`` off, for this transaction only): the entry
        is committed and visible at once, atomically; only a crash of the
        database server within a fraction of a second (three WAL writer
        delays at most) could lose it. Not for a replay (``as_uid``), which
        runs in the transaction of whoever replays it."""
        spec = ROUTES.get(route)
        if as_uid or spec is None or spec.writes:
            return None
        return SQL("SET LOCAL synchronous_commit TO OFF")

    @api.model
    def _api_caller(self, http_info):
        self._api_check_content_type(http_info)
        return self._api_authenticate(http_info)

    @api.model
    def _api_run(self, route, request, body, uid, user_row=None):
        """Run the route's handler as ``uid`` with the typed params of
        ``request`` (validated from ``body`` when there is none yet);
        ``user_row``: see ``_api_user_env``."""
        spec = ROUTES.get(route)
        if spec is None:
            raise ApiError(f"No such route: {route}", 404)
        service = self._api_user_env(uid, user_row, company_paths=not spec.writes)
        return service._api_run_handler(route, request, body)

    @api.model
    def _api_run_handler(self, route, request, body, checked=False):
        """Run the route's handler on this service, already the caller's
        (also each operation of a batch: ``checked`` when its values were
        checked with the batch's; it brings the notes it empties for each)."""
        spec = ROUTES.get(route)
        if spec is None:
            raise ApiError(f"No such route: {route}", 404)
        if not checked:
            check_json_value(body.get("params"), "params")
        if request is None:
            with extendable_registry(self.env.cr.dbname):
                request = spec.request_model.model_validate(body)
        notes = self.env.context.get("webhook_api_notes")
        service = self
        if notes is None:
            notes = CallNotes()
            service = self.with_context(webhook_api_notes=notes)
        handler = getattr(service, spec.handler, None)
        if handler is None:
            # Routes are mounted per process: an addon that added this one
            # is not installed in this database.
            raise ApiError(f"No such route in this database: {route}", 404)
        outcome = handler(request.params)
        outcome.message = notes.append_to(outcome.message)
        return outcome

    @api.model
    def _api_idempotency_claim(self, route, body, http_info, uid):
        """``(claim, replay)`` for the Idempotency-Key header of a write
        route: ``claim`` (uid, key, fingerprint) when this call runs with a
        new key, or ``replay``, the outcome that resends the kept answer.
        Both None without a key or on a read route (the header is ignored)."""
        spec = ROUTES.get(route)
        key = check_key(key_of(http_info)) if spec and spec.writes else None
        if key is None:
            return None, None
        # Refuse what cannot be fingerprinted (too deep, NaN...) first.
        check_json_value(body.get("params"), "params")
        digest = fingerprint(body.get("params"))
        kept = self.env["webhook.idempotency.key"]._claim(uid, key, digest)
        if kept is None:
            return (uid, key, digest), None
        status, response = kept
        # The kept answer, with this request's JSON-RPC id.
        response = dict(response, id=body.get("id"))
        result = response.get("result") or {}
        http_info.setdefault("response_headers", {})[REPLAYED_HEADER] = "true"
        return None, ApiOutcome(
            status=status,
            message=result.get("messages") or "",
            success=bool(result.get("is_success")),
            response=response,
            log_values={"idempotent_replay": True},
        )

    @api.model
    def _api_fail(self, route, exc, savepoint):
        """The outcome of a failed call; undoes its work as configured."""
        outcome = self._api_error_outcome(route, exc, savepoint)
        status = outcome.status
        # Always undone, whatever the parameters say: a failed SQL statement
        # leaves the transaction unusable, and data that broke a constraint
        # must never be committed.
        invalid = isinstance(exc, psycopg2.Error | ValidationError)
        try:
            savepoint.close(rollback=invalid or self._api_rollback_wanted(status))
        except psycopg2.Error as flush_error:
            # Keeping the partial work failed on flush (a constraint): the
            # savepoint is rolled back by then; the call stays failed.
            _logger.info(
                "webhook API %s: partial work not kept: %s", route, flush_error
            )
        return outcome

    @api.model
    def _api_error_outcome(self, route, exc, savepoint):
        """The outcome of an exception (called in its ``except`` block).
        Database concurrency errors roll ``savepoint`` back and are raised
        again: Odoo retries the whole request in a new transaction."""
        if (
            isinstance(exc, psycopg2.OperationalError)
            and exc.pgcode in CONCURRENCY_ERRORS
        ):
            savepoint.close(rollback=True)
            raise exc
        status, message = self._api_map_error(exc)
        outcome = ApiOutcome(status=status, message=message)
        if status >= 500:
            outcome.error_trace = traceback.format_exc()
            _logger.exception("webhook API %s failed", route)
        return outcome

    @api.model
    def _api_respond(
        self,
        route,
        body,
        http_info,
        outcome,
        uid,
        started,
        log_extra=None,
        claim=None,
        savepoint=None,
    ):
        """Envelope and log entry of ``outcome``: for every answer, also the
        refusals the dispatcher makes before any route runs. The log keeps
        the truthful status, whatever status the response format sends.
        ``claim``: the idempotency key this call ran with, to keep its answer.
        ``savepoint``: the call's CallSavepoint, whose pending RELEASE the log
        entry's INSERT sends (or sent here, without an entry)."""
        response = outcome.response or self._api_envelope(body, outcome)
        if claim:
            self.env["webhook.idempotency.key"]._finish(
                *claim, outcome.status, response
            )
        self._api_log(
            route=route,
            params=_params_of(body),
            body=body,
            http_info=http_info,
            status=outcome.status,
            response=response,
            uid=uid,
            outcome=outcome,
            error_trace=outcome.error_trace,
            duration_ms=(time.perf_counter() - started) * 1000.0,
            log_extra=log_extra,
            savepoint=savepoint,
        )
        if savepoint is not None:
            savepoint.release()
        return self._api_wire_status(outcome.status), response

    @api.model
    def _api_envelope(self, body, outcome):
        """The answer's JSON-RPC envelope."""
        result = {
            "is_success": outcome.is_success,
            # None on failure, but for what a refusal reports (the current
            # write_date of a failed precondition).
            "result": outcome.result,
            "messages": outcome.message,
        }
        if outcome.page and outcome.is_success:
            result.update(outcome.page)
        return {
            "jsonrpc": "2.0",
            "id": body.get("id") if isinstance(body, dict) else None,
            "result": result,
        }

    @api.model
    def _api_map_error(self, exc):
        """(status, message) for an exception: the one error mapping."""
        if isinstance(exc, ApiError):
            return exc.status, exc.message
        if isinstance(exc, PydanticValidationError):
            return 422, schema_error_message(exc.errors())
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
        if not self._api_log_wanted(values["route"], values["outcome"]):
            return None
        return self.env["webhook.log"].sudo()._log_received_call(**values)

    @api.model
    def _api_log_wanted(self, route, outcome):
        """Whether this call gets a log entry: its route's switch (other
        addons may keep entries they need)."""
        spec = ROUTES.get(route)
        icp = self.env["ir.config_parameter"].sudo()
        return not spec or param_bool(icp, spec.log_param, True)


def _first_arg(exc):
    return str(exc.args[0]) if exc.args else exc.__class__.__name__


def _params_of(body):
    params = body.get("params") if isinstance(body, dict) else None
    return params if isinstance(params, dict) else {}
