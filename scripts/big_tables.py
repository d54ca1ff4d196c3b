#!/usr/bin/env python3
"""Big tables (issue 19 item 3; a report, not a test): 1,000,000 API log
entries and 1,000,000 outbound deliveries (one attempt each) in a scratch
copy of the addons' database, then EXPLAIN ANALYZE of what the UI, the
queue and the retention job run on them.

    .venv/bin/python scripts/big_tables.py [--db NAME] [--rows N] [--keep]
        [--indexes]

--db       scratch database (default webhook_big_tables; made from
           ``scripts/db.sh addons-db``, filled with INSERT ... SELECT
           generate_series; reused when it already has the rows)
--indexes  also create the proposed indexes, ANALYZE, and measure again
--ui       also time what the web client calls to open the lists and
           dashboards, through an Odoo server (big_tables_ui.py)
--keep     keep the database (default: dropped at the end: about 2 GB)

Queries are those Odoo generates for: the API Logs list (no filter, order
id desc, 80 rows, count limited to 10,001 as the web client asks), the two
dashboards' lists (log type + last 7 days), a rule's deliveries, failed
deliveries, the queue's claim and wake-up, and one batch of the retention
job (its search, its count, and a DELETE of 1,000 rows in a transaction
rolled back). Times are the median of 3 runs, warm cache.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "webhook_fastapi_outbound" / "models"))

PG = {
    "host": os.environ.get("DB_HOST", "127.0.0.1"),
    "port": int(os.environ.get("DB_PORT", "5432")),
    "user": os.environ.get("DB_USER", "odoo"),
    "password": os.environ.get("DB_PASSWORD", "odoo"),
}

# The indexes proposed (issue 19 item 3): name -> SQL. The inbound one is
# declared in webhook_fastapi/models/webhook_log.py (init()); the outbound
# ones belong in webhook_fastapi_outbound/models/webhook_log.py's init().
PROPOSED = {
    # A rule's deliveries, newest first (the rule's Deliveries button).
    "webhook_log_rule_id_desc_idx": "CREATE INDEX IF NOT EXISTS "
    "webhook_log_rule_id_desc_idx ON webhook_log (outbound_rule_id, id DESC) "
    "WHERE outbound_rule_id IS NOT NULL",
    # The claim and the wake-up: the few pending deliveries, in due order.
    "webhook_log_pending_due_idx": "CREATE INDEX IF NOT EXISTS "
    "webhook_log_pending_due_idx ON webhook_log (next_attempt_date, id) "
    "WHERE log_type = 'send' AND state = 'pending'",
    # Log type + newest first (both dashboards' lists, failed deliveries).
    "webhook_log_type_id_idx": "CREATE INDEX IF NOT EXISTS "
    "webhook_log_type_id_idx ON webhook_log (log_type, id DESC)",
}

FILL = """
INSERT INTO webhook_outbound_rule
       (name, model_id, domain, endpoint_source, endpoint_url, payload_format,
        retry_schedule, send_as_user_id, active, timeout, max_attempts,
        create_uid, write_uid, create_date, write_date)
SELECT 'Big tables ' || n, (SELECT id FROM ir_model WHERE model = 'res.partner'),
       '[]', 'static', 'http://127.0.0.1:9/hook', 'bare', '10s, 1m, 10m', 1, true,
       10, 5, 1, 1, now(), now()
  FROM generate_series(1, 20) AS n;

-- API calls and deliveries interleaved as on a live server (id follows
-- date, the two kinds alternate), one entry every 2.5 s over 58 days:
-- calls 5 %% failed; deliveries 2 %% failed, the newest 1,000 pending (due).
INSERT INTO webhook_log
       (date, log_type, route, model_name, state, http_status, duration_ms,
        user_id, request_preview, response_preview, request_size,
        outbound_rule_id, target_url, webhook_msg_id, payload_json,
        attempt_count, last_attempt_date, next_attempt_date, res_model, res_id,
        lease_pid, create_uid, write_uid, create_date, write_date)
SELECT at, kind,
       CASE WHEN kind = 'receive' THEN (ARRAY['create_data','update_data',
            'create_update_data','search_data','call_function'])[1 + m %% 5] END,
       CASE WHEN kind = 'receive' THEN 'res.partner' END,
       CASE WHEN kind = 'receive' AND m %% 20 = 0 THEN 'failed'
            WHEN kind = 'receive' THEN 'done'
            WHEN m <= 1000 THEN 'pending' WHEN m %% 50 = 0 THEN 'failed'
            ELSE 'done' END,
       CASE WHEN kind = 'receive' AND m %% 20 = 0 THEN 400
            WHEN kind = 'receive' THEN 200
            WHEN m <= 1000 THEN NULL WHEN m %% 50 = 0 THEN 500 ELSE 200 END,
       CASE WHEN kind = 'receive' THEN 20 + m %% 50 ELSE 15 END,
       CASE WHEN kind = 'receive' THEN 2 END,
       CASE WHEN kind = 'receive' THEN '{"params": {"model": "res.partner", '
            || '"vals": {"payload": {"name": "x"}}}}' END,
       CASE WHEN kind = 'receive' THEN '{"result": {"is_success": true}}' END,
       CASE WHEN kind = 'receive' THEN 80 END,
       CASE WHEN kind = 'send' THEN (SELECT min(id) FROM webhook_outbound_rule)
            + m %% 20 END,
       CASE WHEN kind = 'send' THEN 'http://127.0.0.1:9/hook' END,
       CASE WHEN kind = 'send' THEN 'msg_' || md5(m::text) END,
       CASE WHEN kind = 'send' THEN '{"name": "x"}' END,
       CASE WHEN kind = 'send' AND m > 1000 THEN 1 WHEN kind = 'send' THEN 0 END,
       CASE WHEN kind = 'send' AND m > 1000 THEN at END,
       CASE WHEN kind = 'send' AND m <= 1000
            THEN now() at time zone 'UTC' - interval '1 second' END,
       CASE WHEN kind = 'send' THEN 'res.partner' END,
       CASE WHEN kind = 'send' THEN 1 + m END,
       CASE WHEN kind = 'send' THEN 0 END, 1, 1, at, at
  FROM (SELECT n, (n + 1) / 2 AS m,
               CASE WHEN n %% 2 = 0 THEN 'receive' ELSE 'send' END AS kind,
               now() at time zone 'UTC' - (n * interval '2.5 seconds') AS at
          FROM generate_series(2 * %(rows)s, 1, -1) AS n) AS g;  -- newest last

INSERT INTO webhook_outbound_attempt
       (delivery_id, rule_id, target_url, attempt_date, attempt_number,
        http_status, duration_ms)
SELECT id, outbound_rule_id, target_url, date, 1, http_status, 15
  FROM webhook_log WHERE log_type = 'send' AND state != 'pending';
"""


def claim_query():
    """The queue's claim as webhook_outbound_queue.py builds it, with the
    default policy fragments (nothing held back, no rate limit)."""
    source = (ROOT / "webhook_fastapi_outbound/tools/claim.py").read_text()
    query = re.search(r'CLAIM_QUERY = """(.*?)"""', source, re.S).group(1)
    not_behind = """(d.is_test OR d.res_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM webhook_log AS e
         WHERE e.log_type = 'send' AND e.state = 'pending'
           AND e.outbound_rule_id = d.outbound_rule_id
           AND e.res_id = d.res_id AND e.id < d.id AND e.is_test IS NOT TRUE))"""
    orphaned = """(d.lease_pid > 0 AND NOT EXISTS (
        SELECT 1 FROM pg_stat_activity AS a WHERE a.pid = d.lease_pid))"""
    values = {
        "room": "SELECT NULL::int AS rule_id, NULL::text AS url, 0 AS n WHERE FALSE",
        "now": "(now() at time zone 'UTC')",
        "orphaned": orphaned,
        "in_order": not_behind,
        "claimable": "TRUE",
        "urls": "ARRAY[]::text[]",
        "counts": "ARRAY[]::int[]",
        "per_target": "64",
        "ahead": "64",
        "limit": "100",
    }
    query = query.replace("%(urls)s::text[]", values["urls"])
    query = query.replace("%(counts)s::int[]", values["counts"])
    for key, value in values.items():
        query = query.replace(f"%({key})s", value)
    return query, not_behind


def queries(cr):
    cr.execute("SELECT min(id) + 3 FROM webhook_outbound_rule")
    rule_id = cr.fetchone()[0]
    week = "(now() at time zone 'UTC' - interval '7 days')"
    old = "(now() at time zone 'UTC' - interval '30 days')"
    claim, not_behind = claim_query()
    count = "SELECT count(*) FROM (SELECT 1 FROM webhook_log WHERE {} LIMIT 10001) c"
    return {
        "API Logs list (80, id desc)": "SELECT id FROM webhook_log "
        "ORDER BY id DESC LIMIT 80",
        "API Logs list count (<= 10,001)": count.format("TRUE"),
        "API calls list: receive, last 7 days": "SELECT id FROM webhook_log WHERE "
        f"log_type = 'receive' AND date >= {week} ORDER BY id DESC LIMIT 80",
        "API calls count: receive, last 7 days": count.format(
            f"log_type = 'receive' AND date >= {week}"
        ),
        "Deliveries list: send, last 7 days": "SELECT id FROM webhook_log WHERE "
        f"log_type = 'send' AND date >= {week} ORDER BY id DESC LIMIT 80",
        "Deliveries count: send, last 7 days": count.format(
            f"log_type = 'send' AND date >= {week}"
        ),
        "A rule's deliveries (80, id desc)": "SELECT id FROM webhook_log WHERE "
        f"outbound_rule_id = {rule_id} ORDER BY id DESC LIMIT 80",
        "Failed deliveries (80, id desc)": "SELECT id FROM webhook_log WHERE "
        "log_type = 'send' AND state = 'failed' ORDER BY id DESC LIMIT 80",
        "Queue: claim (100 due of 1,000 pending)": claim.replace(
            "FOR UPDATE SKIP LOCKED", ""
        ),
        "Queue: wake-up (next due, events left)": "SELECT min(next_attempt_date), "
        "EXISTS (SELECT 1 FROM webhook_outbound_event) FROM webhook_log AS d WHERE "
        f"log_type = 'send' AND state = 'pending' AND {not_behind} AND TRUE",
        "Retention: count of old entries": "SELECT count(*) FROM webhook_log WHERE "
        f"date < {old} AND state != 'pending'",
        "Retention: ids of 100 batches": "SELECT id FROM webhook_log WHERE "
        f"date < {old} AND state != 'pending' ORDER BY id LIMIT 100000",
    }


def explain(cr, sql, runs=3):
    times, plan = [], None
    for _ in range(runs):
        cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        rows = [r[0] for r in cr.fetchall()]
        times.append(float(re.search(r"Execution Time: ([\d.]+)", rows[-1]).group(1)))
        plan = rows
    return statistics.median(times), plan


def delete_batch(conn):
    """One retention batch: 1,000 of the oldest entries deleted (their
    attempts cascade, their attachments looked up), rolled back."""
    with conn.cursor() as cr:
        cr.execute(
            "SELECT id FROM webhook_log WHERE state != 'pending' ORDER BY id LIMIT 1000"
        )
        ids = [r[0] for r in cr.fetchall()]
        start = time.perf_counter()
        cr.execute(
            "SELECT id FROM ir_attachment WHERE res_model = 'webhook.log' "
            "AND res_id = ANY(%s)",
            [ids],
        )
        cr.execute("DELETE FROM webhook_log WHERE id = ANY(%s)", [ids])
        elapsed = (time.perf_counter() - start) * 1000
    conn.rollback()
    return elapsed


def measure(conn, label):
    print(f"\n== {label}")
    with conn.cursor() as cr:
        for name, sql in queries(cr).items():
            ms, plan = explain(cr, sql)
            top = next(
                (line.strip() for line in plan if re.search(r"Scan|Sort", line)), ""
            )
            print(f"{ms:10.2f} ms  {name}\n{'':14}{top[:110]}")
    conn.rollback()
    ms = statistics.median(delete_batch(conn) for _ in range(3))
    print(f"{ms:10.2f} ms  Retention: DELETE of one batch of 1,000 (rolled back)")


def unindexed_foreign_keys(cr):
    cr.execute(
        """SELECT c.conrelid::regclass, a.attname
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.confrelid = 'webhook_log'::regclass AND c.contype = 'f'
              AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid
                                 AND i.indkey[0] = c.conkey[1])"""
    )
    return cr.fetchall()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="webhook_big_tables")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--indexes", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--ui", action="store_true", help="time the web client's calls")
    parser.add_argument(
        "--template", help="copy this database (default: scripts/db.sh addons-db)"
    )
    return parser.parse_args()


def ensure_db(args, db_sh):
    """Make the scratch database, a copy of the template, unless it exists."""
    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db])
        exists = cr.fetchone()
    conn.close()
    if not exists:
        template = (
            args.template
            or subprocess.run(
                [*db_sh, "addons-db"], check=True, stdout=subprocess.PIPE, text=True
            ).stdout.strip()
        )
        subprocess.run([*db_sh, "copy", template, args.db], check=True)


def fill(conn, rows):
    """Fill the tables up to ``rows`` log entries (unless they have them),
    vacuum and analyze them, and say what they hold."""
    with conn.cursor() as cr:
        cr.execute("SELECT count(*) FROM webhook_log")
        if cr.fetchone()[0] < rows:
            start = time.monotonic()
            cr.execute(FILL, {"rows": rows})
            conn.commit()
            print(f"filled in {time.monotonic() - start:.0f} s")
        conn.autocommit = True
        cr.execute("VACUUM ANALYZE webhook_log")
        cr.execute("VACUUM ANALYZE webhook_outbound_attempt")
        conn.autocommit = False
        describe(cr)
    conn.rollback()


def describe(cr):
    cr.execute(
        "SELECT log_type, state, count(*) FROM webhook_log "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    )
    print("rows:", ", ".join(f"{t}/{s}: {n}" for t, s, n in cr.fetchall()))
    cr.execute("SELECT pg_size_pretty(pg_total_relation_size('webhook_log'))")
    print("webhook_log size:", cr.fetchone()[0])
    print(
        "foreign keys to webhook_log without an index:",
        unindexed_foreign_keys(cr),
    )


def create_proposed_indexes(conn):
    conn.autocommit = True
    with conn.cursor() as cr:
        for sql in PROPOSED.values():
            cr.execute(sql)
        cr.execute("ANALYZE webhook_log")
    conn.autocommit = False


def main():
    args = parse_args()
    db_sh = ["bash", str(ROOT / "scripts" / "db.sh")]
    ensure_db(args, db_sh)
    conn = psycopg2.connect(dbname=args.db, **PG)
    try:
        fill(conn, args.rows)
        measure(conn, "indexes as installed")
        if args.indexes:
            create_proposed_indexes(conn)
            measure(conn, "with the proposed indexes: " + ", ".join(PROPOSED))
    finally:
        conn.close()
    if args.ui:
        from big_tables_ui import measure_ui  # starts Odoo: only when asked

        measure_ui(args.db)
    if not args.keep:
        subprocess.run([*db_sh, "drop", args.db], check=True)


if __name__ == "__main__":
    main()
