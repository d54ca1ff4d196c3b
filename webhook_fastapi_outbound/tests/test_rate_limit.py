# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rate limit per endpoint (issue 15, item 6): a claim never takes more
than the limit of a rate-limited endpoint in a second, however many are due
and whoever claimed before: the claims of the last second are counted in
the database, so two workers (two real connections) share the limit, also
when they claim at the same moment."""

import threading
import time
from contextlib import closing
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import db_connect
from odoo.tests import tagged

from .common import OutboundCase

LIMIT = 3


@tagged("post_install", "-at_install")
class TestRateLimit(OutboundCase):
    def make_deliveries(self, env, rule, count):
        past = fields.Datetime.now() - timedelta(minutes=1)
        return env["webhook.log"].create(
            [
                {
                    "log_type": "send",
                    "state": "pending",
                    "route": rule.name,
                    "outbound_rule_id": rule.id,
                    "target_url": rule.endpoint_url,
                    "next_attempt_date": past,
                    "payload_json": "{}",
                }
                for _i in range(count)
            ]
        )

    def test_one_claim_takes_at_most_the_limit(self):
        limited = self.make_rule(rate_limit=LIMIT)
        free = self.make_rule(name="Free", endpoint_url=self.receiver.url + "/free")
        deliveries = self.make_deliveries(self.env, limited, 10)
        others = self.make_deliveries(self.env, free, 10)
        Queue = self.env["webhook.outbound.queue"]
        first = Queue._claim(limit=100)
        self.assertEqual(len(first & deliveries), LIMIT)
        self.assertEqual(len(first & others), 10, "no limit, no cap")
        Queue._lease(first)  # in flight, as the job does
        # Same second: no room left, even once the first ones are sent.
        self.assertFalse(Queue._claim(limit=100) & deliveries)
        # A second later (the claims moved into the past): room again.
        self.env.cr.execute(
            "UPDATE webhook_log SET claimed_at = claimed_at - interval '1.1 second'"
            " WHERE id = ANY(%s)",
            [deliveries.ids],
        )
        later = Queue._claim(limit=100) & deliveries
        self.assertEqual(len(later), LIMIT)
        self.assertFalse(later & first)

    def _committed_rule(self, dbname):
        with closing(db_connect(dbname).cursor()) as setup:
            env = api.Environment(setup, SUPERUSER_ID, {})
            rule = env["webhook.outbound.rule"].create(
                {
                    "name": "Rate limited (two workers)",
                    "model_id": self.partner_model.id,
                    "endpoint_source": "static",
                    "endpoint_url": self.receiver.url + "/two",
                    "rate_limit": LIMIT,
                }
            )
            ids = self.make_deliveries(env, rule, 10).ids
            setup.commit()
        return rule.id, ids

    def _cleanup(self, dbname, rule_id):
        with closing(db_connect(dbname).cursor()) as cleanup:
            cleanup.execute(
                "DELETE FROM webhook_log WHERE outbound_rule_id = %s", [rule_id]
            )
            cleanup.execute(
                "DELETE FROM webhook_outbound_rule WHERE id = %s", [rule_id]
            )
            cleanup.commit()

    def _queue(self, cr):
        # Made in the test's thread: the registry is not to be looked up
        # from another one while the tests run.
        return api.Environment(cr, SUPERUSER_ID, {})["webhook.outbound.queue"]

    def _claim_on(self, queue, ids):
        return set(queue._claim(limit=100).ids) & set(ids)

    def test_two_workers_share_the_limit(self):
        dbname = self.env.cr.dbname
        rule_id, ids = self._committed_rule(dbname)
        try:
            with (
                closing(db_connect(dbname).cursor()) as cr1,
                closing(db_connect(dbname).cursor()) as cr2,
                closing(db_connect(dbname).cursor()) as cr3,
            ):
                queue1, queue2, queue3 = map(self._queue, (cr1, cr2, cr3))
                # One after the other, as two workers' runs.
                first = self._claim_on(queue1, ids)
                cr1.commit()
                self.assertEqual(len(first), LIMIT)
                self.assertFalse(self._claim_on(queue2, ids))
                cr2.rollback()
                # At the same moment: the first's claims are not committed
                # yet, but the room is the first due ones, which it holds.
                cr1.execute(
                    "UPDATE webhook_log SET claimed_at = NULL WHERE id = ANY(%s)", [ids]
                )
                cr1.commit()
                again = self._claim_on(queue1, ids)
                cr3.execute("SET lock_timeout = '20s'")  # bounded
                result = {}
                worker = threading.Thread(
                    target=lambda: result.update(ids=self._claim_on(queue3, ids))
                )
                worker.start()
                time.sleep(0.5)
                cr1.commit()
                worker.join(30)
                self.assertFalse(worker.is_alive())
                self.assertEqual(len(again), LIMIT)
                self.assertEqual(result["ids"], set())
                cr3.rollback()
        finally:
            self._cleanup(dbname, rule_id)
