# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The rule form's buttons, and what they keep: the previous secret of a
rotation, valid for an overlap so that receivers can switch at their pace."""

from datetime import timedelta

from odoo import _, fields, models

from odoo.addons.webhook_fastapi.tools.params import param_int

from ..tools.signing import generate_secret

DEFAULT_OVERLAP_HOURS = 24


class WebhookOutboundRule(models.Model):
    _inherit = "webhook.outbound.rule"

    previous_secret = fields.Char(groups="base.group_system", copy=False)
    previous_secret_until = fields.Datetime(
        "Previous Secret Valid Until",
        copy=False,
        help="Until then every delivery is signed with the new and the previous "
        "secret (two v1 signatures): receivers holding either one verify it.",
    )

    def action_regenerate_secret(self):
        """Rotate: a new secret, the current one kept valid for the overlap
        (webhook.outbound_secret_overlap_hours, 0 for none)."""
        hours = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.outbound_secret_overlap_hours",
            DEFAULT_OVERLAP_HOURS,
            minimum=0,
        )
        until = fields.Datetime.now() + timedelta(hours=hours) if hours > 0 else False
        for rule in self.sudo():
            rule.write(
                {
                    "previous_secret": until and rule.secret,
                    "previous_secret_until": until,
                    "secret": generate_secret(),
                }
            )
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
