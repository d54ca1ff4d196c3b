#!/usr/bin/env bash
# Database helpers for scripts and the pytest fixtures (tests/conftest.py).
# Messages go to stderr; stdout carries only the answer.
#
#   db.sh template              build the template if needed; print its name
#   db.sh addons-db [MODULE...] a database with $ADDONS (+ MODULEs) installed,
#                               no demo data, install checked for warnings;
#                               kept between runs; print its name
#   db.sh copy SRC DST          copy a database and its filestore
#   db.sh drop DB               drop a database and its filestore
#   db.sh odoo-cmd              the odoo-bin command line, one word a line
#   db.sh list                  this checkout's scratch databases
. "$(dirname "$0")/lib.sh"

cmd="${1:-}"; shift || true
case "$cmd" in
  template) ensure_template_db; printf '%s\n' "$TEMPLATE_DB" ;;
  addons-db) require_addons; ensure_addons_db "$@" ;;
  copy) [ $# -eq 2 ] || die "usage: db.sh copy SRC DST"; copy_db "$1" "$2" ;;
  drop) [ $# -eq 1 ] || die "usage: db.sh drop DB"; drop_db "$1" ;;
  odoo-cmd) printf '%s\n' "$PY" "$ODOO_SRC/odoo-bin"; odoo_args ;;
  list) psql_odoo -c "SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}\_%' ORDER BY 1" ;;
  *) die "usage: db.sh template|addons-db [MODULE...]|copy SRC DST|drop DB|odoo-cmd|list" ;;
esac
