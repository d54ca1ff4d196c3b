# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deletion events ("On Deletion" rules): the payload is built at unlink(),
before the record is gone, kept on the event, and turned into a delivery by
the sending job only if the record is really gone by then (a deletion
rolled back, or undone by a savepoint, announces nothing)."""

import json
import logging

from odoo import _, api, models

from ..tools.payload import DeliveryRow

_logger = logging.getLogger(__name__)


class WebhookOutboundTrigger(models.AbstractModel):
    _inherit = "webhook.outbound.trigger"

    @api.model
    def _queue_deletions(self, rules, records):
        """Queue the deletion of the ``records`` that match each rule of
        ``rules`` (RuleData), with their delivery built now."""
        if self.env.context.get("webhook_outbound_internal"):
            return
        records = records.filtered("id")
        for data in rules:
            matched = self._match(data, records)
            if matched:
                rule = self.env["webhook.outbound.rule"].browse(data.id)
                self._queue(data, matched, self._snapshots(rule, matched))

    @api.model
    def _snapshots(self, rule, records):
        """{record id: JSON text}: the delivery rows of ``rule`` (see
        DeliveryRow), or the error that prevented building them (a Failed
        delivery says why; the deletion itself must go on)."""
        try:
            rows = self.env["webhook.outbound.queue"]._payload_rows(rule, records)
        except Exception as exc:  # noqa: BLE001 - never block the deletion
            _logger.exception("Outbound rule %s: deletion payload failed", rule.id)
            # Not an f-string inside _(): babel could not extract the message.
            error = "%s: %s" % (type(exc).__name__, exc)
            error = _("The payload could not be built: %(error)s", error=error)
            rows = [DeliveryRow(res_id, error=error) for res_id in records.ids]
        return {row.res_id: json.dumps(row._asdict(), default=str) for row in rows}

    @api.model
    def _confirm_deletions(self, rule, snapshots):
        """Deliveries of ``rule`` from the ``snapshots`` of records that are
        gone; those still there (the deletion was undone) announce nothing."""
        model = self.env[rule.model_name].sudo()
        alive = set(model.browse(list(snapshots)).exists().ids)
        rows = []
        for res_id, text in snapshots.items():
            if res_id not in alive:
                # Also reads the snapshots queued before this format.
                rows.append(DeliveryRow(**dict(json.loads(text), res_id=res_id)))
        if rows:
            self.env["webhook.outbound.queue"]._create_delivery_rows(rule, rows)
