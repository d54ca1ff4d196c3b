# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The sending job's wake-ups: the trigger row a firing commit writes, the
run's next wake-up, and the look again when another server's claim held
the due rows (webhook_outbound_queue.py is the queue itself)."""

import time

from odoo import api, fields, models
from odoo.tools import SQL

from .ir_cron import SEND_CRON_XMLID
from .webhook_outbound_queue import LAND_WAIT, WAKE_KEY


class WebhookOutboundQueueWakeUp(models.AbstractModel):
    _inherit = "webhook.outbound.queue"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _due_left(self, flight, deadline):
        """Whether the claim would have taken deliveries had no other worker
        held their rows (then waits LAND_WAIT): the rows it ranked first
        were locked by another server's claim, which leases them and
        commits within milliseconds, and the next look finds the next
        ones. The same claim without its locks: a rate-limited endpoint
        without room, or nothing due, ends the run as before."""
        if time.monotonic() >= deadline:
            return False
        due = self._claim(1, flight.busy(), flight.per_target, flight.ahead, lock=False)
        if due:
            time.sleep(LAND_WAIT)
        return bool(due)

    # ------------------------------------------------------------------
    # Wake-up of the sending job
    # ------------------------------------------------------------------
    @api.model
    def _wake_up_sql(self):
        """The query that wakes the sending job up once this transaction
        commits: a due trigger row (the one ir.cron._trigger() writes,
        without its read of the whole cron record: this runs in the commit
        of every write that fires a rule), and the cron workers notified
        after the commit, once per transaction. The row is written at every
        flush: a savepoint rolled back may have taken an earlier one."""
        cron_id = self.env["ir.cron"]._webhook_send_cron_id()
        postcommit = self.env.cr.postcommit
        if WAKE_KEY not in postcommit.data:
            postcommit.data[WAKE_KEY] = True
            postcommit.add(self.env["ir.cron"].sudo().browse(cron_id)._notifydb)
        return SQL(
            """INSERT INTO ir_cron_trigger
                      (cron_id, call_at, create_uid, create_date, write_uid, write_date)
               VALUES (%(cron)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s)""",
            cron=cron_id,
            now=fields.Datetime.now(),
            uid=self.env.uid,
        )

    @api.model
    def _schedule_wakeup(self):
        """Run again now if events or due deliveries are left (the time
        budget ran out, or they were committed during this run), else when
        the next retry is due. Triggers made during the run outlive the
        clean-up at its end (Odoo deletes those older than the run's start);
        ir.cron's _reschedule_later() override covers events committed
        after this check."""
        self.env["webhook.log"].flush_model()
        # Deliveries waiting behind an earlier one do not count: they become
        # due when it is settled, by the run that settles it.
        self.env.cr.execute(
            SQL(
                """SELECT min(next_attempt_date),
                          EXISTS (SELECT 1 FROM webhook_outbound_event)
                     FROM webhook_log AS d
                    WHERE log_type = 'send' AND state = 'pending' AND %s AND %s""",
                self._not_behind_sql(),
                self._claimable_sql(),
            )
        )
        next_date, events_left = self.env.cr.fetchone()
        cron = self.env.ref(SEND_CRON_XMLID)
        if events_left or (next_date and next_date <= fields.Datetime.now()):
            cron._trigger()
        elif next_date:
            cron._trigger(at=next_date)
