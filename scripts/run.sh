#!/usr/bin/env bash
# Start Odoo on a demo database with the addons installed.
#
#   scripts/run.sh               foreground (Ctrl-C stops it)
#   scripts/run.sh --background  detached; returns once /api/openapi.json answers
#   scripts/run.sh --stop        stop the detached server
#
# RUN_BACKGROUND=1 is the same as --background.
. "$(dirname "$0")/lib.sh"

PID_FILE="$STATE/run.pid"
RUN_LOG="$LOG_DIR/odoo-run.log"
KEY_FILE="$STATE/demo_api_key"
DEMO_STAMP="$STATE/demo-$DEMO_DB.stamp"
BASE_URL="http://$HTTP_HOST:$HTTP_PORT"

# The request shown to the user: the one place to change it.
demo_curl() {
  cat <<EOF
curl -sS -X POST $BASE_URL/api/create_data -H 'Authorization: Bearer $1' -H 'Content-Type: application/json' -d '{"params": {"model": "res.partner", "vals": {"payload": {"name": "ACME from curl", "category_id": {"records": [{"name": "API"}]}}, "auto_create": {"category_id": {}}, "result_field": ["name", "category_id{name}"]}}}'
EOF
}

bg_pid() {
  local pid
  [ -f "$PID_FILE" ] && pid=$(cat "$PID_FILE") && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

stop_bg() {
  local pid
  if pid=$(bg_pid); then
    say "Stopping the background Odoo (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE" "$STATE/run.port"
}

check_port() {
  port_busy "$HTTP_HOST" "$HTTP_PORT" || return 0
  local pid
  if pid=$(bg_pid) && [ "$(cat "$STATE/run.port" 2>/dev/null)" = "$HTTP_PORT" ]; then
    die "Port $HTTP_PORT is taken by the background Odoo started by 'make run-bg' (pid $pid): run 'make stop' first."
  fi
  die "Port $HTTP_PORT on $HTTP_HOST is already in use: stop the program using it, or pick another port (HTTP_PORT=8070 make run)."
}

# Create, complete or upgrade the demo database; stamp what was done.
ensure_demo_db() {
  local log="$LOG_DIR/demo-setup.log" want installed missing=() a action=()
  mkdir -p "$LOG_DIR"
  want=$(addons_hash)
  if ! db_exists "$DEMO_DB"; then
    say "Creating the demo database $DEMO_DB with demo data and $ADDONS (about a minute; log: $log)"
    rm -f "$DEMO_STAMP" "$KEY_FILE"
    action=(-i "$ADDONS")
  else
    installed=$(psql_db "$DEMO_DB" -c "SELECT name FROM ir_module_module WHERE state='installed'" 2>/dev/null) \
      || die "Database $DEMO_DB exists but is not an Odoo database: drop it ('make clean' or dropdb) or set DEMO_DB to another name."
    while read -r a; do grep -qx "$a" <<<"$installed" || missing+=("$a"); done < <(addon_list)
    if [ ${#missing[@]} -gt 0 ]; then
      say "Installing $(IFS=,; echo "${missing[*]}") in $DEMO_DB (log: $log)"
      action=(-i "$(IFS=,; echo "${missing[*]}")")
    elif [ "$(cat "$DEMO_STAMP" 2>/dev/null)" != "$(db_uuid "$DEMO_DB") $want" ]; then
      say "The addons changed since the last run: upgrading them in $DEMO_DB (log: $log)"
      action=(-u "$ADDONS")
    fi
  fi
  if [ ${#action[@]} -gt 0 ]; then
    if ! odoo_bin -d "$DEMO_DB" "${action[@]}" --stop-after-init --no-http >"$log" 2>&1; then
      "$PY" "$ROOT/scripts/devtools.py" check-log "$log" --mode install >&2 || true
      die "Setting up $DEMO_DB failed (errors above; full log: $log)."
    fi
    echo "$(db_uuid "$DEMO_DB") $want" >"$DEMO_STAMP"
  fi
}

ensure_demo_user() {
  local log="$LOG_DIR/demo-user.log" key old=""
  [ -f "$KEY_FILE" ] && old=$(cat "$KEY_FILE")
  local args=(); mapfile -t args < <(odoo_args)
  if ! key=$(DEMO_API_KEY="$old" "$PY" "$ROOT/scripts/demo_setup.py" "${args[@]}" -d "$DEMO_DB" \
      --log-level=warn 2>"$log"); then
    tail -n 20 "$log" >&2
    die "Creating the integration user failed: see $log"
  fi
  [ -n "$key" ] || die "No API key was returned: see $log"
  if [ "$key" != "$old" ]; then
    say "New API key for api_integration saved in $KEY_FILE"
    (umask 077 && printf '%s\n' "$key" >"$KEY_FILE")
  fi
  API_KEY="$key"
}

banner() {
  cat <<EOF

  Odoo 18 with $ADDONS
  database:  $DEMO_DB (demo data; admin / admin)
  web:       $BASE_URL/web
  swagger:   $BASE_URL/api/docs
  user:      api_integration (groups base.group_user, base.group_partner_manager)
  API key:   $API_KEY   (kept in ${KEY_FILE#"$ROOT"/})

  Create a partner with the API:
$(demo_curl "$API_KEY" | sed 's/^/    /')

EOF
}

main() {
  local mode="fg"
  [ "${RUN_BACKGROUND:-0}" = 1 ] && mode="bg"
  case "${1:-}" in
    "") ;;
    --background|-b) mode="bg" ;;
    --stop) stop_bg; exit 0 ;;
    *) die "Unknown option $1 (use --background or --stop)" ;;
  esac
  bash "$ROOT/scripts/bootstrap.sh"
  require_addons
  [ "$mode" = bg ] && stop_bg
  check_port
  ensure_demo_db
  ensure_demo_user
  check_port
  local args=(); mapfile -t args < <(odoo_args)
  args+=(-d "$DEMO_DB" --http-interface "$HTTP_HOST" --http-port "$HTTP_PORT" --workers 0)
  if [ "$mode" = fg ]; then
    banner
    say "Starting Odoo in the foreground (Ctrl-C stops it)"
    exec "$PY" "$ODOO_SRC/odoo-bin" "${args[@]}"
  fi
  mkdir -p "$LOG_DIR"
  setsid "$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" </dev/null >"$RUN_LOG" 2>&1 &
  echo $! >"$PID_FILE"
  echo "$HTTP_PORT" >"$STATE/run.port"
  if ! "$PY" "$ROOT/scripts/devtools.py" wait-url "$BASE_URL/api/openapi.json" --timeout 120 --pid "$!"; then
    tail -n 30 "$RUN_LOG" >&2 || true
    stop_bg
    die "Odoo did not serve $BASE_URL/api/openapi.json: see $RUN_LOG"
  fi
  banner
  say "Odoo runs in the background (pid $(cat "$PID_FILE")), log: $RUN_LOG; stop it with 'make stop'."
}

main "$@"
