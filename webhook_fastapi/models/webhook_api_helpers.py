# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Helpers of webhook.api.service shared by the route handlers: the model,
the converter, finding the one record of a search_key, the result and the
values to write (webhook_api_service.py is the entry point)."""

from odoo import api, models

from ..tools import ApiError, parse_field_spec, serialize_records
from ..tools.converter import PayloadConverter
from ..tools.params import param_str_list
from ..tools.serializer import check_spec


class WebhookApiServiceHelpers(models.AbstractModel):
    _inherit = "webhook.api.service"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Helpers shared by the routes
    # ------------------------------------------------------------------
    @api.model
    def _api_model(self, name, operation):
        if not isinstance(name, str) or name not in self.env:
            raise ApiError(f"Unknown model {name!r}")
        model = self.env[name]
        if model._abstract:
            raise ApiError(f"Model {name!r} cannot be used through this API")
        model.check_access(operation)
        return model

    @api.model
    def _api_converter(self):
        return PayloadConverter(
            self.env,
            self._api_company_free_models(),
            ignore_unknown=self._api_original(),
        )

    @api.model
    def _api_company_free_models(self):
        icp = self.env["ir.config_parameter"].sudo()
        return param_str_list(icp, "webhook.ignore_checkcompany_model")

    @api.model
    def _api_find_one(self, model, search_key, converter, missing_ok=False):
        """The one record ``search_key`` matches: 404 when none (an empty
        recordset with ``missing_ok``), 409 when several."""
        if not isinstance(search_key, dict) or not search_key:
            raise ApiError(
                'search_key must be an object of lookup values, e.g. {"ref": "X"}'
            )
        lookup = converter._lookup(
            model, search_key, None, f"{converter.root}search_key", 0
        )
        converter.resolve()
        if not lookup.ids and missing_ok:
            return model.browse()
        if not lookup.ids:
            raise ApiError(
                f"No record of '{model._name}' matches search_key {lookup.describe()}",
                404,
            )
        if len(lookup.ids) > 1:
            raise ApiError(
                f"{len(lookup.ids)} records of '{model._name}' match "
                f"search_key {lookup.describe()} "
                f"(ids {', '.join(map(str, lookup.ids[:10]))})",
                409,
            )
        return model.browse(lookup.ids[0])

    @api.model
    def _api_result_spec(self, model, result_field):
        """The result_field spec, checked against the model before anything
        is written (a typo must not leave a record behind)."""
        spec = parse_field_spec(result_field or [])
        check_spec(model, spec)
        return spec

    @api.model
    def _api_result(self, record, spec):
        return serialize_records(
            record, spec, with_id=True, original=self._api_original()
        )[0]

    @api.model
    def _api_record_values(self, model, vals):
        """Values the request adds to the record besides its payload: none
        here; other addons add theirs (from their schema extensions)."""
        return {}

    @api.model
    def _api_write_values(self, model, vals, record=None):
        """Convert the payload, then create ``model`` or write ``record``."""
        converter = self._api_converter()
        node = converter.prepare(
            model._name,
            vals.payload or {},
            vals.auto_create,
            update=bool(record),
        )
        self._api_note_ignored(model, converter.ignored)
        values = converter.build(node)
        values.update(self._api_record_values(model, vals))
        if record is None:
            record = model.create(values)
            converter.attach(node, record)
        else:
            # Also with an empty payload: an upsert must not add values
            # (e.g. an extension's) to a record the caller may not change.
            record.check_access("write")
            before = {fname: record[fname].ids for fname, _children in node.children}
            if values:
                record.write(values)
            converter.attach(node, record, before)
        return record
