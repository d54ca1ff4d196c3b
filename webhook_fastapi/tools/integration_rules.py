# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The rules of an integration (webhook.integration), frozen for the
per-worker cache, and the pure checks of one call against them: which
scope a call needs, whether the client address is allowed. No ORM here:
the caller gives ``comodel_of(model, field)`` for nested lines."""

import ipaddress
import re
from dataclasses import dataclass

from .domain import parse_domain
from .errors import ApiError
from .field_spec import parse_field_spec

# The scope each route needs; batch needs each operation's own.
ROUTE_KINDS = {
    "create_data": "create",
    "update_data": "update",
    "create_update_data": "upsert",
    "search_data": "search",
    "call_function": "call",
}
WRITE_KINDS = ("create", "update", "upsert")
# Read by every route whatever the scope says: what names a record.
ALWAYS_READABLE = frozenset({"id", "display_name"})
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class ScopeRule:
    """One scope line: the routes it opens on its model; None = any
    method / field (the user's rights decide)."""

    kinds: frozenset
    methods: frozenset | None = None
    write_fields: frozenset | None = None
    read_fields: frozenset | None = None


@dataclass(frozen=True)
class IntegrationRules:
    integration_id: int
    name: str
    networks: tuple = ()
    per_minute: int = 0
    per_day: int = 0
    # None: no scope lines, the user's rights alone (today's behaviour).
    scopes: dict | None = None
    # strict / original; empty: the system parameter webhook.response_format.
    response_format: str = ""


def split_words(text):
    return [word for word in _SEPARATORS.split(text or "") if word]


def parse_networks(text):
    """IP addresses and CIDR ranges (v4, v6), comma- or line-separated;
    raises ValueError naming the first bad one."""
    networks = []
    for word in split_words(text):
        try:
            networks.append(ipaddress.ip_network(word, strict=False))
        except ValueError:
            raise ValueError(word) from None
    return tuple(networks)


def address_allowed(networks, address):
    """Whether ``address`` is in one of ``networks`` (always, without any)."""
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)


def check_scope(rules, route, params, comodel_of):
    """Raise 403 naming the missing scope when ``rules`` do not open this
    call; nothing to check without scope lines."""
    if rules.scopes is None:
        return
    if route == "batch":
        for operation in _list(_dict(params).get("operations")):
            operation = _dict(operation)
            _check_operation(
                rules.scopes, operation.get("route"), operation, comodel_of
            )
        return
    _check_operation(rules.scopes, route, _dict(params), comodel_of)


def _check_operation(scopes, route, params, comodel_of):
    kind = ROUTE_KINDS.get(route)
    model = params.get("model")
    if kind is None:
        _refuse(f"route {route}")
    rule = _rule(scopes, model, kind)
    vals = _dict(params.get("vals"))
    payload = vals.get("payload")
    if kind in WRITE_KINDS:
        _check_writes(scopes, rule, model, kind, _dict(payload), comodel_of)
        _check_auto_create(scopes, model, _dict(vals.get("auto_create")), comodel_of)
    if kind == "call":
        method = _dict(payload).get("method")
        if rule.methods is not None and method not in rule.methods:
            _refuse(f"call of method {method} on {model}")
    if kind == "search":
        _check_search(rule, model, _dict(payload))
    _check_reads(rule, model, list(_dict(vals.get("search_key"))))
    _check_reads(rule, model, _spec_names(vals.get("result_field")))


def _rule(scopes, model, kind):
    rule = scopes.get(model) if isinstance(model, str) else None
    if rule is None or kind not in rule.kinds:
        _refuse(f"{kind} on {model}")
    return rule


def _check_writes(scopes, rule, model, kind, payload, comodel_of):
    fields = [name for name in payload if isinstance(name, str)]
    if rule.write_fields is not None:
        outside = [f for f in fields if f not in rule.write_fields]
        if outside:
            _refuse(f"write of {', '.join(sorted(outside))} on {model}")
    for name in fields:
        comodel = comodel_of(model, name, one2many=True)
        if not comodel:
            continue
        # The lines of a one2many are written with their parent: their
        # fields need a scope on their own model, for the same route.
        for line in _lines(payload[name]):
            line_rule = _rule(scopes, comodel, kind)
            _check_writes(scopes, line_rule, comodel, kind, line, comodel_of)


def _check_auto_create(scopes, model, auto_create, comodel_of):
    # auto_create makes records of the related model: a create there.
    for name, values in auto_create.items():
        comodel = comodel_of(model, name, one2many=False)
        if comodel:
            rule = _rule(scopes, comodel, "create")
            _check_writes(scopes, rule, comodel, "create", _dict(values), comodel_of)


def _check_search(rule, model, payload):
    _check_reads(rule, model, _spec_names(payload.get("search_field")))
    try:
        domain = parse_domain(payload.get("search_domain"))
    except ApiError:
        return  # refused by the route itself, with its own message
    names = [term[0].split(".")[0] for term in domain if isinstance(term, tuple)]
    _check_reads(rule, model, names)


def _check_reads(rule, model, names):
    if rule.read_fields is None:
        return
    allowed = rule.read_fields | ALWAYS_READABLE
    outside = sorted({n for n in names if isinstance(n, str) and n not in allowed})
    if outside:
        _refuse(f"read of {', '.join(outside)} on {model}")


def _spec_names(spec):
    try:
        return list(parse_field_spec(spec or []))
    except ApiError:
        return []  # refused by the route itself


def _lines(value):
    if isinstance(value, dict) and isinstance(value.get("records"), list):
        value = value["records"]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and "$ref" not in item]


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _refuse(scope):
    raise ApiError(f"Missing scope: {scope}", 403)
