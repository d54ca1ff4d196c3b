# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Carry the original addon's (usability_webhooks) data over to ours.

Both addons name their rule model webhook.outbound.rule: installed together
they share its table, and ours, loaded last, is the model the registry keeps.
The original's rules are therefore already rows of our rules, with our
columns filled by their defaults (domain "[]", one secret for all) and
their own values left in columns the registry no longer knows
(trigger_domain, auth_header, note). Migrating a rule converts its row in
place. The original's log (api.log) is a model of its own, copied to
webhook.log. What was migrated is marked with an external id of the
pseudo-module MARK, so that a second run finds nothing left to do."""

import json
import logging
import re

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from ..tools.signing import generate_secret
from ..tools.template import path_problem, template_paths

_logger = logging.getLogger(__name__)

ORIGINAL_MODULE = "usability_webhooks"
MARK = "__webhook_original__"
ORIGINAL_RULE_COLUMNS = ("trigger_domain", "auth_header", "note")
# Template forms of the original that ours does not have: they would be sent
# as literal text, so a rule using them is archived for a person to decide.
ORIGINAL_ONLY_FORMS = (
    (re.compile(r"\{[\w.]+:\w+\}"), "{path:format}"),
    (re.compile(r"\{@\w+"), "{@_webhook_method}"),
)
LOG_BATCH = 1000


class WebhookOriginalImport(models.AbstractModel):
    _name = "webhook.original.import"
    _description = "Migration from the Original Webhook Addon"

    @api.model
    def _original_state(self):
        """The original addon's module state, or "absent"."""
        self.env.cr.execute(
            SQL("SELECT state FROM ir_module_module WHERE name = %s", ORIGINAL_MODULE)
        )
        row = self.env.cr.fetchone()
        return row[0] if row else "absent"

    @api.model
    def _has_original_rules(self):
        cr = self.env.cr
        return all(
            column_exists(cr, "webhook_outbound_rule", column)
            for column in ORIGINAL_RULE_COLUMNS
        )

    @api.model
    def _pending_rule_rows(self):
        """The original's rules not migrated yet: rows with its columns set."""
        if not self._has_original_rules():
            return []
        self.env.cr.execute(
            SQL(
                """SELECT r.id, r.name, r.model_name, r.trigger_domain,
                          r.endpoint_source, r.endpoint_url, r.auth_header,
                          r.payload_fields, r.note, r.create_uid
                     FROM webhook_outbound_rule r
                    WHERE r.trigger_domain IS NOT NULL
                      AND NOT EXISTS (
                          SELECT 1 FROM ir_model_data d
                           WHERE d.module = %s AND d.model = 'webhook.outbound.rule'
                             AND d.res_id = r.id)
                 ORDER BY r.id""",
                MARK,
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _pending_log_ids(self):
        if "api.log" not in self.env:
            return []
        self.env.cr.execute(
            SQL(
                """SELECT a.id FROM api_log a
                    WHERE NOT EXISTS (
                          SELECT 1 FROM ir_model_data d
                           WHERE d.module = %s AND d.model = 'webhook.log'
                             AND d.name = 'api_log_' || a.id)
                 ORDER BY a.id""",
                MARK,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    @api.model
    def _migrate_rules(self):
        """Convert the pending rules; returns (migrated rules, report lines)."""
        Rule = self.env["webhook.outbound.rule"].sudo().with_context(active_test=False)
        rows = self._pending_rule_rows()
        owners = self._internal_users([row["create_uid"] for row in rows])
        lines = []
        for row in rows:
            # One write per rule, each in a savepoint: a rule our constraints
            # refuse must not undo the others.
            rule = Rule.browse(row["id"])
            vals, problems, notes = self._rule_vals(rule, row)
            vals["send_as_user_id"] = owners.get(row["create_uid"], self.env.uid)
            try:
                with self.env.cr.savepoint():
                    rule.write(vals)
            except ValidationError as exc:
                problems.append(str(exc))
                with self.env.cr.savepoint():
                    rule.write(self._fallback_vals(vals))
            lines.append(self._rule_line(row, problems, notes))
        rules = Rule.browse([row["id"] for row in rows])
        self._mark(rules, lambda rule: f"rule_{rule.id}")
        return rules, lines

    @api.model
    def _internal_users(self, uids):
        users = self.env["res.users"].sudo().browse({uid for uid in uids if uid})
        return {user.id: user.id for user in users.exists() if not user.share}

    @api.model
    def _rule_vals(self, rule, row):
        """Our values for one original rule, and what could not be kept."""
        problems, notes = [], []
        callback = row["endpoint_source"] == "record"
        url = (row["endpoint_url"] or "").strip()
        if not callback and not url.lower().startswith(("http://", "https://")):
            problems.append(self.env._("static endpoint without an http(s) URL"))
            callback = True
        vals = {
            "endpoint_source": "callback" if callback else "static",
            "endpoint_url": url or False,
            "authorization_header": row["auth_header"] or False,
            # The secret column was filled with one default for every row.
            "secret": generate_secret(),
            "payload_format": "bare",
        }
        domain_problem = self._domain_problem(rule, row["trigger_domain"])
        if domain_problem:
            problems.append(domain_problem)
        else:
            vals["domain"] = row["trigger_domain"]
        payload, payload_problem, payload_notes = self._carry_payload(
            rule, row["payload_fields"]
        )
        vals["payload_fields"] = payload
        if payload_problem:
            problems.append(payload_problem)
        notes += payload_notes
        if row["note"]:
            notes.append(self.env._("note not kept: %s", row["note"]))
        if problems:
            vals["active"] = False
        return vals, problems, notes

    @api.model
    def _fallback_vals(self, vals):
        """What is kept of a rule our constraints refuse: archived, with
        settings that are always valid (the report says what was dropped)."""
        return {
            "active": False,
            "endpoint_source": "callback",
            "secret": vals["secret"],
            "send_as_user_id": vals["send_as_user_id"],
        }

    @api.model
    def _domain_problem(self, rule, text):
        try:
            domain = rule._eval_domain(text)
            # Compiling it to SQL checks every field path and operator.
            self.env[rule.model_name].sudo()._where_calc(domain)
        except Exception as exc:  # noqa: BLE001 - any error means a bad domain
            return self.env._(
                "trigger domain %(domain)s: %(error)s", domain=text, error=exc
            )
        return None

    @api.model
    def _carry_payload(self, rule, text):
        """(payload text, blocking problem, notes). The original sent
        {"id": ...} for an empty, invalid or non-object payload, as ours does
        for an empty one."""
        text = (text or "").strip()
        if not text:
            return False, None, []
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            note = self.env._(
                "payload %s is not a JSON object: the original sent only the id, "
                "and so will this rule (payload emptied)",
                text,
            )
            return False, None, [note]
        forms = [label for regex, label in ORIGINAL_ONLY_FORMS if regex.search(text)]
        forms += self._expansions(rule, payload)
        problem = forms and self.env._(
            "payload uses %(forms)s, which this addon does not support: %(payload)s",
            forms=", ".join(forms),
            payload=text,
        )
        model = self.env[rule.model_name]
        # Paths that do not resolve: sent as null (the original sent false).
        unresolved = (path_problem(model, path) for path in template_paths(payload))
        notes = [why for why in unresolved if why]
        return text, problem or None, notes

    @api.model
    def _expansions(self, rule, payload):
        """The original's one2many expansion: "field": [{...}]."""
        fields_ = self.env[rule.model_name]._fields
        for key, value in payload.items():
            field = fields_.get(key.strip())
            if field and field.type in ("one2many", "many2many"):
                if isinstance(value, list) and len(value) == 1:
                    return ['"%s": [{...}]' % key]
        return []

    @api.model
    def _rule_line(self, row, problems, notes):
        name = f"{row['name']} (id {row['id']}, {row['model_name']})"
        if problems:
            line = self.env._(
                "ARCHIVED %(rule)s: %(problems)s",
                rule=name,
                problems="; ".join(problems),
            )
            _logger.warning("Migration from %s: %s", ORIGINAL_MODULE, line)
        else:
            line = self.env._("migrated %s", name)
        return line + "".join(f"\n    {note}" for note in notes)

    @api.model
    def _mark(self, records, name_of):
        self.env["ir.model.data"].sudo()._update_xmlids(
            [
                {
                    "xml_id": f"{MARK}.{name_of(record)}",
                    "record": record,
                    "noupdate": True,
                }
                for record in records
            ]
        )
