# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Turn records into JSON-safe dicts following a parsed field spec.

One ``read()`` per model and level, whatever the number of records: the
related records of every row are gathered and read together.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from odoo import fields, models

from .errors import ApiError

RELATIONAL = ("many2one", "one2many", "many2many")


def serialize_records(records, spec, with_id=False, original=False, fetched=False):
    """Serialize ``records`` following ``spec`` (see ``parse_field_spec``).

    - plain fields: JSON values; empty ones are ``None`` (booleans stay
      booleans); dates and datetimes are ISO strings (UTC for datetimes);
    - many2one: its id, or ``[{...}]`` (a list with one object) when expanded;
    - one2many / many2many: a list of ids, or of objects when expanded.

    ``original`` renders as the original addon did (Odoo's ``read()``):
    empty values are ``false`` and an unexpanded many2one is
    ``[id, "display name"]``.

    ``fetched``: the top-level fields were read by the query that found
    ``records`` under the caller's access rules (as ``search_fetch`` does):
    formatted from the cache, as ``search_read`` does, without ``read()``'s
    second access check (which costs a query that prefetches every field).
    """
    if not records:
        return []
    check_spec(records, spec)
    names = list(spec)
    if not names:
        rows = [{"id": rid} for rid in records.ids]
    elif fetched:
        rows = records._read_format(names, load=None)
    else:
        rows = records.read(names, load=None)
    for name, sub in spec.items():
        if sub is not None:
            _expand(records, rows, name, sub, original)
    labels = _many2one_labels(records, rows, spec) if original else {}
    result = []
    for row in rows:
        out = {"id": row["id"]} if with_id or "id" in spec else {}
        for name in names:
            if name == "id":
                continue
            value = row[name]
            if name in labels and value:
                out[name] = [value, labels[name].get(value, False)]
            else:
                out[name] = _field_value(records._fields[name], value, original)
        result.append(out)
    return result


def _expand(records, rows, name, sub, original):
    """Replace the ids of field ``name`` in ``rows`` by the serialized
    related records: one read for the related records of all rows."""
    field = records._fields[name]
    related_ids = set()
    for row in rows:
        value = row[name]
        if field.type == "many2one":
            if value:
                related_ids.add(value)
        else:
            related_ids.update(value)
    comodel = records.env[field.comodel_name]
    related = comodel.browse(sorted(related_ids))
    # A related record the caller may not read (a record rule, another
    # company) shows as its id alone instead of failing the whole answer.
    readable = readable_subset(related)
    by_id = {rid: {"id": rid} for rid in related.ids}
    by_id.update(
        zip(
            readable.ids,
            serialize_records(readable, sub, original=original),
            strict=True,
        )
    )
    for row in rows:
        value = row[name]
        if field.type == "many2one":
            row[name] = [by_id[value]] if value else None
        else:
            row[name] = [by_id[rid] for rid in value]


def _many2one_labels(records, rows, spec):
    """{field: {id: display name}} of the unexpanded many2one fields, one
    read per related model. A record the caller may not read gets no name
    (``[id, false]``), as it gets its id alone when expanded."""
    fnames = [
        name
        for name, sub in spec.items()
        if sub is None and records._fields[name].type == "many2one"
    ]
    ids_by_model = defaultdict(set)
    for name in fnames:
        comodel = records._fields[name].comodel_name
        ids_by_model[comodel].update(row[name] for row in rows if row[name])
    names = {}
    for comodel, ids in ids_by_model.items():
        readable = readable_subset(records.env[comodel].browse(sorted(ids)))
        names[comodel] = {
            row["id"]: row["display_name"] for row in readable.read(["display_name"])
        }
    return {name: names[records._fields[name].comodel_name] for name in fnames}


def readable_subset(records):
    """The records of ``records`` the current user may read.

    Record rules are applied in SQL, in one query, as read() applies them:
    records._filtered_access() evaluates them in Python, record by record,
    which costs more than the read itself on thousands of order lines.
    Models that refine _check_access() in Python keep that check.
    """
    if not records or records.env.su:
        return records
    if not records.browse().has_access("read"):
        return records.browse()
    if type(records)._check_access is not models.BaseModel._check_access:
        return records._filtered_access("read")
    # Archived records are readable: read() shows them too.
    found = set(
        records.with_context(active_test=False)._search([("id", "in", records.ids)])
    )
    return records.browse([rid for rid in records.ids if rid in found])


def check_spec(model, spec, path=""):
    """Refuse unknown fields and expansion of non-relational fields (400)."""
    for name, sub in spec.items():
        field = model._fields.get(name)
        if field is None:
            raise ApiError(f"Unknown field '{path}{name}' on model '{model._name}'")
        if sub is not None:
            if field.type not in RELATIONAL:
                raise ApiError(
                    f"Field '{path}{name}' of type {field.type} "
                    "cannot be expanded with {...}"
                )
            check_spec(model.env[field.comodel_name], sub, f"{path}{name}.")


def _field_value(field, value, original=False):
    empty = False if original else None
    if field.type == "boolean":
        return bool(value)
    if field.type in RELATIONAL:
        if isinstance(value, list):  # already expanded, or x2many ids
            return value
        return value or empty
    if value is False or value is None:
        return empty
    return to_jsonable(value)


def to_jsonable(value):
    """Make any value a method may return safe for JSON."""
    if isinstance(value, models.BaseModel):
        return value.ids
    if isinstance(value, datetime.datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, datetime.date):
        return fields.Date.to_string(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value if not isinstance(value, str) else str(value)
    return str(value)
