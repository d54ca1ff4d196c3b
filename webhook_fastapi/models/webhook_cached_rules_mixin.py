# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class WebhookCachedRulesMixin(models.AbstractModel):
    """Records that every call reads through a per-worker cache (an
    integration's rules, its scope lines): any change clears the caches of
    every worker and server, through Odoo's registry signalling."""

    _name = "webhook.cached.rules.mixin"
    _description = "Webhook API: records cached by the workers"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
