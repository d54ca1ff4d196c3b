# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The pieces every route's body shares, as named schemas: OpenAPI lists
each once in ``components`` and the routes refer to it (``$ref``), so that
generated clients get one type for each, not one per route.

Validation is unchanged by the naming: a named type alias validates as the
type it names, and ``DocumentedAs`` only documents (its value is validated
as ``Any``, as before; the service checks it and answers 400).
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic_core import core_schema
from typing_extensions import NotRequired, TypeAliasType, TypedDict


class DocumentedAs:
    """``Annotated[Any, DocumentedAs(T)]``: validated (and serialized) as
    ``Any``, documented as ``T``. For values the service checks itself,
    where a typed validation would change its answers (422 for 400) and
    its cost."""

    def __init__(self, documented):
        self.documented = documented
        self._adapter = None

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.any_schema(
            metadata={"pydantic_js_annotation_functions": [self._json_schema]}
        )

    def _json_schema(self, _schema, handler):
        # A core schema of its own (definitions included), made when the
        # document is: the model's core schema never holds it.
        if self._adapter is None:
            self._adapter = TypeAdapter(self.documented)
        return handler(self._adapter.core_schema)


PlainValue = str | int | float | bool | None

Lookup = TypeAliasType(
    "Lookup",
    Annotated[
        dict[str, Annotated[Any, DocumentedAs(PlainValue)]],
        Field(
            min_length=1,
            description="Finds one record by exact values of its fields (any "
            "searchable field; archived records never match), e.g. "
            '`{"ref": "EXT-001"}`, `{"code": "TH"}`, `{"id": 5}`. Values are '
            "plain: a string, number, boolean or null (a many2one field takes "
            "an id).",
            examples=[{"ref": "EXT-001"}],
        ),
    ],
)


class X2ManyCommand(TypedDict):
    """The value of a many2many field, or of a one2many field that should
    keep or replace its lines explicitly."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    mode: NotRequired[
        Annotated[
            Literal["add", "replace"] | None,
            Field(
                description="`replace` (default, also when null): the field "
                "holds exactly `records` afterwards; `add`: `records` are added "
                "to what it holds.",
            ),
        ]
    ]
    records: Annotated[
        list[int | Lookup | dict[str, Any]],
        Field(
            description="many2many: records to link, each a lookup or an id; "
            "one2many: the lines to create, each an object of field values "
            "(as `payload`).",
        ),
    ]


PayloadValue = (
    X2ManyCommand
    | Lookup
    | list[Any]
    | str
    | int
    | float
    | bool
    | dict[str, Any]
    | None
)

Payload = TypeAliasType(
    "Payload",
    Annotated[
        dict[str, Annotated[Any, DocumentedAs(PayloadValue)]],
        Field(
            description="Field values of the record, by field name. many2one: a "
            "`Lookup` or an id; many2many: an `X2ManyCommand`; one2many: a list "
            "of objects of field values (lines to create), or an "
            "`X2ManyCommand` to keep existing lines on update; "
            '`attachment_ids`: `[{"name", "datas"|"url"}]` at any level; other '
            "fields: their value.",
            examples=[
                {
                    "name": "ACME Ltd",
                    "country_id": {"code": "TH"},
                    "category_id": {"mode": "add", "records": [{"name": "VIP"}]},
                }
            ],
        ),
    ],
)

AutoCreate = TypeAliasType(
    "AutoCreate",
    Annotated[
        dict[str, Payload],
        Field(
            description="Per many2one or many2many field of `payload`: the "
            "values to create the related record with when its lookup finds "
            "nothing (the lookup's values are added).",
            examples=[{"category_id": {}, "parent_id": {"is_company": True}}],
        ),
    ],
)

ModelName = TypeAliasType(
    "ModelName",
    Annotated[
        str,
        Field(
            description="Technical name of the Odoo model.",
            examples=["res.partner"],
        ),
    ],
)


class JsonRpcRequestEnvelope(BaseModel):
    """What every request body may carry besides `params`. `jsonrpc`,
    `method` and `id` are accepted so that clients written for a JSON-RPC
    controller work unchanged; `id` is echoed back."""

    jsonrpc: Annotated[Literal["2.0"] | None, Field(description='"2.0" when sent.')] = (
        None
    )
    method: Annotated[str | None, Field(description="Ignored.")] = None
    id: Annotated[
        int | str | None, Field(description="Echoed back in the answer's `id`.")
    ] = None


class JsonRpcResponseEnvelope(BaseModel):
    """What every answer carries besides `result`."""

    jsonrpc: Literal["2.0"] = "2.0"
    id: Annotated[
        int | str | None, Field(description="The request's `id`, or null.")
    ] = None


def envelope_json_schema(envelope, schema, handler):
    """The JSON schema of a model that has the fields of ``envelope`` and
    its own (``schema`` as pydantic made it): ``allOf`` the envelope's
    component and an object of its own fields, rather than the envelope's
    fields copied into each route's model. ``unevaluatedProperties`` keeps
    it closed to other keys, as the model is. A model with no field of its
    own is left as it is."""
    target = handler.resolve_ref_schema(schema)
    properties = target.get("properties") or {}
    own = {k: v for k, v in properties.items() if k not in envelope.model_fields}
    if not own or "allOf" in target:
        return schema
    # The generator itself, not the handler: the envelope must become a
    # component (a $ref), not be inlined.
    ref = handler.generate_json_schema.generate_inner(envelope.__pydantic_core_schema__)
    part = {"type": "object", "properties": own}
    required = [name for name in target.get("required", ()) if name in own]
    if required:
        part["required"] = required
    kept = {k: target[k] for k in ("title", "description") if k in target}
    target.clear()
    target.update(kept, allOf=[ref, part], unevaluatedProperties=False)
    return schema
