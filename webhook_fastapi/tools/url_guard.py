# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Refuse URLs that would make Odoo call its own network (SSRF)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from .errors import ApiError

# Cloud metadata services answer on these even when the rest is filtered.
METADATA_HOSTS = {
    "169.254.169.254",
    "fd00:ec2::254",
    "metadata.google.internal",
    "100.100.100.200",
}


def _forbidden_ip(ip):
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or str(ip) in METADATA_HOSTS
    )


def check_url(url, allowed_hosts=(), resolve=False, what="URL"):
    """Return ``url`` if it is http(s) and its host is public.

    Hosts in ``allowed_hosts`` (names or IPs, e.g. ``127.0.0.1`` in tests)
    pass. With ``resolve``, host names are resolved and every address must
    be public (checked again at send time by the outbound addon, since DNS
    can change); without it only literal IPs and ``localhost`` are checked.
    """
    if not isinstance(url, str):
        raise ApiError(f"{what} must be an http(s) URL, got {url!r}")
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ApiError(f"{what} must be an http(s) URL, got {url!r}")
    if host in {h.lower() for h in allowed_hosts}:
        return url
    if host in METADATA_HOSTS or host == "localhost" or host.endswith(".localhost"):
        raise ApiError(
            f"{what} {url!r} points at a local or internal address, which is refused"
        )
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = []
        if resolve:
            try:
                infos = socket.getaddrinfo(
                    host, parts.port or None, proto=socket.IPPROTO_TCP
                )
            except OSError as exc:
                raise ApiError(
                    f"{what} host {host!r} cannot be resolved: {exc}"
                ) from None
            addresses = [
                ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos
            ]
    for ip in addresses:
        if str(ip) in {h.lower() for h in allowed_hosts}:
            continue
        if _forbidden_ip(ip):
            raise ApiError(
                f"{what} {url!r} points at a local or internal address ({ip}), "
                "which is refused"
            )
    return url
