# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        result = super().write(vals)
        # A user's language and time zone live on its partner, and the API
        # caches them per worker with the user's other values
        # (webhook_api_auth.py): Odoo clears its caches when they are
        # written on the user, not on the partner.
        if {"lang", "tz"} & vals.keys() and self.sudo().with_context(
            active_test=False
        ).user_ids:
            self.env.registry.clear_cache()
        return result
