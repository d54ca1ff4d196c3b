# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading

import psycopg2

from odoo import api, models, sql_db
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)

SEND_CRON_XMLID = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"
_lock = threading.Lock()
_connection = {}


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _webhook_send_cron_id(self):
        """Id of the sending job (cached by Odoo: no query)."""
        return self.env["ir.model.data"]._xmlid_to_res_id(
            SEND_CRON_XMLID, raise_if_not_found=False
        )

    def _notifydb(self):
        """Wake the cron workers up for the sending job.

        Odoo opens a new connection to the ``postgres`` database for every
        wake-up (its pool keeps none there): about 10 ms on each commit that
        queues deliveries, more than the rest of the queueing. This process
        keeps one connection for it instead.
        """
        # The cached id, not env.ref(): that would cost a query per wake-up.
        send_cron_id = self._webhook_send_cron_id()
        if not send_cron_id or self.ids != [send_cron_id]:
            return super()._notifydb()
        with _lock:
            for attempt in (1, 2):
                cnx = _connection.get("cnx")
                try:
                    if cnx is None or cnx.closed:
                        _dbname, info = sql_db.connection_info_for("postgres")
                        cnx = psycopg2.connect(**info)
                        cnx.autocommit = True
                        _connection["cnx"] = cnx
                    query = SQL(
                        "SELECT %s('cron_trigger', %s)",
                        SQL.identifier(ODOO_NOTIFY_FUNCTION),
                        self.env.cr.dbname,
                    )
                    with cnx.cursor() as cr:  # plain psycopg2: code and params
                        cr.execute(query.code, query.params)
                    return None
                except psycopg2.Error:
                    _connection.pop("cnx", None)
                    if attempt == 2:
                        _logger.warning(
                            "Could not wake the cron workers up", exc_info=True
                        )
        return None

    def _reschedule_later(self, job):
        """Odoo deletes the job's due triggers here, also one written by a
        transaction that flushed its events before this run started and
        committed them while it ended: wake the job up again while events
        are waiting (same transaction as the deletion, so none is missed)."""
        res = super()._reschedule_later(job)
        if job["id"] == self._webhook_send_cron_id():
            self.env.cr.execute("SELECT EXISTS (SELECT 1 FROM webhook_outbound_event)")
            if self.env.cr.fetchone()[0]:
                self.env.cr.execute(self.env["webhook.outbound.queue"]._wake_up_sql())
        return res
