#!/usr/bin/env bash
# Sets everything up and runs Fengqiao on an embedded SQLite with demo data:
# installs dependencies, builds, creates var/demo.db (with a year of demo
# alerts) when it does not exist,
# prints the URL and the demo logins, and serves on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
make
mkdir -p var
db=${FQ_DB:-var/demo.db}
logins=${db%.db}-logins.txt
if [ ! -f "$db" ]; then
	echo "creating demo database $db"
	# The jurisdiction, one user per role, and a year of labelled alerts.
	build/fengqiao demo --db "$db" --alerts "${db%.db}-alerts.csv" >"$logins.out"
	grep '^login: ' "$logins.out" | sed 's/^login: //' >"$logins"
	rm -f "$logins.out"
	chmod 600 "$logins"
fi
echo
echo "Fengqiao is starting on http://127.0.0.1:8080/"
echo "Demo logins (username password role unit):"
if [ -f "$logins" ]; then
	sed 's/^/  /' "$logins"
else
	echo "  (database $db was not created by this script; use its own accounts)"
fi
echo
exec build/fengqiao serve --db "$db" --listen 127.0.0.1:8080
