# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Parser for the ``field{sub1,sub2{subsub}}`` syntax of search_field,
result_field and outbound payload fields."""

import re

from .errors import ApiError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Deeper specs are certainly a mistake, and each level costs a query.
MAX_DEPTH = 10


def parse_field_spec(items):
    """Turn a list like ``["name", "partner_id{name,email}"]`` into a nested
    dict ``{"name": None, "partner_id": {"name": None, "email": None}}``.

    Order is kept; a field named twice is merged. Raises ApiError (400) with
    the offending item on any syntax error.
    """
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list | tuple):
        raise ApiError("field list must be a list of strings, got %r" % (items,))
    spec = {}
    for item in items:
        if not isinstance(item, str):
            raise ApiError("field list items must be strings, got %r" % (item,))
        _merge(spec, _parse_item(item))
    return spec


def _merge(into, other):
    for name, sub in other.items():
        if sub is None:
            into.setdefault(name, None)
        elif into.get(name) is None:
            into[name] = sub
        else:
            _merge(into[name], sub)


def _parse_item(item):
    if re.search(r"\w\s+\w", item):
        raise ApiError("invalid field spec %r: names cannot contain spaces" % item)
    text = re.sub(r"\s+", "", item)
    pos, spec = _parse_list(text, 0, 0, item)
    if pos != len(text):
        raise ApiError("invalid field spec %r: unexpected %r" % (item, text[pos:]))
    return spec


def _parse_list(text, pos, depth, item):
    if depth > MAX_DEPTH:
        raise ApiError(
            "invalid field spec %r: nested deeper than %d" % (item, MAX_DEPTH)
        )
    spec = {}
    while True:
        match = _NAME.match(text, pos)
        if not match:
            raise ApiError(
                "invalid field spec %r: expected a field name at %r"
                % (item, text[pos:] or "end")
            )
        name, pos = match.group(), match.end()
        sub = None
        if pos < len(text) and text[pos] == "{":
            pos, sub = _parse_list(text, pos + 1, depth + 1, item)
            if pos >= len(text) or text[pos] != "}":
                raise ApiError("invalid field spec %r: missing '}'" % item)
            pos += 1
        _merge(spec, {name: sub})
        if pos < len(text) and text[pos] == ",":
            # Inside braces a comma separates siblings; at the top level
            # "a,b" is accepted as two items.
            pos += 1
            continue
        return pos, spec
