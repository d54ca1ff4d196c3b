from . import webhook_outbound_test
from . import webhook_original_import
from . import webhook_original_import_logs
from . import webhook_original_migration
from . import webhook_outbound_resend
