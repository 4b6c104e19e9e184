/*
 * CSV input shared by the importers: encodings (UTF-8 with or without a
 * byte-order mark, GB18030, neither), records with the physical line they
 * start on (also across quoted line breaks and after a malformed record),
 * headers by English or Chinese name with their refusals, the row checks,
 * and local times without an offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "io/csv_in.h"

enum { C_TIME = 1, C_PHONE, C_NAME };

static const struct fq_csv_column cols[] = {
    {C_TIME, "warned_at", "预警时间", 1},
    {C_PHONE, "phone", "手机号", 1},
    {C_NAME, "person_name", "姓名", 0},
};

static void test_decode(void **state)
{
	/* "预警" in GB18030 is D4 A4 BE AF. */
	static const char gb[] = "\xd4\xa4\xbe\xaf,x\n";
	static const char bom[] = "\xef\xbb\xbf"
				  "a,b\n";
	const char *out, *enc;
	size_t n;
	char *owned = NULL;
	struct fq_err err = FQ_ERR_INIT;
	(void)state;

	assert_int_equal(fq_csv_decode(bom, strlen(bom), &out, &n, &owned, &enc, &err), 0);
	assert_string_equal(enc, "UTF-8");
	assert_null(owned);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "a,b\n", 4);
	assert_int_equal(fq_csv_decode(gb, strlen(gb), &out, &n, &owned, &enc, &err), 0);
	assert_string_equal(enc, "GB18030");
	assert_non_null(owned);
	assert_int_equal(n, strlen("预警,x\n"));
	assert_memory_equal(out, "预警,x\n", n);
	free(owned);
	/* 0x80 alone is neither UTF-8 nor GB18030; the error names its line. */
	assert_int_equal(fq_csv_decode("a\nb\n\x80\n", 6, &out, &n, &owned, &enc, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "file_encoding");
	assert_non_null(strstr(err.message, "第 3 行"));
}

static void test_records_and_lines(void **state)
{
	static const char data[] = "手机号,warned_at,extra\n"
				   "138,2026-01-01 10:00,\"two\nlines\"\n"
				   "\n"
				   "139,\"bad\"quote,x\n"
				   "140,2026-01-02,y\n";
	struct fq_csv_reader r;
	struct fq_csv_header h;
	struct fq_err err = FQ_ERR_INIT;
	(void)state;

	fq_csv_reader_init(&r, data, strlen(data), 1);
	assert_int_equal(fq_csv_read_header(&r, cols, 3, &h, &err), 0);
	assert_int_equal(h.count, 3);
	assert_int_equal(h.col[0], C_PHONE);
	assert_int_equal(h.col[1], C_TIME);
	assert_int_equal(h.col[2], 0); /* unknown: kept by name */
	assert_string_equal(h.name[2], "extra");
	assert_int_equal(fq_csv_next(&r), 1);
	assert_int_equal(r.rec.line, 2);
	assert_int_equal(fq_csv_check_record(&h, &r.rec, &err), 0);
	assert_string_equal(fq_csv_field(&r.rec, 2), "two\nlines");
	assert_int_equal(fq_csv_next(&r), 1); /* the blank line is skipped */
	assert_int_equal(r.rec.line, 5);
	assert_int_equal(fq_csv_check_record(&h, &r.rec, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "csv_quote");
	assert_int_equal(fq_csv_next(&r), 1); /* the reader goes on at the next line */
	assert_int_equal(r.rec.line, 6);
	assert_string_equal(fq_csv_field(&r.rec, 0), "140");
	assert_int_equal(fq_csv_next(&r), 0);
	fq_csv_header_release(&h);
	fq_csv_reader_release(&r);
}

static void header_refused(const char *data, const char *machine)
{
	struct fq_csv_reader r;
	struct fq_csv_header h;
	struct fq_err err = FQ_ERR_INIT;

	fq_csv_reader_init(&r, data, strlen(data), 1);
	assert_int_not_equal(fq_csv_read_header(&r, cols, 3, &h, &err), 0);
	assert_string_equal(err.machine, machine);
	fq_csv_header_release(&h);
	fq_csv_reader_release(&r);
}

static void test_header_refusals(void **state)
{
	(void)state;
	header_refused("", "empty_file");
	header_refused("phone\n", "missing_column");
	header_refused("PHONE,预警时间,Phone\n", "duplicate_column");
	header_refused("phone,手机号,warned_at\n", "duplicate_column");
	header_refused("phone,,warned_at\n", "bad_header");
	header_refused("phone,\"warned\"_at\n", "bad_header");
}

static void test_column_count(void **state)
{
	static const char data[] = "phone,warned_at\n138\n";
	struct fq_csv_reader r;
	struct fq_csv_header h;
	struct fq_err err = FQ_ERR_INIT;
	(void)state;

	fq_csv_reader_init(&r, data, strlen(data), 1);
	assert_int_equal(fq_csv_read_header(&r, cols, 3, &h, &err), 0);
	assert_int_equal(fq_csv_next(&r), 1);
	assert_int_equal(fq_csv_check_record(&h, &r.rec, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "column_count");
	assert_string_equal(err.field, "row");
	fq_csv_header_release(&h);
	fq_csv_reader_release(&r);
}

static int minus5(int y, unsigned m, unsigned d, int h)
{
	(void)y, (void)m, (void)d, (void)h;
	return -5;
}

static void test_local_time(void **state)
{
	struct fq_pool p;
	(void)state;

	fq_pool_init(&p);
	assert_string_equal(fq_csv_local_time(&p, "2026-01-05 10:00", NULL),
			    "2026-01-05T10:00:00+08:00");
	assert_string_equal(fq_csv_local_time(&p, "2026/1/5 9:07:30", NULL),
			    "2026-01-05T09:07:30+08:00");
	assert_string_equal(fq_csv_local_time(&p, "2026-01-05 10:00", minus5),
			    "2026-01-05T10:00:00-05:00");
	/* Anything else is left for the API's parser to refuse. */
	assert_string_equal(fq_csv_local_time(&p, "yesterday", NULL), "yesterday");
	assert_string_equal(fq_csv_local_time(&p, "2026-13-05 10:00", NULL), "2026-13-05 10:00");
	assert_string_equal(fq_csv_local_time(&p, "2026-01-05T10:00:00Z", NULL),
			    "2026-01-05T10:00:00Z");
	fq_pool_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),	    cmocka_unit_test(test_records_and_lines),
	    cmocka_unit_test(test_header_refusals), cmocka_unit_test(test_column_count),
	    cmocka_unit_test(test_local_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
