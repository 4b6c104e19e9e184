#!/bin/sh
# Dated online backup of the Fengqiao database, then removal of old copies.
# Run by fengqiao-backup.service (installed as /usr/local/lib/fengqiao/fengqiao-backup) as the
# fengqiao user; can be run by hand the same way:
#   sudo -u fengqiao /usr/local/lib/fengqiao/fengqiao-backup
#
# Environment (defaults in brackets):
#   FQ_BIN               the fengqiao binary            [/usr/local/bin/fengqiao]
#   FQ_DB                the live database              [/var/lib/fengqiao/fengqiao.db]
#   FQ_BACKUP_DIR        where copies go                [/var/lib/fengqiao/backup]
#   FQ_BACKUP_KEEP_DAYS  delete copies older than this; 0 keeps every copy  [14]
#
# The copy is written under a temporary name and renamed only once it is complete and, when the
# sqlite3 tool is installed, has passed SQLite's quick_check: a file named fengqiao-YYYYMMDD.db
# is always a whole, readable database. A second run on the same day replaces that day's copy.
set -eu

bin=${FQ_BIN:-/usr/local/bin/fengqiao}
db=${FQ_DB:-/var/lib/fengqiao/fengqiao.db}
dir=${FQ_BACKUP_DIR:-/var/lib/fengqiao/backup}
keep_days=${FQ_BACKUP_KEEP_DAYS:-14}

case $keep_days in
'' | *[!0-9]*)
	echo "fengqiao-backup: FQ_BACKUP_KEEP_DAYS must be a whole number of days, not '$keep_days'" >&2
	exit 2
	;;
esac

# `fengqiao backup` would create an empty database where none is: refuse instead.
case $db in
/*) [ -f "$db" ] || {
	echo "fengqiao-backup: no database at $db" >&2
	exit 1
} ;;
esac

umask 077
mkdir -p "$dir"

stamp=$(date +%Y%m%d)
final="$dir/fengqiao-$stamp.db"
partial="$dir/.fengqiao-$stamp.db.partial"

rm -f "$partial" "$partial-wal" "$partial-shm"
trap 'rm -f "$partial" "$partial-wal" "$partial-shm"' EXIT
trap 'exit 1' HUP INT TERM

"$bin" backup --db "$db" "$partial"

# A read-write connection, though it writes nothing: closing it removes the -wal and -shm files
# that opening a WAL-mode copy creates (a -readonly one would leave them behind).
if command -v sqlite3 >/dev/null 2>&1; then
	check=$(sqlite3 "$partial" 'PRAGMA quick_check;')
	if [ "$check" != ok ]; then
		echo "fengqiao-backup: $partial failed quick_check: $check" >&2
		exit 1
	fi
fi

mv -f "$partial" "$final"
trap - EXIT
echo "fengqiao-backup: wrote $final ($(stat -c %s "$final") bytes)"

if [ "$keep_days" -gt 0 ]; then
	find "$dir" -maxdepth 1 -type f -name 'fengqiao-[0-9]*.db' -mtime +"$keep_days" \
		-print -delete | sed 's/^/fengqiao-backup: removed /'
fi
