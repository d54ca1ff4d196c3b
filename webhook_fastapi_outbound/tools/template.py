# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Payload templates: a JSON object whose string values may hold
``{field.path}`` placeholders filled from the record.

- a string that is exactly one placeholder becomes the JSON value of the path
  (number, boolean, list, null...);
- placeholders inside longer text are replaced by their text ("" for null);
- every other value passes through unchanged.

A path that cannot be resolved gives null and is reported in ``problems``,
never an exception: a delivery must not block the save of a record.
"""

import re

from odoo import models

from odoo.addons.webhook_fastapi.tools.serializer import to_jsonable

PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\}")
WHOLE = re.compile(r"^\{([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\}$")


def template_paths(template):
    """Every placeholder path used in ``template``, in order, once."""
    found = []

    def walk(value):
        if isinstance(value, str):
            for path in PLACEHOLDER.findall(value):
                if path not in found:
                    found.append(path)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(template)
    return found


def path_problem(model, path):
    """Why ``path`` cannot be resolved on ``model`` (a recordset), or None."""
    current = model
    for name in path.split("."):
        if current is None:
            return f"{{{path}}}: '{name}' follows a field that is not relational"
        field = current._fields.get(name)
        if field is None:
            return f"{{{path}}}: no field '{name}' on model '{current._name}'"
        current = current.env[field.comodel_name] if field.relational else None
    return None


def resolve_path(record, path, problems):
    """The JSON value of ``path`` on one record."""
    problem = path_problem(record, path)
    if problem:
        problems.add(problem)
        return None
    value = record
    field = None
    many = False  # once a step is to-many, the value is a list
    for name in path.split("."):
        field = value._fields[name]
        many = many or field.type in ("one2many", "many2many")
        # mapped(): a recordset for relational fields, a list otherwise.
        value = value.mapped(name)
    if isinstance(value, models.BaseModel):
        return value.ids if many else (value[:1].id or None)
    values = [_json_value(field, v) for v in value]
    return values if many else (values[0] if values else None)


def _json_value(field, value):
    if field.type == "boolean":
        return bool(value)
    if value is False or value is None:
        return None
    return to_jsonable(value)


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_template(template, record, problems):
    """``template`` with its placeholders filled from ``record``."""
    if isinstance(template, str):
        whole = WHOLE.match(template)
        if whole:
            return resolve_path(record, whole.group(1), problems)
        return PLACEHOLDER.sub(
            lambda m: _as_text(resolve_path(record, m.group(1), problems)), template
        )
    if isinstance(template, dict):
        return {
            key: render_template(value, record, problems)
            for key, value in template.items()
        }
    if isinstance(template, list):
        return [render_template(value, record, problems) for value in template]
    return template
