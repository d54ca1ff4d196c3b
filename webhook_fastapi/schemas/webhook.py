# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Request and response models of the webhook API.

They are extendable models: another addon adds a field by subclassing one
of them (``class MyVals(CreateDataVals, extends=True): ...``), the way
Odoo models are inherited.
"""

from typing import Annotated, Any

from extendable_pydantic import StrictExtendableBaseModel
from pydantic import Field

FieldList = Annotated[
    list[str],
    Field(
        description="Field names; `field{sub1,sub2}` expands a relational field, "
        "to any depth, e.g. `order_line{product_id{name},price_unit}`.",
        examples=[["name", "partner_id{name,email}"]],
    ),
]
SearchKey = Annotated[
    dict[str, Any],
    Field(
        description="Exact-match lookup values; exactly one record must match "
        '(archived records never do). Example: `{"ref": "EXT-001"}` or `{"id": 5}`.',
        examples=[{"ref": "EXT-001"}],
    ),
]
Payload = Annotated[
    dict[str, Any],
    Field(
        description='Field values. many2one: `{"<field>": value}` lookup or an id; '
        'many2many: `{"mode": "add"|"replace", "records": [...]}`; one2many: '
        'a list of objects (or `{"mode": "add", "records": [...]}` to keep '
        'existing lines on update); `attachment_ids`: `[{"name", "datas"|"url"}]` '
        "at any level.",
    ),
]
AutoCreate = Annotated[
    dict[str, dict[str, Any]] | None,
    Field(
        description="Per many2one/many2many field: values to create the related "
        "record with when its lookup finds nothing (lookup values are added).",
    ),
]
ResultField = Annotated[
    list[str] | None,
    Field(description="Fields to return beside `id`, same syntax as `search_field`."),
]
ModelName = Annotated[
    str,
    Field(description="Technical name of the Odoo model.", examples=["res.partner"]),
]


class JsonRpcRequest(StrictExtendableBaseModel):
    """Envelope of every request. `jsonrpc`, `method` and `id` are accepted
    so that clients written for a JSON-RPC controller work unchanged; `id`
    is echoed back."""

    jsonrpc: str | None = None
    method: str | None = None
    id: int | str | None = None


class CreateDataVals(StrictExtendableBaseModel):
    payload: Payload
    auto_create: AutoCreate = None
    result_field: ResultField = None


class CreateDataParams(StrictExtendableBaseModel):
    model: ModelName
    vals: CreateDataVals


class CreateDataRequest(JsonRpcRequest):
    params: CreateDataParams


class UpdateDataVals(StrictExtendableBaseModel):
    search_key: SearchKey
    payload: Payload
    auto_create: AutoCreate = None
    result_field: ResultField = None


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


class WebhookResponse(StrictExtendableBaseModel):
    """Every answer, success or failure; the HTTP status tells which."""

    jsonrpc: str = "2.0"
    id: int | str | None = None
    result: WebhookResult
