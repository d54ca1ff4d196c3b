# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The sending job's claim of due deliveries (webhook_outbound_queue.py
runs it) and the turn that serializes the claims of several servers."""

import zlib

# Due deliveries, ranked per target URL (the share of the pool) and per rule
# and URL (a rate-limited endpoint's room): see _claim. The outer conditions
# are checked again on the newest version of a row that another server
# leased and committed since this statement began (READ COMMITTED, see
# CLAIM_TURN), so that such a row is skipped, not leased twice. The ranked
# ids are an ARRAY, computed once: with those conditions beside an IN, the
# planner ran the ranking once per pending row on a backlog whose statistics
# were not analysed yet (620 ms for 1,000 rows instead of 4).
CLAIM_QUERY = """WITH room AS (%(room)s)
   SELECT id FROM webhook_log AS d
    WHERE d.id = ANY(ARRAY(
        SELECT ranked.id FROM (
            SELECT d.id, d.target_url, d.outbound_rule_id,
                   row_number() OVER (
                       PARTITION BY d.target_url
                       ORDER BY d.next_attempt_date NULLS FIRST, d.id
                   ) AS rank,
                   row_number() OVER (
                       PARTITION BY d.outbound_rule_id, d.target_url
                       ORDER BY d.next_attempt_date NULLS FIRST, d.id
                   ) AS rule_rank
              FROM webhook_log AS d
             WHERE d.log_type = 'send' AND d.state = 'pending'
               AND (d.next_attempt_date IS NULL
                    OR d.next_attempt_date <= %(now)s
                    OR %(orphaned)s)
               AND %(in_order)s AND %(claimable)s
        ) AS ranked
        LEFT JOIN unnest(%(urls)s::text[], %(counts)s::int[])
               AS busy(url, n) ON busy.url = ranked.target_url
        LEFT JOIN room ON room.rule_id = ranked.outbound_rule_id
                      AND room.url = ranked.target_url
         WHERE ranked.rank + coalesce(busy.n, 0) <= %(per_target)s
                   + CASE WHEN room.rule_id IS NULL THEN %(ahead)s ELSE 0 END
           AND ranked.rule_rank <= coalesce(room.n, ranked.rule_rank)
    ))
      AND d.state = 'pending'
      AND (d.next_attempt_date IS NULL OR d.next_attempt_date <= %(now)s
           OR %(orphaned)s)
 ORDER BY d.next_attempt_date NULLS FIRST, d.id
    LIMIT %(limit)s
      FOR UPDATE SKIP LOCKED"""

# What the claim would take if no other worker held any row (see _due_left).
UNLOCKED_CLAIM_QUERY = CLAIM_QUERY.replace("FOR UPDATE SKIP LOCKED", "")

# The ranks count every due row (the share must see the whole backlog), so
# two servers claiming at the same moment rank the same first rows: the one
# whose claim is not yet committed holds them, and the other would take
# nothing. The claims of all servers on a database take turns: a claim's
# transaction begins with this lock (held until its lease is committed, a
# few milliseconds) and reads at READ COMMITTED, so that its ranks are
# taken after the previous claim's leases are committed, not from a
# snapshot older than them (Odoo's REPEATABLE READ snapshot is taken at a
# transaction's first query: here the lock's, taken before the wait).
# The wait is bounded: a claim stuck behind a lock of its own (ms otherwise)
# does not stop the other servers' sending; they claim without their turn
# (SKIP LOCKED keeps that safe) until it is gone.
CLAIM_LOCK_KEY = zlib.crc32(b"webhook_fastapi_outbound.claim")
CLAIM_WAIT_MS = 10000
CLAIM_TURN = f"""SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
SET LOCAL lock_timeout = {CLAIM_WAIT_MS};
SELECT pg_advisory_xact_lock({CLAIM_LOCK_KEY})"""
