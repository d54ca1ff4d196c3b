from .webhook import (
    CallFunctionPayload,
    CallFunctionRequest,
    CallFunctionVals,
    CreateDataRequest,
    CreateDataVals,
    CreateUpdateDataRequest,
    CreateUpdateDataVals,
    SearchDataPayload,
    SearchDataRequest,
    SearchDataVals,
    UpdateDataRequest,
    UpdateDataVals,
    WebhookResponse,
    WebhookResult,
)
from .batch import BATCH_ROUTES, BatchOperation, BatchParams, BatchRequest
