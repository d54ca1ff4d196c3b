# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Endpoint health: each place a rule delivers to (its static URL, or each
callback URL) with its last success, failure streak and state. Updated in
batch after every landing of attempts (webhook.outbound.sender's
_after_attempts); a disabled endpoint's deliveries stay pending and are not
claimed (webhook.outbound.queue's _claimable_sql) until it is re-enabled."""

import logging
import threading
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.webhook_fastapi.tools.params import param_int

from ..tools.health import tally_outcomes
from .ir_cron import SEND_CRON_XMLID

_logger = logging.getLogger(__name__)

DEFAULT_DISABLE_DAYS = 5
# A landing's health is written on its own short transaction, tried again
# this often when another worker wrote the same endpoint meanwhile.
HEALTH_TRIES = 3
STATES = [("healthy", "Healthy"), ("failing", "Failing"), ("disabled", "Disabled")]

# Upserts a landing's endpoints from parallel arrays (one per tally field)
# and returns (id, old state, new state, gone) rows: see _health_sql.
HEALTH_QUERY = """WITH input AS (
                   SELECT * FROM unnest(%(rule)s::int[], %(url)s::text[],
                              %(ok)s::bool[], %(fails)s::int[], %(first)s::timestamp[],
                              %(last_fail)s::timestamp[], %(last_ok)s::timestamp[],
                              %(gone)s::bool[])
                     AS i(rule_id, url, ok, fails, first_fail, last_fail,
                          last_ok, gone)
                    WHERE rule_id IN (SELECT id FROM webhook_outbound_rule)),
               old AS (
                   SELECT e.id, e.state FROM webhook_outbound_endpoint AS e
                     JOIN input AS i ON i.rule_id = e.rule_id AND i.url = e.url),
               up AS (
                   INSERT INTO webhook_outbound_endpoint AS e
                          (rule_id, url, state, failure_count, failing_since,
                           last_failure_date, last_success_date,
                           create_uid, create_date, write_uid, write_date)
                   SELECT rule_id, url,
                          CASE WHEN gone THEN 'disabled'
                               WHEN fails > 0 THEN 'failing' ELSE 'healthy' END,
                          fails, first_fail, last_fail, last_ok,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM input
              ON CONFLICT (rule_id, url) DO UPDATE SET
                   failure_count = EXCLUDED.failure_count + CASE
                       WHEN EXCLUDED.last_success_date IS NULL
                       THEN e.failure_count ELSE 0 END,
                   failing_since = CASE
                       WHEN EXCLUDED.last_success_date IS NULL
                       THEN coalesce(e.failing_since, EXCLUDED.failing_since)
                       ELSE EXCLUDED.failing_since END,
                   last_failure_date = coalesce(EXCLUDED.last_failure_date,
                                                e.last_failure_date),
                   last_success_date = coalesce(EXCLUDED.last_success_date,
                                                e.last_success_date),
                   write_date = EXCLUDED.write_date,
                   state = CASE
                       WHEN e.state = 'disabled' OR EXCLUDED.state = 'disabled'
                       THEN 'disabled'
                       WHEN EXCLUDED.last_success_date IS NOT NULL
                            AND EXCLUDED.failure_count = 0 THEN 'healthy'
                       WHEN coalesce(e.failing_since, EXCLUDED.failing_since)
                            <= %(disable_before)s
                            AND EXCLUDED.last_success_date IS NULL THEN 'disabled'
                       WHEN EXCLUDED.failure_count > 0 THEN 'failing'
                       ELSE e.state END
                RETURNING e.id, e.rule_id, e.url, e.state)
               SELECT up.id, old.state, up.state, i.gone
                 FROM up JOIN input AS i ON i.rule_id = up.rule_id AND i.url = up.url
            LEFT JOIN old ON old.id = up.id"""


class WebhookOutboundEndpoint(models.Model):
    _name = "webhook.outbound.endpoint"
    _description = "Outbound Webhook Endpoint"
    _order = "rule_id, url"
    _rec_name = "url"

    rule_id = fields.Many2one(
        "webhook.outbound.rule", required=True, ondelete="cascade", readonly=True
    )
    url = fields.Char("URL", required=True, readonly=True)
    state = fields.Selection(STATES, required=True, default="healthy", readonly=True)
    last_success_date = fields.Datetime("Last Success", readonly=True)
    last_failure_date = fields.Datetime("Last Failure", readonly=True)
    failure_count = fields.Integer(
        "Failure Streak", readonly=True, help="Failed attempts since the last success."
    )
    failing_since = fields.Datetime(
        readonly=True, help="First failed attempt since the last success."
    )
    disabled_reason = fields.Text(readonly=True)
    pending_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("endpoint_unique", "UNIQUE(rule_id, url)", "An endpoint is listed once.")
    ]

    def _deliveries_domain(self, states=None):
        self.ensure_one()
        domain = [
            ("log_type", "=", "send"),
            ("outbound_rule_id", "=", self.rule_id.id),
            ("target_url", "=", self.url),
        ]
        return domain + ([("state", "in", states)] if states else [])

    def _compute_counts(self):
        groups = self.env["webhook.log"]._read_group(
            [
                ("log_type", "=", "send"),
                ("outbound_rule_id", "in", self.rule_id.ids),
                ("target_url", "in", self.mapped("url")),
                ("state", "in", ("pending", "failed")),
            ],
            ["outbound_rule_id", "target_url", "state"],
            ["__count"],
        )
        counts = {(rule.id, url, state): n for rule, url, state, n in groups}
        for endpoint in self:
            key = (endpoint.rule_id.id, endpoint.url)
            endpoint.pending_count = counts.get((*key, "pending"), 0)
            endpoint.failed_count = counts.get((*key, "failed"), 0)

    # ------------------------------------------------------------------
    # Health, after each landing
    # ------------------------------------------------------------------
    @api.model
    def _record_outcomes(self, outcomes):
        """Fold ``outcomes`` ([(delivery, values written)]) into the health
        of their endpoints, in one query, and tell the rules' responsible
        users about endpoints that start failing or are disabled. Written
        on a transaction of its own with a fresh snapshot: under REPEATABLE
        READ, the landing's transaction (opened when the POSTs started)
        would fail on an endpoint another worker updated meanwhile."""
        tallies = tally_outcomes(outcomes)
        if not tallies:
            return
        if getattr(threading.current_thread(), "testing", False):
            self._apply_health(tallies)  # test cursors never commit
            return
        for _try in range(HEALTH_TRIES):
            try:
                with self.env.registry.cursor() as cr:
                    self.with_env(self.env(cr=cr))._apply_health(tallies)
                return
            except (pg_errors.SerializationFailure, pg_errors.UniqueViolation):
                continue
        _logger.warning("Endpoint health not updated: concurrent updates.")

    @api.model
    def _apply_health(self, tallies):
        self.env.cr.execute(self._health_sql(tallies), log_exceptions=False)
        changes = self.env.cr.fetchall()
        self.invalidate_model()
        # Written in SQL: what the rules compute from their endpoints too.
        self.env["webhook.outbound.rule"].invalidate_model(
            ["endpoint_ids", "endpoint_count", "health_state"]
        )
        self._notify_changes(changes)

    @api.model
    def _disable_before(self):
        """Failing since before this date: disabled (None: never on time)."""
        days = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.outbound_endpoint_disable_days",
            DEFAULT_DISABLE_DAYS,
            minimum=0,
        )
        return fields.Datetime.now() - timedelta(days=days) if days else None

    @api.model
    def _health_sql(self, tallies):
        """Upsert the endpoints of ``tallies``; returns (id, old state, new
        state, gone) rows. A success in the landing restarts the streak;
        failures only add to it. Disabled stays disabled (Re-enable)."""
        columns = [
            [getattr(t, name) for t in tallies]
            for name in ("rule_id", "url", "succeeded", "fails", "first_fail")
        ] + [[t.last_fail for t in tallies], [t.last_success for t in tallies]]
        return SQL(
            HEALTH_QUERY,
            rule=columns[0],
            url=columns[1],
            ok=columns[2],
            fails=columns[3],
            first=columns[4],
            last_fail=columns[5],
            last_ok=columns[6],
            gone=[t.gone for t in tallies],
            uid=self.env.uid,
            now=fields.Datetime.now(),
            disable_before=self._disable_before(),
        )

    @api.model
    def _notify_changes(self, changes):
        """Why each newly disabled endpoint is, and a notice to its rule's
        responsible user for those that start failing or are disabled."""
        started, disabled, gone = [], [], set()
        for endpoint_id, old, new, was_gone in changes:
            if new == "disabled" and old != "disabled":
                disabled.append(endpoint_id)
                if was_gone:
                    gone.add(endpoint_id)
            elif new == "failing" and old in (None, "healthy"):
                started.append(endpoint_id)
        endpoints = self.sudo().browse(disabled)
        for endpoint in endpoints:
            endpoint.disabled_reason = endpoint._disabled_message(endpoint.id in gone)
        self.sudo().browse(started)._notify(_("Endpoint failing"))
        endpoints._notify(_("Endpoint disabled"))

    def _disabled_message(self, gone):
        if gone:
            return _(
                "The receiver answered 410 Gone: the endpoint is disabled and its "
                "deliveries wait until it is re-enabled."
            )
        return _(
            "Every attempt failed since %(since)s: the endpoint is disabled and "
            "its deliveries wait until it is re-enabled.",
            since=self.failing_since,
        )

    def _notify(self, title):
        """A chatter message on the rule and a to-do for its responsible user."""
        for endpoint in self:
            rule = endpoint.rule_id
            text = _(
                "%(title)s: %(url)s (%(count)s failed attempts in a row). %(reason)s",
                title=title,
                url=endpoint.url,
                count=endpoint.failure_count,
                reason=endpoint.disabled_reason or "",
            )
            partners = rule.user_id.partner_id.ids
            rule.message_post(body=text, partner_ids=partners)
            if rule.user_id:
                rule.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=_("%(title)s: %(url)s", title=title, url=endpoint.url),
                    note=text,
                    user_id=rule.user_id.id,
                )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_enable(self):
        """Healthy again: its pending deliveries go out at the next run; the
        resend wizard offers the failed ones."""
        dates = [date for date in self.mapped("failing_since") if date]
        since = min(dates) if dates else False
        self.sudo().write(
            {
                "state": "healthy",
                "failure_count": 0,
                "failing_since": False,
                "disabled_reason": False,
            }
        )
        self.env.ref(SEND_CRON_XMLID).sudo()._trigger()
        if len(self) != 1:
            return True
        return self.action_resend_failed(since)

    def action_resend_failed(self, since=None):
        self.ensure_one()
        context = {"default_endpoint_id": self.id, "default_rule_id": self.rule_id.id}
        if since:
            context["default_since"] = fields.Datetime.to_string(since)
        return self.env["webhook.outbound.resend"]._open(context)

    def action_open_deliveries(self):
        self.ensure_one()
        return self.rule_id._list_action(
            _("Deliveries"), "webhook.log", self._deliveries_domain()
        )
