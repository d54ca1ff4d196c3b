# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Endpoint health (issue 15, items 2 and 3): the failure streak and the
states, disabling after the configured time of failure (the clock moved by
writing the dates into the past) or at once on 410 Gone, the notice to the
rule's responsible user, a disabled endpoint's deliveries not claimed, and
Re-enable with the resend it offers."""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .test_delivery import DeliveryCase


@tagged("post_install", "-at_install")
class TestEndpointHealth(DeliveryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = new_test_user(cls.env, "webhook_owner", groups="base.group_system")
        cls.other = cls.Partner.create({"name": "Other buyer"})

    def endpoint(self, rule):
        return self.env["webhook.outbound.endpoint"].search([("rule_id", "=", rule.id)])

    def notices(self, rule):
        activities = rule.activity_ids.filtered(lambda a: a.user_id == self.owner)
        messages = rule.message_ids.filtered(
            lambda m: self.owner.partner_id in m.partner_ids
        )
        return activities.mapped("summary"), messages

    def attempt(self, delivery, status):
        self.receiver.reset(default=status)
        self.make_due(delivery)
        self.send()

    def test_streak_and_states(self):
        rule = self.make_rule(user_id=self.owner.id)
        delivery = self.fire(rule)
        self.attempt(delivery, 500)
        endpoint = self.endpoint(rule)
        self.assertRecordValues(
            endpoint,
            [{"url": self.receiver.url, "state": "failing", "failure_count": 1}],
        )
        since = endpoint.failing_since
        self.assertTrue(since)
        self.assertEqual(rule.health_state, "failing")
        self.assertIn(rule, self.Rule.search([("health_state", "=", "failing")]))
        self.attempt(delivery, 503)
        self.assertRecordValues(
            endpoint, [{"state": "failing", "failure_count": 2, "failing_since": since}]
        )
        summaries, messages = self.notices(rule)
        # Told once, when it started failing.
        self.assertEqual(len(summaries), 1)
        self.assertIn("Endpoint failing", summaries[0])
        self.assertEqual(len(messages), 1)
        self.attempt(delivery, 200)
        self.assertRecordValues(
            endpoint,
            [{"state": "healthy", "failure_count": 0, "failing_since": False}],
        )
        self.assertTrue(endpoint.last_success_date)
        self.assertEqual(rule.health_state, "healthy")
        self.assertNotIn(rule, self.Rule.search([("health_state", "=", "failing")]))

    def test_disabled_after_the_configured_time(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "webhook.outbound_endpoint_disable_days", "5"
        )
        rule = self.make_rule(user_id=self.owner.id)
        delivery = self.fire(rule)
        self.attempt(delivery, 500)
        endpoint = self.endpoint(rule)
        now = fields.Datetime.now()
        endpoint.failing_since = now - timedelta(days=4)
        self.attempt(delivery, 500)
        self.assertEqual(endpoint.state, "failing", "4 days: not yet")
        endpoint.failing_since = now - timedelta(days=5, minutes=1)
        self.attempt(delivery, 500)
        self.assertEqual(endpoint.state, "disabled")
        self.assertIn("Every attempt failed since", endpoint.disabled_reason)
        summaries, messages = self.notices(rule)
        self.assertEqual(len(summaries), 2)
        self.assertIn("Endpoint disabled", summaries[1])
        self.assertIn("Endpoint disabled", messages[0].body)
        # Its deliveries stay pending and are not claimed.
        self.assertEqual(delivery.state, "pending")
        self.attempt(delivery, 200)
        self.assertEqual(len(self.receiver.requests), 0)
        self.assertEqual(delivery.state, "pending")

    def test_gone_disables_at_once(self):
        rule = self.make_rule(user_id=self.owner.id)
        delivery = self.fire(rule)
        self.attempt(delivery, 410)
        self.assertEqual(delivery.state, "failed", "no retry after 410")
        self.assertIn("410 Gone", delivery.error_message)
        endpoint = self.endpoint(rule)
        self.assertEqual(endpoint.state, "disabled")
        self.assertIn("410 Gone", endpoint.disabled_reason)
        self.assertEqual(rule.health_state, "disabled")
        summaries, messages = self.notices(rule)
        self.assertEqual(summaries, [f"Endpoint disabled: {self.receiver.url}"])
        self.assertIn("410 Gone", messages.body)
        # Another record's delivery to it waits, unclaimed.
        later = self.fire(rule, self.other)
        self.attempt(later, 200)
        self.assertEqual(len(self.receiver.requests), 0)
        self.assertEqual(later.state, "pending")
        self.assertFalse(self.env["webhook.outbound.queue"]._claim(limit=100) & later)

    def test_responsible_defaults_to_creator(self):
        rule = self.make_rule()
        self.assertEqual(rule.user_id, self.env.user)
        defaults = self.Rule.with_user(self.owner).default_get(["user_id"])
        self.assertEqual(defaults["user_id"], self.owner.id)

    def test_reenable_offers_the_resend(self):
        rule = self.make_rule(user_id=self.owner.id)
        failed = self.fire(rule)
        self.attempt(failed, 410)
        pending = self.fire(rule, self.other)
        endpoint = self.endpoint(rule)
        action = endpoint.action_enable()
        self.assertEqual(endpoint.state, "healthy")
        self.assertEqual(action["res_model"], "webhook.outbound.resend")
        wizard = (
            self.env["webhook.outbound.resend"]
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(wizard.endpoint_id, endpoint)
        self.assertEqual((wizard.delivery_count, wizard.pending_count), (1, 1))
        wizard.action_resend()
        self.assertEqual(failed.state, "pending")
        self.receiver.reset()
        self.make_due(failed | pending)
        self.send()
        self.assertEqual((failed.state, pending.state), ("done", "done"))
        ids = {r["headers"]["webhook-id"] for r in self.receiver.requests}
        self.assertEqual(ids, {failed.webhook_msg_id, pending.webhook_msg_id})
        # Resend of one delivery: the same webhook-id once more.
        failed.action_resend()
        self.send()
        self.assertEqual(
            self.receiver.requests[-1]["headers"]["webhook-id"], failed.webhook_msg_id
        )
        self.assertEqual(failed.attempt_ids.mapped("attempt_number"), [1, 1, 1])
