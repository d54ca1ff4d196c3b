# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""POST to the addresses the SSRF check approved, not to a fresh DNS answer.

The sender resolves the target's host and checks every address; left to
itself ``requests`` would resolve the host again when it connects, and a DNS
server that answers a public address first and an internal one next (DNS
rebinding) would get the POST past the check. Here the socket is opened to
the checked addresses only; everything else still comes from the URL's host:
the Host header, the TLS server name (SNI) and the certificate's host name
check (urllib3 reads them from ``connection.host``, which is left alone).

Proxies: a proxy resolves the host itself, which would undo the pin (and the
check), so pinned requests never use one: proxies from the environment
(HTTP(S)_PROXY) are ignored, with a warning, once per process, when one would
have applied; passing ``proxies=`` is an error.
"""

import functools
import logging
import socket

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.poolmanager import PoolManager
from urllib3.util import connection as urllib3_connection

_logger = logging.getLogger(__name__)


def _host_key(host):
    # urllib3 keeps IPv6 brackets and lower-cases; a trailing dot only makes
    # a name absolute.
    return (host or "").strip("[]").rstrip(".").lower()


class _PinnedMixin:
    """Opens its socket to one of ``pinned_addresses``; ``host`` stays the
    URL's host (Host header, SNI, certificate check)."""

    def __init__(self, *args, pinned_addresses=(), **kwargs):
        self.pinned_addresses = tuple(pinned_addresses)
        super().__init__(*args, **kwargs)

    def _new_conn(self):
        # What urllib3's _new_conn does, but each address is an IP literal:
        # getaddrinfo turns it into a socket address without DNS. Tried in
        # the resolver's order, as urllib3 tries a name's addresses.
        extra = {"socket_options": self.socket_options}
        if self.source_address:
            extra["source_address"] = self.source_address
        error = OSError("no address to connect to")
        for address in self.pinned_addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port), self.timeout, **extra
                )
            except OSError as exc:
                error = exc
        if isinstance(error, socket.timeout):
            raise ConnectTimeoutError(
                self,
                f"Connection to {self.host} ({', '.join(self.pinned_addresses)}) "
                f"timed out. (connect timeout={self.timeout})",
            )
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")


class PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


class _PinnedPoolManager(PoolManager):
    def __init__(self, host, addresses, **kwargs):
        super().__init__(**kwargs)
        self.pinned_host = _host_key(host)
        self.pinned_addresses = tuple(addresses)

    def _new_pool(self, scheme, host, port, request_context=None):
        # The pin holds for its host only (redirects are not followed).
        if _host_key(host) != self.pinned_host:
            raise ValueError(f"{host!r} is not the pinned host {self.pinned_host!r}")
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.ConnectionCls = (
            PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
        )
        pool.conn_kw = dict(pool.conn_kw, pinned_addresses=self.pinned_addresses)
        return pool


class PinnedAdapter(HTTPAdapter):
    """A transport adapter connecting to ``addresses`` (IP strings, checked
    beforehand) for requests to ``host``, never through a proxy."""

    def __init__(self, host, addresses, **kwargs):
        if not addresses:
            raise ValueError("PinnedAdapter needs at least one address")
        self.pinned_host = host
        self.pinned_addresses = tuple(str(a) for a in addresses)
        super().__init__(**kwargs)  # calls init_poolmanager

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _PinnedPoolManager(
            self.pinned_host,
            self.pinned_addresses,
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            **pool_kwargs,
        )

    def send(self, request, *args, **kwargs):
        # Session.send passes the environment's proxies here: drop them.
        kwargs["proxies"] = None
        return super().send(request, *args, **kwargs)


@functools.cache
def _warn_proxy_ignored():
    # Once per process: the setting is the environment's, not the request's.
    _logger.warning(
        "Outbound webhooks connect directly to the checked address of the "
        "target, not through the proxy set in the environment (a proxy "
        "would resolve the host again)."
    )


def post_pinned(url, addresses, **kwargs):
    """``requests.post(url, **kwargs)`` that connects to one of
    ``addresses`` (those check_url_addresses approved) and to no other."""
    if "proxies" in kwargs:
        raise ValueError("a pinned request cannot go through a proxy")
    if get_environ_proxies(url):
        _warn_proxy_ignored()
    host = requests.utils.urlparse(url).hostname or ""
    with requests.Session() as session:
        adapter = PinnedAdapter(host, addresses)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(url, **kwargs)
