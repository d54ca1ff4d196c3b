# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An integration: one external system calling the API, as one Odoo user,
with its own API keys and rules (scopes, networks, rate limits).

Its keys are Odoo's own ``res.users.apikeys`` rows of the integration's
user, linked by ``webhook_integration_id`` (webhook_integration_key.py).
The rules are read by the service from a per-worker cache
(webhook_integration_gate.py) that every change here clears in all
workers (the registry's cache signalling)."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.integration_rules import parse_networks


class WebhookIntegration(models.Model):
    _name = "webhook.integration"
    _inherit = ["webhook.cached.rules.mixin"]
    _description = "Webhook API Integration"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users",
        "Acts As",
        required=True,
        ondelete="restrict",
        domain=[("share", "=", False)],
        help="Every call of this integration runs as this user, with its access "
        "rights; the scopes below can only narrow them. Changing the user "
        "disables the keys made for the previous one.",
    )
    key_ids = fields.One2many(
        "res.users.apikeys", "webhook_integration_id", "API Keys", readonly=True
    )
    scope_ids = fields.One2many(
        "webhook.integration.scope",
        "integration_id",
        "Scopes",
        help="Without any line, the integration may do all its user may do "
        "through the API. With lines, only what they open, model by model.",
    )
    allowed_networks = fields.Text(
        help="Client addresses allowed to call (IPv4/IPv6 addresses or CIDR "
        "ranges, comma-separated or one per line); empty: any. Behind a "
        "reverse proxy, run Odoo with --proxy-mode so that the address is "
        "the client's (X-Forwarded-For), not the proxy's.",
    )
    rate_per_minute = fields.Integer(
        "Requests per Minute", help="0: no limit. Over it, calls get 429."
    )
    rate_per_day = fields.Integer("Requests per Day", help="0: no limit.")
    response_format = fields.Selection(
        [("strict", "Strict"), ("original", "Original addon's")],
        help="How this integration's calls are answered. Empty: the system "
        "parameter webhook.response_format. 'Original addon's' lets a client "
        "written for the original addon work unchanged (HTTP 200 on every "
        "answer, its value formats) while other integrations get the strict "
        "format from the same server.",
    )
    note = fields.Text()
    log_count = fields.Integer("Calls (30 days)", compute="_compute_log_stats")
    error_count = fields.Integer("Errors (30 days)", compute="_compute_log_stats")
    last_error_ids = fields.Many2many(
        "webhook.log", string="Last Errors", compute="_compute_log_stats"
    )

    _sql_constraints = [
        (
            "rates_positive",
            "CHECK (rate_per_minute >= 0 AND rate_per_day >= 0)",
            "Rate limits cannot be negative.",
        ),
    ]

    def init(self):
        # res.users.apikeys is not created by the ORM (_auto = False): its
        # columns for integrations are added here. Keys die with their
        # integration: without it they would widen to the user's full rights.
        self.env.cr.execute(
            """ALTER TABLE res_users_apikeys
                 ADD COLUMN IF NOT EXISTS webhook_integration_id int4
                     REFERENCES webhook_integration(id) ON DELETE CASCADE,
                 ADD COLUMN IF NOT EXISTS webhook_last_used timestamp;
               CREATE INDEX IF NOT EXISTS res_users_apikeys_webhook_integration_idx
                   ON res_users_apikeys (webhook_integration_id)
                WHERE webhook_integration_id IS NOT NULL;
               CREATE TABLE IF NOT EXISTS webhook_integration_rate (
                   integration_id int4 NOT NULL
                       REFERENCES webhook_integration(id) ON DELETE CASCADE,
                   window_seconds int4 NOT NULL,
                   window_start int8 NOT NULL,
                   hits int4 NOT NULL,
                   PRIMARY KEY (integration_id, window_seconds, window_start)
               )"""
        )

    @api.constrains("allowed_networks")
    def _check_allowed_networks(self):
        for integration in self:
            try:
                parse_networks(integration.allowed_networks)
            except ValueError as exc:
                raise ValidationError(
                    _("%(word)s is not an IP address or network.", word=exc.args[0])
                ) from None

    @api.constrains("user_id")
    def _check_user(self):
        for integration in self:
            if integration.user_id.share:
                raise ValidationError(_("An integration must act as an internal user."))

    @api.autovacuum
    def _gc_rate_windows(self):
        """Counter rows of windows that ended: no limit reads them again."""
        self.env.cr.execute(
            "DELETE FROM webhook_integration_rate "
            "WHERE window_start + window_seconds < extract(epoch FROM now())"
        )

    def _log_domain(self):
        return [("integration_id", "in", self.ids)]

    @api.depends_context("uid")
    def _compute_log_stats(self):
        since = fields.Datetime.now() - timedelta(days=30)
        Log = self.env["webhook.log"]
        domain = [("date", ">=", since), ("integration_id", "in", self.ids)]
        counts = dict(Log._read_group(domain, ["integration_id"], ["__count"]))
        failed = domain + [("state", "=", "failed")]
        errors = dict(Log._read_group(failed, ["integration_id"], ["__count"]))
        for integration in self:
            integration.log_count = counts.get(integration, 0)
            integration.error_count = errors.get(integration, 0)
            integration.last_error_ids = Log.search(
                integration._log_domain() + [("state", "=", "failed")], limit=10
            )

    def action_open_logs(self):
        """The integration's calls, per day (the stat button)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "webhook_fastapi.action_webhook_log"
        )
        action["domain"] = self._log_domain()
        action["context"] = {"search_default_group_day": 1}
        action["display_name"] = _("Calls of %(name)s", name=self.name)
        return action

    def action_new_key(self):
        self.ensure_one()
        return self.env["webhook.integration.key.wizard"]._open(self)

    def _rate_usage(self):
        """{window_seconds: hits} of the current windows (for the form)."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """SELECT window_seconds, hits FROM webhook_integration_rate
                    WHERE integration_id = %s
                      AND window_start + window_seconds > extract(epoch FROM now())""",
                self.id,
            )
        )
        return dict(self.env.cr.fetchall())
