# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from ..tools.url_guard import UnsafeUrl, check_url


@tagged("post_install", "-at_install")
class TestUrlGuard(TransactionCase):
    def assertRefused(self, urls):
        """Refused without any DNS lookup (resolve=None)."""
        for url in urls:
            with self.subTest(url=url), self.assertRaises(UnsafeUrl):
                check_url(url, resolve=None)

    def assertAccepted(self, urls, allowed=()):
        """Accepted URLs come back unchanged."""
        for url in urls:
            with self.subTest(url=url, allowed=allowed):
                self.assertEqual(check_url(url, allowed, resolve=None), url)

    def test_url_guard(self):
        self.assertRefused(
            [
                # urlsplit and requests disagree on the host:
                "http://127.0.0.1:18303\\@93.184.216.34/",
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
        )
        self.assertAccepted(
            ["https://example.com/x?to=a@b.com", "http://93.184.216.34:8080/h"]
        )
        self.assertAccepted(["http://10.1.2.3/x"], ["10.0.0.0/8"])

    def test_url_guard_numeric_forms(self):
        # What getaddrinfo (so the sender) takes as an address without DNS,
        # and local names with the trailing dot of an absolute name: refused
        # on the request path already, with no DNS lookup.
        self.assertRefused(
            [
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
        )
        self.assertAccepted(
            [
                "https://example.com./x",
                "http://93.184.216.34/",
                "http://0x5db8d822:8080/h",  # 93.184.216.34 too
                "https://1password.com/",
                "https://123.example/",
                "https://cafe.example/",
            ]
        )
        self.assertAccepted(["http://127.1/"], ["127.0.0.0/8"])
        self.assertAccepted(["http://localhost./"], ["localhost"])
