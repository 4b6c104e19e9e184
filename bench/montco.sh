#!/usr/bin/env bash
# The merge engine on real calls: the Montgomery County (PA) 911 feed of
# ../shared/data/calls/montco911_2016_2017.csv (1,626 calls, no phones) imported through
# `fengqiao import alerts --montco` (category from the title, fq_taxonomy_from_montco; the
# title's description part as the description; local New York time; title and township kept
# in extra) into the main demo station. Prints how many calls became how many incidents, a
# sample of 10 automatic merges to inspect by eye (titles, times, distance), and the pairs of
# calls within 10 minutes and 80 m for reference (the data README: about one per 13 calls).
#
#   bench/montco.sh
#
# Environment: FQ_BIN (the binary, default build/fengqiao), FQ_MONTCO (the feed's path).
# The full output is kept in bench/out/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

feed=${FQ_MONTCO:-$root/../shared/data/calls/montco911_2016_2017.csv}
[[ -r $feed ]] || {
	echo "bench/montco.sh: cannot read $feed" >&2
	exit 1
}
command -v node >/dev/null || {
	echo "bench/montco.sh: node is not installed" >&2
	exit 1
}
if [[ -z ${FQ_BIN:-} ]]; then
	make --no-print-directory -j"$(nproc)" build/fengqiao >&2
fi
bin=${FQ_BIN:-$root/build/fengqiao}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-montco.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/out
out=bench/out/montco-$(date +%Y%m%d-%H%M%S).txt

{
	"$bin" demo --db "$tmp/montco.db" --seed 1 >/dev/null 2>&1
	"$bin" import alerts --db "$tmp/montco.db" "$feed" --montco --unit 339902510000 \
		--decisions-out "$tmp/decisions.tsv" 2>"$tmp/import.err" || {
		cat "$tmp/import.err" >&2
		exit 1
	}
	echo
	node bench/montco_sample.mjs "$feed" "$tmp/decisions.tsv"
} | tee "$out"
echo "full output: $out"
