# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def unlink(self):
        result = super().unlink()
        # The API caches each user's companies per worker
        # (webhook_api_auth.py); Odoo clears its caches when a company is
        # made or changed, not when one is deleted.
        self.env.registry.clear_cache()
        return result
