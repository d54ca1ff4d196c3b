# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Parse and check search_domain and order without ever evaluating code."""

import ast
import re

from .errors import ApiError

MAX_DOMAIN_LENGTH = 100_000
_LOGIC = {"&", "|", "!"}
_ORDER_ITEM = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"
    r"(?:\s+(asc|desc))?(?:\s+(nulls\s+(?:first|last)))?\s*$",
    re.IGNORECASE,
)


def parse_domain(value):
    """Return a domain list from a string literal like
    ``"[('state', '=', 'sale')]"`` or from a JSON list.

    The string is read with ``ast.literal_eval``: only literals, never
    names or calls. The shape is checked here; field names and operators are
    checked by the ORM when searching.
    """
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        if len(value) > MAX_DOMAIN_LENGTH:
            raise ApiError(
                "search_domain is longer than %d characters" % MAX_DOMAIN_LENGTH
            )
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            raise ApiError(
                "search_domain is not a literal list of conditions, "
                "e.g. \"[('name', '=', 'ACME')]\": %s" % (type(exc).__name__,)
            ) from None
    if not isinstance(value, list | tuple):
        raise ApiError(
            "search_domain must be a list of conditions, got %s" % type(value).__name__
        )
    domain = []
    for item in value:
        if isinstance(item, str) and item in _LOGIC:
            domain.append(item)
        elif (
            isinstance(item, list | tuple)
            and len(item) == 3
            and isinstance(item[0], str)
            and isinstance(item[1], str)
        ):
            domain.append((item[0], item[1], _freeze(item[2])))
        else:
            raise ApiError(
                "search_domain item %r is not a condition (field, operator, value) "
                "nor one of '&', '|', '!'" % (item,)
            )
    return domain


def check_domain_fields(model, domain):
    """Refuse every term the ORM would not really apply. Odoo drops a term
    on a field it cannot search (non-stored, no search method) with only a
    line in the server log, which widens the search silently: a sync that
    trusts such an answer may overwrite or delete the wrong records."""
    for term in domain:
        if isinstance(term, str):
            continue
        current, through = model, None
        for name in term[0].split("."):
            if current is None:
                raise ApiError(
                    f"search_domain: '{term[0]}' goes through '{through}', which "
                    "is not a relational field"
                )
            field = current._fields.get(name)
            if field is None:
                raise ApiError(
                    f"search_domain: '{current._name}' has no field '{name}' "
                    f"(in {term[0]!r})"
                )
            if not field._description_searchable:
                raise ApiError(
                    f"search_domain: field '{name}' of '{current._name}' cannot be "
                    "searched (it is not stored and has no search method)"
                )
            through = name
            current = model.env[field.comodel_name] if field.relational else None


def _freeze(value):
    # JSON gives lists where Odoo expects lists or tuples: both are fine,
    # but nested containers must hold only plain values.
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return _plain(value)


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ApiError("search_domain value %r is not a plain value" % (value,))


def parse_order(order, model=None):
    """Check ``"name asc, date desc"``: each item a field name and an
    optional direction. Anything else (SQL, functions) is a 400. With
    ``model``, each field must be one of its stored fields."""
    if order in (None, ""):
        return None
    if not isinstance(order, str):
        raise ApiError("order must be a string like 'name asc, id desc'")
    items = order.split(",")
    for item in items:
        match = _ORDER_ITEM.match(item)
        if not match:
            raise ApiError("order item %r is not 'field [asc|desc]'" % item.strip())
        if model is not None:
            fname = match.group(1).split(".")[0]
            field = model._fields.get(fname)
            if field is None or not field.store:
                raise ApiError(
                    "order field '%s' is not a stored field of '%s'"
                    % (fname, model._name)
                )
    return ", ".join(" ".join(item.split()) for item in items)
