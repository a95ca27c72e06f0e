#!/usr/bin/env bash
# Installs the build tools this project needs, skipping whatever is already present at the right
# version. Everything comes from package registries (crates.io, npm, Debian); nothing is downloaded
# from release pages, so it works on a machine whose only network is those registries.
#
#   scripts/install-tools.sh             # to build: wasm target, wasm-bindgen CLI, cargo-leptos, npm tools
#   scripts/install-tools.sh --for-tests # also Chromium, the PostgreSQL client, and a virtualenv
#                                        # with Dioptra's Python client
set -euo pipefail
cd "$(dirname "$0")/.."

# Must equal the `wasm-bindgen` crate pinned with `=` in Cargo.toml: the CLI refuses other schemas.
WASM_BINDGEN_VERSION=0.2.130
CARGO_LEPTOS_VERSION=0.3.10

log() { printf '==> %s\n' "$*" >&2; }

# Runs a step and says how long it took, so that the times the messages promise can be checked.
timed() {
  local started=$SECONDS
  "$@"
  log "done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
}

# install_crate NAME VERSION "PKG@VER ..." [cargo install args]: builds a tool from its registry source
# with --locked after downgrading the listed lock entries (some shipped lock files name versions that
# this toolchain or registry lacks). `cargo metadata` on a throw-away manifest unpacks the crate source
# into the cargo cache using only the registry.
install_crate() {
  local name=$1 version=$2 fixes=$3
  shift 3
  local scratch src
  scratch=$(mktemp -d)
  mkdir -p "$scratch/f/src"
  touch "$scratch/f/src/lib.rs"
  printf '[package]\nname = "f"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' \
    "$name" "$version" >"$scratch/f/Cargo.toml"
  src=$(cd "$scratch/f" && cargo metadata --format-version 1 | python3 -c '
import json, sys
name = sys.argv[1]
print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == name).rsplit("/", 1)[0])
' "$name")
  cp -r "$src" "$scratch/src"
  for fix in $fixes; do
    (cd "$scratch/src" && cargo update -q -p "${fix%@*}" --precise "${fix#*@}")
  done
  (cd "$scratch/src" && cargo install --path . --locked "$@")
  rm -rf "$scratch"
}

# Build tools are compiled cheaply: they run for seconds per build, while their own release profile
# (fat LTO, full optimisation over ~600 crates) costs half an hour on a two-core machine. opt-level 1
# keeps their work (wasm-bindgen's rewriting, cargo-leptos' brotli) fast enough not to notice.
cheap_release_profile() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_INCREMENTAL=false "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes on two idle cores)"
  # Its lock names webpki-roots 1.0.11, which the registry does not offer.
  timed cheap_release_profile install_crate wasm-bindgen-cli "$WASM_BINDGEN_VERSION" "webpki-roots@1.0.10" --force
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (the slow part: about 15 minutes on two idle cores)"
  # no_downloads: a missing tool becomes a clear error instead of a download from GitHub.
  timed cheap_release_profile cargo install --locked --force "cargo-leptos@$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "installing npm packages (Playwright, binaryen's wasm-opt)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

[ "${1:-}" = "--for-tests" ] || exit 0

apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@"
}

if ! command -v chromium >/dev/null; then
  log "installing Debian's Chromium"
  apt_install chromium
fi

if ! command -v psql >/dev/null; then
  log "installing the PostgreSQL client"
  apt_install postgresql-client
fi

# Dioptra's real client, from PyPI, in a project-local virtualenv. --no-deps for the client:
# its package also carries Dioptra's server, whose dependencies the client never imports.
venv=end2end/dioptra-client/.venv
requirements=end2end/dioptra-client/requirements.txt
if [ ! -x "$venv/bin/python" ] || [ "$requirements" -nt "$venv/.installed" ]; then
  log "installing Dioptra's Python client into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps dioptra-platform==1.2.2
  touch "$venv/.installed"
fi
