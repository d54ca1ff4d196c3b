# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 13, item 7: the deliveries of one rule and record arrive in the
order of their events; a later one waits while an earlier one is retried,
and goes once the earlier one is done or has failed for good."""

from odoo.tests import tagged

from .test_delivery import DeliveryCase


@tagged("post_install", "-at_install")
class TestDeliveryOrder(DeliveryCase):
    def two_events(self, rule):
        first = self.fire(rule)
        self.partner.write({"type": "contact"})
        second = self.fire(rule)
        self.assertLess(first.id, second.id)
        return first, second

    def test_later_delivery_waits_for_the_earlier_retry(self):
        rule = self.make_rule(payload_fields='["name"]')
        other = self.Partner.create({"name": "Other"})
        first, second = self.two_events(rule)
        third = self.fire(rule, other)
        self.receiver.reset(script=[500])
        self.send()
        # The first failed and waits for its retry; the second of the same
        # record waits behind it; the other record's goes its own way.
        self.assertEqual(len(self.receiver.requests), 2)
        self.assertEqual(
            (first.state, second.state, third.state), ("pending", "pending", "done")
        )
        self.assertEqual((first.attempt_count, second.attempt_count), (1, 0))
        self.make_due(second)
        self.send()
        self.assertEqual(second.attempt_count, 0, "still behind the first")
        self.make_due(first)
        self.send()
        self.send()
        self.assertEqual((first.state, second.state), ("done", "done"))
        sent = [r["headers"]["webhook-id"] for r in self.receiver.requests]
        self.assertEqual(sent[2:], [first.webhook_msg_id, second.webhook_msg_id])

    def test_an_exhausted_delivery_no_longer_holds_back(self):
        rule = self.make_rule(max_attempts=1)
        first, second = self.two_events(rule)
        self.receiver.reset(script=[500])
        self.send()
        self.assertEqual(first.state, "failed")
        self.send()
        self.assertEqual(second.state, "done")
