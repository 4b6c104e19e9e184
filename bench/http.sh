#!/usr/bin/env bash
# HTTP benchmark of `fengqiao serve`: throughput and tail latency of a public and an authenticated
# read, and the idle server's memory. Prints the figures beside their targets.
#
#   bench/http.sh [--strict]
#
# Builds if needed (make), makes a demo database in a temporary folder, starts the server on a free
# loopback port, logs in as the demo station chief, then runs wrk (Debian package `wrk`) against
#   (a) GET /api/v1/health                 public, no database work
#   (b) GET /api/v1/units/<chief's unit>?children=0&boundary=0: session checked, one small read
# --strict exits 1 when a figure misses its target (the default only reports).
#
# Environment: FQ_BIN (a binary to measure instead of building build/fengqiao),
# FQ_BENCH_DURATION (seconds per run, default 10), FQ_BENCH_CONNECTIONS (64), FQ_BENCH_THREADS (2), FQ_BENCH_SERVER_ARGS (extra serve options, e.g. --threads 2),
# FQ_BENCH_SEED (demo seed, 1). Each run's full output is kept in bench/out/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

strict=0
case ${1:-} in
--strict) strict=1 ;;
'') ;;
*)
	echo "usage: bench/http.sh [--strict]" >&2
	exit 2
	;;
esac

duration=${FQ_BENCH_DURATION:-10}
connections=${FQ_BENCH_CONNECTIONS:-64}
threads=${FQ_BENCH_THREADS:-2}
seed=${FQ_BENCH_SEED:-1}

# Targets: requests per second at least, p99 latency (ms) and idle resident memory (MB) below.
target_health_rps=30000
target_auth_rps=10000
target_p99_ms=5
target_idle_rss_mb=30

die() {
	echo "bench/http.sh: $*" >&2
	exit 1
}

command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is not installed (apt-get install -y curl)"

if [[ -n ${FQ_BIN:-} ]]; then
	bin=$FQ_BIN
else
	make --no-print-directory -j"$(nproc)" build/fengqiao >&2 || die "build failed"
	bin=$root/build/fengqiao
fi
[[ -x $bin ]] || die "$bin is not an executable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fengqiao-bench.XXXXXX")
server_pid=""
stop_server() {
	[[ -n $server_pid ]] || return 0
	if kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$server_pid" 2>/dev/null; then
			echo "bench/http.sh: server did not stop within 10 s of SIGTERM; killing it" >&2
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
report=bench/out/http-$(date +%Y%m%d-%H%M%S).txt

# --- demo database and first login ---------------------------------------------------------------
db=$tmp/bench.db
"$bin" demo --db "$db" --seed "$seed" >"$tmp/demo.txt" 2>"$tmp/demo.err" ||
	die "fengqiao demo failed: $(tail -n 5 "$tmp/demo.err")"
read -r username password unit_code < <(awk '$1 == "login:" { print $2, $3, $5; exit }' "$tmp/demo.txt") ||
	die "fengqiao demo printed no 'login: USERNAME PASSWORD ROLE UNIT_CODE' line"
[[ -n $unit_code ]] || die "the first demo login line has no unit code"

# --- server on a free loopback port ----------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_server() {
	local try
	for try in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		port_in_use "$port" && continue
		"$bin" serve --db "$db" --listen "127.0.0.1:$port" ${FQ_BENCH_SERVER_ARGS:-} 2>"$tmp/server.log" &
		server_pid=$!
		for _ in $(seq 100); do
			if curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/health" 2>/dev/null; then
				return 0
			fi
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_server
		echo "bench/http.sh: server did not come up on port $port (try $try)" >&2
	done
	die "server would not start; its last words: $(tail -n 5 "$tmp/server.log")"
}
start_server
base=http://127.0.0.1:$port

rss_mb() {
	awk -v field="$2:" '$1 == field { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}
sleep 1
idle_rss=$(rss_mb "$server_pid" VmRSS)

json_string() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}
login_status=$(curl -sS -o "$tmp/login.json" -D "$tmp/login.headers" -w '%{http_code}' \
	-H 'Content-Type: application/json' \
	--data-binary "{\"username\":$(json_string "$username"),\"password\":$(json_string "$password")}" \
	"$base/api/v1/session")
[[ $login_status == 200 ]] || die "login as $username answered $login_status: $(head -c 300 "$tmp/login.json")"
cookie=$(tr -d '\r' <"$tmp/login.headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\(fq_session=[^;]*\).*/\1/p' | head -n 1)
[[ -n $cookie ]] || die "login set no fq_session cookie"

auth_path="/api/v1/units/$unit_code?children=0&boundary=0"
auth_status=$(curl -sS -o "$tmp/unit.json" -w '%{http_code}' -H "Cookie: $cookie" "$base$auth_path")
[[ $auth_status == 200 ]] || die "GET $auth_path with the session answered $auth_status: $(head -c 300 "$tmp/unit.json")"
anon_status=$(curl -sS -o /dev/null -w '%{http_code}' "$base$auth_path")
[[ $anon_status == 401 ]] || echo "bench/http.sh: note: GET $auth_path without a session answered $anon_status, not 401" >&2

# --- load --------------------------------------------------------------------------------------------
# run_wrk NAME URL [WRK OPTIONS...]: sets rps, p99 and detail from one wrk run (after a one-second
# warm-up) and appends wrk's full output to the report. An error answer, or socket errors on more
# than 1% of requests, ends the benchmark: figures of failing requests mean nothing.
run_wrk() {
	local name=$1 url=$2 out line kv
	local -A r
	shift 2
	echo "== $name: wrk -t$threads -c$connections -d${duration}s --latency $url" >>"$report"
	wrk -t"$threads" -c"$connections" -d1s "$@" "$url" >/dev/null # warm-up, not counted
	out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
		-s "$root/bench/wrk-report.lua" "$@" "$url")
	printf '%s\n\n' "$out" >>"$report"
	line=$(grep '^FQ_RESULT ' <<<"$out") || die "wrk printed no result for $name (see $report)"
	for kv in ${line#FQ_RESULT }; do r[${kv%%=*}]=${kv#*=}; done
	local socket_errors=$((r[connect_errors] + r[read_errors] + r[write_errors] + r[timeouts]))
	if ((r[http_errors] > 0 || socket_errors * 100 > r[requests])); then
		die "$name: of ${r[requests]} requests ${r[http_errors]} answered >= 400; socket errors: connect ${r[connect_errors]}, read ${r[read_errors]}, write ${r[write_errors]}, timeout ${r[timeouts]} (see $report)"
	fi
	rps=${r[rps]}
	p99=${r[p99_ms]}
	detail="${r[requests]} requests in ${r[seconds]} s, p50 ${r[p50_ms]} ms, max ${r[max_ms]} ms, ${r[bytes_per_answer]} bytes/answer, socket errors $socket_errors"
}

{
	echo "fengqiao HTTP benchmark, $(date -Iseconds)"
	echo "binary: $bin ($(git -C "$root" describe --always --dirty 2>/dev/null || echo 'no git'))"
	echo "host: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(uname -sr)"
	echo "wrk: $threads threads, $connections connections, ${duration} s per run (server and wrk share the host)"
	echo
} >"$report"

run_wrk health "$base/api/v1/health"
health_rps=$rps health_p99=$p99 health_detail=$detail
run_wrk "auth read" "$base$auth_path" -H "Cookie: $cookie"
auth_rps=$rps auth_p99=$p99 auth_detail=$detail
loaded_rss=$(rss_mb "$server_pid" VmHWM)

# The server must still drain and exit cleanly on SIGTERM after the load.
stop_started=$(date +%s.%N)
stop_server
stop_s=$(awk -v a="$stop_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')

# --- summary -----------------------------------------------------------------------------------------
verdict() { # verdict VALUE OP TARGET: "ok" when VALUE OP TARGET holds, else "MISS"
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { print (((op == ">=") ? v >= t : v < t) ? "ok" : "MISS") }'
}
line() { # line NAME RPS P99 RPS_TARGET
	printf '%-10s %8.0f req/s (target >= %d: %-4s)   p99 %6.2f ms (target < %d ms: %s)\n' \
		"$1:" "$2" "$4" "$(verdict "$2" ">=" "$4")" "$3" "$target_p99_ms" "$(verdict "$3" "<" "$target_p99_ms")"
}

summary=$(
	echo "== summary"
	line health "$health_rps" "$health_p99" "$target_health_rps"
	line "auth read" "$auth_rps" "$auth_p99" "$target_auth_rps"
	printf '%-10s %8.1f MB    (target < %d MB: %s)   after load: %.1f MB peak\n' \
		"idle RSS:" "$idle_rss" "$target_idle_rss_mb" "$(verdict "$idle_rss" "<" "$target_idle_rss_mb")" "$loaded_rss"
	echo "health    = GET /api/v1/health; $health_detail"
	echo "auth read = GET $auth_path as $username; $auth_detail"
	echo "SIGTERM to exit: $stop_s s"
)
echo "$summary" | tee -a "$report"
misses=$(grep -o MISS <<<"$summary" | wc -l)
echo "full output: $report"
if ((misses > 0)); then
	echo "$misses figure(s) missed their target"
	((strict)) && exit 1
fi
exit 0
