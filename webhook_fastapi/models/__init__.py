from . import fastapi_endpoint
from . import webhook_log
from . import webhook_api_service
from . import res_users_apikeys
from . import webhook_upsert_key
