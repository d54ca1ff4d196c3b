# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The wire format of the original addon (``webhook.response_format =
original``), decided here and nowhere else.

The service asks this module which format a call answers in and how the
original shaped what differs; the handlers, the converter and the
serializer take a flag and never read the parameter themselves. What the
original got wrong (private methods, silent multi-record updates,
tracebacks in messages, unchecked context keys) has no switch here: it is
not part of the format, so ``original`` cannot bring it back.
"""

import logging

_logger = logging.getLogger(__name__)

FORMAT_PARAM = "webhook.response_format"
STRICT = "strict"
ORIGINAL = "original"
FORMATS = (STRICT, ORIGINAL)


def response_format(icp):
    """The configured format; a missing or unknown value means strict (with
    a warning), as for every other parameter: never an error for the caller."""
    raw = icp.get_param(FORMAT_PARAM)
    if raw in (None, False, ""):
        return STRICT
    value = str(raw).strip().lower()
    if value in FORMATS:
        return value
    _logger.warning(
        "System parameter %s=%r is not one of %s: using %s",
        FORMAT_PARAM,
        raw,
        ", ".join(FORMATS),
        STRICT,
    )
    return STRICT


def wire_status(fmt, status):
    """The HTTP status sent: the original answered 200 to everything and
    told failures by ``is_success: false`` alone. The truthful status stays
    in the call's log entry."""
    return 200 if fmt == ORIGINAL else status


def default_search_fields(model):
    """What the original returned for search_data without search_field:
    every field, here the stored fields the caller may read. Binary fields
    are left out (a search of 100 partners would carry 100 images); name
    them in search_field to get them."""
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.type != "binary" and field.is_accessible(model.env)
    ]


def update_result(ids, search_key, fields_result):
    """update_data's result in the original's shape: the ids in a list, the
    search_key values, then the result_field values."""
    result = {"id": list(ids)}
    for source in (search_key or {}, fields_result or {}):
        result.update((k, v) for k, v in source.items() if k != "id")
    return result


def ignored_keys_message(paths):
    """The note that makes ignored payload keys visible in the answer."""
    return f"ignored unknown field(s): {', '.join(paths)}"


class CallNotes:
    """What one call did quietly that its answer must still tell (payload
    keys ignored in original mode). Carried in the call's context; compared
    by identity, so that two calls never share an environment, and so their
    notes."""

    __slots__ = ("messages",)

    def __init__(self):
        self.messages = []

    def add(self, message):
        self.messages.append(message)

    def append_to(self, message):
        return "; ".join([message, *self.messages]) if self.messages else message
