#!/bin/sh
# Registry exports (people, houses, organisations; CSV and xlsx) on the full
# demo town; prints median/max time, rows and size. See bench/README.md.
# Usage: bench/registry_export.sh (ROUNDS=N for more runs)
set -eu
cd "$(dirname "$0")/.."
if [ -z "${FQ_BIN:-}" ]; then
	nice make -s build/fengqiao >/dev/null
	FQ_BIN=build/fengqiao
	export FQ_BIN
fi
exec node bench/registry_export.mjs "$@"
