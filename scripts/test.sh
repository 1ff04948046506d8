#!/usr/bin/env bash
# The test suite in its two halves, as `make test` runs them (the Makefile installs the
# tools and builds the release site first):
#   rust     Rust tests of every crate, the store suite on SQLite and on a fresh PostgreSQL
#            database;
#   browser  the release site, served by a fresh server on a free port over a fresh SQLite
#            file, and the Playwright suite in Chromium against it. The server is
#            $PORTICO_BIN (the release build by default) and the bundle's names come from
#            $PORTICO_HASH_FILE (the release build's hash.txt by default), copied into a
#            site root of the run's own.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${CARGO_TARGET_DIR:?run through make test}"
mode=${1:?usage: scripts/test.sh rust|rust-one|browser [playwright arguments]}
shift
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
db_name="portico_test_$(date +%s)_$$"
server_pid=""

cleanup() {
  status=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql -q "$PG_BASE/test" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
  if [ $status -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "--- server log (last 50 lines) ---"; tail -n 50 "$work/server.log"
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

if [ "$mode" = rust ]; then
  echo "== Rust tests (SQLite, and PostgreSQL database $db_name)"
  psql -q "$PG_BASE/test" -c "CREATE DATABASE $db_name" >/dev/null
  PORTICO_TEST_POSTGRES_URL="$PG_BASE/$db_name" cargo test -p app -p server --locked
  exit 0
fi
if [ "$mode" = rust-one ]; then
  # One module of the API tests, on both backends, printing what it did.
  filter=${1:?usage: scripts/test.sh rust-one <test module>}
  echo "== API test $filter (SQLite, and PostgreSQL database $db_name)"
  psql -q "$PG_BASE/test" -c "CREATE DATABASE $db_name" >/dev/null
  PORTICO_TEST_POSTGRES_URL="$PG_BASE/$db_name" \
    cargo test -p server --locked --test api "$filter::" -- --nocapture --test-threads=1
  exit 0
fi
[ "$mode" = browser ] || { echo "unknown mode $mode"; exit 2; }

echo "== Browser tests"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export PORTICO_DATABASE_URL="sqlite://$work/portico.db"
export PORTICO_ADDR="127.0.0.1:$port"
export PORTICO_PUBLIC_URL="$base"
# A copy of the site with the bundle's names in it, so that no hash.txt outlives the run
# beside a binary that other tests start.
cp -r target/site "$work/site"
cp "${PORTICO_HASH_FILE:-$CARGO_TARGET_DIR/release/hash.txt}" "$work/site/hash.txt"
export PORTICO_SITE_ROOT="$work/site"
# Every browser test opens links from the same address, faster than any customer would.
export PORTICO_EXCHANGE_LIMIT_PER_MINUTE=1000
portico="${PORTICO_BIN:-$CARGO_TARGET_DIR/release/portico}"
"$portico" demo > "$work/demo.txt"
# A second organisation that hides most sections and keeps the profile mostly read-only,
# with primary colour and dark theme of its own, for the branding and section tests.
"$portico" org create --name "Restricted Co" --return-origin "$base" > "$work/restricted.json"
restricted_org=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["organisation"])' "$work/restricted.json")
"$portico" org set --organisation "$restricted_org" --section invoices --section profile \
  --editable-field email --allow-subscription-cancel false \
  --allow-default-payment-method-change false --primary-color '#0b6e4f' --theme dark >/dev/null
# A third that asks why a customer cancels, tries to keep them, and lets them ask for a
# pause: set through the command line, as an operator would.
"$portico" org create --name "Retention Co" --return-origin "$base" > "$work/retention.json"
retention_org=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["organisation"])' "$work/retention.json")
"$portico" org set --organisation "$retention_org" --cancellation-reason "Too expensive" \
  --cancellation-reason "Missing a feature I need" --allow-subscription-pause true \
  --retention-message "Before you go: we can take 20 % off your next three months." >/dev/null
"$portico" serve --demo > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "$base/api/v1/health" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited at start"; exit 1; }
  sleep 0.1
done
curl -sf "$base/api/v1/health" >/dev/null

cd end2end
PORTICO_BASE_URL="$base" PORTICO_DEMO_OUTPUT="$work/demo.txt" \
  PORTICO_RESTRICTED_ORG="$work/restricted.json" PORTICO_RETENTION_ORG="$work/retention.json" \
  npx playwright test "$@"
