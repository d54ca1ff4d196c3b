# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One scope line of an integration: what it may do on one model."""

from odoo import fields, models

from ..tools.integration_rules import ScopeRule, split_words


class WebhookIntegrationScope(models.Model):
    _name = "webhook.integration.scope"
    _inherit = ["webhook.cached.rules.mixin"]
    _description = "Webhook API Integration Scope"
    _order = "integration_id, model_id"

    integration_id = fields.Many2one(
        "webhook.integration", required=True, ondelete="cascade", index=True
    )
    model_id = fields.Many2one("ir.model", required=True, ondelete="cascade")
    model_name = fields.Char("Model Name", related="model_id.model", store=True)
    allow_create = fields.Boolean("Create", help="/api/create_data")
    allow_update = fields.Boolean("Update", help="/api/update_data")
    allow_upsert = fields.Boolean("Upsert", help="/api/create_update_data")
    allow_search = fields.Boolean("Search", help="/api/search_data")
    allow_call = fields.Boolean("Call", help="/api/call_function")
    method_names = fields.Char(
        "Methods",
        help="Methods it may call (comma-separated); empty: any public method.",
    )
    write_field_ids = fields.Many2many(
        "ir.model.fields",
        "webhook_integration_scope_write_field_rel",
        "scope_id",
        "field_id",
        "Writable Fields",
        domain="[('model_id', '=', model_id)]",
        help="Fields it may write (create, update, upsert); empty: any.",
    )
    read_field_ids = fields.Many2many(
        "ir.model.fields",
        "webhook_integration_scope_read_field_rel",
        "scope_id",
        "field_id",
        "Readable Fields",
        domain="[('model_id', '=', model_id)]",
        help="Fields it may read, filter or look up by (search_field, "
        "search_domain, result_field, search_key); id and display_name "
        "always; empty: any.",
    )

    _sql_constraints = [
        (
            "model_unique",
            "UNIQUE (integration_id, model_id)",
            "One scope line per model and integration.",
        ),
    ]

    def _rule(self):
        """This line, frozen for the per-worker cache."""
        kinds = {
            kind
            for kind in ("create", "update", "upsert", "search", "call")
            if self[f"allow_{kind}"]
        }
        methods = split_words(self.method_names)
        return ScopeRule(
            kinds=frozenset(kinds),
            methods=frozenset(methods) if methods else None,
            write_fields=_names(self.write_field_ids),
            read_fields=_names(self.read_field_ids),
        )


def _names(field_records):
    return frozenset(field_records.mapped("name")) if field_records else None
