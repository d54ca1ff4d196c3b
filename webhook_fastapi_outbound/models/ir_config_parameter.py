# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from odoo.addons.webhook_fastapi.tools import params


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _webhook_param_kinds(self):
        kinds = super()._webhook_param_kinds()
        kinds.update(
            {
                "webhook.outbound_enabled": params.BOOL,
                "webhook.outbound_allowed_hosts": params.STR_LIST,
                # 0 is meaningful: no overlap after "Rotate Secret".
                "webhook.outbound_secret_overlap_hours": params.NON_NEGATIVE_INT,
                # The sending pool's sizes (webhook.outbound.sender._flight).
                "webhook.outbound_concurrency": params.POSITIVE_INT,
                "webhook.outbound_endpoint_concurrency": params.POSITIVE_INT,
                # 0: endpoints are disabled on 410 Gone only, never on time.
                "webhook.outbound_endpoint_disable_days": params.NON_NEGATIVE_INT,
                "webhook.outbound_resend_per_second": params.POSITIVE_INT,
            }
        )
        return kinds
