# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A maximum request size for the API.

FastAPI reads the request stream itself, so Odoo's own limit on form
parsing never applies to it. A body announced larger than the maximum is
refused before a byte of it is read; a chunked body (no Content-Length)
is refused as soon as it has sent more than the maximum.
"""

import io

from .errors import ApiError
from .params import param_int

DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024  # a base64 file of ~24 MB fits
MAX_REQUEST_SIZE_PARAM = "webhook.max_request_size"


class BodyTooLarge(ApiError):
    def __init__(self, limit, size=None):
        told = f"{size} bytes" if size is not None else "more"
        super().__init__(
            f"The request body is too large: {told}, the maximum is {limit} "
            f"bytes (system parameter {MAX_REQUEST_SIZE_PARAM})",
            413,
        )


class _LimitedReader(io.RawIOBase):
    """Reads ``stream`` and raises BodyTooLarge past ``limit`` bytes.
    (RawIOBase.read would call readinto, which calls read: no super().)"""

    def __init__(self, stream, limit):
        super().__init__()
        self._stream = stream
        self._limit = limit
        self._seen = 0

    def readable(self):
        return True

    def read(self, size=-1):  # pylint: disable=method-required-super
        allowed = self._limit + 1 - self._seen
        size = allowed if size is None or size < 0 else min(size, allowed)
        data = self._stream.read(size) if size > 0 else b""
        self._seen += len(data)
        if self._seen > self._limit:
            raise BodyTooLarge(self._limit)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def limit_request_body(httprequest, icp):
    """Refuse (raise BodyTooLarge) or bound the body of a werkzeug request."""
    limit = param_int(icp, MAX_REQUEST_SIZE_PARAM, DEFAULT_MAX_REQUEST_SIZE)
    size = httprequest.content_length
    if size is not None:
        if size > limit:
            raise BodyTooLarge(limit, size)
        return  # werkzeug's stream already stops at Content-Length
    # ``stream`` is a cached property: the reader replaces it for everyone.
    httprequest.__dict__["stream"] = _LimitedReader(httprequest.stream, limit)
