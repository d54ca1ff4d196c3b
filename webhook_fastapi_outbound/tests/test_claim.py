# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from contextlib import closing
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestClaim(TransactionCase):
    """Two senders (two real database connections, as two workers or servers
    would have) claim disjoint deliveries: FOR UPDATE SKIP LOCKED."""

    def _committed_deliveries(self, marker, urls):
        """Due deliveries, one per URL of ``urls``, committed on a separate
        connection (other connections must see them); deleted at cleanup."""
        dbname = self.env.cr.dbname
        with closing(db_connect(dbname).cursor()) as setup:
            past = fields.Datetime.now() - timedelta(minutes=1)
            api.Environment(setup, SUPERUSER_ID, {})["webhook.log"].create(
                [
                    {
                        "log_type": "send",
                        "state": "pending",
                        "route": marker,
                        "target_url": url,
                        "next_attempt_date": past,
                    }
                    for url in urls
                ]
            )
            setup.commit()

        def cleanup():
            with closing(db_connect(dbname).cursor()) as done:
                api.Environment(done, SUPERUSER_ID, {})["webhook.log"].search(
                    [("route", "=", marker)]
                ).unlink()
                done.commit()

        self.addCleanup(cleanup)

    def test_two_workers_claim_disjoint_rows(self):
        dbname = self.env.cr.dbname
        marker = "claim-test-%s" % id(self)
        self._committed_deliveries(marker, [False] * 6)
        with (
            closing(db_connect(dbname).cursor()) as cr1,
            closing(db_connect(dbname).cursor()) as cr2,
        ):
            queue1 = api.Environment(cr1, SUPERUSER_ID, {})["webhook.outbound.queue"]
            queue2 = api.Environment(cr2, SUPERUSER_ID, {})["webhook.outbound.queue"]
            first = queue1._claim(limit=4).filtered(lambda d: d.route == marker)
            second = queue2._claim(limit=100).filtered(lambda d: d.route == marker)
            self.assertEqual(len(first), 4)
            self.assertEqual(len(second), 2)
            self.assertFalse(set(first.ids) & set(second.ids))
            cr1.rollback()
            # Released by the first worker: the second can take them now.
            cr2.rollback()
            self.assertEqual(
                len(queue2._claim(limit=100).filtered(lambda d: d.route == marker)),
                6,
            )
            cr2.rollback()

    def test_claims_take_turns(self):
        """Two servers claim at the same moment the first ranks of one
        target: the second claim waits for the first's lease to be
        committed, then takes the next ranks (without its turn it would
        rank the same rows, find them locked and take nothing)."""
        marker = "claim-turn-%s" % id(self)
        slow, fast = "http://127.0.0.1:9/slow-%s" % marker, "http://127.0.0.1:9/fast"
        self._committed_deliveries(marker, [slow] * 8 + [fast] * 2)
        dbname = self.env.cr.dbname
        with (
            closing(db_connect(dbname).cursor()) as cr1,
            closing(db_connect(dbname).cursor()) as cr2,
        ):
            # Made in the test's thread: the registry is not to be looked
            # up from another one while the tests run.
            queue1, queue2 = (
                api.Environment(cr, SUPERUSER_ID, {})["webhook.outbound.queue"]
                for cr in (cr1, cr2)
            )

            def claim(queue):
                self.assertTrue(queue._claim_turn())
                claimed = queue._claim(limit=10, per_target=2, ahead=1)
                return claimed.filtered(lambda d: d.route == marker)

            first = claim(queue1)
            # The cap per target: 2 in flight and 1 in line.
            self.assertEqual(
                sorted(first.mapped("target_url")), [fast] * 2 + [slow] * 3
            )
            result = {}
            worker = threading.Thread(
                target=lambda: result.update(second=claim(queue2))
            )
            worker.start()
            worker.join(0.5)
            self.assertTrue(worker.is_alive(), "the second claim waits its turn")
            queue1._lease(first)
            cr1.commit()
            worker.join(30)
            self.assertFalse(worker.is_alive())
            second = result["second"]
            self.assertEqual(second.mapped("target_url"), [slow] * 3)
            slow_ids = sorted(d.id for d in first | second if d.target_url == slow)
            self.assertEqual(sorted(second.ids), slow_ids[3:])
            cr2.rollback()
