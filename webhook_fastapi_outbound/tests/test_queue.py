# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The sending job: batches, retry schedule, wake-ups, switched off."""

from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import tagged

from .test_delivery import DeliveryCase


@tagged("post_install", "-at_install")
class TestQueue(DeliveryCase):
    def test_retry_schedule(self):
        rule = self.make_rule()
        Queue = self.env["webhook.outbound.queue"]
        svix = [5, 300, 1800, 7200, 18000, 36000, 36000, 36000]
        for attempt, base in enumerate(svix, start=1):
            waits = {Queue._retry_wait(rule, attempt) for _i in range(20)}
            self.assertTrue(all(0.9 * base <= w <= 1.1 * base for w in waits), waits)
            self.assertGreater(len(waits), 1, "jitter")
        rule.retry_schedule = "1m, 2H,3d"
        self.assertAlmostEqual(Queue._retry_wait(rule, 3), 3 * 86400, delta=26000)
        self.assertEqual(Queue._retry_wait(rule, 1, retry_after=120), 120)
        with self.assertRaisesRegex(ValidationError, "'soon' is not a wait"):
            rule.retry_schedule = "5s, soon"

    def test_retry_after_on_429_and_503(self):
        rule = self.make_rule(retry_schedule="5s")
        later = (datetime.now(timezone.utc) + timedelta(hours=2)).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
        self.receiver.reset(
            script=[(429, {"Retry-After": "600"}), (503, {"Retry-After": later})]
        )
        first = self.fire(rule)
        second = self.fire(rule, self.Partner.create({"name": "Second"}))
        before = fields.Datetime.now()
        self.send()
        self.assertEqual((first.http_status, second.http_status), (429, 503))
        waits = [(d.next_attempt_date - before).total_seconds() for d in first | second]
        self.assertAlmostEqual(waits[0], 600, delta=3)
        self.assertAlmostEqual(waits[1], 7200, delta=5)
        # Another status: the schedule, whatever the header says.
        self.receiver.reset(script=[(500, {"Retry-After": "9999"})])
        self.make_due(first)
        self.send()
        wait = (first.next_attempt_date - fields.Datetime.now()).total_seconds()
        self.assertLess(wait, 7)

    def test_cron_runs_batches_and_schedules_retry(self):
        rule = self.make_rule()
        self.receiver.reset(script=[503])
        partners = self.Partner.create([{"name": f"P{i}"} for i in range(12)])
        partners.write({"type": "invoice"})
        self.commit_hooks()
        cron = self.env.ref("webhook_fastapi_outbound.ir_cron_webhook_outbound_send")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertTrue(triggers, "queuing a delivery wakes the cron")
        self.env["webhook.outbound.queue"]._cron_send()
        deliveries = self.deliveries(rule)
        self.assertEqual(len(self.receiver.requests), 12)
        self.assertEqual(
            sorted(deliveries.mapped("state")), ["done"] * 11 + ["pending"]
        )
        retry = deliveries.filtered(lambda d: d.state == "pending")
        new_triggers = (
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers
        )
        self.assertIn(
            retry.next_attempt_date.replace(microsecond=0),
            [t.call_at.replace(microsecond=0) for t in new_triggers],
        )

    def test_event_left_at_end_of_run_is_woken_later(self):
        """A run that ends with events left (committed during the run, or
        beyond its time budget) wakes the job up again at once."""
        self.make_rule()
        cron = self.env.ref("webhook_fastapi_outbound.ir_cron_webhook_outbound_send")
        Trigger = self.env["ir.cron.trigger"]
        self.partner.write({"type": "invoice"})
        self.env.cr.flush()  # the event is queued, not built
        before = Trigger.search([("cron_id", "=", cron.id)])
        started = fields.Datetime.now()
        self.env["webhook.outbound.queue"]._schedule_wakeup()
        new = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(new), 1)
        self.assertGreaterEqual(new.call_at, started)
        self.assertLessEqual(new.call_at, fields.Datetime.now())
        self.commit_hooks()
        self.env["webhook.outbound.queue"]._send_due()
        before = Trigger.search([("cron_id", "=", cron.id)])
        self.env["webhook.outbound.queue"]._schedule_wakeup()
        self.assertFalse(
            Trigger.search([("cron_id", "=", cron.id)]) - before,
            "nothing left: no wake-up",
        )

    def test_trigger_deleted_at_end_of_run_is_replaced(self):
        """Odoo deletes the job's due triggers older than the run's start,
        also that of a transaction that flushed its events before the run and
        committed them while it ended: the job is triggered again."""
        self.make_rule()
        IrCron = self.env["ir.cron"]
        cron = self.env.ref("webhook_fastapi_outbound.ir_cron_webhook_outbound_send")
        self.partner.write({"type": "invoice"})
        self.env.cr.flush()
        self.env.cr.execute(
            "UPDATE ir_cron_trigger SET call_at = '2000-01-01' WHERE cron_id = %s",
            [cron.id],
        )
        job = IrCron._acquire_one_job(self.env.cr, cron.id)
        self.assertTrue(job)
        IrCron.with_user(job["user_id"])._reschedule_later(job)
        self.env.cr.execute(
            "SELECT call_at FROM ir_cron_trigger WHERE cron_id = %s", [cron.id]
        )
        calls = [row[0] for row in self.env.cr.fetchall()]
        self.assertEqual(len(calls), 1, "the old trigger went, a new one came")
        self.assertGreater(calls[0].year, 2000)

    def test_switched_off_and_neutralized(self):
        rule = self.make_rule()
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("webhook.outbound_enabled", "False")
        delivery = self.fire(rule)
        self.env["webhook.outbound.queue"]._cron_send()
        self.send()
        self.assertEqual(self.receiver.requests, [])
        self.assertEqual(delivery.state, "pending")
        icp.set_param("webhook.outbound_enabled", "True")
        # Odoo's neutralization (odoo-bin neutralize) switches sending off and
        # stops what is queued: events not built yet, and pending deliveries.
        other = self.Partner.create({"name": "Queued"})
        other.write({"type": "invoice"})
        self.env.cr.flush()
        Event = self.env["webhook.outbound.event"]
        self.assertEqual(Event.search([]).res_id, other.id)
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.assertFalse(Event.search([]))
        self.assertEqual(icp.get_param("webhook.outbound_enabled"), "False")
        self.assertEqual(delivery.state, "failed")
        self.assertIn("neutralized", delivery.error_message)
        delivery.action_resend()
        self.send()
        self.assertEqual(self.receiver.requests, [])
