# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The migration from the original addon (usability_webhooks), as a wizard
(Settings > Technical > API Configuration > Migrate from the Original Addon,
offered once after install when the original is there) and as one call for
scripts: ``env["webhook.original.migration"].migrate_original()``."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.wizard_action import reopen_wizard
from .webhook_original_import import ORIGINAL_MODULE

ACTION_XMLID = "webhook_fastapi_outbound.action_webhook_original_migration"


class WebhookOriginalMigration(models.TransientModel):
    _name = "webhook.original.migration"
    _description = "Migrate from the Original Webhook Addon"

    original_state = fields.Char(compute="_compute_status")
    pending_rule_count = fields.Integer("Rules to Migrate", compute="_compute_status")
    pending_log_count = fields.Integer("Log Entries to Copy", compute="_compute_status")
    status_message = fields.Text(compute="_compute_status")
    include_logs = fields.Boolean(
        "Copy the API Logs",
        default=True,
        help="Copy the original's API log (api.log) to the API Logs. Entries "
        "older than webhook.log_retention_days are then removed by the next "
        "clean-up, like any other.",
    )
    report = fields.Text(readonly=True)

    @api.depends("report")
    def _compute_status(self):
        state, rules, logs = self.env["webhook.original.import"]._status()
        for wizard in self:
            wizard.original_state = state
            wizard.pending_rule_count = rules
            wizard.pending_log_count = logs
            wizard.status_message = self._status_message(state, rules, logs)

    @api.model
    def _status_message(self, state, rules, logs):
        if state != "installed" and not (rules or logs):
            return self.env._(
                "The original addon (%s) is not installed on this database: "
                "there is nothing to migrate.",
                ORIGINAL_MODULE,
            )
        if state != "installed":
            return False
        return self.env._(
            "The original addon (%(module)s) is installed. While both are "
            "installed, its routes /api/create_data, /api/update_data, "
            "/api/create_update_data, /api/search_data and /api/call_function are "
            "answered by the original, not by this addon (the other /api routes "
            "are this addon's), and its outbound rules do not fire: this addon "
            "replaced its rule model, and a rule fires again once migrated. "
            "Migrate now; then, if its clients must keep working unchanged, set "
            "webhook.response_format to 'original'; then uninstall %(module)s "
            "(after that, its API keys' clients are answered by this addon).",
            module=ORIGINAL_MODULE,
        )

    @api.model
    def migrate_original(self, include_logs=True):
        """The wizard's work, for scripts (see the readme): migrate the
        original's rules and callback URLs, and its logs if include_logs.
        Running it again migrates only what was not migrated yet."""
        return self.env["webhook.original.import"].migrate(include_logs=include_logs)

    def action_migrate(self):
        self.ensure_one()
        if not (self.pending_rule_count or self.pending_log_count):
            if self.original_state != "installed":
                raise UserError(self.status_message)
            if not self.report:
                self.report = self.env._("Nothing left to migrate.")
            return self._reopen()
        result = self.migrate_original(include_logs=self.include_logs)
        self.report = result["report"]
        return self._reopen()

    def _reopen(self):
        return reopen_wizard(self, self.env._("Migrate from the Original Addon"))

    @api.model
    def _offer_on_install(self):
        """Called by this addon's data at install: open the wizard once the
        install is over, when the original is installed."""
        if self.env["webhook.original.import"]._original_state() == "installed":
            self.env["ir.actions.todo"].sudo().create(
                {"action_id": self.env.ref(ACTION_XMLID).id, "sequence": 5}
            )
