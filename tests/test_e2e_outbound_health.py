"""Endpoint health and rate limit on a real server (issue 15, items 2, 3
and 6): a receiver answering 410 Gone disables its endpoint at once (no
more requests, later deliveries wait), and a rule limited to N deliveries
a second never gets more than N in any second at the receiver.
"""

import uuid

from helpers.checks import partner_invoice_rule

CRON = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"
RATE = 4
COUNT = 10
# Arrival times at the receiver vary by the network and the threads a
# little: windows a little shorter than a second.
JITTER = 0.05


def fire(server, tag, count=1):
    """Partners that become invoice addresses: one delivery each."""
    ids = server.rpc(
        "res.partner", "create", [{"name": f"{tag} {i}"} for i in range(count)]
    )
    server.rpc("res.partner", "write", ids, {"type": "invoice"})
    return ids


def test_gone_disables_the_endpoint(odoo, receiver):
    tag = uuid.uuid4().hex[:8]
    rule_id, _secret = partner_invoice_rule(odoo, f"Gone {tag}", receiver.url)
    receiver.reset(default=410)
    fire(odoo, tag)
    odoo.run_cron(CRON)
    receiver.wait_for(1)
    [(state, error)] = odoo.sql(
        "SELECT state, error_message FROM webhook_log WHERE outbound_rule_id = %s",
        [rule_id],
    )
    assert state == "failed" and "410 Gone" in error
    [(health,)] = odoo.sql(
        "SELECT state FROM webhook_outbound_endpoint WHERE rule_id = %s", [rule_id]
    )
    assert health == "disabled"
    fire(odoo, tag + "b")
    odoo.run_cron(CRON)
    assert receiver.count == 1, "nothing more is sent to a disabled endpoint"
    states = odoo.sql(
        "SELECT state FROM webhook_log WHERE outbound_rule_id = %s ORDER BY id",
        [rule_id],
    )
    assert [s for (s,) in states] == ["failed", "pending"]


def test_rate_limit_holds_at_the_receiver(odoo, receiver):
    tag = uuid.uuid4().hex[:8]
    rule_id, _secret = partner_invoice_rule(odoo, f"Rate {tag}", receiver.url)
    odoo.rpc("webhook.outbound.rule", "write", [rule_id], {"rate_limit": RATE})
    fire(odoo, tag, COUNT)
    odoo.run_cron(CRON)  # one run sends them all, waiting for each second
    times = sorted(r["time"] for r in receiver.wait_for(COUNT, timeout=30))
    assert len(times) == COUNT
    for i, start in enumerate(times):
        in_window = [t for t in times[i:] if t < start + 1 - JITTER]
        assert len(in_window) <= RATE, (i, [round(t - times[0], 3) for t in times])
    # And not slower than the limit needs: COUNT / RATE seconds or so.
    assert times[-1] - times[0] < COUNT / RATE + 1
