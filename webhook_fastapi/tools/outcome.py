# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dataclasses import dataclass
from typing import Any


@dataclass
class ApiOutcome:
    """What one call came to: returned by every route handler, and made
    from any error; the service turns it into the envelope and the log."""

    status: int = 200
    result: Any = None
    message: str = ""
    record: Any = None  # the recordset the call created, changed or called
    callback_url: str | None = None
    function: str | None = None
    error_trace: str | None = None

    @property
    def is_success(self):
        return self.status < 400
