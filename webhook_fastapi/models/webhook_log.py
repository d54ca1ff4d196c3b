# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import logging
import threading

import psycopg2

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..route_table import ROUTES
from ..tools.errors import MAX_JSON_DEPTH, json_depth_exceeds
from ..tools.params import param_int
from ..tools.redact import redact, redact_headers, redact_text

_logger = logging.getLogger(__name__)

DEFAULT_PREVIEW_LIMIT = 2000
DEFAULT_RETENTION_DAYS = 30
DEFAULT_ANONYMOUS_LOG_LIMIT = 100
MAX_HEADERS_TEXT = 8000


class WebhookLog(models.Model):
    """One inbound call (Receive). Other addons add kinds of entries
    (``selection_add`` on log_type and state) and their fields."""

    _name = "webhook.log"
    _description = "Webhook API Log"
    _order = "id desc"
    _rec_name = "display_label"

    date = fields.Datetime(
        required=True,
        default=fields.Datetime.now,
        index=True,
        readonly=True,
        help="When the call was received or the delivery was queued.",
    )
    log_type = fields.Selection(
        [("receive", "Receive")],
        required=True,
        default="receive",
        index=True,
    )
    route = fields.Char(index=True)
    model_name = fields.Char("Model", index=True)
    function = fields.Char(help="Method called through /api/call_function.")
    user_id = fields.Many2one("res.users", ondelete="set null", index="btree_not_null")
    integration_id = fields.Many2one(
        "webhook.integration",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        help="The integration whose API key made the call.",
    )
    state = fields.Selection(
        [("done", "Done"), ("failed", "Failed")],
        required=True,
        default="done",
        index=True,
    )
    # A status code is no quantity: grouped rows show no sum of them.
    http_status = fields.Integer("HTTP Status", aggregator=None)
    # Averaged in grouped views: a sum of durations means nothing.
    duration_ms = fields.Float("Duration (ms)", digits=(16, 1), aggregator="avg")
    remote_addr = fields.Char("Remote Address")
    request_headers = fields.Text(help="Request headers, secrets redacted.")
    request_preview = fields.Text()
    request_size = fields.Integer(help="Characters of the whole request JSON.")
    response_preview = fields.Text()
    response_size = fields.Integer(help="Characters of the whole response JSON.")
    error_message = fields.Text()
    suppressed_count = fields.Integer(
        "Similar Calls Not Logged",
        readonly=True,
        help="Failed calls without valid credentials that came after this one "
        "in the same hour, once the hourly limit of such entries "
        "(webhook.anonymous_log_limit) was reached: counted here, not stored.",
    )
    traceback = fields.Text()
    res_model = fields.Char("Record Model", index=True)
    res_id = fields.Many2oneReference(
        "Record ID", model_field="res_model", index="btree_not_null"
    )
    full_log_attachment_id = fields.Many2one(
        "ir.attachment", "Full Log", ondelete="set null"
    )
    replayed_from_id = fields.Many2one(
        "webhook.log",
        "Replay Of",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        help="The received call this entry replayed.",
    )
    replay_ids = fields.One2many(
        "webhook.log", "replayed_from_id", "Replays", readonly=True
    )
    replay_count = fields.Integer(compute="_compute_replay_count")
    can_replay = fields.Boolean(compute="_compute_can_replay")
    display_label = fields.Char(compute="_compute_display_label")
    success_rate = fields.Float(
        "Success Rate (%)",
        compute="_compute_success_rate",
        aggregator="avg",
        digits=(16, 1),
        help="100 for a Done entry, 0 for a Failed one: averaged in the graph "
        "and pivot views, the share of finished entries that succeeded. "
        "Entries in a state other addons add are left out.",
    )

    @api.depends("replay_ids")
    def _compute_replay_count(self):
        counts = (
            dict(
                self._read_group(
                    [("replayed_from_id", "in", self.ids)],
                    ["replayed_from_id"],
                    ["__count"],
                )
            )
            if self.ids
            else {}
        )
        for log in self:
            log.replay_count = counts.get(log, 0)

    @api.depends("log_type", "route")
    def _compute_can_replay(self):
        for log in self:
            log.can_replay = log.log_type == "receive" and log._replay_route() in ROUTES

    def _replay_route(self):
        return (self.route or "").removeprefix("/api/")

    @api.depends("log_type", "route", "model_name", "create_date")
    def _compute_display_label(self):
        for log in self:
            label = (
                f"{log.route or log.log_type} {log.model_name or ''} #{log.id or ''}"
            )
            log.display_label = label.strip()

    @api.depends("state")
    def _compute_success_rate(self):
        for log in self:
            log.success_rate = 100.0 if log.state == "done" else 0.0

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        # success_rate is an SQL expression over state, not a column: nothing
        # to write or recompute, and NULL (left out of AVG) for entries that
        # are neither Done nor Failed (the outbound addon's Pending), which a
        # stored float could not be: the ORM writes False as 0.
        if fname == "success_rate":
            state = super()._field_to_sql(alias, "state", query, flush)
            return SQL(
                "(CASE %s WHEN 'done' THEN 100.0 WHEN 'failed' THEN 0.0 END)", state
            )
        return super()._field_to_sql(alias, fname, query, flush)

    # ------------------------------------------------------------------
    @api.model
    def _preview_limit(self):
        return param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.preview_limit",
            DEFAULT_PREVIEW_LIMIT,
        )

    @api.model
    def _prepare_payload_vals(self, prefix, payload, limit):
        """Preview, size and the text to keep in full, secrets redacted.

        A body that was not JSON (or not an object) is kept as its preview
        only: it is a failed call, and scanning or storing megabytes of
        unparsed text is exactly what a hostile caller wants."""
        if isinstance(payload, str):
            text = _storable(redact_text(payload[:limit]))
            return {f"{prefix}_preview": text, f"{prefix}_size": len(payload)}, text
        if json_depth_exceeds(payload):
            text = f'"(not stored: nested deeper than {MAX_JSON_DEPTH} levels)"'
        else:
            text = json.dumps(redact(payload), default=str, ensure_ascii=False)
            text = _storable(text)
        return {f"{prefix}_preview": text[:limit], f"{prefix}_size": len(text)}, text

    @api.model
    def _log_received_call(
        self,
        route,
        params,
        body,
        http_info,
        status,
        response,
        uid,
        outcome,
        error_trace,
        duration_ms,
        log_extra=None,
        savepoint=None,
    ):
        """Write the entry of one inbound call (called by webhook.api.service);
        ``outcome`` is its ApiOutcome; ``savepoint``: the call's
        CallSavepoint, whose pending RELEASE the INSERT sends."""
        record = outcome.record
        result = response.get("result") or {}
        success = outcome.is_success
        if not uid and not success and self._anonymous_failure_suppressed():
            return self.browse()
        headers = redact_headers((http_info or {}).get("headers"))
        vals = {
            "log_type": "receive",
            "route": _storable(f"/api/{route}"),
            "model_name": _storable(params.get("model")),
            "function": _storable(
                outcome.function or _call_function_name(route, params)
            ),
            "user_id": uid or False,
            "state": "done" if success else "failed",
            "http_status": status,
            "duration_ms": duration_ms,
            "remote_addr": (http_info or {}).get("remote_addr"),
            "request_headers": _storable(
                json.dumps(headers, ensure_ascii=False, indent=1)[:MAX_HEADERS_TEXT]
            ),
            "error_message": False if success else _storable(result.get("messages")),
            "traceback": error_trace or False,
            "res_model": record._name if record else False,
            "res_id": record.id if record and len(record) == 1 else False,
            **outcome.log_values,
            **(log_extra or {}),
        }
        return self._create_with_payloads(vals, body, response, savepoint)

    @api.model
    def _anonymous_failure_suppressed(self):
        """Whether this failed call without valid credentials goes uncounted
        in its own entry: at most ``webhook.anonymous_log_limit`` (default
        100) such entries per hour; past that, the hour's last entry counts
        the calls it stands for, so a flood cannot grow the table."""
        limit = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.anonymous_log_limit",
            DEFAULT_ANONYMOUS_LOG_LIMIT,
        )
        cr = self.env.cr
        cr.execute(
            """SELECT id FROM webhook_log
                WHERE user_id IS NULL AND log_type = 'receive' AND state = 'failed'
                  AND date >= (now() at time zone 'UTC') - interval '1 hour'
             ORDER BY id DESC LIMIT %s""",
            [limit],
        )
        ids = [row[0] for row in cr.fetchall()]
        if len(ids) < limit:
            return False
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    "UPDATE webhook_log SET suppressed_count = "
                    "COALESCE(suppressed_count, 0) + 1 WHERE id = %s",
                    [ids[0]],
                    log_exceptions=False,
                )
        except psycopg2.errors.SerializationFailure:
            # A concurrent flood call counted on the same row first.
            _logger.debug("webhook.log: a suppressed anonymous call went uncounted")
        return True

    @api.model
    def _create_with_payloads(self, vals, request, response, savepoint=None):
        limit = self._preview_limit()
        request_vals, request_text = self._prepare_payload_vals(
            "request", request, limit
        )
        response_vals, response_text = self._prepare_payload_vals(
            "response", response, limit
        )
        log = self._insert_entry({**vals, **request_vals, **response_vals}, savepoint)
        # Full texts only for calls whose caller is known: an anonymous
        # caller must not be able to store megabytes per call.
        if vals.get("user_id") and (
            len(request_text) > limit or len(response_text) > limit
        ):
            log._attach_full_log(request_text, response_text)
        return log

    # No unlink() override: Odoo's own unlink() removes the attachments
    # linked by res_model/res_id, the full log included.

    @api.model
    def _gc_domain(self, limit_date):
        """Entries the retention job deletes; other addons keep some (a
        ``expression.AND`` with theirs)."""
        return [("date", "<", limit_date)]

    @api.model
    def _gc_old_logs(self, batch_size=1000, max_batches=100):
        """Scheduled action: delete the entries (and their full-log
        attachments) older than ``webhook.log_retention_days`` days (default
        30), ``batch_size`` at a time, among ``_gc_domain``.

        At most ``max_batches`` batches per run: when more are left, the
        cron is told so and runs again soon. Each batch is committed, except
        in tests."""
        days = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.log_retention_days",
            DEFAULT_RETENTION_DAYS,
        )
        limit_date = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        domain = self._gc_domain(limit_date)
        logs = self.sudo().with_context(active_test=False)
        total = logs.search_count(domain)
        ids = logs.search(domain, limit=batch_size * max_batches, order="id").ids
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        cron = self.env["ir.cron"]
        done = 0
        for start in range(0, len(ids), batch_size):
            batch = logs.browse(ids[start : start + batch_size])
            batch.unlink()
            done += len(batch)
            cron._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                # A cron's own transaction: keep the batches done so far.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        if not ids:
            cron._notify_progress(done=0, remaining=0)
        return done

    # ------------------------------------------------------------------
    def action_open_full_log(self):
        self.ensure_one()
        if not self.full_log_attachment_id:
            return False
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.full_log_attachment_id.id}?download=false",
            "target": "new",
        }

    def action_open_replays(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Replays"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("replayed_from_id", "=", self.id)],
            "target": "current",
        }

    def action_open_record(self):
        self.ensure_one()
        if not (self.res_model and self.res_id and self.res_model in self.env):
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }


def _call_function_name(route, params):
    if route != "call_function":
        return False
    payload = ((params or {}).get("vals") or {}).get("payload") or {}
    method = payload.get("method")
    return method if isinstance(method, str) else False


def _storable(text):
    """A caller's string as a text value: PostgreSQL cannot store NUL, nor
    lone UTF-16 surrogates (which JSON's "\\ud800" escapes can carry)."""
    if not isinstance(text, str):
        return False
    text = text.replace("\x00", "\\u0000")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
