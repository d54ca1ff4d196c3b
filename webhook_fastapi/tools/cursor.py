# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Keyset paging of search_data: the order's items, the signed cursor and
the SQL condition "after the last record of the previous page"."""

import base64
import binascii
import datetime
import decimal
import hmac
import json
import re

from odoo.tools import SQL

from .errors import ApiError

MAX_CURSOR_LENGTH = 4096
# Types whose column value is what Odoo orders by (no join, no translation).
KEYSET_TYPES = frozenset(
    ("char", "text", "integer", "float", "monetary", "date", "datetime", "boolean")
    + ("selection",)
)
_ITEM = re.compile(
    r"^\s*(\S+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.IGNORECASE
)


def keyset_items(model, order):
    """``[(field name, desc, nulls_first)]`` of ``order`` (a checked order,
    or the model's), ending with ``id``; a 400 naming the field that
    cannot be paged by keyset (relational, translated, computed...)."""
    items = []
    for part in (order or model._order or "id").split(","):
        match = _ITEM.match(part)
        if not match:
            raise ApiError(f"order item {part.strip()!r} cannot be paged by cursor")
        fname, direction, nulls = match.groups()
        field = model._fields.get(fname)
        if (
            field is None
            or not field.store
            or field.type not in KEYSET_TYPES
            or field.translate
            or field.company_dependent
        ):
            raise ApiError(
                f"order field '{fname}' of '{model._name}' cannot be paged by "
                "cursor (only stored plain fields can: not relational, "
                "translated or company-dependent ones); page with offset, or "
                "order by other fields"
            )
        desc = (direction or "").lower() == "desc"
        nulls_first = nulls.lower() == "first" if nulls else desc  # PG's default
        items.append((fname, desc, nulls_first))
        if fname == "id":
            return items  # id is unique: what follows never decides
    return [*items, ("id", False, False)]


def items_order(items):
    """The ORDER BY of ``items`` for search()."""
    return ", ".join(
        f"{f} {'desc' if d else 'asc'} nulls {'first' if n else 'last'}"
        for f, d, n in items
    )


def column(model, fname):
    sql = SQL.identifier(model._table, fname)
    # What Odoo orders booleans by (see BaseModel._order_field_to_sql).
    return (
        SQL("COALESCE(%s, FALSE)", sql)
        if model._fields[fname].type == "boolean"
        else sql
    )


def after_condition(model, items, values):
    """SQL: the rows that come after the row whose sort values are
    ``values``, in the order of ``items`` (NULLs placed as ordered)."""
    condition = None
    for (fname, desc, nulls_first), value in reversed(
        list(zip(items, values, strict=True))
    ):
        expr = column(model, fname)
        if value is None:
            after = SQL("%s IS NOT NULL", expr) if nulls_first else SQL("FALSE")
            equal = SQL("%s IS NULL", expr)
        else:
            after = SQL("%s < %s", expr, value) if desc else SQL("%s > %s", expr, value)
            if not nulls_first:
                after = SQL("(%s OR %s IS NULL)", after, expr)
            equal = SQL("%s = %s", expr, value)
        condition = (
            after
            if condition is None
            else SQL("(%s OR (%s AND %s))", after, equal, condition)
        )
    return condition


def jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def encode(secret, scope, values):
    """An opaque, URL-safe, signed cursor for ``values`` in ``scope`` (the
    query it pages: model, domain, order, user)."""
    data = _b64(json.dumps({"s": scope, "v": values}, separators=(",", ":")).encode())
    return f"{data}.{_sign(secret, data)}"


def decode(secret, scope, cursor, size):
    """The sort values a cursor carries; a 400 when it was not made by
    this server for this same query."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LENGTH:
        raise ApiError("cursor is not a cursor of this API")
    data, _dot, signature = cursor.partition(".")
    if not hmac.compare_digest(signature.encode(), _sign(secret, data).encode()):
        raise ApiError(
            "cursor is not valid: pass back the next_cursor of a previous page, "
            "unchanged"
        )
    try:
        decoded = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except (ValueError, binascii.Error):
        raise ApiError("cursor is not valid") from None
    if not isinstance(decoded, dict):
        decoded = {}
    values = decoded.get("v")
    if decoded.get("s") != scope or not isinstance(values, list) or len(values) != size:
        raise ApiError(
            "cursor belongs to another search: keep the model, search_domain and "
            "order of the page that gave it"
        )
    return values


def _b64(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _sign(secret, data):
    return hmac.new(secret.encode(), data.encode(), "sha256").hexdigest()[:43]
