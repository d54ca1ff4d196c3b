# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every attempt of a delivery, as the receiver answered it: the delivery
itself keeps only the last one. Written by the sender, one INSERT for the
attempts that land together; gone with their delivery."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL


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

    @api.model
    def _insert(self, vals_list):
        """Insert the attempts of ``vals_list`` (``_vals_from_outcome``):
        one INSERT per set of columns, in SQL. The ORM's create spends
        more in the sending job's thread (defaults, conversions, checks
        for each row) than the rest of a landing; nothing is computed from
        an attempt, and only the sending job writes them."""
        groups = defaultdict(list)
        for vals in vals_list:
            groups[tuple(sorted(vals))].append(vals)
        for names, rows in groups.items():
            fields_ = [self._fields[name] for name in names]
            self.env.cr.execute(
                SQL(
                    "INSERT INTO webhook_outbound_attempt (%s) VALUES %s",
                    SQL(", ").join(SQL.identifier(name) for name in names),
                    SQL(", ").join(
                        tuple(
                            field.convert_to_column_insert(vals[field.name], self)
                            for field in fields_
                        )
                        for vals in rows
                    ),
                )
            )
        deliveries = {vals["delivery_id"] for vals in vals_list}
        self.env["webhook.log"].browse(deliveries).invalidate_recordset(["attempt_ids"])
