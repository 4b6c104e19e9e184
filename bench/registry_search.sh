#!/bin/sh
# Search latency of the community registries on the full demo town; see
# bench/README.md. Usage: bench/registry_search.sh [--strict]
set -eu
cd "$(dirname "$0")/.."
if [ -z "${FQ_BIN:-}" ]; then
	nice make -s build/fengqiao >/dev/null
	FQ_BIN=build/fengqiao
	export FQ_BIN
fi
exec node bench/registry_search.mjs "$@"
