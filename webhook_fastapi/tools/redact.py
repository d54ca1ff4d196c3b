# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Strip secrets from what goes into the API log."""

import re

REDACTED = "***"
SECRET_KEY = re.compile(
    r"pass(word|wd)?|token|secret|api[-_]?key|authorization|cookie|credential|private[-_]?key",
    re.IGNORECASE,
)


def redact(value):
    """A copy of ``value`` where every dict entry whose key looks like a
    secret (password, token, secret, api_key, authorization, cookie...) has
    its value replaced by ``***``, at any depth."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and SECRET_KEY.search(key)
            else redact(val)
            for key, val in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value
