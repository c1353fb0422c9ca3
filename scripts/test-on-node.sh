#!/usr/bin/env bash
# Runs the core tests on another Node major, taken from the npm registry's `node` package
# (a binary shipped inside a registry package). Usage: scripts/test-on-node.sh 22 [VITEST ARGS]
# The build, type-check and lint are Node-independent and run in `npm test`; this reruns the
# tests themselves, whose child processes all use the same Node (process.execPath). Without
# VITEST ARGS it runs the `core` project (vitest.config.ts): all but the slow kill, crash and
# sweep suites, which `npm test` runs once on Node 20. `--project slow` runs those instead.
set -euo pipefail
version="${1:?usage: scripts/test-on-node.sh MAJOR [VITEST ARGS]}"
shift
[ "$#" -gt 0 ] || set -- --project core
cd "$(dirname "$0")/.."
dir="${SAFEWEB_NODE_CACHE:-${TMPDIR:-/tmp}/safeweb-node-cache}/node-$version"
if [ ! -x "$dir/node_modules/.bin/node" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"node-runtime","version":"1.0.0","private":true}' > "$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@$version" >/dev/null
fi
node_bin="$dir/node_modules/.bin/node"
echo "Running the tests ($*) on Node $("$node_bin" --version)"
PATH="$(dirname "$(readlink -f "$node_bin")"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run "$@"
