# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Where a record's callback deliveries go, and whose they are: the
integration (API user) that registered the URL owns it. Only the owner can
change it through the API, and deliveries read the record with the owner's
access rights, so nobody can redirect another integration's webhooks or
read through them what they may not read."""

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.webhook_fastapi.tools.errors import ApiError


class WebhookOutboundCallback(models.Model):
    _name = "webhook.outbound.callback"
    _description = "Outbound Webhook Callback"
    _order = "id desc"
    _rec_name = "url"

    res_model = fields.Char("Model", required=True, index=True, readonly=True)
    res_id = fields.Many2oneReference(
        "Record ID", model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char("Record", compute="_compute_record_name")
    url = fields.Char("Callback URL", required=True)
    user_id = fields.Many2one(
        "res.users",
        "Owner",
        required=True,
        ondelete="cascade",
        help="The integration that registered the URL: only it can change it "
        "through the API, and deliveries read the record with its access rights.",
    )

    _sql_constraints = [
        (
            "record_unique",
            "UNIQUE(res_model, res_id)",
            "A record has one callback URL.",
        ),
    ]

    def _compute_record_name(self):
        for callback in self:
            model = self.env.get(callback.res_model)
            record = (
                model.browse(callback.res_id).exists() if model is not None else None
            )
            callback.record_name = record.display_name if record else _("(deleted)")

    @api.model
    def _set_url(self, record, url, uid):
        """Make ``url`` the callback of ``record``, owned by ``uid``: claimed
        when the record has none, changed when ``uid`` owns it, refused when
        another integration does. One statement, so concurrent calls cannot
        both claim the record."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO webhook_outbound_callback AS c
                          (res_model, res_id, url, user_id,
                           create_uid, create_date, write_uid, write_date)
                   VALUES (%(model)s, %(res_id)s, %(url)s, %(uid)s,
                           %(uid)s, %(now)s, %(uid)s, %(now)s)
              ON CONFLICT (res_model, res_id) DO UPDATE
                      SET url = EXCLUDED.url, write_uid = EXCLUDED.write_uid,
                          write_date = EXCLUDED.write_date
                    WHERE c.user_id = EXCLUDED.user_id
                RETURNING id""",
                model=record._name,
                res_id=record.id,
                url=url,
                uid=uid,
                now=now,
            )
        )
        if not self.env.cr.fetchone():
            raise ApiError(
                f"callback_url: the callback of {record._name} {record.id} was "
                "registered by another integration; only that integration (or an "
                "administrator, in Outbound Webhooks > Callbacks) can change it.",
                403,
            )
        self.invalidate_model()

    @api.model
    def _targets(self, records):
        """{record id: (URL, owner id)} of ``records``: the registered
        callback; else the record's own callback_url field (the mixin's, set
        in Odoo), without an owner. One query for all records."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT res_id, url, user_id FROM webhook_outbound_callback
                    WHERE res_model = %s AND res_id = ANY(%s)""",
                records._name,
                records.ids,
            )
        )
        targets = {res_id: (url, uid) for res_id, url, uid in self.env.cr.fetchall()}
        if "callback_url" in records._fields:
            for record in records:
                if record.id not in targets and record.callback_url:
                    targets[record.id] = (record.callback_url, None)
        return targets
