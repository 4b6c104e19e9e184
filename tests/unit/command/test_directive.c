/*
 * Governance directives: the state machine table, issuing and its
 * refusals, the steps in the store, overdue derivation at its boundary,
 * escalation (once, all or nothing, audited), and the KPI arithmetic
 * against figures worked out by hand on a small fixture.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/directive.h"
#include "command/incident.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "http/audit.h"
#include "unit/fq_test.h"

#define S1    "339902510000" /* station with a chief */
#define S2    "339902520000" /* another station with a chief */
#define S3    "339902530000" /* a station without a chief */
#define G1    "339902100001" /* grids of S1 */
#define G2    "339902100002"
#define H1    "339902101001" /* grid of S2 */
#define POST1 "33990251051"  /* police post of S1 */

#define CHIEF	   "00000000-0000-7000-8000-000000000001"
#define COMMUNITY  "00000000-0000-7000-8000-000000000002"
#define AUXILIARY  "00000000-0000-7000-8000-000000000003"
#define VOLUNTEER  "00000000-0000-7000-8000-000000000004"
#define CHIEF2	   "00000000-0000-7000-8000-000000000005"
#define RETIRED	   "00000000-0000-7000-8000-000000000006"
#define OPERATOR   "00000000-0000-7000-8000-000000000007"
#define NOBODY	   "00000000-0000-7000-8000-0000000000ff"
#define S1_PATH	   "/339900/339902/339902510000/"
#define CITY_SCOPE "/339900/"

#define HOUR_MS (3600LL * 1000)
#define DAY_MS	(24 * HOUR_MS)

static int64_t at(const char *rfc3339)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = 0;

	if (fq_time_parse(rfc3339, &ms, "t", &err) != 0)
		fail_msg("time %s: %s", rfc3339, err.message);
	return ms;
}

/* 2026-03-01 10:00 China Standard Time: "now" of the issuing tests. */
#define NOW at("2026-03-01T10:00:00+08:00")

static void user(struct fq_dbc *c, const char *id, const char *name, const char *unit,
		 const char *role, int disabled)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash, unit_code,"
		       " disabled, password_changed_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, 'x', ?, ?, 0, 0, 0)",
		       "tttti", id, name, name, unit, disabled ? (int64_t)1 : (int64_t)0) != 0)
		fail_msg("user %s: %s", name, err.message);
	if (fq_dbc_run(c, &err, NULL, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
		       id, role) != 0)
		fail_msg("role of %s: %s", name, err.message);
}

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("directive");

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, G1, "桃园社区", "grid", S1);
	fq_test_unit(f->c, G2, "柳溪村", "grid", S1);
	fq_test_unit(f->c, POST1, "枫溪中心警务室", "post", S1);
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	fq_test_unit(f->c, H1, "清塘社区", "grid", S2);
	fq_test_unit(f->c, S3, "石岭派出所", "station", "339902");
	user(f->c, CHIEF, "周建国", S1, "chief", 0);
	user(f->c, COMMUNITY, "王志强", S1, "community_officer", 0);
	user(f->c, AUXILIARY, "张伟", S1, "auxiliary", 0);
	user(f->c, VOLUNTEER, "赵大妈", G1, "volunteer", 0);
	user(f->c, CHIEF2, "黄海", S2, "chief", 0);
	user(f->c, RETIRED, "退休民警", S1, "community_officer", 1);
	user(f->c, OPERATOR, "李晓燕", S1, "operator", 0);
	fq_test_commit(f->c);
	return 0;
}

/* ---- the state machine ---- */

static void test_state_machine_table(void **state)
{
	/* want[from][step]: the state reached, or -1 when refused (MODEL.md). */
	static const int want[FQ_DIRECTIVE_STATE_COUNT][FQ_DIRECTIVE_STEP_COUNT] = {
	    /*                      accept  start  feedback  approve  return */
	    [FQ_DIRECTIVE_ISSUED] = {FQ_DIRECTIVE_ACCEPTED, -1, -1, -1, -1},
	    [FQ_DIRECTIVE_ACCEPTED] = {-1, FQ_DIRECTIVE_IN_PROGRESS, -1, -1, -1},
	    [FQ_DIRECTIVE_IN_PROGRESS] = {-1, -1, FQ_DIRECTIVE_FEEDBACK_SUBMITTED, -1, -1},
	    [FQ_DIRECTIVE_FEEDBACK_SUBMITTED] = {-1, -1, -1, FQ_DIRECTIVE_APPROVED,
						 FQ_DIRECTIVE_RETURNED},
	    [FQ_DIRECTIVE_APPROVED] = {-1, -1, -1, -1, -1},
	    [FQ_DIRECTIVE_RETURNED] = {-1, FQ_DIRECTIVE_IN_PROGRESS, -1, -1, -1},
	};
	static const char *const codes[] = {
	    "issued", "accepted", "in_progress", "feedback_submitted", "approved", "returned"};
	static const char *const step_codes[] = {"accept", "start", "feedback", "approve",
						 "return"};
	(void)state;

	for (int s = 0; s < FQ_DIRECTIVE_STATE_COUNT; s++) {
		assert_string_equal(fq_directive_state_code(s), codes[s]);
		assert_int_equal(fq_directive_state_from_code(codes[s]), s);
		for (int k = 0; k < FQ_DIRECTIVE_STEP_COUNT; k++)
			if (fq_directive_step_target(s, k) != want[s][k])
				fail_msg("%s --%s--> %d, want %d", codes[s], step_codes[k],
					 fq_directive_step_target(s, k), want[s][k]);
	}
	for (int k = 0; k < FQ_DIRECTIVE_STEP_COUNT; k++) {
		assert_string_equal(fq_directive_step_code(k), step_codes[k]);
		assert_int_equal(fq_directive_step_from_code(step_codes[k]), k);
	}
	assert_int_equal(fq_directive_step_by_team(FQ_DIRECTIVE_ACCEPT), 1);
	assert_int_equal(fq_directive_step_by_team(FQ_DIRECTIVE_START), 1);
	assert_int_equal(fq_directive_step_by_team(FQ_DIRECTIVE_FEEDBACK), 1);
	assert_int_equal(fq_directive_step_by_team(FQ_DIRECTIVE_APPROVE), 0);
	assert_int_equal(fq_directive_step_by_team(FQ_DIRECTIVE_RETURN), 0);
	assert_int_equal(fq_directive_state_from_code("closed"), -1);
	assert_int_equal(fq_directive_state_from_code(NULL), -1);
	assert_null(fq_directive_state_code(FQ_DIRECTIVE_STATE_COUNT));
	assert_int_equal(fq_directive_source_from_code("repeat_place"),
			 FQ_DIRECTIVE_SRC_REPEAT_PLACE);
	assert_int_equal(fq_directive_team_from_code("case"), FQ_DIRECTIVE_TEAM_CASE);
	assert_int_equal(fq_directive_team_from_code("army"), -1);
}

static void test_overdue_flag(void **state)
{
	(void)state;
	/* Strictly past the deadline, and not approved. */
	assert_int_equal(fq_directive_overdue(FQ_DIRECTIVE_ISSUED, 1000, 999), 0);
	assert_int_equal(fq_directive_overdue(FQ_DIRECTIVE_ISSUED, 1000, 1000), 0);
	assert_int_equal(fq_directive_overdue(FQ_DIRECTIVE_ISSUED, 1000, 1001), 1);
	assert_int_equal(fq_directive_overdue(FQ_DIRECTIVE_RETURNED, 1000, 1001), 1);
	assert_int_equal(fq_directive_overdue(FQ_DIRECTIVE_FEEDBACK_SUBMITTED, 1000, 1001), 1);
	assert_int_equal(fq_directive_overdue(FQ_DIRECTIVE_APPROVED, 1000, 1001), 0);
}

/* ---- issuing ---- */

static struct fq_directive_new base_new(void)
{
	struct fq_directive_new in = {
	    .actor_unit = S1,
	    .scope_path = S1_PATH,
	    .target_team = "community",
	    .target_user_id = COMMUNITY,
	    .title = "夜宵排档噪音治理",
	    .what_to_do = "走访经营者和住户，督促整改",
	    .deadline_at = NOW + 7 * DAY_MS,
	    .now_ms = NOW,
	    .actor_id = OPERATOR,
	};
	return in;
}

static int issue(struct fq_dbc *c, const struct fq_directive_new *in, char id[37],
		 struct fq_err *err)
{
	char number[FQ_NUMBER_MAX];
	int rc;

	fq_test_begin(c);
	rc = fq_directive_create(c, in, id, number, err);
	if (rc)
		fq_dbc_rollback(c);
	else
		fq_test_commit(c);
	return rc;
}

static void expect_refused(struct fq_dbc *c, const struct fq_directive_new *in, int code,
			   const char *machine, const char *field)
{
	struct fq_err err = FQ_ERR_INIT;
	char id[37];

	assert_int_equal(issue(c, in, id, &err), code);
	assert_string_equal(err.machine, machine);
	assert_string_equal(err.field, field);
}

/* An incident of S1 in grid G1 whose latest caller is phone. */
static void incident(struct fq_dbc *c, const char *phone, char id[37])
{
	struct fq_incident_new ni = {.unit_code = S1,
				     .grid_code = G1,
				     .category = "public_order.noise",
				     .priority = 3,
				     .address = "桃园路8号",
				     .received_at = NOW - HOUR_MS,
				     .repeat_place = 1};
	struct fq_err err = FQ_ERR_INIT;
	char number[FQ_NUMBER_MAX];

	fq_test_begin(c);
	if (fq_incident_create(c, &ni, id, number, NULL, &err) != 0 ||
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO alert (id, number, incident_id, unit_code, received_at, source,"
		       " caller_phone, caller_phone_norm, category, priority, description,"
		       " description_norm, created_at) VALUES ('a1', 'JJ-1', ?, ?, ?, 'phone_110',"
		       " ?, ?, 'public_order.noise', 3, '吵', '吵', 0)",
		       "ttitt", id, S1, NOW - HOUR_MS, phone, phone) != 0)
		fail_msg("incident: %s", err.message);
	fq_test_commit(c);
}

static const char *column(struct fq_dbc *c, const char *sql, const char *id, char *out, size_t cap)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;

	assert_int_equal(fq_dbc_query(c, &err, &st, sql, "t", id), 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	snprintf(out, cap, "%s", fq_stmt_text(st, 0) ? fq_stmt_text(st, 0) : "(null)");
	fq_stmt_done(st);
	return out;
}

/* The integer sql answers, with arg bound to its one `?` (or no `?` when arg is NULL). */
static int64_t count(struct fq_dbc *c, const char *sql, const char *arg)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t n;

	assert_int_equal(arg ? fq_dbc_query(c, &err, &st, sql, "t", arg)
			     : fq_dbc_query(c, &err, &st, sql, ""),
			 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return n;
}

static void test_issue_refusals(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_directive_new in;
	char inc[37];

	incident(f->c, "13811110001", inc);
#define REFUSE(set, code, machine, field)                                                          \
	do {                                                                                       \
		in = base_new();                                                                   \
		set;                                                                               \
		expect_refused(f->c, &in, code, machine, field);                                   \
	} while (0)
	REFUSE(in.target_team = NULL, FQ_EINVAL, "missing_field", "target_team");
	REFUSE(in.target_team = "army", FQ_EINVAL, "invalid_value", "target_team");
	REFUSE(in.title = " ", FQ_EINVAL, "missing_field", "title");
	REFUSE(in.what_to_do = NULL, FQ_EINVAL, "missing_field", "what_to_do");
	REFUSE(in.deadline_at = NOW, FQ_EINVAL, "deadline_passed", "deadline_at");
	REFUSE(in.deadline_at = NOW + 90 * DAY_MS + 1, FQ_EINVAL, "deadline_too_far",
	       "deadline_at");
	REFUSE(in.target_grid = H1, FQ_EINVAL, "unknown_grid", "target_grid");
	REFUSE(in.target_grid = POST1, FQ_EINVAL, "unknown_grid", "target_grid");
	REFUSE(in.target_grid = "nowhere", FQ_EINVAL, "unknown_grid", "target_grid");
	REFUSE(in.target_user_id = CHIEF2, FQ_EINVAL, "unknown_user", "target_user_id");
	REFUSE(in.target_user_id = RETIRED, FQ_EINVAL, "unknown_user", "target_user_id");
	REFUSE(in.target_user_id = NOBODY, FQ_EINVAL, "unknown_user", "target_user_id");
	REFUSE(in.target_user_id = "me", FQ_EINVAL, "invalid_value", "target_user_id");
	REFUSE(in.target_user_id = VOLUNTEER, FQ_EINVAL, "user_cannot_act", "target_user_id");
	REFUSE(in.unit = S2, FQ_EINVAL, "unknown_unit", "unit");
	REFUSE((in.unit = NULL, in.actor_unit = "339902", in.scope_path = "/339900/339902/"),
	       FQ_EINVAL, "missing_field", "unit");
	REFUSE(in.source = "rumour", FQ_EINVAL, "invalid_value", "source");
	REFUSE(in.source = "incident", FQ_EINVAL, "missing_field", "incident_id");
	REFUSE(in.source = "repeat_place", FQ_EINVAL, "missing_field", "repeat_place");
	REFUSE(in.source = "hotspot", FQ_EINVAL, "missing_field", "hotspot");
	REFUSE((in.repeat_place = "a", in.hotspot = "b"), FQ_EINVAL, "conflicting_fields",
	       "repeat_place");
	REFUSE((in.repeat_place = "a", in.source = "hotspot"), FQ_EINVAL, "conflicting_fields",
	       "source");
	REFUSE(in.repeat_caller = "12", FQ_EINVAL, "phone_format", "repeat_caller");
	REFUSE((in.incident_id = inc, in.source = "manual"), FQ_EINVAL, "conflicting_fields",
	       "incident_id");
	REFUSE((in.incident_id = inc, in.hotspot = "x"), FQ_EINVAL, "conflicting_fields",
	       "incident_id");
	REFUSE((in.incident_id = inc, in.unit = S3, in.scope_path = CITY_SCOPE), FQ_EINVAL,
	       "unit_mismatch", "unit");
	/* Another station's issuer: the incident looks absent. */
	REFUSE((in.incident_id = inc, in.scope_path = "/339900/339902/339902520000/",
		in.target_user_id = NULL),
	       FQ_EINVAL, "unknown_incident", "incident_id");
	REFUSE(in.incident_id = NOBODY, FQ_EINVAL, "unknown_incident", "incident_id");
#undef REFUSE
	assert_int_equal(count(f->c, "SELECT COUNT(*) FROM directive", NULL), 0);
	assert_int_equal(count(f->c, "SELECT COUNT(*) FROM number_seq WHERE prefix LIKE ?", "ZL%"),
			 0);
}

static void test_issue_sources_and_defaults(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_directive_new in;
	char inc[37], id[37], buf[128];
	json_t *j;

	incident(f->c, "13811110001", inc);

	/* From a repeat-place incident: place, station and grid come from it. */
	in = base_new();
	in.incident_id = inc;
	in.source = "repeat_place";
	in.actor_unit = POST1;
	assert_int_equal(issue(f->c, &in, id, &err), 0);
	assert_int_equal(fq_directive_json(f->c, id, 1, 0, NOW, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "number")),
			    "ZL-" S1 "-20260301-0001");
	assert_string_equal(json_string_value(json_object_get(j, "unit")), S1);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "repeat_place");
	assert_string_equal(json_string_value(json_object_get(j, "source_ref")), "桃园路8号");
	assert_string_equal(json_string_value(json_object_get(j, "incident_id")), inc);
	assert_string_equal(json_string_value(json_object_get(j, "target_grid")), G1);
	assert_string_equal(json_string_value(json_object_get(j, "target_grid_name")), "桃园社区");
	assert_string_equal(json_string_value(json_object_get(j, "target_user_name")), "王志强");
	assert_string_equal(json_string_value(json_object_get(j, "state")), "issued");
	assert_string_equal(json_string_value(json_object_get(j, "deadline_at")),
			    "2026-03-08T10:00:00.000+08:00");
	assert_true(json_is_false(json_object_get(j, "overdue")));
	assert_int_equal(json_array_size(json_object_get(j, "timeline")), 0);
	json_decref(j);

	/* The phone of a repeat caller, from the incident or as given; masked on request. */
	in = base_new();
	in.incident_id = inc;
	in.source = "repeat_caller";
	in.target_grid = G2;
	assert_int_equal(issue(f->c, &in, id, &err), 0);
	assert_string_equal(
	    column(f->c, "SELECT source_ref FROM directive WHERE id = ?", id, buf, sizeof(buf)),
	    "13811110001");
	assert_string_equal(
	    column(f->c, "SELECT target_grid FROM directive WHERE id = ?", id, buf, sizeof(buf)),
	    G2);
	in = base_new();
	in.repeat_caller = "+86 139-0000-1111";
	assert_int_equal(issue(f->c, &in, id, &err), 0);
	assert_int_equal(fq_directive_json(f->c, id, 0, 1, NOW, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "repeat_caller");
	assert_string_equal(json_string_value(json_object_get(j, "source_ref")), "139****1111");
	assert_string_equal(json_string_value(json_object_get(j, "number")),
			    "ZL-" S1 "-20260301-0003");
	assert_null(json_object_get(j, "timeline"));
	json_decref(j);

	/* By hand: no reference, no grid; from an incident: its id. */
	in = base_new();
	in.target_user_id = NULL;
	assert_int_equal(issue(f->c, &in, id, &err), 0);
	assert_string_equal(column(f->c,
				   "SELECT source || '|' || COALESCE(source_ref, '-') || '|' ||"
				   " COALESCE(target_grid, '-') FROM directive WHERE id = ?",
				   id, buf, sizeof(buf)),
			    "manual|-|-");
	in = base_new();
	in.incident_id = inc;
	assert_int_equal(issue(f->c, &in, id, &err), 0);
	snprintf(buf, sizeof(buf), "incident|%s", inc);
	{
		char got[128];
		assert_string_equal(column(f->c,
					   "SELECT source || '|' || source_ref FROM directive"
					   " WHERE id = ?",
					   id, got, sizeof(got)),
				    buf);
	}
	/* The latest deadline allowed: exactly 90 days. */
	in = base_new();
	in.deadline_at = NOW + 90 * DAY_MS;
	in.hotspot = "中学门口";
	assert_int_equal(issue(f->c, &in, id, &err), 0);
}

/* ---- steps ---- */

static int step(struct fq_dbc *c, const char *id, enum fq_directive_step s, const char *actor,
		const char *text, int64_t version, int64_t now, struct fq_err *err)
{
	struct fq_directive_change ch = {
	    .step = s, .expected_version = version, .text = text, .actor_id = actor, .now_ms = now};
	int rc;

	fq_test_begin(c);
	rc = fq_directive_transition(c, id, &ch, NULL, NULL, err);
	if (rc)
		fq_dbc_rollback(c);
	else
		fq_test_commit(c);
	return rc;
}

#define STEP_OK(id, s, actor, text)                                                                \
	do {                                                                                       \
		struct fq_err e_ = FQ_ERR_INIT;                                                    \
		if (step(f->c, id, s, actor, text, 0, NOW + HOUR_MS, &e_) != 0)                    \
			fail_msg("%s: %s %s", fq_directive_step_code(s), e_.machine, e_.message);  \
	} while (0)

#define STEP_REFUSED(id, s, actor, text, version, code, mach, fld)                                 \
	do {                                                                                       \
		struct fq_err e_ = FQ_ERR_INIT;                                                    \
		assert_int_equal(step(f->c, id, s, actor, text, version, NOW + HOUR_MS, &e_),      \
				 code);                                                            \
		assert_string_equal(e_.machine, mach);                                             \
		assert_string_equal(e_.field, fld);                                                \
	} while (0)

static void test_steps_in_store(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_directive_new in = base_new();
	struct fq_err err = FQ_ERR_INIT;
	char id[37], open_id[37], buf[256];
	json_t *j, *tl;

	assert_int_equal(issue(f->c, &in, id, &err), 0);
	STEP_REFUSED(id, FQ_DIRECTIVE_APPROVE, CHIEF, NULL, 0, FQ_ECONFLICT, "invalid_transition",
		     "state");
	STEP_REFUSED(id, FQ_DIRECTIVE_ACCEPT, AUXILIARY, NULL, 0, FQ_EFORBIDDEN, "not_assignee",
		     "");
	STEP_REFUSED(id, FQ_DIRECTIVE_ACCEPT, COMMUNITY, NULL, 7, FQ_ECONFLICT, "stale_version",
		     "version");
	STEP_OK(id, FQ_DIRECTIVE_ACCEPT, COMMUNITY, NULL);
	STEP_OK(id, FQ_DIRECTIVE_START, COMMUNITY, NULL);
	STEP_REFUSED(id, FQ_DIRECTIVE_FEEDBACK, COMMUNITY, " \n", 0, FQ_EINVAL, "missing_field",
		     "text");
	STEP_OK(id, FQ_DIRECTIVE_FEEDBACK, COMMUNITY, "已走访");
	STEP_REFUSED(id, FQ_DIRECTIVE_RETURN, CHIEF, NULL, 0, FQ_EINVAL, "missing_field", "reason");
	STEP_OK(id, FQ_DIRECTIVE_RETURN, CHIEF, "缺住户回访");
	STEP_REFUSED(id, FQ_DIRECTIVE_FEEDBACK, COMMUNITY, "补", 0, FQ_ECONFLICT,
		     "invalid_transition", "state");
	STEP_OK(id, FQ_DIRECTIVE_START, COMMUNITY, NULL);
	STEP_OK(id, FQ_DIRECTIVE_FEEDBACK, COMMUNITY, "已回访 6 户");
	STEP_OK(id, FQ_DIRECTIVE_RETURN, OPERATOR, "再核实");
	STEP_OK(id, FQ_DIRECTIVE_START, COMMUNITY, NULL);
	STEP_OK(id, FQ_DIRECTIVE_FEEDBACK, COMMUNITY, "已核实");
	STEP_OK(id, FQ_DIRECTIVE_APPROVE, CHIEF, "同意");
	STEP_REFUSED(id, FQ_DIRECTIVE_RETURN, CHIEF, "x", 0, FQ_ECONFLICT, "invalid_transition",
		     "state");
	STEP_REFUSED(NOBODY, FQ_DIRECTIVE_ACCEPT, COMMUNITY, NULL, 0, FQ_ENOTFOUND, "not_found",
		     "");

	assert_int_equal(fq_directive_json(f->c, id, 1, 0, NOW + 100 * DAY_MS, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "approved");
	assert_int_equal(json_integer_value(json_object_get(j, "returned_count")), 2);
	/* 1 + accept, start, feedback, return, start, feedback, return, start, feedback, approve */
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 11);
	assert_true(json_is_false(json_object_get(j, "overdue")));
	assert_string_equal(json_string_value(json_object_get(j, "approved_at")),
			    "2026-03-01T11:00:00.000+08:00");
	tl = json_object_get(j, "timeline");
	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(tl); i++) {
		json_t *e = json_array_get(tl, i);
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s:%s:%s;",
			 json_string_value(json_object_get(e, "kind")),
			 json_string_value(json_object_get(e, "text")),
			 json_string_value(json_object_get(e, "by")));
	}
	assert_string_equal(buf, "feedback:已走访:王志强;return_reason:缺住户回访:周建国;"
				 "feedback:已回访 6 户:王志强;return_reason:再核实:李晓燕;"
				 "feedback:已核实:王志强;approval_note:同意:周建国;");
	json_decref(j);

	/* Without a named officer, anyone of the team may take the team's steps. */
	in = base_new();
	in.target_user_id = NULL;
	assert_int_equal(issue(f->c, &in, open_id, &err), 0);
	STEP_OK(open_id, FQ_DIRECTIVE_ACCEPT, AUXILIARY, NULL);
	STEP_OK(open_id, FQ_DIRECTIVE_START, COMMUNITY, NULL);
}

/* ---- overdue, in the store ---- */

static int64_t list_total(struct fq_dbc *c, int overdue, const char *state, int64_t now)
{
	struct fq_directive_query q = {.scope_path = S1_PATH,
				       .overdue = overdue,
				       .state = state,
				       .now_ms = now,
				       .page = 1,
				       .per_page = 20};
	struct fq_err err = FQ_ERR_INIT;
	json_t *out;
	int64_t n;

	if (fq_directive_list(c, &q, &out, &err) != 0)
		fail_msg("list: %s", err.message);
	n = json_integer_value(json_object_get(out, "total"));
	json_decref(out);
	return n;
}

static int overdue_of(struct fq_dbc *c, const char *id, int64_t now)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *j;
	int v;

	assert_int_equal(fq_directive_json(c, id, 0, 0, now, &j, &err), 0);
	v = json_is_true(json_object_get(j, "overdue"));
	json_decref(j);
	return v;
}

static void test_overdue_in_store(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_directive_new in = base_new();
	struct fq_err err = FQ_ERR_INIT;
	int64_t deadline = NOW + DAY_MS;
	char a[37], b[37];
	struct fq_directive_query bad = {.scope_path = S1_PATH, .overdue = -1, .page = 1};
	json_t *out;

	in.deadline_at = deadline;
	assert_int_equal(issue(f->c, &in, a, &err), 0);
	assert_int_equal(issue(f->c, &in, b, &err), 0);
	STEP_OK(b, FQ_DIRECTIVE_ACCEPT, COMMUNITY, NULL);
	STEP_OK(b, FQ_DIRECTIVE_START, COMMUNITY, NULL);
	STEP_OK(b, FQ_DIRECTIVE_FEEDBACK, COMMUNITY, "好");
	STEP_OK(b, FQ_DIRECTIVE_APPROVE, CHIEF, NULL);

	assert_int_equal(overdue_of(f->c, a, deadline), 0);
	assert_int_equal(overdue_of(f->c, a, deadline + 1), 1);
	assert_int_equal(overdue_of(f->c, b, deadline + 1), 0);
	assert_int_equal(list_total(f->c, 1, NULL, deadline), 0);
	assert_int_equal(list_total(f->c, 1, NULL, deadline + 1), 1);
	assert_int_equal(list_total(f->c, 0, NULL, deadline + 1), 1);
	assert_int_equal(list_total(f->c, -1, NULL, deadline + 1), 2);
	assert_int_equal(list_total(f->c, -1, "open", deadline + 1), 1);
	assert_int_equal(list_total(f->c, -1, "approved", deadline + 1), 1);
	bad.state = "closed";
	assert_int_equal(fq_directive_list(f->c, &bad, &out, &err), FQ_EINVAL);
	assert_string_equal(err.field, "state");
	bad.state = NULL;
	bad.sort = "title";
	assert_int_equal(fq_directive_list(f->c, &bad, &out, &err), FQ_EINVAL);
	assert_string_equal(err.field, "sort");
}

/* ---- escalation ---- */

struct escalations {
	int calls;
	int fail_at; /* the call that fails, 0: none */
	char chiefs[4][40];
};

static int record_escalation(void *arg, struct fq_dbc *c, const struct fq_directive_escalation *e,
			     struct fq_err *err)
{
	struct escalations *log = arg;
	(void)c;
	log->calls++;
	if (log->calls == log->fail_at)
		return fq_err_set(err, FQ_EDB, "injected", NULL, "injected failure");
	if (log->calls <= 4)
		snprintf(log->chiefs[log->calls - 1], sizeof(log->chiefs[0]), "%s",
			 e->chief_id ? e->chief_id : "-");
	return 0;
}

static void test_escalation_once(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_directive_new in = base_new();
	struct fq_err err = FQ_ERR_INIT;
	struct escalations log = {0};
	char late[37], done[37], future[37], chiefless[37], buf[256];
	int n = -1;

	in.deadline_at = NOW + HOUR_MS;
	assert_int_equal(issue(f->c, &in, late, &err), 0);
	assert_int_equal(issue(f->c, &in, done, &err), 0);
	STEP_OK(done, FQ_DIRECTIVE_ACCEPT, COMMUNITY, NULL);
	STEP_OK(done, FQ_DIRECTIVE_START, COMMUNITY, NULL);
	STEP_OK(done, FQ_DIRECTIVE_FEEDBACK, COMMUNITY, "好");
	STEP_OK(done, FQ_DIRECTIVE_APPROVE, CHIEF, NULL);
	in.deadline_at = NOW + 3 * HOUR_MS;
	assert_int_equal(issue(f->c, &in, future, &err), 0);
	in = base_new();
	in.unit = S3;
	in.scope_path = CITY_SCOPE;
	in.target_user_id = NULL;
	in.deadline_at = NOW + 30 * 60 * 1000;
	assert_int_equal(issue(f->c, &in, chiefless, &err), 0);

	/* Before any deadline: nothing. */
	assert_int_equal(fq_directive_escalate_overdue(f->c, NOW + 10 * 60 * 1000,
						       record_escalation, &log, &n, &err),
			 0);
	assert_int_equal(n, 0);
	/* A failure of the hook undoes the whole run. */
	log.fail_at = 2;
	assert_int_equal(fq_directive_escalate_overdue(f->c, NOW + 2 * HOUR_MS, record_escalation,
						       &log, &n, &err),
			 FQ_EDB);
	assert_int_equal(n, 0);
	assert_int_equal(
	    count(f->c, "SELECT COUNT(*) FROM directive WHERE escalated_at IS NOT NULL", NULL), 0);
	assert_int_equal(
	    count(f->c, "SELECT COUNT(*) FROM directive_feedback WHERE kind = ?", "escalation"), 0);
	assert_false(fq_dbc_in_transaction(f->c));

	/* Two hours on: the late one and the chiefless one, oldest deadline first. */
	memset(&log, 0, sizeof(log));
	assert_int_equal(fq_directive_escalate_overdue(f->c, NOW + 2 * HOUR_MS, record_escalation,
						       &log, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(log.calls, 2);
	assert_string_equal(log.chiefs[0], "-");
	assert_string_equal(log.chiefs[1], CHIEF);
	assert_string_equal(
	    column(f->c, "SELECT escalated_to FROM directive WHERE id = ?", late, buf, sizeof(buf)),
	    CHIEF);
	assert_string_equal(column(f->c,
				   "SELECT text FROM directive_feedback WHERE directive_id = ?",
				   late, buf, sizeof(buf)),
			    "逾期未办结（期限 2026-03-01 11:00），已报告所长周建国");
	assert_string_equal(column(f->c,
				   "SELECT text FROM directive_feedback WHERE directive_id = ?",
				   chiefless, buf, sizeof(buf)),
			    "逾期未办结（期限 2026-03-01 10:30），本所未设所长账号");
	assert_string_equal(column(f->c, "SELECT escalated_to FROM directive WHERE id = ?",
				   chiefless, buf, sizeof(buf)),
			    "(null)");
	/* Escalation is an event, not an edit. */
	assert_int_equal(count(f->c, "SELECT version FROM directive WHERE id = ?", late), 1);

	/* Once: a minute later nothing new; later the third one, alone. */
	assert_int_equal(fq_directive_escalate_overdue(f->c, NOW + 2 * HOUR_MS + 60000,
						       record_escalation, &log, &n, &err),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(
	    fq_directive_escalate_overdue(f->c, NOW + 4 * HOUR_MS, NULL, NULL, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    count(f->c, "SELECT COUNT(*) FROM directive_feedback WHERE kind = ?", "escalation"), 3);
	assert_int_equal(count(f->c,
			       "SELECT COUNT(*) FROM directive WHERE escalated_at IS NOT NULL"
			       " AND id = ?",
			       done),
			 0);
	assert_int_equal(
	    count(f->c, "SELECT COUNT(*) FROM directive_feedback WHERE directive_id = ?", late), 1);
}

static void test_escalation_tick_audits(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_directive_new in = base_new();
	struct fq_audit_report rep;
	struct fq_err err = FQ_ERR_INIT;
	char id[37], buf[256];
	int n = -1;

	in.deadline_at = NOW + HOUR_MS;
	assert_int_equal(issue(f->c, &in, id, &err), 0);
	assert_int_equal(fq_directive_escalation_tick(f->db, NOW + 2 * HOUR_MS, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(fq_directive_escalation_tick(f->db, NOW + 3 * HOUR_MS, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(
	    count(f->c,
		  "SELECT COUNT(*) FROM audit_entry WHERE action = 'directive.escalate'"
		  " AND object_id = ?",
		  id),
	    1);
	assert_string_equal(
	    column(f->c,
		   "SELECT username || '|' || unit_code || '|' || reason || '|' ||"
		   " detail FROM audit_entry WHERE object_id = ?",
		   id, buf, sizeof(buf)),
	    "system|" S1 "|overdue|{\"deadline_at\":\"2026-03-01T11:00:00.000+08:00\","
	    "\"escalated_to\":\"" CHIEF "\",\"number\":\"ZL-" S1 "-20260301-0001\"}");
	assert_int_equal(fq_audit_verify(f->db, 0, NULL, &rep, &err), 0);
}

/* ---- KPIs: docs/kpi.md, worked out by hand ---- */

static void raw_directive(struct fq_dbc *c, const char *id, const char *unit, const char *state,
			  const char *issued, const char *deadline, const char *approved,
			  int returned)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t issued_ms = at(issued);

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO directive (id, number, unit_code, source, target_team, title,"
		       " what_to_do, deadline_at, state, issued_at, approved_at, returned_count,"
		       " created_at, updated_at) VALUES (?, ?, ?, 'manual', 'community', 't', 'w',"
		       " ?, ?, ?, ?, ?, ?, ?)",
		       "tttitiIiii", id, id, unit, at(deadline), state, issued_ms,
		       approved ? at(approved) : INT64_MIN, (int64_t)returned, issued_ms,
		       issued_ms) != 0)
		fail_msg("directive %s: %s", id, err.message);
}

/*
 * The period is January 2026 in China Standard Time: [Jan 1, Feb 1).
 *   k1 S1 issued Jan 5,  deadline Jan 10 12:00, approved Jan 10 12:00     on time (at the deadline)
 *   k2 S1 issued Jan 6,  deadline Jan 10, approved Jan 11, returned twice overdue (late), returned
 *   k3 S1 issued Jan 7,  deadline Feb 10, in progress                   overdue after Feb 10
 *   k4 S1 issued Jan 8,  deadline Mar 5, feedback submitted, returned   pending, returned
 *   k5 S1 issued Jan 31 23:59:59.999, deadline Feb 3, approved Feb 2    on time
 *   k9 S1 issued Jan 9,  deadline Jan 20, returned (state)              overdue, returned
 *   k6 S1 issued Feb 1 00:00:00.000                                     outside (to is exclusive)
 *   k7 S1 issued Dec 31 23:59:59.999                                    outside
 *   k8 S2 issued Jan 10, deadline Jan 20, issued                        overdue (S2)
 */
static void kpi_fixture(struct fq_dbc *c)
{
	fq_test_begin(c);
	raw_directive(c, "k1", S1, "approved", "2026-01-05T09:00:00+08:00",
		      "2026-01-10T12:00:00+08:00", "2026-01-10T12:00:00+08:00", 0);
	raw_directive(c, "k2", S1, "approved", "2026-01-06T09:00:00+08:00", "2026-01-10",
		      "2026-01-11", 2);
	raw_directive(c, "k3", S1, "in_progress", "2026-01-07T09:00:00+08:00", "2026-02-10", NULL,
		      0);
	raw_directive(c, "k4", S1, "feedback_submitted", "2026-01-08T09:00:00+08:00", "2026-03-05",
		      NULL, 1);
	raw_directive(c, "k5", S1, "approved", "2026-01-31T23:59:59.999+08:00", "2026-02-03",
		      "2026-02-02", 0);
	raw_directive(c, "k9", S1, "returned", "2026-01-09T09:00:00+08:00", "2026-01-20", NULL, 1);
	raw_directive(c, "k6", S1, "issued", "2026-02-01T00:00:00+08:00", "2026-02-05", NULL, 0);
	raw_directive(c, "k7", S1, "approved", "2025-12-31T23:59:59.999+08:00", "2026-01-02",
		      "2026-01-01", 3);
	raw_directive(c, "k8", S2, "issued", "2026-01-10T09:00:00+08:00", "2026-01-20", NULL, 0);
	fq_test_commit(c);
}

static void expect_counts(struct fq_dbc *c, const char *path, int64_t now, int64_t issued,
			  int64_t on_time, int64_t overdue, int64_t pending, int64_t returned)
{
	struct fq_directive_counts n;
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(
	    fq_directive_counts(c, path, at("2026-01-01"), at("2026-02-01"), now, &n, &err), 0);
	assert_int_equal(n.issued, issued);
	assert_int_equal(n.on_time, on_time);
	assert_int_equal(n.overdue, overdue);
	assert_int_equal(n.pending, pending);
	assert_int_equal(n.returned, returned);
}

static void test_kpi_arithmetic(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_directive_counts n;
	int64_t deadline_k3 = at("2026-02-10");
	char *text;
	json_t *j;

	kpi_fixture(f->c);
	/* March 1: k3 is past its deadline. */
	expect_counts(f->c, S1_PATH, at("2026-03-01"), 6, 2, 3, 1, 3);
	/* At k3's deadline it is still pending; a millisecond later, overdue. */
	expect_counts(f->c, S1_PATH, deadline_k3, 6, 2, 2, 2, 3);
	expect_counts(f->c, S1_PATH, deadline_k3 + 1, 6, 2, 3, 1, 3);
	/* The branch: S1 and S2. */
	expect_counts(f->c, "/339900/339902/", at("2026-03-01"), 7, 2, 4, 1, 3);
	expect_counts(f->c, "/339900/339902/339902530000/", at("2026-03-01"), 0, 0, 0, 0, 0);
	assert_int_equal(
	    fq_directive_counts(f->c, S1_PATH, at("2026-02-01"), at("2026-02-01"), 0, &n, &err),
	    FQ_EINVAL);
	assert_string_equal(err.field, "to");

	assert_int_equal(fq_directive_kpi_json(f->c, "339902", at("2026-01-01"), at("2026-02-01"),
					       at("2026-03-01"), &j, &err),
			 0);
	text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	assert_string_equal(
	    text,
	    "{\"unit\":\"339902\",\"from\":\"2026-01-01T00:00:00.000+08:00\","
	    "\"to\":\"2026-02-01T00:00:00.000+08:00\",\"as_of\":\"2026-03-01T00:00:00.000+08:00\","
	    "\"counts\":{\"issued\":7,\"on_time\":2,\"overdue\":4,\"pending\":1,\"returned\":3},"
	    "\"rates\":{\"on_time\":0.3333,\"returned\":0.4286},"
	    "\"stations\":["
	    "{\"unit\":\"339902510000\",\"name\":\"枫溪派出所\","
	    "\"counts\":{\"issued\":6,\"on_time\":2,\"overdue\":3,\"pending\":1,\"returned\":3},"
	    "\"rates\":{\"on_time\":0.4,\"returned\":0.5}},"
	    "{\"unit\":\"339902520000\",\"name\":\"清塘派出所\","
	    "\"counts\":{\"issued\":1,\"on_time\":0,\"overdue\":1,\"pending\":0,\"returned\":0},"
	    "\"rates\":{\"on_time\":0.0,\"returned\":0.0}}]}");
	free(text);
	json_decref(j);
	assert_int_equal(
	    fq_directive_kpi_json(f->c, "nowhere", at("2026-01-01"), at("2026-02-01"), 0, &j, &err),
	    FQ_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_machine_table),
	    cmocka_unit_test(test_overdue_flag),
	    cmocka_unit_test_setup_teardown(test_issue_refusals, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_issue_sources_and_defaults, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_steps_in_store, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_overdue_in_store, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_escalation_once, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_escalation_tick_audits, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_kpi_arithmetic, setup, fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
