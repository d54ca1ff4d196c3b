#!/usr/bin/env bash
# Entry of the 'prettier' hook of .pre-commit-config.yaml (language: node):
# prettier with the arguments and files that pre-commit gives.
#
# Prettier 3 loads the plugins that .prettierrc.yml names
# (@prettier/plugin-xml) from the node_modules folders above the *current
# directory*, not from where pre-commit installed them, and fails with
# "Cannot find package '@prettier/plugin-xml' imported from .../noop.js"
# (prettier/prettier#15388, #15696). So it runs from its own environment's
# lib/ folder, on absolute paths; each file's configuration (.prettierrc.yml,
# .editorconfig) is still looked up from the file's folder, as usual.
set -euo pipefail

env_modules="${NODE_PATH%%:*}" # pre-commit sets it to <env>/lib/node_modules
if [ -z "$env_modules" ] || [ ! -d "$env_modules/@prettier/plugin-xml" ]; then
  echo "prettier-hook.sh: run it through pre-commit (no @prettier/plugin-xml under NODE_PATH='${NODE_PATH:-}')" >&2
  exit 2
fi
root=$PWD
args=()
for arg in "$@"; do
  case "$arg" in
    -* | /*) args+=("$arg") ;;
    *) args+=("$root/$arg") ;;
  esac
done
cd "$(dirname "$env_modules")"
# --list-different names the files relative to the current directory: name
# them relative to the repository again.
prettier "${args[@]}" | while IFS= read -r line; do
  if [ -e "$line" ]; then realpath -m --relative-to="$root" "$line"; else printf '%s\n' "$line"; fi
done
exit "${PIPESTATUS[0]}"
