#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed".
# Called by `make check` after the release build, the sanitizer build and
# the unit-test binaries are built.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
logdir=$(mktemp -d "${TMPDIR:-/tmp}/fq-tests.XXXXXX")

count_tap() { # FILE NAME
	local p f
	p=$(grep -E '^# pass [0-9]+' "$1" | tail -n1 | awk '{print $3}')
	f=$(grep -E '^# fail [0-9]+' "$1" | tail -n1 | awk '{print $3}')
	p=${p:-0}
	f=${f:-0}
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1 # a suite that ran nothing has failed
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failures+=("$2 (see $1)")
	echo "    $2: $p passed, $f failed"
}

echo "== format (clang-format)"
if make -s format-check >"$logdir/format.log" 2>&1; then
	passed=$((passed + 1)); echo "    format: ok"
else
	failed=$((failed + 1)); failures+=("format (see $logdir/format.log)"); echo "    format: FAILED"
fi

echo "== unit tests (cmocka, ASan+UBSan)"
for t in $(find build/san/tests -type f -perm -u+x -name 'test_*' | sort); do
	name=${t#build/san/tests/}
	log="$logdir/unit-${name//\//-}.log"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$t" >"$log" 2>&1
	rc=$?
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{print $4}' | tail -n1)
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{print $4}' | tail -n1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or sanitizer report
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failures+=("unit $name (see $log)")
	echo "    $name: $p passed, $f failed"
done

run_node() { # NAME BIN DIR...
	local name=$1 bin=$2
	shift 2
	local log="$logdir/$name.log"
	echo "== $name"
	FQ_BIN="$bin" node --test --test-reporter=tap "$@" >"$log" 2>&1
	count_tap "$log" "$name"
}

run_node api build/san/fengqiao tests/api/
run_node crash build/san/fengqiao tests/crash/
run_node browser build/fengqiao tests/browser/

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "failures:"
	for f in "${failures[@]}"; do echo "  - $f"; done
	for f in "${failures[@]}"; do
		log=${f##*see }
		log=${log%)}
		echo; echo "---- tail of $log"; tail -n 60 "$log"
	done
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
