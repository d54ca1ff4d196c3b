# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import closing
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestClaim(TransactionCase):
    """Two senders (two real database connections, as two workers or servers
    would have) claim disjoint deliveries: FOR UPDATE SKIP LOCKED."""

    def test_two_workers_claim_disjoint_rows(self):
        dbname = self.env.cr.dbname
        marker = "claim-test-%s" % id(self)
        # Rows must be committed to be seen by other connections: made on a
        # separate connection and deleted at the end.
        with closing(db_connect(dbname).cursor()) as setup:
            past = fields.Datetime.now() - timedelta(minutes=1)
            api.Environment(setup, SUPERUSER_ID, {})["webhook.log"].create(
                [
                    {
                        "log_type": "send",
                        "state": "pending",
                        "route": marker,
                        "next_attempt_date": past,
                    }
                    for _i in range(6)
                ]
            )
            setup.commit()
        try:
            with (
                closing(db_connect(dbname).cursor()) as cr1,
                closing(db_connect(dbname).cursor()) as cr2,
            ):
                queue1 = api.Environment(cr1, SUPERUSER_ID, {})[
                    "webhook.outbound.queue"
                ]
                queue2 = api.Environment(cr2, SUPERUSER_ID, {})[
                    "webhook.outbound.queue"
                ]
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
        finally:
            with closing(db_connect(dbname).cursor()) as cleanup:
                api.Environment(cleanup, SUPERUSER_ID, {})["webhook.log"].search(
                    [("route", "=", marker)]
                ).unlink()
                cleanup.commit()
