#!/usr/bin/env bash
# A real install, as a user gets it: npm pack, install the tarball globally into a temporary
# prefix, say what it installed (packages, unpacked size), then use that installed `safeweb`:
# version, the root help, completion, --jq, a sandbox, and onboarding the example customer into
# it. The build bundles every library but two (dist/ holds them), so the install brings only
# what runs: @napi-rs/keyring and jq-web. Run by .ci/run after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $tarball: $(tar -tzf "$work/$tarball" | wc -l) files"
if tar -tzf "$work/$tarball" | grep -E '^package/(src|test|bench|scripts|\.ci)/' >/dev/null; then
  echo "the package ships development files:"; tar -tzf "$work/$tarball" | grep -E '^package/(src|test|bench|scripts|\.ci)/' | head; exit 1
fi
npm install --global --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$work/$tarball" >/dev/null
safeweb="$work/prefix/bin/safeweb"
installed="$work/prefix/lib/node_modules/safeweb"
# Every package the install put down, safeweb first (npm ls lists the prefix's lib/ before them).
packages="$(npm ls --global --prefix "$work/prefix" --all --parseable 2>/dev/null | tail -n +2 | sed 's|.*/node_modules/||')"
echo "installed $(echo "$packages" | wc -l) packages, $(du -sk "$installed" | cut -f1) kB unpacked:" $packages
export SAFEWEB_CONFIG_DIR="$work/config"
unset SAFEWEB_PROFILE SAFEWEB_PARTNER_ID SAFEWEB_API_KEY SAFEWEB_BASE_URL

expected="$(node -p "require('./package.json').version")"
[ "$("$safeweb" --version)" = "$expected" ] || { echo "installed safeweb --version is not $expected"; exit 1; }
help="$("$safeweb" --help)"
[ "${help%%$'\n'*}" = 'Usage: safeweb [options] [command]' ] || { echo "installed safeweb --help does not show the usage"; exit 1; }
[[ "$("$safeweb" partner --help)" == *analytics* ]] || { echo "installed safeweb partner --help does not list its verbs"; exit 1; }
"$safeweb" completion bash | grep -q 'complete -o default -F _safeweb safeweb'
# --jq runs in a child process, dist/jq-child.js, which loads jq-web from the installed package.
[ "$("$safeweb" version --jq .version)" = "$expected" ] || { echo "installed safeweb --jq does not work"; exit 1; }

"$safeweb" sandbox start --port 0 --json --save-profile --quiet > "$work/sandbox.json" &
sandbox_pid=$!
for _ in $(seq 50); do [ -s "$work/sandbox.json" ] && break; sleep 0.1; done
"$safeweb" customer onboard --file "$work/prefix/lib/node_modules/safeweb/examples/acme.json" --json | node -e "
  let t = ''; process.stdin.on('data', (c) => (t += c)).on('end', () => {
    const doc = JSON.parse(t);
    if (!doc.customerId || doc.customerReference !== 'ACME-001') { console.error('onboarding failed:', t); process.exit(1); }
    console.log('installed safeweb onboarded', doc.customerReference, 'as', doc.customerId);
  });"
echo "install check: ok"
