#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "unit/fq_test.h"

static struct fq_db *open_db(const char *url, int pool_size)
{
	struct fq_db_options opt = {.pool_size = pool_size};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db = NULL;

	if (fq_db_open(url, &opt, &db, &err) != 0)
		fail_msg("open %s: %s (%s)", url, err.machine, err.message);
	assert_non_null(db);
	return db;
}

/* Each test gets a fresh directory under /tmp with one store in it. */
static int setup(void **state)
{
	/* SQLite's own checkpoint threshold, for test_wal_checkpointed's 2,000 commits. */
	struct fq_db_options opt = {.pool_size = 4, .checkpoint_pages = 1000};

	*state = fq_test_store_new_scripted(
	    "db", &opt,
	    "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	    " n INTEGER, x REAL, note TEXT, data BLOB,"
	    " parent_id INTEGER REFERENCES parent(id));"
	    "INSERT INTO parent (id) VALUES (1);");
	return *state ? 0 : -1;
}

static int64_t count_rows(struct fq_dbc *c, const char *sql)
{
	struct fq_stmt *st;
	struct fq_err err = FQ_ERR_INIT;
	int64_t n;

	assert_int_equal(fq_dbc_query(c, &err, &st, sql, ""), 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	n = fq_stmt_int(st, 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_DONE);
	fq_stmt_done(st);
	return n;
}

static void check_pragma(struct fq_dbc *c, const char *pragma, const char *want)
{
	struct fq_stmt *st;
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_dbc_query(c, &err, &st, pragma, ""), 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	if (strcmp(fq_stmt_text(st, 0), want) != 0)
		fail_msg("%s = %s, want %s", pragma, fq_stmt_text(st, 0), want);
	fq_stmt_done(st);
}

static void test_pragmas_on_every_connection(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c[4];

	/* Holding all four at once makes sure each connection is checked. */
	for (int i = 0; i < 4; i++)
		c[i] = fq_db_acquire(f->db);
	for (int i = 0; i < 4; i++) {
		for (int k = 0; k < i; k++)
			assert_ptr_not_equal(c[i], c[k]);
		check_pragma(c[i], "PRAGMA journal_mode", "wal");
		check_pragma(c[i], "PRAGMA synchronous", "2");
		check_pragma(c[i], "PRAGMA secure_delete", "1");
		check_pragma(c[i], "PRAGMA foreign_keys", "1");
	}
	for (int i = 0; i < 4; i++)
		fq_db_release(f->db, c[i]);
}

static void test_kind_path_ping(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	char url[160];

	assert_int_equal(fq_db_kind(f->db), FQ_DB_SQLITE);
	assert_string_equal(fq_db_path(f->db), f->path);
	assert_int_equal(fq_db_ping(f->db, &err), 0);

	/* "sqlite:PATH" names the same file. */
	snprintf(url, sizeof(url), "sqlite:%s", f->path);
	db = open_db(url, 1);
	assert_string_equal(fq_db_path(db), f->path);
	{
		struct fq_dbc *c = fq_db_acquire(db);
		assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM parent"), 1);
		fq_db_release(db, c);
	}
	fq_db_close(db);
	fq_db_close(NULL);
}

static void test_open_refusals(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_db_options ro = {.read_only = 1};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db = (struct fq_db *)&err;
	char missing[160];

	assert_int_equal(fq_db_open("postgresql://fq@localhost/fengqiao", NULL, &db, &err),
			 FQ_EINVAL);
	assert_null(db);
	assert_string_equal(err.machine, "backend_unavailable");
	assert_string_equal(err.field, "db");
	assert_int_equal(fq_db_open("postgres://localhost/x", NULL, &db, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "backend_unavailable");
	assert_int_equal(fq_db_open("", NULL, &db, &err), FQ_EINVAL);
	assert_string_equal(err.field, "db");
	assert_int_equal(fq_db_open(NULL, NULL, &db, &err), FQ_EINVAL);
	assert_int_equal(fq_db_open("sqlite:", NULL, &db, &err), FQ_EINVAL);
	assert_null(db);

	/* Read-only never creates the file. */
	snprintf(missing, sizeof(missing), "%s/missing.db", f->dir);
	assert_int_equal(fq_db_open(missing, &ro, &db, &err), FQ_EDB);
	assert_null(db);
	assert_int_equal(access(missing, F_OK), -1);

	/* A directory that does not exist. */
	assert_int_equal(fq_db_open("/nonexistent-fq-dir/x/store.db", NULL, &db, &err), FQ_EDB);
	assert_null(db);
}

static void test_read_only(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_db_options ro = {.read_only = 1, .pool_size = 1};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	struct fq_dbc *c;

	assert_int_equal(fq_db_open(f->path, &ro, &db, &err), 0);
	c = fq_db_acquire(db);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM parent"), 1);
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO parent (id) VALUES (?)", "i", (int64_t)2),
	    FQ_EDB);
	fq_db_release(db, c);
	fq_db_close(db);
}

static void test_run_types(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t changes = -1;

	assert_int_equal(
	    fq_dbc_run(c, &err, &changes,
		       "INSERT INTO item (id, name, n, x, note) VALUES (?, ?, ?, ?, ?)", "itIdt",
		       (int64_t)1, "first", (int64_t)42, 36.8219, "备注"),
	    0);
	assert_int_equal(changes, 1);
	/* NULL through t, I (INT64_MIN) and D (NAN). */
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO item (id, name, n, x, note) VALUES (?, ?, ?, ?, ?)", "itIDt",
		       (int64_t)2, "second", (int64_t)INT64_MIN, (double)NAN, (const char *)NULL),
	    0);
	/* i binds INT64_MIN as a value; D binds ordinary doubles. */
	assert_int_equal(fq_dbc_run(c, &err, NULL,
				    "INSERT INTO item (id, name, n, x) VALUES (?, ?, ?, ?)", "itiD",
				    (int64_t)3, "third", (int64_t)INT64_MIN, -0.5),
			 0);

	assert_int_equal(
	    fq_dbc_query(c, &err, &st,
			 "SELECT id, name, n, x, note FROM item WHERE id >= ? ORDER BY id", "i",
			 (int64_t)1),
	    0);
	assert_int_equal(fq_stmt_columns(st), 5);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	assert_int_equal(fq_stmt_int(st, 0), 1);
	assert_string_equal(fq_stmt_text(st, 1), "first");
	assert_int_equal(fq_stmt_int(st, 2), 42);
	assert_true(fq_stmt_double(st, 3) == 36.8219);
	assert_string_equal(fq_stmt_text(st, 4), "备注");
	assert_false(fq_stmt_is_null(st, 4));

	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	assert_int_equal(fq_stmt_int(st, 0), 2);
	assert_true(fq_stmt_is_null(st, 2));
	assert_true(fq_stmt_is_null(st, 3));
	assert_true(fq_stmt_is_null(st, 4));
	assert_null(fq_stmt_text(st, 4));

	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	assert_int_equal(fq_stmt_int(st, 0), 3);
	assert_false(fq_stmt_is_null(st, 2));
	assert_true(fq_stmt_int(st, 2) == INT64_MIN);
	assert_true(fq_stmt_double(st, 3) == -0.5);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_DONE);
	fq_stmt_done(st);

	/* Changed-row count of an UPDATE. */
	assert_int_equal(fq_dbc_run(c, &err, &changes, "UPDATE item SET note = ? WHERE id <= ?",
				    "ti", "x", (int64_t)2),
			 0);
	assert_int_equal(changes, 2);
	assert_int_equal(fq_dbc_run(c, &err, &changes, "UPDATE item SET note = ? WHERE id > ?",
				    "ti", "x", (int64_t)100),
			 0);
	assert_int_equal(changes, 0);
	fq_db_release(f->db, c);
}

static void test_bind_blob_and_null(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	static const unsigned char bytes[] = {0, 1, 2, 0xff, 0};
	const void *p;
	size_t n = 0;

	assert_int_equal(
	    fq_dbc_prepare(c, "INSERT INTO item (name, data, note) VALUES (?, ?, ?)", &st, &err),
	    0);
	assert_int_equal(fq_stmt_bind_text(st, 1, "blob"), 0);
	assert_int_equal(fq_stmt_bind_blob(st, 2, bytes, sizeof(bytes)), 0);
	assert_int_equal(fq_stmt_bind_null(st, 3), 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_DONE);
	fq_stmt_done(st);

	assert_int_equal(
	    fq_dbc_query(c, &err, &st, "SELECT data, note FROM item WHERE name = ?", "t", "blob"),
	    0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	p = fq_stmt_blob(st, 0, &n);
	assert_int_equal(n, sizeof(bytes));
	assert_memory_equal(p, bytes, sizeof(bytes));
	assert_true(fq_stmt_is_null(st, 1));
	fq_stmt_done(st);

	/* Binding past the last parameter is an error, not a crash. */
	assert_int_equal(fq_dbc_prepare(c, "SELECT ?", &st, &err), 0);
	assert_true(fq_stmt_bind_int(st, 2, 1) < 0);
	assert_true(fq_stmt_bind_double(st, 0, 1.0) < 0);
	fq_stmt_done(st);
	fq_stmt_done(NULL);
	fq_db_release(f->db, c);
}

static void test_constraints_conflict(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "unique"), 0);
	/* UNIQUE */
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "unique"),
	    FQ_ECONFLICT);
	assert_string_equal(err.machine, "constraint");
	fq_err_clear(&err);
	/* NOT NULL */
	assert_int_equal(fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t",
				    (const char *)NULL),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "constraint");
	/* FOREIGN KEY (foreign_keys is on) */
	assert_int_equal(fq_dbc_run(c, &err, NULL,
				    "INSERT INTO item (name, parent_id) VALUES (?, ?)", "ti",
				    "orphan", (int64_t)99),
			 FQ_ECONFLICT);
	assert_int_equal(fq_dbc_run(c, &err, NULL,
				    "INSERT INTO item (name, parent_id) VALUES (?, ?)", "ti",
				    "child", (int64_t)1),
			 0);
	/* PRIMARY KEY */
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO parent (id) VALUES (?)", "i", (int64_t)1),
	    FQ_ECONFLICT);
	/* The connection is still usable. */
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), 2);
	fq_db_release(f->db, c);
}

static void test_count(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	int64_t n = -1;

	for (int i = 0; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof(name), "c%d", i);
		assert_int_equal(fq_dbc_run(c, &err, NULL,
					    "INSERT INTO item (name, n) VALUES (?, ?)", "ti", name,
					    (int64_t)i),
				 0);
	}
	assert_int_equal(
	    fq_dbc_count(c, &err, &n, "SELECT COUNT(*) FROM item WHERE n >= ?", "i", (int64_t)2),
	    0);
	assert_int_equal(n, 3);
	/* No row: 0. */
	assert_int_equal(fq_dbc_count(c, &err, &n, "SELECT n FROM item WHERE name = ?", "t", "x"),
			 0);
	assert_int_equal(n, 0);
	/* A binding error leaves the statement finished and says so. */
	assert_int_equal(fq_dbc_count(c, &err, &n, "SELECT COUNT(*) FROM item WHERE n = ?", "ti",
				      "a", (int64_t)1),
			 FQ_EINTERNAL);
	assert_int_equal(fq_dbc_count(c, &err, &n, "SELECT COUNT(*) FROM item", ""), 0);
	assert_int_equal(n, 5);
	fq_db_release(f->db, c);
}

static void test_lookup_text(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	char out[8];

	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "lookup-key"), 0);
	/* Found: the first column of the row, cut to the buffer. */
	assert_int_equal(fq_dbc_lookup_text(c, "SELECT name FROM item WHERE name = ?", "lookup-key",
					    out, sizeof(out), "无", &err),
			 0);
	assert_string_equal(out, "lookup-");
	/* Absent: not_found with the caller's message. */
	assert_int_equal(fq_dbc_lookup_text(c, "SELECT name FROM item WHERE name = ?", "absent",
					    out, sizeof(out), "条目不存在", &err),
			 FQ_ENOTFOUND);
	assert_string_equal(err.machine, "not_found");
	assert_string_equal(err.message, "条目不存在");
	fq_db_release(f->db, c);
}

static void test_statement_cache(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *first = NULL, *st;
	static const char sql[] = "SELECT ? + 1";

	for (int64_t i = 0; i < 50; i++) {
		assert_int_equal(fq_dbc_query(c, &err, &st, sql, "i", i), 0);
		if (!first)
			first = st;
		assert_ptr_equal(st, first); /* handed back, so reused */
		assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
		assert_int_equal(fq_stmt_int(st, 0), i + 1);
		fq_stmt_done(st);
	}
	/* Done clears bindings: a reused statement does not keep old values. */
	assert_int_equal(fq_dbc_prepare(c, sql, &st, &err), 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	assert_true(fq_stmt_is_null(st, 0));
	fq_stmt_done(st);
	/* A statement abandoned mid-result is reset by done and runs again. */
	assert_int_equal(fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "a"),
			 0);
	assert_int_equal(fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "b"),
			 0);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(
		    fq_dbc_query(c, &err, &st, "SELECT name FROM item ORDER BY name", ""), 0);
		assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
		assert_string_equal(fq_stmt_text(st, 0), "a");
		fq_stmt_done(st);
	}
	/* Many distinct statements (more than the cache holds) all work. */
	for (int i = 0; i < 600; i++) {
		char q[64];
		snprintf(q, sizeof(q), "SELECT %d", i);
		assert_int_equal(fq_dbc_prepare(c, q, &st, &err), 0);
		assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
		assert_int_equal(fq_stmt_int(st, 0), i);
		fq_stmt_done(st);
	}
	fq_db_release(f->db, c);
}

static void test_wrong_placeholder_count(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st = (struct fq_stmt *)&err;

	assert_true(fq_dbc_run(c, &err, NULL, "INSERT INTO item (name, n) VALUES (?, ?)", "t",
			       "only-one") < 0);
	assert_true(err.code < 0);
	fq_err_clear(&err);
	assert_true(fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "ti", "two",
			       (int64_t)2) < 0);
	assert_true(fq_dbc_query(c, &err, &st, "SELECT * FROM item WHERE id = ?", "") < 0);
	assert_null(st);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), 0);
	/* And the same SQL still works when called right. */
	assert_int_equal(fq_dbc_run(c, &err, NULL, "INSERT INTO item (name, n) VALUES (?, ?)", "ti",
				    "ok", (int64_t)1),
			 0);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), 1);
	fq_db_release(f->db, c);
}

static void test_bad_sql(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st = (struct fq_stmt *)&err;

	assert_int_equal(fq_dbc_prepare(c, "SELEKT 1", &st, &err), FQ_EDB);
	assert_null(st);
	assert_int_equal(fq_dbc_prepare(c, "SELECT * FROM no_such_table", &st, &err), FQ_EDB);
	assert_int_equal(fq_dbc_exec_script(c, "CREATE TABLE t1 (a); BROKEN;", &err), FQ_EDB);
	assert_string_equal(err.machine, "storage_error");
	assert_int_equal(fq_dbc_exec_script(c,
					    "CREATE TABLE t2 (a); INSERT INTO t2 VALUES (1);"
					    "INSERT INTO t2 VALUES (2);",
					    &err),
			 0);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM t2"), 2);
	fq_db_release(f->db, c);
}

static void test_transactions(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;

	assert_false(fq_dbc_in_transaction(c));
	fq_dbc_rollback(c); /* harmless outside a transaction */

	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	assert_true(fq_dbc_in_transaction(c));
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "rolled-back"), 0);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), 1);
	fq_dbc_rollback(c);
	assert_false(fq_dbc_in_transaction(c));
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), 0);

	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	/* No nested transactions. */
	assert_true(fq_dbc_begin(c, 0, &err) < 0);
	assert_true(fq_dbc_in_transaction(c));
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "committed"), 0);
	assert_int_equal(fq_dbc_commit(c, &err), 0);
	assert_false(fq_dbc_in_transaction(c));
	/* Commit without a transaction is an error. */
	assert_true(fq_dbc_commit(c, &err) < 0);
	fq_db_release(f->db, c);

	/* Another connection sees the committed row. */
	{
		struct fq_dbc *a = fq_db_acquire(f->db);
		struct fq_dbc *b = fq_db_acquire(f->db);
		assert_int_equal(count_rows(a, "SELECT COUNT(*) FROM item"), 1);
		assert_int_equal(count_rows(b, "SELECT COUNT(*) FROM item"), 1);
		/* Uncommitted writes of one connection are invisible to another. */
		assert_int_equal(fq_dbc_begin(a, 1, &err), 0);
		assert_int_equal(
		    fq_dbc_run(a, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "pending"),
		    0);
		assert_int_equal(count_rows(b, "SELECT COUNT(*) FROM item"), 1);
		assert_int_equal(fq_dbc_commit(a, &err), 0);
		assert_int_equal(count_rows(b, "SELECT COUNT(*) FROM item"), 2);
		fq_db_release(f->db, a);
		fq_db_release(f->db, b);
	}
}

static void test_release_rolls_back(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", "forgotten"), 0);
	fq_db_release(f->db, c);
	assert_false(fq_dbc_in_transaction(c));
	c = fq_db_acquire(f->db);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), 0);
	/* The write lock is free again. */
	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	assert_int_equal(fq_dbc_commit(c, &err), 0);
	fq_db_release(f->db, c);
}

/* Savepoints: a failed step rolls back to its savepoint; the rest of the transaction stays. */
static void test_savepoints(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;

	/* Only inside a transaction. */
	assert_int_equal(fq_dbc_savepoint(c, "sp", &err), FQ_EINTERNAL);
	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	for (int round = 0; round < 3; round++) { /* the statements come from the cache again */
		char a[32], b[32];
		snprintf(a, sizeof(a), "kept-%d", round);
		snprintf(b, sizeof(b), "undone-%d", round);
		assert_int_equal(fq_dbc_savepoint(c, "sp", &err), 0);
		assert_int_equal(
		    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", a), 0);
		assert_int_equal(fq_dbc_savepoint_release(c, "sp", &err), 0);
		assert_int_equal(fq_dbc_savepoint(c, "sp", &err), 0);
		assert_int_equal(
		    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", b), 0);
		/* A constraint error inside the savepoint. */
		assert_int_equal(
		    fq_dbc_run(c, &err, NULL, "INSERT INTO item (name) VALUES (?)", "t", a),
		    FQ_ECONFLICT);
		assert_int_equal(fq_dbc_savepoint_rollback(c, "sp", &err), 0);
		assert_true(fq_dbc_in_transaction(c));
	}
	assert_int_equal(fq_dbc_commit(c, &err), 0);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item WHERE name LIKE 'kept-%'"), 3);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item WHERE name LIKE 'undone-%'"), 0);
	/* Rolling back to a savepoint without a transaction is an error, not a crash. */
	assert_true(fq_dbc_savepoint_rollback(c, "sp", &err) < 0);
	fq_db_release(f->db, c);
}

static void test_backup(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;
	char dest[160];
	struct fq_db *copy;
	struct stat sb;

	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
	for (int64_t i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof(name), "row-%lld", (long long)i);
		assert_int_equal(fq_dbc_run(c, &err, NULL,
					    "INSERT INTO item (name, n) VALUES (?, ?)", "ti", name,
					    i),
				 0);
	}
	assert_int_equal(fq_dbc_commit(c, &err), 0);
	fq_db_release(f->db, c);

	snprintf(dest, sizeof(dest), "%s/backup.db", f->dir);
	assert_int_equal(fq_db_backup(f->db, dest, &err), 0);
	assert_int_equal(stat(dest, &sb), 0);
	assert_true(sb.st_size > 0);

	copy = open_db(dest, 1);
	c = fq_db_acquire(copy);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), 100);
	assert_int_equal(count_rows(c, "SELECT SUM(n) FROM item"), 4950);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM parent"), 1);
	fq_db_release(copy, c);
	fq_db_close(copy);

	/* Never overwrites: the existing file keeps its size and content. */
	{
		struct stat before;
		FILE *fp;
		char other[160];

		assert_int_equal(stat(dest, &before), 0);
		assert_int_equal(fq_db_backup(f->db, dest, &err), FQ_ECONFLICT);
		assert_string_equal(err.machine, "exists");
		assert_int_equal(stat(dest, &sb), 0);
		assert_int_equal(sb.st_size, before.st_size);

		snprintf(other, sizeof(other), "%s/notes.txt", f->dir);
		fp = fopen(other, "w");
		assert_non_null(fp);
		fputs("keep me", fp);
		fclose(fp);
		assert_int_equal(fq_db_backup(f->db, other, &err), FQ_ECONFLICT);
		fp = fopen(other, "r");
		assert_non_null(fp);
		{
			char buf[32] = "";
			assert_non_null(fgets(buf, sizeof(buf), fp));
			assert_string_equal(buf, "keep me");
		}
		fclose(fp);
	}
	/* A destination that cannot be created. */
	assert_true(fq_db_backup(f->db, "/nonexistent-fq-dir/backup.db", &err) < 0);
}

#define THREADS		     4
#define ROWS_PER_THREAD	     200
#define ROWS_PER_TRANSACTION 10

struct worker {
	struct fq_db *db;
	int id;
	int failures;
};

static void *write_rows(void *arg)
{
	struct worker *w = arg;

	for (int done = 0; done < ROWS_PER_THREAD; done += ROWS_PER_TRANSACTION) {
		struct fq_dbc *c = fq_db_acquire(w->db);
		struct fq_err err = FQ_ERR_INIT;
		int rc = fq_dbc_begin(c, 1, &err);
		for (int k = 0; !rc && k < ROWS_PER_TRANSACTION; k++) {
			char name[48];
			snprintf(name, sizeof(name), "t%d-r%d", w->id, done + k);
			rc = fq_dbc_run(c, &err, NULL, "INSERT INTO item (name, n) VALUES (?, ?)",
					"ti", name, (int64_t)w->id);
		}
		if (!rc)
			rc = fq_dbc_commit(c, &err);
		else
			fq_dbc_rollback(c);
		if (rc)
			w->failures++;
		/* A reader on the same connection between transactions. */
		if (!rc) {
			struct fq_stmt *st;
			if (fq_dbc_query(c, &err, &st, "SELECT COUNT(*) FROM item WHERE n = ?", "i",
					 (int64_t)w->id) ||
			    fq_stmt_step(st, &err) != FQ_DB_ROW ||
			    fq_stmt_int(st, 0) != done + ROWS_PER_TRANSACTION)
				w->failures++;
			fq_stmt_done(st);
		}
		fq_db_release(w->db, c);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fq_test_store *f = *state;
	pthread_t th[THREADS];
	struct worker w[THREADS];
	struct fq_dbc *c;

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.db = f->db, .id = i + 1};
		assert_int_equal(pthread_create(&th[i], NULL, write_rows, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	c = fq_db_acquire(f->db);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), THREADS * ROWS_PER_THREAD);
	assert_int_equal(count_rows(c, "SELECT COUNT(DISTINCT name) FROM item"),
			 THREADS * ROWS_PER_THREAD);
	for (int i = 1; i <= THREADS; i++) {
		struct fq_stmt *st;
		struct fq_err err = FQ_ERR_INIT;
		assert_int_equal(fq_dbc_query(c, &err, &st, "SELECT COUNT(*) FROM item WHERE n = ?",
					      "i", (int64_t)i),
				 0);
		assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
		assert_int_equal(fq_stmt_int(st, 0), ROWS_PER_THREAD);
		fq_stmt_done(st);
	}
	fq_db_release(f->db, c);
}

/* More threads than connections: acquire waits instead of failing. */
static void test_threads_share_small_pool(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_db *db = open_db(f->path, 1);
	pthread_t th[THREADS];
	struct worker w[THREADS];
	struct fq_dbc *c;

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.db = db, .id = 10 + i};
		assert_int_equal(pthread_create(&th[i], NULL, write_rows, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	c = fq_db_acquire(db);
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item"), THREADS * ROWS_PER_THREAD);
	fq_db_release(db, c);
	fq_db_close(db);
}

/*
 * The checkpointer thread keeps the WAL short while one connection writes
 * without a pause: without it (or without the writer's catch-up after each
 * pass) the WAL would only grow, as no write transaction would ever find
 * every frame copied back.
 */
static void test_wal_checkpointed(void **state)
{
	struct fq_test_store *f = *state;
	enum { COMMITS = 2000 };
	char wal[512];
	struct stat sb;
	struct fq_dbc *c = fq_db_acquire(f->db);
	struct fq_err err = FQ_ERR_INIT;

	for (int i = 0; i < COMMITS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "wal-%d", i);
		assert_int_equal(
		    fq_dbc_run(c, &err, NULL,
			       "INSERT INTO item (name, n, data) VALUES (?, ?, zeroblob(3000))",
			       "ti", name, (int64_t)i),
		    0);
	}
	assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM item WHERE length(data) = 3000"),
			 COMMITS);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0);
	/* Each commit writes at least its row's page: 2,000 pages and more unchecked. */
	if (sb.st_size > (off_t)1500 * 4096)
		fail_msg("WAL is %lld bytes after %d commits: not checkpointed",
			 (long long)sb.st_size, COMMITS);
	fq_db_release(f->db, c);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fq_test_store_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_pragmas_on_every_connection),
	    T(test_kind_path_ping),
	    T(test_open_refusals),
	    T(test_read_only),
	    T(test_run_types),
	    T(test_bind_blob_and_null),
	    T(test_constraints_conflict),
	    T(test_lookup_text),
	    T(test_count),
	    T(test_statement_cache),
	    T(test_wrong_placeholder_count),
	    T(test_bad_sql),
	    T(test_transactions),
	    T(test_release_rolls_back),
	    T(test_savepoints),
	    T(test_backup),
	    T(test_threads),
	    T(test_threads_share_small_pool),
	    T(test_wal_checkpointed),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
