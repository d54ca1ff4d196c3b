from . import webhook_outbound_event
from . import webhook_outbound_rule
from . import webhook_outbound_mixin
from . import webhook_log
from . import ir_cron
