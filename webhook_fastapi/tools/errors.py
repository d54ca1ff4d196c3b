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


def check_no_nul(value, path="body"):
    """Refuse NUL characters (U+0000) anywhere in a parsed JSON body, keys
    included: PostgreSQL cannot store them, so they are bad input (400),
    not a server error."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(f"{path}: NUL characters (\\u0000) are not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_no_nul(key, f"{path} (a key)")
            check_no_nul(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_no_nul(item, f"{path}[{index}]")
