# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deliveries built by the queue: where each record's delivery goes, its
body read with the rights of the user it is sent for (the rule's Send As
user, or the integration that registered the record's callback: never
blindly as superuser), in the rule's payload format."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.payload import DeliveryRow, build_payloads, encode_body, envelope
from ..tools.signing import generate_message_id


class WebhookOutboundQueue(models.AbstractModel):
    _inherit = "webhook.outbound.queue"

    @api.model
    def _create_deliveries(self, rule, records, test=False):
        """One pending delivery of ``rule`` per record of ``records``, with
        its payload built now (failed at once when it has nowhere to go or
        cannot be read)."""
        if not records:
            return self.env["webhook.log"].sudo()
        return self._create_delivery_rows(rule, self._payload_rows(rule, records), test)

    @api.model
    def _payload_rows(self, rule, records):
        """[DeliveryRow] of ``rule`` for ``records``, in their order. Each
        body is read as the owner of the record's callback, else as the
        rule's Send As user, in batch for the records of one reader."""
        if rule.endpoint_source == "callback":
            targets = self.env["webhook.outbound.callback"].sudo()._targets(records)
        else:
            targets = dict.fromkeys(records.ids, (rule.endpoint_url.strip(), None))
        # Translated here, not in the comprehension: _() finds the language
        # in its caller's frame, which must have ``self``.
        no_url = _(
            "No callback URL: no integration registered one for this "
            "record, and it has no callback_url field set."
        )
        rows = {
            rid: DeliveryRow(rid, error=no_url)
            for rid in records.ids
            if rid not in targets
        }
        readers = defaultdict(list)
        for rid, (_url, owner) in targets.items():
            readers[owner or rule.sudo().send_as_user_id.id].append(rid)
        for uid, rids in readers.items():
            for row in self._read_rows(rule, records.browse(rids), uid):
                rows[row.res_id] = row._replace(url=targets[row.res_id][0])
        return [rows[rid] for rid in records.ids]

    @api.model
    def _read_rows(self, rule, records, uid):
        """[DeliveryRow] of ``records`` read as user ``uid`` in all their
        companies, each company's records with that company first
        (company-dependent values as the record's company sees them)."""
        if not uid:
            message = _("The rule has no Send As user: nothing is read or sent.")
            return [DeliveryRow(rid, error=message) for rid in records.ids]
        context = dict(self.env.context)
        context.pop("allowed_company_ids", None)
        reader = self.env(user=uid, su=False, context=context)
        if "company_id" not in records._fields:
            return self._read_batch(rule, records.with_env(reader))
        rows = []
        for company, group in records.grouped("company_id").items():
            rows += self._read_batch(rule, group.with_env(reader).with_company(company))
        return rows

    @api.model
    def _read_batch(self, rule, records):
        """Rows of ``records`` read in their environment; when the reader
        may not read one of them (record, field or company), each record on
        its own, so only those it may not read fail."""
        try:
            built = build_payloads(rule._parsed_payload(), records)
        except AccessError as exc:
            if len(records) > 1:
                return [row for rec in records for row in self._read_batch(rule, rec)]
            error = _(
                "%(user)s, whom this delivery is read for, may not read "
                "%(model)s %(id)s, so nothing is sent: %(error)s",
                user=records.env.user.display_name,
                model=records._name,
                id=records.id,
                error=exc,
            )
            return [DeliveryRow(records.id, error=error)]
        timestamp = fields.Datetime.now().isoformat(timespec="seconds") + "Z"
        return [
            DeliveryRow(
                record.id, self._body(rule, record, payload, timestamp), tuple(problems)
            )
            for record, (payload, problems) in zip(records, built, strict=True)
        ]

    @api.model
    def _body(self, rule, record, payload, timestamp):
        if rule.payload_format != "envelope":
            return payload
        return envelope(rule.event_type, timestamp, record._name, record.id, payload)

    @api.model
    def _create_delivery_rows(self, rule, rows, test=False):
        """webhook.log deliveries of ``rule`` for ``rows`` (DeliveryRow):
        pending, or failed at once with the row's error."""
        Log = self.env["webhook.log"].sudo()
        limit = Log._preview_limit()
        vals_list, texts = [], []
        for row in rows:
            vals, text = self._delivery_vals(rule, row, test), ""
            if row.error is None:
                preview, text = Log._prepare_payload_vals("request", row.payload, limit)
                vals.update(
                    preview,
                    payload_json=encode_body(row.payload),
                    payload_warning="\n".join(sorted(row.problems)) or False,
                )
            vals_list.append(vals)
            texts.append(text)
        deliveries = Log.create(vals_list)
        for delivery, text in zip(deliveries, texts, strict=True):
            if len(text) > limit:
                delivery._attach_full_log(text, None)
        return deliveries

    @api.model
    def _delivery_vals(self, rule, row, test):
        vals = {
            "log_type": "send",
            "route": rule.name,
            "model_name": rule.model_name,
            "res_model": rule.model_name,
            "res_id": row.res_id,
            "outbound_rule_id": rule.id,
            "target_url": row.url or False,
            "callback_url": rule.endpoint_source == "callback" and row.url or False,
            "webhook_msg_id": generate_message_id(),
            "state": "pending",
            "next_attempt_date": fields.Datetime.now(),
            "is_test": test,
        }
        if row.error is not None:
            vals.update(
                state="failed", next_attempt_date=False, error_message=row.error
            )
        return vals

    @api.model
    def _failed_deliveries(self, rule, res_ids, message):
        """Failed deliveries (nothing to send) for records whose payload could
        not be built, so that the administrator sees why."""
        rows = [DeliveryRow(res_id, error=message) for res_id in res_ids]
        return self._create_delivery_rows(rule, rows)
