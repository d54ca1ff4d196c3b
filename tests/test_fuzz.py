"""Fuzzing: schemathesis generates requests from the live /api/openapi.json
(every route; bodies that fit the schema and bodies that do not) and sends
them with a valid API key to a real server.

For every case: no 5xx; a 4xx answer is the documented failure envelope
with a message, changes no row of the models the API may touch, and is
logged as one Failed entry; a 200 answer is the success envelope, logged as
Done. Generation is seeded (derandomized), so a run is reproducible.

Generated model names are mostly gibberish, which only exercises the
"unknown model" path: a share of them is replaced, deterministically, by
real models so that the payload handling is fuzzed too.
"""

import hashlib
import json

import pytest
import schemathesis
from helpers.checks import assert_error_envelope, row_counts
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

ROUTES = (
    "create_data",
    "update_data",
    "create_update_data",
    "search_data",
    "call_function",
    "batch",
)
# Cases per route and mode: 6 routes x (40 + 20) = 360 cases. The write
# routes (batch included) document the Idempotency-Key header: schemathesis
# sends generated values of it too.
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 20}
REAL_MODELS = (
    "res.partner",
    "res.partner.category",
    "sale.order",
    "product.product",
    "res.country",  # readable, not writable by the API user
    "ir.config_parameter",  # not readable by the API user
    "webhook.log",  # administrators only
)
STATS = {}


@pytest.fixture(scope="module")
def sale(odoo_servers):
    return odoo_servers(modules=("sale_management",))


@pytest.fixture(scope="module")
def schema(sale):
    return schemathesis.openapi.from_url(f"{sale.url}/api/openapi.json", timeout=60)


def realistic(body):
    """Point most generated bodies at a real model (chosen from a hash of the
    generated name: deterministic)."""
    params = body.get("params") if isinstance(body, dict) else None
    _realistic_model(params)
    # A batch's operations name their models too.
    operations = params.get("operations") if isinstance(params, dict) else None
    for operation in operations if isinstance(operations, list) else ():
        _realistic_model(operation)
    return body


def _batch_report_checked(route, answer):
    """A refused batch reports which operation failed in ``result``
    (``failed_operation``, ``operations``) where other routes answer null:
    checked here, then left out for the common envelope check."""
    result = answer.get("result") if isinstance(answer, dict) else None
    report = result.get("result") if isinstance(result, dict) else None
    if route != "batch" or report is None:
        return answer
    assert isinstance(report.get("failed_operation"), int), answer
    failed = report["operations"][-1]
    assert failed["index"] == report["failed_operation"], answer
    assert 400 <= failed["status"] and not failed["is_success"], answer
    assert all(op["rolled_back"] for op in report["operations"]), answer
    return {**answer, "result": {**result, "result": None}}


def _idempotency_header(case):
    """The generated Idempotency-Key of a write route ({} when none), or
    None when its value cannot be sent as an HTTP header (not latin-1, or
    line breaks)."""
    value = next(
        (v for k, v in (case.headers or {}).items() if k.lower() == "idempotency-key"),
        None,
    )
    if value is None:
        return {}
    try:
        value.encode("latin-1")
    except (UnicodeEncodeError, AttributeError):
        return None
    if "\r" in value or "\n" in value:
        return None
    return {"Idempotency-Key": value}


def _realistic_model(params):
    if isinstance(params, dict) and isinstance(params.get("model"), str):
        digest = hashlib.sha1(params["model"].encode()).digest()[0]
        choice = digest % (len(REAL_MODELS) + 2)
        if choice < len(REAL_MODELS):
            params["model"] = REAL_MODELS[choice]


def fuzz_settings(max_examples):
    """The hypothesis settings of every fuzzing test: seeded from the test
    (reproducible), no example database, no deadline."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def json_body(case):
    """The generated body as JSON text ("" for none), or None when it cannot
    be written as JSON."""
    body = realistic(case.body) if case.body is not None else None
    try:
        return "" if body is None else json.dumps(body)
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
@pytest.mark.parametrize("route", ROUTES)
def test_fuzz_route(sale, schema, route, mode):
    operation = schema[f"/{route}"]["POST"]
    statuses = []

    @fuzz_settings(EXAMPLES[mode])
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        raw = json_body(case)
        if raw is None:
            return  # not representable as JSON: nothing to send
        headers = _idempotency_header(case)
        if headers is None:
            return  # a header value HTTP cannot carry: nothing to send
        before, first_log = row_counts(sale), sale.last_log_id()
        status, answer = sale.api(route, raw=raw, headers=headers)
        statuses.append(status)
        assert status < 500, (raw[:2000], answer)
        logs = sale.sql(
            "SELECT state, http_status FROM webhook_log WHERE id > %s", [first_log]
        )
        body = json.loads(raw) if raw else None
        request_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(request_id, int | str) or isinstance(request_id, bool):
            request_id = None
        if status >= 400:
            assert_error_envelope(_batch_report_checked(route, answer), request_id)
            assert row_counts(sale) == before, (raw[:2000], answer)
            assert logs == [("failed", status)], (raw[:2000], answer)
        else:
            assert status == 200, answer
            assert answer["result"]["is_success"] is True, answer
            assert answer["id"] == request_id, answer
            assert logs == [("done", 200)], (raw[:2000], answer)

    check()
    STATS[(route, mode.value)] = statuses
    assert len(statuses) >= EXAMPLES[mode] // 2, "too few cases were generated"
    if mode is GenerationMode.NEGATIVE:
        assert all(400 <= s < 500 for s in statuses), statuses


def test_fuzz_summary():
    """How many cases ran, and what they got (shown with -rA or on failure)."""
    if len(STATS) < len(ROUTES) * len(EXAMPLES):
        pytest.skip("the fuzz tests did not all run")
    total = sum(len(s) for s in STATS.values())
    by_status = {}
    for statuses in STATS.values():
        for status in statuses:
            by_status[status] = by_status.get(status, 0) + 1
    print(f"schemathesis: {total} cases, statuses {sorted(by_status.items())}")
    assert total >= 150
    assert 200 in by_status, "no generated case succeeded: the fuzzing is too shallow"
