# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Recovery: resend the failed deliveries of a rule, of one of its
endpoints, or of a selection in the delivery list, created since a date.
Each goes back in the queue with its webhook-id, spread over time
(webhook.outbound_resend_per_second) so that receivers are not flooded."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.webhook_fastapi.tools.params import param_int

DEFAULT_PER_SECOND = 10


class WebhookOutboundResend(models.TransientModel):
    _name = "webhook.outbound.resend"
    _description = "Resend Failed Outbound Deliveries"

    rule_id = fields.Many2one("webhook.outbound.rule", ondelete="cascade")
    endpoint_id = fields.Many2one("webhook.outbound.endpoint", ondelete="cascade")
    selected_ids = fields.Many2many("webhook.log", string="Selected Deliveries")
    since = fields.Datetime(
        help="Failed deliveries queued since then are resent (all of them "
        "when empty)."
    )
    delivery_count = fields.Integer(
        "Failed Deliveries to Resend", compute="_compute_counts"
    )
    pending_count = fields.Integer(
        "Pending Deliveries",
        compute="_compute_counts",
        help="Still in the queue: they go out by themselves (those of a "
        "disabled endpoint once it is re-enabled).",
    )
    endpoint_state = fields.Selection(related="endpoint_id.state")

    @api.model
    def _open(self, context):
        return {
            "type": "ir.actions.act_window",
            "name": _("Resend Failed Deliveries"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "webhook.log" and context.get("active_ids"):
            values["selected_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    def _scope_domain(self):
        """The deliveries this wizard is about, whatever their state."""
        self.ensure_one()
        domain = [("log_type", "=", "send"), ("is_test", "=", False)]
        if self.selected_ids:
            domain.append(("id", "in", self.selected_ids.ids))
        if self.endpoint_id:
            domain += self.endpoint_id._deliveries_domain()
        elif self.rule_id:
            domain.append(("outbound_rule_id", "=", self.rule_id.id))
        return domain

    def _to_resend(self):
        domain = self._scope_domain() + [("state", "=", "failed")]
        if self.since:
            domain.append(("date", ">=", self.since))
        return self.env["webhook.log"].sudo().search(domain, order="id")

    @api.depends("rule_id", "endpoint_id", "selected_ids", "since")
    def _compute_counts(self):
        Log = self.env["webhook.log"].sudo()
        for wizard in self:
            wizard.delivery_count = len(wizard._to_resend())
            wizard.pending_count = Log.search_count(
                wizard._scope_domain() + [("state", "=", "pending")]
            )

    def action_resend(self):
        self.ensure_one()
        if not self.env.is_system():
            raise AccessError(_("Only Settings administrators can resend deliveries."))
        if not (self.rule_id or self.endpoint_id or self.selected_ids):
            raise UserError(_("Choose a rule, an endpoint or deliveries to resend."))
        deliveries = self._to_resend()
        if not deliveries:
            raise UserError(_("No failed delivery to resend."))
        per_second = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.outbound_resend_per_second",
            DEFAULT_PER_SECOND,
        )
        self.env["webhook.outbound.queue"]._requeue_throttled(deliveries, per_second)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": _(
                    "%(count)s deliveries are back in the queue, %(rate)s a second.",
                    count=len(deliveries),
                    rate=per_second,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
