# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import WebhookHttpCase, partner_params


@tagged("post_install", "-at_install")
class TestUpdateAndUpsert(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag_a = cls.Category.create({"name": "Tag A"})
        cls.tag_b = cls.Category.create({"name": "Tag B"})
        cls.company = cls._make_company(
            "Acme", "EXT-1", cls.tag_a, child_ids=[(0, 0, {"name": "Old contact"})]
        )

    def update(self, search_key, payload, **vals):
        return self.post(
            "update_data", partner_params(payload, search_key=search_key, **vals)
        )

    def test_update_by_search_key(self):
        result = self.assertApiOk(
            self.update({"ref": "EXT-1"}, {"phone": "123"}, result_field=["phone"])
        )
        self.assertEqual(result, {"id": self.company.id, "phone": "123"})
        self.assertEqual(self.company.phone, "123")
        self.assertEqual(
            (self.last_log().res_model, self.last_log().res_id),
            ("res.partner", self.company.id),
        )

    def test_update_not_found_and_ambiguous(self):
        self.assertApiError(self.update({"ref": "NOPE"}, {"phone": "1"}), 404, "NOPE")
        self.Partner.create(
            [{"name": "d1", "ref": "DUP"}, {"name": "d2", "ref": "DUP"}]
        )
        self.assertApiError(
            self.update({"ref": "DUP"}, {"phone": "1"}), 409, "2 records"
        )
        # An empty search_key does not fit the schema: refused before anything.
        self.assertApiError(self.update({}, {"phone": "1"}), 422, "search_key")
        self.assertApiError(self.update({"nope": 1}, {"phone": "1"}), 400, "nope")

    def test_many2many_add_and_replace(self):
        self.assertApiOk(
            self.update(
                {"ref": "EXT-1"},
                {"category_id": {"mode": "add", "records": [{"name": "Tag B"}]}},
            )
        )
        self.assertEqual(self.company.category_id, self.tag_a | self.tag_b)
        self.assertApiOk(
            self.update(
                {"ref": "EXT-1"}, {"category_id": {"records": [{"name": "Tag B"}]}}
            )
        )
        self.assertEqual(self.company.category_id, self.tag_b)

    def test_one2many_replace_by_default_add_on_request(self):
        old = self.company.child_ids
        self.assertApiOk(
            self.update(
                {"ref": "EXT-1"},
                {"child_ids": {"mode": "add", "records": [{"name": "Added"}]}},
            )
        )
        self.assertEqual(
            sorted(self.company.child_ids.mapped("name")), ["Added", "Old contact"]
        )
        self.assertIn(old, self.company.child_ids)
        self.assertApiOk(
            self.update({"ref": "EXT-1"}, {"child_ids": [{"name": "Only one"}]})
        )
        self.assertEqual(self.company.child_ids.mapped("name"), ["Only one"])

    def test_upsert_needs_write_access_even_without_values(self):
        # Else a caller could add values (an extension's) to any record it
        # can read.
        self._api_user_writes_own_partners_only()
        params = {
            "model": "res.partner",
            "vals": {
                "search_key": {"ref": "EXT-1"},
                "payload": {},
            },
        }
        self.assertApiError(self.post("create_update_data", params), 403)

    def test_upsert_creates_then_updates(self):
        params = {
            "model": "res.partner",
            "vals": {
                "search_key": {"ref": "UP-1"},
                "payload": {"name": "Upserted", "ref": "UP-1"},
                "result_field": ["name"],
            },
        }
        first = self.assertApiOk(self.post("create_update_data", params))
        self.assertIn("Created", self.last_log().response_preview)
        params["vals"]["payload"]["name"] = "Upserted again"
        second = self.assertApiOk(self.post("create_update_data", params))
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(
            self.Partner.search([("ref", "=", "UP-1")]).mapped("name"),
            ["Upserted again"],
        )
        self.Partner.create({"name": "dup", "ref": "UP-1"})
        self.assertApiError(self.post("create_update_data", params), 409)
