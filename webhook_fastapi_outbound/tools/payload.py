# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The body of a delivery, built from a rule's payload fields."""

import json

from odoo.addons.webhook_fastapi.tools.field_spec import parse_field_spec
from odoo.addons.webhook_fastapi.tools.serializer import serialize_records

from .template import render_template


def build_payloads(spec, records):
    """[(payload, problems)] in the order of ``records`` for ``spec`` (the
    rule's parsed payload fields: None, a field list or a template),
    serialized in batch by the inbound API's serializer."""
    if spec is None:
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
