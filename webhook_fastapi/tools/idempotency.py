# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure helpers of the Idempotency-Key header (see webhook.idempotency.key)."""

import hashlib
import json
import re

from .errors import ApiError

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Printable ASCII, space included (not at either end: HTTP strips it there).
_KEY = re.compile(r"[\x20-\x7e]*")


def key_of(http_info):
    """The raw Idempotency-Key header of a request, or None (names are
    case-insensitive)."""
    headers = http_info.get("headers") or {}
    return next((v for k, v in headers.items() if k.lower() == HEADER), None)


def check_key(raw):
    """The header's value, or None when absent; a 400 naming the problem
    when it is not 1-255 printable ASCII characters."""
    if raw is None:
        return None
    if not raw.strip():
        raise ApiError("Idempotency-Key must not be empty (1-255 characters)")
    if len(raw) > MAX_KEY_LENGTH:
        raise ApiError(
            f"Idempotency-Key is {len(raw)} characters long: at most "
            f"{MAX_KEY_LENGTH} are allowed"
        )
    if not _KEY.fullmatch(raw):
        raise ApiError(
            "Idempotency-Key must hold printable ASCII characters only "
            "(letters, digits, punctuation, spaces), e.g. a UUID"
        )
    return raw


def fingerprint(params):
    """SHA-256 of the canonical JSON of the body's params: the same params
    in another key order or spacing give the same fingerprint."""
    text = json.dumps(
        params, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def lock_id(uid, key):
    """A signed 64-bit id of (user, key) for pg_try_advisory_xact_lock:
    hashtext() would give 32 bits, where two busy keys could collide."""
    digest = hashlib.sha256(f"webhook-idempotency:{uid}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
