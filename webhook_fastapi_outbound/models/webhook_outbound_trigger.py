# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The trigger: which rules watch which models (write() and create() are
patched, the way base_automation does), whether a change makes records enter
a rule's domain, queuing the events at commit, and checking them again when
the sending job turns them into deliveries."""

import logging
import threading

from odoo import SUPERUSER_ID, _, api, models, tools

from ..tools.rule_data import RuleData, domain_field_names, literal_domain
from .webhook_outbound_rule import FORBIDDEN_MODELS

_logger = logging.getLogger(__name__)

# cr.precommit.data key: the events fired by this transaction.
QUEUE_KEY = "webhook_fastapi_outbound.queue"
# Set while the rules are read into the cache (see _rules_for_model).
_loading = threading.local()


class WebhookOutboundTrigger(models.AbstractModel):
    _name = "webhook.outbound.trigger"
    _description = "Outbound Webhook Trigger"

    @api.model
    def _rules_for_model(self, model_name):
        """Active rules of ``model_name`` as plain tuples (see RuleData): one
        dict lookup in a cache shared by every model, so that the ORM hooks
        cost next to nothing on models that no rule watches."""
        if model_name in FORBIDDEN_MODELS or getattr(_loading, "active", False):
            # Reading the rules may flush or recompute (ir.model, the rules'
            # own fields), which calls the hooks again: no rule there; and
            # no rule can watch what the rules and deliveries write.
            return ()
        return self._watched().get(model_name, ())

    @api.model
    @tools.ormcache()
    def _watched(self):
        """{model name: (RuleData, ...)} for every active rule, in one query.
        clear_cache() (on any rule change) empties it here and, through
        Odoo's cache signalling, in every other worker and server."""
        _loading.active = True
        try:
            rules = (
                self.env["webhook.outbound.rule"]
                .sudo()
                .with_context(active_test=True)
                .search([])
            )
            watched = {}
            for rule in rules:
                data = self._make_rule_data(rule)
                if data is not None:
                    watched.setdefault(rule.model_name, []).append(data)
        finally:
            _loading.active = False
        return {name: tuple(rules) for name, rules in watched.items()}

    @api.model
    def _make_rule_data(self, rule):
        try:
            names = domain_field_names(rule._eval_domain())
        except Exception:  # noqa: BLE001 - refused on save; only an old row can be bad
            _logger.warning(
                "Outbound webhook rule %s has an invalid domain: ignored", rule.id
            )
            return None
        return RuleData(
            rule.id,
            names,
            rule.domain,
            rule.trigger_on_create,
            rule.company_id.id,
            literal_domain(rule.domain),
            rule.trigger_on_unlink,
        )

    @api.model
    def _rule_data(self, rule):
        """The RuleData of ``rule``; None when it is archived or its domain
        cannot be evaluated."""
        rules = self._rules_for_model(rule.model_name)
        return next((data for data in rules if data.id == rule.id), None)

    @api.model
    def _match(self, data, records):
        """The records of ``records`` that match rule ``data`` (a RuleData)."""
        if not records:
            return records
        if data.literal is not None:
            domain = list(data.literal)
        else:
            domain = self.env["webhook.outbound.rule"]._eval_domain(data.domain)
        if data.company_id and "company_id" in records._fields:
            records = records.filtered(
                lambda r: r.company_id.id in (False, data.company_id)
            )
        return records.filtered_domain(domain) if domain else records

    @api.model
    def _queue(self, data, records, snapshots=None):
        """Remember that ``records`` fired rule ``data``. A pre-commit hook
        inserts the events, in one query for the transaction; the sending
        job builds the deliveries from the committed records, checking the
        domain again. So a change rolled back (with its savepoint or its
        transaction), or undone before the job runs, is never announced.
        ``snapshots`` ({record id: JSON text}): deletions, whose payload is
        built now since the record is gone when the job runs."""
        if not records or self.env.context.get("webhook_outbound_internal"):
            return
        precommit = self.env.cr.precommit
        if QUEUE_KEY not in precommit.data:
            precommit.data[QUEUE_KEY] = {}
            env = self.env
            # pop(): a hook that runs after ours and fires a rule starts a
            # new queue, and a new hook, instead of adding to a spent one.
            precommit.add(
                lambda: env["webhook.outbound.trigger"]
                .sudo()
                ._flush_queue(precommit.data.pop(QUEUE_KEY, None))
            )
        # dict as an ordered set: one event per rule, writer and record.
        key = (data.id, self.env.uid, self.env.company.id)
        events = precommit.data[QUEUE_KEY].setdefault(key, {})
        snapshots = snapshots or {}
        events.update((rid, snapshots.get(rid)) for rid in records.ids)

    @api.model
    def _flush_queue(self, queue):
        if queue:
            self.env["webhook.outbound.queue"]._push_events(queue)

    # ------------------------------------------------------------------
    # At the sending job: do the queued events still hold?
    # ------------------------------------------------------------------
    @api.model
    def _confirm_events(self, queue):
        """Have the deliveries of the events of ``queue`` (as in _queue)
        created, checking each rule again as the user who changed the record,
        in their company; several events of one rule and record, one."""
        # Records written here (log entries, their attachments) never fire
        # rules: a rule on ir.attachment must not feed on its own deliveries.
        this = self.with_context(webhook_outbound_internal=True)
        rules = this.env["webhook.outbound.rule"].sudo().browse({k[0] for k in queue})
        existing = set(rules.exists().ids)
        done = set()
        for (rule_id, user_id, company_id), records in queue.items():
            if rule_id not in existing:
                continue
            events = {
                rid: snap for rid, snap in records.items() if (rule_id, rid) not in done
            }
            done.update((rule_id, rid) for rid in events)
            env = this.env(user=user_id or SUPERUSER_ID, su=True)
            if company_id:
                env = env(context=dict(env.context, allowed_company_ids=[company_id]))
            rule = env["webhook.outbound.rule"].browse(rule_id)
            this.with_env(env)._confirm_rule_events(rule, events)

    @api.model
    def _confirm_rule_events(self, rule, events):
        """Deliveries of ``rule`` for the records of ``events`` ({record id:
        deletion snapshot or None}) that match its domain now, checked as
        the user who changed them (``self.env``); deletions from their
        snapshot, if the record is really gone."""
        if rule.model_name not in self.env:
            return
        data = self._rule_data(rule)
        if data is None:  # archived since, or its domain cannot be evaluated
            return
        snapshots = {rid: snap for rid, snap in events.items() if snap}
        if snapshots:
            self._confirm_deletions(rule, snapshots)
        res_ids = [rid for rid in events if rid not in snapshots]
        if not res_ids:
            return
        Queue = self.env["webhook.outbound.queue"]
        try:
            with self.env.cr.savepoint():
                records = self.env[rule.model_name].browse(res_ids).exists()
                Queue._create_deliveries(rule, self._match(data, records))
        except Exception as exc:  # noqa: BLE001 - one rule must not block the queue
            _logger.exception(
                "Outbound rule %s: deliveries could not be built", rule.id
            )
            # Not an f-string inside _(): babel could not extract the message.
            error = "%s: %s" % (type(exc).__name__, exc)
            message = _("The payload could not be built: %(error)s", error=error)
            Queue._failed_deliveries(rule, res_ids, message)
