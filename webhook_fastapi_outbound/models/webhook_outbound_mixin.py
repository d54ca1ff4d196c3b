# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

DELIVERY_STATES = [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")]


class WebhookOutboundMixin(models.AbstractModel):
    """Add to a model with ``_inherit = ["x", "webhook.outbound.mixin"]``: the
    inbound API then stores the caller's callback_url on the record, and the
    form can show the last delivery. Rules work without it too."""

    _name = "webhook.outbound.mixin"
    _description = "Outbound Webhook Mixin"

    callback_url = fields.Char(
        "Callback URL", copy=False, help="Where Record Callback URL rules POST."
    )
    webhook_last_state = fields.Selection(
        DELIVERY_STATES,
        "Last Webhook Delivery",
        compute="_compute_webhook_last_delivery",
    )
    webhook_last_date = fields.Datetime(
        "Last Webhook Date", compute="_compute_webhook_last_delivery"
    )

    def _compute_webhook_last_delivery(self):
        # One query for all records, not one search per record.
        last = {}
        ids = [rid for rid in self.ids if isinstance(rid, int)]
        if ids:
            self.env.cr.execute(
                SQL(
                    """SELECT DISTINCT ON (res_id)
                              res_id, state, COALESCE(last_attempt_date, create_date)
                         FROM webhook_log
                        WHERE log_type = 'send' AND res_model = %s AND res_id = ANY(%s)
                     ORDER BY res_id, id DESC""",
                    self._name,
                    ids,
                )
            )
            last = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for record in self:
            state, date = last.get(record.id, (False, False))
            record.webhook_last_state = state
            record.webhook_last_date = date
