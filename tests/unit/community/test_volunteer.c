/*
 * Volunteers and school posts: the hours and attendance arithmetic against
 * figures worked out by hand (credited minutes of a turn, school days in a
 * window, session start times, on time / late, rates), the check-in rules,
 * and the counts of a small fixture (a patrol team's month, a school post's
 * week) computed by the store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/school.h"
#include "community/volunteer.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "unit/fq_test.h"

#define S1	  "339902510000"
#define G1	  "339902100001"
#define ROOT	  "/339900/"
#define AUXILIARY "00000000-0000-7000-8000-000000000003"

static int64_t at(const char *rfc3339)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = 0;

	if (fq_time_parse(rfc3339, &ms, "t", &err) != 0)
		fail_msg("time %s: %s", rfc3339, err.message);
	return ms;
}

static int64_t day(const char *s)
{
	int64_t d = 0;
	if (fq_school_parse_day(s, &d) != 0)
		fail_msg("day %s", s);
	return d;
}

/* ---- arithmetic ---- */

static void test_credit_minutes(void **state)
{
	/* A patrol 19:00–21:00; credit from at most 18:30 to at most 21:30. */
	static const struct {
		const char *in, *out;
		int64_t minutes;
	} cases[] = {
	    {"2026-11-02T18:50:00+08:00", "2026-11-02T21:05:00+08:00", 135},
	    {"2026-11-02T18:00:00+08:00", "2026-11-02T21:00:00+08:00", 150}, /* from 18:30 */
	    {"2026-11-02T19:10:00+08:00", "2026-11-02T23:00:00+08:00", 140}, /* to 21:30 */
	    {"2026-11-02T17:00:00+08:00", "2026-11-03T01:00:00+08:00", 180}, /* both capped */
	    {"2026-11-02T21:40:00+08:00", "2026-11-02T22:00:00+08:00", 0},   /* after the end */
	    {"2026-11-02T19:00:30+08:00", "2026-11-02T19:01:29+08:00", 0},   /* 59 s */
	    {"2026-11-02T19:00:00+08:00", "2026-11-02T20:00:59+08:00", 60},  /* rounded down */
	    {"2026-11-02T20:00:00+08:00", "2026-11-02T19:00:00+08:00", 0},   /* out before in */
	};
	int64_t s = at("2026-11-02T19:00:00+08:00"), e = at("2026-11-02T21:00:00+08:00");
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = fq_volunteer_credit_minutes(s, e, at(cases[i].in), at(cases[i].out));
		if (got != cases[i].minutes)
			fail_msg("case %zu: %lld minutes, want %lld", i, (long long)got,
				 (long long)cases[i].minutes);
	}
}

static void test_school_days(void **state)
{
	char out[11];
	(void)state;
	/* 2026-11-23 is a Monday; 1970-01-01 a Thursday. */
	assert_int_equal(fq_school_weekday(day("2026-11-23")), 0);
	assert_int_equal(fq_school_weekday(day("2026-11-29")), 6);
	assert_int_equal(fq_school_weekday(0), 3);
	/* Monday to Friday in one week, two weeks; every day; the Saturdays of November 2026. */
	assert_int_equal(
	    fq_school_days_in(FQ_SCHOOL_WEEKDAYS, day("2026-11-23"), day("2026-11-29")), 5);
	assert_int_equal(
	    fq_school_days_in(FQ_SCHOOL_WEEKDAYS, day("2026-11-23"), day("2026-12-06")), 10);
	assert_int_equal(fq_school_days_in(127, day("2026-11-23"), day("2026-12-06")), 14);
	assert_int_equal(fq_school_days_in(1 << 5, day("2026-11-01"), day("2026-11-30")), 4);
	/* Thursday 2026-11-26 to Tuesday 2026-12-01: Thu, Fri, Mon, Tue. */
	assert_int_equal(
	    fq_school_days_in(FQ_SCHOOL_WEEKDAYS, day("2026-11-26"), day("2026-12-01")), 4);
	assert_int_equal(
	    fq_school_days_in(FQ_SCHOOL_WEEKDAYS, day("2026-11-28"), day("2026-11-29")), 0);
	assert_int_equal(fq_school_days_in(127, day("2026-11-29"), day("2026-11-28")), 0);
	/* A school year's autumn term, 2026-09-01 (Tue) to 2027-01-22 (Fri): 21 weeks + 4 days. */
	assert_int_equal(
	    fq_school_days_in(FQ_SCHOOL_WEEKDAYS, day("2026-09-01"), day("2027-01-22")), 104);

	/* Local days and session times (China Standard Time). */
	assert_int_equal(fq_school_session_start(day("2026-11-23"), 7 * 60 + 20),
			 at("2026-11-23T07:20:00+08:00"));
	assert_int_equal(fq_school_local_day(at("2026-11-23T23:59:59+08:00")), day("2026-11-23"));
	assert_int_equal(fq_school_local_day(at("2026-11-23T16:30:00Z")), day("2026-11-24"));
	fq_school_format_day(day("2024-02-29"), out);
	assert_string_equal(out, "2024-02-29");
	{
		int64_t d;
		assert_int_equal(fq_school_parse_day("2026-02-29", &d), -1);
		assert_int_equal(fq_school_parse_day("2026-1-05", &d), -1);
		assert_int_equal(fq_school_parse_day("2026-01-05x", &d), -1);
		assert_int_equal(fq_school_parse_day(NULL, &d), -1);
	}

	/* On time means in place by the session's start. */
	assert_string_equal(fq_school_arrival_status(at("2026-11-23T07:20:00+08:00"),
						     at("2026-11-23T07:20:00+08:00")),
			    "on_time");
	assert_string_equal(fq_school_arrival_status(at("2026-11-23T07:20:00+08:00"),
						     at("2026-11-23T07:05:00+08:00")),
			    "on_time");
	assert_string_equal(fq_school_arrival_status(at("2026-11-23T07:20:00+08:00"),
						     at("2026-11-23T07:20:00.001+08:00")),
			    "late");
}

static void test_rates(void **state)
{
	struct fq_school_tally t = {.expected = 10, .on_time = 6, .late = 2, .absent = 2};
	struct fq_school_tally none = {0};
	double a, p, r;
	(void)state;
	fq_school_rates(&t, &a, &p, &r);
	assert_float_equal(a, 0.8, 1e-12);
	assert_float_equal(p, 0.6, 1e-12);
	assert_float_equal(r, 1.0, 1e-12);
	t.expected = 20;
	fq_school_rates(&t, &a, &p, &r);
	assert_float_equal(r, 0.5, 1e-12);
	fq_school_rates(&none, &a, &p, &r);
	assert_true(isnan(a) && isnan(p) && isnan(r));
}

/* ---- store fixture ---- */

static void user(struct fq_dbc *c, const char *id, const char *name, const char *unit,
		 const char *role)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash, unit_code,"
		       " disabled, password_changed_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, 'x', ?, 0, 0, 0, 0)",
		       "tttt", id, name, name, unit) != 0)
		fail_msg("user %s: %s", name, err.message);
	if (fq_dbc_run(c, &err, NULL, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
		       id, role) != 0)
		fail_msg("role of %s: %s", name, err.message);
}

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("volunteer");

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, G1, "桃园社区", "grid", S1);
	user(f->c, AUXILIARY, "张伟", S1, "auxiliary");
	fq_test_commit(f->c);
	return 0;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	return json_integer_value(v);
}

static void task(struct fq_dbc *c, const char *group, const char *from, const char *to,
		 json_t *members, char id[37])
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_vtask_new in = {.group_id = group,
				  .kind = "patrol",
				  .title = "夜间巡逻",
				  .area = "沿河步道",
				  .lat = NAN,
				  .lon = NAN,
				  .starts_at = at(from),
				  .ends_at = at(to),
				  .member_ids = members,
				  .now_ms = at("2026-11-01T09:00:00+08:00")};
	if (fq_vtask_create(c, &in, ROOT, id, &err) != 0)
		fail_msg("task %s: %s (%s)", from, err.message, err.field);
}

static void turn(struct fq_dbc *c, const char *task_id, const char *member, const char *in,
		 const char *out, int64_t want)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t minutes = -1;

	if (fq_vtask_check_in(c, task_id, member, NAN, NAN, NULL, at(in), &err) != 0)
		fail_msg("check in %s: %s", in, err.message);
	if (!out)
		return;
	if (fq_vtask_check_out(c, task_id, member, NAN, NAN, at(out), &minutes, &err) != 0)
		fail_msg("check out %s: %s", out, err.message);
	assert_int_equal(minutes, want);
}

static void test_team_month(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_vgroup_new g = {.name = "桃园平安巡逻队",
				  .kind = "patrol_team",
				  .unit_code = G1,
				  .now_ms = at("2026-10-01T09:00:00+08:00")};
	char group[37], m[3][37], a[37], b[37], cc[37], d[37], e[37], clue[37];
	json_t *only1 = json_pack("[s]", ""), *k = NULL, *gr;
	int64_t now = at("2026-11-23T12:00:00+08:00");

	fq_test_begin(f->c);
	assert_int_equal(fq_vgroup_create(f->c, &g, ROOT, group, &err), 0);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = {"钱秀英", "孙建华", "李玉兰"};
		struct fq_vmember_new mn = {.group_id = group,
					    .name = names[i],
					    .phone = "13812345678",
					    .now_ms = g.now_ms};
		assert_int_equal(fq_vmember_create(f->c, &mn, ROOT, m[i], &err), 0);
	}
	/* Task A: members 1 and 2; 145 and 130 minutes; a clue. */
	task(f->c, group, "2026-11-02T19:00:00+08:00", "2026-11-02T21:00:00+08:00", NULL, a);
	turn(f->c, a, m[0], "2026-11-02T18:45:00+08:00", "2026-11-02T21:10:00+08:00", 145);
	turn(f->c, a, m[1], "2026-11-02T19:20:00+08:00", "2026-11-02T22:30:00+08:00", 130);
	assert_int_equal(fq_vtask_report_clue(f->c, a, m[1], "河边有人夜间电鱼", NAN, NAN, NULL,
					      at("2026-11-02T20:00:00+08:00"), clue, &err),
			 0);
	/* Task B: member 1 only (assigned); 60 minutes; member 3 may not check in. */
	json_array_set_new(only1, 0, json_string(m[0]));
	task(f->c, group, "2026-11-09T19:00:00+08:00", "2026-11-09T21:00:00+08:00", only1, b);
	assert_int_equal(
	    fq_vtask_check_in(f->c, b, m[2], NAN, NAN, NULL, at("2026-11-09T19:00:00+08:00"), &err),
	    FQ_EINVAL);
	assert_string_equal(err.field, "member_id");
	/* 31 minutes early is too early; 30 is not. */
	assert_int_equal(
	    fq_vtask_check_in(f->c, b, m[0], NAN, NAN, NULL, at("2026-11-09T18:29:00+08:00"), &err),
	    FQ_ECONFLICT);
	assert_string_equal(err.machine, "too_early");
	turn(f->c, b, m[0], "2026-11-09T18:30:00+08:00", "2026-11-09T19:30:00+08:00", 60);
	assert_int_equal(
	    fq_vtask_check_in(f->c, b, m[0], NAN, NAN, NULL, at("2026-11-09T19:40:00+08:00"), &err),
	    FQ_ECONFLICT);
	assert_string_equal(err.machine, "duplicate");
	/* Task C: member 3 checks in and never out (no hours); task D nobody: missed; E cancelled.
	 */
	task(f->c, group, "2026-11-16T19:00:00+08:00", "2026-11-16T21:00:00+08:00", NULL, cc);
	turn(f->c, cc, m[2], "2026-11-16T19:05:00+08:00", NULL, 0);
	assert_int_equal(fq_vtask_check_in(f->c, cc, m[0], NAN, NAN, NULL,
					   at("2026-11-16T21:00:01+08:00"), &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "too_late");
	task(f->c, group, "2026-11-18T19:00:00+08:00", "2026-11-18T21:00:00+08:00", NULL, d);
	task(f->c, group, "2026-11-20T19:00:00+08:00", "2026-11-20T21:00:00+08:00", NULL, e);
	assert_int_equal(fq_vtask_cancel(f->c, e, 0, "暴雨", &err), 0);
	assert_int_equal(fq_vtask_cancel(f->c, a, 0, "测试", &err), FQ_ECONFLICT);
	fq_test_commit(f->c);

	/*
	 * November: 3 members, 2 active (member 3's turn is open), 3 completed
	 * turns, 145 + 130 + 60 = 335 minutes, tasks A B C D (E cancelled), done
	 * A and B (C has no completed turn, D none at all), 1 clue.
	 */
	assert_int_equal(fq_volunteer_kpi_json(f->c, ROOT, at("2026-11-01T00:00:00+08:00"),
					       at("2026-12-01T00:00:00+08:00"), now, &k, &err),
			 0);
	assert_int_equal(jint(k, "members"), 3);
	assert_int_equal(jint(k, "active_members"), 2);
	assert_int_equal(jint(k, "turns"), 3);
	assert_int_equal(jint(k, "minutes"), 335);
	assert_float_equal(json_real_value(json_object_get(k, "hours")), 335.0 / 60.0, 1e-9);
	assert_int_equal(jint(k, "tasks"), 4);
	assert_int_equal(jint(k, "tasks_done"), 2);
	assert_int_equal(jint(k, "clues"), 1);
	gr = json_array_get(json_object_get(k, "months"), 0);
	assert_string_equal(jstr(gr, "month"), "2026-11");
	assert_int_equal(jint(gr, "minutes"), 335);
	json_decref(k);
	/* From 5 November: task B, C, D; 60 minutes; one active member; no clue. */
	assert_int_equal(fq_volunteer_kpi_json(f->c, ROOT, at("2026-11-05T00:00:00+08:00"),
					       at("2026-12-01T00:00:00+08:00"), now, &k, &err),
			 0);
	assert_int_equal(jint(k, "tasks"), 3);
	assert_int_equal(jint(k, "tasks_done"), 1);
	assert_int_equal(jint(k, "minutes"), 60);
	assert_int_equal(jint(k, "active_members"), 1);
	assert_int_equal(jint(k, "clues"), 0);
	json_decref(k);
	/* Derived statuses. */
	assert_int_equal(fq_vtask_json(f->c, cc, 1, now, &k, &err), 0);
	assert_string_equal(jstr(k, "status"), "missed");
	assert_string_equal(jstr(json_array_get(json_object_get(k, "members"), 0), "phone"),
			    "138****5678");
	json_decref(k);
	assert_int_equal(fq_vtask_json(f->c, a, 0, now, &k, &err), 0);
	assert_string_equal(jstr(k, "status"), "done");
	assert_int_equal(jint(k, "minutes"), 275);
	json_decref(k);
	json_decref(only1);
}

static void test_post_week(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_school_new sn = {.name = "桃园小学", .unit_code = G1, .now_ms = 0};
	struct fq_vgroup_new g = {.name = "护学志愿队", .kind = "school_guard", .unit_code = G1};
	struct fq_vmember_new mn = {.name = "周桂英", .now_ms = 0};
	char school[37], post[37], sess[37], group[37], member[37], id[37];
	json_t *k = NULL, *s;
	int64_t set_up = at("2026-11-02T06:00:00+08:00"); /* a Monday */
	static const struct {
		const char *day, *kind, *status, *arrived;
	} recs[] = {
	    {"2026-11-02", "user", NULL, "2026-11-02T07:10:00+08:00"},	 /* on time */
	    {"2026-11-02", "member", NULL, "2026-11-02T07:20:00+08:00"}, /* on time (exactly) */
	    {"2026-11-03", "user", NULL, "2026-11-03T07:26:00+08:00"},	 /* late */
	    {"2026-11-03", "member", "absent", NULL},
	    {"2026-11-04", "user", "on_time", NULL},
	};

	fq_test_begin(f->c);
	sn.now_ms = set_up;
	g.now_ms = set_up;
	assert_int_equal(fq_school_create(f->c, &sn, ROOT, school, &err), 0);
	assert_int_equal(fq_spost_create(f->c, school, "正门", NAN, NAN, ROOT, set_up, post, &err),
			 0);
	assert_int_equal(
	    fq_ssession_add(f->c, post, "早高峰", FQ_SCHOOL_WEEKDAYS, 440, 480, set_up, sess, &err),
	    0);
	assert_int_equal(fq_vgroup_create(f->c, &g, ROOT, group, &err), 0);
	mn.group_id = group;
	mn.now_ms = set_up;
	assert_int_equal(fq_vmember_create(f->c, &mn, ROOT, member, &err), 0);
	assert_int_equal(fq_spost_assign(f->c, post, "user", AUXILIARY, ROOT, set_up, &err), 0);
	assert_int_equal(fq_spost_assign(f->c, post, "member", member, ROOT, set_up, &err), 0);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		struct fq_attendance_new in = {
		    .session_id = sess,
		    .day = recs[i].day,
		    .kind = recs[i].kind,
		    .ref_id = strcmp(recs[i].kind, "user") == 0 ? AUXILIARY : member,
		    .status = recs[i].status,
		    .arrived_at = recs[i].arrived ? at(recs[i].arrived) : 0,
		    .now_ms = at("2026-11-23T12:00:00+08:00")};
		if (fq_attendance_record(f->c, &in, ROOT, id, &err) != 0)
			fail_msg("record %zu: %s (%s)", i, err.message, err.field);
	}
	/* Friday 30 October: before the session was set up. */
	{
		struct fq_attendance_new in = {.session_id = sess,
					       .day = "2026-10-30",
					       .kind = "user",
					       .ref_id = AUXILIARY,
					       .status = "absent",
					       .now_ms = at("2026-11-23T12:00:00+08:00")};
		assert_int_equal(fq_attendance_record(f->c, &in, ROOT, id, &err), FQ_EINVAL);
		assert_string_equal(err.machine, "before_session");
	}
	/* Saturday has no session. */
	{
		struct fq_attendance_new in = {.session_id = sess,
					       .day = "2026-11-07",
					       .kind = "user",
					       .ref_id = AUXILIARY,
					       .status = "absent",
					       .now_ms = at("2026-11-23T12:00:00+08:00")};
		assert_int_equal(fq_attendance_record(f->c, &in, ROOT, id, &err), FQ_EINVAL);
		assert_string_equal(err.field, "day");
	}
	fq_test_commit(f->c);

	/*
	 * The week of 2 November: 5 school days × 2 people = 10 expected; on
	 * time 3, late 1, absent 1, unrecorded 5; attendance 4/5, punctuality 3/5.
	 * From 26 October the same (the session was set up on 2 November).
	 */
	for (int w = 0; w < 2; w++) {
		assert_int_equal(fq_school_kpi_json(f->c, ROOT,
						    day(w ? "2026-10-26" : "2026-11-02"),
						    day("2026-11-08"), &k, &err),
				 0);
		s = json_array_get(json_object_get(k, "schools"), 0);
		assert_int_equal(jint(s, "expected"), 10);
		assert_int_equal(jint(s, "on_time"), 3);
		assert_int_equal(jint(s, "late"), 1);
		assert_int_equal(jint(s, "absent"), 1);
		assert_int_equal(jint(s, "unrecorded"), 5);
		assert_float_equal(json_real_value(json_object_get(s, "attendance_rate")), 0.8,
				   1e-12);
		assert_float_equal(json_real_value(json_object_get(s, "punctuality_rate")), 0.6,
				   1e-12);
		assert_float_equal(json_real_value(json_object_get(k, "recorded_share")), 0.5,
				   1e-12);
		json_decref(k);
	}
	/* The week grid: Tuesday's member cell is absent; Saturday is not held. */
	assert_int_equal(fq_school_week_json(f->c, ROOT, day("2026-11-02"), &k, &err), 0);
	s = json_array_get(json_object_get(k, "rows"), 0);
	{
		json_t *people = json_object_get(s, "assignees"), *p;
		size_t i;
		int seen = 0;
		json_array_foreach(people, i, p)
		{
			json_t *days = json_object_get(p, "days");
			if (strcmp(jstr(p, "kind"), "member") == 0) {
				assert_string_equal(jstr(json_array_get(days, 1), "status"),
						    "absent");
				seen++;
			} else {
				assert_string_equal(jstr(json_array_get(days, 2), "status"),
						    "on_time");
				assert_true(json_is_null(json_array_get(days, 3)));
				seen++;
			}
			assert_true(json_is_false(json_array_get(days, 5)));
		}
		assert_int_equal(seen, 2);
	}
	json_decref(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_credit_minutes),
	    cmocka_unit_test(test_school_days),
	    cmocka_unit_test(test_rates),
	    cmocka_unit_test_setup_teardown(test_team_month, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_post_week, setup, fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
