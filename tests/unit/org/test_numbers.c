#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "org/numbers.h"
#include "unit/fq_test.h"

/* 2026-11-23 12:00 China Standard Time. */
#define AT_MS 1795406400000LL

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("numbers");

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static void next(struct fq_dbc *c, const char *kind, const char *unit, const char *want)
{
	char out[FQ_NUMBER_MAX];
	struct fq_err err = FQ_ERR_INIT;

	if (fq_number_next(c, kind, unit, AT_MS, out, &err) != 0)
		fail_msg("%s %s: %s", kind, unit, err.message);
	assert_string_equal(out, want);
}

static int64_t stored(struct fq_dbc *c, const char *prefix)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t last = -1;

	assert_int_equal(
	    fq_dbc_query(c, &err, &st, "SELECT last FROM number_seq WHERE prefix = ?", "t", prefix),
	    0);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW)
		last = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return last;
}

/* One statement per number: per kind, unit and CST day. */
static void test_next(void **state)
{
	struct fq_test_store *f = *state;
	char out[FQ_NUMBER_MAX];
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(f->c);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0001");
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0002");
	next(f->c, "SJ", "339902510000", "SJ-339902510000-20261123-0001");
	next(f->c, "JJ", "339902520000", "JJ-339902520000-20261123-0001");
	/* 23:59:59.999 CST is still the 23rd; a millisecond later the 24th. */
	assert_int_equal(fq_number_next(f->c, "JJ", "339902510000", 1795449599999LL, out, &err), 0);
	assert_string_equal(out, "JJ-339902510000-20261123-0003");
	assert_int_equal(fq_number_next(f->c, "JJ", "339902510000", 1795449600000LL, out, &err), 0);
	assert_string_equal(out, "JJ-339902510000-20261124-0001");
	fq_test_commit(f->c);
	assert_int_equal(stored(f->c, "JJ-339902510000-20261123"), 3);
}

/*
 * In a batch: the counters are read once and written by the flush; numbers go on from what
 * the store held, a savepoint rolled back leaves a gap, never a number twice, and a
 * transaction rolled back takes the counters back.
 */
static void test_batch(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(f->c);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0001");
	fq_test_commit(f->c);

	fq_test_begin(f->c);
	fq_number_batch_begin(f->c);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0002");
	next(f->c, "SJ", "339902510000", "SJ-339902510000-20261123-0001");
	/* Not written yet: the store still holds what it had. */
	assert_int_equal(stored(f->c, "JJ-339902510000-20261123"), 1);
	assert_int_equal(stored(f->c, "SJ-339902510000-20261123"), -1);
	assert_int_equal(fq_dbc_savepoint(f->c, "one", &err), 0);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0003");
	assert_int_equal(fq_dbc_savepoint_rollback(f->c, "one", &err), 0);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0004");
	assert_int_equal(fq_number_batch_flush(&err), 0);
	fq_number_batch_end();
	fq_test_commit(f->c);
	assert_int_equal(stored(f->c, "JJ-339902510000-20261123"), 4);
	assert_int_equal(stored(f->c, "SJ-339902510000-20261123"), 1);

	/* After the batch: one statement per number again, on from the flushed counter. */
	fq_test_begin(f->c);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0005");
	fq_test_commit(f->c);

	/* A batch whose transaction is rolled back leaves the counters as they were. */
	fq_test_begin(f->c);
	fq_number_batch_begin(f->c);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0006");
	assert_int_equal(fq_number_batch_flush(&err), 0);
	fq_number_batch_end();
	fq_dbc_rollback(f->c);
	assert_int_equal(stored(f->c, "JJ-339902510000-20261123"), 5);
	fq_test_begin(f->c);
	fq_number_batch_begin(f->c);
	next(f->c, "JJ", "339902510000", "JJ-339902510000-20261123-0006");
	assert_int_equal(fq_number_batch_flush(&err), 0);
	fq_number_batch_end();
	fq_test_commit(f->c);
	assert_int_equal(stored(f->c, "JJ-339902510000-20261123"), 6);
}

/* The first number of a prefix in a batch whose savepoint is rolled back is still not reused. */
static void test_batch_first_rolled_back(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(f->c);
	fq_number_batch_begin(f->c);
	assert_int_equal(fq_dbc_savepoint(f->c, "one", &err), 0);
	next(f->c, "SJ", "339902590000", "SJ-339902590000-20261123-0001");
	assert_int_equal(fq_dbc_savepoint_rollback(f->c, "one", &err), 0);
	next(f->c, "SJ", "339902590000", "SJ-339902590000-20261123-0002");
	assert_int_equal(fq_number_batch_flush(&err), 0);
	fq_number_batch_end();
	fq_test_commit(f->c);
	assert_int_equal(stored(f->c, "SJ-339902590000-20261123"), 2);
}

/* More prefixes than a batch remembers: the rest take a statement each, all stay distinct. */
static void test_batch_many_prefixes(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char unit[32], want[FQ_NUMBER_MAX];

	fq_test_begin(f->c);
	fq_number_batch_begin(f->c);
	for (int round = 1; round <= 3; round++)
		for (int u = 0; u < 40; u++) {
			snprintf(unit, sizeof(unit), "3399025%05d", u);
			snprintf(want, sizeof(want), "JJ-%s-20261123-%04d", unit, round);
			next(f->c, "JJ", unit, want);
		}
	assert_int_equal(fq_number_batch_flush(&err), 0);
	fq_number_batch_end();
	fq_test_commit(f->c);
	for (int u = 0; u < 40; u++) {
		snprintf(want, sizeof(want), "JJ-3399025%05d-20261123", u);
		assert_int_equal(stored(f->c, want), 3);
	}
}

struct other_thread {
	struct fq_test_store *f;
	char out[FQ_NUMBER_MAX];
	int rc;
};

static void *number_elsewhere(void *arg)
{
	struct other_thread *o = arg;
	struct fq_err err = FQ_ERR_INIT;

	o->rc = fq_number_next(o->f->c, "SJ", "339902580000", AT_MS, o->out, &err);
	return NULL;
}

/* A batch belongs to its thread and its connection: elsewhere numbers take a statement. */
static void test_batch_is_per_thread(void **state)
{
	struct fq_test_store *f = *state;
	struct other_thread o = {.f = f};
	pthread_t t;
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(f->c);
	fq_number_batch_begin(f->c);
	next(f->c, "SJ", "339902580000", "SJ-339902580000-20261123-0001");
	/* Another thread on the same connection (the test's only one; it waits for it). */
	assert_int_equal(pthread_create(&t, NULL, number_elsewhere, &o), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(o.rc, 0);
	assert_string_equal(o.out, "SJ-339902580000-20261123-0001"); /* straight from the store */
	assert_int_equal(stored(f->c, "SJ-339902580000-20261123"), 1);
	assert_int_equal(fq_number_batch_flush(&err), 0);
	fq_number_batch_end();
	fq_test_commit(f->c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_next, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_batch, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_batch_first_rolled_back, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_batch_many_prefixes, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_batch_is_per_thread, setup,
					    fq_test_store_teardown),
	};

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
