# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.wizard_action import reopen_wizard


class WebhookOutboundTest(models.TransientModel):
    """Send the payload of one chosen record now, and show what happened."""

    _name = "webhook.outbound.test"
    _description = "Send a Test Outbound Webhook"

    rule_id = fields.Many2one(
        "webhook.outbound.rule", required=True, ondelete="cascade"
    )
    model_name = fields.Char(related="rule_id.model_name")
    record_ref = fields.Reference(selection="_selection_record_model", string="Record")
    # Indexed: deleting old deliveries checks this foreign key.
    delivery_id = fields.Many2one("webhook.log", readonly=True, index=True)
    state = fields.Selection(related="delivery_id.state")
    http_status = fields.Integer(related="delivery_id.http_status")
    target_url = fields.Char(related="delivery_id.target_url")
    payload_preview = fields.Text(related="delivery_id.request_preview")
    response_preview = fields.Text(related="delivery_id.response_preview")
    error_message = fields.Text(related="delivery_id.error_message")

    @api.model
    def _selection_record_model(self):
        return [
            (model.model, model.name)
            for model in self.env["ir.model"].sudo().search([("transient", "=", False)])
        ]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        rule = self.env["webhook.outbound.rule"].browse(values.get("rule_id"))
        if rule and "record_ref" in fields_list and rule.model_name in self.env:
            record = self.env[rule.model_name].search([], limit=1)
            if record:
                values["record_ref"] = f"{record._name},{record.id}"
        return values

    def action_send(self):
        self.ensure_one()
        record = self.record_ref
        if not record or record._name != self.rule_id.model_name:
            raise UserError(_("Choose a record of model %s.", self.rule_id.model_name))
        Sender = self.env["webhook.outbound.sender"].sudo()
        if reason := Sender._disabled_reason():
            raise UserError(reason)
        delivery = (
            self.env["webhook.outbound.queue"]
            .sudo()
            ._create_deliveries(self.rule_id.sudo(), record, test=True)
        )
        if delivery.state == "pending":
            # Once only: a test must not keep retrying in the background.
            limit = self.env["webhook.log"]._preview_limit()
            delivery.write(Sender._attempt(delivery, Sender._allowed_hosts(), limit))
            if delivery.state == "pending":
                delivery.write({"state": "failed", "next_attempt_date": False})
        self.delivery_id = delivery
        return reopen_wizard(self, _("Send Test"))
