/*
 * xlsx input (io/xlsx_in.h): workbooks written by libxlsxwriter (shared
 * strings; constant-memory mode's inline strings), read back as CSV: cells
 * placed by reference, empty rows skipped, date-formatted serials as dates,
 * numbers as stored, quotes and line breaks, the CSV line -> sheet row map;
 * a table written by io/table_out.h read back; and refusals (not a zip, no
 * workbook, a part over the size limit, a styles part that cannot be read).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "core/buf.h"
#include "io/csv_in.h"
#include "io/table_out.h"
#include "io/xlsx_in.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc((size_t)n);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* A workbook: a header in row 3, data in rows 4 and 6 (row 5 empty), sparse cells. */
static char *workbook(int constant_memory, size_t *len)
{
	char path[] = "/tmp/fq-xlsx-test-XXXXXX";
	int fd = mkstemp(path);
	lxw_workbook_options opt = {.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE,
				    .tmpdir = "/tmp"};
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date;
	lxw_datetime born = {.year = 1958, .month = 3, .day = 14};
	lxw_datetime when = {.year = 2026, .month = 11, .day = 24, .hour = 8, .min = 30};
	char *data;

	assert_true(fd >= 0);
	close(fd);
	wb = workbook_new_opt(path, &opt);
	assert_non_null(wb);
	ws = workbook_add_worksheet(wb, "人口");
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
	worksheet_write_string(ws, 2, 0, "姓名", NULL);
	worksheet_write_string(ws, 2, 1, "电话", NULL);
	worksheet_write_string(ws, 2, 2, "出生日期", NULL);
	worksheet_write_string(ws, 2, 3, "备注", NULL);
	worksheet_write_string(ws, 3, 0, "欧阳建国", NULL);
	worksheet_write_number(ws, 3, 1, 13812345678.0, NULL);
	worksheet_write_datetime(ws, 3, 2, &born, date);
	worksheet_write_string(ws, 3, 3, "说\"明\"\n第二行", NULL);
	worksheet_write_string(ws, 5, 0, "林小红", NULL);
	worksheet_write_datetime(ws, 5, 3, &when, date);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	data = slurp(path, len);
	unlink(path);
	return data;
}

static void check_workbook(int constant_memory)
{
	struct fq_xlsx_csv x;
	struct fq_err err = FQ_ERR_INIT;
	size_t len;
	char *data = workbook(constant_memory, &len);

	assert_true(fq_xlsx_looks_like(data, len));
	assert_int_equal(fq_xlsx_to_csv(data, len, 1u << 20, &x, &err), 0);
	assert_string_equal(x.csv, "\"姓名\",\"电话\",\"出生日期\",\"备注\"\n"
				   "\"欧阳建国\",\"13812345678\",\"1958-03-14\","
				   "\"说\"\"明\"\"\n第二行\"\n"
				   "\"林小红\",\"\",\"\",\"2026-11-24 08:30:00\"\n");
	assert_string_equal(x.sheet, "人口");
	/* Lines 1, 2 and 4 start records: sheet rows 3, 4 and 6. */
	assert_int_equal(fq_xlsx_sheet_row(&x, 1), 3);
	assert_int_equal(fq_xlsx_sheet_row(&x, 2), 4);
	assert_int_equal(fq_xlsx_sheet_row(&x, 4), 6);
	/* The CSV reader agrees on where records start. */
	{
		struct fq_csv_reader r;
		unsigned long starts[3];
		int n = 0;
		fq_csv_reader_init(&r, x.csv, x.len, 1);
		while (n < 3 && fq_csv_next(&r) == 1)
			starts[n++] = r.rec.line;
		assert_int_equal(n, 3);
		assert_int_equal(fq_xlsx_sheet_row(&x, starts[2]), 6);
		assert_string_equal(fq_csv_field(&r.rec, 0), "林小红");
		fq_csv_reader_release(&r);
	}
	fq_xlsx_csv_release(&x);
	free(data);
}

static void test_shared_strings(void **state)
{
	(void)state;
	check_workbook(0);
}

static void test_inline_strings(void **state)
{
	(void)state;
	check_workbook(1);
}

/* What the exports write, the imports read. */
static void test_table_out_round_trip(void **state)
{
	static const struct fq_table_column cols[] = {
	    {"名称", FQ_CELL_TEXT, 20},
	    {"人数", FQ_CELL_INT, 8},
	    {"纬度", FQ_CELL_REAL, 10},
	    {"时间", FQ_CELL_TIME, 20},
	};
	struct fq_table_cell row[4] = {
	    {.text = "=SUM(A1)"}, {.integer = 12}, {.real = 29.5}, {.ms = 1772382600000LL}};
	struct fq_table_writer w;
	struct fq_xlsx_csv x;
	struct fq_err err = FQ_ERR_INIT;
	char *data;
	size_t len;

	(void)state;
	assert_int_equal(fq_table_open(&w, FQ_EXPORT_XLSX, "单位场所", cols, 4, &err), 0);
	assert_int_equal(fq_table_row(&w, row, &err), 0);
	row[1].null = 1;
	assert_int_equal(fq_table_row(&w, row, &err), 0);
	assert_int_equal(fq_table_finish(&w, &data, &len, &err), 0);
	assert_int_equal(fq_xlsx_to_csv(data, len, 1u << 20, &x, &err), 0);
	assert_string_equal(x.sheet, "单位场所");
	/* Text stays text (no formula); the time is China time (2026-03-02 00:30). */
	assert_string_equal(x.csv, "\"名称\",\"人数\",\"纬度\",\"时间\"\n"
				   "\"=SUM(A1)\",\"12\",\"29.5\",\"2026-03-02 00:30:00\"\n"
				   "\"=SUM(A1)\",\"\",\"29.5\",\"2026-03-02 00:30:00\"\n");
	fq_xlsx_csv_release(&x);
	free(data);
}

static void test_refusals(void **state)
{
	struct fq_xlsx_csv x;
	struct fq_err err = FQ_ERR_INIT;
	static const char junk[] = "PK\x03\x04 this is not a zip archive at all";
	size_t len;
	char *data;

	(void)state;
	assert_false(fq_xlsx_looks_like("姓名,电话\n", 14));
	assert_int_equal(fq_xlsx_to_csv(junk, sizeof(junk) - 1, 1u << 20, &x, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "xlsx_invalid");
	assert_string_equal(err.field, "file");
	assert_null(x.csv);
	/* A limit smaller than the sheet: refused before inflating it all. */
	data = workbook(0, &len);
	err = (struct fq_err)FQ_ERR_INIT;
	assert_int_equal(fq_xlsx_to_csv(data, len, 64, &x, &err), FQ_ETOOBIG);
	assert_string_equal(err.machine, "file_too_big");
	free(data);
}

/*
 * The workbook with xl/styles.xml replaced by styles (NULL: removed), through a file
 * rewritten by libzip.
 */
static char *with_styles(const char *styles, size_t *len)
{
	char path[] = "/tmp/fq-xlsx-styles-XXXXXX";
	int fd = mkstemp(path);
	char *data = workbook(0, len);
	FILE *f;
	zip_t *z;
	zip_int64_t i;
	int zerr = 0;

	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, *len, f), *len);
	fclose(f);
	free(data);
	z = zip_open(path, 0, &zerr);
	assert_non_null(z);
	i = zip_name_locate(z, "xl/styles.xml", 0);
	assert_true(i >= 0);
	if (styles) {
		zip_source_t *src = zip_source_buffer(z, styles, strlen(styles), 0);
		assert_non_null(src);
		assert_int_equal(zip_file_replace(z, (zip_uint64_t)i, src, 0), 0);
	} else {
		assert_int_equal(zip_delete(z, (zip_uint64_t)i), 0);
	}
	assert_int_equal(zip_close(z), 0);
	data = slurp(path, len);
	unlink(path);
	return data;
}

/* Without styles a date is its serial number; broken styles fail the whole file. */
static void test_styles(void **state)
{
	struct fq_xlsx_csv x;
	struct fq_err err = FQ_ERR_INIT;
	size_t len;
	char *data;

	(void)state;
	data = with_styles(NULL, &len);
	assert_int_equal(fq_xlsx_to_csv(data, len, 1u << 20, &x, &err), 0);
	assert_non_null(strstr(x.csv, "\"21258\"")); /* 1958-03-14 as a serial */
	fq_xlsx_csv_release(&x);
	free(data);

	data = with_styles("<styleSheet><cellXfs count=\"1\"><xf numFmtId=\"14\"></cellXfs>", &len);
	assert_int_equal(fq_xlsx_to_csv(data, len, 1u << 20, &x, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "xlsx_invalid");
	assert_string_equal(err.field, "file");
	assert_non_null(strstr(err.message, "styles.xml"));
	assert_null(x.csv);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_strings),
	    cmocka_unit_test(test_inline_strings),
	    cmocka_unit_test(test_table_out_round_trip),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_styles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
