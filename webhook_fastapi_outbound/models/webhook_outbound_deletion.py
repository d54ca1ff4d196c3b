# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deletion events ("On Deletion" rules): the payload is built at unlink(),
before the record is gone, kept on the event, and turned into a delivery by
the sending job only if the record is really gone by then (a deletion
rolled back, or undone by a savepoint, announces nothing)."""

import json
import logging

from odoo import _, api, models

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
        """{record id: JSON text}: the payload rows of ``rule``, or the error
        that prevented building them (a Failed delivery says why; the
        deletion itself must go on)."""
        Queue = self.env["webhook.outbound.queue"]
        try:
            rows = []
            if "company_id" not in records._fields:
                rows = Queue._payload_rows(rule, records)
            else:
                # Company-dependent values as the record's company sees them.
                for company, group in records.grouped("company_id").items():
                    rows += Queue._payload_rows(rule, group.with_company(company))
        except Exception as exc:  # noqa: BLE001 - never block the deletion
            _logger.exception("Outbound rule %s: deletion payload failed", rule.id)
            error = json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)})
            return dict.fromkeys(records.ids, error)
        return {
            res_id: json.dumps(
                {"payload": payload, "problems": sorted(problems), "url": url},
                default=str,
            )
            for res_id, payload, problems, url in rows
        }

    @api.model
    def _confirm_deletions(self, rule, snapshots):
        """Deliveries of ``rule`` from the ``snapshots`` of records that are
        gone; those still there (the deletion was undone) announce nothing."""
        model = self.env[rule.model_name].sudo()
        alive = set(model.browse(list(snapshots)).exists().ids)
        rows, failed = [], {}
        for res_id, text in snapshots.items():
            if res_id in alive:
                continue
            snap = json.loads(text)
            if "error" in snap:
                failed.setdefault(snap["error"], []).append(res_id)
            else:
                rows.append((res_id, snap["payload"], snap["problems"], snap["url"]))
        Queue = self.env["webhook.outbound.queue"]
        if rows:
            Queue._create_delivery_rows(rule, rows)
        for error, res_ids in failed.items():
            message = _("The payload could not be built: %(error)s", error=error)
            Queue._failed_deliveries(rule, res_ids, message)
