# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Refuse URLs that would make Odoo call inside its own network (SSRF).

Callback URLs come from API callers: without this check any caller could
make Odoo POST to the database server, a cloud metadata service or an admin
port. The inbound API checks a callback_url when it receives it; the
outbound addon checks every URL again, resolved, before each attempt, since
DNS answers can change.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from odoo.addons.webhook_fastapi.tools.errors import ApiError

# Cloud metadata services; most are link-local or private already, listed so
# that the refusal says what they are.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
}
LOCAL_NAMES = ("localhost", "metadata.google.internal")


class UnsafeUrl(ApiError):
    """The URL must not be called; the message says why (a 400 inbound)."""


def _kind(ip):
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_multicast:
        return "multicast"
    return "non-public"


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64,
    IPv4-compatible), which is where packets may really go; else ``ip``."""
    if ip.version != 6:
        return ip
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _allowed(host, ip, allowed):
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        if entry == "*" or entry == host:
            return True
        if ip is not None:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


def _literal(host):
    """The address ``host`` spells, else None. Also the forms libc's
    inet_aton takes (``0x7f000001``, ``2130706433``, ``0177.0.0.1``,
    ``127.1``, ``0``): getaddrinfo, hence the HTTP client, connects to those
    without DNS, so the no-DNS check must see them as addresses too."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):  # a name (ValueError: a NUL in it)
            return None


def _getaddrinfo(host, port, **kwargs):
    # Looked up when called, not when defined, so that a patched resolver
    # (tests) is the one both the check and the connection use.
    return socket.getaddrinfo(host, port, **kwargs)


def _addresses(host, port, resolve):
    literal = _literal(host.rstrip("."))
    if literal is not None:
        return [literal]
    if not resolve:
        return []
    try:
        infos = resolve(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise UnsafeUrl(f"cannot resolve host {host!r}: {exc}") from exc
    found = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    return list(dict.fromkeys(found))  # in the resolver's order, once each


def _parse(url, what):
    """``(url, host, port)`` of an http(s) URL whose host every parser reads
    the same way; raise UnsafeUrl otherwise."""
    if not isinstance(url, str) or not url:
        raise UnsafeUrl(f"{what} must be an http(s) URL, got {url!r}")
    url = url.strip()
    # Parsers disagree on these (urlsplit takes "127.0.0.1\\@example.com" as
    # user info + example.com, requests connects to 127.0.0.1): refuse them,
    # and compare with the host the HTTP client will really use.
    authority = (
        url.partition("//")[2].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    )
    if "\\" in url or "@" in authority or any(c.isspace() or ord(c) < 32 for c in url):
        raise UnsafeUrl(
            f"{what} {url!r} may not contain user info, backslashes, spaces or "
            "control characters"
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeUrl(
            f"{what}: only http and https URLs are allowed, "
            f"not {scheme or 'no scheme'!r}"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeUrl(f"{what} {url!r} has no host")
    try:
        client_host = (parse_url(url).host or "").lower().strip("[]")
    except LocationParseError:
        client_host = None
    if client_host != host:
        raise UnsafeUrl(
            f"{what} {url!r} is ambiguous: its host cannot be told for sure"
        )
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl(f"{what} {url!r}: {exc}") from None
    return url, host, port


def check_url_addresses(url, allowed=(), resolve=_getaddrinfo, what="URL"):
    """Check ``url`` as check_url does; return ``(url, addresses)``: the
    addresses its host resolved to, all checked, for the sender to connect
    to exactly those (a second lookup could answer otherwise: DNS
    rebinding). Empty when the host is allowed by name (any address will
    do) or, with ``resolve=None``, is a name."""
    url, host, port = _parse(url, what)
    # "localhost." is "localhost": a trailing dot only makes a name absolute.
    name = host.rstrip(".")
    if _allowed(name, None, allowed):
        return url, []
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        raise UnsafeUrl(
            f"{what} {url!r} points at a local or internal address ({host}, a "
            "loopback or metadata name); allow it in the system parameter "
            "webhook.outbound_allowed_hosts if intended"
        )
    addresses = _addresses(host, port, resolve)
    for address in addresses:
        ip = _embedded_ipv4(address)
        if _allowed(name, ip, allowed):
            continue
        if not ip.is_global or ip in METADATA_ADDRESSES:
            raise UnsafeUrl(
                f"{what} {url!r} points at a local or internal address: {host!r} is "
                f"{ip}, a {_kind(ip)} address; allow it in the system parameter "
                "webhook.outbound_allowed_hosts if intended"
            )
    return url, [str(address) for address in addresses]


def check_url(url, allowed=(), resolve=_getaddrinfo, what="URL"):
    """Return ``url`` if it is http(s) and every address of its host is
    public, or allowed by ``allowed`` (host names, addresses or networks such
    as ``10.0.0.0/8``; ``*`` allows everything). Raise UnsafeUrl otherwise.

    With ``resolve=None`` host names are not looked up (the inbound check:
    no DNS on the request path); only addresses (in any form getaddrinfo
    takes without DNS) and local names are refused then.
    """
    return check_url_addresses(url, allowed, resolve, what)[0]
