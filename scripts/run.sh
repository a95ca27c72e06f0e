#!/usr/bin/env bash
# Runs Dioptra Accounts at http://localhost:3000 (listening on 127.0.0.1:3000) on an SQLite database under ./data/, installing
# the build tools first if they are missing. Flags are passed to the server (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
# npm's wasm-opt (binaryen 132) must win over any older one on the system: binaryen 108 builds a
# bundle that breaks in the browser.
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
cargo leptos build --release --precompress
exec "${CARGO_TARGET_DIR:-target}/release/dioptra-accounts" --site-root target/site "$@"
