/*
 * The WAL-gathering VFS (db/wal_vfs.h) under the store: that it gathers, that
 * what it gathers reaches the file before anyone can see or sync it, and that
 * an acknowledged commit survives kill -9.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db.h"
#include "db/wal_vfs.h"
#include "unit/fq_test.h"

#define PAYLOAD 1500 /* bytes of text per row: a few rows per page */

static int setup(void **state)
{
	struct fq_db_options opt = {.pool_size = 4};

	*state = fq_test_store_new_scripted(
	    "walvfs", &opt,
	    "CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
	    "CREATE INDEX item_body ON item(body);");
	return *state ? 0 : -1;
}

/* Row id's text: PAYLOAD bytes that say which row they belong to. */
static void body_of(int64_t id, char *out)
{
	int n = snprintf(out, PAYLOAD + 1, "row %lld:", (long long)id);

	for (int i = n; i < PAYLOAD; i++)
		out[i] = (char)('a' + (id * 7 + i) % 26);
	out[PAYLOAD] = '\0';
}

static void insert_rows(struct fq_dbc *c, int64_t from, int64_t to)
{
	struct fq_err err = FQ_ERR_INIT;
	char body[PAYLOAD + 1];

	for (int64_t id = from; id < to; id++) {
		body_of(id, body);
		if (fq_dbc_run(c, &err, NULL, "INSERT INTO item (id, body) VALUES (?, ?)", "it", id,
			       body))
			fail_msg("insert %lld: %s", (long long)id, err.message);
	}
}

/* Rows from..to-1 in one transaction of c's. */
static void commit_range(struct fq_dbc *c, int64_t from, int64_t to)
{
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	insert_rows(c, from, to);
	if (fq_dbc_commit(c, &err))
		fail_msg("commit of %lld..%lld: %s", (long long)from, (long long)to, err.message);
}

/* Every row 1..n there with its own text, nothing else, through the default VFS. */
static void expect_rows_raw(const char *path, int64_t n)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char body[PAYLOAD + 1];
	int64_t seen = 0;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(h, "SELECT id, body FROM item ORDER BY id", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		seen++;
		assert_int_equal(id, seen);
		body_of(id, body);
		assert_string_equal((const char *)sqlite3_column_text(st, 1), body);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(seen, n);
}

/* One transaction of many pages: its frames are written in a few calls, at its commit. */
static void test_gathers_a_transaction(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_wal_vfs_stats a, b;
	struct fq_dbc *c = fq_db_acquire(f->db);

	fq_wal_vfs_stats(&a);
	commit_range(c, 1, 401);
	fq_wal_vfs_stats(&b);
	fq_db_release(f->db, c);
	/* 400 rows of 1.5 KB and their index: hundreds of frames, two writes each. */
	assert_true(b.writes - a.writes > 400);
	assert_true(b.flushes - a.flushes < (b.writes - a.writes) / 20);
	assert_int_equal(b.late, a.late);
	expect_rows_raw(f->path, 400);
}

/*
 * Commits without a sync of their own (fq_dbc_defer_sync, as the intake's): each is
 * seen at once, whole, by a connection of another VFS reading the file.
 */
static void test_deferred_commits_reach_the_file(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_wal_vfs_stats a, b;
	struct fq_dbc *c = fq_db_acquire(f->db);
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open_v2(f->path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(fq_dbc_defer_sync(c, 1, &err), 0);
	fq_wal_vfs_stats(&a);
	for (int64_t g = 0; g < 60; g++) {
		sqlite3_stmt *st = NULL;
		char body[PAYLOAD + 1];

		commit_range(c, g * 10 + 1, g * 10 + 11);
		assert_int_equal(
		    sqlite3_prepare_v2(h, "SELECT count(*), max(id) FROM item", -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(st, 0), g * 10 + 10);
		sqlite3_finalize(st);
		assert_int_equal(
		    sqlite3_prepare_v2(h, "SELECT body FROM item WHERE id = ?", -1, &st, NULL),
		    SQLITE_OK);
		sqlite3_bind_int64(st, 1, g * 10 + 10);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		body_of(g * 10 + 10, body);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), body);
		sqlite3_finalize(st);
	}
	fq_wal_vfs_stats(&b);
	assert_int_equal(fq_db_wal_sync(f->db, &err), 0);
	assert_int_equal(fq_dbc_defer_sync(c, 0, &err), 0);
	fq_db_release(f->db, c);
	sqlite3_close(h);
	/* Written with each commit's last page, not left for the publication. */
	assert_true(b.flushes - a.flushes >= 60);
	assert_true(b.flushes - a.flushes < (b.writes - a.writes) / 5);
	assert_int_equal(b.late, a.late);
	expect_rows_raw(f->path, 600);
}

/*
 * Two ways a commit's last write is not an appended page: the WAL started over from its
 * beginning (after a checkpoint copied it all), and SQLite's rewrite of the frame headers
 * of a transaction that wrote a page twice (headers only, after its commit frame). Each
 * commit still reaches the file inside its own writes, none is left for the barrier.
 */
static void test_commits_after_restart_and_rewrite(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_wal_vfs_stats a, b;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_dbc *other = fq_db_acquire(f->db);

	assert_int_equal(fq_dbc_defer_sync(c, 1, &err), 0);
	for (int64_t g = 0; g < 10; g++) { /* the WAL grows */
		commit_range(c, g * 20 + 1, g * 20 + 21);
	}
	assert_int_equal(fq_db_wal_sync(f->db, &err), 0);
	/* Copied back whole: the next transaction writes from the WAL's beginning. */
	assert_int_equal(fq_dbc_exec_script(other, "PRAGMA wal_checkpoint(RESTART)", &err), 0);
	fq_wal_vfs_stats(&a);
	for (int64_t g = 10; g < 20; g++) {
		commit_range(c, g * 20 + 1, g * 20 + 21);
	}
	fq_wal_vfs_stats(&b);
	assert_int_equal(b.late, a.late);
	/* Spilled pages written again before the commit: their frames are overwritten. */
	assert_int_equal(fq_dbc_exec_script(c, "PRAGMA cache_size=10", &err), 0);
	fq_wal_vfs_stats(&a);
	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	insert_rows(c, 401, 601);
	assert_int_equal(fq_dbc_exec_script(c, "UPDATE item SET body = body WHERE id <= 410", &err),
			 0);
	assert_int_equal(fq_dbc_commit(c, &err), 0);
	fq_wal_vfs_stats(&b);
	assert_int_equal(b.late, a.late);
	assert_int_equal(fq_dbc_exec_script(c, "PRAGMA cache_size=-16000", &err), 0);
	assert_int_equal(fq_db_wal_sync(f->db, &err), 0);
	assert_int_equal(fq_dbc_defer_sync(c, 0, &err), 0);
	fq_db_release(f->db, other);
	fq_db_release(f->db, c);
	expect_rows_raw(f->path, 600);
}

/*
 * What a rolled-back transaction gathered (frames it spilled) never lands over what
 * another connection commits after it, whatever the first connection does next.
 */
static void test_rollback_then_other_commits(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_wal_vfs_stats a, b;
	struct fq_dbc *ca = fq_db_acquire(f->db);
	struct fq_dbc *cb = fq_db_acquire(f->db);
	int64_t n = 0;

	commit_range(ca, 1, 51);
	/* A small cache makes A spill frames into the WAL before its transaction ends. */
	assert_int_equal(fq_dbc_exec_script(ca, "PRAGMA cache_size=10", &err), 0);
	fq_wal_vfs_stats(&a);
	assert_int_equal(fq_dbc_begin(ca, 1, &err), 0);
	insert_rows(ca, 1000, 1400);
	fq_wal_vfs_stats(&b);
	assert_true(b.writes - a.writes > 100); /* spilled */
	fq_dbc_rollback(ca);
	/* B writes where A's frames were. */
	commit_range(cb, 51, 101);
	/* A reads (shared memory, the WAL), then writes again. */
	assert_int_equal(fq_dbc_count(ca, &err, &n, "SELECT count(*) FROM item", ""), 0);
	assert_int_equal(n, 100);
	expect_rows_raw(f->path, 100);
	commit_range(ca, 101, 151);
	assert_int_equal(fq_dbc_exec_script(ca, "PRAGMA cache_size=-16000", &err), 0);
	fq_db_release(f->db, ca);
	fq_db_release(f->db, cb);
	expect_rows_raw(f->path, 150);
}

/*
 * A WAL that cannot grow (a file-size limit: EFBIG): the commit fails, deferred or not,
 * nothing of it is seen, and once the file can grow again the next commits succeed.
 * In a child process, whose limit the test can lower.
 */
static int commit_rows(struct fq_db *db, struct fq_dbc *c, int64_t from, int64_t to, int deferred)
{
	struct fq_err err = FQ_ERR_INIT;
	char body[PAYLOAD + 1];
	int rc;

	if (fq_dbc_defer_sync(c, deferred, &err) || fq_dbc_begin(c, 1, &err))
		return -1;
	for (int64_t id = from; id < to; id++) {
		body_of(id, body);
		if (fq_dbc_run(c, &err, NULL, "INSERT INTO item (id, body) VALUES (?, ?)", "it", id,
			       body)) {
			fq_dbc_rollback(c);
			return 1;
		}
	}
	rc = fq_dbc_commit(c, &err);
	if (rc)
		fq_dbc_rollback(c);
	else if (deferred)
		rc = fq_db_wal_sync(db, &err);
	if (fq_dbc_defer_sync(c, 0, &err))
		return -1;
	return rc ? 1 : 0;
}

static void test_write_failure_fails_the_commit(void **state)
{
	struct fq_test_store *f = *state;
	char path[sizeof(f->path)], wal[sizeof(f->path) + 8];
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s", f->path);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	fq_test_store_close(f);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fq_db_options opt = {.pool_size = 2};
		struct fq_err err = FQ_ERR_INIT;
		struct fq_db *db = NULL;
		struct fq_dbc *c, *c2;
		struct rlimit lim;
		struct stat st;

		if (fq_db_open(path, &opt, &db, &err))
			_exit(10);
		c = fq_db_acquire(db);
		if (commit_rows(db, c, 1, 11, 0) || stat(wal, &st))
			_exit(11);
		signal(SIGXFSZ, SIG_IGN);
		if (getrlimit(RLIMIT_FSIZE, &lim))
			_exit(12);
		/* Room for a few more frames, not for 400 rows of 1.5 KB. */
		lim.rlim_cur = (rlim_t)st.st_size + 64 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &lim))
			_exit(13);
		if (commit_rows(db, c, 100, 500, 1) != 1) /* deferred, as the intake */
			_exit(14);
		if (commit_rows(db, c, 100, 500, 0) != 1) /* synchronous=FULL */
			_exit(15);
		lim.rlim_cur = lim.rlim_max;
		if (setrlimit(RLIMIT_FSIZE, &lim))
			_exit(16);
		/* The other connection too: the failed ones let go of the write lock. */
		c2 = fq_db_acquire(db);
		if (commit_rows(db, c2, 11, 21, 1) || commit_rows(db, c, 21, 31, 0))
			_exit(17);
		fq_db_release(db, c2);
		fq_db_release(db, c);
		fq_db_close(db);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	expect_rows_raw(path, 30);
}

/*
 * kill -9 of a process that writes, the way the intake acknowledges: a commit with
 * synchronous=FULL, or a deferred commit and then fq_db_wal_sync. Every row told to
 * the parent before the kill is in the store afterwards, and the store is whole.
 */
static void test_acknowledged_survive_kill(void **state)
{
	struct fq_test_store *f = *state;
	char path[sizeof(f->path)];
	int fds[2];
	int64_t acked = 0, got;
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s", f->path);
	fq_test_store_close(f);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fq_db_options opt = {.pool_size = 2, .checkpoint_pages = 300};
		struct fq_err err = FQ_ERR_INIT;
		struct fq_db *db = NULL;
		struct fq_dbc *c;

		close(fds[0]);
		if (fq_db_open(path, &opt, &db, &err))
			_exit(2);
		c = fq_db_acquire(db);
		for (int64_t id = 1;; id++) {
			char body[PAYLOAD + 1];
			int deferred = id % 2 == 0;

			body_of(id, body);
			if ((deferred && fq_dbc_defer_sync(c, 1, &err)) ||
			    fq_dbc_begin(c, 1, &err) ||
			    fq_dbc_run(c, &err, NULL, "INSERT INTO item (id, body) VALUES (?, ?)",
				       "it", id, body) ||
			    fq_dbc_commit(c, &err) || (deferred && fq_db_wal_sync(db, &err)) ||
			    (deferred && fq_dbc_defer_sync(c, 0, &err)))
				_exit(3);
			if (write(fds[1], &id, sizeof(id)) != sizeof(id))
				_exit(4);
		}
	}
	close(fds[1]);
	while (acked < 1500 && read(fds[0], &got, sizeof(got)) == sizeof(got))
		acked = got;
	kill(pid, SIGKILL);
	/* Rows the child wrote to the pipe before it died were acknowledged too. */
	while (read(fds[0], &got, sizeof(got)) == sizeof(got))
		acked = got;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(acked >= 1500);
	{
		sqlite3 *h = NULL;
		sqlite3_stmt *st = NULL;
		int64_t n;

		assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM item", -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(h);
		/* The one commit in flight at the kill may or may not have made it. */
		assert_true(n == acked || n == acked + 1);
		expect_rows_raw(path, n);
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, fq_test_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_gathers_a_transaction),
	    T(test_deferred_commits_reach_the_file),
	    T(test_commits_after_restart_and_rewrite),
	    T(test_rollback_then_other_commits),
	    T(test_write_failure_fails_the_commit),
	    T(test_acknowledged_survive_kill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
