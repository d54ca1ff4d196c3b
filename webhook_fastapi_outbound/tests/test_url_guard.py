# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from ..tools.url_guard import UnsafeUrl, check_url


@tagged("post_install", "-at_install")
class TestUrlGuard(TransactionCase):
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
