# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The API calls dashboard: its graph and pivot views, run as the web client
runs them, give the right numbers on known calls (3 Done and 1 Failed: a
success rate of 75 %)."""

from odoo.tests import TransactionCase, tagged

from .dashboard_helpers import DashboardMixin

ACTION = "webhook_fastapi.action_webhook_log_dashboard"


@tagged("post_install", "-at_install")
class TestDashboard(DashboardMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Log = cls.env["webhook.log"]
        calls = [
            ("/api/search_data", "done", 10.0),
            ("/api/search_data", "done", 20.0),
            ("/api/search_data", "done", 30.0),
            ("/api/create_data", "failed", 100.0),
        ]
        cls.logs = Log.create(
            [
                {
                    "route": route,
                    "model_name": "res.partner",
                    "state": state,
                    "duration_ms": duration,
                    "user_id": cls.env.user.id,
                }
                for route, state, duration in calls
            ]
        )
        cls.domain = [("id", "in", cls.logs.ids)]

    def test_pivot_success_rate_and_duration(self):
        action, archs, fields_info, context = self.dashboard(ACTION)
        rows, measures = self.pivot_spec(archs["pivot"], context)
        self.assertEqual(rows, ["route"])
        self.assertEqual(measures, ["__count", "success_rate", "duration_ms"])
        total = self.aggregate(action, fields_info, self.domain, measures, [])
        self.assertEqual(
            total[()], {"__count": 4, "success_rate": 75.0, "duration_ms": 40.0}
        )
        by_route = self.aggregate(action, fields_info, self.domain, measures, rows)
        self.assertEqual(
            by_route,
            {
                ("/api/search_data",): {
                    "__count": 3,
                    "success_rate": 100.0,
                    "duration_ms": 20.0,
                },
                ("/api/create_data",): {
                    "__count": 1,
                    "success_rate": 0.0,
                    "duration_ms": 100.0,
                },
            },
        )

    def test_graph_volume_by_day_and_state(self):
        groups = self.graph_by_day_and_state(ACTION, [("done", 3), ("failed", 1)])
        # One day: the four calls were made now.
        self.assertEqual(len({day for day, __ in groups}), 1)

    def test_search_groupbys_run(self):
        """Every group-by of the search view (route, user, model, hour...)
        runs with the dashboard's measures, and splits the calls as it should."""
        action, archs, fields_info, context = self.dashboard(ACTION)
        __, measures = self.pivot_spec(archs["pivot"], context)
        groupbys = self.search_groupbys(archs["search"])
        for name in ("group_route", "group_user", "group_model", "group_hour"):
            self.assertIn(name, groupbys)
        for name, groupby in groupbys.items():
            with self.subTest(filter=name):
                groups = self.aggregate(
                    action, fields_info, self.domain, measures, [groupby]
                )
                self.assertEqual(sum(g["__count"] for g in groups.values()), 4)
        by_user = self.aggregate(
            action, fields_info, self.domain, measures, [groupbys["group_user"]]
        )
        self.assertEqual(by_user[(self.env.user.id,)]["success_rate"], 75.0)

    def test_action_and_menu(self):
        """The dashboard opens on the graph, over received calls of the last
        7 days, from Settings > Technical > API Configuration."""
        action, archs, __, context = self.dashboard(ACTION)
        self.assertEqual(action.view_mode.split(",")[:2], ["graph", "pivot"])
        self.assertEqual(action.domain, "[('log_type', '=', 'receive')]")
        self.assertEqual(context.get("search_default_filter_last_7d"), 1)
        filters = {node.get("name") for node in archs["search"].iter("filter")}
        self.assertLessEqual(
            {"filter_last_7d", "filter_today", "filter_failed"}, filters
        )
        menu = self.env.ref("webhook_fastapi.menu_webhook_log_dashboard")
        self.assertEqual(menu.action, action)
        self.assertEqual(
            menu.parent_id, self.env.ref("webhook_fastapi.menu_api_configuration")
        )
        log_action = self.env.ref("webhook_fastapi.action_webhook_log")
        self.assertEqual(log_action.view_mode, "list,form,graph,pivot")

    def test_success_rate_on_records(self):
        """On a record (a form, a list), 100 for Done and 0 for Failed."""
        self.assertEqual(self.logs.mapped("success_rate"), [100.0, 100.0, 100.0, 0.0])
