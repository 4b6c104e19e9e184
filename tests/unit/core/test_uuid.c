#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/uuid.h"

#define MANY 2000

static int setup(void **state)
{
	(void)state;
	return fq_uuid_global_init();
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int64_t timestamp_of(const uint8_t u[16])
{
	int64_t ms = 0;
	for (int i = 0; i < 6; i++)
		ms = ms << 8 | u[i];
	return ms;
}

static void test_version_and_variant(void **state)
{
	(void)state;
	for (int i = 0; i < MANY; i++) {
		uint8_t u[16];
		fq_uuid7(u);
		assert_int_equal(u[6] >> 4, 7);
		assert_int_equal(u[8] & 0xc0, 0x80);
	}
}

static void test_timestamp(void **state)
{
	uint8_t u[16];
	int64_t before, after;

	(void)state;
	before = fq_now_ms();
	fq_uuid7(u);
	after = fq_now_ms();
	assert_true(timestamp_of(u) >= before);
	assert_true(timestamp_of(u) <= after);
}

static void test_random_bits_differ(void **state)
{
	uint8_t a[16], b[16];

	(void)state;
	fq_uuid7(a);
	fq_uuid7(b);
	/* Counter and random bits: two ids of the same millisecond still differ. */
	assert_memory_not_equal(a + 6, b + 6, 10);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_unique(void **state)
{
	static char ids[MANY][FQ_UUID_STR];

	(void)state;
	for (int i = 0; i < MANY; i++)
		fq_uuid7_str(ids[i]);
	qsort(ids, MANY, FQ_UUID_STR, cmp_str);
	for (int i = 1; i < MANY; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			fail_msg("duplicate id %s", ids[i]);
}

static void test_time_ordered(void **state)
{
	char prev[FQ_UUID_STR], cur[FQ_UUID_STR];

	(void)state;
	fq_uuid7_str(prev);
	for (int i = 0; i < 20; i++) {
		sleep_ms(2);
		fq_uuid7_str(cur);
		if (strcmp(prev, cur) >= 0)
			fail_msg("%s not after %s", cur, prev);
		memcpy(prev, cur, sizeof(prev));
	}
}

/* Ids made one after the other sort in that order, also within one millisecond. */
static void test_monotonic(void **state)
{
	static char ids[MANY][FQ_UUID_STR];
	int same_ms = 0;

	(void)state;
	for (int i = 0; i < MANY; i++)
		fq_uuid7_str(ids[i]);
	for (int i = 1; i < MANY; i++) {
		if (strcmp(ids[i - 1], ids[i]) >= 0)
			fail_msg("id %d %s not after %s", i, ids[i], ids[i - 1]);
		same_ms += memcmp(ids[i - 1], ids[i], 13) == 0; /* the ms: 12 hex digits and '-' */
	}
	/* The loop is fast: most ids share their millisecond with the one before. */
	assert_true(same_ms > 0);
}

#define THREADS	   4
#define PER_THREAD 5000

static void *make_ids(void *arg)
{
	char(*ids)[FQ_UUID_STR] = arg;
	for (int i = 0; i < PER_THREAD; i++)
		fq_uuid7_str(ids[i]);
	return NULL;
}

/* Threads share the counter: each one's ids increase, and all are distinct. */
static void test_monotonic_threads(void **state)
{
	static char ids[THREADS * PER_THREAD][FQ_UUID_STR];
	pthread_t th[THREADS];

	(void)state;
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, make_ids, ids[t * PER_THREAD]), 0);
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_join(th[t], NULL), 0);
	for (int t = 0; t < THREADS; t++)
		for (int i = 1; i < PER_THREAD; i++)
			if (strcmp(ids[t * PER_THREAD + i - 1], ids[t * PER_THREAD + i]) >= 0)
				fail_msg("thread %d: %s not after %s", t, ids[t * PER_THREAD + i],
					 ids[t * PER_THREAD + i - 1]);
	qsort(ids, THREADS * PER_THREAD, FQ_UUID_STR, cmp_str);
	for (int i = 1; i < THREADS * PER_THREAD; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			fail_msg("duplicate id %s", ids[i]);
}

static void test_format(void **state)
{
	static const uint8_t u[16] = {0x01, 0x9a, 0xb2, 0xc3, 0xd4, 0xe5, 0x7f, 0x06,
				      0x87, 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0xfe};
	static const uint8_t zero[16] = {0};
	char out[FQ_UUID_STR];

	(void)state;
	fq_uuid_format(u, out);
	assert_string_equal(out, "019ab2c3-d4e5-7f06-8718-293a4b5c6dfe");
	fq_uuid_format(zero, out);
	assert_string_equal(out, "00000000-0000-0000-0000-000000000000");
}

static void test_str(void **state)
{
	char s[FQ_UUID_STR];

	(void)state;
	fq_uuid7_str(s);
	assert_int_equal(strlen(s), 36);
	assert_true(fq_uuid_valid(s));
	assert_int_equal(s[14], '7');
	assert_non_null(strchr("89ab", s[19]));
	for (int i = 0; i < 36; i++)
		if (s[i] != '-')
			assert_non_null(strchr("0123456789abcdef", s[i]));
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(fq_uuid_valid("019ab2c3-d4e5-7f06-8718-293a4b5c6dfe"));
	assert_true(fq_uuid_valid("019AB2C3-D4E5-7F06-8718-293A4B5C6DFE"));
	assert_true(fq_uuid_valid("00000000-0000-0000-0000-000000000000"));
	assert_false(fq_uuid_valid(""));
	assert_false(fq_uuid_valid("019ab2c3-d4e5-7f06-8718-293a4b5c6df"));
	assert_false(fq_uuid_valid("019ab2c3-d4e5-7f06-8718-293a4b5c6dfe0"));
	assert_false(fq_uuid_valid("019ab2c3d4e57f068718293a4b5c6dfe"));
	assert_false(fq_uuid_valid("019ab2c3-d4e5-7f06-8718-293a4b5c6dfg"));
	assert_false(fq_uuid_valid("019ab2c3-d4e5-7f0608718-293a4b5c6dfe"));
	assert_false(fq_uuid_valid("019ab2c3_d4e5-7f06-8718-293a4b5c6dfe"));
	assert_false(fq_uuid_valid("019ab2c-3d4e5-7f06-8718-293a4b5c6dfe"));
	assert_false(fq_uuid_valid("{19ab2c3-d4e5-7f06-8718-293a4b5c6df}"));
	assert_false(fq_uuid_valid("019ab2c3-d4e5-7f06-8718-293a4b5c6d\xc3\xa9"));
	assert_false(fq_uuid_valid("019ab2c3-d4e5-7f06-8718 293a4b5c6dfe"));
}

/*
 * Random bits are taken from a pool per thread: a forked child must not hand out the bytes
 * its parent hands out next.
 */
static void test_fork_takes_fresh_random(void **state)
{
	uint8_t parent[16], child[16];
	int fds[2], status;
	pid_t pid;

	(void)state;
	fq_uuid7(parent); /* fills the pool */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fq_uuid7(child);
		_exit(write(fds[1], child, sizeof(child)) == (ssize_t)sizeof(child) ? 0 : 1);
	}
	close(fds[1]);
	fq_uuid7(parent);
	assert_int_equal(read(fds[0], child, sizeof(child)), (ssize_t)sizeof(child));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_memory_not_equal(parent + 12, child + 12, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version_and_variant),
	    cmocka_unit_test(test_timestamp),
	    cmocka_unit_test(test_random_bits_differ),
	    cmocka_unit_test(test_fork_takes_fresh_random),
	    cmocka_unit_test(test_unique),
	    cmocka_unit_test(test_time_ordered),
	    cmocka_unit_test(test_monotonic),
	    cmocka_unit_test(test_monotonic_threads),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_str),
	    cmocka_unit_test(test_valid),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
