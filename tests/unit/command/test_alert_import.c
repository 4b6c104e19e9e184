/*
 * command/alert_import: the CSV reader's line numbers (CRLF, lone CR, quoted
 * line breaks, blank lines), BOM and encodings, refusals that only a CSV can
 * earn, local times (China Standard Time, New York around its clock
 * changes), batches, and dry runs. Rows go through a store with one
 * station; tests/api/import.test.mjs drives the command line.
 */
#include "unit/fq_test.h"

#include "command/alert.h"
#include "command/alert_import.h"
#include "core/timeutil.h"
#include "http/audit.h"

#define STATION "339902510000"
#define HEADER	"received_at,caller_phone,lat,lon,address,category,description\n"

struct fixture {
	struct fq_test_store *s;
	char *errors, *decisions;
	size_t errors_len, decisions_len;
	struct fq_alert_import_summary sum;
	struct fq_err err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fq_err err = FQ_ERR_INIT;

	if (!f || !(f->s = fq_test_store_new("alert_import")))
		return -1;
	fq_test_begin(f->s->c);
	fq_test_unit(f->s->c, "339900", "市局", "city", NULL);
	fq_test_unit(f->s->c, "339902", "县局", "branch", "339900");
	fq_test_unit(f->s->c, STATION, "枫溪派出所", "station", "339902");
	fq_test_commit(f->s->c);
	if (fq_alert_engine_start(f->s->db, &err) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fq_alert_engine_stop();
	fq_test_store_free(f->s);
	free(f->errors);
	free(f->decisions);
	free(f);
	return 0;
}

static int audit_batch(struct fq_dbc *c, const struct fq_alert_import_batch *b, void *arg,
		       struct fq_err *err)
{
	struct fq_audit_entry e = {.username = arg,
				   .action = "alert.import",
				   .object_type = "alert",
				   .object_id = b->first_number,
				   .client = "cli",
				   .outcome = "ok"};
	return fq_audit_append(c, &e, fq_now_ms(), NULL, err);
}

/* Import data[0..len) with options o (unit, dry_run, montco, batch_rows); keeps what it said. */
static int run(struct fixture *f, const char *data, size_t len,
	       const struct fq_alert_import_options *o)
{
	struct fq_alert_import_options opt = *o;
	FILE *errors, *decisions;
	int rc;

	free(f->errors);
	free(f->decisions);
	errors = open_memstream(&f->errors, &f->errors_len);
	decisions = open_memstream(&f->decisions, &f->decisions_len);
	assert_non_null(errors);
	assert_non_null(decisions);
	opt.audit = audit_batch;
	opt.audit_arg = "cli:test";
	opt.errors = errors;
	opt.decisions = decisions;
	fq_err_clear(&f->err);
	rc = fq_alert_import_buffer(f->s->db, data, len, &opt, &f->sum, &f->err);
	fclose(errors);
	fclose(decisions);
	return rc;
}

static int run_str(struct fixture *f, const char *data)
{
	struct fq_alert_import_options o = {0};
	return run(f, data, strlen(data), &o);
}

static int64_t count(struct fixture *f, const char *sql)
{
	struct fq_stmt *st;
	int64_t n = -1;

	assert_int_equal(fq_dbc_query(f->s->c, NULL, &st, sql, ""), 0);
	if (fq_stmt_step(st, NULL) == FQ_DB_ROW)
		n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return n;
}

/* received_at (UTC ms) of the alert whose description is desc. */
static int64_t received(struct fixture *f, const char *desc)
{
	struct fq_stmt *st;
	int64_t at = -1;

	assert_int_equal(fq_dbc_query(f->s->c, NULL, &st,
				      "SELECT received_at FROM alert WHERE description = ?", "t",
				      desc),
			 0);
	if (fq_stmt_step(st, NULL) == FQ_DB_ROW)
		at = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return at;
}

static int64_t utc(const char *rfc3339)
{
	int64_t ms = 0;
	assert_int_equal(fq_time_parse(rfc3339, &ms, "t", NULL), 0);
	return ms;
}

static void test_line_numbers(void **state)
{
	struct fixture *f = *state;
	/* CRLF, a quoted line break, blank lines: bad rows at lines 5 and 8. */
	const char *data =
	    "\xef\xbb\xbfReceived_At,Caller_Phone,LAT,lon,address,category,description\r\n"
	    "2026-01-05T08:00:00+08:00,,29.75,120.25,,public_order.noise,\"楼上\r\n吵\"\r\n"
	    "\r\n"
	    "2026-01-05T08:01:00+08:00,,29.75,120.25,,public_order.duel,x\r\n"
	    "   \r\n"
	    "\r\n"
	    "2026-01-05T08:02:00+08:00,,91,120.25,,public_order.noise,x\r\n";

	assert_int_equal(run_str(f, data), FQ_EINVAL);
	assert_string_equal(f->errors, "line 5: category: 未知的警情类别：public_order.duel（见 "
				       "docs/taxonomy.md）\n"
				       "line 8: location.lat: 字段 lat 应在 -90 到 90 之间\n");
	assert_int_equal(f->sum.rows, 3);
	assert_int_equal(f->sum.bad_rows, 2);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert"), 0);
}

static void test_lone_cr_and_quotes(void **state)
{
	struct fixture *f = *state;
	const char *data =
	    HEADER "2026-01-05T08:00:00+08:00,,29.75,120.25,,public_order.noise,"
		   "\"说\"\"快来\"\"\"\r"
		   "2026-01-05T08:01:00+08:00,,29.75,120.25,,public_order.noise,a\"b\r"
		   "2026-01-05T08:02:00+08:00,,29.75,120.25,,public_order.noise,\"ok\"x\r";

	assert_int_equal(run_str(f, data), FQ_EINVAL);
	/* Strict quotes: a quote inside an unquoted field, text after a closing one. */
	assert_non_null(strstr(f->errors, "line 3: row: CSV 格式错误"));
	assert_non_null(strstr(f->errors, "line 4: row: CSV 格式错误"));
	assert_null(strstr(f->errors, "line 2"));
	assert_int_equal(f->sum.bad_rows, 2);
}

static void test_csv_only_refusals(void **state)
{
	struct fixture *f = *state;
	char *data, *p;
	size_t long_len = FQ_IMPORT_FIELD_MAX + 1;
	struct fq_alert_import_options o = {0};
	static const char head[] =
	    HEADER "2026-01-05T08:00:00+08:00,,29.75,120.25,,a,b\n"
		   "2026-01-05T08:00:00+08:00,,29.75,120.25,,x,y,z\n"
		   "2026-01-05T08:00:00+08:00,,29.75,120.25,,public_order.noise,";

	/* A field over the limit, one with a NUL, one row too wide. */
	data = malloc(sizeof(head) + long_len + 128);
	assert_non_null(data);
	static const char nul_row[] = "\n2026-01-05T08:00:00+08:00,,29.75,120.25,,"
				      "public_order.noise,a\0b\n";
	memcpy(data, head, sizeof(head) - 1);
	p = data + sizeof(head) - 1;
	memset(p, 'x', long_len);
	p += long_len;
	memcpy(p, nul_row, sizeof(nul_row) - 1);
	p += sizeof(nul_row) - 1;
	assert_int_equal(run(f, data, (size_t)(p - data), &o), FQ_EINVAL);
	free(data);
	assert_non_null(strstr(f->errors, "line 2: category: 未知的警情类别：a"));
	assert_non_null(strstr(f->errors, "line 3: row: 该行有 8 列，表头有 7 列"));
	assert_non_null(strstr(f->errors, "line 4: description: 超过 65536 字节"));
	assert_non_null(strstr(f->errors, "line 5: description: 含有 NUL 字符"));

	assert_int_equal(run_str(f, "received_at,lat\n"), FQ_EINVAL);
	assert_string_equal(f->err.machine, "missing_column");
	assert_int_equal(run_str(f, "received_at,lat,lat\n"), FQ_EINVAL);
	assert_string_equal(f->err.machine, "duplicate_column");
	assert_int_equal(run_str(f, ""), FQ_EINVAL);
	assert_string_equal(f->err.machine, "empty_file");
	assert_int_equal(run_str(f, HEADER), FQ_EINVAL);
	assert_string_equal(f->err.machine, "no_rows");
}

static void test_gb18030(void **state)
{
	struct fixture *f = *state;
	/* 接警时间,...,类别,警情描述 header in UTF-8 would be valid; this one says 打架 in GB18030.
	 */
	const char data[] = HEADER "2026-01-05T08:00:00+08:00,,29.75,120.25,,public_order.fight,"
				   "\xb4\xf2\xbc\xdc\n";

	assert_int_equal(run_str(f, data), 0);
	assert_string_equal(f->sum.encoding, "GB18030");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert WHERE description = '打架'"), 1);
	/* Neither UTF-8 nor GB18030: refused, with the line. */
	assert_int_equal(run_str(f, HEADER "\n\x81\x20\n"), FQ_EINVAL);
	assert_string_equal(f->err.machine, "file_encoding");
	assert_non_null(strstr(f->err.message, "第 3 行"));
}

static void test_local_times(void **state)
{
	struct fixture *f = *state;
	struct fq_alert_import_options o = {.montco = 1, .unit = STATION};
	const char *cst = HEADER "2026/1/5 8:03,,29.75,120.25,,public_order.noise,a\n"
				 "2026-01-05 08:04:05,,29.75,120.25,,public_order.noise,b\n";
	/* New York: EST until 2:00 on 13 March 2016, EDT until 2:00 on 6 November 2016. */
	const char *montco = "lat,lon,title,received_at,township,address\n"
			     "40.1,-75.3,EMS: FALL VICTIM,2016-03-13 01:59,T,A\n"
			     "40.2,-75.3,EMS: CARDIAC EMERGENCY,2016-03-13 03:00,T,B\n"
			     "40.3,-75.3,EMS: SEIZURES,2016-11-06 01:30,T,C\n"
			     "40.4,-75.3,EMS: DIZZINESS,2016-11-06 02:30,T,D\n";

	assert_int_equal(run_str(f, cst), 0);
	assert_true(received(f, "a") == utc("2026-01-05T08:03:00+08:00"));
	assert_true(received(f, "b") == utc("2026-01-05T08:04:05+08:00"));
	assert_int_equal(run(f, montco, strlen(montco), &o), 0);
	assert_true(received(f, "FALL VICTIM") == utc("2016-03-13T06:59:00Z"));
	assert_true(received(f, "CARDIAC EMERGENCY") == utc("2016-03-13T07:00:00Z"));
	assert_true(received(f, "SEIZURES") == utc("2016-11-06T05:30:00Z"));
	assert_true(received(f, "DIZZINESS") == utc("2016-11-06T07:30:00Z"));
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert WHERE category = 'help.medical'"
				  " AND source = 'phone_110' AND extra LIKE '%\"title\":\"EMS: %'"),
			 4);
}

static void test_batches_and_dry_run(void **state)
{
	struct fixture *f = *state;
	struct fq_alert_import_options o = {.batch_rows = 2};
	const char *data =
	    HEADER "2026-01-06T08:00:00+08:00,13800000001,29.70,120.20,,help.other,a\n"
		   "2026-01-06T09:00:00+08:00,13800000002,29.71,120.20,,help.other,b\n"
		   "2026-01-06T10:00:00+08:00,13800000003,29.72,120.20,,help.other,c\n"
		   "2026-01-06T11:00:00+08:00,13800000004,29.73,120.20,,help.other,d\n"
		   "2026-01-06T12:00:00+08:00,13800000005,29.74,120.20,,help.other,e\n";
	int64_t audit = count(f, "SELECT COUNT(*) FROM audit_entry");

	o.dry_run = 1;
	assert_int_equal(run(f, data, strlen(data), &o), 0);
	assert_int_equal(f->sum.alerts, 5);
	assert_int_equal(f->sum.incidents, 5);
	assert_int_equal(f->sum.batches, 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert"), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_entry"), audit);

	o.dry_run = 0;
	assert_int_equal(run(f, data, strlen(data), &o), 0);
	assert_int_equal(f->sum.batches, 3);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert"), 5);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_entry WHERE action = 'alert.import'"),
			 3);
	/* One line per alert after the header, in time order. */
	assert_non_null(strstr(f->decisions, "line\talert_number\treceived_at\t"));
	assert_non_null(strstr(f->decisions, "\n2\tJJ-" STATION "-20260106-0001\t"));
	assert_non_null(strstr(f->decisions, "\n6\tJJ-" STATION "-20260106-0005\t"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_line_numbers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lone_cr_and_quotes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csv_only_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gb18030, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_local_times, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batches_and_dry_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
