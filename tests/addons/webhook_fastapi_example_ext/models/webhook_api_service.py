# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from odoo.addons.webhook_fastapi.tools.outcome import ApiOutcome


class WebhookApiService(models.AbstractModel):
    _inherit = "webhook.api.service"

    @api.model
    def _api_record_values(self, model, vals):
        values = super()._api_record_values(model, vals)
        note = getattr(vals, "note", None)
        if note and "comment" in model._fields:
            values["comment"] = note
        return values

    @api.model
    def _route_count_data(self, params):
        model = self._api_model(params.model, "read")
        count = model.search_count([])
        return ApiOutcome(result={"count": count}, message=f"{count} record(s)")
