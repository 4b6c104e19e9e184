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
mkdir -p build/bench
bin=build/bench/case_linkage
if [[ ! -x $bin || -n $(find build/obj bench/case_linkage.c -newer "$bin" \
	\( -name '*.o' -o -name '*.c' \) -print -quit) ]]; then
	# shellcheck disable=SC2046
	cc -std=c11 -O2 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isrc $(pkg-config --cflags jansson) \
		-o "$bin" bench/case_linkage.c $(find build/obj -name '*.o' ! -name main.o) \
		$(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium icu-uc icu-i18n opencc) \
		-lcsv -pthread -lm || die "building $bin failed"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-linkage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/out
out=bench/out/case-linkage-$(date +%Y%m%d-%H%M%S).txt
"$bin" "$tmp/bench.db" "${1:-100000}" "${2:-200}" | tee "$out"
