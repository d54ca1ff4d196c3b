#!/usr/bin/env bash
# Benchmarks (not pass/fail): the webhook API against native JSON-RPC on a
# sale_management database with demo data, one server started the same way
# for every contender (--workers 0, no --db-filter), then benchmark 1 again
# on a server started with --db-filter. Prints the tables.
#   BENCH_ROUNDS=15   interleaved rounds per contender
#   BENCH_ONLY=...    a subset, e.g. outbound or create,search (bench.py --only)
. "$(dirname "$0")/lib.sh"

bash "$ROOT/scripts/bootstrap.sh"
BENCH_DB="${DB_PREFIX}_bench"
mkdir -p "$LOG_DIR"
stamp="$STATE/$BENCH_DB.stamp"
key_file="$STATE/$BENCH_DB.key"

# sale_stock: the recompute benchmark validates deliveries.
BENCH_MODULES="sale_management,sale_stock"
want="$BENCH_MODULES $(addons_hash)"
if ! db_exists "$BENCH_DB" || [ ! -f "$stamp" ]; then
  say "Creating $BENCH_DB: $BENCH_MODULES with demo data and $ADDONS (about 3 minutes)"
  drop_db "$BENCH_DB"
  odoo_bin -d "$BENCH_DB" -i "$BENCH_MODULES,$ADDONS" --stop-after-init --no-http \
    --log-level=warn >"$LOG_DIR/bench-install.log" 2>&1 || die "install failed: see $LOG_DIR/bench-install.log"
  rm -f "$key_file"
elif [ "$(cat "$stamp")" != "$want" ]; then
  say "Updating $BENCH_DB: $BENCH_MODULES installed, $ADDONS updated"
  odoo_bin -d "$BENCH_DB" -i "$BENCH_MODULES" -u "$ADDONS" --stop-after-init --no-http \
    --log-level=warn >"$LOG_DIR/bench-install.log" 2>&1 || die "update failed: see $LOG_DIR/bench-install.log"
fi
echo "$want" >"$stamp"

mapfile -t conn < <(odoo_args)
if [ ! -s "$key_file" ]; then
  # The subcommand must come first: odoo_bin puts the options before it.
  "$PY" "$ODOO_SRC/odoo-bin" shell "${conn[@]}" -d "$BENCH_DB" --no-http --log-level=warn \
    >"$key_file" 2>/dev/null <<'PY'
admin = env.ref("base.user_admin")
print(env["res.users.apikeys"].with_user(admin).sudo()._generate(None, "bench", None))
env.cr.commit()
PY
  [ -s "$key_file" ] || die "could not make an API key for the benchmark"
fi

# start_server LOG [odoo options...]: sets $port and $pid. Started directly
# (not in a subshell) so that $pid is Odoo itself, whose peak memory the
# benchmark reads.
pids=()
# Keeps the script's own exit status: under set -e, a failing kill of a
# server already stopped would otherwise turn a good run into exit 1.
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  exit "$rc"
}
trap cleanup EXIT
start_server() {
  local log="$1"; shift
  port=$(free_port)
  mapfile -t conn < <(odoo_args)
  "$PY" "$ODOO_SRC/odoo-bin" "${conn[@]}" -d "$BENCH_DB" --http-interface 127.0.0.1 \
    --http-port "$port" --workers 0 --max-cron-threads 0 "$@" >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/web/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || die "the server stopped: see $log"
    sleep 0.5
  done
  die "the server did not answer: see $log"
}
stop_server() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }

bench() {  # bench LOG [bench.py options...]
  local log="$1"; shift
  "$PY" "$ROOT/tests/bench/bench.py" --url "http://127.0.0.1:$port" --db "$BENCH_DB" \
    --key "$(tail -n1 "$key_file")" --server-log "$log" --server-pid "$pid" \
    --rounds "${BENCH_ROUNDS:-15}" "$@"
}

say "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB"
log="$LOG_DIR/bench-server.log"
start_server "$log"
say "Server on port $port, -d $BENCH_DB, no --db-filter (log: $log)"
# shellcheck disable=SC2086
bench "$log" --title "Server started with -d $BENCH_DB (no --db-filter)" \
  ${BENCH_ONLY:+--only "$BENCH_ONLY"} "$@"
stop_server

# Production servers that host several databases (and most hosting) run
# with --db-filter: Odoo then lists the databases on every request without
# a session, which costs every JSON-RPC call a connection. Benchmark 1
# again, the same setting for every contender.
if [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *,create,* ]]; then
  log="$LOG_DIR/bench-server-dbfilter.log"
  start_server "$log" --db-filter "^$BENCH_DB\$"
  say "Server on port $port, --db-filter '^$BENCH_DB\$' (log: $log)"
  bench "$log" --title "Server started with --db-filter '^$BENCH_DB\$' (benchmark 1 only)" \
    --only create --rtt-ms 0 "$@"
  stop_server
fi
