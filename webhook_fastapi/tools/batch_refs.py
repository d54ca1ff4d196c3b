# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""References between the operations of a batch (pure helpers).

A later operation uses a value of an earlier one's answer with an object
whose only key is ``$ref``: ``{"$ref": "0.result.id"}``, anywhere in its
``vals``. The path is the earlier operation's index, then keys (or list
indexes) into that operation's entry in the batch answer (``index``,
``route``, ``status``, ``is_success``, ``result``, ``messages``).

Why an object and not a string form such as ``"$0.result.id"``: a string
is data (a name, a reference code may start with ``$``), an object with a
``$ref`` key is not: no Odoo field name starts with ``$``, so the only
place it could be data is the value of a JSON field; that is why an object
with ``$ref`` and any other key is refused rather than guessed at.
"""

from .errors import ApiError

REF_KEY = "$ref"


def _walk(value, path):
    """(path, ref) of every reference in ``value``, depth first."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            if REF_KEY in item:
                yield where, item
                continue
            stack.extend((v, f"{where}.{k}") for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(
                (v, f"{where}.{i}") for i, v in reversed(list(enumerate(item)))
            )


def parse_ref(ref, op_index, where):
    """(source index, keys) of one ``{"$ref": ...}`` of operation
    ``op_index``; a 400 naming the operation and the place when it is not a
    reference to an earlier operation."""
    text = ref.get(REF_KEY)
    prefix = f"operation {op_index}: reference at {where}"
    if len(ref) != 1:
        raise ApiError(
            f'{prefix}: an object with "{REF_KEY}" must have no other key, '
            f'e.g. {{"{REF_KEY}": "0.result.id"}}'
        )
    if not isinstance(text, str) or not text:
        raise ApiError(f'{prefix}: "{REF_KEY}" must be a path such as "0.result.id"')
    head, *keys = text.split(".")
    if not head.isdigit() or int(head) >= op_index:
        raise ApiError(
            f"{prefix}: {text!r} must start with the index of an earlier "
            f"operation (0 to {op_index - 1})"
            if op_index
            else f"{prefix}: the first operation cannot refer to another one"
        )
    return int(head), keys


def has_refs(value):
    """Whether ``value`` holds a reference anywhere."""
    return any(True for _ref in _walk(value, ""))


def check_refs(vals, op_index):
    """Every reference of one operation's ``vals``, checked before any
    operation runs: a malformed or forward reference refuses the batch."""
    for where, ref in _walk(vals, _root(op_index)):
        parse_ref(ref, op_index, where)


def resolve_refs(vals, op_index, entries):
    """``vals`` with each reference replaced by the value it points to in
    ``entries`` (the answers of the earlier operations); a 400 naming the
    operation and the path when it points to nothing."""
    if not has_refs(vals):
        return vals

    def replace(value, where):
        if isinstance(value, dict):
            if REF_KEY in value:
                return _lookup(value, op_index, where, entries)
            return {k: replace(v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [replace(v, f"{where}.{i}") for i, v in enumerate(value)]
        return value

    return replace(vals, _root(op_index))


def _root(op_index):
    """Where an operation's vals are in the batch's body."""
    return f"params.operations.{op_index}.vals"


def _lookup(ref, op_index, where, entries):
    source, keys = parse_ref(ref, op_index, where)
    text = ref[REF_KEY]
    entry = entries[source]
    if not entry.get("is_success"):
        raise ApiError(
            f"operation {op_index}: reference {text!r} at {where}: operation "
            f"{source} failed, it has no result to use"
        )
    value = entry
    for depth, key in enumerate(keys):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            found = ".".join([str(source), *keys[:depth]])
            raise ApiError(
                f"operation {op_index}: reference {text!r} at {where} cannot be "
                f"resolved: {found!r} has no {key!r}"
            )
    return value
