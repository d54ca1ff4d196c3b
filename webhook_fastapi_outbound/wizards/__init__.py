from . import webhook_outbound_test
