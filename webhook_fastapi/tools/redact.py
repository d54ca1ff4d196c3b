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


# "key": "value" or key=value pairs whose key looks like a secret, in text
# that could not be parsed as JSON (and so could not be redacted by keys).
_SECRET_PAIR = re.compile(
    r"""(["']?[\w-]*(?:pass(?:word|wd)?|token|secret|api[-_]?key|authorization|"""
    r"""cookie|credential|private[-_]?key)[\w-]*["']?\s*[:=]\s*)"""
    r"""("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,&}\]]+)""",
    re.IGNORECASE,
)


def redact_text(text):
    """Mask the values of secret-looking keys in unparsed text."""
    return _SECRET_PAIR.sub(lambda m: m.group(1) + '"***"', text)
