#!/usr/bin/env bash
# Linters, as CI runs them: every hook of .pre-commit-config.yaml (OCA's set:
# whool, oca-odoo-pre-commit-hooks, prettier, pre-commit-hooks, ruff and
# pylint-odoo), through pre-commit, on all of the repository's files (tracked,
# and untracked ones that git does not ignore).
#
# Check mode (the default, and CI's): the hooks run on a snapshot of the work
# tree in a temporary git repository, so the fixers (ruff, ruff-format,
# prettier, whitespace, whool) change nothing here; a fix they would make is a
# failure, shown as a diff.
# FIX=1 ('make format'): the hooks run here and fix what they can, then run
# again to show what is left to fix by hand.
#
# SKIP=hook-id,... skips hooks (pre-commit's own variable). The hooks' tools
# are installed on the first run from PyPI and npm into $PRE_COMMIT_HOME
# (default .state/pre-commit, emptied by 'make clean'); later runs reuse them.
. "$(dirname "$0")/lib.sh"

export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$STATE/pre-commit}"
PRE_COMMIT="$VENV/bin/pre-commit"
CONFIG="$ROOT/.pre-commit-config.yaml"

[ -x "$PRE_COMMIT" ] || die "$PRE_COMMIT is missing: run 'make bootstrap' (pre-commit is in requirements-test.txt)."
command -v git >/dev/null || die "git is not installed: pre-commit needs it (apt-get install git)."
git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 \
  || die "$ROOT is not a git checkout: pre-commit runs on a git repository's files."

# The hooks' tools that the venv has too must be the same versions.
check_pins() {
  local pkg pin bad=0
  for pkg in ruff pylint-odoo whool; do
    pin=$(grep -iE "^$pkg==" "$ROOT/requirements-test.txt" | head -n1 | tr -d '[:space:]') || true
    [ -n "$pin" ] || continue
    if ! grep -qF "\"$pin\"" "$CONFIG"; then
      say "requirements-test.txt pins $pin; .pre-commit-config.yaml's hooks use another version"
      bad=1
    fi
  done
  [ "$bad" = 0 ] || die "Keep the tools' versions in step in both files."
}

# NUL-separated list of the files to lint: tracked (not deleted) and untracked
# not ignored.
lint_files() {
  local f
  git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do
        if [ -e "$ROOT/$f" ] || [ -L "$ROOT/$f" ]; then printf '%s\0' "$f"; fi
      done
}

# The prettier hook uses the machine's Node and npm (language_version: system).
ensure_node "the prettier hook" " (or SKIP=prettier)"
check_pins
mkdir -p "$PRE_COMMIT_HOME"
[ -f "$PRE_COMMIT_HOME/db.db" ] \
  || say "First run: pre-commit installs the hooks' tools from PyPI and npm into ${PRE_COMMIT_HOME#"$ROOT"/} (about a minute)"

rc=0
if [ "${FIX:-0}" = 1 ]; then
  cd "$ROOT"
  mapfile -d '' files < <(lint_files)
  say "pre-commit (fixing)"
  # With --files pre-commit neither stashes nor touches git's index.
  if ! "$PRE_COMMIT" run --files "${files[@]}"; then
    say "pre-commit again: what is left to fix by hand"
    "$PRE_COMMIT" run --files "${files[@]}" || rc=1
  fi
else
  snap=$(mktemp -d "${TMPDIR:-/tmp}/lint.XXXXXX")
  # shellcheck disable=SC2064  # expand now
  trap "rm -rf '$snap'" EXIT
  (cd "$ROOT" && lint_files | tar --null -T - -cf -) | tar -xf - -C "$snap"
  git -C "$snap" init -q
  git -C "$snap" add -A
  say "pre-commit run --all-files (check mode, on a snapshot of the work tree)"
  (cd "$snap" && "$PRE_COMMIT" run --all-files --show-diff-on-failure) || rc=1
  [ "$rc" = 0 ] || say "Paths above are relative to the repository. 'make format' applies the automatic fixes."
fi
[ "$rc" = 0 ] && say "lint: all clean"
exit "$rc"
