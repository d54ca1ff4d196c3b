# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Strip secrets from what goes into the API log."""

import functools
import re

REDACTED = "***"
_SECRET_WORDS = (
    r"pass(?:word|wd)?|token|secret|api[-_]?key|authorization|cookie|credential"
    r"|private[-_]?key"
)
SECRET_KEY = re.compile(_SECRET_WORDS, re.IGNORECASE)
# Headers that are credentials as a whole: never stored, not even masked.
DROPPED_HEADERS = frozenset(("authorization", "proxy-authorization", "cookie"))


@functools.lru_cache(maxsize=4096)
def _is_secret_key(key):
    # Answers repeat the same few keys thousands of times (a search of 200
    # orders): the regular expression runs once per distinct key.
    return bool(SECRET_KEY.search(key))


def redact(value):
    """``value`` where every dict entry whose key looks like a secret
    (password, token, secret, api_key, authorization, cookie...) has its
    value replaced by ``***``, at any depth. Containers are copied only where
    something is replaced; the rest is returned as it is."""
    if isinstance(value, dict):
        out = None
        for key, val in value.items():
            new = (
                REDACTED
                if isinstance(key, str) and _is_secret_key(key)
                else redact(val)
            )
            if new is not val and out is None:
                out = dict(value)
            if out is not None:
                out[key] = new
        return value if out is None else out
    if isinstance(value, list | tuple):
        items = [redact(v) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items
    return value


def redact_headers(headers):
    """Request headers as stored: credentials dropped, secret-looking ones
    masked."""
    return redact(
        {k: v for k, v in (headers or {}).items() if k.lower() not in DROPPED_HEADERS}
    )


# key=value or "key": "value" pairs whose key contains a secret word, in text
# that could not be parsed as JSON. Every quantifier is bounded and the
# match starts at the secret word itself (never at a run of word characters
# before it), so the work per position is bounded: linear time on any input.
# The part of the key before the word ("access_" of "access_token") is kept.
_SECRET_PAIR = re.compile(
    rf"""((?:{_SECRET_WORDS})[\w-]{{0,64}}+["']?\s{{0,16}}[:=]\s{{0,16}})"""
    r"""("(?:[^"\\\n]|\\.){0,512}"|'[^'\n]{0,512}'|[^\s,&}\]]{1,512})""",
    re.IGNORECASE,
)


def redact_text(text):
    """Mask the values of secret-looking keys in unparsed text."""
    return _SECRET_PAIR.sub(lambda m: m.group(1) + '"***"', text)
