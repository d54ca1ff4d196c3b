# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""System parameters: how their values are parsed, in one place.

The readers (``param_bool``, ``param_int``, ``param_str_list``) are
lenient: a missing or malformed value means the default (with a warning in
the server log), never an error to the caller, since a value may have been
stored before it was checked (an older version, SQL). The same parsers
check a value when it is saved (``ir.config_parameter``), so what the
readers would not accept is refused where it is typed.
"""

import json
import logging
import re

_logger = logging.getLogger(__name__)

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# A value starting with one of these is JSON (and must be a list of
# strings); anything else is a comma-separated list (or one per line).
JSON_START = ("[", "{", '"')
LIST_SEPARATORS = re.compile(r"[,\n]")

# Kinds of parameter (see ``PARSERS``).
BOOL = "bool"
POSITIVE_INT = "positive_int"
NON_NEGATIVE_INT = "non_negative_int"
STR_LIST = "str_list"


def is_unset(raw):
    """A missing or empty value: the reader's default."""
    return raw in (None, False) or not str(raw).strip()


def parse_bool(raw):
    """``1/0``, ``true/false``, ``yes/no``, ``on/off`` (any case); else
    ValueError."""
    value = str(raw).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError("not a boolean")


def parse_int(raw, minimum=1):
    """An integer of at least ``minimum``; else ValueError."""
    value = int(str(raw).strip())
    if value < minimum:
        raise ValueError(f"below {minimum}")
    return value


def parse_non_negative_int(raw):
    return parse_int(raw, minimum=0)


def parse_str_list(raw):
    """A JSON list of strings, or the same typed by hand: ``a.com, b.com``
    (commas or line breaks; blanks around items and empty items dropped).
    Else ValueError."""
    text = str(raw).strip()
    if not text.startswith(JSON_START):
        return [item.strip() for item in LIST_SEPARATORS.split(text) if item.strip()]
    value = json.loads(text)  # json's errors are ValueErrors
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("not a list of strings")
    return value


PARSERS = {
    BOOL: parse_bool,
    POSITIVE_INT: parse_int,
    NON_NEGATIVE_INT: parse_non_negative_int,
    STR_LIST: parse_str_list,
}

# What each kind expects, for the server log (the save-time message is the
# translated one of ir.config_parameter).
EXPECTED = {
    BOOL: "a boolean",
    POSITIVE_INT: "a positive integer",
    NON_NEGATIVE_INT: "an integer, 0 or more",
    STR_LIST: "a list of strings (comma-separated or JSON)",
}


def _read(icp, key, default, kind):
    raw = icp.get_param(key)
    if is_unset(raw):
        return default
    try:
        return PARSERS[kind](raw)
    except ValueError:
        _logger.warning(
            "System parameter %s=%r is not %s: using %r",
            key,
            raw,
            EXPECTED[kind],
            default,
        )
        return default


def param_bool(icp, key, default):
    return _read(icp, key, default, BOOL)


def param_int(icp, key, default, minimum=1):
    """An integer of at least ``minimum`` (a positive one by default);
    anything else means ``default``."""
    kind = {0: NON_NEGATIVE_INT, 1: POSITIVE_INT}[minimum]
    return _read(icp, key, default, kind)


def param_str_list(icp, key, default=()):
    """A list of strings: JSON, or comma-separated."""
    return list(_read(icp, key, list(default), STR_LIST))
