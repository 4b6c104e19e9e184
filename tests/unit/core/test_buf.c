#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void test_init_is_empty_string(void **state)
{
	struct fq_buf b;

	(void)state;
	fq_buf_init(&b, 100);
	assert_non_null(b.buf);
	assert_string_equal(b.buf, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 100);
	fq_buf_release(&b);
	assert_string_equal(b.buf, "");
	assert_int_equal(b.max, 100);

	fq_buf_init(&b, 0);
	assert_int_equal(b.max, FQ_BUF_DEFAULT_MAX);
	fq_buf_release(&b);
}

static void test_appends(void **state)
{
	struct fq_buf b;

	(void)state;
	fq_buf_init(&b, 0);
	assert_int_equal(fq_buf_adds(&b, "枫桥"), 0);
	assert_int_equal(fq_buf_addch(&b, '-'), 0);
	assert_int_equal(fq_buf_add(&b, "abcdef", 3), 0);
	assert_int_equal(fq_buf_addf(&b, "/%d/%s/%05.1f", 42, "x", 3.25), 0);
	assert_string_equal(b.buf, "枫桥-abc/42/x/003.2");
	assert_int_equal(b.len, strlen("枫桥-abc/42/x/003.2"));
	/* Empty appends change nothing and keep the terminator. */
	assert_int_equal(fq_buf_add(&b, "", 0), 0);
	assert_int_equal(fq_buf_adds(&b, ""), 0);
	assert_int_equal(fq_buf_addf(&b, "%s", ""), 0);
	assert_string_equal(b.buf, "枫桥-abc/42/x/003.2");
	fq_buf_release(&b);
}

static void test_binary_data(void **state)
{
	struct fq_buf b;
	static const char bytes[] = {'a', '\0', 'b', '\0'};

	(void)state;
	fq_buf_init(&b, 0);
	assert_int_equal(fq_buf_add(&b, bytes, sizeof(bytes)), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.buf, bytes, 4);
	assert_int_equal(b.buf[4], '\0');
	fq_buf_release(&b);
}

static void test_growth(void **state)
{
	struct fq_buf b;
	char want[20001];

	(void)state;
	fq_buf_init(&b, 0);
	for (int i = 0; i < 20000; i++) {
		want[i] = (char)('a' + i % 26);
		assert_int_equal(fq_buf_addch(&b, want[i]), 0);
		assert_int_equal(b.buf[b.len], '\0');
	}
	want[20000] = '\0';
	assert_int_equal(b.len, 20000);
	assert_string_equal(b.buf, want);
	assert_true(b.alloc > b.len);
	fq_buf_release(&b);

	/* One formatted append much larger than the first allocation. */
	fq_buf_init(&b, 0);
	assert_int_equal(fq_buf_adds(&b, "<"), 0);
	assert_int_equal(fq_buf_addf(&b, "%s|%s", want, want), 0);
	assert_int_equal(b.len, 1 + 20000 + 1 + 20000);
	assert_int_equal(b.buf[0], '<');
	assert_memory_equal(b.buf + 1, want, 20000);
	assert_int_equal(b.buf[20001], '|');
	assert_memory_equal(b.buf + 20002, want, 20000);
	assert_int_equal(b.buf[b.len], '\0');
	fq_buf_release(&b);
}

/* A reservation makes room once; the appends within it keep the same memory. */
static void test_reserve(void **state)
{
	struct fq_buf b;
	char *mem;

	(void)state;
	fq_buf_init(&b, 100);
	assert_int_equal(fq_buf_adds(&b, "ab"), 0);
	assert_int_equal(fq_buf_reserve(&b, 98), 0);
	assert_true(b.alloc >= 101);
	assert_string_equal(b.buf, "ab");
	mem = b.buf;
	for (int i = 0; i < 98; i++)
		assert_int_equal(fq_buf_addch(&b, 'x'), 0);
	assert_ptr_equal(b.buf, mem);
	assert_int_equal(b.len, 100);
	/* Past the maximum: refused, nothing changed. */
	assert_int_equal(fq_buf_reserve(&b, 1), FQ_ETOOBIG);
	assert_int_equal(b.len, 100);
	assert_int_equal(fq_buf_reserve(&b, 0), 0);
	fq_buf_release(&b);
}

static void test_max_exact_fit(void **state)
{
	struct fq_buf b;

	(void)state;
	fq_buf_init(&b, 8);
	assert_int_equal(fq_buf_adds(&b, "1234"), 0);
	assert_int_equal(fq_buf_addf(&b, "%d", 5678), 0);
	assert_string_equal(b.buf, "12345678");
	assert_int_equal(b.len, 8);
	fq_buf_release(&b);
}

static void test_max_refuses_and_keeps_content(void **state)
{
	struct fq_buf b;

	(void)state;
	fq_buf_init(&b, 8);
	assert_int_equal(fq_buf_adds(&b, "123456"), 0);

	assert_int_equal(fq_buf_adds(&b, "abc"), FQ_ETOOBIG);
	assert_string_equal(b.buf, "123456");
	assert_int_equal(b.len, 6);

	assert_int_equal(fq_buf_addf(&b, "%s", "xyz"), FQ_ETOOBIG);
	assert_string_equal(b.buf, "123456");
	assert_int_equal(b.len, 6);

	assert_int_equal(fq_buf_add(&b, "toolong", 7), FQ_ETOOBIG);
	assert_string_equal(b.buf, "123456");

	assert_int_equal(fq_buf_addch(&b, '7'), 0);
	assert_int_equal(fq_buf_addch(&b, '8'), 0);
	assert_int_equal(fq_buf_addch(&b, '9'), FQ_ETOOBIG);
	assert_string_equal(b.buf, "12345678");
	assert_int_equal(b.len, 8);

	/* An absurd size does not wrap around. */
	assert_int_equal(fq_buf_add(&b, "x", SIZE_MAX), FQ_ETOOBIG);
	assert_int_equal(b.len, 8);
	fq_buf_release(&b);

	/* A first append over the limit leaves the empty string. */
	fq_buf_init(&b, 4);
	assert_int_equal(fq_buf_adds(&b, "hello"), FQ_ETOOBIG);
	assert_non_null(b.buf);
	assert_string_equal(b.buf, "");
	assert_int_equal(b.len, 0);
	fq_buf_release(&b);
}

static void test_reset_keeps_memory(void **state)
{
	struct fq_buf b;
	size_t alloc;
	char *mem;

	(void)state;
	fq_buf_init(&b, 0);
	fq_buf_reset(&b);
	assert_string_equal(b.buf, "");
	assert_int_equal(fq_buf_adds(&b, "some text"), 0);
	alloc = b.alloc;
	mem = b.buf;
	fq_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	assert_int_equal(b.alloc, alloc);
	assert_ptr_equal(b.buf, mem);
	assert_int_equal(fq_buf_adds(&b, "again"), 0);
	assert_string_equal(b.buf, "again");
	fq_buf_release(&b);
}

static void test_detach(void **state)
{
	struct fq_buf b;
	size_t len = 99;
	char *s;

	(void)state;
	fq_buf_init(&b, 1000);
	assert_int_equal(fq_buf_addf(&b, "派出所 %d", 110), 0);
	s = fq_buf_detach(&b, &len);
	assert_string_equal(s, "派出所 110");
	assert_int_equal(len, strlen("派出所 110"));
	/* The buffer is re-initialised and keeps its maximum. */
	assert_string_equal(b.buf, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 1000);
	assert_int_equal(fq_buf_adds(&b, "next"), 0);
	assert_string_equal(b.buf, "next");
	assert_string_equal(s, "派出所 110");
	free(s);
	fq_buf_release(&b);

	/* Detaching an empty buffer still hands over freeable memory. */
	fq_buf_init(&b, 0);
	len = 99;
	s = fq_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	s = fq_buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
	fq_buf_release(&b);
}

static int add_va(struct fq_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fq_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

static void test_vaddf(void **state)
{
	struct fq_buf b;

	(void)state;
	fq_buf_init(&b, 16);
	assert_int_equal(add_va(&b, "%s=%lld", "n", (long long)-7), 0);
	assert_string_equal(b.buf, "n=-7");
	assert_int_equal(add_va(&b, "%020d", 1), FQ_ETOOBIG);
	assert_string_equal(b.buf, "n=-7");
	fq_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_is_empty_string),
	    cmocka_unit_test(test_appends),
	    cmocka_unit_test(test_binary_data),
	    cmocka_unit_test(test_growth),
	    cmocka_unit_test(test_reserve),
	    cmocka_unit_test(test_max_exact_fit),
	    cmocka_unit_test(test_max_refuses_and_keeps_content),
	    cmocka_unit_test(test_reset_keeps_memory),
	    cmocka_unit_test(test_detach),
	    cmocka_unit_test(test_vaddf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
