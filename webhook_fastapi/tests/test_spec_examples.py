# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The example requests of the original README, adapted to the models of a
small database (res.partner instead of sale.order / account.move)."""

import base64

from odoo.tests import tagged

from .common import WebhookHttpCase, partner_params


@tagged("post_install", "-at_install")
class TestSpecExamples(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.Category.create({"name": "Customer"})
        cls.existing = cls._make_company("Customer A", "CUST-A")

    def test_1_create_data(self):
        payload = {
            "name": "SO-like partner",
            "parent_id": {"name": "New Company"},
            "category_id": {"mode": "replace", "records": [{"name": "Customer"}]},
            "child_ids": [{"name": "Contact 1", "title": {"name": "Doctor"}}],
            "attachment_ids": [
                {"name": "po.txt", "datas": base64.b64encode(b"PO").decode()}
            ],
        }
        result = self.api_ok(
            "create_data",
            partner_params(
                payload,
                auto_create={"parent_id": {"name": "New Company", "is_company": True}},
                result_field=["name"],
            ),
        )
        partner = self.Partner.browse(result["id"])
        self.assertEqual(result["name"], "SO-like partner")
        self.assertEqual(partner.parent_id.name, "New Company")
        self.assertEqual(partner.category_id, self.tag)
        self.assertEqual(partner.child_ids.title.name, "Doctor")

    def test_2_create_update_data(self):
        params = partner_params(
            {
                "name": "Customer B",
                "ref": "CUST-B",
                "parent_id": {"name": "Customer A"},
            },
            search_key={"ref": "CUST-B"},
            result_field=["name"],
        )
        created = self.api_ok("create_update_data", params)
        updated = self.api_ok("create_update_data", params)
        self.assertEqual(created["id"], updated["id"])
        self.assertEqual(self.Partner.browse(created["id"]).parent_id, self.existing)

    def test_3_update_data(self):
        payload = {
            "comment": "updated",
            # name is inherited from the user's partner
            "user_id": {"name": "Webhook Tester"},
            "category_id": {"mode": "add", "records": [{"name": "Customer"}]},
        }
        result = self.api_ok(
            "update_data",
            partner_params(
                payload, search_key={"ref": "CUST-A"}, result_field=["comment"]
            ),
        )
        self.assertEqual(result["id"], self.existing.id)
        self.assertEqual(self.existing.user_id, self.api_user)
        self.assertEqual(self.existing.category_id, self.tag)

    def test_4_search_data(self):
        self.Partner.create({"name": "Contact of A", "parent_id": self.existing.id})
        payload = {
            "search_field": ["name", "parent_id{name,ref}", "child_ids{name}"],
            "search_domain": "[('ref', '=', 'CUST-A')]",
            "limit": 10,
            "order": "name asc, id desc",
        }
        result = self.api_ok("search_data", partner_params(payload))
        self.assertEqual(
            result,
            [
                {
                    "id": self.existing.id,
                    "name": "Customer A",
                    "parent_id": None,
                    "child_ids": [{"name": "Contact of A"}],
                }
            ],
        )

    def test_5_call_function(self):
        payload = {"method": "action_archive", "context": {"lang": "en_US"}}
        self.api_ok(
            "call_function",
            partner_params(payload, search_key={"id": self.existing.id}),
        )
        self.assertFalse(self.existing.active)
