# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The write_date precondition of update_data and create_update_data
(``if_unmodified_since``): pure parsing and comparison."""

import datetime
import re

from .errors import ApiError

MAX_LENGTH = 40
# What search_data returns, and ISO's extended forms of it (no basic form).
_FORM = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)?")


def parse_since(value):
    """``(naive UTC datetime, precise)`` of an ``if_unmodified_since``
    value: the record's write_date as search_data returns it, with
    microseconds (``precise_write_date``) or without; ISO forms are
    accepted (``T``, ``Z``, an offset). Anything else is a 400."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise ApiError(_BAD)
    text = value.strip()
    if not _FORM.fullmatch(text):
        raise ApiError(f"{_BAD}, got {value!r}")
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(f"{_BAD}, got {value!r}") from None
    if parsed.tzinfo:
        parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
    return parsed, "." in text


def changed_since(current, given, precise):
    """Whether a record whose write_date is ``current`` (from the database,
    with microseconds) changed after ``given``. A value without fractional
    seconds can only be compared to the second: a later write within that
    same second goes unseen, hence ``precise_write_date``."""
    if current is None:
        return False
    if not precise:
        current = current.replace(microsecond=0)
    return current > given


def precise_string(value):
    """A write_date with its microseconds, as the precondition takes it."""
    return value.isoformat(sep=" ", timespec="microseconds") if value else None


_BAD = (
    "if_unmodified_since must be the record's write_date as search_data "
    "returns it, e.g. '2025-01-31 10:20:30.123456' (UTC)"
)
