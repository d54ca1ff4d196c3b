from . import schemas
from . import models
