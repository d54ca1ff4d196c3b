# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Turn an API payload into ORM values, for create and write alike.

Work happens in three passes so that lookups cost one query per model and
set of lookup fields, however many lines the payload has:

1. ``prepare()`` walks the payload, checks every plain value against its
   field and registers each relational lookup (``{"name": "X"}``);
2. ``resolve()`` runs one search per (model, lookup fields) group;
3. ``build()`` assembles the values with ids and commands, creating the
   records that ``auto_create`` asks for; ``attach()`` then adds the
   ``attachment_ids`` files to the records created or updated.
"""

from collections import defaultdict

from odoo import Command, fields
from odoo.osv import expression

from .attachments import check_attachments, collect_attachments, is_attachment_list
from .errors import ApiError
from .value_checks import convert_plain

ATTACHMENTS_KEY = "attachment_ids"
AUTO_CREATE_KEY = "auto_create"
MAX_DEPTH = 32
MAGIC_FIELDS = {"id", "create_uid", "create_date", "write_uid", "write_date"}


class Lookup:
    """One record to find: model, lookup values, and what was found."""

    __slots__ = ("model", "key", "path", "ids", "auto_create", "created_id")

    def __init__(self, model, key, path):
        self.model = model
        self.key = key  # tuple of (field name, value) pairs, sorted
        self.path = path
        self.ids = None
        self.auto_create = None  # a Node to create when nothing matches
        self.created_id = None

    def describe(self):
        return "{%s}" % ", ".join(f"{name!r}: {value!r}" for name, value in self.key)

    def norm_key(self):  # as record_key_value reads the records found
        return tuple((name, _norm(value)) for name, value in self.key)


class Node:
    """The prepared values of one record (payload, line or auto-create)."""

    __slots__ = ("model", "vals", "children", "attachments", "path")

    def __init__(self, model, path):
        self.model = model
        self.vals = {}  # field -> plain value, Lookup, or relational plan
        self.children = []  # (o2m field name, [Node]) created under this record
        self.attachments = []
        self.path = path


class PayloadConverter:
    """Converts payloads for one API call (lookups are shared by the call)."""

    def __init__(
        self, env, company_free_models=(), ignore_unknown=False, shared=None, root=""
    ):
        self.env = env
        self.root = root  # in a batch: "params.operations.<i>.vals.", for paths
        self.shared = shared  # in a batch: its kept lookups (batch_lookups.py)
        self.company_free_models = set(company_free_models)
        # The original addon's clients send keys that are not fields and
        # expect them dropped: allowed only when the caller asks, and the
        # paths are kept in ``ignored`` so that the answer can say so.
        self.ignore_unknown = ignore_unknown
        self.ignored = []
        self._lookups = {}

    # -- pass 1 ---------------------------------------------------------
    def prepare(
        self, model_name, payload, auto_create=None, update=False, path="payload"
    ):
        path = self.root + path
        if not isinstance(payload, dict):
            raise ApiError(f"{path} must be an object of field values")
        return self._prepare_node(
            self.env[model_name], payload, auto_create, update, path, 0
        )

    def _prepare_node(self, model, payload, auto_create, update, path, depth):
        if depth > MAX_DEPTH:
            raise ApiError(f"{path}: payload nested deeper than {MAX_DEPTH} levels")
        node = Node(model, path)
        payload = dict(payload)
        if AUTO_CREATE_KEY not in model._fields and AUTO_CREATE_KEY in payload:
            inner = payload.pop(AUTO_CREATE_KEY)
            auto_create = {
                **(auto_create or {}),
                **self._check_auto_create(inner, f"{path}.{AUTO_CREATE_KEY}"),
            }
        auto_create = self._check_auto_create(
            auto_create or {}, f"{path}.{AUTO_CREATE_KEY}"
        )
        for name in auto_create:
            field = model._fields.get(name)
            if field is None or field.type not in ("many2one", "many2many"):
                raise ApiError(
                    f"{path}.{AUTO_CREATE_KEY}.{name}: not a many2one or "
                    f"many2many field of '{model._name}'"
                )
        if ATTACHMENTS_KEY in payload and is_attachment_list(payload[ATTACHMENTS_KEY]):
            node.attachments = check_attachments(
                payload.pop(ATTACHMENTS_KEY), f"{path}.{ATTACHMENTS_KEY}"
            )
        for name, value in payload.items():
            self._prepare_field(node, name, value, auto_create, update, depth)
        return node

    def _prepare_field(self, node, name, value, auto_create, update, depth):
        model, fpath = node.model, f"{node.path}.{name}"
        field = model._fields.get(name)
        if field is None:
            if self.ignore_unknown:
                self.ignored.append(fpath)
                return
            raise ApiError(
                f"Unknown field '{name}' on model '{model._name}' (at {fpath})"
            )
        if name in MAGIC_FIELDS:
            raise ApiError(f"{fpath}: field '{name}' cannot be set")
        if field.type == "many2one":
            node.vals[name] = self._prepare_many2one(
                field, value, auto_create.get(name), fpath, depth
            )
        elif field.type == "many2many":
            node.vals[name] = self._prepare_many2many(
                field, value, auto_create.get(name), fpath, depth
            )
        elif field.type == "one2many":
            mode, children = self._prepare_one2many(field, value, update, fpath, depth)
            node.vals[name] = mode
            node.children.append((name, children))
        else:
            node.vals[name] = convert_plain(model.env, field, value, fpath)

    @staticmethod
    def _check_auto_create(value, path):
        if not isinstance(value, dict) or not all(
            isinstance(v, dict) for v in value.values()
        ):
            raise ApiError(f"{path} must map field names to objects of values")
        return value

    def _lookup(self, comodel, value, auto_values, path, depth):
        if isinstance(value, int) and not isinstance(value, bool):
            value = {"id": value}
        if not isinstance(value, dict) or not value:
            raise ApiError(
                f'{path}: expected an object of lookup values like {{"name": "..."}} '
                f'or {{"id": 5}}, got {value!r}'
            )
        key = []
        for fname, fvalue in value.items():
            field = comodel._fields.get(fname)
            if field is None:
                raise ApiError(
                    f"{path}: unknown lookup field '{fname}' on model '{comodel._name}'"
                )
            # Inherited and related fields (product.product's name) are fine.
            if not field._description_searchable:
                raise ApiError(
                    f"{path}: lookup field '{fname}' of '{comodel._name}' "
                    "cannot be searched"
                )
            if field.type in ("one2many", "many2many") or isinstance(
                fvalue, dict | list
            ):
                raise ApiError(f"{path}.{fname}: lookup values must be plain values")
            if fname == "id":
                if not isinstance(fvalue, int) or isinstance(fvalue, bool):
                    raise ApiError(f"{path}.id: expected an integer, got {fvalue!r}")
                key.append((fname, fvalue))
            elif field.type == "many2one":
                if fvalue not in (None, False) and (
                    not isinstance(fvalue, int) or isinstance(fvalue, bool)
                ):
                    raise ApiError(f"{path}.{fname}: expected an id, got {fvalue!r}")
                key.append((fname, fvalue or False))
            else:
                plain = convert_plain(comodel.env, field, fvalue, f"{path}.{fname}")
                key.append((fname, plain))
        key = tuple(sorted(key))
        token = (comodel._name, key)
        lookup = self._lookups.get(token)
        if lookup is None:
            lookup = self._lookups[token] = Lookup(comodel, key, path)
        if auto_values is not None and lookup.auto_create is None:
            values = {k: v for k, v in dict(key).items() if k != "id"}
            values.update(auto_values)
            lookup.auto_create = self._prepare_node(
                comodel, values, None, False, f"{path}(auto_create)", depth + 1
            )
        return lookup

    def _prepare_many2one(self, field, value, auto_values, path, depth):
        if value in (None, False):
            return False
        return self._lookup(
            self.env[field.comodel_name], value, auto_values, path, depth
        )

    def _prepare_many2many(self, field, value, auto_values, path, depth):
        if value in (None, False):
            return ("replace", [])
        if not isinstance(value, dict) or "records" not in value:
            raise ApiError(
                f'{path}: expected {{"mode": "add"|"replace", "records": [...]}}, '
                f"got {value!r}"
            )
        unknown = set(value) - {"mode", "records"}
        if unknown:
            raise ApiError(
                f"{path}: unknown key(s) {sorted(unknown)}; allowed: mode, records"
            )
        mode = value.get("mode") or "replace"
        if mode not in ("add", "replace"):
            raise ApiError(f"{path}.mode: expected 'add' or 'replace', got {mode!r}")
        records = value["records"]
        if not isinstance(records, list):
            raise ApiError(f"{path}.records must be a list")
        comodel = self.env[field.comodel_name]
        return (
            mode,
            [
                self._lookup(comodel, item, auto_values, f"{path}.records[{i}]", depth)
                for i, item in enumerate(records)
            ],
        )

    def _prepare_one2many(self, field, value, update, path, depth):
        mode = "replace" if update else "add"
        if isinstance(value, dict):
            unknown = set(value) - {"mode", "records"}
            if unknown or "records" not in value:
                raise ApiError(
                    f"{path}: expected a list of objects or "
                    '{"mode": "add"|"replace", "records": [...]}'
                )
            mode = value.get("mode") or "replace"
            if mode not in ("add", "replace"):
                raise ApiError(
                    f"{path}.mode: expected 'add' or 'replace', got {mode!r}"
                )
            value = value["records"]
        if value in (None, False):
            value = []
        if not isinstance(value, list):
            raise ApiError(f"{path}: expected a list of objects, got {value!r}")
        comodel = self.env[field.comodel_name]
        children = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise ApiError(
                    f"{path}[{i}]: expected an object of field values, got {item!r}"
                )
            children.append(
                self._prepare_node(
                    comodel, item, None, False, f"{path}[{i}]", depth + 1
                )
            )
        return ("o2m", mode), children

    # -- pass 2 ---------------------------------------------------------
    def resolve(self):
        """One search per (model, lookup fields) for every pending lookup."""
        groups = defaultdict(list)
        for lookup in self._lookups.values():
            if lookup.ids is None:
                groups[(lookup.model._name, tuple(n for n, _v in lookup.key))].append(
                    lookup
                )
        for (model_name, names), lookups in groups.items():
            model = self.env[model_name]
            if self.shared is not None:
                lookups = self.shared.answer(model, names, lookups)  # noqa: PLW2901
                if not lookups:
                    continue
            if len(names) == 1:
                values = list({lk.key[0][1] for lk in lookups})
                domain = [(names[0], "in", values)]
            else:
                domain = expression.OR(
                    [[(n, "=", v) for n, v in lk.key] for lk in lookups]
                )
            domain = expression.AND([domain, self._company_domain(model)])
            try:
                found = model.search_fetch(domain, [n for n in names if n != "id"])
            except ValueError as exc:  # e.g. a field that cannot be searched that way
                raise ApiError(
                    f"{lookups[0].path}: cannot look up '{model_name}' by "
                    f"{', '.join(names)}: {exc}"
                ) from None
            by_key = defaultdict(list)
            for record in found:
                by_key[tuple((n, record_key_value(record, n)) for n in names)].append(
                    record.id
                )
            for lookup in lookups:
                lookup.ids = by_key.get(lookup.norm_key(), [])
            if self.shared is not None:
                self.shared.keep(model, names, lookups)

    def _company_domain(self, model):
        field = model._fields.get("company_id")
        if field is None or not field.store or model._name in self.company_free_models:
            return []
        return [("company_id", "in", [False, *self.env.companies.ids])]

    # -- pass 3 ---------------------------------------------------------
    def build(self, node):
        """ORM values of ``node``; auto-creates what is missing."""
        self.resolve()
        vals = {}
        for name, value in node.vals.items():
            if isinstance(value, Lookup):
                vals[name] = self._record_id(value, name)
            elif isinstance(value, tuple) and value and value[0] == "o2m":
                mode = value[1]
                children = dict(node.children)[name]
                commands = [Command.clear()] if mode == "replace" else []
                commands += [Command.create(self.build(child)) for child in children]
                vals[name] = commands
            elif isinstance(value, tuple) and value and value[0] in ("add", "replace"):
                mode, lookups = value
                ids = [self._record_id(lk, name) for lk in lookups]
                ids = list(dict.fromkeys(ids))
                vals[name] = (
                    [Command.set(ids)]
                    if mode == "replace"
                    else [Command.link(i) for i in ids]
                )
            else:
                vals[name] = value
        return vals

    def _record_id(self, lookup, fname):
        if lookup.created_id:
            return lookup.created_id
        if len(lookup.ids) == 1:
            return lookup.ids[0]
        if len(lookup.ids) > 1:
            raise ApiError(
                f"{lookup.path}: {len(lookup.ids)} records of "
                f"'{lookup.model._name}' match "
                f"{lookup.describe()} (ids {', '.join(map(str, lookup.ids[:10]))}); "
                "add lookup fields so that exactly one matches"
            )
        if lookup.auto_create is None:
            raise ApiError(
                f"{lookup.path}: no record of '{lookup.model._name}' matches "
                f"{lookup.describe()} "
                f"(give values in auto_create.{fname} to create it)"
            )
        # Concurrent calls auto-creating the same record must create one.
        self.env["webhook.upsert.key"]._lock_creation(
            lookup.model._name, dict(lookup.key)
        )
        record = lookup.model.create(self.build(lookup.auto_create))
        self.attach(lookup.auto_create, record)
        lookup.created_id = record.id
        return record.id

    def attach(self, node, record, previous_ids=None):
        """Create the attachments of ``node`` (and of its one2many lines)
        on ``record``. ``previous_ids`` maps o2m fields to the line ids the
        record had before a write, to tell the new lines apart."""
        todo = []
        collect_attachments(node, record, previous_ids or {}, todo)
        if todo:
            self.env["ir.attachment"].create(todo)


def _norm(value):
    return False if value is None else value


def record_key_value(record, name):
    """The value of ``name`` on ``record`` as a lookup key compares it."""
    if name == "id":
        return record.id
    value = record[name]
    field = record._fields[name]
    if field.type == "many2one":
        return value.id or False
    if field.type == "date" and value:
        return fields.Date.to_string(value)
    if field.type == "datetime" and value:
        return fields.Datetime.to_string(value)
    return value
