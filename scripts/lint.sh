#!/usr/bin/env bash
# Linters, as CI runs them: ruff (check and format) on the addons, tests/ and
# scripts/, then pylint-odoo with the mandatory OCA checks on the addons.
# LINT_OPTIONAL=1 also prints pylint's optional checks (never fails on them).
# FIX=1 lets ruff fix and reformat instead of only checking.
. "$(dirname "$0")/lib.sh"

require_addons
mapfile -t addon_paths < <(addon_dirs_list)
py_paths=("${addon_paths[@]}" "$ROOT/tests" "$ROOT/scripts")
ruff=("$VENV/bin/ruff")
rc=0
cd "$ROOT" || exit 1
if [ "${FIX:-0}" = 1 ]; then
  "${ruff[@]}" check --config "$ROOT/.ruff.toml" --fix "${py_paths[@]}" || rc=1
  "${ruff[@]}" format --config "$ROOT/.ruff.toml" "${py_paths[@]}" || rc=1
else
  say "ruff check"
  "${ruff[@]}" check --config "$ROOT/.ruff.toml" --no-fix --output-format concise "${py_paths[@]}" || rc=1
  say "ruff format --check"
  "${ruff[@]}" format --config "$ROOT/.ruff.toml" --check "${py_paths[@]}" || rc=1
fi
say "pylint (pylint-odoo, .pylintrc-mandatory)"
"$VENV/bin/pylint" --rcfile="$ROOT/.pylintrc-mandatory" "${addon_paths[@]}" || rc=1
if [ "${LINT_OPTIONAL:-0}" = 1 ]; then
  say "pylint (optional checks, advisory)"
  "$VENV/bin/pylint" --rcfile="$ROOT/.pylintrc" --exit-zero "${addon_paths[@]}"
fi
[ "$rc" = 0 ] && say "lint: all clean"
exit "$rc"
