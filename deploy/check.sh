#!/usr/bin/env bash
# shellcheck disable=SC2015 # `test && pass || fail` is meant: pass only prints
# Checks the shipped deployment files without installing them:
#   - nginx: `nginx -t` of deploy/nginx/fengqiao.conf inside a throw-away nginx.conf that mirrors
#     Debian's http block, with a self-signed certificate in a temporary folder;
#   - with --run, also starts that nginx on unprivileged ports in front of a stub backend and checks
#     its behaviour (redirect, headers, limits, forwarded address, SSE buffering);
#   - systemd: `systemd-analyze verify` of the units and an offline `systemd-analyze security` score;
#   - shellcheck of the shell scripts, when installed.
# Nothing is left running and nothing outside the temporary folder is touched.
#
# Usage: deploy/check.sh [--run]        (needs nginx and openssl; systemd-analyze is optional)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
run=0
[[ ${1:-} == --run ]] && run=1

tmp=$(mktemp -d /tmp/fengqiao-deploy-check.XXXXXX)
nginx_pid=""
cleanup() {
	if [[ -n $nginx_pid ]] && kill -0 "$nginx_pid" 2>/dev/null; then
		kill -QUIT "$nginx_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
indent() { sed 's/^/      /'; }

free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "no free port found" >&2
	return 1
}

# --- nginx -------------------------------------------------------------------------------------------
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install -y nginx)" >&2; exit 1; }
host=fengqiao.example.org
mkdir -p "$tmp/logs" "$tmp/acme"
chmod 755 "$tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
	-keyout "$tmp/site.key" -out "$tmp/site.pem" 2>/dev/null

http_port=80 https_port=443 backend_port=8080
if ((run)); then
	http_port=$(free_port) https_port=$(free_port) backend_port=$(free_port)
fi

# The site with only its machine-specific parts moved into the temporary folder.
sed -e "s#/etc/ssl/certs/$host.fullchain.pem#$tmp/site.pem#" \
	-e "s#/etc/ssl/private/$host.key#$tmp/site.key#" \
	-e "s#/var/log/nginx/#$tmp/logs/#" \
	-e "s#/var/www/acme#$tmp/acme#" \
	-e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
	-e "s#listen \[::\]:80;#listen [::1]:$http_port;#" \
	-e "s#listen 443 #listen 127.0.0.1:$https_port #" \
	-e "s#listen \[::\]:443 #listen [::1]:$https_port #" \
	-e "s#server 127.0.0.1:8080;#server 127.0.0.1:$backend_port;#" \
	"$here/nginx/fengqiao.conf" >"$tmp/site.conf"
if ! [[ -e /proc/net/if_inet6 ]]; then
	sed -i -e '/listen \[::1\]/d' "$tmp/site.conf"
fi

# A stub of the server: it echoes the forwarded headers, sends a security header of its own that
# nginx must drop, and a CSP of its own on UI pages that nginx must pass on alone.
stub=""
if ((run)); then
	stub="
    server {
        listen 127.0.0.1:$backend_port;
        access_log off;
        location = /api/v1/health { default_type application/json; return 200 '{\"status\":\"ok\"}'; }
        location = /api/v1/session {
            default_type application/json;
            add_header X-Content-Type-Options from-backend;
            return 200 '{\"xff\":\"\$http_x_forwarded_for\",\"real\":\"\$http_x_real_ip\",\"proto\":\"\$http_x_forwarded_proto\",\"conn\":\"\$http_connection\"}';
        }
        location / {
            default_type text/html;
            add_header Content-Security-Policy \"default-src 'self'; style-src 'self' 'unsafe-inline'\";
            return 200 '<!doctype html><title>fq</title>';
        }
    }"
fi

cat >"$tmp/nginx.conf" <<EOF
# Mirrors /etc/nginx/nginx.conf of Debian 12, so a directive the site repeats at http level fails here too.
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
$( ((EUID == 0)) && echo "user nobody nogroup;")
events { worker_connections 256; }
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log $tmp/logs/access.log;
    gzip on;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    include $tmp/site.conf;
$stub
}
EOF

if out=$(nginx -t -p "$tmp" -c "$tmp/nginx.conf" 2>&1); then
	pass "nginx -t: deploy/nginx/fengqiao.conf"
else
	fail "nginx -t: deploy/nginx/fengqiao.conf"
	indent <<<"$out"
fi

if ((run)) && ((failures == 0)); then
	nginx -p "$tmp" -c "$tmp/nginx.conf"
	for _ in $(seq 50); do [[ -s $tmp/nginx.pid ]] && break; sleep 0.1; done
	nginx_pid=$(cat "$tmp/nginx.pid")
	base="https://$host:$https_port"
	resolve=(--resolve "$host:$https_port:127.0.0.1" --resolve "$host:$http_port:127.0.0.1"
		--cacert "$tmp/site.pem" -s)

	code_loc=$(curl "${resolve[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' \
		"http://$host:$http_port/x?y=1")
	[[ $code_loc == "301 https://$host/x?y=1" ]] && pass "HTTP redirects to HTTPS ($code_loc)" ||
		fail "HTTP redirect: got '$code_loc'"

	headers=$(curl "${resolve[@]}" -D - -o /dev/null "$base/api/v1/health")
	for h in 'strict-transport-security: max-age=31536000' "content-security-policy: default-src 'self'" \
		'x-content-type-options: nosniff' 'referrer-policy: same-origin' 'x-frame-options: DENY'; do
		grep -qi "^$h" <<<"$headers" && pass "header $h" || fail "missing header $h"
	done
	grep -qi "frame-ancestors 'none'" <<<"$headers" && pass "CSP frame-ancestors 'none'" ||
		fail "CSP lacks frame-ancestors 'none'"
	headers=$(curl "${resolve[@]}" -D - -o /dev/null "$base/")
	[[ $(grep -ci '^content-security-policy:' <<<"$headers") == 1 ]] &&
		grep -qi "^content-security-policy: default-src 'self'; style-src 'self' 'unsafe-inline'" <<<"$headers" &&
		pass "the server's own CSP on UI pages passed on, alone" || fail "CSP on UI pages: $headers"
	grep -qi '^strict-transport-security:' <<<"$headers" && pass "HSTS on UI pages too" || fail "no HSTS on /"
	grep -qi '^server: nginx/' <<<"$headers" && fail "server version disclosed" ||
		pass "server version hidden"

	proto=$(curl "${resolve[@]}" -o /dev/null -w '%{http_version}' "$base/")
	[[ $proto == 2 ]] && pass "HTTP/2 offered" || fail "HTTP/2 not offered (got $proto)"

	body=$(curl "${resolve[@]}" -D "$tmp/h" -H 'X-Forwarded-For: 6.6.6.6' \
		-H 'Content-Type: application/json' -d '{}' "$base/api/v1/session")
	grep -q '"xff":"127.0.0.1"' <<<"$body" && pass "X-Forwarded-For set to the peer, forged value dropped" ||
		fail "forwarded address: $body"
	grep -q '"real":"127.0.0.1"' <<<"$body" && pass "X-Real-IP forwarded" || fail "X-Real-IP: $body"
	grep -q '"proto":"https"' <<<"$body" && pass "X-Forwarded-Proto https" || fail "X-Forwarded-Proto: $body"
	grep -q '"conn":""' <<<"$body" && pass "upstream Connection header empty (keep-alive)" ||
		fail "upstream Connection: $body"
	[[ $(grep -ci '^x-content-type-options' "$tmp/h") == 1 ]] &&
		pass "backend copy of a security header dropped" || fail "duplicate X-Content-Type-Options"

	code=$(curl "${resolve[@]}" -o /dev/null -w '%{http_code}' -X TRACE "$base/")
	[[ $code == 405 ]] && pass "TRACE refused (405)" || fail "TRACE answered $code"

	head -c $((1024 * 1024 + 1)) /dev/zero >"$tmp/big"
	code=$(curl "${resolve[@]}" -o /dev/null -w '%{http_code}' --data-binary "@$tmp/big" "$base/api/v1/x")
	[[ $code == 413 ]] && pass "body over 1 MiB refused (413)" || fail "1 MiB + 1 body answered $code"
	head -c $((16 * 1024 + 1)) /dev/zero >"$tmp/login"
	code=$(curl "${resolve[@]}" -o /dev/null -w '%{http_code}' --data-binary "@$tmp/login" "$base/api/v1/session")
	[[ $code == 413 ]] && pass "login body over 16 KiB refused (413)" || fail "large login body answered $code"

	code=$(curl "${resolve[@]}" -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$base/")
	[[ $code == 400 || $code == 431 ]] && pass "header line over 8 KiB refused ($code)" ||
		fail "9000-byte header answered $code"

	codes=$(for _ in $(seq 40); do
		curl "${resolve[@]}" -o /dev/null -w '%{http_code}\n' -d '{}' "$base/api/v1/session"
	done)
	ok=$(grep -c '^200$' <<<"$codes" || true) limited=$(grep -c '^429$' <<<"$codes" || true)
	((limited > 0)) && pass "login flood of 40: $ok passed, $limited refused (429)" ||
		fail "login flood of 40: $ok passed, $limited refused"
	code=$(curl "${resolve[@]}" -o /dev/null -w '%{http_code}' "$base/api/v1/session")
	[[ $code == 200 ]] && pass "GET /api/v1/session not counted by the login limit" ||
		fail "GET /api/v1/session answered $code after the login flood"

	if out=$(openssl s_client -connect "127.0.0.1:$https_port" -servername "$host" -tls1_1 </dev/null 2>&1) &&
		grep -q 'Protocol *: TLSv1.1' <<<"$out"; then
		fail "TLS 1.1 accepted"
	else
		pass "TLS 1.1 refused"
	fi
	if out=$(openssl s_client -connect "127.0.0.1:$https_port" -servername other.example.org </dev/null 2>&1) &&
		grep -q 'BEGIN CERTIFICATE' <<<"$out"; then
		fail "handshake for an unknown name completed"
	else
		pass "handshake for an unknown name refused"
	fi

	grep -q '"path":"/x"' "$tmp/logs/fengqiao.access.log" && ! grep -q 'y=1' "$tmp/logs/fengqiao.access.log" &&
		pass "access log is JSON without query strings" || fail "access log content"
fi

events=$(awk '/location \^~ \/api\/v1\/events/,/}/' "$here/nginx/fengqiao.conf")
for d in 'proxy_buffering off;' 'proxy_read_timeout 1h;'; do
	grep -qF "$d" <<<"$events" && pass "events location: $d" || fail "events location lacks $d"
done

# --- systemd -----------------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart binaries to exist: point the units at stand-ins in the temporary folder.
	mkdir -p "$tmp/units" "$tmp/bin"
	printf '#!/bin/sh\n' >"$tmp/bin/fengqiao" && chmod 755 "$tmp/bin/fengqiao"
	cp "$tmp/bin/fengqiao" "$tmp/bin/fengqiao-backup"
	for u in fengqiao.service fengqiao-backup.service fengqiao-backup.timer; do
		sed -e "s#/usr/local/bin/fengqiao #$tmp/bin/fengqiao #" \
			-e "s#^ExecStart=/usr/local/lib/fengqiao/fengqiao-backup#ExecStart=$tmp/bin/fengqiao-backup#" \
			"$here/systemd/$u" >"$tmp/units/$u"
	done
	if out=$(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
		fengqiao.service fengqiao-backup.service fengqiao-backup.timer 2>&1) && [[ -z $out ]]; then
		pass "systemd-analyze verify: 3 units"
	else
		fail "systemd-analyze verify"
		indent <<<"$out"
	fi
	for u in fengqiao.service fengqiao-backup.service; do
		score=$(systemd-analyze security --offline=true "$tmp/units/$u" 2>/dev/null |
			sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) \(.*\)/\1 \2/p')
		[[ -n $score ]] && pass "systemd-analyze security $u: $score" || fail "security score of $u"
	done
else
	echo "skip  systemd-analyze not installed"
fi

# --- shell scripts -----------------------------------------------------------------------------------
if command -v shellcheck >/dev/null; then
	for s in "$here/fengqiao-backup.sh" "$here/check.sh" "$here/../bench/http.sh"; do
		[[ -f $s ]] || continue
		shellcheck "$s" && pass "shellcheck $(basename "$s")" || fail "shellcheck $(basename "$s")"
	done
fi

((failures == 0)) && echo "deploy check: all passed" || echo "deploy check: $failures failed"
((failures == 0))
