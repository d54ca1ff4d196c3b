"""An integration's rate limit holds across the workers of a server: it is
counted in PostgreSQL, not in a worker's memory."""

import re
import time

import pytest
from helpers.checks import in_parallel
from integration_setup import make_integration

LIMIT = 10
EXTRA = 5


@pytest.fixture(scope="module")
def workers(odoo_servers):
    return odoo_servers(name="ratelimit", extra_args=("--workers", "2"))


def _answer(server, key, n):
    # A search answers at once: the calls overlap, both workers serve them.
    status, body = server.api(
        "search_data",
        {"model": "res.partner", "vals": {}},
        key=f"Bearer {key}",
    )
    return status, body


def _wait_for_a_fresh_minute(server):
    # Fixed windows on the database clock: stay inside one minute.
    second = server.sql("SELECT extract(second FROM clock_timestamp())")[0][0]
    if second > 40:
        time.sleep(61 - float(second))


def test_limit_holds_across_two_workers(workers):
    _id, key = make_integration(workers, "rated", rate_per_minute=LIMIT)
    _wait_for_a_fresh_minute(workers)
    log_start = workers.log_path.stat().st_size
    answers = in_parallel(LIMIT + EXTRA, lambda n: _answer(workers, key, n))
    statuses = [status for status, _body in answers]
    assert statuses.count(200) == LIMIT, statuses
    assert statuses.count(429) == EXTRA, statuses
    refused = next(body for status, body in answers if status == 429)
    assert "Rate limit" in refused["result"]["messages"]
    with open(workers.log_path, encoding="utf-8", errors="replace") as log:
        log.seek(log_start)
        pids = {
            line.split()[2]
            for line in log
            if "POST /api/search_data" in line and re.match(r"\d{4}-", line)
        }
    assert len(pids) >= 2, f"served by one worker only: {pids}"


def test_headers_of_allowed_and_refused_answers(workers):
    import requests

    _id, key = make_integration(workers, "headers", rate_per_minute=2, rate_per_day=100)
    _wait_for_a_fresh_minute(workers)
    seen = []
    for _n in range(3):
        response = requests.post(
            f"{workers.url}/api/search_data",
            json={"params": {"model": "res.partner", "vals": {}}},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        seen.append(response)
    assert [r.status_code for r in seen] == [200, 200, 429]
    for response in seen:
        assert response.headers["RateLimit-Policy"] == (
            '"minute";q=2;w=60, "day";q=100;w=86400'
        )
    assert re.fullmatch(
        r'"minute";r=1;t=\d+, "day";r=99;t=\d+', seen[0].headers["RateLimit"]
    )
    assert seen[2].headers["RateLimit"].startswith('"minute";r=0;t=')
    assert 1 <= int(seen[2].headers["Retry-After"]) <= 60
