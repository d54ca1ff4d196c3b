from . import webhook_api_service
