/*
 * Export of incidents (command/incident_export.h): the exact CSV bytes for
 * hand-made rows (BOM, header, RFC 4180 quoting with line breaks and
 * quotes, the formula guard, China time across midnight, masking), the
 * scope and filters, the row cap, and an xlsx that is a zip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/incident.h"
#include "command/incident_export.h"
#include "db/db.h"
#include "unit/fq_test.h"

#define S1	"339902510000"
#define S2	"339902520000"
#define S1_PATH "/339900/339902/339902510000/"
/* 2026-03-01T16:30:00Z = 2026-03-02 00:30:00 China time. */
#define T0 1772382600000LL

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("incident-export");
	struct fq_err err = FQ_ERR_INIT;

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	/* i1: a tricky address and caller; i2: no place, no caller, closed; i3: another station. */
	assert_int_equal(
	    fq_dbc_run(
		f->c, &err, NULL,
		"INSERT INTO incident (id, number, unit_code, state, category, priority, lat,"
		" lon, address, first_received_at, last_received_at, alert_count,"
		" repeat_caller, disposal, feedback, close_reason, closed_at, created_at,"
		" updated_at) VALUES"
		" ('i1', 'SJ-1', ?1, 'received', 'public_order.noise', 3, 29.7, 120.25,"
		"  '桃园路8号, \"夜宵\"\n排档', ?2, ?2, 1, 1, NULL, NULL, NULL, NULL, 0, 0),"
		" ('i2', 'SJ-2', ?1, 'closed', 'other.unknown_code', 2, NULL, NULL, NULL,"
		"  ?2 - 60000, ?2 - 60000, 0, 0, '-已处理', '@已回访', 'unfounded', ?2, 0, 0),"
		" ('i3', 'SJ-3', ?3, 'received', 'criminal.theft', 2, NULL, NULL, 'x', ?2, ?2,"
		"  0, 0, NULL, NULL, NULL, NULL, 0, 0)",
		"tit", S1, T0, S2),
	    0);
	assert_int_equal(
	    fq_dbc_run(f->c, &err, NULL,
		       "INSERT INTO alert (id, number, incident_id, unit_code, received_at, source,"
		       " caller_name, caller_phone, caller_phone_norm, category, priority,"
		       " description, description_norm, created_at) VALUES"
		       " ('a1', 'JJ-1', 'i1', ?1, ?2, 'phone_110', '=1+1', '138 1234 5678',"
		       "  '13812345678', 'public_order.noise', 3, 'd', 'd', 0),"
		       " ('a0', 'JJ-0', 'i1', ?1, ?2 + 1000, 'phone_110', '后来者', '139', '139',"
		       "  'public_order.noise', 3, 'd', 'd', 0)",
		       "ti", S1, T0),
	    0);
	fq_test_commit(f->c);
	return 0;
}

static char *export_csv(struct fq_dbc *c, const struct fq_incident_query *q, int mask, size_t cap,
			size_t *rows, int *rc)
{
	struct fq_err err = FQ_ERR_INIT;
	char *data = NULL, *s;
	size_t len = 0;

	*rc = fq_incident_export(c, q, FQ_EXPORT_CSV, mask, cap, &data, &len, rows, &err);
	if (*rc)
		return NULL;
	s = malloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	free(data);
	return s;
}

#define HEADER                                                                                                                            \
	"\xEF\xBB\xBF编号,接警时间,最后报警时间,类别,细类,状态,优先级,所属单位,网格,地址,纬度,"            \
	"经度,"                                                                                                                         \
	"报警人,报警电话,报警次数,重复报警,重复地点,派警时间,到场时间,处置结果,反馈情况,结案原因," \
	"结案时间,并入警情\r\n"

static void test_csv_bytes(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_incident_query q = {.scope_path = S1_PATH};
	size_t rows = 0;
	int rc;
	char *csv = export_csv(f->c, &q, 0, 10, &rows, &rc);

	assert_int_equal(rc, 0);
	assert_int_equal(rows, 2);
	assert_string_equal(
	    csv, HEADER
	    "SJ-1,2026-03-02 00:30:00,2026-03-02 00:30:00,治安类,噪音扰民,已接警,3," S1
	    ",,\"桃园路8号, \"\"夜宵\"\"\n排档\",29.700000,120.250000,'=1+1,138 1234 5678,1,是,否,,"
	    ",,,,,\r\n"
	    "SJ-2,2026-03-02 00:29:00,2026-03-02 00:29:00,other.unknown_code,other.unknown_code,"
	    "已结案,2," S1 ",,,,,,,0,否,否,,,'-已处理,'@已回访,不实警情,2026-03-02 00:30:00,\r\n");
	free(csv);

	/* Masked as the JSON masks; the filters; an empty answer is the header alone. */
	q.state = "received";
	csv = export_csv(f->c, &q, 1, 10, &rows, &rc);
	assert_int_equal(rows, 1);
	assert_non_null(strstr(csv, ",'=1+1,138****5678,1,"));
	free(csv);
	q.state = NULL;
	q.from_ms = T0 + 1;
	csv = export_csv(f->c, &q, 1, 10, &rows, &rc);
	assert_int_equal(rows, 0);
	assert_string_equal(csv, HEADER);
	free(csv);
}

static void test_cap_and_bad_filter(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_incident_query q = {.scope_path = "/339900/"};
	struct fq_err err = FQ_ERR_INIT;
	char *data = NULL;
	size_t rows = 0, len = 0;
	int rc;
	char *csv = export_csv(f->c, &q, 0, 3, &rows, &rc);

	assert_int_equal(rows, 3);
	free(csv);
	assert_int_equal(
	    fq_incident_export(f->c, &q, FQ_EXPORT_CSV, 0, 2, &data, &len, &rows, &err),
	    FQ_EUNPROC);
	assert_string_equal(err.machine, "too_many_rows");
	assert_null(data);
	assert_int_equal(
	    fq_incident_export(f->c, &q, FQ_EXPORT_XLSX, 0, 2, &data, &len, &rows, &err),
	    FQ_EUNPROC);
	assert_null(data);
	q.state = "nope";
	assert_int_equal(
	    fq_incident_export(f->c, &q, FQ_EXPORT_CSV, 0, 9, &data, &len, &rows, &err), FQ_EINVAL);
	assert_string_equal(err.field, "state");
}

static void test_xlsx_is_a_zip(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_incident_query q = {.scope_path = S1_PATH};
	struct fq_err err = FQ_ERR_INIT;
	char *data = NULL;
	size_t rows = 0, len = 0;

	assert_int_equal(
	    fq_incident_export(f->c, &q, FQ_EXPORT_XLSX, 1, 10, &data, &len, &rows, &err), 0);
	assert_int_equal(rows, 2);
	assert_true(len > 1000);
	assert_memory_equal(data, "PK\x03\x04", 4);
	free(data);
	assert_int_equal(fq_export_format_from_code("xlsx"), FQ_EXPORT_XLSX);
	assert_int_equal(fq_export_format_from_code("csv"), FQ_EXPORT_CSV);
	assert_int_equal(fq_export_format_from_code("CSV"), -1);
	assert_int_equal(fq_export_format_from_code(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_csv_bytes, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_cap_and_bad_filter, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_xlsx_is_a_zip, setup, fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
