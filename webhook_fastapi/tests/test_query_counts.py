# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from odoo.tests import tagged

from .common import WebhookServiceCase, partner_params


@tagged("post_install", "-at_install")
class TestQueryCounts(WebhookServiceCase):
    """Lookups and reads are batched: the query count of a call does not
    grow with the number of items, lines or records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Large payloads would add a full-log attachment: not what is measured.
        cls.env["ir.config_parameter"].set_param("webhook.preview_limit", "10000000")

    def count(self, route, params):
        return self.count_queries(route, params)[0]

    def test_many2many_lookups(self):
        self.Category.create([{"name": f"QC tag {i}"} for i in range(100)])

        def params(n):
            records = [{"name": f"QC tag {i}"} for i in range(n)]
            return partner_params({"name": "QC", "category_id": {"records": records}})

        self.count("create_data", params(10))  # warm caches
        self.count("create_data", params(100))
        # At most one query apart: which users Odoo happens to prefetch
        # together may differ; a lookup per item would show 90 more.
        self.assertLessEqual(
            self.count("create_data", params(100))
            - self.count("create_data", params(10)),
            1,
        )

    def test_one2many_lines_with_lookups(self):
        countries = self.env["res.country"].search([], limit=50)

        def params(n):
            lines = [
                {"name": f"line {i}", "country_id": {"name": countries[i].name}}
                for i in range(n)
            ]
            return partner_params({"name": "QC o2m", "child_ids": lines})

        def native(n):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.Partner.with_user(self.api_user).create(
                {
                    "name": "native",
                    "child_ids": [
                        (0, 0, {"name": f"l{i}", "country_id": countries[i].id})
                        for i in range(n)
                    ],
                }
            )
            self.env.flush_all()
            return self.cr.sql_log_count - before

        self.count("create_data", params(5))
        self.count("create_data", params(50))
        native(5)
        native(50)
        overhead_5 = self.count("create_data", params(5)) - native(5)
        overhead_50 = self.count("create_data", params(50)) - native(50)
        self.assertLessEqual(overhead_50, overhead_5)

    def test_search_with_expansions(self):
        tag = self.Category.create({"name": "QC search"})
        parent = self.Partner.create({"name": "QC parent"})
        self.Partner.create(
            [
                {
                    "name": f"QC row {i}",
                    "parent_id": parent.id,
                    "category_id": [(6, 0, tag.ids)],
                }
                for i in range(200)
            ]
        )

        def params(limit):
            return partner_params(
                {
                    "search_field": [
                        "name",
                        "parent_id{name,email}",
                        "category_id{name,color}",
                    ],
                    "search_domain": [["name", "=like", "QC row %"]],
                    "limit": limit,
                }
            )

        self.count("search_data", params(20))
        self.count("search_data", params(200))
        # At most one apart (Odoo's own cache and prefetch effects, seen
        # once in a while); a read per record or per row would add 180.
        self.assertLessEqual(
            self.count("search_data", params(200))
            - self.count("search_data", params(20)),
            1,
        )
