# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Outbound deliveries: one webhook.log entry of type Send per delivery."""

import json
import logging
import threading
import time
from datetime import timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.webhook_fastapi.tools.field_spec import parse_field_spec
from odoo.addons.webhook_fastapi.tools.params import (
    param_bool,
    param_int,
    param_str_list,
)
from odoo.addons.webhook_fastapi.tools.redact import redact
from odoo.addons.webhook_fastapi.tools.serializer import serialize_records
from odoo.addons.webhook_fastapi.tools.url_guard import (
    UnsafeUrl,
    check_url_addresses,
)

from ..tools.pinned_http import post_pinned
from ..tools.signing import generate_message_id, sign
from ..tools.template import render_template
from .ir_cron import SEND_CRON_XMLID
from .webhook_outbound_event import EVENT_BATCH

_logger = logging.getLogger(__name__)

# Backoff after failed attempt n (1-based): BASE * 4**(n-1), capped. With the
# defaults: 30 s, 2 min, 8 min, 32 min, about 2 h, 8.5 h, then 12 h; the
# default 8 attempts span about 23 hours.
DEFAULT_BACKOFF_BASE = 30
BACKOFF_FACTOR = 4
BACKOFF_CAP = 12 * 3600
# Deliveries claimed per transaction by the cron, and its time budget.
BATCH_SIZE = 10
CRON_TIME_BUDGET = 120
# postcommit.data key: the sending job is already woken by this transaction.
WAKE_KEY = "webhook_fastapi_outbound.wake_up"


class WebhookLog(models.Model):
    _inherit = "webhook.log"

    outbound_rule_id = fields.Many2one(
        "webhook.outbound.rule",
        ondelete="set null",
        index="btree_not_null",
    )
    target_url = fields.Char("Target URL")
    webhook_msg_id = fields.Char(
        "Webhook ID",
        index="btree_not_null",
        copy=False,
        help="The webhook-id header: the same for every attempt.",
    )
    payload_json = fields.Text(
        "Payload", help="The exact body POSTed on every attempt."
    )
    payload_warning = fields.Text(
        help="Template placeholders that could not be resolved (sent as null)."
    )
    attempt_count = fields.Integer("Attempts")
    next_attempt_date = fields.Datetime("Next Attempt", index="btree_not_null")
    last_attempt_date = fields.Datetime("Last Attempt")
    is_test = fields.Boolean("Test Delivery")

    # ------------------------------------------------------------------
    # Parameters
    # ------------------------------------------------------------------
    @api.model
    def _outbound_disabled_reason(self):
        icp = self.env["ir.config_parameter"].sudo()
        if param_bool(icp, "database.is_neutralized", False):
            return _("Outbound webhooks are off: this database is neutralized.")
        if not param_bool(icp, "webhook.outbound_enabled", True):
            return _(
                "Outbound webhooks are off (system parameter webhook.outbound_enabled)."
            )
        return False

    @api.model
    def _outbound_allowed_hosts(self):
        return param_str_list(
            self.env["ir.config_parameter"].sudo(), "webhook.outbound_allowed_hosts", []
        )

    @api.model
    def _outbound_backoff(self, attempt):
        base = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.outbound_backoff_base",
            DEFAULT_BACKOFF_BASE,
        )
        return timedelta(
            seconds=min(base * BACKOFF_FACTOR ** (attempt - 1), BACKOFF_CAP)
        )

    # ------------------------------------------------------------------
    # Creating deliveries (called by the rule's pre-commit hook)
    # ------------------------------------------------------------------
    @api.model
    def _outbound_payloads(self, rule, records):
        """[(payload, problems)] in the order of ``records``, serialized in
        batch by the inbound API's serializer."""
        payload = rule._parsed_payload()
        if payload is None:
            return [({"id": rid}, set()) for rid in records.ids]
        if isinstance(payload, list):
            return [
                (row, set())
                for row in serialize_records(records, parse_field_spec(payload))
            ]
        result = []
        for record in records:  # prefetching reads each field once for all records
            problems = set()
            result.append((render_template(payload, record, problems), problems))
        return result

    @api.model
    def _outbound_callback_urls(self, records):
        """{record id: callback URL}: the record's own callback_url field, else
        that of the most recent received call about the record that had one
        (one query for all records)."""
        urls = {}
        if "callback_url" in records._fields:
            urls = {r.id: r.callback_url for r in records if r.callback_url}
        missing = [rid for rid in records.ids if rid not in urls]
        if missing:
            self.env.cr.execute(
                SQL(
                    """SELECT DISTINCT ON (res_id) res_id, callback_url FROM webhook_log
                        WHERE log_type = 'receive' AND res_model = %s
                          AND res_id = ANY(%s)
                          AND callback_url IS NOT NULL AND callback_url != ''
                     ORDER BY res_id, id DESC""",
                    records._name,
                    missing,
                )
            )
            urls.update(dict(self.env.cr.fetchall()))
        return urls

    @api.model
    def _outbound_create_deliveries(self, rule, records, test=False):
        if not records:
            return self.browse()
        payloads = self._outbound_payloads(rule, records)
        if rule.endpoint_source == "callback":
            urls = self._outbound_callback_urls(records)
        else:
            urls = dict.fromkeys(records.ids, rule.endpoint_url.strip())
        limit = self._preview_limit()
        vals_list, texts = [], []
        now = fields.Datetime.now()
        for record, (payload, problems) in zip(records, payloads, strict=True):
            body = json.dumps(
                payload, ensure_ascii=False, separators=(",", ":"), default=str
            )
            preview, text = self._prepare_payload_vals("request", payload, limit)
            url = urls.get(record.id)
            vals = {
                "log_type": "send",
                "route": rule.name,
                "model_name": record._name,
                "res_model": record._name,
                "res_id": record.id,
                "outbound_rule_id": rule.id,
                "target_url": url or False,
                "callback_url": url if rule.endpoint_source == "callback" else False,
                "webhook_msg_id": generate_message_id(),
                "payload_json": body,
                "payload_warning": "\n".join(sorted(problems)) or False,
                "state": "pending",
                "next_attempt_date": now,
                "is_test": test,
                **preview,
            }
            if not url:
                vals.update(
                    state="failed",
                    next_attempt_date=False,
                    error_message=_(
                        "No callback URL: the record has no callback_url and no "
                        "received call about it carried one."
                    ),
                )
            vals_list.append(vals)
            texts.append(text)
        deliveries = self.sudo().create(vals_list)
        for delivery, text in zip(deliveries, texts, strict=True):
            if len(text) > limit:
                delivery._attach_full_log(text, None)
        return deliveries

    @api.model
    def _outbound_failed_deliveries(self, rule, res_ids, message):
        """Failed deliveries (nothing to send) for records whose payload could
        not be built, so that the administrator sees why."""
        return self.sudo().create(
            [
                {
                    "log_type": "send",
                    "route": rule.name,
                    "model_name": rule.model_name,
                    "res_model": rule.model_name,
                    "res_id": res_id,
                    "outbound_rule_id": rule.id,
                    "webhook_msg_id": generate_message_id(),
                    "state": "failed",
                    "error_message": message,
                }
                for res_id in res_ids
            ]
        )

    @api.model
    def _outbound_wake_up_sql(self):
        """The query that wakes the sending job up once this transaction
        commits: a due trigger row (the one ir.cron._trigger() writes,
        without its read of the whole cron record: this runs in the commit
        of every write that fires a rule), and the cron workers notified
        after the commit, once per transaction. The row is written at every
        flush: a savepoint rolled back may have taken an earlier one."""
        cron_id = self.env["ir.cron"]._webhook_send_cron_id()
        postcommit = self.env.cr.postcommit
        if WAKE_KEY not in postcommit.data:
            postcommit.data[WAKE_KEY] = True
            postcommit.add(self.env["ir.cron"].sudo().browse(cron_id)._notifydb)
        return SQL(
            """INSERT INTO ir_cron_trigger
                      (cron_id, call_at, create_uid, create_date, write_uid, write_date)
               VALUES (%(cron)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s)""",
            cron=cron_id,
            now=fields.Datetime.now(),
            uid=self.env.uid,
        )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _outbound_claim(self, limit=BATCH_SIZE):
        """Lock up to ``limit`` due deliveries. SKIP LOCKED: rows another
        worker or server is sending are left to it, so they share the work."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM webhook_log
                    WHERE log_type = 'send' AND state = 'pending'
                      AND (next_attempt_date IS NULL OR next_attempt_date <= %s)
                 ORDER BY next_attempt_date NULLS FIRST, id
                    LIMIT %s
                      FOR UPDATE SKIP LOCKED""",
                fields.Datetime.now(),
                limit,
            )
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _outbound_send_due(self, limit=BATCH_SIZE):
        """Claim and send one batch; returns the deliveries handled."""
        if self._outbound_disabled_reason():
            return self.browse()
        deliveries = self._outbound_claim(limit)
        deliveries._outbound_send()
        return deliveries

    @api.model
    def _cron_outbound_send(self):
        """Scheduled action: build the deliveries of queued events, then send
        due deliveries by batches, one transaction per batch (committed so a
        crash loses at most one batch's outcomes), within a time budget; then
        wake up again for what is left and for the next retry."""
        deadline = time.monotonic() + CRON_TIME_BUDGET
        self._outbound_in_batches(
            self.env["webhook.outbound.event"]._build_deliveries, EVENT_BATCH, deadline
        )
        if reason := self._outbound_disabled_reason():
            _logger.info("%s Pending deliveries are kept.", reason)
            return
        self._outbound_in_batches(
            lambda: len(self._outbound_send_due()), BATCH_SIZE, deadline
        )
        self._outbound_schedule_wakeup()

    @api.model
    def _outbound_in_batches(self, run_batch, size, deadline):
        """Call ``run_batch`` (returns how many items it handled), committing
        after each call, until a batch is not full or the deadline passes."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        while time.monotonic() < deadline:
            handled = run_batch()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if handled < size:
                break

    @api.model
    def _outbound_schedule_wakeup(self):
        """Run again now if events or due deliveries are left (the time
        budget ran out, or they were committed during this run), else when
        the next retry is due. Triggers made during the run outlive the
        clean-up at its end (Odoo deletes those older than the run's start);
        ir.cron's _reschedule_later() override covers events committed
        after this check."""
        self.flush_model(["log_type", "state", "next_attempt_date"])
        self.env.cr.execute(
            """SELECT min(next_attempt_date),
                      EXISTS (SELECT 1 FROM webhook_outbound_event)
                 FROM webhook_log
                WHERE log_type = 'send' AND state = 'pending'"""
        )
        next_date, events_left = self.env.cr.fetchone()
        cron = self.env.ref(SEND_CRON_XMLID)
        if events_left or (next_date and next_date <= fields.Datetime.now()):
            cron._trigger()
        elif next_date:
            cron._trigger(at=next_date)

    def _outbound_send(self):
        """One attempt for each delivery of ``self`` (already claimed)."""
        allowed = self._outbound_allowed_hosts()
        limit = self._preview_limit()
        for delivery in self:
            try:
                vals = delivery._outbound_attempt(allowed, limit)
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

    def _outbound_post(self, allowed, body, headers, timeout):
        """Check the target URL, then POST to the very addresses checked: a
        second DNS lookup by requests could answer an internal one (DNS
        rebinding). A host allowed by name is connected to as usual."""
        url, addresses = check_url_addresses(self.target_url, allowed)
        kwargs = {"data": body, "headers": headers, "allow_redirects": False}
        if addresses:
            return post_pinned(url, addresses, timeout=timeout, **kwargs)
        return requests.post(url, timeout=timeout, **kwargs)

    def _outbound_attempt(self, allowed, limit):
        """POST once; returns the values to write on the delivery."""
        self.ensure_one()
        rule = self.outbound_rule_id.sudo()
        attempt = self.attempt_count + 1
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
        body = (self.payload_json or "{}").encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Odoo-webhook_fastapi_outbound",
            "webhook-id": self.webhook_msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(
                rule.secret or "", self.webhook_msg_id, timestamp, body
            ),
        }
        if rule.authorization_header:
            headers["Authorization"] = rule.authorization_header
        # The Authorization value never reaches the log (redact masks it).
        vals["request_headers"] = json.dumps(redact(headers), indent=1)
        retry = True
        started = time.monotonic()
        try:
            response = self._outbound_post(allowed, body, headers, rule.timeout)
        except UnsafeUrl as exc:
            # Not a transient error: retrying would not change the answer.
            retry = False
            vals["error_message"] = _("Refused target URL: %s", exc)
        except requests.RequestException as exc:
            vals["error_message"] = _(
                "%(kind)s: %(error)s", kind=type(exc).__name__, error=exc
            )
        else:
            text = response.text or ""
            vals.update(
                http_status=response.status_code,
                response_preview=text[:limit],
                response_size=len(text),
            )
            if 200 <= response.status_code < 300:
                vals.update(state="done", next_attempt_date=False)
                vals["duration_ms"] = (time.monotonic() - started) * 1000
                return vals
            vals["error_message"] = _(
                "The receiver answered HTTP %s.", response.status_code
            )
        vals["duration_ms"] = (time.monotonic() - started) * 1000
        if retry and attempt < rule.max_attempts:
            vals.update(
                state="pending", next_attempt_date=now + self._outbound_backoff(attempt)
            )
        else:
            vals.update(state="failed", next_attempt_date=False)
        return vals

    # ------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------
    def action_resend(self):
        """Put failed (or done) deliveries back in the queue, with the same
        webhook-id so that the receiver can recognise a redelivery."""
        deliveries = self.filtered(
            lambda d: d.log_type == "send" and d.state != "pending"
        )
        if not deliveries:
            raise UserError(
                _("Only sent deliveries that are not pending can be resent.")
            )
        if not self.env.is_system():
            raise AccessError(_("Only Settings administrators can resend deliveries."))
        # Log entries are read-only in the UI (no write access for anyone):
        # resending is the one change allowed, to administrators.
        deliveries.sudo().write(
            {
                "state": "pending",
                "attempt_count": 0,
                "next_attempt_date": fields.Datetime.now(),
                "error_message": False,
            }
        )
        self.env.ref(SEND_CRON_XMLID)._trigger()
        return True
