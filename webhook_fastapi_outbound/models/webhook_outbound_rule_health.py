# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a rule adds for endpoint health and recovery: a responsible user
(told in the chatter and by an activity when an endpoint starts failing or
is disabled), its endpoints and their worst state, its last deliveries, an
optional rate limit per endpoint, and the resend wizard."""

from odoo import _, api, fields, models

from .webhook_outbound_endpoint import STATES

LAST_DELIVERIES = 10


class WebhookOutboundRule(models.Model):
    _name = "webhook.outbound.rule"
    _inherit = ["webhook.outbound.rule", "mail.thread", "mail.activity.mixin"]

    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        help="Told (chatter message and activity) when an endpoint of this rule "
        "starts failing and when it is disabled.",
    )
    rate_limit = fields.Integer(
        "Rate Limit (per second)",
        help="At most this many deliveries per second to each endpoint of the "
        "rule, whatever the number of workers. 0: no limit.",
    )
    endpoint_ids = fields.One2many("webhook.outbound.endpoint", "rule_id")
    endpoint_count = fields.Integer(compute="_compute_health")
    health_state = fields.Selection(
        STATES,
        "Health",
        compute="_compute_health",
        search="_search_health_state",
        help="The worst state of the rule's endpoints (healthy when none was "
        "tried yet).",
    )
    last_delivery_ids = fields.Many2many(
        "webhook.log", compute="_compute_last_delivery_ids", string="Last Deliveries"
    )

    _sql_constraints = [
        (
            "rate_limit_not_negative",
            "CHECK(rate_limit IS NULL OR rate_limit >= 0)",
            "The rate limit cannot be negative.",
        ),
    ]

    @api.depends("endpoint_ids.state")
    def _compute_health(self):
        order = [state for state, _label in STATES]
        for rule in self:
            states = rule.endpoint_ids.mapped("state")
            rule.endpoint_count = len(rule.endpoint_ids)
            rule.health_state = max(states, key=order.index) if states else "healthy"

    def _search_health_state(self, operator, value):
        if operator not in ("=", "in", "!=", "not in"):
            raise NotImplementedError(_("Unsupported search on Health."))
        values = [value] if isinstance(value, str) else list(value)
        unhealthy = self.env["webhook.outbound.endpoint"]._read_group(
            [("state", "!=", "healthy")], ["rule_id", "state"]
        )
        worst = {}
        for rule, state in unhealthy:
            if worst.get(rule.id) != "disabled":
                worst[rule.id] = state
        if "healthy" in values:
            ids = [rid for rid, state in worst.items() if state not in values]
            positive = operator in ("!=", "not in")
        else:
            ids = [rid for rid, state in worst.items() if state in values]
            positive = operator in ("=", "in")
        return [("id", "in" if positive else "not in", ids)]

    def _compute_last_delivery_ids(self):
        Log = self.env["webhook.log"]
        for rule in self:
            rule.last_delivery_ids = Log.search(
                [("log_type", "=", "send"), ("outbound_rule_id", "=", rule.id)],
                order="id desc",
                limit=LAST_DELIVERIES,
            )

    def action_open_endpoints(self):
        self.ensure_one()
        action = self._list_action(
            _("Endpoints"), "webhook.outbound.endpoint", [("rule_id", "=", self.id)]
        )
        return dict(action, view_mode="list,form")

    def action_resend_failed(self):
        self.ensure_one()
        return self.env["webhook.outbound.resend"]._open({"default_rule_id": self.id})
