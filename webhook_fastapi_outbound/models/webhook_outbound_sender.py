# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The sender: one HTTP attempt per claimed delivery (signed headers, the
target's addresses checked and pinned against SSRF), made in a pool of
threads (tools/flight.py) that run only the HTTP exchange
(tools/http_exchange.py); the outcome is written back here, in the job's
thread, as the values of the delivery: those of the attempts that landed
together in one statement per table (_land). The retry schedule is the
queue's."""

import json
import logging
import time
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.webhook_fastapi.tools.params import (
    param_bool,
    param_int,
    param_str_list,
)
from odoo.addons.webhook_fastapi.tools.redact import redact

from ..tools.flight import Flight
from ..tools.http_exchange import Exchange, exchange
from ..tools.retry import retry_after_seconds
from ..tools.signing import sign

_logger = logging.getLogger(__name__)

USER_AGENT = "Odoo-webhook_fastapi_outbound"
# Answers whose Retry-After says when to come back (throttled, unavailable).
RETRY_AFTER_STATUSES = (429, 503)
# Sending threads per worker, and at most this many to one endpoint: a slow
# or dead endpoint can take no more, the others keep the rest.
DEFAULT_CONCURRENCY = 100
DEFAULT_PER_ENDPOINT = 64


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
    def _flight(self):
        """A pool of sending threads, sized by the system parameters."""
        icp = self.env["ir.config_parameter"].sudo()
        size = param_int(icp, "webhook.outbound_concurrency", DEFAULT_CONCURRENCY)
        per_target = param_int(
            icp, "webhook.outbound_endpoint_concurrency", DEFAULT_PER_ENDPOINT
        )
        return Flight(size, per_target)

    @api.model
    def _send(self, deliveries):
        """One attempt for each of ``deliveries`` (already claimed), at once
        up to the pool's size; returns when all have their outcome."""
        with self._flight() as flight:
            self._launch(flight, deliveries)
            self._land(flight.all_landed())

    @api.model
    def _launch(self, flight, deliveries):
        """Start the POST of each delivery in ``flight``; what needs no POST
        (its rule was deleted) is settled at once."""
        allowed = self._allowed_hosts()
        for delivery in deliveries:
            try:
                vals, request = self._prepare(delivery)
            except Exception as exc:  # noqa: BLE001 - one bad delivery must not stop the others
                self._land([(delivery.id, exc)])
                continue
            if request is None:
                delivery.write(vals)
                continue
            url, body, headers, timeout = request
            args = (url, allowed, body, headers, timeout)
            flight.submit((delivery.id, vals), url, exchange, *args)

    @api.model
    def _land(self, results):
        """Write the outcome of each finished attempt (``[(tag, Exchange or
        exception)]``, a tag being ``(delivery id, values so far)`` or a
        delivery id)."""
        if not results:
            return
        limit = self.env["webhook.log"]._preview_limit()
        tags = [tag if isinstance(tag, tuple) else (tag, None) for tag, _r in results]
        # Browsed together: what the outcomes read is fetched in one query
        # for all of them (every commit clears the cache; browsed one by
        # one, each delivery would be a query).
        deliveries = self.env["webhook.log"].sudo().browse([t[0] for t in tags])
        outcomes = []
        for delivery, (_id, vals), (_tag, result) in zip(
            deliveries, tags, results, strict=True
        ):
            if isinstance(result, Exchange) and vals is not None:
                vals = self._outcome(delivery, vals, result, limit)
            else:
                vals = self._crashed(delivery, result)
            outcomes.append((delivery, vals))
        self._write_outcomes(outcomes)
        self._after_attempts(outcomes)

    @api.model
    def _write_outcomes(self, outcomes):
        """Write each outcome's values on its delivery
        (``[(delivery, values)]``): one UPDATE ... FROM (VALUES ...) per set
        of columns (every attempt made writes the same ones, a crash fewer),
        whatever the number of deliveries. Not the ORM's write: its flush
        makes one UPDATE per set of values that changed, a number that
        depends on the data, and spends more on each record than the
        landing's SQL does. Nothing else follows these columns: webhook.log
        may not be watched by a rule, and its computed fields are not
        stored."""
        Log = self.env["webhook.log"].sudo()
        groups = defaultdict(list)
        for delivery, vals in outcomes:
            groups[tuple(sorted(vals))].append((delivery, vals))
        for fnames, rows in groups.items():
            fields_ = [Log._fields[name] for name in fnames]
            # Values the ORM still holds for these columns would overwrite
            # these at its next flush.
            Log.flush_model(fnames)
            self.env.cr.execute(_outcomes_update(fields_, rows, self.env.uid))
            Log.browse([delivery.id for delivery, _vals in rows]).invalidate_recordset(
                [*fnames, "write_uid", "write_date"]
            )

    @api.model
    def _after_attempts(self, outcomes):
        """Hook, after the outcomes of attempts that landed together are
        written (``[(delivery, values written)]``): keep each attempt."""
        Attempt = self.env["webhook.outbound.attempt"].sudo()
        Attempt._insert([Attempt._vals_from_outcome(d, v) for d, v in outcomes])

    @api.model
    def _crashed(self, delivery, error):
        _logger.error(
            "Outbound delivery %s could not be attempted: %r", delivery.id, error
        )
        # Outside _(): babel cannot extract a message whose call holds an
        # f-string.
        detail = f"{type(error).__name__}: {error}"
        return {
            "state": "failed",
            "next_attempt_date": False,
            "lease_pid": False,
            "attempt_count": delivery.attempt_count + 1,
            "error_message": _(
                "The delivery could not be attempted: %(error)s", error=detail
            ),
        }

    @api.model
    def _attempt(self, delivery, allowed, limit):
        """POST ``delivery`` once, in this thread (Send Test); returns the
        values to write on it."""
        vals, request = self._prepare(delivery)
        if request is None:
            return vals
        url, body, headers, timeout = request
        result = exchange(url, allowed, body, headers, timeout)
        return self._outcome(delivery, vals, result, limit)

    @api.model
    def _prepare(self, delivery):
        """The values every attempt writes, and the request to make:
        ``(url, body, headers, timeout)``, or None when there is nothing to
        send (the values then say why)."""
        delivery.ensure_one()
        rule = delivery.outbound_rule_id.sudo()
        vals = {
            "attempt_count": delivery.attempt_count + 1,
            "last_attempt_date": fields.Datetime.now(),
            "lease_pid": False,
            "http_status": 0,
            "response_preview": False,
            "response_size": 0,
            "error_message": False,
        }
        if not rule:
            vals.update(
                state="failed",
                next_attempt_date=False,
                error_message=_("The outbound rule of this delivery was deleted."),
            )
            return vals, None
        body = (delivery.payload_json or "{}").encode()
        headers = self._headers(delivery, rule, body)
        # The Authorization value never reaches the log (redact masks it).
        vals["request_headers"] = json.dumps(redact(headers), indent=1)
        return vals, (delivery.target_url, body, headers, rule.timeout)

    @api.model
    def _outcome(self, delivery, vals, result, limit):
        """``vals`` completed with what ``result`` (an Exchange) says, and
        the next attempt's date or the end of the retries."""
        vals = dict(vals, duration_ms=result.duration_ms)
        retry = True
        if result.refused:
            # Not a transient error: retrying would not change the answer.
            vals["error_message"] = _("Refused target URL: %s", result.refused)
            retry = False
        elif result.error:
            vals["error_message"] = result.error
        else:
            vals.update(
                http_status=result.status,
                response_preview=result.text[:limit],
                response_size=len(result.text),
            )
            if result.ok:
                return dict(vals, state="done", next_attempt_date=False)
            vals["error_message"] = _("The receiver answered HTTP %s.", result.status)
        retry_after = None
        if result.status in RETRY_AFTER_STATUSES:
            retry_after = retry_after_seconds(result.retry_after)
        Queue = self.env["webhook.outbound.queue"]
        rule = delivery.outbound_rule_id.sudo()
        now = vals["last_attempt_date"]
        attempt = vals["attempt_count"]
        return dict(vals, **Queue._retry_vals(attempt, rule, now, retry, retry_after))

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


def _outcomes_update(fields_, rows, uid):
    """One UPDATE ... FROM (VALUES ...) writing ``fields_`` of every
    delivery of ``rows`` (``[(delivery, values)]``)."""
    return SQL(
        """UPDATE webhook_log AS d
              SET %(set)s, write_uid = %(uid)s,
                  write_date = (now() AT TIME ZONE 'UTC')
             FROM (VALUES %(rows)s) AS v(id, %(columns)s)
            WHERE d.id = v.id""",
        set=SQL(", ").join(
            SQL(
                "%s = v.%s::%s",
                SQL.identifier(f.name),
                SQL.identifier(f.name),
                SQL(f.column_type[1]),
            )
            for f in fields_
        ),
        uid=uid,
        rows=SQL(", ").join(
            (
                delivery.id,
                *(f.convert_to_column_insert(vals[f.name], delivery) for f in fields_),
            )
            for delivery, vals in rows
        ),
        columns=SQL(", ").join(SQL.identifier(f.name) for f in fields_),
    )
