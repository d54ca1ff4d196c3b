# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The sender connects to the address it checked (no DNS rebinding), keeping
the URL's host for the Host header and TLS (SNI, certificate check)."""

import os
import shutil
import socket
import ssl
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from odoo.tests import common, tagged

from ..tools import pinned_http
from ..tools.pinned_http import PinnedAdapter, PinnedHTTPSConnection, post_pinned
from .common import OutboundCase

HOST = "receiver.test"  # .test never resolves: only the fake DNS knows it


class FakeDns:
    """socket.getaddrinfo that answers ``HOST`` with ``answers[n]`` at the
    n-th lookup (the last one from then on), like a rebinding DNS server;
    other hosts (IP literals) go to the real getaddrinfo."""

    def __init__(self, *answers):
        self.answers = [list(a) for a in answers]
        self.lookups = 0
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host.rstrip(".").lower() != HOST:
            return self.real(host, port, *args, **kwargs)
        ips = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [info for ip in ips for info in self.real(ip, port, *args, **kwargs)]

    def patch(self):
        return patch("socket.getaddrinfo", self)


class Server:
    """Records each POST (headers, and the TLS server name asked for)."""

    def __init__(self, address, port=0, tls=None):
        self.requests = []
        self.server_names = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append(
                    {k.lower(): v for k, v in self.headers.items()}
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((address, port), Handler)
        self.httpd.daemon_threads = True
        if tls:
            tls.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed(directory, name):
    """cert.pem and key.pem for ``name`` (its own CA), in ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(ski, False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = (os.path.join(directory, f) for f in ("cert.pem", "key.pem"))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_path, key_path


@tagged("post_install", "-at_install")
class TestDnsPinning(OutboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Allowed as an address range, not by name: the check must resolve.
        cls.env["ir.config_parameter"].sudo().set_param(
            "webhook.outbound_allowed_hosts", '["127.0.0.1/32"]'
        )
        cls.port = cls.receiver.server.server_address[1]
        # Where a second lookup would send the POST: same port, and an
        # address the check refuses (not in 127.0.0.1/32).
        cls.decoy = Server("127.0.0.2", cls.port)
        cls.addClassCleanup(cls.decoy.stop)

    @classmethod
    def _request_handler(cls, s, r, **kw):
        # Odoo's tests refuse requests to hosts but 127.0.0.1; this one is
        # local too, by the fake DNS. The request itself is not mocked.
        if urlsplit(r.url).hostname == HOST:
            return common._super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.decoy.requests.clear()

    def deliver(self, dns):
        rule = self.make_rule(endpoint_url=f"http://{HOST}:{self.port}/hook")
        self.partner = self.Partner.create({"name": "Buyer"})
        self.partner.write({"type": "invoice"})
        self.commit_hooks()
        delivery = self.deliveries(rule)
        self.assertEqual(len(delivery), 1)
        with dns.patch():
            self.send()
        return delivery

    def test_post_goes_to_the_checked_address(self):
        dns = FakeDns(["127.0.0.1"], ["127.0.0.2"])
        delivery = self.deliver(dns)
        self.assertEqual(delivery.state, "done", delivery.error_message)
        self.assertEqual(self.decoy.requests, [], "sent where a 2nd lookup said")
        self.assertEqual(dns.lookups, 1, "the host is resolved once, by the check")
        self.assertEqual(len(self.receiver.requests), 1)
        headers = self.receiver.requests[0]["headers"]
        self.assertEqual(headers["host"], f"{HOST}:{self.port}")
        self.assertEqual(headers["authorization"], "Bearer s3cr3t-token")

    def test_next_checked_address_when_the_first_is_down(self):
        # Like urllib3 with a name's addresses: in order, only checked ones.
        self.env["ir.config_parameter"].sudo().set_param(
            "webhook.outbound_allowed_hosts", '["127.0.0.0/29"]'
        )
        delivery = self.deliver(FakeDns(["127.0.0.3", "127.0.0.1"], ["127.0.0.2"]))
        self.assertEqual(delivery.state, "done", delivery.error_message)
        self.assertEqual(self.decoy.requests, [], "sent where a 2nd lookup said")
        self.assertEqual(len(self.receiver.requests), 1)

    def test_refused_first_answer_sends_nothing(self):
        delivery = self.deliver(FakeDns(["127.0.0.2"], ["127.0.0.1"]))
        self.assertEqual(delivery.state, "failed")
        self.assertIn("127.0.0.2, a loopback address", delivery.error_message)
        self.assertEqual(self.receiver.requests, [])
        self.assertEqual(self.decoy.requests, [])

    def test_tls_keeps_the_host_name(self):
        """Connected to 127.0.0.1, the TLS client still asks for and checks
        the URL's host: the certificate is for receiver.test only."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        cert, key = self_signed(directory, HOST)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        server = Server("127.0.0.1", tls=tls)
        self.addCleanup(server.stop)
        url = f"https://{HOST}:{server.port}/hook"
        with FakeDns(["127.0.0.2"]).patch():
            response = post_pinned(
                url, ["127.0.0.1"], data=b"{}", verify=cert, timeout=10
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(server.server_names, [HOST])
        self.assertEqual(server.requests[0]["host"], f"{HOST}:{server.port}")
        # The connection urllib3 would open: its host (SNI, certificate
        # check, Host header) is the URL's, its socket goes to the pin.
        pool = PinnedAdapter(HOST, ["127.0.0.1"]).poolmanager.connection_from_url(url)
        conn = pool._new_conn()
        self.assertIsInstance(conn, PinnedHTTPSConnection)
        self.assertEqual((conn.host, conn.port), (HOST, server.port))
        self.assertEqual(conn.pinned_addresses, ("127.0.0.1",))
        self.assertIsNone(conn.server_hostname)  # so SNI is conn.host
        self.assertIsNone(conn.assert_hostname)  # so is the certificate check

    def test_no_proxy(self):
        """A proxy would resolve the host again: not used, not allowed."""
        pinned_http._warn_proxy_ignored.cache_clear()
        proxy = "http://127.0.0.2:9"  # nothing listens there
        env = {"http_proxy": proxy, "HTTP_PROXY": proxy, "no_proxy": "", "NO_PROXY": ""}
        with (
            patch.dict(os.environ, env),
            FakeDns(["127.0.0.2"]).patch(),
            self.assertLogs(pinned_http.__name__, "WARNING"),
        ):
            response = post_pinned(self.receiver.url, ["127.0.0.1"], data=b"{}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self.receiver.requests), 1)
        with self.assertRaises(ValueError):
            post_pinned(self.receiver.url, ["127.0.0.1"], proxies={})
