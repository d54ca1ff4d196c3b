# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import threading

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.params import param_int
from ..tools.redact import REDACTED, SECRET_KEY, redact, redact_text

DEFAULT_PREVIEW_LIMIT = 2000
DEFAULT_RETENTION_DAYS = 30
REPLAYABLE_ROUTES = (
    "create_data",
    "update_data",
    "create_update_data",
    "search_data",
    "call_function",
)


class WebhookLog(models.Model):
    """One inbound call (Receive) or one outbound delivery (Send)."""

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
        [("receive", "Receive"), ("send", "Send")],
        required=True,
        default="receive",
        index=True,
    )
    route = fields.Char(index=True)
    model_name = fields.Char("Model", index=True)
    function = fields.Char(help="Method called through /api/call_function.")
    user_id = fields.Many2one("res.users", ondelete="set null", index="btree_not_null")
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        required=True,
        default="done",
        index=True,
    )
    http_status = fields.Integer("HTTP Status")
    duration_ms = fields.Float("Duration (ms)", digits=(16, 1))
    remote_addr = fields.Char("Remote Address")
    request_headers = fields.Text(help="Request headers, secrets redacted.")
    request_preview = fields.Text()
    request_size = fields.Integer(help="Characters of the whole request JSON.")
    response_preview = fields.Text()
    response_size = fields.Integer(help="Characters of the whole response JSON.")
    error_message = fields.Text()
    traceback = fields.Text()
    callback_url = fields.Char("Callback URL", index="btree_not_null")
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
            log.can_replay = (
                log.log_type == "receive" and log._replay_route() in REPLAYABLE_ROUTES
            )

    def _replay_route(self):
        return (self.route or "").removeprefix("/api/")

    @api.depends("log_type", "route", "model_name", "create_date")
    def _compute_display_label(self):
        for log in self:
            label = (
                f"{log.route or log.log_type} {log.model_name or ''} #{log.id or ''}"
            )
            log.display_label = label.strip()

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
        """Preview, size and full text of a payload, secrets redacted."""
        if isinstance(payload, str):
            # A body that was not JSON: mask secret-looking pairs in the text;
            # NUL characters cannot be stored.
            text = redact_text(payload).replace("\x00", "\\u0000")
        else:
            text = json.dumps(redact(payload), default=str, ensure_ascii=False)
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
    ):
        """Write the entry of one inbound call (called by webhook.api.service)."""
        record = outcome.get("record")
        result = response.get("result") or {}
        headers = redact(dict((http_info or {}).get("headers") or {}))
        vals = {
            "log_type": "receive",
            "route": f"/api/{route}",
            "model_name": _storable(params.get("model")),
            "function": _storable(
                outcome.get("function") or _call_function_name(route, params)
            ),
            "user_id": uid or False,
            "state": "done" if result.get("is_success") else "failed",
            "http_status": status,
            "duration_ms": duration_ms,
            "remote_addr": (http_info or {}).get("remote_addr"),
            "request_headers": json.dumps(headers, ensure_ascii=False, indent=1),
            "error_message": False
            if result.get("is_success")
            else _storable(result.get("messages")),
            "traceback": error_trace or False,
            "callback_url": outcome.get("callback_url") or False,
            "res_model": record._name if record else False,
            "res_id": record.id if record and len(record) == 1 else False,
            **(log_extra or {}),
        }
        return self._create_with_payloads(vals, body, response)

    @api.model
    def _create_with_payloads(self, vals, request, response):
        limit = self._preview_limit()
        request_vals, request_text = self._prepare_payload_vals(
            "request", request, limit
        )
        response_vals, response_text = self._prepare_payload_vals(
            "response", response, limit
        )
        log = self.create({**vals, **request_vals, **response_vals})
        if len(request_text) > limit or len(response_text) > limit:
            log._attach_full_log(request_text, response_text)
        return log

    def _attach_full_log(self, request_text, response_text):
        self.ensure_one()
        content = '{"request": %s, "response": %s}' % (
            request_text or "null",
            response_text or "null",
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"webhook-log-{self.id}.json",
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/json",
                "raw": content.encode(),
            }
        )
        self.full_log_attachment_id = attachment

    # No unlink() override: Odoo's own unlink() removes the attachments
    # linked by res_model/res_id, the full log included.

    @api.model
    def _gc_old_logs(self, batch_size=1000, max_batches=100):
        """Scheduled action: delete the entries (and their full-log
        attachments) older than ``webhook.log_retention_days`` days (default
        30), ``batch_size`` at a time; never pending outbound deliveries.

        At most ``max_batches`` batches per run: when more are left, the
        cron is told so and runs again soon. Each batch is committed, except
        in tests."""
        days = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.log_retention_days",
            DEFAULT_RETENTION_DAYS,
        )
        limit_date = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        # Kept: pending deliveries, and received calls that carry a callback
        # URL (the outbound addon finds a record's URL there when its model
        # has no callback_url field).
        domain = [
            ("date", "<", limit_date),
            ("state", "!=", "pending"),
            "|",
            ("log_type", "!=", "receive"),
            ("callback_url", "=", False),
        ]
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

    def _full_request(self):
        """The logged request body as a dict: the preview when it holds the
        whole JSON, else the full-log attachment. Secrets are redacted in
        both."""
        self.ensure_one()
        text = self.request_preview or ""
        if len(text) < (self.request_size or 0):
            attachment = self.full_log_attachment_id.sudo()
            if not attachment:
                raise UserError(
                    _(
                        "The request of log entry %s was longer than its preview "
                        "and its full log is gone.",
                        self.id,
                    )
                )
            try:
                text = json.loads(attachment.raw.decode())["request"]
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                raise UserError(
                    _("The full log of entry %s is not a valid JSON document.", self.id)
                ) from None
            if isinstance(text, dict):
                return text
        try:
            body = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise UserError(
                _(
                    "The request of log entry %s is not a JSON object: "
                    "it cannot be replayed.",
                    self.id,
                )
            )
        return body

    def action_replay(self):
        """Run the logged request again, as its original user, and open the
        new entry (linked to this one by ``replayed_from_id``)."""
        self.ensure_one()
        if not self.env.is_system():
            raise UserError(_("Only administrators can replay API calls."))
        route = self._replay_route()
        if self.log_type != "receive" or route not in REPLAYABLE_ROUTES:
            raise UserError(
                _("Only received calls of the /api/ routes can be replayed.")
            )
        user = self.user_id.sudo().with_context(active_test=False)
        if not user:
            raise UserError(
                _(
                    "Log entry %s has no user (the call was not authenticated): "
                    "there is nobody to replay it as.",
                    self.id,
                )
            )
        if not user.active:
            raise UserError(
                _(
                    "The user of this call, %s, is archived: unarchive the user "
                    "to replay the call as them.",
                    user.name,
                )
            )
        body = self._full_request()
        if _contains_redacted(body):
            raise UserError(
                _(
                    "The request held secret values (password, token, secret, "
                    "API key...) that were never stored in the log: replaying it "
                    "would send '%s' instead. Send the call again from its origin.",
                    REDACTED,
                )
            )
        status, response = self.env["webhook.api.service"]._api_handle(
            route,
            body,
            {"headers": {}},
            as_uid=user.id,
            log_extra={"replayed_from_id": self.id},
        )
        replay = self.sudo().search(
            [("replayed_from_id", "=", self.id)], limit=1, order="id desc"
        )
        if not replay:
            # The route's logging is switched off: say how it went instead.
            result = response.get("result") or {}
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": _(
                        "Call replayed (not logged: logging of %s is off)", self.route
                    ),
                    "message": _(
                        "HTTP %(status)s: %(message)s",
                        status=status,
                        message=result.get("messages") or "",
                    ),
                    "type": "success" if result.get("is_success") else "danger",
                    "sticky": False,
                },
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": replay.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
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


def _contains_redacted(value):
    """Whether ``value`` holds a secret that redact() replaced."""
    if isinstance(value, dict):
        return any(
            (isinstance(key, str) and SECRET_KEY.search(key) and val == REDACTED)
            or _contains_redacted(val)
            for key, val in value.items()
        )
    if isinstance(value, list):
        return any(_contains_redacted(v) for v in value)
    return False


def _call_function_name(route, params):
    if route != "call_function":
        return False
    payload = ((params or {}).get("vals") or {}).get("payload") or {}
    method = payload.get("method")
    return method if isinstance(method, str) else False


def _storable(text):
    """A caller's string as a Char value: PostgreSQL cannot store NUL."""
    if not isinstance(text, str):
        return False
    return text.replace("\x00", "\\u0000")
