#!/usr/bin/env bash
# The whole check, as CI runs it: lint, the addons' Odoo tests on a fresh
# database, a clean install check, the wheels, then the end-to-end suite.
#
# For quicker local runs:
#   SKIP_LINT=1        no pre-commit hooks
#   SKIP_E2E=1         no top-level pytest suite (tests/)
#   SKIP_FLOWS=1       no business-flow tests (their DB has sale_stock, account)
#   TEST_TAGS=...      Odoo --test-tags (default: /<addon> for each addon)
#   PYTEST_ARGS=...    extra pytest arguments (e.g. "-k openapi -x")
. "$(dirname "$0")/lib.sh"

TEST_DB="${DB_PREFIX}_test"
default_tags="$(addon_list | sed 's|^|/|' | paste -sd,),-webhook_business_flows"
FLOW_MODULES="${FLOW_MODULES:-sale_stock,account}"
TEST_TAGS="${TEST_TAGS:-$default_tags}"
SUMMARY_DIR="$STATE/test-summary"
START=$(date +%s)

STEPS=()      # "name|status|seconds|note"
OK=1 LAST_RC=0

# Run a step in a subshell (so 'die' ends only the step) and record it in
# STEPS; LAST_RC tells how it went. Never called in a condition, so that
# 'set -e' holds inside the step.
step() {
  local name="$1"; shift
  local t0 note
  t0=$(date +%s)
  printf '\n==== %s\n' "$name" >&2
  set +e
  ( set -e; "$@" )
  LAST_RC=$?
  set -e
  note=$(cat "$SUMMARY_DIR/note" 2>/dev/null || true); rm -f "$SUMMARY_DIR/note"
  if [ "$LAST_RC" = 0 ]; then
    STEPS+=("$name|PASS|$(( $(date +%s) - t0 ))|$note")
  else
    OK=0
    STEPS+=("$name|FAIL|$(( $(date +%s) - t0 ))|${note:-exit code $LAST_RC}")
  fi
}
skip() { STEPS+=("$1|SKIP|0|$2"); }
note() { printf '%s' "$*" >"$SUMMARY_DIR/note"; }

do_lint() { bash "$ROOT/scripts/lint.sh"; }

# The addons' tours run in headless Chromium (Debian's package): install it
# when we can; without it Odoo skips the browser tests, which CI must not.
ensure_chromium() {
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing Chromium for the tours (apt-get install chromium)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || die "apt-get install chromium failed"
  else
    say "Chromium is missing: the tours will be skipped (sudo apt-get install chromium)"
  fi
}

do_template() { ensure_template_db; note "$TEMPLATE_DB"; }

# The addons' own tests (at_install and post_install), on a copy of the
# template, as Odoo's runner runs them. The business flows (tag
# webhook_business_flows) need sale_stock and account: their own step.
do_odoo_tests() {
  ensure_template_db
  run_odoo_tests odoo-tests "$TEMPLATE_DB" "$TEST_DB" "$TEST_TAGS"
}

# Outbound rules on real business flows (issue 13): a template with the
# test-only modules FLOW_MODULES, built once and kept like the template.
do_odoo_flows() {
  ensure_extra_template_db "$FLOW_MODULES"
  run_odoo_tests odoo-flows "$EXTRA_TEMPLATE_DB" "${DB_PREFIX}_flows" "webhook_business_flows"
}

run_odoo_tests() {  # NAME SOURCE_DB DB TAGS
  local name="$1" src="$2" db="$3" tags="$4" log="$LOG_DIR/$1.log" port rc counts
  port=$(free_port)
  copy_db "$src" "$db"
  say "odoo-bin -d $db -i $ADDONS --test-enable --test-tags $tags (log: $log)"
  set +e
  odoo_bin -d "$db" -i "$ADDONS" --without-demo=all --test-enable --test-tags "$tags" \
    --stop-after-init --http-interface 127.0.0.1 --http-port "$port" --workers 0 \
    --max-cron-threads 0 --log-level=test 2>&1 \
    | tee "$log" \
    | grep --line-buffered -E ' (WARNING|ERROR|CRITICAL) | odoo\.tests\.(result|stats): | odoo\.addons\.[a-z0-9_]+\.tests\.[a-z0-9_.]+: (Starting|FAIL|ERROR)'
  rc=${PIPESTATUS[0]}
  set -e
  local check=0
  "$PY" "$ROOT/scripts/devtools.py" check-log "$log" --mode tests --addons "$ADDONS" \
    --summary "$SUMMARY_DIR/$name-counts" || check=1
  counts=$(cat "$SUMMARY_DIR/$name-counts" 2>/dev/null || echo "0 0 0 0")
  read -r run failed errors problems <<<"$counts"
  note "$run tests, $failed failed, $errors error(s), $problems log problem(s); odoo-bin exit code $rc"
  [ "$rc" = 0 ] && [ "$check" = 0 ]
}

# A plain install (no tests) must log no WARNING or ERROR at all. The
# database is kept for the end-to-end suite.
do_install() {
  local db; db=$(ensure_addons_db); note "$db"
}

# Uninstalling the addons (dependants first) leaves no model behind and logs
# no warning or error.
do_uninstall() {
  local src db="${DB_PREFIX}_uninstall" log="$LOG_DIR/uninstall.log" conn=()
  src=$(ensure_addons_db)
  copy_db "$src" "$db"
  mapfile -t conn < <(odoo_args)
  ADDONS="$ADDONS" "$PY" "$ODOO_SRC/odoo-bin" shell "${conn[@]}" -d "$db" --no-http \
    --log-level=info <"$ROOT/scripts/uninstall_check.py" >"$log" 2>&1 || true
  drop_db "$db"
  grep -E "^UNINSTALL" "$log" >&2 || true
  if grep -qE " (WARNING|ERROR|CRITICAL) |Traceback" "$log"; then
    grep -E " (WARNING|ERROR|CRITICAL) " "$log" >&2
    die "uninstalling logged warnings or errors: see $log"
  fi
  grep -q "^UNINSTALL OK" "$log" || die "uninstall incomplete: see $log"
  note "clean"
}

# Build each addon's wheel with whool and check what it holds.
do_wheels() {
  local out a dir src
  out=$(mktemp -d)
  # shellcheck disable=SC2064  # expand now: $out is local
  trap "rm -rf '$out'" EXIT
  while read -r a; do
    dir=$(addon_dir "$a")
    [ -f "$dir/pyproject.toml" ] || die "$dir has no pyproject.toml"
    src="$dir"
    if [ -z "$(git -C "$dir" log -1 --format=%H -- . 2>/dev/null)" ]; then
      # whool takes the file list and the version from git: an addon with no
      # commit yet is built from a copy outside the repository.
      src="$out/src/$a"; mkdir -p "$out/src"
      cp -a "$dir" "$src"; find "$src" -name __pycache__ -prune -exec rm -rf {} +
    fi
    (cd "$src" && "$PY" -m build --wheel --no-isolation --outdir "$out/dist" . >"$out/build-$a.log" 2>&1) \
      || { cat "$out/build-$a.log" >&2; die "building the wheel of $a failed"; }
    "$PY" "$ROOT/scripts/devtools.py" check-wheel "$(ls "$out"/dist/odoo_addon_"$a"-*.whl)" "$a"
  done < <(addon_list)
  (cd "$ROOT/setup/_metapackage" && "$PY" -m build --wheel --no-isolation --outdir "$out/dist" . >"$out/build-meta.log" 2>&1) \
    || { cat "$out/build-meta.log" >&2; die "building the metapackage failed"; }
  find "$out/dist" -name 'odoo_addons_*.whl' -printf '%f: the metapackage\n'
  note "$(find "$out/dist" -name '*.whl' | wc -l) wheels"
}

do_e2e() {
  local xml="$LOG_DIR/pytest.xml" rc
  export ODOO_SRC DB_HOST DB_PORT DB_USER DB_PASSWORD ADDONS EXTRA_ADDONS_PATH DB_PREFIX
  export STATE_DIR="$STATE" ODOO_DATA_DIR="$DATA_DIR" VENV
  # The OpenAPI linter of tests/test_openapi_lint.py (npm, pinned; once).
  bash "$ROOT/scripts/redocly.sh" install
  set +e
  # shellcheck disable=SC2086
  (cd "$ROOT" && "$PY" -m pytest tests -q -p no:cacheprovider --junitxml "$xml" ${PYTEST_ARGS:-})
  rc=$?
  set -e
  local counts; counts=$("$PY" - "$xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print("0 0"); sys.exit()
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(tests - bad - skipped, bad)
EOF
)
  echo "$counts" >"$SUMMARY_DIR/pytest-counts"
  read -r passed failed <<<"$counts"
  note "$passed passed, $failed failed (pytest exit code $rc)"
  [ "$rc" = 0 ] || return 1
  [ "$passed" -gt 0 ] || die "pytest ran no test"
}

summary() {
  local s name status secs text passed=0 failed=0 run=0 f=0 e=0
  printf '\n==== Summary (%s s)\n' "$(( $(date +%s) - START ))"
  for s in "${STEPS[@]}"; do
    IFS='|' read -r name status secs text <<<"$s"
    printf '  %-5s %-14s %5ss  %s\n' "$status" "$name" "$secs" "$text"
    [ "$status" = FAIL ] || continue
    # A failed step counts as one failure, unless failed tests already count it.
    case "$name" in
      odoo-tests | odoo-flows) read -r run f e _ <"$SUMMARY_DIR/$name-counts" 2>/dev/null || true; [ $((f + e)) -gt 0 ] || failed=$((failed + 1)) ;;
      e2e) read -r run f <"$SUMMARY_DIR/pytest-counts" 2>/dev/null || true; [ "$f" -gt 0 ] || failed=$((failed + 1)) ;;
      *) failed=$((failed + 1)) ;;
    esac
  done
  for s in "$SUMMARY_DIR"/odoo-*-counts; do
    [ -f "$s" ] || continue
    run=0 f=0 e=0
    read -r run f e _ <"$s"
    passed=$((passed + run - f - e)); failed=$((failed + f + e))
  done
  run=0 f=0
  if [ -f "$SUMMARY_DIR/pytest-counts" ]; then
    read -r run f <"$SUMMARY_DIR/pytest-counts"
    passed=$((passed + run)); failed=$((failed + f))
  fi
  echo "  (Odoo tests and pytest tests; a failed step without failed tests counts as one failure)"
  if [ "$OK" = 1 ]; then echo "  RESULT: OK"; else echo "  RESULT: FAILED (logs in ${LOG_DIR#"$ROOT"/}/)"; fi
  echo "tests: $passed passed, $failed failed"
}

main() {
  bash "$ROOT/scripts/bootstrap.sh"
  ensure_chromium
  require_addons
  mkdir -p "$LOG_DIR"; rm -rf "$SUMMARY_DIR"; mkdir -p "$SUMMARY_DIR"
  OK=1
  if [ "${SKIP_LINT:-0}" = 1 ]; then skip lint "SKIP_LINT=1"; else step lint do_lint; fi
  step template do_template
  if [ "$LAST_RC" = 0 ]; then
    step odoo-tests do_odoo_tests
    if [ "${SKIP_FLOWS:-0}" = 1 ]; then skip odoo-flows "SKIP_FLOWS=1"; else step odoo-flows do_odoo_flows; fi
    step install-check do_install
    local installed=$LAST_RC
    if [ "$installed" = 0 ]; then step uninstall do_uninstall; else skip uninstall "no database"; fi
    step wheels do_wheels
    if [ "${SKIP_E2E:-0}" = 1 ]; then skip e2e "SKIP_E2E=1"
    elif [ "$installed" != 0 ]; then skip e2e "no database: the install check failed"; OK=0
    else step e2e do_e2e; fi
  else
    skip odoo-tests "no template"; skip install-check "no template"
    step wheels do_wheels
    skip e2e "no template"
  fi
  summary
  [ "$OK" = 1 ]
}

main "$@"
