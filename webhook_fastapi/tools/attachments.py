# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``attachment_ids`` in a payload, at any level: checked when the payload
is prepared, created once the records exist."""

from .errors import ApiError
from .value_checks import is_base64

URL_SCHEMES = ("http://", "https://")


def is_attachment_list(value):
    return isinstance(value, list) and all(
        isinstance(v, dict) and ("datas" in v or "url" in v) for v in value
    )


def check_attachments(items, path):
    checked = []
    for i, item in enumerate(items):
        ipath = f"{path}[{i}]"
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ApiError(f"{ipath}.name: a file name is required")
        unknown = set(item) - {"name", "datas", "url", "mimetype", "description"}
        if unknown:
            raise ApiError(f"{ipath}: unknown key(s) {sorted(unknown)}")
        vals = {"name": name}
        if "datas" in item:
            datas = item["datas"]
            if not is_base64(datas):
                raise ApiError(f"{ipath}.datas: not valid base64")
            vals.update(type="binary", datas=datas)
        else:
            url = item["url"]
            if not isinstance(url, str) or not url.lower().startswith(URL_SCHEMES):
                raise ApiError(
                    f"{ipath}.url: only http(s) URLs are accepted, got {url!r}"
                )
            vals.update(type="url", url=url)
        for extra in ("mimetype", "description"):
            if isinstance(item.get(extra), str):
                vals[extra] = item[extra]
        checked.append(vals)
    return checked


def collect_attachments(node, record, previous_ids, todo):
    """Append to ``todo`` the attachment values of ``node`` on ``record``
    and, recursively, of its new one2many lines (``previous_ids``: the line
    ids each one2many had before a write)."""
    for vals in node.attachments:
        todo.append({**vals, "res_model": record._name, "res_id": record.id})
    for fname, children in node.children:
        if not any(has_attachments(child) for child in children):
            continue
        before = set(previous_ids.get(fname, ()))
        new_lines = sorted(line for line in record[fname].ids if line not in before)
        # Lines are inserted in command order, so ids follow it too.
        for child, line_id in zip(children, new_lines, strict=False):
            collect_attachments(child, record[fname].browse(line_id), {}, todo)


def has_attachments(node):
    return bool(node.attachments) or any(
        has_attachments(child) for _f, children in node.children for child in children
    )
