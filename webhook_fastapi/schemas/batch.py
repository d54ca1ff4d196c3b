# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The body of POST /api/batch (extendable like the others)."""

from typing import Annotated, Any, Literal

from extendable_pydantic import StrictExtendableBaseModel
from pydantic import Field

from .webhook import JsonRpcRequest, ModelName

# The routes a batch may hold: the five of the API, never a batch.
BATCH_ROUTES = (
    "create_data",
    "update_data",
    "create_update_data",
    "search_data",
    "call_function",
)


class BatchOperation(StrictExtendableBaseModel):
    route: Annotated[
        Literal[BATCH_ROUTES],
        Field(description="The route this operation runs (no nested batch)."),
    ]
    model: ModelName
    vals: Annotated[
        dict[str, Any],
        Field(
            description="The route's `vals`, checked by the route's own schema. "
            'Anywhere in it, `{"$ref": "<index>.<path>"}` stands for a value of '
            'an earlier operation\'s answer, e.g. `{"$ref": "0.result.id"}` '
            'or `{"$ref": "2.result.0.id"}` (search_data); an object with '
            "`$ref` must have no other key.",
        ),
    ] = Field(default_factory=dict)


class BatchParams(StrictExtendableBaseModel):
    operations: Annotated[
        list[BatchOperation],
        Field(
            min_length=1,
            description="Run in this order, as the caller, each with the "
            "checks of its route. At most `webhook.batch_max_operations` "
            "(default 100): more is refused with 413.",
        ),
    ]
    atomic: Annotated[
        bool,
        Field(
            description="true (default): all or nothing, the first failure "
            "undoes every operation and the answer has its status; false: each "
            "operation in its own savepoint, each outcome reported, answer 200.",
        ),
    ] = True


class BatchRequest(JsonRpcRequest):
    params: BatchParams
