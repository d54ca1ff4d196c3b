# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from ..tools import ApiError, parse_domain, parse_field_spec, parse_order
from ..tools.converter import PayloadConverter, convert_plain
from ..tools.redact import redact, redact_text
from ..tools.url_guard import UnsafeUrl, check_url


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

    def test_url_guard(self):
        refused = [
            "http://127.0.0.1:18303\\@93.184.216.34/",  # urlsplit and requests disagree
            "http://user:pw@93.184.216.34/",
            "http://93.184.216.34@127.0.0.1/",
            "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
            "http://[2002:7f00:1::1]/",  # 6to4 of 127.0.0.1
            "http://[::ffff:10.0.0.1]/",
            "http://10.1.2.3/x",
            "http://localhost/x",
            "ftp://example.com/x",
            "http://exa mple.com/x",
        ]
        for url in refused:
            with self.subTest(url=url), self.assertRaises(UnsafeUrl):
                check_url(url, resolve=None)
        for url in ("https://example.com/x?to=a@b.com", "http://93.184.216.34:8080/h"):
            self.assertEqual(check_url(url, resolve=None), url)
        self.assertEqual(
            check_url("http://10.1.2.3/x", ["10.0.0.0/8"], resolve=None),
            "http://10.1.2.3/x",
        )

    def test_url_guard_numeric_forms(self):
        # What getaddrinfo (so the sender) takes as an address without DNS,
        # and local names with the trailing dot of an absolute name: refused
        # on the request path already, with no DNS lookup.
        refused = [
            "http://0x7f000001/",  # hex
            "http://2130706433/",  # one decimal integer
            "http://0177.0.0.1/",  # octal
            "http://127.1/",  # shorthand
            "http://0/",  # 0.0.0.0
            "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data",  # cloud metadata
            "http://localhost./",
            "http://foo.localhost./",
            "http://127.0.0.1./",
        ]
        for url in refused:
            with self.subTest(url=url), self.assertRaises(UnsafeUrl):
                check_url(url, resolve=None)
        for url in (
            "https://example.com./x",
            "http://93.184.216.34/",
            "http://0x5db8d822:8080/h",  # 93.184.216.34 too
            "https://1password.com/",
            "https://123.example/",
            "https://cafe.example/",
        ):
            with self.subTest(url=url):
                self.assertEqual(check_url(url, resolve=None), url)
        self.assertEqual(
            check_url("http://127.1/", ["127.0.0.0/8"], resolve=None), "http://127.1/"
        )
        self.assertEqual(
            check_url("http://localhost./", ["localhost"], resolve=None),
            "http://localhost./",
        )
