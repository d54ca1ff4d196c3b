# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The example requests of the original README, adapted to the models of a
small database (res.partner instead of sale.order / account.move)."""

import base64

from odoo.tests import tagged

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestSpecExamples(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.Category.create({"name": "Customer"})
        cls.existing = cls.Partner.create(
            {"name": "Customer A", "is_company": True, "ref": "CUST-A"}
        )

    def test_1_create_data(self):
        result = self.assertApiOk(
            self.post(
                "create_data",
                {
                    "model": "res.partner",
                    "vals": {
                        "payload": {
                            "name": "SO-like partner",
                            "parent_id": {"name": "New Company"},
                            "category_id": {
                                "mode": "replace",
                                "records": [{"name": "Customer"}],
                            },
                            "child_ids": [
                                {"name": "Contact 1", "title": {"name": "Doctor"}}
                            ],
                            "attachment_ids": [
                                {
                                    "name": "po.txt",
                                    "datas": base64.b64encode(b"PO").decode(),
                                }
                            ],
                        },
                        "auto_create": {
                            "parent_id": {"name": "New Company", "is_company": True}
                        },
                        "result_field": ["name"],
                    },
                },
            )
        )
        partner = self.Partner.browse(result["id"])
        self.assertEqual(result["name"], "SO-like partner")
        self.assertEqual(partner.parent_id.name, "New Company")
        self.assertEqual(partner.category_id, self.tag)
        self.assertEqual(partner.child_ids.title.name, "Doctor")

    def test_2_create_update_data(self):
        params = {
            "model": "res.partner",
            "vals": {
                "search_key": {"ref": "CUST-B"},
                "payload": {
                    "name": "Customer B",
                    "ref": "CUST-B",
                    "parent_id": {"name": "Customer A"},
                },
                "result_field": ["name"],
            },
        }
        created = self.assertApiOk(self.post("create_update_data", params))
        updated = self.assertApiOk(self.post("create_update_data", params))
        self.assertEqual(created["id"], updated["id"])
        self.assertEqual(self.Partner.browse(created["id"]).parent_id, self.existing)

    def test_3_update_data(self):
        result = self.assertApiOk(
            self.post(
                "update_data",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"ref": "CUST-A"},
                        "payload": {
                            "comment": "updated",
                            # name is inherited from the user's partner
                            "user_id": {"name": "Webhook Tester"},
                            "category_id": {
                                "mode": "add",
                                "records": [{"name": "Customer"}],
                            },
                        },
                        "result_field": ["comment"],
                    },
                },
            )
        )
        self.assertEqual(result["id"], self.existing.id)
        self.assertEqual(self.existing.user_id, self.api_user)
        self.assertEqual(self.existing.category_id, self.tag)

    def test_4_search_data(self):
        self.Partner.create({"name": "Contact of A", "parent_id": self.existing.id})
        result = self.assertApiOk(
            self.post(
                "search_data",
                {
                    "model": "res.partner",
                    "vals": {
                        "payload": {
                            "search_field": [
                                "name",
                                "parent_id{name,ref}",
                                "child_ids{name}",
                            ],
                            "search_domain": "[('ref', '=', 'CUST-A')]",
                            "limit": 10,
                            "order": "name asc, id desc",
                        }
                    },
                },
            )
        )
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
        self.assertApiOk(
            self.post(
                "call_function",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"id": self.existing.id},
                        "payload": {
                            "method": "action_archive",
                            "context": {"lang": "en_US"},
                        },
                    },
                },
            )
        )
        self.assertFalse(self.existing.active)
