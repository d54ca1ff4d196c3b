#!/usr/bin/env bash
# Drop this checkout's databases (templates, test databases, and the demo
# database if this checkout made it) with their filestores, and forget .state's stamps and key.
# The virtualenv stays: remove .venv yourself to rebuild it.
. "$(dirname "$0")/lib.sh"

bash "$ROOT/scripts/run.sh" --stop
if pg_isready -q -h "$DB_HOST" -p "$DB_PORT" 2>/dev/null && psql_odoo -c 'SELECT 1' >/dev/null 2>&1; then
  mapfile -t dbs < <(psql_odoo -c "SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}\_%'")
  # The demo database has no prefix: drop it only if this checkout set it up.
  if [ -f "$STATE/demo-$DEMO_DB.stamp" ] && db_exists "$DEMO_DB"; then dbs+=("$DEMO_DB"); fi
  for db in "${dbs[@]}"; do
    [ -n "$db" ] || continue
    say "Dropping database $db"
    drop_db "$db"
  done
else
  say "PostgreSQL is not reachable: no database dropped"
fi
rm -rf "$STATE"
say "Removed $STATE"
