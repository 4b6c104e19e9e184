/*
 * Anti-fraud warnings: overdue at its boundary, escalation of warnings not
 * reached by their deadline (once, to the station's chief, all or
 * nothing, audited through the hook), and the follow-up links to fraud
 * alerts from the same phone (automatic) or by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit/cases/fraud_fixture.h"

#define T0 fx_at("2026-03-01T10:00:00+08:00")

static void test_overdue_flag(void **state)
{
	int64_t d = T0 + 30 * MIN_MS;
	(void)state;

	assert_false(fq_fraud_overdue("assigned", 0, d, d));	/* at the deadline: not yet */
	assert_true(fq_fraud_overdue("assigned", 0, d, d + 1)); /* a millisecond later */
	assert_true(fq_fraud_overdue("not_reached", 0, d, d + 1));
	assert_false(fq_fraud_overdue("contacting", 1, d, d + 1)); /* reached: no longer */
	assert_false(fq_fraud_overdue("closed", 0, d, d + 1));	   /* closed: no longer */
}

struct seen {
	int count, fail_at;
	char ids[8][37];
	char objects[8][37];
};

static int record(void *arg, struct fq_dbc *c, const struct fq_fraud_event *e, struct fq_err *err)
{
	struct seen *s = arg;
	(void)c;
	if (s->fail_at && s->count + 1 == s->fail_at)
		return fq_err_set(err, FQ_EDB, "audit_failed", NULL, "audit failed");
	snprintf(s->ids[s->count], 37, "%s", e->warning_id);
	snprintf(s->objects[s->count], 37, "%s", e->object_id ? e->object_id : "");
	s->count++;
	return 0;
}

static int64_t escalated_count(struct fq_dbc *c)
{
	struct fq_stmt *st;
	int64_t n = -1;

	assert_int_equal(
	    fq_dbc_query(c, NULL, &st,
			 "SELECT COUNT(*) FROM fraud_warning WHERE escalated_at IS NOT NULL", ""),
	    0);
	if (fq_stmt_step(st, NULL) == FQ_DB_ROW)
		n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return n;
}

static void test_escalation(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct seen s = {0};
	char w1[37], w2[37], w3[37], w4[37], w5[37];
	int n = -1;
	json_t *j;

	fx_warning(f->c, S1, "13800000001", 1, T0, w1); /* never reached */
	fx_warning(f->c, S1, "13800000002", 1, T0, w2); /* reached in time */
	fx_warning(f->c, S1, "13800000003", 1, T0, w3); /* tried, not reached */
	fx_warning(f->c, S3, "13800000004", 1, T0, w4); /* a station without a chief */
	fx_warning(f->c, S1, "13800000005", 2, T0, w5); /* level 2: two hours */
	fx_attempt(f->c, w2, T0 + 10 * MIN_MS, 1, "about_to_pay", 1, 0);
	fx_attempt(f->c, w3, T0 + 20 * MIN_MS, 0, NULL, 0, 0);

	/* At the deadline itself nothing is late. */
	assert_int_equal(fq_fraud_escalate_overdue(f->c, T0 + 30 * MIN_MS, record, &s, &n, &err),
			 0);
	assert_int_equal(n, 0);
	/* A failing audit hook rolls everything back. */
	s.fail_at = 2;
	assert_int_equal(fq_fraud_escalate_overdue(f->c, T0 + 31 * MIN_MS, record, &s, &n, &err),
			 FQ_EDB);
	assert_int_equal(escalated_count(f->c), 0);
	memset(&s, 0, sizeof(s));
	/* A minute late: w1, w3 (to the chief) and w4 (nobody to tell), in deadline order. */
	assert_int_equal(fq_fraud_escalate_overdue(f->c, T0 + 31 * MIN_MS, record, &s, &n, &err),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(s.count, 3);
	assert_string_equal(s.ids[0], w1);
	assert_string_equal(s.objects[0], CHIEF);
	assert_string_equal(s.ids[1], w3);
	assert_string_equal(s.ids[2], w4);
	assert_string_equal(s.objects[2], "");
	/* Once only. */
	assert_int_equal(fq_fraud_escalate_overdue(f->c, T0 + 40 * MIN_MS, record, &s, &n, &err),
			 0);
	assert_int_equal(n, 0);
	/* Reaching the person later does not undo the escalation; w5 is due at 12:00. */
	fx_attempt(f->c, w1, T0 + 50 * MIN_MS, 1, "not_involved", 0, 0);
	assert_int_equal(
	    fq_fraud_escalate_overdue(f->c, T0 + 2 * HOUR_MS + 1, record, &s, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(s.ids[3], w5);
	assert_int_equal(escalated_count(f->c), 4);
	assert_int_equal(fq_fraud_json(f->c, w1, 0, 0, 0, T0 + 3 * HOUR_MS, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "escalated_to")), CHIEF);
	assert_string_equal(json_string_value(json_object_get(j, "escalated_at")),
			    "2026-03-01T10:31:00.000+08:00");
	assert_false(json_is_true(json_object_get(j, "reached_in_time")));
	assert_false(json_is_true(json_object_get(j, "overdue")));
	json_decref(j);
}

static void test_links(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct seen s = {0};
	char w1[37], w2[37];
	int n = -1;
	json_t *j;

	fx_warning(f->c, S1, "13800000011", 1, T0, w1);
	fx_warning(f->c, S1, "13800000012", 1, T0, w2);
	fq_test_begin(f->c);
	/* Before the warning, another category, another phone: none of these. */
	fx_alert(f->c, "00000000-0000-7000-8000-00000000b001", S1, G1, "13800000011",
		 "criminal.fraud", T0 - DAY_MS);
	fx_alert(f->c, "00000000-0000-7000-8000-00000000b002", S1, G1, "13800000011",
		 "public_order.noise", T0 + DAY_MS);
	fx_alert(f->c, "00000000-0000-7000-8000-00000000b003", S1, G1, "13800000019",
		 "criminal.fraud", T0 + DAY_MS);
	/* Too late: more than 180 days after. */
	fx_alert(f->c, "00000000-0000-7000-8000-00000000b004", S1, G1, "13800000012",
		 "criminal.fraud", T0 + 181 * DAY_MS);
	/* This one: the same phone reports fraud two days after the warning. */
	fx_alert(f->c, "00000000-0000-7000-8000-00000000b005", S1, G1, "13800000011",
		 "criminal.fraud", T0 + 2 * DAY_MS);
	fq_test_commit(f->c);
	assert_int_equal(fq_fraud_link_scan(f->c, T0 + 3 * DAY_MS, record, &s, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(s.ids[0], w1);
	assert_string_equal(s.objects[0], "00000000-0000-7000-8000-00000000b005");
	assert_int_equal(fq_fraud_link_scan(f->c, T0 + 4 * DAY_MS, record, &s, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(fq_fraud_json(f->c, w1, 1, 0, 0, T0 + 4 * DAY_MS, &j, &err), 0);
	assert_true(json_is_true(json_object_get(j, "defrauded_after")));
	assert_int_equal(json_array_size(json_object_get(j, "links")), 1);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "links"), 0), "matched_by")),
			    "phone");
	json_decref(j);

	/* By hand: a case (not on this schema: taken by id), once; an alert must be in scope. */
	fq_test_begin(f->c);
	assert_int_equal(fq_fraud_link(f->c, w2, "case", "00000000-0000-7000-8000-00000000c001",
				       S1_PATH, "本人到所报案", COMMUNITY, T0 + DAY_MS, &err),
			 0);
	assert_int_equal(fq_fraud_link(f->c, w2, "case", "00000000-0000-7000-8000-00000000c001",
				       S1_PATH, NULL, COMMUNITY, T0 + DAY_MS, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "already_linked");
	assert_int_equal(fq_fraud_link(f->c, w2, "alert", "00000000-0000-7000-8000-00000000b003",
				       "/339900/339902/339902520000/", NULL, COMMUNITY, T0, &err),
			 FQ_EINVAL);
	assert_string_equal(err.field, "object_id");
	assert_int_equal(fq_fraud_link(f->c, w2, "dispute", "00000000-0000-7000-8000-00000000c001",
				       S1_PATH, NULL, COMMUNITY, T0, &err),
			 FQ_EINVAL);
	assert_string_equal(err.field, "kind");
	fq_test_commit(f->c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_overdue_flag),
	    cmocka_unit_test_setup_teardown(test_escalation, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_links, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
