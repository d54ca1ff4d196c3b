#!/usr/bin/env bash
# Make whatever is missing: Odoo source, virtualenv, a running PostgreSQL
# and a database role. Each step is skipped when already done.
. "$(dirname "$0")/lib.sh"

ensure_odoo_src() {
  if [ -f "$ODOO_SRC/odoo-bin" ]; then return; fi
  if [ "$ODOO_SRC" != "$ROOT/.odoo-src" ]; then
    die "ODOO_SRC=$ODOO_SRC has no odoo-bin. Point ODOO_SRC at an Odoo 18.0 checkout, or unset it to clone one."
  fi
  command -v git >/dev/null || die "Odoo's source is missing and git is not installed: install git, or set ODOO_SRC to an Odoo 18.0 checkout."
  say "Cloning Odoo 18.0 into $ODOO_SRC (shallow)"
  local err; err=$(mktemp)
  if ! git clone -q --depth 1 -b 18.0 "$ODOO_UPSTREAM" "$ODOO_SRC" 2>"$err"; then
    rm -rf "$ODOO_SRC"
    die "No Odoo source: /opt/odoo18 is missing and cloning $ODOO_UPSTREAM failed ($(tail -n1 "$err")). Clone Odoo 18.0 yourself and set ODOO_SRC to it."
  fi
  rm -f "$err"
}

ensure_python() {
  local v
  v=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') || die "python3 not found: install Python 3.10 to 3.12."
  case "$v" in 3.10|3.11|3.12) ;; *) die "Python $v found; Odoo 18.0 needs Python 3.10 to 3.12." ;; esac
}

ensure_headers() {
  # python-ldap builds from source and needs these headers.
  if [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ]; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing libldap2-dev and libsasl2-dev"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libldap2-dev libsasl2-dev >/dev/null
  else
    die "Missing LDAP/SASL headers: run 'sudo apt-get install libldap2-dev libsasl2-dev libpq-dev'."
  fi
}

# pip, minus its "Location '...' is ignored" warnings about the machine's
# extra package indexes (hundreds of lines, nothing to act on).
pip_q() {
  "$PY" -m pip -q "$@" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
}

ensure_venv() {
  local stamp="$VENV/.stamp" want
  want=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" "$ODOO_SRC/requirements.txt" | sha1sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$PY" -c 'import odoo.release' 2>/dev/null; then return; fi
  ensure_headers
  say "Building the virtualenv in $VENV (a few minutes the first time)"
  [ -x "$PY" ] || python3 -m venv "$VENV"
  pip_q install -U "pip<26" wheel "setuptools<81"
  local cons; cons=$(mktemp); echo 'setuptools<81' > "$cons"
  # cbor2 (an Odoo requirement) needs pkg_resources in its build env.
  PIP_BUILD_CONSTRAINT="$cons" pip_q install --build-constraint "$cons" -r "$ODOO_SRC/requirements.txt"
  # compat mode: a plain editable install turns site-packages/odoo into a
  # namespace package once OCA wheels add odoo/addons there.
  pip_q install --no-deps -e "$ODOO_SRC" --config-settings editable_mode=compat
  pip_q install -r "$ROOT/requirements.txt" -r "$ROOT/requirements-test.txt"
  rm -f "$cons"
  echo "$want" > "$stamp"
}

ensure_postgres() {
  command -v psql >/dev/null || die "psql not found: install the PostgreSQL client (apt-get install postgresql-client)."
  if pg_isready -q -h "$DB_HOST" -p "$DB_PORT" 2>/dev/null; then :; else
    if [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null \
        && { [ "$DB_HOST" = 127.0.0.1 ] || [ "$DB_HOST" = localhost ]; }; then
      local ver name
      read -r ver name _ < <(pg_lsclusters -h | awk -v p="$DB_PORT" '$3==p {print $1, $2}') || true
      [ -n "${ver:-}" ] || die "No PostgreSQL cluster on port $DB_PORT. Create one (pg_createcluster 15 main --start) or set DB_HOST/DB_PORT."
      say "Starting PostgreSQL cluster $ver/$name"
      pg_ctlcluster "$ver" "$name" start >/dev/null 2>&1 || die "Could not start PostgreSQL $ver/$name: see 'pg_lsclusters' and its log."
      for _ in $(seq 30); do pg_isready -q -h "$DB_HOST" -p "$DB_PORT" && break; sleep 0.5; done
    fi
    pg_isready -q -h "$DB_HOST" -p "$DB_PORT" \
      || die "PostgreSQL is not reachable on $DB_HOST:$DB_PORT. Start it (e.g. 'sudo pg_ctlcluster 15 main start') or set DB_HOST/DB_PORT."
  fi
  if psql_odoo -c 'SELECT 1' >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    say "Creating PostgreSQL role $DB_USER"
    su postgres -c "psql -p $DB_PORT -qc \"CREATE ROLE \\\"$DB_USER\\\" WITH LOGIN CREATEDB SUPERUSER PASSWORD '$DB_PASSWORD'\"" >/dev/null 2>&1 \
      || su postgres -c "psql -p $DB_PORT -qc \"ALTER ROLE \\\"$DB_USER\\\" WITH LOGIN CREATEDB SUPERUSER PASSWORD '$DB_PASSWORD'\"" >/dev/null
  fi
  psql_odoo -c 'SELECT 1' >/dev/null 2>&1 \
    || die "Cannot log in to PostgreSQL as $DB_USER. Create it: sudo -u postgres createuser -s $DB_USER -P (password: $DB_PASSWORD), or set DB_USER/DB_PASSWORD."
}

ensure_python
ensure_odoo_src
ensure_venv
ensure_postgres
mkdir -p "$DATA_DIR"
