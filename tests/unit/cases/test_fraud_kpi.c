/*
 * The KPI arithmetic of anti-fraud warnings (docs/kpi.md) against figures
 * worked out by hand on a small fixture, and of the reception hall.
 *
 * January 2026, station S1 (levels: 1 = 30 min, 2 = 2 h, 3 = 24 h, 4 = 72 h):
 *   k1 L1 5 Jan 10:00   reached 10:10, about to pay, dissuaded, ¥3000.00  in time, dissuaded
 *   k2 L1 6 Jan 10:00   not reached 10:20, escalated 10:31,
 *                       reached 11:00, already paid                      missed, escalated
 *   k3 L2 7 Jan 09:00   reached 09:30, not involved                      in time, not involved
 *   k4 L3 31 Jan 23:00  never reached (due 1 Feb 23:00)                  missed (pending on 1 Feb)
 *   k5 L2 20 Jan 10:00  reached 10:05, dissuaded ¥1234.56, yet reported
 *                       fraud from the same phone on 2 Feb               in time, dissuaded,
 * defrauded k6 L4 31 Jan 23:59:59.999, never reached (due 3 Feb)                 missed (pending on
 * 1 Feb) k7 L1 1 Feb 00:00   (February: not counted) Station S2: k8 L1 10 Jan, reached in time,
 * dissuaded ¥100. Outreach: S1 15 Jan (120), grid G1 20 Jan (45), S1 2 Feb (300), S2 12 Jan (80).
 *
 * S1 as of 1 March: warnings 6, reached 4, in time 3, missed 3, pending 0,
 * dissuaded 2, not involved 1, already paid 1, ¥4234.56, escalated 1,
 * defrauded after 1, outreach 2 events / 165 people;
 * reach = 3 / (3 + 3) = 0.5, dissuasion = 2 / (4 − 1) = 0.6667.
 * As of 1 Feb 12:00: k4 and k6 are still pending: missed 1, pending 2,
 * reach = 3 / 4 = 0.75.
 * The branch (S1 + S2): 7, reached 5, in time 4, missed 3, dissuaded 3,
 * ¥4334.56, outreach 3 / 245; reach 4 / 7 = 0.5714, dissuasion 3 / 4 = 0.75.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "cases/reception.h"
#include "unit/cases/fraud_fixture.h"

static void outreach(struct fq_dbc *c, const char *unit, const char *when, int64_t attendance)
{
	struct fq_fraud_outreach_new in = {.unit = unit,
					   .actor_unit = unit,
					   .scope_path = CITY_SCOPE,
					   .held_at = fx_at(when),
					   .place = "村文化礼堂",
					   .kind = "进村",
					   .audience = "elderly",
					   .attendance = attendance,
					   .now_ms = fx_at("2026-03-01")};
	struct fq_err err = FQ_ERR_INIT;
	char id[37];
	json_t *j = NULL;

	fq_test_begin(c);
	if (fq_fraud_outreach_create(c, &in, id, &j, &err) != 0)
		fail_msg("outreach: %s %s", err.field, err.message);
	fq_test_commit(c);
	json_decref(j);
}

static void kpi_fixture(struct fq_dbc *c)
{
	struct fq_err err = FQ_ERR_INIT;
	char k[9][37];
	int n;

	fx_warning(c, S1, "13800000001", 1, fx_at("2026-01-05T10:00:00+08:00"), k[1]);
	fx_attempt(c, k[1], fx_at("2026-01-05T10:10:00+08:00"), 1, "about_to_pay", 1, 300000);
	fx_warning(c, S1, "13800000002", 1, fx_at("2026-01-06T10:00:00+08:00"), k[2]);
	fx_attempt(c, k[2], fx_at("2026-01-06T10:20:00+08:00"), 0, NULL, 0, 0);
	assert_int_equal(
	    fq_fraud_escalate_overdue(c, fx_at("2026-01-06T10:31:00+08:00"), NULL, NULL, &n, &err),
	    0);
	assert_int_equal(n, 1);
	fx_attempt(c, k[2], fx_at("2026-01-06T11:00:00+08:00"), 1, "already_paid", 0, 0);
	fx_warning(c, S1, "13800000003", 2, fx_at("2026-01-07T09:00:00+08:00"), k[3]);
	fx_attempt(c, k[3], fx_at("2026-01-07T09:30:00+08:00"), 1, "not_involved", 0, 0);
	fx_warning(c, S1, "13800000004", 3, fx_at("2026-01-31T23:00:00+08:00"), k[4]);
	fx_warning(c, S1, "13800000005", 2, fx_at("2026-01-20T10:00:00+08:00"), k[5]);
	fx_attempt(c, k[5], fx_at("2026-01-20T10:05:00+08:00"), 1, "about_to_pay", 1, 123456);
	fx_warning(c, S1, "13800000006", 4, fx_at("2026-01-31T23:59:59.999+08:00"), k[6]);
	fx_warning(c, S1, "13800000007", 1, fx_at("2026-02-01T00:00:00+08:00"), k[7]);
	fx_warning(c, S2, "13800000008", 1, fx_at("2026-01-10T08:00:00+08:00"), k[8]);
	fx_attempt(c, k[8], fx_at("2026-01-10T08:15:00+08:00"), 1, "about_to_pay", 1, 10000);
	fq_test_begin(c);
	fx_alert(c, "00000000-0000-7000-8000-00000000d001", S1, G1, "13800000005", "criminal.fraud",
		 fx_at("2026-02-02T09:00:00+08:00"));
	fq_test_commit(c);
	assert_int_equal(fq_fraud_link_scan(c, fx_at("2026-02-03"), NULL, NULL, &n, &err), 0);
	assert_int_equal(n, 1);
	outreach(c, S1, "2026-01-15T14:00:00+08:00", 120);
	outreach(c, G1, "2026-01-20T14:00:00+08:00", 45);
	outreach(c, S1, "2026-02-02T14:00:00+08:00", 300);
	outreach(c, S2, "2026-01-12T14:00:00+08:00", 80);
}

static void expect(const struct fq_fraud_counts *k, int64_t warnings, int64_t reached,
		   int64_t in_time, int64_t missed, int64_t pending, int64_t dissuaded,
		   int64_t not_involved, int64_t already_paid, int64_t fen, int64_t escalated,
		   int64_t defrauded, int64_t events, int64_t attendance)
{
	assert_int_equal(k->warnings, warnings);
	assert_int_equal(k->reached, reached);
	assert_int_equal(k->reached_in_time, in_time);
	assert_int_equal(k->missed, missed);
	assert_int_equal(k->pending, pending);
	assert_int_equal(k->dissuaded, dissuaded);
	assert_int_equal(k->not_involved, not_involved);
	assert_int_equal(k->already_paid, already_paid);
	assert_int_equal(k->protected_fen, fen);
	assert_int_equal(k->escalated, escalated);
	assert_int_equal(k->defrauded_after, defrauded);
	assert_int_equal(k->outreach_events, events);
	assert_int_equal(k->outreach_attendance, attendance);
	/* Every warning of the period is decided or pending, exactly once. */
	assert_int_equal(k->reached_in_time + k->missed + k->pending, k->warnings);
}

static void test_fraud_kpi_arithmetic(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	int64_t jan = fx_at("2026-01-01"), feb = fx_at("2026-02-01");
	struct fq_fraud_counts k;
	char *text;
	json_t *j;

	kpi_fixture(f->c);
	assert_int_equal(fq_fraud_counts(f->c, S1_PATH, jan, feb, fx_at("2026-03-01"), &k, &err),
			 0);
	expect(&k, 6, 4, 3, 3, 0, 2, 1, 1, 423456, 1, 1, 2, 165);
	assert_int_equal(
	    fq_fraud_counts(f->c, S1_PATH, jan, feb, fx_at("2026-02-01T12:00:00+08:00"), &k, &err),
	    0);
	expect(&k, 6, 4, 3, 1, 2, 2, 1, 1, 423456, 1, 1, 2, 165);
	assert_int_equal(
	    fq_fraud_counts(f->c, "/339900/339902/", jan, feb, fx_at("2026-03-01"), &k, &err), 0);
	expect(&k, 7, 5, 4, 3, 0, 3, 1, 1, 433456, 1, 1, 3, 245);
	assert_int_equal(fq_fraud_counts(f->c, "/339900/339902/339902530000/", jan, feb,
					 fx_at("2026-03-01"), &k, &err),
			 0);
	expect(&k, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

	assert_int_equal(fq_fraud_kpi_json(f->c, S1, jan, feb, fx_at("2026-03-01"), &j, &err), 0);
	text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	assert_string_equal(
	    text, "{\"unit\":\"339902510000\",\"from\":\"2026-01-01T00:00:00.000+08:00\","
		  "\"to\":\"2026-02-01T00:00:00.000+08:00\","
		  "\"as_of\":\"2026-03-01T00:00:00.000+08:00\","
		  "\"counts\":{\"warnings\":6,\"reached\":4,\"reached_in_time\":3,\"missed\":3,"
		  "\"pending\":0,\"dissuaded\":2,\"not_involved\":1,\"already_paid\":1,"
		  "\"money_protected_yuan\":4234.56,\"escalated\":1,"
		  "\"defrauded_after_warning\":1,\"outreach_events\":2,"
		  "\"outreach_attendance\":165},"
		  "\"rates\":{\"reach\":0.5,\"dissuasion\":0.6667}}");
	free(text);
	json_decref(j);
	assert_int_equal(fq_fraud_kpi_json(f->c, "339902", jan, feb, fx_at("2026-03-01"), &j, &err),
			 0);
	assert_true(json_real_value(json_object_get(json_object_get(j, "rates"), "reach")) ==
		    0.5714);
	assert_true(json_real_value(json_object_get(json_object_get(j, "rates"), "dissuasion")) ==
		    0.75);
	json_decref(j);
	/* No warnings: rates are null, not 0. */
	assert_int_equal(fq_fraud_kpi_json(f->c, S3, jan, feb, fx_at("2026-03-01"), &j, &err), 0);
	assert_true(json_is_null(json_object_get(json_object_get(j, "rates"), "reach")));
	assert_true(json_is_null(json_object_get(json_object_get(j, "rates"), "dissuasion")));
	json_decref(j);
	assert_int_equal(fq_fraud_kpi_json(f->c, S1, feb, feb, 0, &j, &err), FQ_EINVAL);
	assert_string_equal(err.field, "to");
}

static void visit(struct fq_dbc *c, const char *need, const char *start, const char *end,
		  const char *convert)
{
	struct fq_reception_new in = {.unit = S1,
				      .actor_unit = S1,
				      .scope_path = CITY_SCOPE,
				      .visitor_name = "来访群众",
				      .need = need,
				      .started_at = fx_at(start),
				      .ended_at = end ? fx_at(end) : 0,
				      .actor_id = COMMUNITY,
				      .now_ms = fx_at("2026-03-01")};
	struct fq_err err = FQ_ERR_INIT;
	char id[37], station[FQ_UNIT_CODE_MAX];

	fq_test_begin(c);
	if (fq_reception_create(c, &in, id, station, &err) != 0)
		fail_msg("visit: %s %s", err.field, err.message);
	if (convert && fq_reception_mark_converted(c, id, fq_reception_target_from(convert), NULL,
						   0, COMMUNITY, 0, &err) != 0)
		fail_msg("convert: %s", err.message);
	fq_test_commit(c);
}

/*
 * Reception, January: 5 visits at S1 — consultation (20 min), help (40 min),
 * help (no end), mediation (turned into a pending dispute, 30 min),
 * certificate (10 min); one in February. visitors 5, helps 2, mediations 1,
 * services 1, pending 1, average (20 + 40 + 30 + 10) / 4 = 25.0 minutes.
 */
static void test_reception_kpi_arithmetic(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char *text;
	json_t *j;

	visit(f->c, "consultation", "2026-01-03T09:00:00+08:00", "2026-01-03T09:20:00+08:00", NULL);
	visit(f->c, "help", "2026-01-04T09:00:00+08:00", "2026-01-04T09:40:00+08:00", NULL);
	visit(f->c, "求助", "2026-01-05T09:00:00+08:00", NULL, NULL);
	visit(f->c, "mediation", "2026-01-06T09:00:00+08:00", "2026-01-06T09:30:00+08:00",
	      "dispute");
	visit(f->c, "certificate", "2026-01-31T23:50:00+08:00", "2026-02-01T00:00:00+08:00", NULL);
	visit(f->c, "report", "2026-02-01T00:00:00+08:00", NULL, NULL);
	assert_int_equal(
	    fq_reception_kpi_json(f->c, S1, fx_at("2026-01-01"), fx_at("2026-02-01"), &j, &err), 0);
	text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	assert_string_equal(
	    text, "{\"unit\":\"339902510000\",\"from\":\"2026-01-01T00:00:00.000+08:00\","
		  "\"to\":\"2026-02-01T00:00:00.000+08:00\",\"visitors\":5,\"helps\":2,"
		  "\"mediations\":1,\"services\":1,"
		  "\"by_need\":{\"consultation\":1,\"help\":2,\"lost_found\":0,\"certificate\":1,"
		  "\"mediation\":1,\"report\":0},"
		  "\"converted\":{\"alert\":0,\"service_request\":0,\"dispute\":1,\"case\":0},"
		  "\"pending_conversions\":1,\"average_minutes\":25.0}");
	free(text);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fraud_kpi_arithmetic, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reception_kpi_arithmetic, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
