# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Outbound deliveries: one webhook.log entry of type Send per delivery, the
record of what was (or will be) sent; also what this addon adds to the
inbound log (the callback URL, the retention of what deliveries need).
The work is done by the trigger (webhook.outbound.trigger), the queue
(webhook.outbound.queue) and the sender (webhook.outbound.sender)."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools.sql import create_index


class WebhookLog(models.Model):
    _inherit = "webhook.log"

    # Deliveries (Send) and their Pending state, added to the inbound log.
    log_type = fields.Selection(
        selection_add=[("send", "Send")], ondelete={"send": "cascade"}
    )
    state = fields.Selection(
        selection_add=[("pending", "Pending"), ("done",)],
        ondelete={"pending": "set default"},
    )
    # The callback URL an inbound call gave (see webhook_api_service.py), or
    # the one a delivery went to: a record of what happened only.
    callback_url = fields.Char("Callback URL", index="btree_not_null")
    outbound_rule_id = fields.Many2one(
        "webhook.outbound.rule",
        ondelete="set null",
        index="btree_not_null",
    )
    target_url = fields.Char("Target URL")
    webhook_msg_id = fields.Char(
        "Webhook ID",
        index="btree_not_null",
        copy=False,
        help="The webhook-id header: the same for every attempt.",
    )
    payload_json = fields.Text(
        "Payload", help="The exact body POSTed on every attempt."
    )
    payload_warning = fields.Text(
        help="Template placeholders that could not be resolved (sent as null)."
    )
    attempt_count = fields.Integer("Attempts")
    next_attempt_date = fields.Datetime("Next Attempt", index="btree_not_null")
    last_attempt_date = fields.Datetime("Last Attempt")
    is_test = fields.Boolean("Test Delivery")
    attempt_ids = fields.One2many(
        "webhook.outbound.attempt", "delivery_id", string="Attempt History"
    )
    lease_pid = fields.Integer(
        "Sending Session",
        readonly=True,
        help="PostgreSQL backend of the job sending this delivery now: when "
        "that session is gone (its server died), the delivery is due again.",
    )

    claimed_at = fields.Datetime(
        readonly=True,
        index="btree_not_null",
        help="When the sending job last claimed it, to the microsecond: the "
        "rate limit of its endpoint counts the claims of the last second.",
    )

    def init(self):
        res = super().init()
        # The queue's order check (an earlier pending delivery of the same
        # rule and record): on the few pending rows only.
        create_index(
            self.env.cr,
            "webhook_log_pending_record_idx",
            self._table,
            ["outbound_rule_id", "res_id", "id"],
            where="log_type = 'send' AND state = 'pending'",
        )
        # The claim and the wake-up: due pending deliveries in due order
        # (29.8 -> 6.9 ms and 1.7 -> 0.02 ms beside 1M deliveries,
        # scripts/big_tables.py).
        create_index(
            self.env.cr,
            "webhook_log_pending_due_idx",
            self._table,
            ["next_attempt_date", "id"],
            where="log_type = 'send' AND state = 'pending'",
        )
        # A rule's last deliveries (its form), newest first.
        create_index(
            self.env.cr,
            "webhook_log_rule_id_desc_idx",
            self._table,
            ["outbound_rule_id", "id DESC"],
            where="outbound_rule_id IS NOT NULL",
        )
        return res

    @api.model
    def _gc_domain(self, limit_date):
        # Kept: pending deliveries. (Callback URLs live in
        # webhook.outbound.callback, not in the log.)
        return expression.AND(
            [super()._gc_domain(limit_date), [("state", "!=", "pending")]]
        )

    def action_resend(self):
        """Put failed (or done) deliveries back in the queue, with the same
        webhook-id so that the receiver can recognise a redelivery."""
        deliveries = self.filtered(
            lambda d: d.log_type == "send" and d.state != "pending"
        )
        if not deliveries:
            raise UserError(
                _("Only sent deliveries that are not pending can be resent.")
            )
        if not self.env.is_system():
            raise AccessError(_("Only Settings administrators can resend deliveries."))
        # Log entries are read-only in the UI (no write access for anyone):
        # resending is the one change allowed, to administrators.
        self.env["webhook.outbound.queue"]._requeue(deliveries)
        return True
