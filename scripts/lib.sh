# shellcheck shell=bash
# Shared settings and helpers for the project's scripts (sourced, not run).
# Everything can be overridden from the environment; the defaults fit a
# machine with Odoo's source at /opt/odoo18 and a local PostgreSQL 15.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
STATE="${STATE_DIR:-$ROOT/.state}"
DATA_DIR="${ODOO_DATA_DIR:-$STATE/data}"
LOG_DIR="$STATE/logs"
ODOO_UPSTREAM="${ODOO_UPSTREAM:-https://github.com/odoo/odoo}"
if [ -z "${ODOO_SRC:-}" ]; then
  if [ -f /opt/odoo18/odoo-bin ]; then ODOO_SRC=/opt/odoo18; else ODOO_SRC="$ROOT/.odoo-src"; fi
fi
DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-5432}"
DB_USER="${DB_USER:-odoo}"
DB_PASSWORD="${DB_PASSWORD:-odoo}"
HTTP_HOST="${HTTP_HOST:-127.0.0.1}"
HTTP_PORT="${HTTP_PORT:-8069}"
DEMO_DB="${DEMO_DB:-webhook_demo}"
# The addons this repository ships (installed, tested, linted, packaged).
# ADDONS and EXTRA_ADDONS_PATH (comma-separated folders searched after the
# repository) let the machinery be exercised on other addons.
ADDONS="${ADDONS:-webhook_fastapi,webhook_fastapi_outbound}"
EXTRA_ADDONS_PATH="${EXTRA_ADDONS_PATH:-}"
# Scratch databases (templates, tests) are prefixed with a hash of the
# checkout's path, so two checkouts can share one PostgreSQL server.
DB_PREFIX="${DB_PREFIX:-wh_$(printf '%s' "$ROOT" | sha1sum | cut -c1-6)}"
export PGPASSWORD="$DB_PASSWORD"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Folders searched for addons, repository first.
addons_dirs() {
  printf '%s\n' "$ROOT"
  local d
  if [ -n "$EXTRA_ADDONS_PATH" ]; then
    tr ',' '\n' <<<"$EXTRA_ADDONS_PATH" | while read -r d; do [ -n "$d" ] && printf '%s\n' "$d"; done
  fi
  return 0
}
addons_path() {
  local p="$ODOO_SRC/addons" d
  while read -r d; do p="$p,$d"; done < <(addons_dirs)
  printf '%s' "$p"
}
# Directory of an addon of $ADDONS (empty output and status 1 when absent).
addon_dir() {
  local d
  while read -r d; do
    if [ -f "$d/$1/__manifest__.py" ]; then printf '%s\n' "$d/$1"; return 0; fi
  done < <(addons_dirs)
  return 1
}
addon_list() { tr ',' '\n' <<<"$ADDONS" | sed '/^$/d'; }
# Die with one line when an addon of $ADDONS is not there.
require_addons() {
  local a missing=()
  while read -r a; do addon_dir "$a" >/dev/null || missing+=("$a"); done < <(addon_list)
  [ ${#missing[@]} -eq 0 ] || die "Addon(s) not found (no __manifest__.py): ${missing[*]}. Looked in: $(addons_dirs | paste -sd' ')."
}
addon_dirs_list() { local a; while read -r a; do addon_dir "$a"; done < <(addon_list); }

# Hash of a list of files/directories: used to skip work that is up to date.
tree_hash() {
  (cd "$ROOT" && find "$@" -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' \
      -o -name '*.txt' -o -name '*.js' -o -name '*.pot' -o -name '*.po' -o -name '*.scss' \
      -o -name '*.css' -o -name '*.html' -o -name '*.json' -o -name '*.yml' -o -name '*.yaml' \) \
      -not -path '*/__pycache__/*' -print0 2>/dev/null | sort -z | xargs -0 -r sha1sum | sha1sum | cut -c1-16)
}
# Hash of the addons' code: changes mean the databases need an update.
addons_hash() {
  local dirs=(); mapfile -t dirs < <(addon_dirs_list)
  printf '%s %s' "$ADDONS" "$(tree_hash "${dirs[@]}")" | sha1sum | cut -c1-16
}

odoo_args() {
  printf '%s\n' --db_host "$DB_HOST" --db_port "$DB_PORT" --db_user "$DB_USER" \
    --db_password "$DB_PASSWORD" --data-dir "$DATA_DIR" --addons-path "$(addons_path)"
}
# Run odoo-bin with the connection settings; extra arguments follow.
odoo_bin() {
  local args=(); mapfile -t args < <(odoo_args)
  "$PY" "$ODOO_SRC/odoo-bin" "${args[@]}" "$@"
}

psql_odoo() { PGOPTIONS="--client-min-messages=warning" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_db() { local db="$1"; shift; PGOPTIONS="--client-min-messages=warning" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$db" -v ON_ERROR_STOP=1 -qAt "$@"; }
db_exists() { [ "$(psql_odoo -c "SELECT 1 FROM pg_database WHERE datname='$1'")" = 1 ]; }
drop_db() {
  psql_odoo -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
  rm -rf "$DATA_DIR/filestore/$1"
}
# Copy a database and its filestore (CREATE DATABASE ... TEMPLATE is a file copy: fast).
copy_db() {
  drop_db "$2"
  psql_odoo -c "CREATE DATABASE \"$2\" TEMPLATE \"$1\"" >/dev/null
  if [ -d "$DATA_DIR/filestore/$1" ]; then
    mkdir -p "$DATA_DIR/filestore" && cp -a "$DATA_DIR/filestore/$1" "$DATA_DIR/filestore/$2"
  fi
}
# The database's uuid: it changes when the database is dropped and made again.
db_uuid() { psql_db "$1" -c "SELECT value FROM ir_config_parameter WHERE key='database.uuid'" 2>/dev/null || true; }
port_busy() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
free_port() { "$PY" "$ROOT/scripts/devtools.py" free-port; }

# Dependencies of $ADDONS that are not themselves in $ADDONS (comma-separated).
addons_deps() { "$PY" "$ROOT/scripts/devtools.py" deps --addons "$ADDONS" --path "$(addons_path)"; }

# Template for test databases: the addons' dependencies installed, no demo
# data. Rebuilt only when the requirements, Odoo or the dependencies change.
# Sets TEMPLATE_DB (one template per set of dependencies).
ensure_template_db() {
  local deps stamp_file want log
  deps=$(addons_deps)
  TEMPLATE_DB="${DB_PREFIX}_tmpl_$(printf '%s' "$deps" | sha1sum | cut -c1-6)"
  stamp_file="$STATE/$TEMPLATE_DB.stamp"
  want=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" "$ODOO_SRC/odoo/release.py" \
    <(printf '%s %s' "$deps" "$TEMPLATE_DB") | sha1sum | cut -c1-16)
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want" ] && db_exists "$TEMPLATE_DB"; then
    return 0
  fi
  mkdir -p "$LOG_DIR"; log="$LOG_DIR/$TEMPLATE_DB.log"
  say "Building template database $TEMPLATE_DB with $deps (about 30 s; log: $log)"
  rm -f "$stamp_file"
  drop_db "$TEMPLATE_DB"
  if ! odoo_bin -d "$TEMPLATE_DB" -i "$deps" --without-demo=all --stop-after-init --no-http \
      --log-level=warn >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "Building the template database failed: see $log"
  fi
  echo "$want" >"$stamp_file"
}

# A database with $ADDONS (and the extra modules given) installed on top of
# the template, no demo data; the install must log no WARNING or ERROR.
# Kept between runs and remade when the addons' code or the template change.
# Prints the database's name.
ensure_addons_db() {
  local extra; extra=$(printf '%s\n' "$@" | sed '/^$/d' | sort -u | paste -sd,)
  local key want name log mods="$ADDONS${extra:+,$extra}"
  key=$(printf '%s' "$mods" | sha1sum | cut -c1-6)
  name="${DB_PREFIX}_inst_$key"
  ensure_template_db
  want="$(cat "$STATE/$TEMPLATE_DB.stamp") $(addons_hash) $mods"
  local stamp_file="$STATE/$name.stamp"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want" ] && db_exists "$name"; then
    printf '%s\n' "$name"; return 0
  fi
  mkdir -p "$LOG_DIR"; log="$LOG_DIR/install-$key.log"
  say "Installing $mods on a copy of the template ($name; log: $log)"
  rm -f "$stamp_file"
  copy_db "$TEMPLATE_DB" "$name"
  # The extra modules first, then the addons: they are installed on a
  # database that already runs the others, as they would be in production.
  if ! { [ -z "$extra" ] || odoo_bin -d "$name" -i "$extra" --stop-after-init --no-http --log-level=info; } >"$log" 2>&1 \
      || ! odoo_bin -d "$name" -i "$ADDONS" --stop-after-init --no-http --log-level=info >>"$log" 2>&1; then
    "$PY" "$ROOT/scripts/devtools.py" check-log "$log" --mode install >&2 || true
    die "Installing $mods failed: see $log"
  fi
  if ! "$PY" "$ROOT/scripts/devtools.py" check-log "$log" --mode install >&2; then
    die "Installing $mods logged warnings or errors (shown above; full log: $log)"
  fi
  echo "$want" >"$stamp_file"
  printf '%s\n' "$name"
}

# The template (ensure_template_db) with more modules installed, no demo
# data: for tests that need business apps (sale_stock, account...), whose
# install takes minutes. Like the template, rebuilt only when the template
# or the module list change, never for the addons' code. Sets EXTRA_TEMPLATE_DB.
ensure_extra_template_db() {
  local mods="$1" want log stamp_file
  ensure_template_db
  EXTRA_TEMPLATE_DB="${TEMPLATE_DB}_x$(printf '%s' "$mods" | sha1sum | cut -c1-6)"
  stamp_file="$STATE/$EXTRA_TEMPLATE_DB.stamp"
  want="$(cat "$STATE/$TEMPLATE_DB.stamp") $mods"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want" ] && db_exists "$EXTRA_TEMPLATE_DB"; then
    return 0
  fi
  mkdir -p "$LOG_DIR"; log="$LOG_DIR/$EXTRA_TEMPLATE_DB.log"
  say "Building template database $EXTRA_TEMPLATE_DB: the template + $mods (a few minutes; log: $log)"
  rm -f "$stamp_file"
  copy_db "$TEMPLATE_DB" "$EXTRA_TEMPLATE_DB"
  if ! odoo_bin -d "$EXTRA_TEMPLATE_DB" -i "$mods" --without-demo=all --stop-after-init \
      --no-http --log-level=warn >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "Building $EXTRA_TEMPLATE_DB failed: see $log"
  fi
  echo "$want" >"$stamp_file"
}

# Node.js and npm (Debian's packages), for WHAT; HINT is added to the error.
ensure_node() {
  local what="$1" hint="${2:-}"
  if command -v node >/dev/null && command -v npm >/dev/null; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing Node.js and npm for $what (apt-get install nodejs npm)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
      || die "apt-get install nodejs npm failed"
  else
    die "node and npm are needed by $what: sudo apt-get install nodejs npm$hint."
  fi
}
