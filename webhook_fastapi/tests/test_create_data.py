# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WebhookHttpCase, partner_params
from .param_helpers import store_unchecked_param


@tagged("post_install", "-at_install")
class TestCreateData(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.country = cls.env.ref("base.th")
        cls.tag_a = cls.Category.create({"name": "Tag A"})
        cls.tag_b = cls.Category.create({"name": "Tag B"})
        cls.parent = cls._make_company("Parent Co", "PARENT")

    def test_many2one_lookup_by_field_and_id(self):
        result = self.assertApiOk(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "Lookup",
                        "country_id": {"code": "TH"},
                        "parent_id": {"id": self.parent.id},
                    },
                    result_field=["name", "country_id{code}", "parent_id"],
                ),
            )
        )
        partner = self.Partner.browse(result["id"])
        self.assertEqual(partner.country_id, self.country)
        self.assertEqual(partner.parent_id, self.parent)
        self.assertEqual(result["country_id"], [{"code": "TH"}])
        self.assertEqual(result["parent_id"], self.parent.id)

    def test_many2one_no_match_and_several(self):
        before = self.Partner.search_count([])
        self.assertApiError(
            self.post(
                "create_data",
                partner_params({"name": "X", "parent_id": {"name": "Nobody here"}}),
            ),
            400,
            "payload.parent_id",
            "Nobody here",
        )
        self.Partner.create([{"name": "Twin"}, {"name": "Twin"}])
        self.assertApiError(
            self.post(
                "create_data",
                partner_params({"name": "X", "parent_id": {"name": "Twin"}}),
            ),
            400,
            "2 records",
            "Twin",
        )
        self.assertEqual(self.Partner.search_count([]), before + 2)

    def test_archived_records_do_not_match(self):
        self.Partner.create({"name": "Sleeping", "active": False})
        self.assertApiError(
            self.post(
                "create_data",
                partner_params({"name": "X", "parent_id": {"name": "Sleeping"}}),
            ),
            400,
            "no record",
        )

    def test_auto_create_nested(self):
        result = self.assertApiOk(
            self.post(
                "create_data",
                partner_params(
                    {"name": "Child", "parent_id": {"name": "Brand New Co"}},
                    auto_create={
                        "parent_id": {
                            "is_company": True,
                            "country_id": {"code": "TH"},
                            "category_id": {"records": [{"name": "Tag A"}]},
                        }
                    },
                ),
            )
        )
        parent = self.Partner.browse(result["id"]).parent_id
        self.assertEqual(parent.name, "Brand New Co")
        self.assertTrue(parent.is_company)
        self.assertEqual(parent.country_id, self.country)
        self.assertEqual(parent.category_id, self.tag_a)

    def test_auto_create_inside_line_and_for_many2many(self):
        result = self.assertApiOk(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "Company",
                        "category_id": {
                            "records": [{"name": "Tag A"}, {"name": "Fresh tag"}]
                        },
                        "child_ids": [
                            {
                                "name": "Line",
                                "title": {"name": "Doctor X"},
                                "auto_create": {"title": {"shortcut": "Dx."}},
                            }
                        ],
                    },
                    auto_create={"category_id": {"color": 3}},
                ),
            )
        )
        partner = self.Partner.browse(result["id"])
        self.assertEqual(
            sorted(partner.category_id.mapped("name")), ["Fresh tag", "Tag A"]
        )
        self.assertEqual(
            partner.category_id.filtered(lambda t: t.name == "Fresh tag").color, 3
        )
        self.assertEqual(partner.child_ids.title.shortcut, "Dx.")

    def test_many2many_modes(self):
        result = self.assertApiOk(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "Tags",
                        "category_id": {
                            "records": [{"name": "Tag A"}, {"id": self.tag_b.id}]
                        },
                    }
                ),
            )
        )
        partner = self.Partner.browse(result["id"])
        self.assertEqual(partner.category_id, self.tag_a | self.tag_b)
        self.assertApiError(
            self.post(
                "create_data",
                partner_params(
                    {"name": "Tags", "category_id": {"mode": "merge", "records": []}}
                ),
            ),
            400,
            "mode",
        )
        self.assertApiError(
            self.post(
                "create_data",
                partner_params({"name": "Tags", "category_id": [{"name": "Tag A"}]}),
            ),
            400,
            "records",
        )

    def test_one2many_nested_lines_with_lookups(self):
        result = self.assertApiOk(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "Holding",
                        "is_company": True,
                        "child_ids": [
                            {
                                "name": "Sub 1",
                                "country_id": {"code": "TH"},
                                "child_ids": [{"name": "Sub 1.1"}],
                            },
                            {
                                "name": "Sub 2",
                                "category_id": {"records": [{"name": "Tag B"}]},
                            },
                        ],
                    },
                    result_field=["child_ids{name,child_ids{name}}"],
                ),
            )
        )
        holding = self.Partner.browse(result["id"])
        self.assertEqual(sorted(holding.child_ids.mapped("name")), ["Sub 1", "Sub 2"])
        sub1 = holding.child_ids.filtered(lambda p: p.name == "Sub 1")
        self.assertEqual(sub1.country_id, self.country)
        self.assertEqual(sub1.child_ids.name, "Sub 1.1")
        names = {c["name"]: c["child_ids"] for c in result["child_ids"]}
        self.assertEqual(names["Sub 1"], [{"name": "Sub 1.1"}])

    def test_attachments_at_every_level(self):
        data = base64.b64encode(b"hello").decode()
        result = self.assertApiOk(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "With files",
                        "attachment_ids": [
                            {"name": "top.txt", "datas": data},
                            {"name": "link", "url": "https://example.com/x.pdf"},
                        ],
                        "child_ids": [
                            {"name": "no file"},
                            {
                                "name": "line file",
                                "attachment_ids": [{"name": "line.txt", "datas": data}],
                            },
                        ],
                    }
                ),
            )
        )
        partner = self.Partner.browse(result["id"])
        Attachment = self.env["ir.attachment"]
        top = Attachment.search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.assertEqual(sorted(top.mapped("name")), ["link", "top.txt"])
        self.assertEqual(top.filtered(lambda a: a.name == "top.txt").raw, b"hello")
        line = partner.child_ids.filtered(lambda p: p.name == "line file")
        self.assertEqual(
            Attachment.search(
                [("res_model", "=", "res.partner"), ("res_id", "=", line.id)]
            ).name,
            "line.txt",
        )
        bare = partner.child_ids - line
        self.assertFalse(
            Attachment.search(
                [("res_model", "=", "res.partner"), ("res_id", "=", bare.id)]
            )
        )

    def test_invalid_base64_and_url(self):
        before = self.Partner.search_count([])
        self.assertApiError(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "Bad file",
                        "attachment_ids": [{"name": "a", "datas": "@@not base64@@"}],
                    }
                ),
            ),
            400,
            "base64",
        )
        self.assertApiError(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "Bad url",
                        "attachment_ids": [{"name": "a", "url": "file:///etc/passwd"}],
                    }
                ),
            ),
            400,
            "http(s)",
        )
        self.assertEqual(self.Partner.search_count([]), before)

    def test_plain_values_are_checked(self):
        before = self.Partner.search_count([])
        cases = [
            ({"name": 5}, "name"),
            ({"name": "x", "is_company": "yes"}, "is_company"),
            ({"name": "x", "color": "red"}, "color"),
            ({"name": "x", "color": True}, "color"),
            ({"name": "x", "partner_latitude": "north"}, "partner_latitude"),
            ({"name": "x", "partner_latitude": 10**400}, "finite"),
            ({"name": "x", "partner_latitude": float("inf")}, "finite"),
            ({"name": "x", "type": "spaceship"}, "spaceship"),
            ({"name": "x", "no_such_field": 1}, "no_such_field"),
            ({"name": "x", "create_date": "2024-01-01 00:00:00"}, "create_date"),
        ]
        for payload, fragment in cases:
            with self.subTest(payload=payload):
                self.assertApiError(
                    self.post("create_data", partner_params(payload)), 400, fragment
                )
        self.assertEqual(self.Partner.search_count([]), before)
        ok = self.assertApiOk(
            self.post(
                "create_data",
                partner_params(
                    {
                        "name": "Typed",
                        "tz": "Asia/Bangkok",
                        "color": 4,
                        "partner_latitude": 13.75,
                        "type": "invoice",
                    }
                ),
            )
        )
        partner = self.Partner.browse(ok["id"])
        self.assertEqual(partner.tz, "Asia/Bangkok")
        self.assertEqual(partner.type, "invoice")

    @mute_logger("odoo.sql_db")
    def test_unknown_model_and_missing_required(self):
        self.assertApiError(
            self.post(
                "create_data", {"model": "no.such.model", "vals": {"payload": {}}}
            ),
            400,
            "no.such.model",
        )
        self.assertApiError(
            self.post(
                "create_data",
                {"model": "res.partner.category", "vals": {"payload": {"color": 1}}},
            ),
            400,
            "name",
        )

    def test_bad_result_field_writes_nothing(self):
        before = self.Partner.search_count([])
        self.assertApiError(
            self.post(
                "create_data", partner_params({"name": "x"}, result_field=["name{"])
            ),
            400,
            "field spec",
        )
        self.assertApiError(
            self.post(
                "create_data", partner_params({"name": "x"}, result_field=["nope"])
            ),
            400,
            "nope",
        )
        # Checked before writing: with partial work kept, nothing is left.
        self.env["ir.config_parameter"].set_param("webhook.rollback_state_failed", "0")
        self.assertApiError(
            self.post(
                "create_data", partner_params({"name": "typo"}, result_field=["nmae"])
            ),
            400,
            "nmae",
        )
        self.assertFalse(self.Partner.search([("name", "=", "typo")]))
        self.assertEqual(self.Partner.search_count([]), before)

    def test_nul_characters_are_bad_input(self):
        before = self.Partner.search_count([])
        for payload in ({"name": "a\x00b"}, {"na\x00me": "x"}):
            with self.subTest(payload=payload):
                self.assertApiError(
                    self.post("create_data", partner_params(payload)), 400, "NUL"
                )
        self.assertApiError(
            self.post(
                "create_data", {"model": "res.part\x00ner", "vals": {"payload": {}}}
            ),
            400,
            "params.model",
        )
        self.assertEqual(self.Partner.search_count([]), before)
        log = self.last_log()
        self.assertEqual((log.state, log.http_status), ("failed", 400))
        self.assertEqual(log.model_name, "res.part\\u0000ner")

    def test_malformed_company_parameter_falls_back(self):
        # "not json" is now a valid (comma-separated) list; this is not.
        store_unchecked_param(
            self.env, "webhook.ignore_checkcompany_model", "[not json"
        )
        with self.assertLogs("odoo.addons.webhook_fastapi.tools.params", "WARNING"):
            self.assertApiOk(
                self.post(
                    "create_data",
                    partner_params({"name": "y", "country_id": {"code": "TH"}}),
                )
            )
