/*
 * The floor under alert intake: a bare SQLite loop with the server's
 * settings (WAL, synchronous=FULL) on a given folder's disk. Prints
 * single-row transactions per second and rows per second in groups of
 * 16 and 64 (one transaction, one fsync, per group).
 *
 *   build/bench/sqlite_bare [DIR [SECONDS]]     (DIR default $TMPDIR or /tmp, 3 s per mode)
 *
 * Output, one line per mode, for bench/intake.sh to pick up:
 *   FQ_BARE group=1 rows=N seconds=S rows_per_s=R tx_per_s=T
 */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(sqlite3 *h, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "sqlite_bare: %s: %s\n", what, sqlite3_errmsg(h));
		exit(1);
	}
}

static void run(sqlite3 *h, sqlite3_stmt *ins, int group, double seconds)
{
	char desc[256];
	long rows = 0, tx = 0;
	double t0 = now_s(), t;

	do {
		check(h, sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
		for (int i = 0; i < group; i++) {
			snprintf(desc, sizeof(desc),
				 "人民路酒吧门口有人打架，三四个人，报警人称有人受伤 #%ld", rows);
			check(h, sqlite3_bind_int64(ins, 1, rows), "bind");
			check(h, sqlite3_bind_text(ins, 2, "13812345678", -1, SQLITE_STATIC), "bind");
			check(h, sqlite3_bind_double(ins, 3, 29.75 + (double)(rows % 100) * 1e-4),
			      "bind");
			check(h, sqlite3_bind_double(ins, 4, 120.25), "bind");
			check(h, sqlite3_bind_text(ins, 5, desc, -1, SQLITE_TRANSIENT), "bind");
			check(h, sqlite3_step(ins), "insert");
			sqlite3_reset(ins);
			rows++;
		}
		check(h, sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), "commit");
		tx++;
		t = now_s() - t0;
	} while (t < seconds);
	printf("FQ_BARE group=%d rows=%ld seconds=%.2f rows_per_s=%.0f tx_per_s=%.0f\n", group, rows,
	       t, (double)rows / t, (double)tx / t);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	double seconds = argc > 2 ? atof(argv[2]) : 3.0;
	static const int groups[] = {1, 16, 64};
	char path[4096], wal[4200], shm[4200];
	sqlite3_stmt *ins;
	sqlite3 *h;

	if (seconds <= 0)
		seconds = 3.0;
	snprintf(path, sizeof(path), "%s/fq-sqlite-bare-%ld.db", dir, (long)getpid());
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	if (sqlite3_open(path, &h) != SQLITE_OK) {
		fprintf(stderr, "sqlite_bare: cannot open %s\n", path);
		return 1;
	}
	check(h,
	      sqlite3_exec(h,
			   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			   " CREATE TABLE alert (id INTEGER PRIMARY KEY, phone TEXT, lat REAL,"
			   " lon REAL, description TEXT, created_at INTEGER DEFAULT 0)",
			   NULL, NULL, NULL),
	      "setup");
	check(h,
	      sqlite3_prepare_v2(h,
				 "INSERT INTO alert (id, phone, lat, lon, description)"
				 " VALUES (?, ?, ?, ?, ?)",
				 -1, &ins, NULL),
	      "prepare");
	printf("# bare SQLite loop: %s, WAL, synchronous=FULL, SQLite %s, %.0f s per mode\n", path,
	       sqlite3_libversion(), seconds);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		check(h, sqlite3_exec(h, "DELETE FROM alert", NULL, NULL, NULL), "delete");
		run(h, ins, groups[i], seconds);
	}
	sqlite3_finalize(ins);
	sqlite3_close(h);
	unlink(path);
	unlink(wal);
	unlink(shm);
	return 0;
}
