"""Small helpers with no HTTP in them, shared by the service and the
outbound addon: payload conversion, the ``field{sub}`` spec parser, the
record serializer and search_domain parsing."""

from .errors import ApiError
from .field_spec import parse_field_spec
from .serializer import serialize_records, to_jsonable
from .domain import check_domain_fields, parse_domain, parse_order
