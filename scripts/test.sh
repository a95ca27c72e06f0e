#!/usr/bin/env bash
# Runs every test: unit tests, HTTP integration tests on real databases, and the browser tests in
# Chromium against the release build. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh --for-tests
source scripts/lib/postgres.sh
find_postgres
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

step() { printf '\n==> %s\n' "$*" >&2; }

step "formatting"
cargo fmt --all --check

step "unit tests (validation, errors, tokens, hashing)"
cargo test -p app --features ssr

step "lints: server side and the WASM side"
cargo clippy -p dioptra-accounts -p app --features app/ssr --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "integration tests over HTTP, SQLite"
DIOPTRA_TEST_BACKEND=sqlite cargo test -p dioptra-accounts

if [ -n "$TEST_POSTGRES_URL" ]; then
  step "integration tests over HTTP, PostgreSQL ($TEST_POSTGRES_URL)"
  DIOPTRA_TEST_BACKEND=postgres cargo test -p dioptra-accounts --test api --test timing
fi

step "Dioptra's Python client against the API"
cargo build -p dioptra-accounts
for backend in sqlite ${TEST_POSTGRES_URL:+postgres}; do
  step "Dioptra's Python client, $backend"
  (
    cd end2end/dioptra-client
    DIOPTRA_ACCOUNTS_BIN="$target_dir/debug/dioptra-accounts" DIOPTRA_TEST_BACKEND=$backend \
      DIOPTRA_TEST_POSTGRES_URL="$TEST_POSTGRES_URL" .venv/bin/python -m pytest -q -p no:cacheprovider
  )
done

step "release build (cargo-leptos)"
cargo leptos build --release --precompress

step "browser tests (Playwright, Chromium)"
(
  cd end2end
  DIOPTRA_ACCOUNTS_BIN="$target_dir/release/dioptra-accounts" LEPTOS_SITE_ROOT="$PWD/../target/site" \
    npx playwright test
)
