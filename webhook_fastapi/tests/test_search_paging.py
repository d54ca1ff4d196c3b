# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 16 item 3: complete syncs: count, has_more, cursor paging."""

from odoo.tests import tagged

from .common import WebhookHttpCase, partner_params

DOMAIN = [["ref", "=like", "PG-%"]]


@tagged("post_install", "-at_install")
class TestSearchPaging(WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Equal names (the id decides) and empty emails (NULLs sort last).
        cls.partners = cls.Partner.create(
            [
                {"name": name, "ref": f"PG-{n}", "email": email}
                for n, (name, email) in enumerate(
                    [
                        ("Bravo", "b@x.com"),
                        ("Alpha", None),
                        ("Bravo", None),
                        ("Charlie", "a@x.com"),
                        ("Alpha", "c@x.com"),
                        ("Delta", None),
                        ("Bravo", "b@x.com"),
                    ]
                )
            ]
        )

    def page(self, **payload):
        payload.setdefault("search_domain", DOMAIN)
        return self.post("search_data", partner_params(payload))

    def walk(self, order, limit=2):
        ids, cursor = [], None
        for _n in range(10):
            status, body = self.page(order=order, limit=limit, cursor=cursor)
            self.assertEqual(status, 200, body)
            ids += [row["id"] for row in body["result"]["result"]]
            cursor = body["result"]["next_cursor"]
            self.assertEqual(body["result"]["has_more"], bool(cursor))
            if not cursor:
                return ids
        self.fail("cursor paging does not end")

    def test_cursor_pages_follow_the_order(self):
        for order in ("name desc", "email asc, name", "email desc", None, "id"):
            full = self.Partner.search(
                [("ref", "=like", "PG-%")],
                order=f"{order}, id" if order and order != "id" else order,
            )
            ids = self.walk(order)
            self.assertEqual(sorted(ids), sorted(self.partners.ids), order)
            self.assertEqual(len(set(ids)), len(ids), order)
            if order:
                self.assertEqual(ids, full.ids, order)

    def test_stable_while_records_are_added_and_deleted(self):
        status, body = self.page(order="name, id", limit=3)
        first = [row["id"] for row in body["result"]["result"]]
        cursor = body["result"]["next_cursor"]
        # One record of page 1 goes, one is inserted before the cursor.
        self.Partner.browse(first[0]).unlink()
        self.Partner.create({"name": "Aaron", "ref": "PG-new"})
        status, body = self.page(order="name, id", limit=10, cursor=cursor)
        rest = [row["id"] for row in body["result"]["result"]]
        expected = self.Partner.search(
            [("ref", "=like", "PG-%"), ("id", "not in", first)], order="name, id"
        ).filtered(lambda p: p.name != "Aaron")
        self.assertEqual(rest, expected.ids)
        self.assertFalse(body["result"]["has_more"])

    def test_count_and_has_more_with_offset(self):
        status, body = self.page(count=True, limit=5, offset=4, order="name")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["result"]["count"], 7)
        self.assertEqual(len(body["result"]["result"]), 3)
        self.assertFalse(body["result"]["has_more"])
        status, body = self.page(limit=5)
        self.assertTrue(body["result"]["has_more"])
        self.assertNotIn("count", body["result"])

    def test_refusals(self):
        status, body = self.page(order="name", limit=2)
        cursor = body["result"]["next_cursor"]
        self.assertApiError(
            self.page(order="name", cursor=cursor, offset=2), 400, "offset"
        )
        self.assertApiError(
            self.page(order="name desc", cursor=cursor), 400, "another search"
        )
        self.assertApiError(
            self.page(order="name", cursor=cursor, search_domain=[]),
            400,
            "another search",
        )
        data, _dot, signature = cursor.partition(".")
        for bad in (data + "." + signature[::-1], "x" * 5000, "%%%", data):
            self.assertApiError(self.page(order="name", cursor=bad), 400, "cursor")
        # An order on a relation: offset paging only, cursor refused by name.
        status, body = self.page(order="country_id", limit=2)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["result"]["has_more"])
        self.assertIsNone(body["result"]["next_cursor"])
        self.assertApiError(
            self.page(order="country_id", cursor=cursor), 400, "'country_id'"
        )
