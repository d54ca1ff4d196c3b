# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from odoo.addons.webhook_fastapi.tools.params import param_str_list

from ..tools.url_guard import check_url


class WebhookApiService(models.AbstractModel):
    """The inbound API's ``callback_url``: checked before anything is
    written, registered to the calling integration (webhook.outbound.callback:
    another one's call cannot change it), also stored on records that have
    the mixin's field, and kept in the call's log entry."""

    _inherit = "webhook.api.service"

    @api.model
    def _route_create_data(self, params):
        url = self._api_check_callback_url(params.vals.callback_url)
        return self._api_keep_callback(super()._route_create_data(params), url)

    @api.model
    def _route_create_update_data(self, params):
        url = self._api_check_callback_url(params.vals.callback_url)
        outcome = super()._route_create_update_data(params)
        return self._api_keep_callback(outcome, url)

    @api.model
    def _api_keep_callback(self, outcome, url):
        if url:
            outcome.log_values["callback_url"] = url
        return outcome

    @api.model
    def _api_check_callback_url(self, url):
        """Only http(s) URLs to public hosts (SSRF guard); hosts listed in
        webhook.outbound_allowed_hosts (JSON list) are let through. No DNS
        here: the sender checks the resolved addresses at every attempt."""
        if url in (None, ""):
            return None
        icp = self.env["ir.config_parameter"].sudo()
        allowed = param_str_list(icp, "webhook.outbound_allowed_hosts")
        return check_url(url, allowed, resolve=None, what="callback_url")

    @api.model
    def _api_write_values(self, model, vals, record=None):
        url = self._api_check_callback_url(getattr(vals, "callback_url", None))
        Callback = self.env["webhook.outbound.callback"].sudo()
        if url and record is not None:
            # Before anything is written: refused when another integration
            # owns the record's callback, or when the caller may not write it.
            record.check_access("write")
            Callback._set_url(record, url, self.env.uid)
        written = super()._api_write_values(model, vals, record)
        if url and record is None:
            Callback._set_url(written, url, self.env.uid)
        return written

    @api.model
    def _api_record_values(self, model, vals):
        values = super()._api_record_values(model, vals)
        url = getattr(vals, "callback_url", None)
        if url and "callback_url" in model._fields:
            # The mixin's field: the record keeps where to report to.
            values["callback_url"] = url
        return values
