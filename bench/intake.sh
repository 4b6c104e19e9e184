#!/usr/bin/env bash
# Sustained alert intake: POST /api/v1/alerts from 64 connections (validate, normalise, match,
# durable write at synchronous=FULL, audit), with group commit and without, beside a bare SQLite
# loop on the same disk. Prints the medians of several runs beside the target.
#
#   bench/intake.sh [--strict]
#
# For each run: a fresh copy of a demo store (`fengqiao demo`) in a temporary folder, `fengqiao
# serve` (its default threads and connection limit) on a free loopback port, login as the demo operator (cookie + CSRF token),
# a one-second warm-up, then wrk with bench/wrk-intake.lua (varied alerts, repeat callers and
# places, an Idempotency-Key on every request, ~2% retries). The server is stopped with SIGTERM
# and its intake line (alerts, transactions, mean group) is read from its log; the alerts in the
# store are counted and the audit chain is verified.
# --strict exits 1 when the median misses the target (the default only reports).
#
# Environment: FQ_BIN (binary to measure instead of building build/fengqiao), FQ_BENCH_DURATION
# (seconds per run, 20), FQ_BENCH_RUNS (runs with group commit, 3), FQ_BENCH_BASELINE_RUNS (runs
# with FQ_INTAKE_GROUP=1, 3), FQ_BENCH_CONNECTIONS (64), FQ_BENCH_THREADS (wrk threads, 2),
# FQ_BENCH_SERVER_ARGS (serve options, default none: see bench/README.md), FQ_BENCH_GROUP (FQ_INTAKE_GROUP of
# the group-commit runs, default: the server's, 256), FQ_BENCH_SEED (demo seed, 1), FQ_BENCH_PERF
# (a file: `perf record` of the server during each run, the last run's kept there). Full output
# in bench/out/intake-*.txt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

strict=0
case ${1:-} in
--strict) strict=1 ;;
'') ;;
*)
	echo "usage: bench/intake.sh [--strict]" >&2
	exit 2
	;;
esac

duration=${FQ_BENCH_DURATION:-20}
runs=${FQ_BENCH_RUNS:-3}
baseline_runs=${FQ_BENCH_BASELINE_RUNS:-3}
connections=${FQ_BENCH_CONNECTIONS:-64}
threads=${FQ_BENCH_THREADS:-2}
server_args=${FQ_BENCH_SERVER_ARGS-}
seed=${FQ_BENCH_SEED:-1}
target_rps=5000

die() {
	echo "bench/intake.sh: $*" >&2
	exit 1
}

command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is not installed (apt-get install -y curl)"
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (apt-get install -y sqlite3)"

if [[ -n ${FQ_BIN:-} ]]; then
	bin=$FQ_BIN
else
	make --no-print-directory -j"$(nproc)" build/fengqiao >&2 || die "build failed"
	bin=$root/build/fengqiao
fi
[[ -x $bin ]] || die "$bin is not an executable"
bare=build/bench/sqlite_bare
if [[ ! -x $bare || bench/sqlite_bare.c -nt $bare ]]; then
	mkdir -p build/bench
	cc -std=c11 -O2 -Wall -Wextra -Werror -o "$bare" bench/sqlite_bare.c \
		$(pkg-config --cflags --libs sqlite3) || die "cannot build $bare"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-intake.XXXXXX")
server_pid=""
stop_server() {
	[[ -n $server_pid ]] || return 0
	if kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 300); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$server_pid" 2>/dev/null; then
			echo "bench/intake.sh: server did not stop within 30 s of SIGTERM; killing it" >&2
			kill -KILL "$server_pid" 2>/dev/null || true
		fi
	fi
	wait "$server_pid" 2>/dev/null || true
	server_pid=""
}
# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p bench/out
report=bench/out/intake-$(date +%Y%m%d-%H%M%S).txt
{
	echo "fengqiao intake benchmark, $(date -Iseconds)"
	echo "binary: $bin ($(git -C "$root" describe --always --dirty 2>/dev/null || echo 'no git'))"
	echo "host: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(uname -sr)"
	echo "store folder: $tmp ($(df -P "$tmp" | awk 'NR == 2 { print $1 }'))"
	echo "wrk: $threads threads, $connections connections, ${duration} s per run; serve ${server_args:-(defaults)}"
	echo
} >"$report"

# --- the bare SQLite loop on the same disk ---------------------------------------------------------
"$bare" "$tmp" 3 | tee -a "$report" >"$tmp/bare.txt"
bare_field() { awk -v g="group=$1" -v f="$2=" '$2 == g { for (i = 3; i <= NF; i++) if (index($i, f) == 1) print substr($i, length(f) + 1) }' "$tmp/bare.txt"; }
bare1=$(bare_field 1 tx_per_s)
bare16=$(bare_field 16 rows_per_s)
bare64=$(bare_field 64 rows_per_s)

# --- a pristine demo store, copied for every run --------------------------------------------------
"$bin" demo --db "$tmp/demo.db" --seed "$seed" >"$tmp/demo.txt" 2>"$tmp/demo.err" ||
	die "fengqiao demo failed: $(tail -n 5 "$tmp/demo.err")"
read -r username password unit_code < <(awk '$1 == "login:" && $4 == "operator" { print $2, $3, $5; exit }' "$tmp/demo.txt") ||
	die "fengqiao demo printed no operator login line"
[[ $unit_code == 339902510000 ]] || echo "bench/intake.sh: note: the operator's unit is $unit_code, the alerts are placed around 339902510000" >&2

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_server GROUP: on a fresh copy of the demo store; GROUP "" leaves FQ_INTAKE_GROUP unset.
start_server() {
	local group=$1 try
	rm -f "$tmp"/run.db*
	cp "$tmp/demo.db" "$tmp/run.db"
	for try in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		port_in_use "$port" && continue
		# shellcheck disable=SC2086 # server_args is a list of options
		if [[ -n $group ]]; then
			FQ_INTAKE_GROUP=$group "$bin" serve --db "$tmp/run.db" --listen "127.0.0.1:$port" $server_args 2>"$tmp/server.log" &
		else
			env -u FQ_INTAKE_GROUP "$bin" serve --db "$tmp/run.db" --listen "127.0.0.1:$port" $server_args 2>"$tmp/server.log" &
		fi
		server_pid=$!
		for _ in $(seq 100); do
			if curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/health" 2>/dev/null; then
				return 0
			fi
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_server
		echo "bench/intake.sh: server did not come up on port $port (try $try)" >&2
	done
	die "server would not start; its last words: $(tail -n 5 "$tmp/server.log")"
}

# utime + stime of a process, in clock ticks.
proc_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# "on-CPU-ns runqueue-wait-ns" of the committer thread (named fq-intake), "0 0" when not found.
committer_schedstat() {
	local t
	for t in /proc/"$1"/task/*; do
		if [[ $(cat "$t/comm" 2>/dev/null) == fq-intake ]]; then
			awk '{ print $1, $2 }' "$t/schedstat"
			return
		fi
	done
	echo "0 0"
}

json_string() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

# one_run GROUP: sets rps p50 p99 and detail.
one_run() {
	local group=$1 base out line kv cookie csrf status stored acked socket_errors intake
	local -A r
	start_server "$group"
	base=http://127.0.0.1:$port
	status=$(curl -sS -o "$tmp/login.json" -D "$tmp/login.headers" -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		--data-binary "{\"username\":$(json_string "$username"),\"password\":$(json_string "$password")}" \
		"$base/api/v1/session")
	[[ $status == 200 ]] || die "login as $username answered $status: $(head -c 300 "$tmp/login.json")"
	cookie=$(tr -d '\r' <"$tmp/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\(fq_session=[^;]*\).*/\1/p' | head -n 1)
	csrf=$(sed -n 's/.*"csrf_token" *: *"\([^"]*\)".*/\1/p' "$tmp/login.json")
	[[ -n $cookie && -n $csrf ]] || die "login gave no cookie or CSRF token"
	export FQ_COOKIE=$cookie FQ_CSRF=$csrf
	wrk -t"$threads" -c"$connections" -d1s -s "$root/bench/wrk-intake.lua" "$base/api/v1/alerts" >/dev/null # warm-up
	local before cpu0 cpu1 sched0 sched1 cpu_ms
	before=$(sqlite3 "file:$tmp/run.db?mode=ro" 'SELECT COUNT(*) FROM alert')
	cpu0=$(proc_cpu_ticks "$server_pid")
	sched0=$(committer_schedstat "$server_pid")
	echo "== group ${group:-default}: wrk -t$threads -c$connections -d${duration}s --latency -s bench/wrk-intake.lua" >>"$report"
	local perf_pid=""
	if [[ -n ${FQ_BENCH_PERF:-} ]]; then
		# Profile the server while wrk runs (flat: the release build keeps no frame pointers).
		perf record -q ${FQ_BENCH_PERF_ARGS:--F 1999} -p "$server_pid" -o "$FQ_BENCH_PERF" -- sleep "$duration" 2>/dev/null &
		perf_pid=$!
	fi
	# wrk in a shell of its own that prints wrk's CPU time (cutime + cstime, in ticks) after it.
	out=$(bash -c 'wrk "$@"; echo "FQ_WRK_CPU_TICKS $(awk "{ print \$16 + \$17 }" /proc/$$/stat)"' wrk \
		-t"$threads" -c"$connections" -d"${duration}s" --latency -s "$root/bench/wrk-intake.lua" "$base/api/v1/alerts")
	printf '%s\n' "$out" >>"$report"
	cpu1=$(proc_cpu_ticks "$server_pid")
	sched1=$(committer_schedstat "$server_pid")
	[[ -z $perf_pid ]] || wait "$perf_pid" || true
	stop_server
	intake=$(sed -n 's/.*\(intake: [0-9]* alerts in .*\)$/\1/p' "$tmp/server.log" | tail -n 1)
	echo "$intake" >>"$report"
	line=$(grep '^FQ_RESULT ' <<<"$out") || die "wrk printed no result (see $report)"
	for kv in ${line#FQ_RESULT }; do r[${kv%%=*}]=${kv#*=}; done
	socket_errors=$((r[connect_errors] + r[read_errors] + r[write_errors] + r[timeouts]))
	if ((r[http_errors] > 0 || socket_errors * 100 > r[requests])); then
		die "of ${r[requests]} requests ${r[http_errors]} answered >= 400; socket errors $socket_errors (see $report; server log $(tail -n 3 "$tmp/server.log"))"
	fi
	stored=$(($(sqlite3 "file:$tmp/run.db?mode=ro" 'SELECT COUNT(*) FROM alert') - before))
	acked=${r[requests]}
	# Every 201 is a stored alert or a replay of one (about 2% retries). wrk does not count the
	# requests in flight when it stops (up to one per connection, here and after the warm-up):
	# the server still stores them.
	((stored <= acked + 2 * connections)) || die "$stored alerts stored but only $acked acknowledged"
	"$bin" audit verify --db "$tmp/run.db" >"$tmp/verify.txt" 2>&1 || die "audit verify failed: $(cat "$tmp/verify.txt")"
	grep -q intact "$tmp/verify.txt" || die "audit chain not intact: $(cat "$tmp/verify.txt")"
	rps=${r[rps]} p50=${r[p50_ms]} p99=${r[p99_ms]}
	cpu_ms=$(awk -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v n="$acked" 'BEGIN { printf "%.3f", n ? t * 1000 / hz / n : 0 }')
	local wrk_ticks
	wrk_ticks=$(sed -n 's/^FQ_WRK_CPU_TICKS //p' <<<"$out")
	wrk_ms=$(awk -v t="${wrk_ticks:-0}" -v hz="$(getconf CLK_TCK)" -v n="$acked" 'BEGIN { printf "%.3f", n ? t * 1000 / hz / n : 0 }')
	server_ms=$cpu_ms
	# The committer thread over the run: share of wall time on a CPU, and waiting for one.
	local sched
	sched=$(awk -v a="$sched0" -v b="$sched1" -v s="${r[seconds]}" 'BEGIN {
		split(a, x, " "); split(b, y, " ");
		printf "committer on CPU %.0f%%, runnable but waiting for a CPU %.0f%%", (y[1] - x[1]) / s / 1e7, (y[2] - x[2]) / s / 1e7 }')
	detail="${r[requests]} answered 201 in ${r[seconds]} s, $stored new alerts stored; CPU per request: server $cpu_ms ms, wrk $wrk_ms ms; $sched; ${intake:-no intake line}"
	printf '  group %-7s %8.0f alerts/s   p50 %7.2f ms   p99 %7.2f ms   %s\n' "${group:-default}" "$rps" "$p50" "$p99" "$detail" | tee -a "$report"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# series GROUP N: medians of N runs into m_rps m_p50 m_p99
series() {
	local group=$1 n=$2 i rs=() p5=() p9=() sc=() wc=()
	for ((i = 1; i <= n; i++)); do
		one_run "$group"
		rs+=("$rps") p5+=("$p50") p9+=("$p99") sc+=("$server_ms") wc+=("$wrk_ms")
	done
	m_server_ms=$(printf '%s\n' "${sc[@]}" | median)
	m_wrk_ms=$(printf '%s\n' "${wc[@]}" | median)
	m_rps=$(printf '%s\n' "${rs[@]}" | median)
	m_p50=$(printf '%s\n' "${p5[@]}" | median)
	m_p99=$(printf '%s\n' "${p9[@]}" | median)
}

echo "group commit (FQ_INTAKE_GROUP=${FQ_BENCH_GROUP:-server default}), $runs runs of ${duration} s:"
series "${FQ_BENCH_GROUP:-}" "$runs"
g_rps=$m_rps g_p50=$m_p50 g_p99=$m_p99 g_server_ms=$m_server_ms g_wrk_ms=$m_wrk_ms
if ((baseline_runs > 0)); then
	echo "group commit off (FQ_INTAKE_GROUP=1), $baseline_runs runs of ${duration} s:"
	series 1 "$baseline_runs"
	b_rps=$m_rps b_p50=$m_p50 b_p99=$m_p99
fi

verdict=$(awk -v v="$g_rps" -v t="$target_rps" 'BEGIN { print (v >= t) ? "ok" : "MISS" }')
summary=$(
	echo "== summary (medians)"
	printf 'intake, group commit:   %8.0f alerts/s (target >= %d: %s)   p50 %.2f ms   p99 %.2f ms\n' "$g_rps" "$target_rps" "$verdict" "$g_p50" "$g_p99"
	if ((baseline_runs > 0)); then
		printf 'intake, one per commit: %8.0f alerts/s   p50 %.2f ms   p99 %.2f ms   (group commit: x%.1f)\n' "$b_rps" "$b_p50" "$b_p99" "$(awk -v a="$g_rps" -v b="$b_rps" 'BEGIN { print (b > 0) ? a / b : 0 }')"
	fi
	printf 'bare SQLite loop:       %8.0f single-row transactions/s   %.0f rows/s in groups of 16   %.0f rows/s in groups of 64\n' "$bare1" "$bare16" "$bare64"
	# What the CPUs allow: server and load generator share this machine's CPUs.
	awk -v s="$g_server_ms" -v w="$g_wrk_ms" -v n="$(nproc)" 'BEGIN {
		printf "CPU per alert (group commit): server %.3f ms + wrk %.3f ms = %.3f ms; %d CPUs allow at most %.0f alerts/s\n",
			s, w, s + w, n, (s + w > 0) ? n * 1000 / (s + w) : 0 }'
)
echo "$summary" | tee -a "$report"
echo "full output: $report"
if [[ $verdict == MISS ]]; then
	((strict)) && exit 1
fi
exit 0
