#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "core/pool.h"

static void assert_zeroed(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			fail_msg("byte %zu of %zu is %u, want 0", i, n, p[i]);
}

static void test_init_release(void **state)
{
	struct fq_pool p;

	(void)state;
	fq_pool_init(&p);
	assert_null(p.head);
	assert_int_equal(p.used_total, 0);
	fq_pool_release(&p);
	assert_null(p.head);
	/* Releasing twice and reusing are fine. */
	fq_pool_release(&p);
	assert_non_null(fq_pool_alloc(&p, 10));
	assert_int_equal(p.used_total, 16);
	fq_pool_release(&p);
	assert_null(p.head);
	assert_int_equal(p.used_total, 0);
}

static void test_alignment_and_zeroing(void **state)
{
	struct fq_pool p;

	(void)state;
	fq_pool_init(&p);
	for (size_t n = 1; n <= 300; n++) {
		unsigned char *m = fq_pool_alloc(&p, n);
		assert_non_null(m);
		assert_int_equal((uintptr_t)m % 16, 0);
		assert_zeroed(m, n);
		memset(m, 0xa5, n); /* dirty it: the next one must still come zeroed */
	}
	fq_pool_release(&p);
}

static void test_used_total(void **state)
{
	struct fq_pool p;

	(void)state;
	fq_pool_init(&p);
	(void)fq_pool_alloc(&p, 1);
	assert_int_equal(p.used_total, 16);
	(void)fq_pool_alloc(&p, 16);
	assert_int_equal(p.used_total, 32);
	(void)fq_pool_alloc(&p, 17);
	assert_int_equal(p.used_total, 64);
	fq_pool_release(&p);
}

static void test_allocations_do_not_overlap(void **state)
{
	struct fq_pool p;
	unsigned char *blocks[500];
	size_t sizes[500];

	(void)state;
	fq_pool_init(&p);
	for (int i = 0; i < 500; i++) {
		sizes[i] = (size_t)(i * 37 % 700) + 1;
		blocks[i] = fq_pool_alloc(&p, sizes[i]);
		memset(blocks[i], i & 0xff, sizes[i]);
	}
	for (int i = 0; i < 500; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			if (blocks[i][k] != (unsigned char)(i & 0xff))
				fail_msg("block %d byte %zu overwritten", i, k);
	fq_pool_release(&p);
}

static void test_large_allocations(void **state)
{
	struct fq_pool p;
	unsigned char *small1, *big, *small2, *huge;

	(void)state;
	fq_pool_init(&p);
	small1 = fq_pool_alloc(&p, 100);
	memset(small1, 1, 100);
	big = fq_pool_alloc(&p, 100000);
	assert_int_equal((uintptr_t)big % 16, 0);
	assert_zeroed(big, 100000);
	memset(big, 2, 100000);
	small2 = fq_pool_alloc(&p, 100);
	assert_zeroed(small2, 100);
	memset(small2, 3, 100);
	huge = fq_pool_alloc(&p, 5u * 1024u * 1024u);
	assert_int_equal((uintptr_t)huge % 16, 0);
	assert_zeroed(huge, 5u * 1024u * 1024u);
	memset(huge, 4, 5u * 1024u * 1024u);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(small1[i], 1);
		assert_int_equal(small2[i], 3);
	}
	for (int i = 0; i < 100000; i++)
		if (big[i] != 2)
			fail_msg("big byte %d overwritten", i);
	assert_true(p.used_total >= 100000u + 5u * 1024u * 1024u + 200u);
	fq_pool_release(&p);
}

static void test_strdup(void **state)
{
	struct fq_pool p;
	const char *src = "诸暨市公安局枫桥派出所";
	char *a, *b;

	(void)state;
	fq_pool_init(&p);
	a = fq_pool_strdup(&p, src);
	assert_string_equal(a, src);
	assert_ptr_not_equal(a, src);
	assert_int_equal((uintptr_t)a % 16, 0);
	b = fq_pool_strdup(&p, "");
	assert_string_equal(b, "");
	b = fq_pool_strndup(&p, "abcdef", 3);
	assert_string_equal(b, "abc");
	b = fq_pool_strndup(&p, "abcdef", 0);
	assert_string_equal(b, "");
	/* Byte-exact: a cut may split a UTF-8 sequence, that is the caller's call. */
	b = fq_pool_strndup(&p, src, 6);
	assert_string_equal(b, "诸暨");
	fq_pool_release(&p);
}

static void test_printf(void **state)
{
	struct fq_pool p;
	char big[20000];
	char *s;

	(void)state;
	fq_pool_init(&p);
	s = fq_pool_printf(&p, "%s-%04d-%.2f", "unit", 7, 2.5);
	assert_string_equal(s, "unit-0007-2.50");
	s = fq_pool_printf(&p, "%s", "");
	assert_string_equal(s, "");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = fq_pool_printf(&p, "[%s]", big);
	assert_int_equal(strlen(s), sizeof(big) + 1);
	assert_int_equal(s[0], '[');
	assert_int_equal(s[sizeof(big)], ']');
	assert_memory_equal(s + 1, big, sizeof(big) - 1);
	fq_pool_release(&p);
}

/*
 * A released pool's standard chunk is kept for the thread's next pool: the
 * next request takes the same memory, zeroed again. A thread ending with a
 * spare frees it (the sanitizer build's leak check would report it).
 */
static void *one_request(void *arg)
{
	struct fq_pool p;
	unsigned char *a;

	fq_pool_init(&p);
	a = fq_pool_alloc(&p, 100);
	memset(a, 0xff, 100);
	fq_pool_release(&p);
	*(unsigned char **)arg = a;
	return NULL;
}

static void test_spare_chunk(void **state)
{
	struct fq_pool p, q;
	unsigned char *a, *b, *big, *from_thread = NULL;
	pthread_t th;

	(void)state;
	fq_pool_init(&p);
	a = fq_pool_alloc(&p, 100);
	memset(a, 0xff, 100);
	fq_pool_release(&p);
	b = fq_pool_alloc(&p, 100);
	assert_ptr_equal(a, b);
	assert_zeroed(b, 100);
	/* Two pools at once: the second has to allocate its own chunk. */
	fq_pool_init(&q);
	assert_ptr_not_equal(fq_pool_alloc(&q, 100), b);
	/* A chunk larger than standard is not kept. */
	big = fq_pool_alloc(&q, 20000);
	assert_non_null(big);
	/* One spare per thread: p's chunk is kept, q's are freed. */
	fq_pool_release(&p);
	fq_pool_release(&q);

	assert_int_equal(pthread_create(&th, NULL, one_request, &from_thread), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_non_null(from_thread);
	/* That thread's spare is gone with it: this thread keeps its own. */
	fq_pool_init(&p);
	assert_ptr_equal(fq_pool_alloc(&p, 16), a);
	fq_pool_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_release),
	    cmocka_unit_test(test_alignment_and_zeroing),
	    cmocka_unit_test(test_used_total),
	    cmocka_unit_test(test_allocations_do_not_overlap),
	    cmocka_unit_test(test_large_allocations),
	    cmocka_unit_test(test_strdup),
	    cmocka_unit_test(test_printf),
	    cmocka_unit_test(test_spare_chunk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
