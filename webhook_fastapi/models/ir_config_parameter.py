# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, models
from odoo.exceptions import ValidationError

from ..route_table import ROUTES
from ..tools import params


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _webhook_param_kinds(self):
        """{key: kind} of the parameters checked on save, kinds from
        ``tools.params``. Addons extending the API add their keys here."""
        kinds = {
            key: params.POSITIVE_INT
            for key in (
                "webhook.max_request_size",
                "webhook.anonymous_log_limit",
                "webhook.preview_limit",
                "webhook.search_max_limit",
                "webhook.log_retention_days",
                "webhook.idempotency_hours",
                "webhook.batch_max_operations",
            )
        }
        for route in ROUTES.values():
            kinds[route.log_param] = params.BOOL
        kinds["webhook.rollback_state_failed"] = params.BOOL
        kinds["webhook.rollback_except"] = params.BOOL
        kinds["webhook.ignore_checkcompany_model"] = params.STR_LIST
        return kinds

    @api.model
    def _webhook_param_expected(self, kind):
        return {
            params.BOOL: _("a boolean: 1 or 0, true or false, yes or no, on or off"),
            params.POSITIVE_INT: _("a whole number greater than 0"),
            params.NON_NEGATIVE_INT: _("a whole number, 0 or more"),
            params.STR_LIST: _(
                'a list: comma-separated (a.com, b.com) or JSON (["a.com", "b.com"])'
            ),
        }[kind]

    @api.constrains("key", "value")
    def _check_webhook_param_value(self):
        """Refuse what the readers would ignore (with only a warning in the
        server log): the mistake is shown where the value is typed. Same
        parsers as the readers; an empty value is the default, as for them."""
        kinds = self._webhook_param_kinds()
        for param in self:
            kind = kinds.get(param.key)
            if not kind or params.is_unset(param.value):
                continue
            try:
                params.PARSERS[kind](param.value)
            except ValueError:
                raise ValidationError(
                    _(
                        "System parameter %(key)s cannot be %(value)s: "
                        "it must be %(expected)s.",
                        key=param.key,
                        value=repr(param.value),
                        expected=self._webhook_param_expected(kind),
                    )
                ) from None
