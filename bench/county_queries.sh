#!/usr/bin/env bash
# Every list and KPI query of disputes, cases, fraud warnings and reception at
# station and county scope on ten years of a county (bench/README.md).
# Usage: bench/county_queries.sh [REPEAT [RUNS [DUMP]]] (defaults 100, 3; DUMP:
# write every answer to this file, to compare two builds).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
die() { echo "county_queries.sh: $*" >&2; exit 1; }

bin=build/bench/county_queries
make --no-print-directory -j"$(nproc)" "$bin" >&2 || die "building $bin failed"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-county.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/out
out=bench/out/county-queries-$(date +%Y%m%d-%H%M%S).txt
"$bin" "$tmp/bench.db" "$@" | tee "$out"
