# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Recovery (issue 15, item 4): "Resend Failed Deliveries" since a date, for
a rule, an endpoint or a selection of the delivery list: only the failed
ones of that scope queued since then, each with its webhook-id, spread at
webhook.outbound_resend_per_second."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools.signing import generate_message_id
from .common import OutboundCase


@tagged("post_install", "-at_install")
class TestResendSince(OutboundCase):
    def setUp(self):
        super().setUp()
        self.rule = self.make_rule()
        self.now = fields.Datetime.now()
        self.env["ir.config_parameter"].sudo().set_param(
            "webhook.outbound_resend_per_second", "2"
        )

    def delivery(self, state, days_ago, rule=None, url=None):
        rule = rule or self.rule
        return self.Log.create(
            {
                "log_type": "send",
                "state": state,
                "route": rule.name,
                "outbound_rule_id": rule.id,
                "target_url": url or rule.endpoint_url,
                "webhook_msg_id": generate_message_id(),
                "payload_json": "{}",
                "attempt_count": 8,
                "date": self.now - timedelta(days=days_ago),
                "error_message": "HTTP 500",
            }
        )

    def wizard(self, **vals):
        return self.env["webhook.outbound.resend"].create(vals)

    def test_failed_since_the_date_only_throttled(self):
        recent = self.Log.browse()
        for _i in range(5):
            recent |= self.delivery("failed", 1)
        old = self.delivery("failed", 10)
        done = self.delivery("done", 1)
        other_rule = self.make_rule(name="Other", endpoint_url=self.receiver.url + "/o")
        elsewhere = self.delivery("failed", 1, rule=other_rule)
        ids = recent.mapped("webhook_msg_id")
        wizard = self.wizard(rule_id=self.rule.id, since=self.now - timedelta(days=2))
        self.assertEqual(wizard.delivery_count, 5)
        wizard.action_resend()
        self.assertEqual(set(recent.mapped("state")), {"pending"})
        self.assertEqual(recent.mapped("attempt_count"), [0] * 5)
        self.assertEqual(recent.mapped("webhook_msg_id"), ids)
        self.assertEqual((old | elsewhere).mapped("state"), ["failed", "failed"])
        self.assertEqual(done.state, "done")
        # 2 a second, in their order, from the resend on (measured from the
        # first: the clock may have passed a second since self.now).
        dates = recent.sorted("id").mapped("next_attempt_date")
        self.assertLessEqual(dates[0] - self.now, timedelta(seconds=5))
        offsets = [(date - dates[0]).total_seconds() for date in dates]
        self.assertEqual([round(o) for o in offsets], [0, 0, 1, 1, 2])
        # Sent from the first attempt, with their webhook-id.
        self.make_due(recent)
        self.send()
        self.assertEqual(set(recent.mapped("state")), {"done"})
        got = sorted(r["headers"]["webhook-id"] for r in self.receiver.requests)
        self.assertEqual(got, sorted(ids))

    def test_endpoint_and_selection(self):
        mine = self.delivery("failed", 1)
        callback = self.delivery("failed", 1, url=self.receiver.url + "/cb")
        endpoint = self.env["webhook.outbound.endpoint"].create(
            {"rule_id": self.rule.id, "url": self.rule.endpoint_url}
        )
        self.wizard(endpoint_id=endpoint.id).action_resend()
        self.assertEqual((mine.state, callback.state), ("pending", "failed"))
        selected = self.delivery("failed", 1) | callback
        action = (
            self.wizard(endpoint_id=endpoint.id)
            .with_context(active_model="webhook.log", active_ids=selected.ids)
            .default_get(["selected_ids"])
        )
        wizard = self.wizard(selected_ids=action["selected_ids"])
        self.assertEqual(wizard.delivery_count, 2)
        wizard.action_resend()
        self.assertEqual(set(selected.mapped("state")), {"pending"})
        with self.assertRaises(UserError):
            self.wizard(rule_id=self.rule.id).action_resend()  # nothing failed left
