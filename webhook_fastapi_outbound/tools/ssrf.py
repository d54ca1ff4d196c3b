# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Refuse outbound URLs that point inside the network (SSRF guard).

Callback URLs come from API callers: without this check any caller could make
Odoo POST to the database server, a cloud metadata service or an admin port.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

# Cloud metadata services; most are link-local or private already, listed so
# the refusal message says what they are.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
}


class UnsafeUrl(ValueError):
    """The URL must not be called; the message says why."""


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


def _allowed(host, ip, allowed):
    for entry in allowed:
        entry = entry.strip().lower()
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


def check_url(url, allowed=(), resolve=socket.getaddrinfo):
    """Raise UnsafeUrl unless ``url`` is http(s) and every address its host
    resolves to is public, or allowed by ``allowed`` (host names, addresses
    or networks such as ``10.0.0.0/8``; ``*`` allows everything)."""
    if not isinstance(url, str) or not url:
        raise UnsafeUrl("no URL")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeUrl(
            f"only http and https URLs are allowed, not {parts.scheme or 'no scheme'!r}"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeUrl(f"URL {url!r} has no host")
    if _allowed(host, None, allowed):
        return
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        infos = resolve(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise UnsafeUrl(f"cannot resolve host {host!r}: {exc}") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if _allowed(host, ip, allowed):
            continue
        if not ip.is_global or ip in METADATA_ADDRESSES:
            raise UnsafeUrl(
                f"host {host!r} resolves to {ip}, a {_kind(ip)} address; allow it in "
                "the system parameter webhook.outbound_allowed_hosts if intended"
            )
