# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


class ApiError(Exception):
    """An error the caller can fix: carries the HTTP status to answer with.

    Raised by the helpers and the service; turned into the JSON envelope in
    exactly one place (``webhook.api.service._api_handle``).
    """

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self):
        return self.message
