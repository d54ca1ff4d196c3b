# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The inbound request bodies, extended with where this record's webhooks
go: the documented way for an addon to add a field to a route's body."""

from typing import Annotated

from pydantic import Field

from odoo.addons.webhook_fastapi.schemas import CreateDataVals, CreateUpdateDataVals

CallbackUrl = Annotated[
    str | None,
    Field(
        description="http(s) URL the outbound webhooks of this record go to "
        "(rules whose endpoint is the record's callback URL).",
        examples=["https://example.com/hooks/partner"],
    ),
]


class CreateDataCallbackVals(CreateDataVals, extends=True):
    callback_url: CallbackUrl = None


class CreateUpdateDataCallbackVals(CreateUpdateDataVals, extends=True):
    callback_url: CallbackUrl = None
