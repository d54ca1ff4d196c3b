# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from typing import Annotated

from extendable_pydantic import StrictExtendableBaseModel
from pydantic import Field

from odoo.addons.webhook_fastapi.route_table import ApiRoute
from odoo.addons.webhook_fastapi.routers.webhook import add_api_route
from odoo.addons.webhook_fastapi.schemas import CreateDataVals
from odoo.addons.webhook_fastapi.schemas.webhook import JsonRpcRequest, ModelName


class CreateDataNoteVals(CreateDataVals, extends=True):
    """A field added to create_data's body."""

    note: Annotated[str | None, Field(description="Stored as the comment.")] = None


class CountDataParams(StrictExtendableBaseModel):
    model: ModelName


class CountDataRequest(JsonRpcRequest):
    params: CountDataParams


add_api_route(
    ApiRoute(
        name="count_data",
        request_model=CountDataRequest,
        summary="Count records",
        description="How many records of `model` the caller can read.",
        example={
            "summary": "Count partners",
            "value": {"params": {"model": "res.partner"}},
        },
        handler="_route_count_data",
    )
)
