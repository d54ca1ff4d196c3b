from . import test_trigger
from . import test_delivery
from . import test_acceptance
from . import test_tour
from . import test_claim
from . import test_dns_pinning
