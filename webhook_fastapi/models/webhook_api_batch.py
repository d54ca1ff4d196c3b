# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""POST /api/batch (part of webhook.api.service): several operations of the
other routes in one transaction, each through its route's own handler.

Rollback: ``atomic`` (the default) is all or nothing, whatever
``webhook.rollback_state_failed`` and ``webhook.rollback_except`` say:
the first failure rolls back every operation (auto-created records
included). With ``atomic: false`` each operation runs in its own savepoint
and a failed one is undone exactly as the same call alone would be (those
parameters apply to it), while the others are kept.

Cheaper than its operations one by one:

- the ``search_key`` of every operation is looked up before the first one
  runs, one search per (model, lookup fields), and what any lookup finds is
  kept for the later ones (tools/batch_lookups.py: an operation that
  creates or changes a record is seen by the next ones' lookups, as if
  each searched); the records found share one prefetch set, so a field
  read on one is read for all;
- an atomic batch is not flushed between its operations: Odoo then writes
  the rows of many operations in one UPDATE. A failure can then surface in
  a later operation than the one that caused it (a constraint checked at
  the flush): unless it is one of the API's own refusals, which name their
  operation for sure, the batch is rolled back and run again flushed after
  each operation, as the answer must name the operation that failed. An
  operation that runs a method (call_function) starts from a flushed state.
"""

import psycopg2
from pydantic import ValidationError as PydanticValidationError

from odoo import api, models

from ..tools import ApiError
from ..tools.batch_lookups import CONTEXT_KEY as BATCH_LOOKUPS
from ..tools.batch_lookups import BatchLookups
from ..tools.batch_refs import check_refs, has_refs, resolve_refs
from ..tools.converter import PayloadConverter
from ..tools.errors import (
    MAX_JSON_DEPTH,
    json_depth_exceeds,
    operation_errors,
    schema_error_message,
)
from ..tools.original_format import CallNotes
from ..tools.outcome import ApiOutcome
from ..tools.params import param_int
from .webhook_api_service import CONCURRENCY_ERRORS

DEFAULT_BATCH_MAX_OPERATIONS = 100
MAX_PARAM = "webhook.batch_max_operations"
# How many operations the batch's message names one by one (the answer
# and the log's response preview hold them all).
SUMMARY_OPERATIONS = 20


# One model in several files, to keep each under 400 lines.
class WebhookApiService(models.AbstractModel):
    _inherit = "webhook.api.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _route_batch(self, params):
        operations = params.operations
        self._api_batch_check(operations)
        # Read once for every operation: the parameters (response format,
        # models without company check), one environment and one notes
        # object (emptied per operation), not one each.
        lookups = BatchLookups(self.env, self._api_company_free_models())
        service = self.with_context(
            webhook_api_notes=CallNotes(),
            webhook_response_format=self._api_format(),
            **{BATCH_LOOKUPS: lookups},
        )
        lookups.start()
        try:
            service._api_batch_prefetch(operations)
            if params.atomic:
                entries, failed = service._api_batch_atomic(operations)
            else:
                entries, failed = service._api_batch_each(operations), None
        finally:
            lookups.stop()
        return self._api_batch_outcome(params.atomic, entries, failed)

    @api.model
    def _api_batch_prefetch(self, operations):
        """Look up the ``search_key`` of every operation at once: one
        search per (model, lookup fields), kept for the operations. What
        cannot be looked up now (an unknown model or field, a reference to
        an earlier result, no right to read) is left to its operation,
        which fails or searches then as alone."""
        converter = self._api_converter()
        if converter.shared is None:
            return
        pending = False
        for operation in operations:
            key = operation.vals.get("search_key")
            name = operation.model
            if (
                operation.route == "search_data"
                or not isinstance(key, dict)
                or not key
                or has_refs(key)
                or name not in self.env
                or self.env[name]._abstract
                or not self.env[name].has_access("read")
            ):
                continue
            try:
                converter._lookup(self.env[name], key, None, "search_key", 0)
            except ApiError:
                continue
            pending = True
        if not pending:
            return
        savepoint = self._api_batch_savepoint()
        try:
            converter.resolve()
        except (ApiError, psycopg2.Error) as exc:
            # Each operation searches for itself and says what is wrong.
            savepoint.close(rollback=True)
            if getattr(exc, "pgcode", None) in CONCURRENCY_ERRORS:
                raise
            return
        self._api_batch_release(savepoint)

    @api.model
    def _api_run_handler(self, route, request, body, checked=False):
        if route == "batch":
            # Before the body is walked (checked, validated): 200,000
            # operations are refused in a moment, not in seconds.
            operations = (body.get("params") or {}).get("operations")
            if isinstance(operations, list):
                self._api_batch_check_count(len(operations))
                if json_depth_exceeds(body["params"]):
                    _name_deep_operation(operations)
        return super()._api_run_handler(route, request, body, checked)

    @api.model
    def _api_converter(self):
        """In a batch: its kept lookups, and the parameters it read once."""
        lookups = self.env.context.get(BATCH_LOOKUPS)
        if lookups is None:
            return super()._api_converter()
        return PayloadConverter(
            self.env,
            lookups.company_free_models,
            ignore_unknown=self._api_original(),
            shared=lookups if lookups.serves(self.env) else None,
            root=lookups.root,
        )

    @api.model
    def _api_find_one(self, model, search_key, converter, missing_ok=False):
        record = super()._api_find_one(model, search_key, converter, missing_ok)
        if record and converter.shared is not None:
            # Read with the other records the batch's lookups found: a field
            # read on one is read for all, not once per operation.
            record = record.with_prefetch(converter.shared.prefetch_ids(model._name))
        return record

    @api.model
    def _api_batch_check_count(self, count):
        limit = param_int(
            self.env["ir.config_parameter"].sudo(),
            MAX_PARAM,
            DEFAULT_BATCH_MAX_OPERATIONS,
        )
        if count > limit:
            raise ApiError(
                f"A batch holds at most {limit} operations (system parameter "
                f"{MAX_PARAM}), got {count}: split it",
                413,
            )

    @api.model
    def _api_batch_check(self, operations):
        """Refuse the batch before anything runs: too many operations (413),
        a malformed reference or one to a later operation (400)."""
        self._api_batch_check_count(len(operations))
        for index, operation in enumerate(operations):
            check_refs(operation.vals, index)

    @api.model
    def _api_batch_run(self, index, operation, entries, flush=True):
        """The outcome of one operation: its references resolved, then its
        route's request model and handler, as for the route alone."""
        vals = resolve_refs(operation.vals, index, entries)
        body = {"params": {"model": operation.model, "vals": vals}}
        notes = self.env.context.get("webhook_api_notes")
        if notes is not None:
            notes.messages.clear()
        if not flush and operation.route == "call_function":
            # The method starts from what the earlier operations wrote.
            self.env.flush_all()
        lookups = self.env.context.get(BATCH_LOOKUPS)
        if lookups is not None:
            lookups.root = f"params.operations.{index}.vals."
        try:
            # The batch's values were checked whole (check_json_value); those
            # a reference brings come from an earlier answer.
            outcome = self._api_run_handler(operation.route, None, body, checked=True)
        except PydanticValidationError as exc:
            # The places in the batch's body, not in the operation's alone.
            raise ApiError(
                schema_error_message(operation_errors(exc.errors(), index)), 422
            ) from None
        if flush:
            # Attributes a failure at flush (a constraint) to this operation.
            self.env.flush_all()
        return outcome

    @api.model
    def _api_batch_savepoint(self):
        lookups = self.env.context.get(BATCH_LOOKUPS)
        watched = lookups is not None and lookups.is_active()
        savepoint = self.env.cr.savepoint()
        if watched:
            # The savepoint's flush made Odoo forget the registration; the
            # hooks saw everything the flush did.
            lookups.start()
        return savepoint

    @api.model
    def _api_batch_release(self, savepoint):
        lookups = self.env.context.get(BATCH_LOOKUPS)
        watched = lookups is not None and lookups.is_active()
        savepoint.close(rollback=False)
        if watched:
            lookups.start()

    @api.model
    def _api_batch_atomic(self, operations):
        """(entries, failed outcome or None): stops at the first failure and
        rolls every operation back. Runs unflushed first; see the module's
        docstring for when it runs again flushed after each operation."""
        savepoint = self._api_batch_savepoint()
        entries, failed, exact = self._api_batch_pass(operations, savepoint, False)
        if exact:
            savepoint.close(rollback=failed is not None)
        else:
            savepoint.close(rollback=True)
            savepoint = self._api_batch_savepoint()
            entries, failed, _exact = self._api_batch_pass(operations, savepoint, True)
            savepoint.close(rollback=failed is not None)
        if failed is not None:
            for entry in entries:
                entry["rolled_back"] = True
        return entries, failed

    @api.model
    def _api_batch_pass(self, operations, savepoint, flush):
        """(entries, failed outcome or None, whether the answer is exact):
        not exact when unflushed operations failed in a way that another
        operation may have caused."""
        entries = []
        for index, operation in enumerate(operations):
            try:
                outcome = self._api_batch_run(index, operation, entries, flush)
            except Exception as exc:  # noqa: BLE001 - mapped as for the route alone
                if not flush and not isinstance(
                    exc, ApiError | PydanticValidationError
                ):
                    if getattr(exc, "pgcode", None) in CONCURRENCY_ERRORS:
                        savepoint.close(rollback=True)
                        raise
                    return entries, None, False
                outcome = self._api_error_outcome(operation.route, exc, savepoint)
            entries.append(_entry(index, operation, outcome))
            if not outcome.is_success:
                return entries, outcome, True
        if not flush:
            try:
                self.env.flush_all()
            except Exception as exc:  # noqa: BLE001 - run again to name the operation
                if getattr(exc, "pgcode", None) in CONCURRENCY_ERRORS:
                    savepoint.close(rollback=True)
                    raise
                return entries, None, False
        return entries, None, True

    @api.model
    def _api_batch_each(self, operations):
        """The entries of every operation, each in its own savepoint,
        undone on failure as the route alone would be."""
        entries = []
        for index, operation in enumerate(operations):
            savepoint = self._api_batch_savepoint()
            try:
                outcome = self._api_batch_run(index, operation, entries)
                self._api_batch_release(savepoint)
            except Exception as exc:  # noqa: BLE001 - mapped as for the route alone
                outcome = self._api_fail(operation.route, exc, savepoint)
            entries.append(_entry(index, operation, outcome))
            entries[-1]["error_trace"] = outcome.error_trace
        return entries

    @api.model
    def _api_batch_outcome(self, atomic, entries, failed):
        traces = [e.pop("error_trace", None) for e in entries]
        result = {"atomic": atomic, "operations": entries}
        done = sum(1 for e in entries if e["is_success"])
        summary = _summary(entries)
        if failed is not None:
            bad = entries[-1]
            result["failed_operation"] = bad["index"]
            return ApiOutcome(
                status=failed.status,
                result=result,
                message=(
                    f"Operation {bad['index']} ({bad['route']} {bad['model']}) "
                    f"failed with {bad['status']}: {bad['messages']} | nothing "
                    f"was kept (atomic batch rolled back) | {summary}"
                ),
                error_trace=failed.error_trace,
            )
        result.update(succeeded=done, failed=len(entries) - done)
        return ApiOutcome(
            result=result,
            message=(
                f"{len(entries)} operation(s), {done} succeeded, "
                f"{len(entries) - done} failed | {summary}"
            ),
            error_trace="\n".join(t for t in traces if t) or None,
        )


def _name_deep_operation(operations):
    """The 400 of a batch nested too deeply, naming the operation (the
    depth counts from params: operations, then the operation)."""
    for index, operation in enumerate(operations):
        if json_depth_exceeds(operation, MAX_JSON_DEPTH - 2):
            raise ApiError(
                f"params.operations.{index} (operation {index}): nested deeper "
                f"than {MAX_JSON_DEPTH} levels"
            )


def _entry(index, operation, outcome):
    """One operation's part of the answer (what references point into)."""
    entry = {
        "index": index,
        "route": operation.route,
        "model": operation.model,
        "status": outcome.status,
        "is_success": outcome.is_success,
        "result": outcome.result,
        "messages": outcome.message,
    }
    if outcome.page and outcome.is_success:
        entry.update(outcome.page)
    return entry


def _summary(entries):
    """A short line per operation for the message (and the log's list)."""
    parts = [
        f"#{e['index']} {e['status']} {e['messages'][:80]}"
        for e in entries[:SUMMARY_OPERATIONS]
    ]
    if len(entries) > SUMMARY_OPERATIONS:
        parts.append(f"... {len(entries) - SUMMARY_OPERATIONS} more")
    return "; ".join(parts)
