# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiOutcome:
    """What one call came to: returned by every route handler, and made
    from any error; the service turns it into the envelope and the log."""

    status: int = 200
    result: Any = None
    message: str = ""
    record: Any = None  # the recordset the call created, changed or called
    function: str | None = None
    error_trace: str | None = None
    # Values an extension adds to the call's log entry (fields it defines).
    log_values: dict = field(default_factory=dict)
    # Set when the answer's success differs from what ``status`` says: the
    # original format answers success to an update that matches nothing,
    # while the log keeps the status of the strict format.
    success: bool | None = None
    # Paging keys added beside ``result`` in the answer (search_data:
    # has_more, next_cursor, count).
    page: dict | None = None
    # A kept answer sent as it is (an idempotent replay): no new envelope.
    response: dict | None = None

    @property
    def is_success(self):
        return self.status < 400 if self.success is None else self.success
