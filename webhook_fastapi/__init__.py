from . import fastapi_dispatcher
from . import models
