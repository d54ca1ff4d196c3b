# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Lookups shared by the operations of one batch.

A batch of 100 upserts would search its 100 ``search_key`` one by one; here
they are searched once per (model, lookup fields) before the first
operation runs, and what any operation's lookup found is kept for the next
ones (the ``ref`` -> id map). An answer kept is the answer a search would
give now, as long as no record of the model changed in a way that could
change it: the ORM hooks in models/base.py report every creation, write,
deletion, recomputation and cache invalidation of a watched field (the
lookup fields, ``active``, ``company_id`` and the fields of the caller's
record rules) while the batch runs, and each one drops the answers of the
record's key before and after the change: the next lookup of those keys
searches again. So an operation that creates or renames a record is seen by
the later operations' lookups, exactly as if each searched.

Not seen, and the reason a model is left out (its lookups always search):
lookup fields that are not plain stored columns, record rules that follow
a relation (``partner_id.user_ids``, ``any``, or an ``_inherits`` parent).
A write by raw SQL that is not followed by an invalidation is not seen
either: Odoo's code invalidates what it writes that way.
"""

from collections import defaultdict

from .converter import record_key_value

# cr.precommit.data key of the batch whose lookups the ORM hooks report to.
# Odoo clears that dictionary on every flush of the cursor (a savepoint, a
# commit) and rollback: the batch registers again right after the flushes
# it makes itself (nothing escapes the hooks during a flush), and any other
# clearing makes it forget every answer kept (see ``serves``).
ACTIVE_KEY = "webhook_fastapi.batch_lookups"
# Context key of the service environment of a batch's operations.
CONTEXT_KEY = "webhook_batch_lookups"
# Operators whose match also depends on the comodel's hierarchy: its
# records are watched too (any change there forgets the group).
HIERARCHY_OPERATORS = ("child_of", "parent_of")


def active_lookups(env):
    """The BatchLookups of the batch running on ``env``'s cursor, or None."""
    return env.cr.precommit.data.get(ACTIVE_KEY)


class Group:
    """The kept answers for one (model, lookup fields): {key: [ids]}."""

    __slots__ = ("names", "watched", "computed", "entries", "keys_of")

    def __init__(self, names, watched, computed):
        self.names = names
        self.watched = watched  # field names whose change can change answers
        self.computed = computed  # the computed stored fields among them
        self.entries = {}  # normalized key -> list of ids, in search order
        self.keys_of = defaultdict(set)  # id -> keys whose answer holds it

    def drop_key(self, key):
        for rid in self.entries.pop(key, ()):
            self.keys_of[rid].discard(key)

    def drop_ids(self, ids):
        for rid in ids:
            for key in self.keys_of.pop(rid, ()):
                self.entries.pop(key, None)

    def clear(self):
        self.entries.clear()
        self.keys_of.clear()


class BatchLookups:
    """Kept lookup answers of one batch, valid for the caller's environment
    only (same user, companies, language and active_test)."""

    def __init__(self, env, company_free_models):
        self.env = env
        self.company_free_models = list(company_free_models)
        self.company_free = frozenset(company_free_models)
        self.signature = self._signature(env)
        self.groups = {}  # (model, names) -> Group, or None: never kept
        self.by_model = defaultdict(list)  # model -> [Group]
        self.deps = defaultdict(list)  # comodel of a hierarchy rule -> [Group]
        self.found = defaultdict(dict)  # model -> {id: None}: one prefetch set
        # Where the running operation's vals are in the batch's body (the
        # paths errors name), set by the batch for each operation.
        self.root = ""

    @staticmethod
    def _signature(env):
        return (
            env.uid,
            env.su,
            env.lang,
            env.context.get("active_test", True),
            tuple(env.companies.ids),
        )

    # -- the batch's life -----------------------------------------------
    def start(self):
        self.env.cr.precommit.data[ACTIVE_KEY] = self

    def is_active(self):
        return active_lookups(self.env) is self

    def stop(self):
        data = self.env.cr.precommit.data
        if data.get(ACTIVE_KEY) is self:
            del data[ACTIVE_KEY]

    def serves(self, env):
        """Whether a converter on ``env`` may use the kept answers. When the
        hooks stopped reporting (a savepoint or a rollback other than the
        batch's own), the answers are forgotten and the batch is watched
        again from there."""
        if self._signature(env) != self.signature:
            return False
        self._ensure_active()
        return True

    def _ensure_active(self):
        """Checked at every use: what changed while the hooks did not
        report cannot be known, so nothing kept before is used."""
        if active_lookups(self.env) is not self:
            for group in self.groups.values():
                if group is not None:
                    group.clear()
            self.found.clear()
            self.start()

    def prefetch_ids(self, model_name):
        """Every record the batch's lookups found in ``model_name``: the
        prefetch set of the records they return, so that reading a field
        of one reads it for all (one query, not one per operation)."""
        return tuple(self.found.get(model_name, ()))

    # -- answers ----------------------------------------------------------
    def group(self, model, names):
        token = (model._name, names)
        if token not in self.groups:
            group, deps = self._make_group(model, names)
            self.groups[token] = group
            if group is not None:
                self.by_model[model._name].append(group)
                for comodel in deps:
                    self.deps[comodel].append(group)
        return self.groups[token]

    def _make_group(self, model, names):
        """(Group or None, comodels to watch whole)."""
        fields = model._fields
        watched = set(names)
        for name in names:
            field = fields[name]
            if name != "id" and (not field.column_type or field.compute):
                return None, ()
        if model._active_name and self.signature[3]:
            watched.add(model._active_name)
        if "company_id" in fields and model._name not in self.company_free:
            watched.add("company_id")
        rules = self._rule_fields(model)
        if rules is None:
            return None, ()
        rule_fields, deps = rules
        watched |= rule_fields
        computed = set()
        for name in watched - {"id"}:
            field = fields.get(name)
            if field is None or not field.store or not field.column_type:
                return None, ()
            if field.compute:
                computed.add(field)
        return Group(names, frozenset(watched), frozenset(computed)), deps

    def _rule_fields(self, model):
        """(fields of ``model`` the caller's read rules test, comodels whose
        hierarchy they test), or None when a rule follows a relation (then
        answers cannot be watched)."""
        if self.env.su:
            return set(), set()
        domain = self.env["ir.rule"]._compute_domain(model._name, "read")
        names, deps = set(), set()
        for term in domain or ():
            if not isinstance(term, list | tuple):
                continue  # '&', '|', '!'
            path, operator = term[0], term[1]
            if path in (0, 1) and not isinstance(path, bool):
                continue  # TRUE_LEAF, FALSE_LEAF
            if (
                not isinstance(path, str)
                or "." in path
                or operator in ("any", "not any")
            ):
                return None
            field = model._fields.get(path)
            if field is None:
                return None
            if operator in HIERARCHY_OPERATORS:
                if field.type != "many2one":
                    return None
                deps.add(field.comodel_name)
            names.add(path)
        return names, deps

    def answer(self, model, names, lookups):
        """Set ``ids`` on the lookups whose answer is kept; the others, to
        search."""
        self._ensure_active()
        group = self.group(model, names)
        if group is None or any(
            self.env.transaction.tocompute.get(field) for field in group.computed
        ):
            return lookups
        missing = []
        for lookup in lookups:
            ids = group.entries.get(lookup.norm_key())
            if ids is None:
                missing.append(lookup)
            else:
                lookup.ids = list(ids)
        return missing

    def keep(self, model, names, lookups):
        """Keep what a search just found for ``lookups``."""
        self._ensure_active()
        group = self.group(model, names)
        found = self.found[model._name]
        for lookup in lookups:
            found.update(dict.fromkeys(lookup.ids))
        if group is None:
            return
        for lookup in lookups:
            key = lookup.norm_key()
            group.drop_key(key)
            group.entries[key] = list(lookup.ids)
            for rid in lookup.ids:
                group.keys_of[rid].add(key)

    # -- what the ORM hooks report ---------------------------------------
    def watches(self, model_name):
        return model_name in self.by_model or model_name in self.deps

    def changing(self, records, fnames=None):
        """Before ``records`` change (fields ``fnames``; None: any): drop
        the answers that hold them."""
        for group in self._touched(records, fnames):
            group.drop_ids(records._ids)

    def changed(self, records, fnames=None):
        """After ``records`` changed or were created: drop the answers of
        their keys now (from the cache; a group whose lookup fields are not
        in the cache is forgotten whole)."""
        for group in self._touched(records, fnames):
            group.drop_ids(records._ids)
            keys = self._keys(records, group.names)
            if keys is None:
                group.clear()
            else:
                for key in keys:
                    group.drop_key(key)

    def forget(self, model_name, fnames=None):
        """Values of the model were invalidated: keep nothing of it."""
        for group in self.by_model.get(model_name, ()):
            if fnames is None or group.watched.intersection(fnames):
                group.clear()

    def _touched(self, records, fnames):
        for group in self.deps.get(records._name, ()):
            group.clear()  # a hierarchy a rule tests may have changed
        groups = self.by_model.get(records._name)
        if not groups:
            return ()
        if fnames is None:
            return groups
        fnames = set(fnames)
        return [g for g in groups if not g.watched.isdisjoint(fnames)]

    def _keys(self, records, names):
        """The normalized lookup keys of ``records`` from the cache, or None
        when a value is not there."""
        cache = self.env.cache
        records = records.with_env(self.env)
        fields = [records._fields[name] for name in names]
        keys = []
        for record in records:
            if not record.id:
                continue
            if not all(
                field.name == "id" or cache.contains(record, field) for field in fields
            ):
                return None
            keys.append(tuple((name, record_key_value(record, name)) for name in names))
        return keys
