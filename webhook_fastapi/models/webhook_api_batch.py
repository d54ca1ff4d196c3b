# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""POST /api/batch (part of webhook.api.service): several operations of the
other routes in one transaction, each through its route's own handler.

Rollback: ``atomic`` (the default) is all or nothing, whatever
``webhook.rollback_state_failed`` and ``webhook.rollback_except`` say:
the first failure rolls back every operation (auto-created records
included). With ``atomic: false`` each operation runs in its own savepoint
and a failed one is undone exactly as the same call alone would be (those
parameters apply to it), while the others are kept.
"""

from odoo import api, models

from ..tools import ApiError
from ..tools.batch_refs import check_refs, resolve_refs
from ..tools.outcome import ApiOutcome
from ..tools.params import param_int

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
        if params.atomic:
            entries, failed = self._api_batch_atomic(operations)
        else:
            entries, failed = self._api_batch_each(operations), None
        return self._api_batch_outcome(params.atomic, entries, failed)

    @api.model
    def _api_batch_check(self, operations):
        """Refuse the batch before anything runs: too many operations (413),
        a malformed reference or one to a later operation (400)."""
        limit = param_int(
            self.env["ir.config_parameter"].sudo(),
            MAX_PARAM,
            DEFAULT_BATCH_MAX_OPERATIONS,
        )
        if len(operations) > limit:
            raise ApiError(
                f"A batch holds at most {limit} operations (system parameter "
                f"{MAX_PARAM}), got {len(operations)}: split it",
                413,
            )
        for index, operation in enumerate(operations):
            check_refs(operation.vals, index)

    @api.model
    def _api_batch_run(self, index, operation, entries):
        """The outcome of one operation: its references resolved, then its
        route's request model and handler, as for the route alone."""
        vals = resolve_refs(operation.vals, index, entries)
        body = {"params": {"model": operation.model, "vals": vals}}
        outcome = self._api_run_handler(operation.route, None, body)
        # Attributes a failure at flush (a constraint) to this operation.
        self.env.flush_all()
        return outcome

    @api.model
    def _api_batch_atomic(self, operations):
        """(entries, failed outcome or None): stops at the first failure and
        rolls every operation back."""
        entries = []
        savepoint = self.env.cr.savepoint()
        for index, operation in enumerate(operations):
            try:
                outcome = self._api_batch_run(index, operation, entries)
            except Exception as exc:  # noqa: BLE001 - mapped as for the route alone
                outcome = self._api_error_outcome(operation.route, exc, savepoint)
            entries.append(_entry(index, operation, outcome))
            if not outcome.is_success:
                # All or nothing: whatever the rollback parameters say.
                savepoint.close(rollback=True)
                for entry in entries:
                    entry["rolled_back"] = True
                return entries, outcome
        savepoint.close(rollback=False)
        return entries, None

    @api.model
    def _api_batch_each(self, operations):
        """The entries of every operation, each in its own savepoint,
        undone on failure as the route alone would be."""
        entries = []
        for index, operation in enumerate(operations):
            savepoint = self.env.cr.savepoint()
            try:
                outcome = self._api_batch_run(index, operation, entries)
                savepoint.close(rollback=False)
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
