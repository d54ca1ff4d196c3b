# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The sender: one HTTP attempt per claimed delivery (signed headers, the
target's addresses checked and pinned against SSRF), and its outcome as the
values to write on the delivery; the retry schedule is the queue's."""

import json
import logging
import time

import requests

from odoo import _, api, fields, models

from odoo.addons.webhook_fastapi.tools.params import param_bool, param_str_list
from odoo.addons.webhook_fastapi.tools.redact import redact

from ..tools.pinned_http import post_pinned
from ..tools.retry import retry_after_seconds
from ..tools.signing import sign
from ..tools.url_guard import (
    UnsafeUrl,
    check_url_addresses,
)

_logger = logging.getLogger(__name__)

USER_AGENT = "Odoo-webhook_fastapi_outbound"
# Answers whose Retry-After says when to come back (throttled, unavailable).
RETRY_AFTER_STATUSES = (429, 503)


class WebhookOutboundSender(models.AbstractModel):
    _name = "webhook.outbound.sender"
    _description = "Outbound Webhook Sender"

    @api.model
    def _disabled_reason(self):
        """Why nothing may be sent now, or False."""
        icp = self.env["ir.config_parameter"].sudo()
        if param_bool(icp, "database.is_neutralized", False):
            return _("Outbound webhooks are off: this database is neutralized.")
        if not param_bool(icp, "webhook.outbound_enabled", True):
            return _(
                "Outbound webhooks are off (system parameter webhook.outbound_enabled)."
            )
        return False

    @api.model
    def _allowed_hosts(self):
        return param_str_list(
            self.env["ir.config_parameter"].sudo(), "webhook.outbound_allowed_hosts", []
        )

    @api.model
    def _send(self, deliveries):
        """One attempt for each of ``deliveries`` (already claimed)."""
        allowed = self._allowed_hosts()
        limit = self.env["webhook.log"]._preview_limit()
        for delivery in deliveries:
            try:
                vals = self._attempt(delivery, allowed, limit)
            except Exception as exc:  # noqa: BLE001 - one bad delivery must not stop the others
                _logger.exception(
                    "Outbound delivery %s could not be attempted", delivery.id
                )
                error = f"{type(exc).__name__}: {exc}"
                vals = {
                    "state": "failed",
                    "next_attempt_date": False,
                    "attempt_count": delivery.attempt_count + 1,
                    "error_message": _(
                        "The delivery could not be attempted: %(error)s", error=error
                    ),
                }
            delivery.write(vals)

    @api.model
    def _attempt(self, delivery, allowed, limit):
        """POST ``delivery`` once; returns the values to write on it."""
        delivery.ensure_one()
        rule = delivery.outbound_rule_id.sudo()
        attempt = delivery.attempt_count + 1
        now = fields.Datetime.now()
        vals = {
            "attempt_count": attempt,
            "last_attempt_date": now,
            "http_status": 0,
            "response_preview": False,
            "response_size": 0,
            "error_message": False,
        }
        if not rule:
            return dict(
                vals,
                state="failed",
                next_attempt_date=False,
                error_message=_("The outbound rule of this delivery was deleted."),
            )
        body = (delivery.payload_json or "{}").encode()
        headers = self._headers(delivery, rule, body)
        # The Authorization value never reaches the log (redact masks it).
        vals["request_headers"] = json.dumps(redact(headers), indent=1)
        started = time.monotonic()
        outcome, retry = self._exchange(
            delivery.target_url, rule.timeout, allowed, body, headers, limit
        )
        retry_after = outcome.pop("retry_after", None)
        vals.update(outcome, duration_ms=(time.monotonic() - started) * 1000)
        if vals.get("state") != "done":
            Queue = self.env["webhook.outbound.queue"]
            vals.update(Queue._retry_vals(attempt, rule, now, retry, retry_after))
        return vals

    @api.model
    def _headers(self, delivery, rule, body):
        """The Standard Webhooks headers, signed with the rule's secret."""
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": delivery.webhook_msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(
                sign(secret, delivery.webhook_msg_id, timestamp, body)
                for secret in self._signing_secrets(rule)
            ),
        }
        if rule.authorization_header:
            headers["Authorization"] = rule.authorization_header
        return headers

    @api.model
    def _signing_secrets(self, rule):
        """The rule's secret, and during a rotation's overlap the previous
        one too (Standard Webhooks: space-separated signatures)."""
        secrets = [rule.secret or ""]
        until = rule.previous_secret_until
        if rule.previous_secret and until and until > fields.Datetime.now():
            secrets.append(rule.previous_secret)
        return secrets

    @api.model
    def _exchange(self, url, timeout, allowed, body, headers, limit):
        """POST and read the answer: (values to write, whether a failure may
        be retried)."""
        try:
            response = self._post(url, allowed, body, headers, timeout)
        except UnsafeUrl as exc:
            # Not a transient error: retrying would not change the answer.
            return {"error_message": _("Refused target URL: %s", exc)}, False
        except requests.RequestException as exc:
            error = _("%(kind)s: %(error)s", kind=type(exc).__name__, error=exc)
            return {"error_message": error}, True
        text = response.text or ""
        vals = {
            "http_status": response.status_code,
            "response_preview": text[:limit],
            "response_size": len(text),
        }
        if 200 <= response.status_code < 300:
            vals.update(state="done", next_attempt_date=False)
        else:
            vals["error_message"] = _(
                "The receiver answered HTTP %s.", response.status_code
            )
        if response.status_code in RETRY_AFTER_STATUSES:
            vals["retry_after"] = retry_after_seconds(
                response.headers.get("Retry-After")
            )
        return vals, True

    @api.model
    def _post(self, url, allowed, body, headers, timeout):
        """Check the target URL, then POST to the very addresses checked: a
        second DNS lookup by requests could answer an internal one (DNS
        rebinding). A host allowed by name is connected to as usual."""
        url, addresses = check_url_addresses(url, allowed)
        kwargs = {"data": body, "headers": headers, "allow_redirects": False}
        if addresses:
            return post_pinned(url, addresses, timeout=timeout, **kwargs)
        return requests.post(url, timeout=timeout, **kwargs)
