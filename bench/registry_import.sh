#!/bin/sh
# fengqiao import people: 100,000 people at 50,000 addresses into the demo
# store (registries left empty), from CSV and then from the same rows as an
# xlsx workbook into a fresh store; prints wall time and peak RSS. See
# bench/README.md. Usage: bench/registry_import.sh [N]
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
if [ -z "${FQ_BIN:-}" ]; then
	nice make -s build/fengqiao >/dev/null
	FQ_BIN=build/fengqiao
fi
tmp=$(mktemp -d /tmp/fq-bench-import.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
node bench/registry_import.mjs "$tmp/people.csv" "$N"
"$FQ_BIN" demo --db "$tmp/bench.db" --registry none >/dev/null 2>&1
echo "== import people: $N rows, $((N / 2)) addresses ($(du -h "$tmp/people.csv" | cut -f1) CSV)"
/usr/bin/time -f 'wall %e s, user %U s, sys %S s, peak RSS %M KiB' \
	"$FQ_BIN" import people --db "$tmp/bench.db" "$tmp/people.csv" 2>&1 | grep -v '^note:'
node bench/registry_import.mjs "$tmp/people.xlsx" "$N"
"$FQ_BIN" demo --db "$tmp/bench-xlsx.db" --registry none >/dev/null 2>&1
echo "== import people from xlsx: $N rows ($(du -h "$tmp/people.xlsx" | cut -f1) workbook)"
/usr/bin/time -f 'wall %e s, user %U s, sys %S s, peak RSS %M KiB' \
	"$FQ_BIN" import people --db "$tmp/bench-xlsx.db" "$tmp/people.xlsx" 2>&1 | grep -v '^note:'
