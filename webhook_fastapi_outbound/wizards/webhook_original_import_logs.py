# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The migration's other half: the callback URLs the original kept in its
log, the log itself (api.log -> webhook.log), and the whole run."""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .webhook_original_import import LOG_BATCH

# api.log field -> webhook.log field, copied as they are.
LOG_FIELDS = {
    "model": "model_name",
    "res_model": "res_model",
    "res_id": "res_id",
    "callback_url": "callback_url",
    "data_preview": "request_preview",
    "data_size": "request_size",
    "result_preview": "response_preview",
    "result_size": "response_size",
}


class WebhookOriginalImport(models.AbstractModel):
    _inherit = "webhook.original.import"

    @api.model
    def migrate(self, include_logs=True):
        """Migrate what is left to migrate; safe to run again. Returns
        {"rules", "archived", "callbacks", "logs": counts, "report": text}."""
        if not self.env.is_system():
            raise AccessError(
                self.env._("Only Settings administrators can run the migration.")
            )
        rules, lines = self._migrate_rules()
        callbacks = self._migrate_callbacks()
        logs = self._migrate_logs() if include_logs else 0
        # Our rules are cached per registry: migrated ones must be seen now.
        rules._rules_changed()
        archived = len(rules.filtered(lambda rule: not rule.active))
        summary = self.env._(
            "%(rules)s rule(s) migrated (%(archived)s archived: see below), "
            "%(callbacks)s callback URL(s), %(logs)s log entrie(s).",
            rules=len(rules),
            archived=archived,
            callbacks=callbacks,
            logs=logs,
        )
        return {
            "rules": len(rules),
            "archived": archived,
            "callbacks": callbacks,
            "logs": logs,
            "report": "\n".join([summary, *lines]),
        }

    @api.model
    def _migrate_callbacks(self):
        """The original took a record's callback URL from its latest received
        call that gave one; ours from webhook.outbound.callback, owned by the
        integration that registered it: the user of that call. Records that
        already have one keep it. One statement."""
        if "api.log" not in self.env:
            return 0
        self.env["api.log"].flush_model()
        self.env.cr.execute(
            SQL(
                """INSERT INTO webhook_outbound_callback
                          (res_model, res_id, url, user_id,
                           create_uid, create_date, write_uid, write_date)
                   SELECT DISTINCT ON (a.res_model, a.res_id)
                          a.res_model, a.res_id, a.callback_url, u.id,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM api_log a JOIN res_users u ON u.id = a.create_uid
                    WHERE a.log_type = 'receive' AND a.callback_url IS NOT NULL
                      AND a.res_model IS NOT NULL AND a.res_id IS NOT NULL
                 ORDER BY a.res_model, a.res_id, a.id DESC
              ON CONFLICT (res_model, res_id) DO NOTHING
                RETURNING id""",
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        count = len(self.env.cr.fetchall())
        self.env["webhook.outbound.callback"].invalidate_model()
        return count

    @api.model
    def _migrate_logs(self):
        """Copy api.log entries not copied yet, LOG_BATCH at a time."""
        ids = self._pending_log_ids()
        ApiLog = self.env["api.log"].sudo() if ids else None
        for start in range(0, len(ids), LOG_BATCH):
            sources = ApiLog.browse(ids[start : start + LOG_BATCH])
            logs = (
                self.env["webhook.log"]
                .sudo()
                .create([self._log_vals(source) for source in sources])
            )
            self._copy_attachments(sources, logs)
            pairs = dict(zip(logs, sources, strict=True))
            self._mark(logs, lambda log, pairs=pairs: f"api_log_{pairs[log].id}")
        return len(ids)

    @api.model
    def _log_vals(self, source):
        vals = {ours: source[theirs] or False for theirs, ours in LOG_FIELDS.items()}
        send = source.log_type == "send"
        vals.update(
            date=source.create_date,
            user_id=source.create_uid.id,
            log_type="send" if send else "receive",
            # The original's draft is a call that never finished.
            state="done" if source.state == "done" else "failed",
            # A delivery's route was its URL and its function the rule's
            # name; the copy is history only, not linked to a rule, so that
            # Resend cannot post a body that was never kept whole.
            route=False if send else source.route,
            target_url=source.route if send else False,
            function=source.function_name if send else False,
        )
        return vals

    @api.model
    def _copy_attachments(self, sources, logs):
        """The full payload of large entries: a copy, since the original's
        are deleted with it."""
        with_file = [
            (source, log)
            for source, log in zip(sources, logs, strict=True)
            if source.attachment_id
        ]
        if not with_file:
            return
        Attachment = self.env["ir.attachment"].sudo()
        vals_list = [
            dict(
                source.attachment_id.copy_data()[0],
                res_model="webhook.log",
                res_id=log.id,
                name=f"webhook_log_{log.id}.json",
            )
            for source, log in with_file
        ]
        attachments = Attachment.create(vals_list)
        for (_source, log), attachment in zip(with_file, attachments, strict=True):
            log.full_log_attachment_id = attachment

    @api.model
    def _status(self):
        """(original module state, pending rules, pending log entries)."""
        return (
            self._original_state(),
            len(self._pending_rule_rows()),
            len(self._pending_log_ids()),
        )
