#!/usr/bin/env bash
# Instructions per alert of POST /api/v1/alerts, counted by valgrind's callgrind: a figure that,
# unlike alerts/s or CPU time, does not drift with the machine, so two builds can be compared to a
# percent on a shared 2-CPU VM (bench/intake.sh's own runs drift by ±20% within minutes).
#
#   bench/intake_instructions.sh [BIN ...]
#
# For each binary (default: build/fengqiao, built first), RUNS times (FQ_BENCH_RUNS, default 3):
# a fresh copy of a demo store (`fengqiao demo --seed 1`), `fengqiao serve` under callgrind, login
# as the demo operator, 3 s of wrk with bench/wrk-intake.lua from 8 connections to warm up, the
# counters zeroed (callgrind_control -z), FQ_BENCH_DURATION (default 15) seconds of the same load,
# the counters dumped, the new alerts counted in the store. Prints the user-space instructions
# (Ir, every thread of the server, libraries included; the kernel's are not counted) per stored
# alert for each run, the median, and each binary's median against the first binary's. The
# server runs about 50 times slower under callgrind, so a run stores about 1,000 alerts and its
# groups are smaller than in bench/intake.sh: compare builds with this, not with that.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${FQ_BENCH_RUNS:-3}
duration=${FQ_BENCH_DURATION:-15}

die() {
	echo "bench/intake_instructions.sh: $*" >&2
	exit 1
}
for c in valgrind callgrind_control wrk curl sqlite3; do
	command -v "$c" >/dev/null || die "$c is not installed (scripts/install-deps.sh)"
done

bins=("$@")
if [[ ${#bins[@]} -eq 0 ]]; then
	make --no-print-directory -j"$(nproc)" build/fengqiao >&2 || die "build failed"
	bins=("$root/build/fengqiao")
fi
for b in "${bins[@]}"; do
	[[ -x $b ]] || die "$b is not an executable"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-instr.XXXXXX")
server_pid=""
cleanup() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${bins[0]}" demo --db "$tmp/demo.db" --seed 1 >"$tmp/demo.txt" 2>"$tmp/demo.err" ||
	die "fengqiao demo failed: $(tail -n 5 "$tmp/demo.err")"
read -r username password < <(awk '$1 == "login:" && $4 == "operator" { print $2, $3; exit }' "$tmp/demo.txt") ||
	die "fengqiao demo printed no operator login line"

json_string() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

# one_run BIN: prints the instructions per alert.
one_run() {
	local bin=$1 port base n0 n1 ir cookie csrf status
	rm -f "$tmp"/run.db* "$tmp"/cg.out*
	cp "$tmp/demo.db" "$tmp/run.db"
	port=$((20000 + RANDOM % 40000))
	valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg.out" --dump-instr=no \
		"$bin" serve --db "$tmp/run.db" --listen "127.0.0.1:$port" 2>"$tmp/server.log" &
	server_pid=$!
	base=http://127.0.0.1:$port
	for _ in $(seq 600); do
		curl -fsS -o /dev/null "$base/api/v1/health" 2>/dev/null && break
		kill -0 "$server_pid" 2>/dev/null || die "server exited: $(tail -n 5 "$tmp/server.log")"
		sleep 0.2
	done
	status=$(curl -sS -o "$tmp/login.json" -D "$tmp/login.headers" -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		--data-binary "{\"username\":$(json_string "$username"),\"password\":$(json_string "$password")}" \
		"$base/api/v1/session")
	[[ $status == 200 ]] || die "login answered $status"
	cookie=$(tr -d '\r' <"$tmp/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\(fq_session=[^;]*\).*/\1/p' | head -n 1)
	csrf=$(sed -n 's/.*"csrf_token" *: *"\([^"]*\)".*/\1/p' "$tmp/login.json")
	export FQ_COOKIE=$cookie FQ_CSRF=$csrf
	wrk -t1 -c8 -d3s -s "$root/bench/wrk-intake.lua" "$base/api/v1/alerts" >/dev/null
	n0=$(sqlite3 "file:$tmp/run.db?mode=ro" 'SELECT COUNT(*) FROM alert')
	callgrind_control -z "$server_pid" >/dev/null 2>&1
	wrk -t1 -c8 -d"${duration}s" -s "$root/bench/wrk-intake.lua" "$base/api/v1/alerts" >"$tmp/wrk.txt"
	callgrind_control -d "$server_pid" >/dev/null 2>&1
	n1=$(sqlite3 "file:$tmp/run.db?mode=ro" 'SELECT COUNT(*) FROM alert')
	kill -TERM "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=""
	# The dump after zeroing is the file with a part number; its totals line is the count.
	ir=$(awk '$1 == "totals:" || $1 == "summary:" { print $2; exit }' "$tmp"/cg.out.*)
	[[ -n $ir && $n1 -gt $n0 ]] || die "no count (alerts $n0 -> $n1)"
	echo $((ir / (n1 - n0))) $((n1 - n0))
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

first=""
for bin in "${bins[@]}"; do
	vals=()
	for ((i = 1; i <= runs; i++)); do
		read -r per n < <(one_run "$bin")
		printf '%s run %d: %d instructions per alert (%d alerts)\n' "$bin" "$i" "$per" "$n"
		vals+=("$per")
	done
	m=$(printf '%s\n' "${vals[@]}" | median)
	[[ -n $first ]] || first=$m
	printf '%s: median %d instructions per alert (x%.3f of the first)\n' "$bin" "$m" \
		"$(awk -v a="$m" -v b="$first" 'BEGIN { print a / b }')"
done
