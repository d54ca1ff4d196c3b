# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math

# JSON nested deeper than this is refused before anything walks it: every
# legitimate payload (order -> lines -> lookups -> auto_create) stays far
# below, and the recursive code that follows (validation, logging,
# conversion) must never meet Python's recursion limit.
MAX_JSON_DEPTH = 64


class ApiError(Exception):
    """An error the caller can fix: carries the HTTP status to answer with.

    Raised by the helpers and the service; turned into the JSON envelope in
    exactly one place (``webhook.api.service._api_handle``).
    """

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self):
        return self.message


def json_depth_exceeds(value, limit=MAX_JSON_DEPTH):
    """Whether ``value`` nests containers deeper than ``limit`` (iterative:
    safe on any depth)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list | tuple):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item)
    return False


def check_json_value(value, path="body"):
    """Refuse what PostgreSQL or the ORM cannot take, anywhere in a parsed
    JSON body, keys included: NUL characters, lone UTF-16 surrogates
    (``"\\ud800"``), NaN and infinities, and nesting deeper than
    MAX_JSON_DEPTH. Bad input (400) rather than a server error later."""
    if json_depth_exceeds(value):
        raise ApiError(f"{path}: nested deeper than {MAX_JSON_DEPTH} levels")
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            _check_string(item, where)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ApiError(f"{where}: {item!r} is not a finite number")
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    _check_string(key, f"{where} (a key)")
                stack.append((child, f"{where}.{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))


def _check_string(text, where):
    if "\x00" in text:
        raise ApiError(f"{where}: NUL characters (\\u0000) are not allowed")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(
            f"{where}: lone UTF-16 surrogate (e.g. \\ud800) is not valid text"
        ) from None


def operation_errors(errors, index):
    """Pydantic's errors of one operation of a batch, validated alone as
    ``{"params": {"model": ..., "vals": ...}}``, with the places they name
    in the batch's body: params.vals.x -> params.operations.<index>.vals.x."""
    moved = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if loc[:1] == ("params",):
            loc = ("params", "operations", index, *loc[1:])
        moved.append({**error, "loc": loc})
    return moved


def schema_error_message(errors):
    """What is wrong with a body that does not fit its request model, from
    Pydantic's (or FastAPI's) list of errors."""
    parts = []
    for error in errors[:10]:
        if error.get("type") == "json_invalid":
            detail = (error.get("ctx") or {}).get("error") or "invalid JSON"
            return f"The body is not valid JSON: {detail}"
        if tuple(error.get("loc", ())) == ("body",) and error.get("type") == "missing":
            return (
                "The body is empty: expected a JSON object like "
                '{"params": {"model": ..., "vals": {...}}}'
            )
        loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {error.get('msg')}")
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return "Request does not fit the schema: " + "; ".join(parts) + more
