# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Read system parameters leniently: a missing or malformed value means the
default (with a warning in the server log), never an error to the caller."""

import json
import logging

_logger = logging.getLogger(__name__)


def param_bool(icp, key, default):
    raw = icp.get_param(key)
    if raw in (None, False, ""):
        return default
    value = str(raw).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    _logger.warning(
        "System parameter %s=%r is not a boolean: using %s", key, raw, default
    )
    return default


def param_int(icp, key, default):
    """A positive integer; anything else means ``default``."""
    raw = icp.get_param(key)
    if raw in (None, False, ""):
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value <= 0:
        _logger.warning(
            "System parameter %s=%r is not a positive integer: using %s",
            key,
            raw,
            default,
        )
        return default
    return value


def param_str_list(icp, key, default=()):
    """A JSON list of strings."""
    raw = icp.get_param(key)
    if raw in (None, False, ""):
        return list(default)
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _logger.warning(
            "System parameter %s=%r is not a JSON list of strings: using %r",
            key,
            raw,
            list(default),
        )
        return list(default)
    return value
