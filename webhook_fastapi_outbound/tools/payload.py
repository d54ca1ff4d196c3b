# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The body of a delivery, built from a rule's payload fields."""

import json
from typing import Any, NamedTuple

from odoo.addons.webhook_fastapi.tools.field_spec import parse_field_spec
from odoo.addons.webhook_fastapi.tools.serializer import serialize_records

from .template import render_template


class DeliveryRow(NamedTuple):
    """What a delivery needs of its record: the body to send (or why there
    is none), unresolved template paths, and where it goes. Kept as JSON in
    a deletion's event, since the record is gone when the job runs."""

    res_id: int
    payload: Any = None
    problems: tuple = ()
    url: str | None = None
    error: str | None = None


def build_payloads(spec, records):
    """[(payload, problems)] in the order of ``records`` for ``spec`` (the
    rule's parsed payload fields: None, a field list or a template),
    serialized in batch by the inbound API's serializer. No field at all
    still identifies the record: ``{"id": ...}``."""
    if not spec:
        return [({"id": rid}, set()) for rid in records.ids]
    if isinstance(spec, list):
        return [
            (row, set()) for row in serialize_records(records, parse_field_spec(spec))
        ]
    result = []
    for record in records:  # prefetching reads each field once for all records
        problems = set()
        result.append((render_template(spec, record, problems), problems))
    return result


def encode_body(payload):
    """The exact text POSTed on every attempt (compact, UTF-8 kept)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def envelope(event_type, timestamp, model, res_id, payload):
    """Standard Webhooks' recommended shape: the event's type and time, and
    ``data`` that always says which record it is about."""
    data = {"id": res_id, "model": model}
    if isinstance(payload, dict):
        data.update((k, v) for k, v in payload.items() if k not in data)
    else:
        data["value"] = payload
    return {"type": event_type, "timestamp": timestamp, "data": data}
