# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _get_invalidation_fields(self):
        # The API caches a user's values per worker, read from its partner
        # (webhook_api_auth.py): a new partner clears them as Odoo clears
        # its own caches on a change of language or companies.
        return super()._get_invalidation_fields() | {"partner_id"}
