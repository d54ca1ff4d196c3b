# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from ..tools import ApiError, parse_domain, parse_field_spec, parse_order
from ..tools.converter import PayloadConverter
from ..tools.redact import redact, redact_text
from ..tools.value_checks import convert_plain


@tagged("post_install", "-at_install")
class TestHelpers(TransactionCase):
    def test_field_spec(self):
        self.assertEqual(
            parse_field_spec(
                ["name", "order_line{product_id{name},qty}", "order_line{price}"]
            ),
            {
                "name": None,
                "order_line": {
                    "product_id": {"name": None},
                    "qty": None,
                    "price": None,
                },
            },
        )
        for bad in ["a{", "a{b", "a}", "{x}", "a{b}}", "a b", 5]:
            with self.subTest(bad=bad), self.assertRaises(ApiError):
                parse_field_spec([bad])

    def test_domain_is_never_evaluated(self):
        self.assertEqual(
            parse_domain(
                "[('a', '=', 1), '|', ('b', 'in', [1, 2]), ('c', '!=', False)]"
            ),
            [("a", "=", 1), "|", ("b", "in", [1, 2]), ("c", "!=", False)],
        )
        self.assertEqual(
            parse_domain([["name", "ilike", "x"]]), [("name", "ilike", "x")]
        )
        for bad in [
            "__import__('os').system('touch /tmp/pwned')",
            "[('a', '=', x)]",
            "{'a': 1}",
            "[('a', '=')]",
            "[" * 500 + "]" * 500,
            42,
            "[(1, '=', 1)]",
        ]:
            with self.subTest(bad=bad), self.assertRaises(ApiError):
                parse_domain(bad)

    def test_order(self):
        partner = self.env["res.partner"]
        self.assertEqual(
            parse_order("name asc,  id desc", partner), "name asc, id desc"
        )
        for bad in [
            "name; DROP TABLE res_partner",
            "(select 1)",
            "name asc desc",
            "display_name",
            "nope",
        ]:
            with self.subTest(bad=bad), self.assertRaises(ApiError):
                parse_order(bad, partner)

    def test_redact_text(self):
        text = (
            '{"payload": {"login": "x", "password": "hunter2", "api_key": "k1",}}'
            " token=abc&b=2"
        )
        masked = redact_text(text)
        for secret in ("hunter2", "k1", "abc"):
            self.assertNotIn(secret, masked)
        self.assertIn('"login": "x"', masked)

    def test_redact(self):
        original = {
            "password": "p",
            "nested": [{"api_key": "k", "Access-Token": "t", "ok": 1}],
            "client_secret": "s",
            "clean": [{"name": "x"}],
        }
        self.assertEqual(
            redact(original),
            {
                "password": "***",
                "nested": [{"api_key": "***", "Access-Token": "***", "ok": 1}],
                "client_secret": "***",
                "clean": [{"name": "x"}],
            },
        )
        # The caller's data is left as it was; parts without secrets are not
        # copied (a large answer is logged without being rebuilt).
        self.assertEqual(original["nested"][0]["api_key"], "k")
        self.assertIs(redact(original)["clean"], original["clean"])

    def test_company_filter_of_lookups(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["res.partner"].create({"name": "Foreign", "company_id": other.id})
        # sudo: record rules are out of the way, only our filter is tested.
        env = self.env(su=True, context={"allowed_company_ids": [self.env.company.id]})
        for free, found in (((), 0), (("res.partner",), 1)):
            converter = PayloadConverter(env, free)
            lookup = converter._lookup(
                env["res.partner"], {"name": "Foreign"}, None, "x", 0
            )
            converter.resolve()
            self.assertEqual(len(lookup.ids), found, free)

    def test_dates_and_datetimes(self):
        rate = self.env["res.currency.rate"]
        date_field, datetime_field = rate._fields["name"], rate._fields["create_date"]
        self.assertEqual(
            convert_plain(self.env, date_field, "2024-02-29", "p"), "2024-02-29"
        )
        self.assertEqual(
            convert_plain(self.env, datetime_field, "2024-01-01T10:00:00+07:00", "p"),
            "2024-01-01 03:00:00",
        )
        self.assertEqual(
            convert_plain(self.env, datetime_field, "2024-01-01 10:00:00", "p"),
            "2024-01-01 10:00:00",
        )
        for field, bad in (
            (date_field, "2024-02-30"),
            (date_field, 20240101),
            (datetime_field, "yesterday"),
        ):
            with (
                self.subTest(bad=bad),
                self.assertRaisesRegex(ApiError, "p: expected an ISO"),
            ):
                convert_plain(self.env, field, bad, "p")
