#!/usr/bin/env bash
# Installs everything Fengqiao needs on Debian 12: the C toolchain and
# libraries (Debian packages), Chromium and wrk for tests and benchmarks, and
# the npm packages of the web UI and the browser tests. Idempotent: installs
# only what is missing, so it is cheap to run before every build.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
	build-essential pkg-config clang clang-format
	libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
	libicu-dev libopencc-dev libopencc-data
	libcsv-dev libxlsxwriter-dev libqrencode-dev libgeos-dev libcairo2-dev libpango1.0-dev libjemalloc-dev
	libcmocka-dev
	chromium fonts-wqy-microhei zbar-tools wrk curl ca-certificates
	sqlite3 # bench/intake.sh counts the stored alerts
	valgrind # bench/intake_instructions.sh counts instructions under callgrind
	libzip-dev libxml2-dev # xlsx import (io/xlsx_in.c): Debian 12 has no packaged xlsx reader
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

# Node.js 18 or newer with npm (Debian 12 ships 18.x).
node_ok=0
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	[ "$major" -ge 18 ] && node_ok=1
fi
if [ "$node_ok" -eq 0 ]; then
	command -v node >/dev/null 2>&1 || missing+=(nodejs)
	command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
	echo "install-deps: Debian packages present"
fi

# npm packages, reproducibly from the lock files; skipped when up to date.
npm_install() {
	local dir=$1
	if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		echo "install-deps: npm ci in $dir"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	else
		echo "install-deps: npm packages of $dir present"
	fi
}
npm_install web
npm_install tests
