# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import safe_eval

from odoo.addons.webhook_fastapi.tools.errors import ApiError
from odoo.addons.webhook_fastapi.tools.field_spec import parse_field_spec
from odoo.addons.webhook_fastapi.tools.serializer import check_spec

from ..tools.retry import DEFAULT_SCHEDULE, parse_schedule
from ..tools.signing import generate_secret
from ..tools.template import path_problem, template_paths

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ATTEMPTS = 8
# Models a rule must not watch: deliveries write them, a rule on them would
# feed itself.
FORBIDDEN_MODELS = (
    "webhook.log",
    "webhook.outbound.rule",
    "webhook.outbound.event",
    "ir.cron",
    "ir.cron.trigger",
    "ir.cron.progress",
)


class WebhookOutboundRule(models.Model):
    _name = "webhook.outbound.rule"
    _description = "Outbound Webhook Rule"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="When set, only records of this company (or of no company) fire the "
        "rule. Leave empty for every company, or for models without a company.",
    )
    model_id = fields.Many2one(
        "ir.model",
        required=True,
        ondelete="cascade",
        domain=[("transient", "=", False), ("model", "not in", FORBIDDEN_MODELS)],
    )
    model_name = fields.Char(
        related="model_id.model", store=True, index=True, string="Model Name"
    )
    domain = fields.Char(
        "Trigger Domain",
        default="[]",
        required=True,
        help="The rule fires when a record goes from not matching this domain to "
        "matching it: a write of a field the domain uses, or a recompute of a "
        "stored computed field it uses (also when other records changed).",
    )
    trigger_on_create = fields.Boolean(
        "Also on Creation",
        help="Also fire once for a created record that matches the domain.",
    )
    trigger_on_unlink = fields.Boolean(
        "On Deletion",
        help="Also fire when a record that matches the domain is deleted. The "
        "payload is built just before the deletion (the record is gone when "
        "it is sent). Archiving is not a deletion: use a domain on Active.",
    )
    endpoint_source = fields.Selection(
        [("static", "Static URL"), ("callback", "Record Callback URL")],
        required=True,
        default="static",
    )
    endpoint_url = fields.Char("Endpoint URL")
    payload_fields = fields.Text(
        help="JSON list of field names, with field{sub1,sub2} expansion, e.g. "
        '["name", "partner_id{name,email}"]; or a JSON object used as a template '
        'whose string values "{field.path}" are replaced by the record\'s values. '
        'Empty: {"id": <record id>}.',
    )
    payload_format = fields.Selection(
        [
            ("bare", "Payload Only"),
            ("envelope", "Standard Webhooks Envelope"),
        ],
        required=True,
        default="bare",
        help="Payload Only: the body is the payload itself (what the original "
        'addon\'s receivers expect). Envelope: {"type": <Event Type>, '
        '"timestamp": ..., "data": {"id": ..., "model": ..., <payload>}}, so '
        "that every body says which record it is about.",
    )
    event_type = fields.Char(
        compute="_compute_event_type",
        store=True,
        readonly=False,
        help="The envelope's type: by default <model>.<rule name in lower case>.",
    )
    send_as_user_id = fields.Many2one(
        "res.users",
        "Send As",
        required=True,
        ondelete="restrict",
        domain=[("share", "=", False)],
        default=lambda self: self.env.user,
        help="The payload is read with this user's access rights and companies: "
        "a record or field it may not read is not sent (the delivery fails and "
        "says why). Record Callback URL rules read each record as the integration "
        "that registered its callback, and as this user only when the URL was set "
        "in Odoo.",
    )
    callback_count = fields.Integer(compute="_compute_callback_count")
    authorization_header = fields.Char(
        groups="base.group_system",
        help="Value of the Authorization header of every request, "
        "e.g. 'Bearer <token>'. "
        "Never written to the logs.",
    )
    secret = fields.Char(
        "Signing Secret",
        groups="base.group_system",
        copy=False,
        default=lambda self: generate_secret(),
        help="Key of the webhook-signature header (Standard Webhooks: HMAC-SHA256, "
        "key = base64-decoded part after 'whsec_').",
    )
    timeout = fields.Float("Timeout (s)", default=DEFAULT_TIMEOUT)
    max_attempts = fields.Integer("Maximum Attempts", default=DEFAULT_MAX_ATTEMPTS)
    retry_schedule = fields.Char(
        required=True,
        default=DEFAULT_SCHEDULE,
        help="Waits after the 1st, 2nd... failed attempt (the first attempt is "
        "immediate), with +/- 10% jitter; the last one repeats while attempts are "
        "left. Units: s, m, h, d. A receiver's Retry-After (on 429 and 503) wins.",
    )
    delivery_ids = fields.One2many("webhook.log", "outbound_rule_id", "Deliveries")
    delivery_count = fields.Integer(compute="_compute_delivery_count")
    payload_warning = fields.Text(compute="_compute_payload_warning")

    _sql_constraints = [
        ("timeout_positive", "CHECK(timeout > 0)", "The timeout must be positive."),
        (
            "max_attempts_positive",
            "CHECK(max_attempts >= 1)",
            "At least one attempt is needed.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------
    def _compute_delivery_count(self):
        counts = dict(
            self.env["webhook.log"]._read_group(
                [("outbound_rule_id", "in", self.ids)],
                ["outbound_rule_id"],
                ["__count"],
            )
        )
        for rule in self:
            rule.delivery_count = counts.get(rule, 0)

    @api.depends("name", "model_name")
    def _compute_event_type(self):
        for rule in self:
            slug = re.sub(r"[^a-z0-9]+", "_", (rule.name or "").lower()).strip("_")
            rule.event_type = f"{rule.model_name or 'record'}.{slug or 'event'}"

    def _compute_callback_count(self):
        counts = dict(
            self.env["webhook.outbound.callback"]._read_group(
                [("res_model", "in", self.mapped("model_name"))],
                ["res_model"],
                ["__count"],
            )
        )
        for rule in self:
            rule.callback_count = counts.get(rule.model_name, 0)

    @api.depends("payload_fields", "model_name")
    def _compute_payload_warning(self):
        for rule in self:
            warning = False
            if rule.model_name in self.env:
                try:
                    payload = rule._parsed_payload()
                except ValidationError:
                    payload = None
                if isinstance(payload, dict):
                    model = self.env[rule.model_name]
                    problems = filter(
                        None, (path_problem(model, p) for p in template_paths(payload))
                    )
                    warning = "\n".join(problems) or False
            rule.payload_warning = warning and _(
                "These placeholders cannot be resolved and will be sent as null:\n%s",
                warning,
            )

    def _parsed_payload(self):
        """The payload fields as JSON: None (empty), a list or a dict."""
        self.ensure_one()
        text = (self.payload_fields or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValidationError(
                _(
                    "Rule '%(rule)s': payload fields are not valid JSON: %(error)s",
                    rule=self.name,
                    error=exc,
                )
            ) from exc
        if not isinstance(value, list | dict):
            raise ValidationError(
                _(
                    "Rule '%s': payload fields must be a JSON list of field names "
                    "or a JSON object.",
                    self.name,
                )
            )
        return value

    @api.constrains("payload_fields", "model_id")
    def _check_payload_fields(self):
        for rule in self:
            payload = rule._parsed_payload()
            if isinstance(payload, list) and rule.model_name in self.env:
                try:
                    check_spec(self.env[rule.model_name], parse_field_spec(payload))
                except ApiError as exc:
                    raise ValidationError(
                        _(
                            "Rule '%(rule)s': invalid payload fields: %(error)s",
                            rule=rule.name,
                            error=exc,
                        )
                    ) from exc

    @api.constrains("domain", "model_id")
    def _check_domain(self):
        for rule in self:
            if rule.model_name not in self.env:
                continue
            try:
                domain = rule._eval_domain()
                # Compiling the domain to SQL checks every field path and operator.
                self.env[rule.model_name].sudo()._where_calc(domain)
            except Exception as exc:  # noqa: BLE001 - any error means a bad domain
                raise ValidationError(
                    _(
                        "Rule '%(rule)s': invalid trigger domain %(domain)s: %(error)s",
                        rule=rule.name,
                        domain=rule.domain,
                        error=exc,
                    )
                ) from exc

    @api.constrains("model_id")
    def _check_model(self):
        for rule in self:
            if rule.model_name in FORBIDDEN_MODELS or rule.model_id.transient:
                raise ValidationError(
                    _(
                        "Rule '%(rule)s' cannot watch model %(model)s.",
                        rule=rule.name,
                        model=rule.model_name,
                    )
                )

    @api.constrains("endpoint_source", "endpoint_url")
    def _check_endpoint(self):
        for rule in self:
            url = (rule.endpoint_url or "").strip()
            if rule.endpoint_source == "static" and not url:
                raise ValidationError(
                    _(
                        "Rule '%s': an Endpoint URL is required for a Static URL.",
                        rule.name,
                    )
                )
            if url and not url.lower().startswith(("http://", "https://")):
                raise ValidationError(
                    _(
                        "Rule '%s': the Endpoint URL must start with http:// or https://.",
                        rule.name,
                    )
                )

    @api.constrains("retry_schedule")
    def _check_retry_schedule(self):
        for rule in self:
            try:
                parse_schedule(rule.retry_schedule)
            except ValueError as exc:
                raise ValidationError(
                    _(
                        "Rule '%(rule)s': Retry Schedule: %(error)s",
                        rule=rule.name,
                        error=exc,
                    )
                ) from exc

    @api.constrains("authorization_header")
    def _check_authorization_header(self):
        for rule in self.sudo():
            value = rule.authorization_header or ""
            try:
                value.encode("latin-1")
                one_line = "\r" not in value and "\n" not in value
            except UnicodeEncodeError:
                one_line = False
            if not one_line:
                raise ValidationError(
                    _(
                        "Rule '%s': the Authorization value must be plain "
                        "text on one line (Latin-1 characters only).",
                        rule.name,
                    )
                )

    def _eval_context(self):
        return {
            "datetime": safe_eval.datetime,
            "dateutil": safe_eval.dateutil,
            "time": safe_eval.time,
            "uid": self.env.uid,
            "user": self.env.user,
            "context_today": lambda: fields.Date.context_today(self),
        }

    def _eval_domain(self, domain_text=None):
        domain = safe_eval.safe_eval(
            domain_text or self.domain or "[]", self._eval_context()
        )
        if not isinstance(domain, list | tuple):
            raise ValueError("the domain must be a list")
        return list(domain)

    # ------------------------------------------------------------------
    # CRUD: keep the cached rules in step with the table
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self._rules_changed()
        return rules

    def write(self, vals):
        res = super().write(vals)
        self._rules_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self._rules_changed()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=_("%s (copy)", rule.name))
            for rule, vals in zip(self, vals_list, strict=True)
        ]

    def _rules_changed(self):
        """The ORM hooks (models/base.py) read the rules from a cache: no
        model class is patched, so nothing can unpatch them (base_automation's
        _unregister_hook deletes every patched write/create by name).
        clear_cache() is signalled to the other workers and servers through
        the database, which empty theirs before their next request or job.
        Rolled back, the change must not linger in the cache, which may have
        been filled since."""
        self.env.registry.clear_cache()
        self.env.cr.postrollback.add(self.env.registry.clear_cache)
