# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every attempt of a delivery, as the receiver answered it: the delivery
itself keeps only the last one. Written by the sender, one INSERT for the
attempts that land together; gone with their delivery."""

from odoo import fields, models


class WebhookOutboundAttempt(models.Model):
    _name = "webhook.outbound.attempt"
    _description = "Outbound Webhook Attempt"
    _order = "id desc"
    # Written by the sending job only: its user and date are the attempt's.
    _log_access = False

    delivery_id = fields.Many2one(
        "webhook.log", required=True, ondelete="cascade", index=True, readonly=True
    )
    rule_id = fields.Many2one(
        "webhook.outbound.rule", ondelete="set null", index=True, readonly=True
    )
    target_url = fields.Char("Target URL", index=True, readonly=True)
    attempt_date = fields.Datetime(required=True, index=True, readonly=True)
    attempt_number = fields.Integer("Attempt", readonly=True)
    http_status = fields.Integer("HTTP Status", readonly=True)
    duration_ms = fields.Float("Duration (ms)", digits=(16, 1), readonly=True)
    response_preview = fields.Text("Receiver's Answer", readonly=True)
    error_message = fields.Text("Error", readonly=True)

    def _vals_from_outcome(self, delivery, vals):
        """The attempt row of ``vals`` (what the sender wrote on ``delivery``)."""
        return {
            "delivery_id": delivery.id,
            "rule_id": delivery.outbound_rule_id.id,
            "target_url": delivery.target_url,
            "attempt_date": vals.get("last_attempt_date") or fields.Datetime.now(),
            "attempt_number": vals.get("attempt_count"),
            "http_status": vals.get("http_status") or 0,
            "duration_ms": vals.get("duration_ms") or 0.0,
            "response_preview": vals.get("response_preview") or False,
            "error_message": vals.get("error_message") or False,
        }
