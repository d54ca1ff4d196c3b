# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The API keys of integrations: Odoo's own res.users.apikeys rows.

Built on Odoo's keys rather than a key model of our own: the same
generation, hashing, index and expiry, the keys are listed (and revocable)
on the user like any key, Odoo deletes expired ones, and the existing
authentication finds them with the one query it already runs. They get the
scope ``webhook_fastapi``, so Odoo's XML-RPC/JSON-RPC (scope ``rpc``)
refuses them: a scoped key cannot go around its scopes through RPC."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_users import INDEX_SIZE

KEY_SCOPE = "webhook_fastapi"


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    # Columns made by webhook.integration.init() (this table is not the ORM's).
    webhook_integration_id = fields.Many2one(
        "webhook.integration", "Integration", readonly=True
    )
    webhook_last_used = fields.Datetime(
        "Last Used", readonly=True, help="To the minute."
    )

    def action_webhook_revoke(self):
        self.env["webhook.integration"].check_access("write")
        self.sudo()._remove()
        return True

    def action_webhook_rotate(self):
        self.ensure_one()
        integration = self.sudo().webhook_integration_id
        if not integration:
            raise UserError(_("Only integration keys are rotated here."))
        return self.env["webhook.integration.key.wizard"]._open(integration, self)


class WebhookIntegrationKeyWizard(models.TransientModel):
    _name = "webhook.integration.key.wizard"
    _description = "New API Key of an Integration"

    integration_id = fields.Many2one(
        "webhook.integration", required=True, ondelete="cascade"
    )
    name = fields.Char("Description", required=True)
    expiration_date = fields.Datetime(
        help="The key stops working at this time (UTC in the database); "
        "empty: never."
    )
    rotate_key_id = fields.Many2one(
        "res.users.apikeys", "Replaces", ondelete="cascade", readonly=True
    )
    overlap_hours = fields.Float(
        "Old Key Valid For (hours)",
        default=24.0,
        help="The replaced key keeps working this long, then expires.",
    )

    @api.model
    def _open(self, integration, rotate_key=None):
        name = rotate_key.name if rotate_key else integration.name
        wizard = self.create(
            {
                "integration_id": integration.id,
                "name": name,
                "rotate_key_id": rotate_key.id if rotate_key else False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": wizard.id,
            "name": _("Rotate API Key") if rotate_key else _("New API Key"),
            "views": [(False, "form")],
            "target": "new",
        }

    def action_generate(self):
        """Make the key, shown once (never stored in clear)."""
        self.ensure_one()
        key = self._generate_key()
        if self.rotate_key_id:
            self._expire_later(self.rotate_key_id, self.overlap_hours)
        self.env.registry.clear_cache()
        return {
            "type": "ir.actions.act_window",
            "res_model": "webhook.integration.key.show",
            "name": _("API Key Ready"),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": key},
        }

    def _generate_key(self):
        integration = self.integration_id
        user = integration.user_id
        apikeys = self.env["res.users.apikeys"].with_user(user).sudo()
        key = apikeys._generate(KEY_SCOPE, self.name, self.expiration_date)
        self.env.cr.execute(
            """UPDATE res_users_apikeys SET webhook_integration_id = %s
                WHERE id = (SELECT max(id) FROM res_users_apikeys
                             WHERE user_id = %s AND index = %s)""",
            [integration.id, user.id, key[:INDEX_SIZE]],
        )
        apikeys.invalidate_model()
        return key

    @api.model
    def _expire_later(self, old_key, hours):
        """The old key keeps working ``hours`` more (never longer than it
        would have anyway)."""
        until = fields.Datetime.now() + timedelta(hours=max(hours, 0.0))
        if old_key.expiration_date and old_key.expiration_date < until:
            return
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = %s WHERE id = %s",
            [until.replace(microsecond=0), old_key.id],
        )
        old_key.invalidate_recordset(["expiration_date"])


class WebhookIntegrationKeyShow(models.AbstractModel):
    _name = "webhook.integration.key.show"
    _description = "Show an Integration's New API Key"

    # 'id' lets the form's onchange return the key from the context default:
    # the key is never written to the database in clear.
    id = fields.Id()
    key = fields.Char(readonly=True)
