"""Checks shared by the end-to-end suites."""

import threading

# Row counts a refused request must not change (the API log's own Full Log
# attachments excepted: a refused call is logged, and a long one is attached).
COUNTS = {
    "res_partner": "SELECT count(*) FROM res_partner",
    "res_partner_category": "SELECT count(*) FROM res_partner_category",
    "ir_attachment": "SELECT count(*) FROM ir_attachment "
    "WHERE res_model IS DISTINCT FROM 'webhook.log'",
    "ir_config_parameter": "SELECT count(*) FROM ir_config_parameter",
    "product_product": "SELECT count(*) FROM product_product",
    "sale_order": "SELECT count(*) FROM sale_order",
    "sale_order_line": "SELECT count(*) FROM sale_order_line",
}


def row_counts(server):
    """{table: rows} of the tables the API may touch (sale installed)."""
    query = "SELECT " + ", ".join(f"({q})" for q in COUNTS.values())
    return dict(zip(COUNTS, server.sql(query)[0], strict=True))


def assert_error_envelope(body, request_id=None):
    """The documented failure answer, with a message."""
    assert isinstance(body, dict), body
    assert set(body) == {"jsonrpc", "id", "result"}, body
    assert body["jsonrpc"] == "2.0", body
    assert body["id"] == request_id, body
    assert set(body["result"]) == {"is_success", "result", "messages"}, body
    assert body["result"]["is_success"] is False, body
    assert body["result"]["result"] is None, body
    assert isinstance(body["result"]["messages"], str), body
    assert body["result"]["messages"].strip(), body


def assert_refused(server, route, status=None, **api_kwargs):
    """``server.api(route, **api_kwargs)`` is refused: ``status`` (any 4xx
    when None) with the error envelope, no row changed, and one Failed log
    entry with that status. Returns the answer's body."""
    before, first_log = row_counts(server), server.last_log_id()
    code, body = server.api(route, **api_kwargs)
    if status is None:
        assert 400 <= code < 500, body
    else:
        assert code == status, body
    assert_error_envelope(body)
    assert row_counts(server) == before
    [(state, logged)] = server.sql(
        "SELECT state, http_status FROM webhook_log WHERE id > %s", [first_log]
    )
    assert (state, logged) == ("failed", code)
    return body


def in_parallel(count, call):
    """Run ``call(n)`` in ``count`` threads released at once; the answers."""
    barrier = threading.Barrier(count, timeout=60)
    answers = [None] * count

    def run(n):
        barrier.wait()
        answers[n] = call(n)

    threads = [
        threading.Thread(target=run, args=(n,), daemon=True) for n in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
        assert not thread.is_alive(), "a call is stuck: deadlock?"
    return answers


def parallel_upserts(server, ref, count, label):
    """``count`` create_update_data calls of one partner key ``ref`` at the
    same instant (names ``"<label> <n>"``); their (status, body) answers."""

    def upsert(n):
        vals = {
            "search_key": {"ref": ref},
            "payload": {"name": f"{label} {n}", "ref": ref},
        }
        return server.api(
            "create_update_data",
            {"model": "res.partner", "vals": vals},
            headers={"Connection": "close"},
        )

    return in_parallel(count, upsert)


def partner_invoice_rule(server, name, endpoint_url):
    """An outbound rule firing when a partner becomes an invoice address,
    posting its name and type to ``endpoint_url``; returns (id, secret).
    127.0.0.1 is allowed as a target."""
    server.set_param("webhook.outbound_allowed_hosts", '["127.0.0.1"]')
    model_id = server.rpc("ir.model", "search", [("model", "=", "res.partner")])[0]
    rule_id = server.rpc(
        "webhook.outbound.rule",
        "create",
        {
            "name": name,
            "model_id": model_id,
            "domain": "[('type', '=', 'invoice')]",
            "endpoint_source": "static",
            "endpoint_url": endpoint_url,
            "payload_fields": '["name", "type"]',
        },
    )
    [rule] = server.rpc("webhook.outbound.rule", "read", [rule_id], ["secret"])
    return rule_id, rule["secret"]
