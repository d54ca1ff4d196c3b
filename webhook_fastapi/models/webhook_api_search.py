# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""search_data (part of webhook.api.service): offset or cursor paging,
has_more, the total count, write_date to the microsecond."""

import hashlib
import json

from odoo import api, models

from ..tools import (
    ApiError,
    check_domain_fields,
    parse_domain,
    parse_field_spec,
    parse_order,
    serialize_records,
)
from ..tools import cursor as keyset
from ..tools.outcome import ApiOutcome
from ..tools.params import param_int
from ..tools.precondition import precise_string
from ..tools.serializer import check_spec

DEFAULT_SEARCH_MAX_LIMIT = 1000


# One model in several files, to keep each under 400 lines.
class WebhookApiService(models.AbstractModel):
    _inherit = "webhook.api.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _route_search_data(self, params):
        model = self._api_model(params.model, "read")
        payload = params.vals.payload
        spec = parse_field_spec(
            payload.search_field or self._api_default_search_fields(model)
        )
        check_spec(model, spec)
        domain = parse_domain(payload.search_domain)
        check_domain_fields(model, domain)
        order = parse_order(payload.order, model)
        limit = self._api_search_limit(payload.limit)
        # The original format answers no paging keys: none to compute.
        paging = not self._api_original()
        try:
            records, page = self._api_search_page(
                model, domain, order, limit, payload, fetch=spec, paging=paging
            )
        except (ValueError, AssertionError) as exc:
            raise ApiError(f"Invalid search_domain: {exc}") from None
        result = serialize_records(
            records, spec, with_id=True, original=self._api_original(), fetched=True
        )
        if payload.precise_write_date and "write_date" in spec:
            for row, record in zip(result, records, strict=True):
                # The cache keeps the microseconds that to_string() drops.
                row["write_date"] = precise_string(record.write_date)
        return ApiOutcome(
            result=result,
            message=f"{len(result)} record(s) found",
            page=page if paging else None,
        )

    @api.model
    def _api_search_page(
        self, model, domain, order, limit, payload, fetch=(), paging=True
    ):
        """(records, page keys) of one page: by ``payload.cursor`` (keyset)
        or by offset; one record more than asked tells ``has_more``. The
        fields named in ``fetch`` are read by the search's own query, as
        ``search_fetch`` does: one query less for every search. Without
        ``paging`` (an answer without paging keys), no ``next_cursor`` nor
        ``count`` is computed."""
        if payload.cursor and payload.offset:
            raise ApiError("cursor and offset cannot be used together")
        try:
            items = keyset.keyset_items(model, order)
        except ApiError:
            if payload.cursor:
                raise
            items = None  # offset paging only, in the order asked
        scope = items and self._api_cursor_scope(model, domain, items)
        if items:
            order = keyset.items_order(items)
        query = model._search(
            domain,
            offset=0 if payload.cursor else payload.offset,
            limit=limit + 1,
            order=order,
        )
        if payload.cursor:
            values = keyset.decode(
                self._api_cursor_secret(), scope, payload.cursor, len(items)
            )
            query.add_where(keyset.after_condition(model, items, values))
        names = [name for name in fetch if name != "id"]
        records = model._fetch_query(query, model._determine_fields_to_fetch(names))
        page = {"has_more": len(records) > limit, "next_cursor": None}
        records = records[:limit]
        if page["has_more"] and items and paging:
            page["next_cursor"] = keyset.encode(
                self._api_cursor_secret(),
                scope,
                self._api_sort_values(model, items, records[-1].id),
            )
        if payload.count and paging:
            page["count"] = model.search_count(domain)
        return records, page

    @api.model
    def _api_sort_values(self, model, items, record_id):
        """The sort values of one record as the database orders them."""
        # Read by SQL: what an earlier operation of a batch wrote, flushed.
        model.browse(record_id).flush_recordset([f for f, _d, _n in items])
        self.env.cr.execute(
            keyset.SQL(
                "SELECT %s FROM %s WHERE id = %s",
                keyset.SQL(", ").join(keyset.column(model, f) for f, _d, _n in items),
                keyset.SQL.identifier(model._table),
                record_id,
            )
        )
        return [keyset.jsonable(value) for value in self.env.cr.fetchone()]

    @api.model
    def _api_cursor_scope(self, model, domain, items):
        # A cursor pages one query of one user: anything else is refused.
        text = json.dumps([self.env.uid, model._name, domain, items], default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    @api.model
    def _api_cursor_secret(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.secret")

    @api.model
    def _api_search_limit(self, limit):
        max_limit = param_int(
            self.env["ir.config_parameter"].sudo(),
            "webhook.search_max_limit",
            DEFAULT_SEARCH_MAX_LIMIT,
        )
        if not limit:
            return max_limit
        if limit > max_limit:
            raise ApiError(
                f"limit {limit} is above the maximum of {max_limit} "
                "(system parameter webhook.search_max_limit); page with offset "
                "or cursor"
            )
        return limit
