# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The trigger: which rules watch which models (write() and create() are
patched, the way base_automation does), whether a change makes records enter
a rule's domain, queuing the events at commit, and checking them again when
the sending job turns them into deliveries."""

import logging

from odoo import SUPERUSER_ID, _, api, models, tools

from ..tools.rule_data import RuleData, domain_field_names, literal_domain

_logger = logging.getLogger(__name__)

# cr.precommit.data key: the events fired by this transaction.
QUEUE_KEY = "webhook_fastapi_outbound.queue"


class WebhookOutboundTrigger(models.AbstractModel):
    _name = "webhook.outbound.trigger"
    _description = "Outbound Webhook Trigger"

    @api.model
    @tools.ormcache("model_name")
    def _rules_for_model(self, model_name):
        """Active rules of ``model_name`` as plain tuples (see RuleData)."""
        rules = (
            self.env["webhook.outbound.rule"]
            .sudo()
            .with_context(active_test=True)
            .search([("model_name", "=", model_name)])
        )
        result = []
        for rule in rules:
            try:
                names = domain_field_names(rule._eval_domain())
            except Exception:  # noqa: BLE001 - refused on save; only an old row can be bad
                _logger.warning(
                    "Outbound webhook rule %s has an invalid domain: ignored", rule.id
                )
                continue
            result.append(
                RuleData(
                    rule.id,
                    names,
                    rule.domain,
                    rule.trigger_on_create,
                    rule.company_id.id,
                    literal_domain(rule.domain),
                )
            )
        return tuple(result)

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
    def _queue(self, data, records):
        """Remember that ``records`` fired rule ``data``. A pre-commit hook
        inserts the events, in one query for the transaction; the sending
        job builds the deliveries from the committed records, checking the
        domain again. So a change rolled back (with its savepoint or its
        transaction), or undone before the job runs, is never announced."""
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
        precommit.data[QUEUE_KEY].setdefault(key, {}).update(dict.fromkeys(records.ids))

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
            res_ids = [rid for rid in records if (rule_id, rid) not in done]
            done.update((rule_id, rid) for rid in res_ids)
            env = this.env(user=user_id or SUPERUSER_ID, su=True)
            if company_id:
                env = env(context=dict(env.context, allowed_company_ids=[company_id]))
            rule = env["webhook.outbound.rule"].browse(rule_id)
            this.with_env(env)._confirm_rule_events(rule, res_ids)

    @api.model
    def _confirm_rule_events(self, rule, res_ids):
        """Deliveries of ``rule`` for the records ``res_ids`` that match its
        domain now, checked as the user who changed them (``self.env``)."""
        if rule.model_name not in self.env:
            return
        data = self._rule_data(rule)
        if data is None:  # archived since, or its domain cannot be evaluated
            return
        Queue = self.env["webhook.outbound.queue"]
        try:
            with self.env.cr.savepoint():
                records = self.env[rule.model_name].browse(res_ids).exists()
                records = self._match(data, records)
                if "company_id" not in records._fields:
                    Queue._create_deliveries(rule, records)
                    return
                # Company-dependent values as the record's company sees them.
                for company, group in records.grouped("company_id").items():
                    Queue._create_deliveries(rule, group.with_company(company))
        except Exception as exc:  # noqa: BLE001 - one rule must not block the queue
            _logger.exception(
                "Outbound rule %s: deliveries could not be built", rule.id
            )
            # Not an f-string inside _(): babel could not extract the message.
            error = "%s: %s" % (type(exc).__name__, exc)
            message = _("The payload could not be built: %(error)s", error=error)
            Queue._failed_deliveries(rule, res_ids, message)

    # ------------------------------------------------------------------
    # Patching the watched models (called by the rules' registry hooks)
    # ------------------------------------------------------------------
    @api.model
    def _watched_models(self):
        """{model name: watch creation too} for the active rules."""
        watched = {}
        for row in (
            self.env["webhook.outbound.rule"]
            .sudo()
            .with_context(active_test=True)
            .search_read([], ["model_name", "trigger_on_create"])
        ):
            watched[row["model_name"]] = (
                watched.get(row["model_name"], False) or row["trigger_on_create"]
            )
        return watched

    @api.model
    def _patch_models(self):
        """Patch write() (and create() when a rule asks for it) of every model
        that has rules: no code is needed on the watched models."""
        for model_name, on_create in self._watched_models().items():
            if model_name not in self.env:
                _logger.warning(
                    "Outbound webhook rules watch model %s, which is not installed",
                    model_name,
                )
                continue
            model_class = self.env.registry[model_name]
            _patch(model_class, "write", _make_write())
            if on_create:
                _patch(model_class, "create", _make_create())

    @api.model
    def _unpatch_models(self):
        """Remove our patches, and only ours."""
        for model_class in self.env.registry.values():
            for name in ("write", "create"):
                method = model_class.__dict__.get(name)
                if getattr(method, "_webhook_outbound_patch", False):
                    if method._webhook_outbound_had_own:
                        setattr(model_class, name, method.origin)
                    else:
                        delattr(model_class, name)


def _patch(model_class, name, method):
    current = model_class.__dict__.get(name)
    if getattr(current, "_webhook_outbound_patch", False):
        return
    method.origin = getattr(model_class, name)
    # Someone else (base_automation) may have patched the class already:
    # restore their method, not the inherited one, when unpatching.
    method._webhook_outbound_had_own = current is not None
    method._webhook_outbound_patch = True
    setattr(model_class, name, method)


def _make_write():
    # Defined in a function so that each patch has its own ``write.origin``.
    def write(self, vals, **kw):
        if not self:
            return write.origin(self, vals, **kw)
        Trigger = self.env["webhook.outbound.trigger"]
        # The cheap path: a dict lookup in a cache and a set intersection.
        rules = [
            data
            for data in Trigger._rules_for_model(self._name)
            if data.fields & vals.keys()
        ]
        if not rules:
            return write.origin(self, vals, **kw)
        Trigger = Trigger.sudo()
        records = self.sudo().filtered("id")
        before = {data: Trigger._match(data, records) for data in rules}
        result = write.origin(self, vals, **kw)
        for data in rules:
            # A true transition: did not match before the write, matches after.
            Trigger._queue(data, Trigger._match(data, records - before[data]))
        return result

    return write


def _make_create():
    @api.model_create_multi
    def create(self, vals_list, **kw):
        records = create.origin(self, vals_list, **kw)
        Trigger = self.env["webhook.outbound.trigger"]
        rules = [
            data for data in Trigger._rules_for_model(self._name) if data.on_create
        ]
        if rules:
            Trigger = Trigger.sudo()
            for data in rules:
                Trigger._queue(data, Trigger._match(data, records.sudo()))
        return records

    return create
