# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The handlers of route_table.ROUTES (part of webhook.api.service). Each
takes its route's typed params (the extendable Pydantic model, extensions
of other addons included) and returns an ApiOutcome."""

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.models import check_method_name
from odoo.tools import SQL

from ..tools import (
    ApiError,
    to_jsonable,
)
from ..tools.outcome import ApiOutcome
from ..tools.precondition import changed_since, parse_since, precise_string

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


# One model in three files, to keep each under 400 lines.
class WebhookApiService(models.AbstractModel):
    _inherit = "webhook.api.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _route_create_data(self, params):
        model = self._api_model(params.model, "create")
        vals = params.vals
        spec = self._api_result_spec(model, vals.result_field)
        record = self._api_write_values(model, vals)
        return ApiOutcome(
            result=self._api_result(record, spec),
            message=f"Created {model._name} {record.id}",
            record=record,
        )

    @api.model
    def _route_update_data(self, params):
        model = self._api_model(params.model, "write")
        vals = params.vals
        spec = self._api_result_spec(model, vals.result_field)
        # The original format answers success when nothing matches; several
        # matches are refused in both formats (the original updated them all).
        record = self._api_find_one(
            model,
            vals.search_key,
            self._api_converter(),
            missing_ok=self._api_original(),
        )
        if not record:
            return self._api_nothing_updated(model, vals)
        stale = self._api_check_unmodified(record, vals.if_unmodified_since)
        if stale:
            return stale
        self._api_write_values(model, vals, record)
        return ApiOutcome(
            result=self._api_update_result(record, vals, spec),
            message=f"Updated {model._name} {record.id}",
            record=record,
        )

    @api.model
    def _route_create_update_data(self, params):
        model = self._api_model(params.model, "write")
        model.check_access("create")
        vals = params.vals
        spec = self._api_result_spec(model, vals.result_field)
        try:
            record = self._api_find_one(model, vals.search_key, self._api_converter())
        except ApiError as exc:
            if exc.status != 404:
                raise
            # Serializes concurrent creations of this key: see _lock_creation.
            self.env["webhook.upsert.key"]._lock_creation(model._name, vals.search_key)
            record = self._api_write_values(model, vals)
            message = f"Created {model._name} {record.id}"
        else:
            stale = self._api_check_unmodified(record, vals.if_unmodified_since)
            if stale:
                return stale
            self._api_write_values(model, vals, record)
            message = f"Updated {model._name} {record.id}"
        return ApiOutcome(
            result=self._api_result(record, spec), message=message, record=record
        )

    @api.model
    def _api_check_unmodified(self, record, since):
        """The 409 outcome when ``record`` was written after ``since`` (the
        write_date the caller read), else None. Compared in SQL to the
        microsecond: the ORM's string form of write_date drops them, and a
        write later in the same second must be seen. Under Odoo's repeatable
        read, a write committed after this snapshot makes our own write fail
        and the request retried, which then sees the new write_date."""
        if since is None:
            return None
        given, precise = parse_since(since)
        # Read by SQL: a write earlier in the same batch must be flushed.
        record.flush_recordset(["write_date"])
        self.env.cr.execute(
            SQL(
                "SELECT write_date FROM %s WHERE id = %s",
                SQL.identifier(record._table),
                record.id,
            )
        )
        current = self.env.cr.fetchone()[0]
        if not changed_since(current, given, precise):
            return None
        return ApiOutcome(
            status=409,
            result={"id": record.id, "write_date": precise_string(current)},
            message=(
                f"{record._name} {record.id} was modified at "
                f"{precise_string(current)}, after if_unmodified_since "
                f"{since}: nothing written; read it again and retry"
            ),
            record=record,
        )

    @api.model
    def _route_call_function(self, params):
        model = self._api_model(params.model, "read")
        payload = params.vals.payload
        method = payload.method
        self._api_check_method(model, method)
        context = self._api_check_context(payload.context or {})
        record = self._api_find_one(
            model, params.vals.search_key, self._api_converter()
        )
        try:
            result = getattr(record.with_context(**context), method)(
                **(payload.parameter or {})
            )
        except (TypeError, ValueError, AttributeError) as exc:
            # The method refused the caller's arguments (wrong names, types
            # or values): say so, rather than a 500.
            raise ApiError(
                f"{model._name}.{method}() refused its parameters: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        return ApiOutcome(
            result=to_jsonable(result),
            message=f"Called {model._name}.{method} on {record.id}",
            record=record,
            function=method,
        )

    @api.model
    def _api_check_method(self, model, method):
        if not method:
            raise ApiError("payload.method must be a method name")
        try:
            check_method_name(method)
        except AccessError as exc:
            raise ApiError(str(exc.args[0]) if exc.args else "", 403) from None
        if method in model._fields:
            raise ApiError(f"'{method}' is a field of '{model._name}', not a method")
        if not callable(getattr(type(model), method, None)):
            raise ApiError(f"Model '{model._name}' has no method '{method}'")

    @api.model
    def _api_check_context(self, context):
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
