#!/usr/bin/env bash
# Redocly CLI, the OpenAPI linter, with its recommended rules, offline.
#
#   scripts/redocly.sh install      install the version pinned in
#                                   scripts/redocly/package-lock.json into
#                                   .state/redocly (npm ci; once, then when
#                                   the lock changes)
#   scripts/redocly.sh lint FILE [OPTION...]
#                                   lint an OpenAPI document (installs first
#                                   if needed); exit code 1 on any error
#
# 'make test' installs it before the end-to-end suite, whose
# tests/test_openapi_lint.py lints the served /api/openapi.json with it.
# At run time it reads the document and nothing else: telemetry and the
# update check (its only network uses) are switched off below, and the
# test runs it without any network where it can (unshare -n, as root).
. "$(dirname "$0")/lib.sh"

SRC="$ROOT/scripts/redocly"
DIR="$STATE/redocly"
BIN="$DIR/node_modules/.bin/redocly"

install_redocly() {
  local want
  want=$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha1sum | cut -c1-16)
  if [ -x "$BIN" ] && [ "$(cat "$DIR/.stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  ensure_node "Redocly CLI" " (or SKIP_E2E=1)"
  # Redocly CLI 2 needs Node.js 20.19 or later (the machines have 20.20).
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
           process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
    || die "Redocly CLI needs Node.js 20.19 or later; node is $(node --version)."
  say "Installing Redocly CLI (pinned in scripts/redocly/package-lock.json) into ${DIR#"$ROOT"/}"
  mkdir -p "$DIR"
  cp "$SRC/package.json" "$SRC/package-lock.json" "$DIR/"
  (cd "$DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) \
    || die "npm ci of Redocly CLI failed (in $DIR)"
  echo "$want" >"$DIR/.stamp"
}

lint() {
  [ $# -ge 1 ] || die "usage: redocly.sh lint FILE [OPTION...]"
  install_redocly
  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$BIN" lint --extends recommended "$@"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  install) install_redocly ;;
  lint) lint "$@" ;;
  *) die "usage: redocly.sh install|lint FILE [OPTION...]" ;;
esac
