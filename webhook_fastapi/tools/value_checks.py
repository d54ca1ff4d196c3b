# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Check a caller's plain value against its field and return what the ORM
takes (the converter's checks of non-relational values)."""

import base64
import binascii
import datetime
import math

from odoo import fields

from .errors import ApiError


def convert_plain(env, field, value, path):
    """Check ``value`` against a non-relational field; return what the ORM
    takes. Raises ApiError naming the field and the value."""
    if value is None:
        return False
    if value is False and field.type != "boolean":
        return False
    checker = _CHECKERS.get(field.type)
    return checker(env, field, value, path) if checker else value


def _bad(field, value, path, expected):
    return ApiError(
        f"{path}: expected {expected} for {field.type} field '{field.name}', "
        f"got {value!r}"
    )


def _check_boolean(env, field, value, path):
    if not isinstance(value, bool):
        raise _bad(field, value, path, "true or false")
    return value


def _check_integer(env, field, value, path):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(field, value, path, "an integer")
    if not -(2**31) <= value < 2**31:
        raise _bad(field, value, path, "an integer within 32 bits")
    return value


def _check_number(env, field, value, path):
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _bad(field, value, path, "a number")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    if not finite:
        raise _bad(field, value, path, "a finite number")
    # The ORM rounds to the field's decimals (a currency's for monetary
    # fields: at most 6 here), which overflows for huge values like 1e308.
    digits = 6 if field.type == "monetary" else (field.get_digits(env) or (0, None))[1]
    if digits is not None and not math.isfinite(abs(float(value)) * 10.0**digits):
        raise _bad(field, value, path, f"a number that fits {digits} decimals")
    return value


def _check_string(env, field, value, path):
    if not isinstance(value, str):
        raise _bad(field, value, path, "a string")
    return value


def _check_date(env, field, value, path):
    try:
        return fields.Date.to_string(datetime.date.fromisoformat(value))
    except (TypeError, ValueError):
        raise _bad(field, value, path, "an ISO date 'YYYY-MM-DD'") from None


def _check_datetime(env, field, value, path):
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        raise _bad(
            field, value, path, "an ISO datetime 'YYYY-MM-DD HH:MM:SS' (UTC)"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return fields.Datetime.to_string(parsed)


def _check_selection(env, field, value, path):
    keys = [key for key, _label in field._description_selection(env)]
    if value not in keys:
        raise ApiError(
            f"{path}: {value!r} is not a value of selection field '{field.name}' "
            f"(allowed: {', '.join(map(repr, keys))})"
        )
    return value


def _check_binary(env, field, value, path):
    if not is_base64(value):
        raise _bad(field, value, path, "base64 data")
    return value


def _check_reference(env, field, value, path):
    model, _sep, rid = value.partition(",") if isinstance(value, str) else ("", "", "")
    if model not in env or not rid.isdigit() or int(rid) <= 0:
        raise _bad(field, value, path, "'model,id' with an installed model")
    return value


def _check_id(env, field, value, path):
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(field, value, path, "an id")
    return value


def is_base64(value):
    try:
        if not isinstance(value, str):
            return False
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_CHECKERS = {
    "boolean": _check_boolean,
    "integer": _check_integer,
    "float": _check_number,
    "monetary": _check_number,
    "char": _check_string,
    "text": _check_string,
    "html": _check_string,
    "date": _check_date,
    "datetime": _check_datetime,
    "selection": _check_selection,
    "binary": _check_binary,
    "reference": _check_reference,
    "many2one_reference": _check_id,
}
