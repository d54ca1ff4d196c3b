from . import test_trigger
from . import test_delivery
