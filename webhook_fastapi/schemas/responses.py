# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The documented answers of each route.

Only for OpenAPI: the service builds its JSON answers itself and the routes
return them as responses, which FastAPI neither validates nor filters. A
typed ``result`` lets generated clients and validators know what a
success holds, and ``ErrorResponse`` what a failure does.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .webhook import WebhookResponse, WebhookResult

# Any JSON value, spelled out so that the schema is typed (a bare Any gives
# the empty schema, which clients turn into an untyped value).
AnyJson = dict[str, Any] | list[Any] | str | int | float | bool | None


class RecordResult(BaseModel):
    """A record: its id, and the values of the fields asked for
    (`result_field` or `search_field`), relations as nested objects."""

    # Other keys are the requested field values, whatever the model.
    model_config = ConfigDict(extra="allow")

    id: Annotated[int, Field(description="The record's database id.")]


class RecordWebhookResult(WebhookResult):
    result: Annotated[
        RecordResult | None,
        Field(description="The record written: `id` and the `result_field` values."),
    ] = None


class CreateDataResponse(WebhookResponse):
    result: RecordWebhookResult


class UpdateDataResponse(WebhookResponse):
    result: RecordWebhookResult


class CreateUpdateDataResponse(WebhookResponse):
    result: RecordWebhookResult


class SearchWebhookResult(WebhookResult):
    result: Annotated[
        list[RecordResult] | None,
        Field(description="The page of records, with the `search_field` values."),
    ] = None


class SearchDataResponse(WebhookResponse):
    result: SearchWebhookResult


class CallWebhookResult(WebhookResult):
    result: Annotated[
        AnyJson, Field(description="The method's return value, made JSON-safe.")
    ] = None


class CallFunctionResponse(WebhookResponse):
    result: CallWebhookResult


class BatchOperationResult(BaseModel):
    """One operation's outcome, as its route alone would answer it."""

    # A search_data operation adds its page keys (count, next_cursor...).
    model_config = ConfigDict(extra="allow")

    index: int
    route: str
    model: str
    status: Annotated[int, Field(description="The HTTP status of this operation.")]
    is_success: bool
    result: Annotated[AnyJson, Field(description="The route's `result`.")] = None
    messages: str = ""
    rolled_back: Annotated[
        bool | None,
        Field(description="Atomic batch that failed: this operation was undone."),
    ] = None


class BatchResult(BaseModel):
    atomic: bool
    operations: list[BatchOperationResult]
    succeeded: Annotated[int | None, Field(description="On success.")] = None
    failed: Annotated[int | None, Field(description="On success.")] = None
    failed_operation: Annotated[
        int | None,
        Field(description="Atomic batch that failed: the index of the failure."),
    ] = None


class BatchWebhookResult(WebhookResult):
    result: Annotated[
        BatchResult | None, Field(description="Each operation's outcome.")
    ] = None


class BatchResponse(WebhookResponse):
    result: BatchWebhookResult


class PreconditionFailed(BaseModel):
    """409 of `if_unmodified_since`: the record as it is now."""

    id: int
    write_date: Annotated[
        str,
        Field(
            description="The record's current write_date, with microseconds "
            "(UTC): read the record again, then retry with it.",
            examples=["2025-01-31 10:20:31.654321"],
        ),
    ]


class ErrorWebhookResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_success: Literal[False]
    result: Annotated[
        PreconditionFailed | None,
        Field(
            description="null, but for a 409 of `if_unmodified_since`: the "
            "record's id and current write_date."
        ),
    ] = None
    messages: Annotated[str, Field(description="What is wrong.")]


class ErrorResponse(WebhookResponse):
    """Any failure (4xx, 5xx): nothing was done, the message says why."""

    result: ErrorWebhookResult


class BatchErrorWebhookResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_success: Literal[False]
    result: Annotated[
        BatchResult | None,
        Field(
            description="An atomic batch whose operation failed: each "
            "operation's outcome (all undone) and `failed_operation`; null "
            "when the batch itself was refused."
        ),
    ] = None
    messages: Annotated[str, Field(description="What is wrong.")]


class BatchErrorResponse(WebhookResponse):
    """A refused batch, or an atomic one whose operation failed (its status)."""

    result: BatchErrorWebhookResult
