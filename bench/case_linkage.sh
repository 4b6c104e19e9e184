#!/usr/bin/env bash
# Case-linkage benchmark (bench/README.md): 100,000 synthetic cases of a
# county over ten years, then the linkage candidates of sample cases, for a
# station's scope and for the county's; prints p50/p99/max against the
# target (p99 < 200 ms). Usage: bench/case_linkage.sh [CASES [SAMPLES]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
die() { echo "case_linkage.sh: $*" >&2; exit 1; }

make --no-print-directory -j"$(nproc)" build/fengqiao >&2 || die "build failed"
bin=build/bench/case_linkage
make --no-print-directory -j"$(nproc)" "$bin" >&2 || die "building $bin failed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-linkage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/out
out=bench/out/case-linkage-$(date +%Y%m%d-%H%M%S).txt
"$bin" "$tmp/bench.db" "${1:-100000}" "${2:-200}" | tee "$out"
