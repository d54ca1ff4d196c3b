# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _auth_method_public(cls):
        """The fastapi routes are ``auth="public"``: Odoo then looks the
        public user up with ``env.ref()``, whose ``exists()`` is one query on
        every anonymous request (API calls carry a key, not a session). The
        API does not run as that user (the dispatcher switches to the
        endpoint's user, the service to the caller), so for its paths the
        cached id is enough."""
        if request.env.uid is None:
            path = request.httprequest.path
            if request.env["fastapi.endpoint"].sudo()._webhook_is_api_path(path):
                public = request.env["ir.model.data"]._xmlid_to_res_id(
                    "base.public_user"
                )
                request.update_env(user=public)
                return
        return super()._auth_method_public()
