# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The outbound events in the webhook app's OpenAPI (its ``webhooks``
section, OpenAPI 3.1): one entry per active rule, what its receiver gets
and must answer."""

import re
from functools import partial

from odoo import api, models
from odoo.exceptions import ValidationError

from odoo.addons.fastapi.context import odoo_env_ctx

from ..tools.openapi_webhooks import webhook_item


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    def _get_app(self):
        """The app is built once and pooled, and FastAPI caches its schema:
        the webhooks are added on each call of app.openapi(), which only
        /openapi.json makes, so they follow the rules at once and cost the
        API calls nothing."""
        app = super()._get_app()
        if self.app == "webhook":
            app.openapi = partial(_openapi_with_webhooks, app.openapi)
        return app

    @api.model
    def _webhook_openapi_webhooks(self):
        """{key: Path Item} of the active rules. Read as superuser, but
        only what a receiver may know: no secret, Authorization header or
        URL, no domain."""
        rules = (
            self.env["webhook.outbound.rule"]
            .sudo()
            .with_context(active_test=True)
            .search([])
        )
        rules = rules.filtered(lambda rule: rule.model_name in self.env)
        describe = partial(_describe, self.env)
        webhooks, operation_ids = {}, set()
        for rule in rules:
            key = rule.event_type or rule.model_name
            key = f"{key}.{rule.id}" if key in webhooks else key
            operation_id = "receive_" + re.sub(r"\W+", "_", key)
            if operation_id in operation_ids:
                operation_id = f"{operation_id}_{rule.id}"
            operation_ids.add(operation_id)
            info = self._webhook_openapi_rule_info(rule)
            webhooks[key] = webhook_item(
                describe, dict(info, key=key, operation_id=operation_id)
            )
        return webhooks

    @api.model
    def _webhook_openapi_rule_info(self, rule):
        try:
            payload = rule._parsed_payload()
        except ValidationError:
            payload = None  # refused on save: an old row, documented as its id
        return {
            "name": rule.name,
            "model": rule.model_name,
            "event_type": rule.event_type,
            "payload_format": rule.payload_format,
            "payload": payload,
            "triggers": self._webhook_openapi_triggers(rule),
            "timeout": rule.timeout,
            "max_attempts": rule.max_attempts,
            "retry_schedule": rule.retry_schedule,
        }

    @api.model
    def _webhook_openapi_triggers(self, rule):
        # English, as the rest of the schema.
        when = [f"when a {rule.model_name} record comes to match the rule"]
        if rule.trigger_on_create:
            when.append("when one is created matching it")
        if rule.trigger_on_unlink:
            when.append("when one matching it is deleted (read just before)")
        return ", ".join(when)


def _openapi_with_webhooks(base_openapi):
    """app.openapi(): FastAPI's cached schema, with the webhooks of now.
    The request's environment is the one OCA's dispatcher set for the app."""
    schema = base_openapi()
    env = odoo_env_ctx.get(None)
    if env is None:
        return schema
    webhooks = env["fastapi.endpoint"]._webhook_openapi_webhooks()
    return {**schema, "webhooks": webhooks} if webhooks else schema


def _describe(env, model, name):
    """tools.openapi_webhooks' view of a field: None when unknown."""
    field = env[model]._fields.get(name) if model in env else None
    if field is None:
        return None
    selection = field.selection if field.type == "selection" else None
    return {
        "type": field.type,
        "relation": field.comodel_name if field.relational else None,
        "string": field.string,
        "selection": [key for key, _label in selection]
        if isinstance(selection, list)
        else None,
    }
