# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every attempt of a delivery is kept with the receiver's answer (issue 15,
item 2): the delivery shows only the last one."""

from odoo.tests import tagged

from .test_delivery import DeliveryCase


@tagged("post_install", "-at_install")
class TestAttemptHistory(DeliveryCase):
    def test_each_attempt_keeps_its_answer(self):
        rule = self.make_rule()
        delivery = self.fire(rule)
        self.receiver.reset(script=[500, (302, {"Location": "http://x.test/"})])
        self.send()
        self.make_due(delivery)
        self.send()
        self.make_due(delivery)
        self.send()
        self.assertEqual(delivery.state, "done")
        attempts = delivery.attempt_ids.sorted("attempt_number")
        self.assertEqual(attempts.mapped("attempt_number"), [1, 2, 3])
        # A redirect is a failed attempt: not followed.
        self.assertEqual(attempts.mapped("http_status"), [500, 302, 200])
        self.assertEqual(len(self.receiver.requests), 3)
        for attempt in attempts:
            self.assertIn('"received": true', attempt.response_preview)
            self.assertEqual(attempt.target_url, self.receiver.url)
            self.assertEqual(attempt.rule_id, rule)
        self.assertIn("HTTP 302", attempts[1].error_message)
        self.assertFalse(attempts[2].error_message)
