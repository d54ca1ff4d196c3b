from . import test_auth_openapi
from . import test_create_data
from . import test_update_upsert
from . import test_search_data
from . import test_call_function
from . import test_rollback_log
from . import test_query_counts
from . import test_helpers
