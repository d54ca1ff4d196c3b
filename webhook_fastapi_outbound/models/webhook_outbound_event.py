# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Queued events: a rule fired for a record; the sending job builds the
delivery. The transaction that made the change only inserts these rows (one
INSERT for all of them, at commit), so the change stays cheap, and the
events live and die with it: a rollback, even to a savepoint, takes them
back."""

import logging

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Events turned into deliveries per transaction of the sending job.
EVENT_BATCH = 500


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
    queued_at = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _enqueue(self, queue):
        """Insert the events of ``queue`` ({rule id: {record id: None}}) and
        wake the sending job up, in one query; returns whether there were
        any events."""
        rule_ids, res_ids = [], []
        for rule_id, records in queue.items():
            rule_ids += [rule_id] * len(records)
            res_ids += list(records)
        if not res_ids:
            return False
        query = SQL(
            """INSERT INTO webhook_outbound_event (rule_id, res_id, queued_at)
               SELECT rule_id, res_id, %s
                 FROM unnest(%s::int[], %s::int[]) AS event(rule_id, res_id)""",
            fields.Datetime.now(),
            rule_ids,
            res_ids,
        )
        if wake_up := self.env["webhook.log"]._outbound_wake_up_sql():
            # One round trip for both: this runs in the firing write's commit.
            query = SQL("%s; %s", query, wake_up)
        self.env.cr.execute(query)
        return True

    @api.model
    def _build_deliveries(self, limit=EVENT_BATCH):
        """Turn up to ``limit`` queued events into deliveries, from the
        committed state of their records; returns the number of events
        handled. SKIP LOCKED: events another worker is building are left to
        it. A record that no longer matches its rule's domain (it left it
        again before the job ran), an archived rule or a deleted record
        produce no delivery."""
        self.env.cr.execute(
            SQL(
                """SELECT id, rule_id, res_id FROM webhook_outbound_event
                 ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                limit,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        queue = {}
        for _event_id, rule_id, res_id in rows:
            # dict as an ordered set: one delivery per rule and record.
            queue.setdefault(rule_id, {})[res_id] = None
        Rule = self.env["webhook.outbound.rule"].sudo()
        for rule in Rule.browse(list(queue)).exists():
            self._build_rule_deliveries(rule, list(queue[rule.id]))
        self.env.cr.execute(
            SQL(
                "DELETE FROM webhook_outbound_event WHERE id = ANY(%s)",
                [row[0] for row in rows],
            )
        )
        return len(rows)

    @api.model
    def _build_rule_deliveries(self, rule, res_ids):
        if rule.model_name not in self.env:
            return
        data = next(
            (d for d in rule._rules_for_model(rule.model_name) if d.id == rule.id),
            None,
        )
        if data is None:  # archived since, or its domain cannot be evaluated
            return
        Log = self.env["webhook.log"].sudo()
        try:
            with self.env.cr.savepoint():
                records = self.env[rule.model_name].sudo().browse(res_ids).exists()
                records = rule._match(data, records)
                if "company_id" not in records._fields:
                    rule._create_deliveries(records)
                    return
                # Company-dependent values as the record's company sees them,
                # not as the job's company does.
                for company, group in records.grouped("company_id").items():
                    rule._create_deliveries(group.with_company(company))
        except Exception as exc:  # noqa: BLE001 - one rule must not block the queue
            _logger.exception(
                "Outbound rule %s: deliveries could not be built", rule.id
            )
            # Not an f-string inside _(): babel could not extract the message.
            error = "%s: %s" % (type(exc).__name__, exc)
            message = _("The payload could not be built: %(error)s", error=error)
            Log._outbound_failed_deliveries(rule, res_ids, message)
