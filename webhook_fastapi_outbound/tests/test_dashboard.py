# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The deliveries dashboard: its graph and pivot views, run as the web
client runs them, give the right numbers on known deliveries (pending ones
left out of the success rate), and it shows deliveries only."""

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.webhook_fastapi.tests.dashboard_helpers import DashboardMixin

from .common import OutboundCase

ACTION = "webhook_fastapi_outbound.action_webhook_delivery_dashboard"


@tagged("post_install", "-at_install")
class TestDeliveryDashboard(DashboardMixin, OutboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_a = cls._rule("Rule A", cls.receiver.url)
        cls.rule_b = cls._rule("Rule B", cls.receiver.url + "/b")
        # (rule, state, duration, attempts); a pending delivery not tried
        # yet has no duration.
        rows = [
            (cls.rule_a, "done", 10.0, 1),
            (cls.rule_a, "done", 20.0, 1),
            (cls.rule_a, "done", 30.0, 2),
            (cls.rule_a, "failed", 100.0, 5),
            (cls.rule_a, "pending", None, 0),
            (cls.rule_b, "failed", 60.0, 5),
        ]
        cls.deliveries = cls.Log.create([cls._delivery(*row) for row in rows])
        # An inbound API call: not a delivery, not on this dashboard.
        cls.call = cls.Log.create({"route": "/api/search_data", "duration_ms": 5})
        cls.domain = [("id", "in", (cls.deliveries | cls.call).ids)]

    @classmethod
    def _rule(cls, name, url):
        return cls.Rule.create(
            {
                "name": name,
                "model_id": cls.partner_model.id,
                "endpoint_source": "static",
                "endpoint_url": url,
            }
        )

    @staticmethod
    def _delivery(rule, state, duration, attempts):
        vals = {
            "log_type": "send",
            "route": rule.name,
            "outbound_rule_id": rule.id,
            "target_url": rule.endpoint_url,
            "state": state,
            "attempt_count": attempts,
        }
        if duration is not None:
            vals["duration_ms"] = duration
        return vals

    def test_pivot_by_rule(self):
        action, archs, fields_info, context = self.dashboard(ACTION)
        rows, measures = self.pivot_spec(archs["pivot"], context)
        self.assertEqual(rows, ["outbound_rule_id"])
        self.assertEqual(
            measures, ["__count", "success_rate", "duration_ms", "attempt_count"]
        )
        by_rule = self.aggregate(action, fields_info, self.domain, measures, rows)
        self.assertEqual(
            by_rule,
            {
                # 3 Done of 4 finished (the pending one left out): 75 %.
                (self.rule_a.id,): {
                    "__count": 5,
                    "success_rate": 75.0,
                    "duration_ms": 40.0,
                    "attempt_count": 9,
                },
                (self.rule_b.id,): {
                    "__count": 1,
                    "success_rate": 0.0,
                    "duration_ms": 60.0,
                    "attempt_count": 5,
                },
            },
        )
        total = self.aggregate(action, fields_info, self.domain, measures, [])
        self.assertEqual(total[()]["__count"], 6)  # the API call left out
        self.assertEqual(total[()]["success_rate"], 60.0)  # 3 of 5 finished

    def test_graph_volume_by_day_and_state(self):
        expected = [("done", 3), ("failed", 2), ("pending", 1)]
        self.graph_by_day_and_state(ACTION, expected)

    def test_groupby_endpoint_and_rule(self):
        """The search view's delivery group-bys (rule, endpoint) run with the
        dashboard's measures."""
        action, archs, fields_info, context = self.dashboard(ACTION)
        __, measures = self.pivot_spec(archs["pivot"], context)
        groupbys = self.search_groupbys(archs["search"])
        self.assertEqual(groupbys["group_rule"], "outbound_rule_id")
        by_url = self.aggregate(
            action, fields_info, self.domain, measures, [groupbys["group_target_url"]]
        )
        self.assertEqual(
            {url: v["success_rate"] for (url,), v in by_url.items()},
            {self.receiver.url: 75.0, self.receiver.url + "/b": 0.0},
        )

    def test_action_and_menu(self):
        action, __, __, __ = self.dashboard(ACTION)
        self.assertEqual(action.domain, "[('log_type', '=', 'send')]")
        self.assertEqual(
            [mode for __, mode in action.views], ["graph", "pivot", "list", "form"]
        )
        menu = self.env.ref("webhook_fastapi_outbound.menu_webhook_delivery_dashboard")
        self.assertEqual(menu.action, action)
        # The API calls dashboard leaves the deliveries out.
        calls = self.env.ref("webhook_fastapi.action_webhook_log_dashboard")
        found = self.Log.search(safe_eval(calls.domain) + self.domain)
        self.assertEqual(found, self.call)
