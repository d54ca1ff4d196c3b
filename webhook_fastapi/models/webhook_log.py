# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo import api, fields, models

from ..tools.params import param_int
from ..tools.redact import redact

DEFAULT_PREVIEW_LIMIT = 2000


class WebhookLog(models.Model):
    """One inbound call (Receive) or one outbound delivery (Send)."""

    _name = "webhook.log"
    _description = "Webhook API Log"
    _order = "id desc"
    _rec_name = "display_label"

    log_type = fields.Selection(
        [("receive", "Receive"), ("send", "Send")], required=True, default="receive", index=True
    )
    route = fields.Char(index=True)
    model_name = fields.Char("Model", index=True)
    function = fields.Char(help="Method called through /api/call_function.")
    user_id = fields.Many2one("res.users", "User", ondelete="set null", index="btree_not_null")
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
    res_id = fields.Many2oneReference("Record ID", model_field="res_model", index="btree_not_null")
    full_log_attachment_id = fields.Many2one("ir.attachment", "Full Log", ondelete="set null")
    display_label = fields.Char(compute="_compute_display_label")

    @api.depends("log_type", "route", "model_name", "create_date")
    def _compute_display_label(self):
        for log in self:
            log.display_label = f"{log.route or log.log_type} {log.model_name or ''} #{log.id or ''}".strip()

    # ------------------------------------------------------------------
    @api.model
    def _preview_limit(self):
        return param_int(self.env["ir.config_parameter"].sudo(), "webhook.preview_limit", DEFAULT_PREVIEW_LIMIT)

    @api.model
    def _prepare_payload_vals(self, prefix, payload, limit):
        """Preview, size and full text of a payload, secrets redacted."""
        text = payload if isinstance(payload, str) else json.dumps(redact(payload), default=str, ensure_ascii=False)
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
            "model_name": params.get("model") if isinstance(params.get("model"), str) else False,
            "function": outcome.get("function") or _call_function_name(route, params),
            "user_id": uid or False,
            "state": "done" if result.get("is_success") else "failed",
            "http_status": status,
            "duration_ms": duration_ms,
            "remote_addr": (http_info or {}).get("remote_addr"),
            "request_headers": json.dumps(headers, ensure_ascii=False, indent=1),
            "error_message": False if result.get("is_success") else result.get("messages"),
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
        request_vals, request_text = self._prepare_payload_vals("request", request, limit)
        response_vals, response_text = self._prepare_payload_vals("response", response, limit)
        log = self.create({**vals, **request_vals, **response_vals})
        if len(request_text) > limit or len(response_text) > limit:
            log._attach_full_log(request_text, response_text)
        return log

    def _attach_full_log(self, request_text, response_text):
        self.ensure_one()
        content = '{"request": %s, "response": %s}' % (request_text or "null", response_text or "null")
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

    def unlink(self):
        # Attachments point at the log by res_model/res_id only: remove them too.
        attachments = self.env["ir.attachment"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        )
        res = super().unlink()
        attachments.unlink()
        return res

    @api.model
    def _gc_old_logs(self, batch_size=1000):
        """Scheduled action: delete entries older than webhook.log_retention_days
        (default 30), by batches, never pending outbound deliveries."""
        days = param_int(self.env["ir.config_parameter"].sudo(), "webhook.log_retention_days", 30)
        limit_date = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        domain = [("create_date", "<", limit_date), ("state", "!=", "pending")]
        while True:
            logs = self.sudo().search(domain, limit=batch_size, order="id")
            if not logs:
                break
            logs.unlink()
            if len(logs) < batch_size:
                break
        return True

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
