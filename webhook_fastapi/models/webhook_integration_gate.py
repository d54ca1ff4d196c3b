# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The checks of an integration's calls (part of webhook.api.service),
right after authentication and before any work: client address, rate
limit, scopes. A call made with a plain user key or a session has no
integration and is not checked here (today's behaviour)."""

import threading
import time

from odoo import api, models, tools

from ..tools import ApiError, side_connection
from ..tools.integration_rules import (
    IntegrationRules,
    address_allowed,
    check_scope,
    parse_networks,
)

INTEGRATION = "webhook_integration_id"  # the http_info key auth fills in
KEY_ID = "webhook_key_id"

# One statement: count the call in each window of the integration (fixed
# windows on the database clock, the same for every server) and stamp the
# key's last use (at most once a minute: no write per call on a hot row).
# Its transaction is READ COMMITTED (concurrent increments wait, never fail
# to serialize) and does not wait for the WAL flush: a count lost in a
# crash is harmless, and the flush would triple the cost of a call's check.
USAGE_STATEMENT = """
WITH clock AS (SELECT extract(epoch FROM clock_timestamp()) AS t),
used AS (
    UPDATE res_users_apikeys SET webhook_last_used = now() at time zone 'utc'
     WHERE id = {key}
       AND (webhook_last_used IS NULL
            OR webhook_last_used < now() at time zone 'utc' - interval '1 minute')
),
hits AS (
    INSERT INTO webhook_integration_rate AS r
           (integration_id, window_seconds, window_start, hits)
    SELECT {integration}, w, (floor(clock.t / w) * w)::int8, 1
      FROM clock, unnest({windows}::int4[]) AS w
    ON CONFLICT (integration_id, window_seconds, window_start)
    DO UPDATE SET hits = r.hits + 1
    RETURNING window_seconds, window_start, hits
)
SELECT window_seconds, hits,
       greatest(1, ceil(window_start + window_seconds - clock.t))::int4
  FROM hits, clock ORDER BY window_seconds
"""
USAGE_TRANSACTION = """
SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
SET LOCAL synchronous_commit TO OFF;
"""
# With named parameters: on the call's cursor in tests, on an Odoo cursor
# of its own when no connection of tools/side_connection.py is left.
USAGE_NAMED = USAGE_STATEMENT.format(
    key="%(key)s", integration="%(integration)s", windows="%(windows)s"
)
USAGE_SQL = USAGE_TRANSACTION + USAGE_NAMED
# On a connection in autocommit (tools/side_connection.py), prepared once per
# connection (planning it cost as much as running it); the string is one
# transaction there, where SET LOCAL applies.
USAGE_PREPARE = (
    "PREPARE webhook_integration_usage (int4, int4, int4[]) AS"
    + USAGE_STATEMENT.format(key="$2", integration="$1", windows="$3")
)
USAGE_EXECUTE = USAGE_TRANSACTION + (
    "EXECUTE webhook_integration_usage(%(integration)s, %(key)s, %(windows)s)"
)
POLICY_NAMES = {60: "minute", 86400: "day"}
STAMP_EVERY = 60  # seconds: the precision of a key's "Last Used"


class WebhookApiService(models.AbstractModel):
    _inherit = "webhook.api.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _api_check_integration(self, route, body, http_info):
        """Refuse the call (403, 429) when the caller's integration does not
        allow it; the hook ``_api_handle`` calls after authentication."""
        integration_id = http_info.get(INTEGRATION)
        if not integration_id:
            return
        rules = self._api_integration_rules(integration_id)
        address = http_info.get("remote_addr")
        if not address_allowed(rules.networks, address):
            raise ApiError(
                f"Integration {rules.name!r} may not call from {address}", 403
            )
        self._api_count_call(rules, http_info)
        check_scope(rules, route, (body or {}).get("params"), self._api_comodel_of)

    @api.model
    def _api_for_integration(self, http_info):
        """This service answering in the caller's integration's response
        format, when the integration sets one."""
        integration_id = http_info.get(INTEGRATION)
        if not integration_id:
            return self
        fmt = self._api_integration_rules(integration_id).response_format
        return self.with_context(webhook_response_format=fmt) if fmt else self

    @api.model
    @tools.ormcache("integration_id")
    def _api_integration_rules(self, integration_id):
        """The rules of an integration, cached per worker: every change of an
        integration or of its scopes clears this cache in all workers."""
        integration = self.env["webhook.integration"].sudo().browse(integration_id)
        lines = integration.scope_ids
        return IntegrationRules(
            integration_id=integration.id,
            name=integration.name,
            networks=parse_networks(integration.allowed_networks),
            per_minute=integration.rate_per_minute,
            per_day=integration.rate_per_day,
            scopes={line.model_name: line._rule() for line in lines} if lines else None,
            response_format=integration.response_format or "",
        )

    @api.model
    def _api_comodel_of(self, model, field_name, one2many):
        """The comodel of a one2many (or any relational field), else None."""
        field = self.env[model]._fields.get(field_name) if model in self.env else None
        if field is None or not field.relational:
            return None
        if one2many and field.type != "one2many":
            return None
        return field.comodel_name

    @api.model
    def _api_count_call(self, rules, http_info):
        """Count the call against the integration's limits; 429 over one.
        Every answer of a limited integration tells its budget (IETF
        RateLimit headers)."""
        windows = [w for w, q in rules_quotas(rules) if q]
        key_id = http_info.get(KEY_ID)
        if not windows and not _stamp_due(key_id):
            return  # nothing to count, last use stamped lately by this worker
        counts = self._api_usage(rules.integration_id, key_id, windows)
        if not windows:
            return
        quotas = dict(rules_quotas(rules))
        headers = http_info.setdefault("response_headers", {})
        policy, state, over = [], [], []
        for window, hits, reset in counts:
            name, quota = POLICY_NAMES[window], quotas[window]
            policy.append(f'"{name}";q={quota};w={window}')
            state.append(f'"{name}";r={max(quota - hits, 0)};t={reset}')
            if hits > quota:
                over.append(reset)
        headers["RateLimit-Policy"] = ", ".join(policy)
        headers["RateLimit"] = ", ".join(state)
        if over:
            headers["Retry-After"] = str(max(over))
            raise ApiError(
                f"Rate limit of integration {rules.name!r} exceeded: "
                f"retry in {max(over)} s",
                429,
            )

    @api.model
    def _api_usage(self, integration_id, key_id, windows):
        """[(window_seconds, hits, seconds to reset)] after counting this call.

        On a short transaction of its own, committed at once: a call that
        fails or is rolled back still counts, and the counter row is locked
        for one statement, not for the whole call (in the call's transaction,
        concurrent calls of one integration would queue behind each other
        and fail to serialize). Test cursors never commit: the call's own."""
        params = {"integration": integration_id, "key": key_id, "windows": windows}
        testing = getattr(threading.current_thread(), "testing", False)
        if testing or self.env.registry.in_test_mode():
            self.env.cr.execute(USAGE_NAMED, params)
            return self.env.cr.fetchall()
        # One round trip on a connection in autocommit.
        rows = side_connection.run(
            self.env.cr.dbname, USAGE_EXECUTE, params, setup=USAGE_PREPARE
        )
        if rows is not None:
            return rows
        with self.env.registry.cursor() as cr:  # all of them in use
            cr.execute(USAGE_SQL, params)
            return cr.fetchall()

    @api.model
    def _api_log(self, **values):
        """The log entry names the caller's integration."""
        integration_id = (values.get("http_info") or {}).get(INTEGRATION)
        if integration_id:
            values["log_extra"] = dict(
                values.get("log_extra") or {}, integration_id=integration_id
            )
        return super()._api_log(**values)


# {key id: monotonic time} of this worker's last stamp of a key's last use.
_STAMPED = {}


def _stamp_due(key_id):
    now = time.monotonic()
    if now - _STAMPED.get(key_id, -STAMP_EVERY) < STAMP_EVERY:
        return False
    _STAMPED[key_id] = now
    return True


def rules_quotas(rules):
    return ((60, rules.per_minute), (86400, rules.per_day))
