# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One POST to a receiver and what came of it. Runs in the sender's threads,
so it touches no ORM, no cursor and no translation: the sender turns an
``Exchange`` into the values of the delivery in its own thread."""

import time
from dataclasses import dataclass

import requests

from .pinned_http import post_pinned
from .url_guard import UnsafeUrl, check_url_addresses


@dataclass
class Exchange:
    """The outcome of one attempt: an answer (``status``, ``text``, the raw
    ``retry_after`` header), a transport ``error``, or a ``refused`` URL."""

    status: int = 0
    text: str = ""
    retry_after: str | None = None
    error: str = ""
    refused: str = ""
    duration_ms: float = 0.0

    @property
    def ok(self):
        return 200 <= self.status < 300


def post_checked(url, allowed, body, headers, timeout):
    """Check the target URL, then POST to the very addresses checked: a
    second DNS lookup by requests could answer an internal one (DNS
    rebinding). A host allowed by name is connected to as usual. Redirects
    are not followed (a 3xx is a failed attempt)."""
    url, addresses = check_url_addresses(url, allowed)
    kwargs = {"data": body, "headers": headers, "allow_redirects": False}
    if addresses:
        return post_pinned(url, addresses, timeout=timeout, **kwargs)
    return requests.post(url, timeout=timeout, **kwargs)


def exchange(url, allowed, body, headers, timeout):
    """POST ``body`` once; never raises for what a receiver or the network
    can do."""
    started = time.monotonic()
    try:
        response = post_checked(url, allowed, body, headers, timeout)
    except UnsafeUrl as exc:
        result = Exchange(refused=str(exc))
    except requests.RequestException as exc:
        result = Exchange(error=f"{type(exc).__name__}: {exc}")
    else:
        result = Exchange(
            status=response.status_code,
            text=response.text or "",
            retry_after=response.headers.get("Retry-After"),
        )
    result.duration_ms = (time.monotonic() - started) * 1000
    return result
