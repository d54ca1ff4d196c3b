# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The response format (``webhook.response_format``) as the service applies
it (part of webhook.api.service). What each format looks like is in
tools/original_format.py; this file only asks it, so that the handlers
stay the same for both formats."""

import logging

from odoo import api, models

from ..tools import original_format
from ..tools.outcome import ApiOutcome

_logger = logging.getLogger(__name__)

DEFAULT_SEARCH_FIELDS = ["id", "display_name"]


# One model in several files, to keep each under 400 lines.
class WebhookApiService(models.AbstractModel):
    _inherit = "webhook.api.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _api_format(self):
        """``strict`` or ``original``: the caller's integration's, else the
        system parameter's, read for each call (ir.config_parameter caches
        it), so that a change applies at once on every worker."""
        if fmt := self.env.context.get("webhook_response_format"):
            return fmt
        icp = self.env["ir.config_parameter"].sudo()
        return original_format.response_format(icp)

    @api.model
    def _api_original(self):
        return self._api_format() == original_format.ORIGINAL

    @api.model
    def _api_wire_status(self, status):
        return original_format.wire_status(self._api_format(), status)

    @api.model
    def _api_default_search_fields(self, model):
        """search_data's fields when the caller names none."""
        if self._api_original():
            return original_format.default_search_fields(model)
        return DEFAULT_SEARCH_FIELDS

    @api.model
    def _api_note_ignored(self, model, paths):
        """Payload keys the converter dropped (original format only): told
        in the answer's messages, and in the server log."""
        if not paths:
            return
        message = original_format.ignored_keys_message(paths)
        _logger.info("webhook API on %s: %s", model._name, message)
        notes = self.env.context.get("webhook_api_notes")
        if notes is not None:
            notes.add(message)

    @api.model
    def _api_update_result(self, record, vals, spec):
        """update_data's result: ``{"id": 42, ...}``, or the original's
        ``{"id": [42], <search_key>, ...}``."""
        result = self._api_result(record, spec)
        if not self._api_original():
            return result
        return original_format.update_result(record.ids, vals.search_key, result)

    @api.model
    def _api_nothing_updated(self, model, vals):
        """update_data whose search_key matches nothing, in the original
        format: a success that writes nothing. The log entry keeps 404,
        what the strict format answers."""
        return ApiOutcome(
            status=404,
            success=True,
            result=original_format.update_result([], vals.search_key, {}),
            message=(
                f"No record of '{model._name}' matches search_key "
                f"{vals.search_key!r}: nothing updated"
            ),
        )
