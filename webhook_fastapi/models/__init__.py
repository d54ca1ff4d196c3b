from . import fastapi_endpoint
from . import webhook_log
from . import webhook_log_replay
from . import webhook_api_service
from . import webhook_api_auth
from . import webhook_api_routes
from . import webhook_api_format
from . import webhook_upsert_key
