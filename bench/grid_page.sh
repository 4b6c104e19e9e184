#!/bin/sh
# Grid page load (GET /api/v1/grids/:code and the grid list) on the full
# demo town with a year of demo alerts; see bench/README.md.
# Usage: bench/grid_page.sh [--strict]   (FQ_BENCH_ALERTS=0: without alerts)
set -eu
cd "$(dirname "$0")/.."
nice make -s build/bench/merge_quality_gen >/dev/null
if [ -z "${FQ_BIN:-}" ]; then
	nice make -s build/fengqiao >/dev/null
	FQ_BIN=build/fengqiao
	export FQ_BIN
fi
exec node bench/grid_page.mjs "$@"
