#!/usr/bin/env bash
# Benchmarks: run tests/bench/ with pytest when it exists.
. "$(dirname "$0")/lib.sh"

if [ ! -d "$ROOT/tests/bench" ] || [ -z "$(find "$ROOT/tests/bench" -name '*.py' -print -quit)" ]; then
  echo "no benchmarks yet (tests/bench/ is empty)"
  exit 0
fi
bash "$ROOT/scripts/bootstrap.sh"
export ODOO_SRC DB_HOST DB_PORT DB_USER DB_PASSWORD ADDONS EXTRA_ADDONS_PATH DB_PREFIX
cd "$ROOT" && exec "$PY" -m pytest "$ROOT/tests/bench" -q "$@"
