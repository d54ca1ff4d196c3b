# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Queued events: a rule fired for a record; the sending job builds the
delivery. The transaction that made the change only inserts these rows (one
INSERT for all of them, at commit: webhook.outbound.queue), so the change
stays cheap, and the events live and die with it: a rollback, even to a
savepoint, takes them back."""

from odoo import fields, models


class WebhookOutboundEvent(models.Model):
    _name = "webhook.outbound.event"
    _description = "Outbound Webhook Event (queued)"
    _order = "id"
    # Written by raw SQL in the hot path of write(): no audit columns needed.
    _log_access = False

    rule_id = fields.Many2one(
        "webhook.outbound.rule", required=True, ondelete="cascade", index=True
    )
    res_id = fields.Integer("Record ID", required=True)
    # Who changed the record, and in which company: the job checks the
    # domain again as they would (uid, user, company-dependent fields).
    user_id = fields.Many2one("res.users", ondelete="set null")
    company_id = fields.Many2one("res.company", ondelete="set null")
    queued_at = fields.Datetime(required=True, default=fields.Datetime.now)
    # Deletions only: the record is gone when the job runs, so its delivery
    # (payload, problems, target URL) is built at unlink() and kept here.
    snapshot = fields.Text("Deletion Snapshot")
