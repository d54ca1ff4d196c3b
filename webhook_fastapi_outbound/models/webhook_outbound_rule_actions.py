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
        return self._list_action(
            _("Deliveries"), "webhook.log", [("outbound_rule_id", "=", self.id)]
        )

    def action_open_callbacks(self):
        """Where each record's deliveries go, and whose each URL is."""
        self.ensure_one()
        return self._list_action(
            _("Callbacks"),
            "webhook.outbound.callback",
            [("res_model", "=", self.model_name)],
        )

    def _list_action(self, name, model, domain):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
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
