# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def unlink(self):
        res = super().unlink()
        # webhook.api.service caches which user a key belongs to: a revoked
        # key must stop working at once, in every worker.
        self.env.registry.clear_cache()
        return res
