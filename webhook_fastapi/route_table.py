# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The one list of API routes. The router builds its endpoints from it,
the service finds each route's handler in it, the log reads its switch and
what may be replayed from it, and refusals name the routes it holds.

Adding a route is one ``register_route(ApiRoute(...))`` (the router module
exposes ``add_api_route`` that also mounts it) and one handler method on
``webhook.api.service``.
"""

from dataclasses import dataclass

from .schemas import (
    BatchRequest,
    CallFunctionRequest,
    CreateDataRequest,
    CreateUpdateDataRequest,
    SearchDataRequest,
    UpdateDataRequest,
    WebhookResponse,
    responses,
)
from .schemas.examples import EXAMPLES
from .schemas.response_examples import RESPONSE_EXAMPLES


@dataclass(frozen=True)
class ApiRoute:
    name: str  # the path below the endpoint's root: /api/<name>
    request_model: type  # the extendable Pydantic model of the body
    summary: str
    description: str
    example: dict  # {"summary": ..., "value": <a request body>}
    handler: str  # method of webhook.api.service, called with the params
    # A write route: takes the Idempotency-Key header (read routes ignore it).
    writes: bool = False
    # What a success answers, for OpenAPI only: the service builds the
    # answer itself and FastAPI does not validate a returned response.
    response_model: type = WebhookResponse
    response_example: dict | None = None  # a success answer, for the docs
    # What a failure answers, for OpenAPI only.
    error_model: type = responses.ErrorResponse
    # The failure statuses the route documents, beside the ones every
    # route has (routers.webhook.COMMON_ERRORS; 409 for write routes).
    errors: tuple = ()

    @property
    def log_param(self):
        """System parameter that switches this route's logging on or off."""
        return f"webhook.{self.name}_log"


ROUTES = {}


def register_route(route):
    ROUTES[route.name] = route
    return route


def _route(name, models, summary, description, writes=True, errors=()):
    request_model, response_model, *error_model = models
    register_route(
        ApiRoute(
            name,
            request_model,
            summary,
            description,
            EXAMPLES[name],
            f"_route_{name}",
            writes,
            response_model,
            RESPONSE_EXAMPLES[name],
            *error_model,
            errors=errors,
        )
    )


_route(
    "create_data",
    (CreateDataRequest, responses.CreateDataResponse),
    "Create a record",
    "Create one record of any model. Relational values are looked up by any "
    "field (batched), created on demand with `auto_create`, and nested lines "
    "are created with their parent.",
)
_route(
    "update_data",
    (UpdateDataRequest, responses.UpdateDataResponse),
    "Update a record",
    "Update the one record that `search_key` matches: 404 when none, 409 when "
    "several. one2many lists replace the existing lines unless given as "
    '`{"mode": "add", "records": [...]}`.',
    errors=(404,),
)
_route(
    "create_update_data",
    (CreateUpdateDataRequest, responses.CreateUpdateDataResponse),
    "Update a record, or create it",
    "Update the record `search_key` matches, or create it when none does; 409 "
    "when several do. Concurrent calls with the same key create one record.",
)
_route(
    "search_data",
    (SearchDataRequest, responses.SearchDataResponse),
    "Search records",
    "Search with a domain and return the chosen fields, relations expanded to "
    "any depth. Reads are batched: the query count does not grow with the "
    "number of records.",
    writes=False,
)
_route(
    "call_function",
    (CallFunctionRequest, responses.CallFunctionResponse),
    "Call a method",
    "Call a public method on the one record `search_key` matches, with "
    "`parameter` as keyword arguments. The return value is made JSON-safe.",
    errors=(404,),
)
_route(
    "batch",
    (BatchRequest, responses.BatchResponse, responses.BatchErrorResponse),
    "Run several operations in one transaction",
    "Run up to `webhook.batch_max_operations` (default 100) operations of the "
    "five other routes, in order, in one database transaction, each as the "
    "caller with its route's checks. `atomic` true (default): all or nothing; "
    "the first failure undoes everything (whatever `webhook.rollback_*` say) "
    "and the answer has its status and `result.failed_operation`. `atomic` "
    "false: each in its own savepoint, each outcome in `result.operations`. "
    'A later operation uses an earlier result with `{"$ref": "0.result.id"}` '
    "anywhere in its vals; more operations than allowed: 413.",
    errors=(404,),
)
