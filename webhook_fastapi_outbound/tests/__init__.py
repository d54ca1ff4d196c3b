from . import test_trigger
