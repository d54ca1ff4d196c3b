# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the ORM hooks (models/base.py) know of a rule: plain data, no
records, so that it can be cached once for every environment of the worker."""

import ast
from collections import namedtuple

from odoo.osv import expression

RuleData = namedtuple(
    "RuleData", "id fields domain on_create company_id literal on_unlink"
)


def literal_domain(text):
    """The domain as a tuple when it is a plain literal (most are), so that
    write() does not evaluate it twice per rule; None when it uses names
    such as ``uid`` or ``context_today()``, which must be evaluated each time."""
    try:
        value = ast.literal_eval((text or "[]").strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(value, list | tuple):
        return None
    # Tuples all the way down: RuleData is hashable (write() keys a dict by it).
    return _freeze(value)


def _freeze(value):
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


def domain_field_names(domain):
    """First segment of the field path of every leaf of ``domain``."""
    names = set()
    for leaf in domain:
        if expression.is_leaf(leaf) and isinstance(leaf[0], str):
            names.add(leaf[0].split(".")[0])
    return frozenset(names)
