# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Request and response models of the webhook API.

They are extendable models: another addon adds a field by subclassing one
of them (``class MyVals(CreateDataVals, extends=True): ...``), the way
Odoo models are inherited.
"""

from typing import Annotated, Any, Literal

from extendable_pydantic import StrictExtendableBaseModel
from pydantic import Field, model_serializer

from .shared import (
    AutoCreate,
    JsonRpcRequestEnvelope,
    JsonRpcResponseEnvelope,
    Lookup,
    ModelName,
    Payload,
    envelope_json_schema,
)

FieldList = Annotated[
    list[str],
    Field(
        description="Field names; `field{sub1,sub2}` expands a relational field, "
        "to any depth, e.g. `order_line{product_id{name},price_unit}`.",
        examples=[["name", "partner_id{name,email}"]],
    ),
]
SearchKey = Annotated[
    Lookup,
    Field(
        description="The record to work on: exactly one must match (404 when "
        "none, 409 when several).",
    ),
]
ResultField = Annotated[
    list[str] | None,
    Field(description="Fields to return beside `id`, same syntax as `search_field`."),
]


class JsonRpcRequest(StrictExtendableBaseModel):
    """Envelope of every request. `jsonrpc`, `method` and `id` are accepted
    so that clients written for a JSON-RPC controller work unchanged; `id`
    is echoed back."""

    # Optional (and None by default, so that the body as logged is
    # unchanged), but when sent it must be "2.0".
    jsonrpc: Literal["2.0"] | None = None
    method: str | None = None
    id: int | str | None = None

    @classmethod
    def __get_pydantic_json_schema__(cls, schema, handler):
        # The envelope is one component that each route's body refers to.
        return envelope_json_schema(JsonRpcRequestEnvelope, handler(schema), handler)


class CreateDataVals(StrictExtendableBaseModel):
    payload: Payload
    auto_create: AutoCreate | None = None
    result_field: ResultField = None


class CreateDataParams(StrictExtendableBaseModel):
    model: ModelName
    vals: CreateDataVals


class CreateDataRequest(JsonRpcRequest):
    params: CreateDataParams


IfUnmodifiedSince = Annotated[
    str | None,
    Field(
        description="Precondition: the record's `write_date` as you last read it "
        "(search_data with `precise_write_date: true` gives it with microseconds; "
        "`YYYY-MM-DD HH:MM:SS` and ISO forms are accepted, UTC unless they carry "
        "an offset). When the record was written since, nothing is written and "
        "the answer is 409 with the current `write_date` in `result`. Without "
        "microseconds the comparison is to the second: a write later in that "
        "same second goes unseen. Ignored when create_update_data creates.",
        examples=["2025-01-31 10:20:30.123456"],
        max_length=40,
    ),
]


class UpdateDataVals(StrictExtendableBaseModel):
    search_key: SearchKey
    payload: Payload
    auto_create: AutoCreate | None = None
    result_field: ResultField = None
    if_unmodified_since: IfUnmodifiedSince = None


class UpdateDataParams(StrictExtendableBaseModel):
    model: ModelName
    vals: UpdateDataVals


class UpdateDataRequest(JsonRpcRequest):
    params: UpdateDataParams


class CreateUpdateDataVals(UpdateDataVals):
    """The same as update_data's; its own class, so that other addons can
    extend the upsert's body alone."""


class CreateUpdateDataParams(StrictExtendableBaseModel):
    model: ModelName
    vals: CreateUpdateDataVals


class CreateUpdateDataRequest(JsonRpcRequest):
    params: CreateUpdateDataParams


class SearchDataPayload(StrictExtendableBaseModel):
    search_field: Annotated[
        list[str] | None,
        Field(
            description="Fields to return; `field{sub1,sub2}` expands relations. "
            "Default: `id` and `display_name`.",
            examples=[
                ["name", "partner_id{name,email}", "order_line{product_id,price_unit}"]
            ],
        ),
    ] = None
    search_domain: Annotated[
        str | list | None,
        Field(
            description="Odoo domain, as a literal string "
            "`\"[('state', '=', 'sale')]\"` or a JSON list. Never evaluated as code.",
        ),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            ge=0,
            description="At most this many records "
            "(capped by `webhook.search_max_limit`).",
        ),
    ] = None
    offset: Annotated[int, Field(ge=0)] = 0
    order: Annotated[
        str | None,
        Field(
            description="`field [asc|desc]` items separated by commas.",
            examples=["name asc, id desc"],
        ),
    ] = None
    count: Annotated[
        bool,
        Field(description="Add `count`, the number of records the domain matches."),
    ] = False
    cursor: Annotated[
        str | None,
        Field(
            description="The `next_cursor` of the previous page, with the same "
            "model, domain and order: the next page, by keyset (stable while "
            "records are added or deleted). Not with `offset`.",
            examples=["eyJ2IjpbIkFjbWUiLDQyXSwi..."],
        ),
    ] = None
    precise_write_date: Annotated[
        bool,
        Field(
            description="Return `write_date` (when asked in `search_field`) with "
            "microseconds, the value `if_unmodified_since` compares exactly.",
        ),
    ] = False

    @model_serializer(mode="wrap")
    def _drop_unused_paging(self, handler):
        # The body as logged (and replayed): these keys only when used, so
        # that the entries of ordinary searches stay as they were.
        data = handler(self)
        for name in ("count", "cursor", "precise_write_date"):
            if not data.get(name):
                data.pop(name, None)
        return data


class SearchDataVals(StrictExtendableBaseModel):
    payload: SearchDataPayload = Field(default_factory=SearchDataPayload)


class SearchDataParams(StrictExtendableBaseModel):
    model: ModelName
    vals: SearchDataVals = Field(default_factory=SearchDataVals)


class SearchDataRequest(JsonRpcRequest):
    params: SearchDataParams


class CallFunctionPayload(StrictExtendableBaseModel):
    method: Annotated[
        str,
        Field(description="A public method of the model.", examples=["action_post"]),
    ]
    parameter: Annotated[
        dict[str, Any] | None, Field(description="Keyword arguments.")
    ] = None
    context: Annotated[
        dict[str, Any] | None,
        Field(
            description="Merged into the context; keys that would bypass "
            "security are refused."
        ),
    ] = None


class CallFunctionVals(StrictExtendableBaseModel):
    search_key: SearchKey
    payload: CallFunctionPayload


class CallFunctionParams(StrictExtendableBaseModel):
    model: ModelName
    vals: CallFunctionVals


class CallFunctionRequest(JsonRpcRequest):
    params: CallFunctionParams


class WebhookResult(StrictExtendableBaseModel):
    is_success: bool
    result: Annotated[
        Any, Field(description="The route's data; `null` on failure.")
    ] = None
    messages: Annotated[str, Field(description="What happened, or what is wrong.")] = ""
    has_more: Annotated[
        bool | None,
        Field(description="search_data: whether more records follow this page."),
    ] = None
    next_cursor: Annotated[
        str | None,
        Field(
            description="search_data: pass it as `cursor` for the next page "
            "(null on the last page, or when the order cannot be paged by keyset)."
        ),
    ] = None
    count: Annotated[
        int | None,
        Field(description='search_data with `"count": true`: records matching.'),
    ] = None


class WebhookResponse(StrictExtendableBaseModel):
    """Every answer, success or failure; the HTTP status tells which."""

    jsonrpc: Literal["2.0"] = "2.0"
    id: int | str | None = None
    result: WebhookResult

    @classmethod
    def __get_pydantic_json_schema__(cls, schema, handler):
        return envelope_json_schema(JsonRpcResponseEnvelope, handler(schema), handler)
