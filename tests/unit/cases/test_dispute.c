/*
 * Disputes: the state machine table, deadlines per grade and overdue at its
 * boundary, intake refusals and defaults, override / assign / reopen in the
 * store, escalation (once, to the chief, audited by the tick), and the
 * agreement's HTML escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/audit.h"
#include "unit/cases/dispute_fixture.h"

#define NOW at("2026-03-01T10:00:00+08:00")

static void test_state_machine_table(void **state)
{
	/* want[state][step]: 1 when allowed (dispute.h). */
	static const int want[FQ_DISPUTE_STATE_COUNT][FQ_DISPUTE_STEP_COUNT] = {
	    /*                     assign session outcome follow_up reopen override */
	    [FQ_DISPUTE_GRADED] = {1, 1, 1, 0, 0, 1},
	    [FQ_DISPUTE_ASSIGNED] = {1, 1, 1, 0, 0, 1},
	    [FQ_DISPUTE_MEDIATING] = {1, 1, 1, 0, 0, 1},
	    [FQ_DISPUTE_RESOLVED_AGREEMENT] = {0, 0, 0, 1, 1, 1},
	    [FQ_DISPUTE_RESOLVED] = {0, 0, 0, 1, 1, 1},
	    [FQ_DISPUTE_REFERRED] = {0, 0, 0, 0, 0, 1},
	    [FQ_DISPUTE_FAILED] = {0, 0, 0, 0, 0, 1},
	    [FQ_DISPUTE_FOLLOWING_UP] = {0, 0, 0, 1, 1, 1},
	    [FQ_DISPUTE_CLOSED] = {0, 0, 0, 0, 1, 0},
	    [FQ_DISPUTE_REOPENED] = {1, 1, 1, 0, 0, 1},
	};
	static const char *const codes[] = {
	    "graded",	"assigned", "mediating", "resolved_agreement",
	    "resolved", "referred", "failed",	 "following_up",
	    "closed",	"reopened"};
	(void)state;

	for (int s = 0; s < FQ_DISPUTE_STATE_COUNT; s++) {
		assert_string_equal(fq_dispute_state_code(s), codes[s]);
		assert_int_equal(fq_dispute_state_from_code(codes[s]), s);
		assert_int_equal(fq_dispute_state_open(s),
				 s == FQ_DISPUTE_GRADED || s == FQ_DISPUTE_ASSIGNED ||
				     s == FQ_DISPUTE_MEDIATING || s == FQ_DISPUTE_REOPENED);
		for (int k = 0; k < FQ_DISPUTE_STEP_COUNT; k++)
			if (fq_dispute_step_allowed(s, k) != want[s][k])
				fail_msg("%s step %d: %d, want %d", codes[s], k,
					 fq_dispute_step_allowed(s, k), want[s][k]);
	}
	assert_int_equal(fq_dispute_state_from_code("asleep"), -1);
	assert_null(fq_dispute_state_code(FQ_DISPUTE_STATE_COUNT));
	assert_string_equal(fq_dispute_type_label("land_boundary"), "土地地界纠纷");
	assert_null(fq_dispute_type_label("quarrel"));
	assert_string_equal(fq_dispute_department_label("justice_office"), "司法所");
}

static void test_deadlines_and_overdue(void **state)
{
	int64_t t = NOW;
	(void)state;

	assert_int_equal(fq_dispute_deadline(FQ_DISPUTE_GENERAL, t) - t, 7 * DAY_MS);
	assert_int_equal(fq_dispute_deadline(FQ_DISPUTE_KEY, t) - t, 15 * DAY_MS);
	assert_int_equal(fq_dispute_deadline(FQ_DISPUTE_MAJOR, t) - t, 30 * DAY_MS);
	/* Strictly past the deadline, and open. */
	assert_int_equal(fq_dispute_overdue(FQ_DISPUTE_GRADED, 1000, 1000), 0);
	assert_int_equal(fq_dispute_overdue(FQ_DISPUTE_GRADED, 1000, 1001), 1);
	assert_int_equal(fq_dispute_overdue(FQ_DISPUTE_REOPENED, 1000, 1001), 1);
	assert_int_equal(fq_dispute_overdue(FQ_DISPUTE_MEDIATING, 1000, 1001), 1);
	assert_int_equal(fq_dispute_overdue(FQ_DISPUTE_RESOLVED, 1000, 1001), 0);
	assert_int_equal(fq_dispute_overdue(FQ_DISPUTE_FAILED, 1000, 1001), 0);
	assert_int_equal(fq_dispute_overdue(FQ_DISPUTE_CLOSED, 1000, 1001), 0);
}

static struct fq_dispute_new base(void)
{
	static const struct fq_dispute_party_in two[] = {{.name = "甲"}, {.name = "乙"}};
	struct fq_dispute_new in = {
	    .type = "family",
	    .description = "家庭琐事",
	    .occurred_at = NOW - HOUR_MS,
	    .address = "桃园路1号",
	    .parties = two,
	    .nparties = 2,
	    .actor_unit = S1,
	    .scope_path = S1_PATH,
	    .actor_id = COMMUNITY,
	    .now_ms = NOW,
	};
	return in;
}

static void refused(struct fq_dbc *c, const struct fq_dispute_new *in, const char *machine,
		    const char *field)
{
	struct fq_err err = FQ_ERR_INIT;
	char id[37], number[FQ_NUMBER_MAX];
	int rc;

	fq_test_begin(c);
	rc = fq_dispute_create(c, in, id, number, &err);
	fq_dbc_rollback(c);
	if (rc == 0)
		fail_msg("accepted, want %s on %s", machine, field);
	assert_int_equal(rc, FQ_EINVAL);
	assert_string_equal(err.machine, machine);
	assert_string_equal(err.field, field);
}

static void test_intake_refusals_and_defaults(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dispute_new in = base();
	struct fq_dispute_party_in bad[] = {{.name = "甲"}, {.name = "乙", .phone = "13x"}};
	struct fq_dispute_party_in old_id[] = {{.name = "老人", .id_number = "330681400105111"}};
	struct fq_err err = FQ_ERR_INIT;
	char id[37], number[FQ_NUMBER_MAX];
	json_t *j;

	in.type = "quarrel";
	refused(f->c, &in, "invalid_value", "type");
	in = base();
	in.address = NULL;
	refused(f->c, &in, "missing_field", "location");
	in = base();
	in.parties = bad;
	refused(f->c, &in, "phone_charset", "parties[1].phone");
	in = base();
	in.people_involved = 1;
	refused(f->c, &in, "invalid_value", "people_involved");
	in = base();
	in.unit = H1;
	refused(f->c, &in, "unknown_unit", "unit");
	in = base();
	in.source = "incident";
	refused(f->c, &in, "missing_field", "incident_id");
	in = base();
	in.nparties = 0;
	refused(f->c, &in, "missing_field", "parties");

	/* A 15-digit number is converted; born 1940: elderly (+10). Source walk_in by default. */
	in = base();
	in.parties = old_id;
	in.nparties = 1;
	in.unit = G2;
	fq_test_begin(f->c);
	assert_int_equal(fq_dispute_create(f->c, &in, id, number, &err), 0);
	fq_test_commit(f->c);
	assert_string_equal(number, "TJ-339902510000-20260301-0001");
	assert_int_equal(fq_dispute_json(f->c, id, 1, 1, 1, NOW, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "grid")), G2);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "walk_in");
	assert_int_equal(json_integer_value(json_object_get(j, "score")), 10);
	assert_int_equal(json_integer_value(json_object_get(j, "people_involved")), 1);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "parties"), 0), "id_number")),
			    "330681********1113");
	json_decref(j);
	assert_int_equal(fq_dispute_json(f->c, id, 1, 0, 0, NOW, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "parties"), 0), "id_number")),
			    "330681194001051113");
	json_decref(j);
}

static void test_override_assign_reopen(void **state)
{
	struct fq_test_store *f = *state;
	enum fq_dispute_grade from, to;
	struct fq_err err = FQ_ERR_INIT;
	const char *const group[] = {"court", NULL};
	const char *const none[] = {NULL};
	char id[37];
	json_t *j;

	fixture_dispute(f->c, G1, NOW, NULL, 0, id);
	fq_test_begin(f->c);
	assert_int_equal(
	    fq_dispute_override_grade(f->c, id, "major", NULL, CHIEF, NOW, NULL, NULL, &err),
	    FQ_EINVAL);
	assert_string_equal(err.field, "reason");
	assert_int_equal(fq_dispute_override_grade(f->c, id, "major", "涉及群体", CHIEF,
						   NOW + HOUR_MS, &from, &to, &err),
			 0);
	assert_int_equal(from, FQ_DISPUTE_GENERAL);
	assert_int_equal(to, FQ_DISPUTE_MAJOR);
	/* Major: an officer and a working group. */
	assert_int_equal(fq_dispute_assign(f->c, id, NULL, NULL, CHIEF, NOW, &err), FQ_EINVAL);
	assert_string_equal(err.field, "user_id");
	assert_int_equal(fq_dispute_assign(f->c, id, COMMUNITY, none, CHIEF, NOW, &err), FQ_EINVAL);
	assert_string_equal(err.field, "departments");
	assert_int_equal(fq_dispute_assign(f->c, id, VOLUNTEER, group, CHIEF, NOW, &err),
			 FQ_EINVAL);
	assert_string_equal(err.machine, "user_cannot_act");
	assert_int_equal(fq_dispute_assign(f->c, id, CHIEF2, group, CHIEF, NOW, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_user");
	assert_int_equal(fq_dispute_assign(f->c, id, COMMUNITY, group, CHIEF, NOW, &err), 0);
	/* Reopening needs a resolution first. */
	assert_int_equal(fq_dispute_reopen(f->c, id, "反弹", CHIEF, NOW, NULL, NULL, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "invalid_transition");
	fq_test_commit(f->c);
	assert_int_equal(fq_dispute_json(f->c, id, 1, 1, 1, NOW, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "assigned");
	assert_string_equal(json_string_value(json_object_get(j, "grade")), "major");
	assert_string_equal(json_string_value(json_object_get(j, "grade_auto")), "general");
	/* The deadline follows the grade in force, from intake. */
	assert_string_equal(json_string_value(json_object_get(j, "deadline_at")),
			    "2026-03-31T10:00:00.000+08:00");
	json_decref(j);
}

static int count_audit(void *arg, struct fq_dbc *c, const struct fq_dispute_escalation *e,
		       struct fq_err *err)
{
	int *n = arg;
	(void)c;
	(void)err;
	assert_string_equal(e->unit_code, S1);
	assert_string_equal(e->chief_id, CHIEF);
	(*n)++;
	return 0;
}

static void test_escalation_once(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char a[37], b[37], c2[37];
	int escalated = -1, calls = 0;
	struct fq_stmt *st;
	json_t *j;

	fixture_dispute(f->c, G1, NOW, NULL, 0, a);	     /* due NOW + 7d */
	fixture_dispute(f->c, G2, NOW + DAY_MS, NULL, 0, b); /* due NOW + 8d */
	fixture_dispute(f->c, H1, NOW, NULL, 0, c2);	     /* S2, due NOW + 7d */
	/* At the deadline itself: not yet overdue. */
	assert_int_equal(fq_dispute_escalate_overdue(f->c, NOW + 7 * DAY_MS, count_audit, &calls,
						     &escalated, &err),
			 0);
	assert_int_equal(escalated, 0);
	calls = 0;
	assert_int_equal(fq_dispute_escalation_tick(f->db, NOW + 7 * DAY_MS + 1, &escalated, &err),
			 0);
	assert_int_equal(escalated, 2); /* a and c2 */
	assert_int_equal(fq_dispute_escalation_tick(f->db, NOW + 7 * DAY_MS + 2, &escalated, &err),
			 0);
	assert_int_equal(escalated, 0); /* once */
	assert_int_equal(fq_dispute_json(f->c, a, 1, 1, 1, NOW + 8 * DAY_MS, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "escalated_to")), CHIEF);
	assert_true(json_is_true(json_object_get(j, "overdue")));
	json_decref(j);
	assert_int_equal(fq_dbc_query(f->c, &err, &st,
				      "SELECT COUNT(*) FROM audit_entry WHERE action ="
				      " 'dispute.escalate' AND username = 'system'",
				      ""),
			 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	assert_int_equal(fq_stmt_int(st, 0), 2);
	fq_stmt_done(st);
	/* b falls due later and is escalated then, through the callback. */
	assert_int_equal(fq_dispute_escalate_overdue(f->c, NOW + 9 * DAY_MS, count_audit, &calls,
						     &escalated, &err),
			 0);
	assert_int_equal(escalated, 1);
	assert_int_equal(calls, 1);
}

static void test_agreement_html(void **state)
{
	struct fq_test_store *f = *state;
	static const struct fq_dispute_party_in parties[] = {
	    {.name = "张<三>", .phone = "13812345678", .id_number = "11010519491231002X"},
	    {.name = "李\"四\" & 'Co'"}};
	struct fq_dispute_outcome_in out = {.outcome = "resolved_agreement",
					    .terms = "赔偿 <b>500</b> 元",
					    .actor_id = COMMUNITY,
					    .now_ms = NOW + DAY_MS};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_buf b;
	char id[37];

	fq_buf_init(&b, 1 << 20);
	assert_int_equal(fq_html_escape(&b, "<a href=\"x\">'&'</a>"), 0);
	assert_string_equal(b.buf, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	fq_buf_reset(&b);

	fixture_dispute(f->c, G1, NOW, parties, 2, id);
	assert_int_equal(fq_dispute_agreement_html(f->c, id, &b, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "no_agreement");
	fq_test_begin(f->c);
	assert_int_equal(fq_dispute_record_outcome(f->c, id, &out, &err), 0);
	fq_test_commit(f->c);
	fq_buf_reset(&b);
	assert_int_equal(fq_dispute_agreement_html(f->c, id, &b, &err), 0);
	assert_non_null(strstr(b.buf, "<h1>人民调解协议书</h1>"));
	assert_non_null(strstr(b.buf, "张&lt;三&gt;"));
	assert_non_null(strstr(b.buf, "李&quot;四&quot; &amp; &#39;Co&#39;"));
	assert_non_null(strstr(b.buf, "赔偿 &lt;b&gt;500&lt;/b&gt; 元"));
	assert_non_null(strstr(b.buf, "11010519491231002X"));
	assert_non_null(strstr(b.buf, "13812345678"));
	assert_non_null(strstr(b.buf, "2026年3月2日"));
	assert_non_null(strstr(b.buf, "枫溪派出所"));
	assert_null(strstr(b.buf, "<b>"));
	assert_null(strstr(b.buf, "张<三>"));
	fq_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_machine_table),
	    cmocka_unit_test(test_deadlines_and_overdue),
	    cmocka_unit_test_setup_teardown(test_intake_refusals_and_defaults, fixture_setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_override_assign_reopen, fixture_setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_escalation_once, fixture_setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_agreement_html, fixture_setup,
					    fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
