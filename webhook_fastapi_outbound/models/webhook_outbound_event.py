# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Queued events: a rule fired for a record; the sending job builds the
delivery. The transaction that made the change only inserts these rows (one
INSERT for all of them, at commit), so the change stays cheap, and the
events live and die with it: a rollback, even to a savepoint, takes them
back."""

import logging

from odoo import SUPERUSER_ID, _, api, fields, models
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
    # Who changed the record, and in which company: the job checks the
    # domain again as they would (uid, user, company-dependent fields).
    user_id = fields.Many2one("res.users", ondelete="set null")
    company_id = fields.Many2one("res.company", ondelete="set null")
    queued_at = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _enqueue(self, queue):
        """Insert the events of ``queue`` ({(rule id, user id, company id):
        {record id: None}}) and a wake-up of the sending job, in one query;
        returns whether there were any events."""
        rows = [
            (rule_id, res_id, user_id, company_id)
            for (rule_id, user_id, company_id), records in queue.items()
            for res_id in records
        ]
        if not rows:
            return False
        columns = [list(column) for column in zip(*rows, strict=True)]
        self.env.cr.execute(
            SQL(
                """INSERT INTO webhook_outbound_event
                          (rule_id, res_id, user_id, company_id, queued_at)
                   SELECT rule_id, res_id, user_id, company_id, %s
                     FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[])
                       AS event(rule_id, res_id, user_id, company_id);
                   %s""",
                fields.Datetime.now(),
                *columns,
                # Same round trip: this runs in the firing write's commit.
                self.env["webhook.log"]._outbound_wake_up_sql(),
            )
        )
        return True

    @api.model
    def _build_deliveries(self, limit=EVENT_BATCH):
        """Turn up to ``limit`` queued events into deliveries, from the
        committed state of their records; returns the number of events
        handled. SKIP LOCKED: events another worker is building are left to
        it. A record that no longer matches its rule's domain (it left it
        again before the job ran), an archived rule or a deleted record
        produce no delivery; several events of one rule and record, one."""
        self.env.cr.execute(
            SQL(
                """SELECT id, rule_id, res_id, user_id, company_id
                     FROM webhook_outbound_event
                 ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                limit,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        queue = {}
        for _event_id, rule_id, res_id, user_id, company_id in rows:
            # dict as an ordered set
            queue.setdefault((rule_id, user_id, company_id), {})[res_id] = None
        # Records written here (log entries, their attachments) never fire
        # rules: a rule on ir.attachment must not feed on its own deliveries.
        this = self.with_context(webhook_outbound_internal=True)
        rules = (
            this.env["webhook.outbound.rule"]
            .sudo()
            .browse(list({key[0] for key in queue}))
        )
        existing = set(rules.exists().ids)
        done = set()
        for (rule_id, user_id, company_id), records in queue.items():
            if rule_id not in existing:
                continue
            res_ids = [rid for rid in records if (rule_id, rid) not in done]
            done.update((rule_id, rid) for rid in res_ids)
            env = this.env(user=user_id or SUPERUSER_ID, su=True)
            if company_id:
                env = env(context=dict(env.context, allowed_company_ids=[company_id]))
            rule = env["webhook.outbound.rule"].browse(rule_id)
            this.with_env(env)._build_rule_deliveries(rule, res_ids)
        self.env.cr.execute(
            SQL(
                "DELETE FROM webhook_outbound_event WHERE id = ANY(%s)",
                [row[0] for row in rows],
            )
        )
        return len(rows)

    @api.model
    def _build_rule_deliveries(self, rule, res_ids):
        """Deliveries of ``rule`` for the records ``res_ids`` that match its
        domain now, checked as the user who changed them (``self.env``)."""
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
                records = self.env[rule.model_name].browse(res_ids).exists()
                records = rule._match(data, records)
                if "company_id" not in records._fields:
                    rule._create_deliveries(records)
                    return
                # Company-dependent values as the record's company sees them.
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
