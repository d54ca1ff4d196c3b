# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The rule form's buttons."""

from odoo import _, models

from ..tools.signing import generate_secret


class WebhookOutboundRule(models.Model):
    _inherit = "webhook.outbound.rule"

    def action_regenerate_secret(self):
        for rule in self:
            rule.secret = generate_secret()
        return True

    def action_open_deliveries(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Deliveries"),
            "res_model": "webhook.log",
            "view_mode": "list,form",
            "domain": [("outbound_rule_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_open_callbacks(self):
        """Where each record's deliveries go, and whose each URL is."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Callbacks"),
            "res_model": "webhook.outbound.callback",
            "view_mode": "list,form",
            "domain": [("res_model", "=", self.model_name)],
            "context": {"create": False},
        }

    def action_send_test(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Send Test"),
            "res_model": "webhook.outbound.test",
            "view_mode": "form",
            "target": "new",
            "context": {"default_rule_id": self.id},
        }
