#!/usr/bin/env bash
# Load (issue 19 item 1; a report, not a test): integrator traffic against
# one Odoo server with 1, 2 and 4 prefork workers, through the webhook API
# and through native JSON-RPC (the baseline), by tests/load/load_driver.py
# (bounded threads + requests; only 127.0.0.1). Runs on a copy of the
# benchmark database (scripts/bench.sh builds it: sale_management and
# sale_stock with demo data, both addons), remade on every run.
#   LOAD_WORKERS=1,2,4   prefork workers of each server
#   LOAD_MODES=api,rpc   contenders
#   LOAD_CLIENTS=8       concurrent clients
#   LOAD_DURATION=20     measured seconds per run (after LOAD_WARMUP=4)
#   LOAD_MAX_OPS=2000    operations per client and run, at most
# Exits 1 when an answer was a 5xx or an API upsert made a duplicate.
. "$(dirname "$0")/lib.sh"

bash "$ROOT/scripts/bootstrap.sh"
BENCH_DB="${DB_PREFIX}_bench"
LOAD_DB="${DB_PREFIX}_load"
key_file="$STATE/$BENCH_DB.key"
stamp="$STATE/$BENCH_DB.stamp"
mkdir -p "$LOG_DIR"
if ! db_exists "$BENCH_DB" || [ ! -s "$key_file" ]; then
  say "Building the benchmark database first (BENCH_ONLY=memory bash scripts/bench.sh)"
  BENCH_ONLY=memory BENCH_ROUNDS=1 bash "$ROOT/scripts/bench.sh" >/dev/null
fi
drop_db "$LOAD_DB"
copy_db "$BENCH_DB" "$LOAD_DB"
trap 'drop_db "$LOAD_DB" || true' EXIT
if [ "$(cat "$stamp" 2>/dev/null)" != "sale_management,sale_stock $(addons_hash)" ]; then
  say "Updating the addons in $LOAD_DB (the benchmark database is older than them)"
  odoo_bin -d "$LOAD_DB" -u "$ADDONS" --stop-after-init --no-http --log-level=warn \
    >"$LOG_DIR/load-update.log" 2>&1 || die "update failed: see $LOG_DIR/load-update.log"
fi
say "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" "$ROOT/tests/load/load_driver.py" --db "$LOAD_DB" --key "$(tail -n1 "$key_file")" \
  --workers "${LOAD_WORKERS:-1,2,4}" --modes "${LOAD_MODES:-api,rpc}" \
  --clients "${LOAD_CLIENTS:-8}" --duration "${LOAD_DURATION:-20}" \
  --warmup "${LOAD_WARMUP:-4}" --max-ops "${LOAD_MAX_OPS:-2000}" \
  --log-dir "$LOG_DIR" --json "$LOG_DIR/load.json" "$@"
