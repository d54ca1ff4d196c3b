# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestSearchData(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.Category.create({"name": "Searchable tag"})
        cls.company = cls._make_company(
            "Search Co",
            "S-CO",
            cls.tag,
            country_id=cls.env.ref("base.th").id,
            child_ids=[
                (0, 0, {"name": "S-Contact A", "email": "a@example.com"}),
                (0, 0, {"name": "S-Contact B"}),
            ],
        )

    def test_expansion_and_empty_values(self):
        result = self.assertApiOk(
            self.search_partners(
                search_field=[
                    "name",
                    "email",
                    "is_company",
                    "country_id{code}",
                    "category_id",
                    "child_ids{name,email,parent_id{ref}}",
                    "create_date",
                ],
                search_domain="[('ref', '=', 'S-CO')]",
            )
        )
        self.assertEqual(len(result), 1)
        row = result[0]
        self.assertEqual(row["id"], self.company.id)
        self.assertIsNone(row["email"])  # empty is null, not false
        self.assertRegex(row["create_date"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.assertIs(row["is_company"], True)
        self.assertEqual(row["country_id"], [{"code": "TH"}])
        self.assertEqual(row["category_id"], self.tag.ids)
        children = sorted(row["child_ids"], key=lambda c: c["name"])
        self.assertEqual(
            children[0],
            {
                "name": "S-Contact A",
                "email": "a@example.com",
                "parent_id": [{"ref": "S-CO"}],
            },
        )
        self.assertIsNone(children[1]["email"])

    def test_default_fields_limit_offset_order(self):
        result = self.assertApiOk(
            self.search_partners(
                search_domain=[["name", "=like", "S-Contact%"]], order="name desc"
            )
        )
        self.assertEqual(
            [r["display_name"] for r in result],
            ["Search Co, S-Contact B", "Search Co, S-Contact A"],
        )
        self.assertEqual(set(result[0]), {"id", "display_name"})
        result = self.assertApiOk(
            self.search_partners(
                search_domain=[["name", "=like", "S-Contact%"]],
                order="name asc",
                limit=1,
                offset=1,
            )
        )
        self.assertEqual(len(result), 1)

    def test_bad_inputs(self):
        cases = [
            ({"search_domain": "__import__('os').system('id')"}, 400, "literal"),
            ({"search_domain": "[('no_field', '=', 1)]"}, 400, "no_field"),
            ({"search_domain": "[('name', 'explode', 1)]"}, 400, "explode"),
            ({"order": "name; DROP TABLE res_partner"}, 400, "order"),
            ({"order": "nope asc"}, 400, "nope"),
            ({"search_field": ["name{x}"]}, 400, "cannot be expanded"),
            ({"search_field": ["nope"]}, 400, "nope"),
            ({"limit": 100000}, 400, "webhook.search_max_limit"),
            ({"search_domain": [["parent_id", "any", "x"]]}, 400, "search_domain"),
        ]
        for payload, status, fragment in cases:
            with self.subTest(payload=payload):
                self.assertApiError(self.search_partners(**payload), status, fragment)
        code, body = self.search_partners(limit=-1)
        self.assertEqual(code, 422, body)
        self.assertEqual(self.Partner.search_count([("name", "=", "Search Co")]), 1)

    def test_max_limit_parameter(self):
        self.env["ir.config_parameter"].set_param("webhook.search_max_limit", "2")
        self.assertEqual(
            len(self.assertApiOk(self.search_partners(search_domain=[]))), 2
        )
        self.assertApiError(self.search_partners(limit=3), 400, "maximum of 2")
