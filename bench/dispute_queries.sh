#!/usr/bin/env bash
# Dispute register and KPI query latency on ten years of disputes (~50,000):
# see bench/README.md. Usage: bench/dispute_queries.sh [RUNS [REPEAT]] (defaults 95, 200).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-95}
repeat=${2:-200}

die() {
	echo "bench/dispute_queries.sh: $*" >&2
	exit 1
}

make --no-print-directory -j"$(nproc)" build/fengqiao >&2 || die "build failed"
mkdir -p build/bench bench/out
prog=build/bench/dispute_queries
make --no-print-directory -j"$(nproc)" "$prog" >&2 || die "building $prog failed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-disputes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out=bench/out/dispute-queries-$(date +%Y%m%d-%H%M%S).txt
"$prog" "$tmp/bench.db" "$runs" "$repeat" 2>"$tmp/err" | tee "$out" || { cat "$tmp/err" >&2; die "failed"; }
