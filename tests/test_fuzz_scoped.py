"""Fuzzing with a scoped integration key: schemathesis bodies for every
route (as tests/test_fuzz.py), sent with the key of an integration that may
only search partners and categories, and create or update partners' name,
email, ref and comment.

For every case: no 5xx; no row of any other table the API could touch
changes, and no partner column outside the scope is written (checked in
the database after each case)."""

import pytest
import schemathesis
from hypothesis import given
from integration_setup import make_integration
from schemathesis.generation import GenerationMode
from test_fuzz import fuzz_settings, json_body

ROUTES = (
    "create_data",
    "update_data",
    "create_update_data",
    "search_data",
    "call_function",
    "batch",
)
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}
WRITABLE = ("name", "email", "ref", "comment")
SCOPES = (
    {
        "model": "res.partner",
        "allow_create": True,
        "allow_update": True,
        "allow_upsert": True,
        "allow_search": True,
        "write_fields": WRITABLE,
        "read_fields": ("name", "email", "ref"),
    },
    {"model": "res.partner.category", "allow_search": True},
)
# Partner columns outside the write scope (what a leak would set).
GUARDED = "phone, street, city, vat, website, function, parent_id, active, type"
OTHER_TABLES = (
    "res_partner_category",
    "res_partner_res_partner_category_rel",
    "res_country",
    "ir_config_parameter",
    "product_product",
    "sale_order",
    "sale_order_line",
)


@pytest.fixture(scope="module")
def sale(odoo_servers):
    return odoo_servers(modules=("sale_management",))


@pytest.fixture(scope="module")
def scoped(sale):
    _id, key = make_integration(sale, "fuzzed", scopes=SCOPES)
    return key


@pytest.fixture(scope="module")
def schema(sale):
    return schemathesis.openapi.from_url(f"{sale.url}/api/openapi.json", timeout=60)


def snapshot(server):
    """Guarded partner columns of every partner, and the other tables'
    contents (a digest per table)."""
    partners = server.sql(f"SELECT id, {GUARDED} FROM res_partner ORDER BY id")
    digest = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
    tables = {
        table: server.sql(f"SELECT {digest} FROM {table} t")[0][0]
        for table in OTHER_TABLES
    }
    return partners, tables


def assert_no_write_outside_scope(before, after):
    old_partners, old_tables = before
    new_partners, new_tables = after
    assert new_tables == old_tables
    old = {row[0]: row for row in old_partners}
    for row in new_partners:
        if row[0] in old:
            assert row == old[row[0]], ("changed outside the scope", row)
        else:
            # A new partner: only scoped fields given, the rest are defaults.
            assert row[1:8] == (None,) * 7, ("created outside the scope", row)


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
@pytest.mark.parametrize("route", ROUTES)
def test_fuzz_scoped_route(sale, scoped, schema, route, mode):
    operation = schema[f"/{route}"]["POST"]
    statuses = []

    @fuzz_settings(EXAMPLES[mode])
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        raw = json_body(case)
        if raw is None:
            return
        before = snapshot(sale)
        status, answer = sale.api(route, raw=raw, key=f"Bearer {scoped}")
        statuses.append(status)
        assert status < 500, (raw[:2000], answer)
        assert_no_write_outside_scope(before, snapshot(sale))

    check()
    assert len(statuses) >= EXAMPLES[mode] // 2, "too few cases were generated"


def test_scoped_key_writes_inside_its_scope(sale, scoped):
    """The fuzz checks are not vacuous: a call inside the scope writes, one
    outside is refused with 403 and writes nothing."""
    before = snapshot(sale)
    inside = {"model": "res.partner", "vals": {"payload": {"name": "Fuzz in"}}}
    status, answer = sale.api("create_data", inside, key=f"Bearer {scoped}")
    assert status == 200, answer
    outside = {"model": "res.partner", "vals": {"payload": {"name": "X", "phone": "1"}}}
    status, answer = sale.api("create_data", outside, key=f"Bearer {scoped}")
    assert status == 403, answer
    assert_no_write_outside_scope(before, snapshot(sale))
