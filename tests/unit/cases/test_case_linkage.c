/*
 * Case linkage: the score's parts against figures worked out by hand, the
 * time of day across midnight, the reasons in Chinese, and the candidates
 * in the store (ranking, group, window, scope, limit), and series.
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

#include "cases/case.h"
#include "cases/linkage.h"
#include "core/geo.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "unit/fq_test.h"

#define S1	 "339902510000"
#define S2	 "339902520000"
#define S1_PATH	 "/339900/339902/339902510000/"
#define S2_PATH	 "/339900/339902/339902520000/"
#define COUNTY	 "/339900/339902/"
#define OFFICER	 "00000000-0000-7000-8000-000000000002"
#define OFFICER2 "00000000-0000-7000-8000-000000000003"
#define DAY_MS	 (24LL * 3600 * 1000)
#define EPS	 1e-9

static int64_t at(const char *rfc3339)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = 0;

	if (fq_time_parse(rfc3339, &ms, "t", &err) != 0)
		fail_msg("time %s: %s", rfc3339, err.message);
	return ms;
}

/* ---- pure scoring ---- */

static void test_identical_cases_score_one(void **state)
{
	struct fq_linkage_features a = {.type = "burglary",
					.group = "theft",
					.minute = 150,
					.has_location = 1,
					.lat = 29.72,
					.lon = 120.22,
					.method = "撬锁 入室",
					.property = "现金 手机",
					.suspect = "男 黑衣"};
	struct fq_linkage_parts p;
	(void)state;
	assert_true(fabs(fq_linkage_score(&a, &a, &p) - 1.0) < EPS);
	assert_true(p.same_type && p.both_night);
	assert_true(fabs(p.distance_m) < 1e-6);
}

static void test_parts_by_hand(void **state)
{
	/*
	 * a at 23:30, b at 00:30: 1 hour apart across midnight.
	 *   type (same)    0.30
	 *   time           0.15 × (1 − 1/4)               = 0.1125
	 *   place          none (b has no coordinates)     = 0
	 *   method         "夜间剪锁" vs "夜间撬锁": bigrams {夜间 间剪 剪锁} and
	 *                  {夜间 间撬 撬锁}, one in common: 2·1/6 = 1/3 → 0.25/3
	 *   property       one side empty                  = 0
	 *   suspect        identical                       = 0.075
	 * total 0.30 + 0.1125 + 0.083333 + 0.075 = 0.570833 → 0.571
	 */
	struct fq_linkage_features a = {.type = "ebike_theft",
					.group = "theft",
					.minute = 1410,
					.method = "夜间剪锁",
					.property = "",
					.suspect = "男子 戴帽"};
	struct fq_linkage_features b = {.type = "ebike_theft",
					.group = "theft",
					.minute = 30,
					.method = "夜间撬锁",
					.property = "电动车",
					.suspect = "男子 戴帽"};
	struct fq_linkage_parts p;
	(void)state;
	assert_true(fabs(fq_linkage_score(&a, &b, &p) - 0.571) < EPS);
	assert_true(fabs(p.hours_apart - 1.0) < EPS);
	assert_true(fabs(p.method_sim - 1.0 / 3.0) < 1e-9);
	assert_true(p.property_sim < 0);
	assert_true(p.distance_m < 0);
	/* Same group, another type: 0.15 instead of 0.30; 6 hours apart: no time part. */
	b.type = "bicycle_theft";
	b.minute = (1410 + 360) % 1440;
	b.method = "";
	b.suspect = "";
	assert_true(fabs(fq_linkage_score(&a, &b, &p) - 0.15) < EPS);
	assert_false(p.same_type);
	assert_true(p.same_group);
	/* Place: 1.5 km apart gives half the place weight. */
	struct fq_geo_point o = {29.72, 120.22}, q = fq_geo_destination(o, 90, 1500);
	a.has_location = b.has_location = 1;
	a.lat = o.lat;
	a.lon = o.lon;
	b.lat = q.lat;
	b.lon = q.lon;
	assert_true(fabs(fq_linkage_score(&a, &b, &p) - (0.15 + 0.075)) < 1e-3);
}

static void test_reasons(void **state)
{
	struct fq_linkage_parts p = {.same_type = 1,
				     .same_group = 1,
				     .both_night = 1,
				     .hours_apart = 0.5,
				     .distance_m = 423,
				     .method_sim = 0.7143,
				     .property_sim = -1,
				     .suspect_sim = 0.1};
	char out[256];
	(void)state;
	fq_linkage_reasons(&p, "入室盗窃", "盗窃类", out, sizeof(out));
	assert_string_equal(out, "同为夜间入室盗窃，相距 420 米，作案手段相似度 0.71");
	p.same_type = 0;
	p.both_night = 0;
	p.hours_apart = 1.5;
	p.distance_m = 2400;
	p.method_sim = 0.1;
	p.suspect_sim = 0.5;
	fq_linkage_reasons(&p, "入室盗窃", "盗窃类", out, sizeof(out));
	assert_string_equal(
	    out, "同属盗窃类，作案时段相近（相差 1.5 小时），相距 2.4 公里，嫌疑人特征相似度 0.50");
	/* A short buffer is cut, never overrun. */
	fq_linkage_reasons(&p, "入室盗窃", "盗窃类", out, 8);
	assert_true(strlen(out) < 8);
}

/* ---- the store ---- */

static void user(struct fq_dbc *c, const char *id, const char *unit)
{
	struct fq_err err = FQ_ERR_INIT;
	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash, unit_code,"
		       " disabled, password_changed_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, 'x', ?, 0, 0, 0, 0)",
		       "tttt", id, id + 30, id + 30, unit) != 0 ||
	    fq_dbc_run(c, &err, NULL, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
		       id, "case_officer") != 0)
		fail_msg("user: %s", err.message);
}

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("case_linkage");
	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	user(f->c, OFFICER, S1);
	user(f->c, OFFICER2, S2);
	fq_test_commit(f->c);
	return 0;
}

static void add_case(struct fq_test_store *f, const char *station, const char *type,
		     const char *when, double lat, double lon, const char *method, char id[37])
{
	int s1 = strcmp(station, S1) == 0;
	struct fq_case_new in = {.type = type,
				 .title = "案件",
				 .description = "案情",
				 .method = method,
				 .occurred_at = at(when),
				 .has_location = 1,
				 .lat = lat,
				 .lon = lon,
				 .scope_path = s1 ? S1_PATH : S2_PATH,
				 .actor_unit = station,
				 .actor_id = s1 ? OFFICER : OFFICER2,
				 .now_ms = at("2026-06-01T12:00:00+08:00")};
	struct fq_err err = FQ_ERR_INIT;
	char number[FQ_NUMBER_MAX];

	fq_test_begin(f->c);
	if (fq_case_create(f->c, &in, id, number, &err) != 0)
		fail_msg("create: %s %s", err.field, err.message);
	fq_test_commit(f->c);
}

static const char *cand(json_t *out, size_t i)
{
	return json_string_value(
	    json_object_get(json_array_get(json_object_get(out, "candidates"), i), "id"));
}

static void test_candidates_in_the_store(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char target[37], near[37], day[37], far[37], other_group[37], old[37], s2case[37];
	json_t *out = NULL;

	add_case(f, S1, "burglary", "2026-05-10T02:30:00+08:00", 29.7200, 120.2200,
		 "撬开防盗窗入室，翻找现金首饰", target);
	add_case(f, S1, "burglary", "2026-05-20T03:00:00+08:00", 29.7230, 120.2210,
		 "撬开防盗窗入室，翻找现金", near);
	add_case(f, S1, "burglary", "2026-05-15T14:00:00+08:00", 29.7205, 120.2200,
		 "趁家中无人撬门入室", day);
	add_case(f, S1, "petty_theft", "2026-05-12T02:00:00+08:00", 29.9000, 120.5000, "顺手拿走",
		 far);
	add_case(f, S1, "assault", "2026-05-10T02:30:00+08:00", 29.7200, 120.2200, "撬开防盗窗入室",
		 other_group);
	add_case(f, S1, "burglary", "2025-04-01T02:30:00+08:00", 29.7200, 120.2200,
		 "撬开防盗窗入室，翻找现金首饰", old);
	add_case(f, S2, "burglary", "2026-05-11T02:40:00+08:00", 29.7201, 120.2201,
		 "撬开防盗窗入室，翻找现金首饰", s2case);

	/* The station's scope: the planted near case first; no assault, nothing older than a year.
	 */
	assert_int_equal(fq_linkage_candidates(f->c, target, S1_PATH, 10, 0, &out, &err), 0);
	assert_string_equal(cand(out, 0), near);
	assert_string_equal(cand(out, 1), day);
	assert_string_equal(cand(out, 2), far);
	assert_null(cand(out, 3));
	assert_int_equal(json_integer_value(json_object_get(out, "scanned")), 3);
	assert_true(strncmp(json_string_value(json_object_get(
				json_array_get(json_object_get(out, "candidates"), 0), "reasons")),
			    "同为夜间入室盗窃，相距 ", strlen("同为夜间入室盗窃，相距 ")) == 0);
	json_decref(out);
	/* The county's scope (an analyst's): the other station's twin comes first. */
	assert_int_equal(fq_linkage_candidates(f->c, target, COUNTY, 2, 0, &out, &err), 0);
	assert_string_equal(cand(out, 0), s2case);
	assert_string_equal(cand(out, 1), near);
	assert_null(cand(out, 2));
	json_decref(out);
	/* min_score drops the weak ones. */
	assert_int_equal(fq_linkage_candidates(f->c, target, S1_PATH, 10, 0.6, &out, &err), 0);
	assert_string_equal(cand(out, 0), near);
	assert_null(cand(out, 1));
	json_decref(out);
	/* A case outside the scope is not found; limits are checked. */
	assert_int_equal(fq_linkage_candidates(f->c, s2case, S1_PATH, 10, 0, &out, &err),
			 FQ_ENOTFOUND);
	assert_int_equal(fq_linkage_candidates(f->c, target, S1_PATH, 0, 0, &out, &err), FQ_EINVAL);
	assert_string_equal(err.field, "limit");

	/* A series: members in scope, no duplicates. */
	json_t *ids = json_pack("[s, s]", target, near);
	struct fq_series_new sn = {.name = "夜间入室盗窃系列案",
				   .reason = "手段相同",
				   .case_ids = ids,
				   .unit = S1,
				   .scope_path = S1_PATH,
				   .actor_id = OFFICER,
				   .now_ms = at("2026-06-01T12:00:00+08:00")};
	char sid[37], number[FQ_NUMBER_MAX];
	fq_test_begin(f->c);
	assert_int_equal(fq_series_create(f->c, &sn, sid, number, &err), 0);
	assert_string_equal(number, "CB-339902510000-20260601-0001");
	json_array_append_new(ids, json_string(s2case));
	assert_int_equal(fq_series_create(f->c, &sn, sid, number, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_case");
	json_array_set_new(ids, 2, json_string(target));
	assert_int_equal(fq_series_create(f->c, &sn, sid, number, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "duplicate");
	fq_test_commit(f->c);
	json_decref(ids);
}

/*
 * The branch and bound answers as scoring every case would: on 240 random
 * cases, for 12 targets, the scores of the top 8 equal those of a brute
 * force over fq_linkage_score.
 */
static const char *const vocab[] = {"撬开防盗窗入室",	"剪断车锁推走", "翻越围墙",
				    "趁人不备扒窃手机", "万能钥匙开锁", "尾随入户",
				    "夜间作案",		"拿走现金",	"砸碎车窗"};

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

static void test_bound_equals_brute_force(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	static const char *const types[] = {"ebike_theft", "burglary", "petty_theft"};
	char ids[240][37];
	uint64_t x = 12345;

	for (int i = 0; i < 240; i++) {
		char method[128], when[40];
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		snprintf(method, sizeof(method), "%s，%s", vocab[(x >> 33) % 9],
			 vocab[(x >> 40) % 9]);
		snprintf(when, sizeof(when), "2026-%02d-%02dT%02d:%02d:00+08:00",
			 (int)(1 + (x >> 20) % 5), (int)(1 + (x >> 24) % 28), (int)((x >> 29) % 24),
			 (int)((x >> 45) % 60));
		add_case(f, S1, types[(x >> 50) % 3], when,
			 29.70 + (double)((x >> 8) % 400) / 10000,
			 120.20 + (double)((x >> 16) % 400) / 10000, method, ids[i]);
	}
	for (int k = 0; k < 12; k++) {
		const char *target = ids[k * 19];
		struct fq_linkage_features a = {0};
		double brute[240];
		int nb = 0;
		struct fq_stmt *st;
		json_t *out = NULL, *cands;
		char *am = NULL, *at_type = NULL;
		int64_t aocc = 0;

		/* The target's features, then every other case's score. */
		assert_int_equal(fq_dbc_query(f->c, &err, &st,
					      "SELECT type, occurred_minute, lat, lon, method_norm,"
					      " occurred_at FROM case_file WHERE id = ?",
					      "t", target),
				 0);
		assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
		at_type = strdup(fq_stmt_text(st, 0));
		a.type = at_type;
		a.group = "theft";
		a.minute = (int)fq_stmt_int(st, 1);
		a.has_location = 1;
		a.lat = fq_stmt_double(st, 2);
		a.lon = fq_stmt_double(st, 3);
		am = strdup(fq_stmt_text(st, 4));
		a.method = am;
		a.property = "";
		a.suspect = "";
		aocc = fq_stmt_int(st, 5);
		fq_stmt_done(st);
		assert_int_equal(fq_dbc_query(f->c, &err, &st,
					      "SELECT type, occurred_minute, lat, lon, method_norm,"
					      " occurred_at FROM case_file WHERE id <> ?",
					      "t", target),
				 0);
		while (fq_stmt_step(st, &err) == FQ_DB_ROW) {
			struct fq_linkage_features b = {.type = fq_stmt_text(st, 0),
							.group = "theft",
							.minute = (int)fq_stmt_int(st, 1),
							.has_location = 1,
							.lat = fq_stmt_double(st, 2),
							.lon = fq_stmt_double(st, 3),
							.method = fq_stmt_text(st, 4),
							.property = "",
							.suspect = ""};
			double sc = fq_linkage_score(&a, &b, NULL);
			if (llabs(fq_stmt_int(st, 5) - aocc) <= FQ_LINKAGE_WINDOW_DAYS * DAY_MS &&
			    sc >= 0.3)
				brute[nb++] = sc;
		}
		fq_stmt_done(st);
		qsort(brute, (size_t)nb, sizeof(double), cmp_desc);
		assert_int_equal(fq_linkage_candidates(f->c, target, S1_PATH, 8, 0.3, &out, &err),
				 0);
		cands = json_object_get(out, "candidates");
		assert_int_equal((int)json_array_size(cands), nb < 8 ? nb : 8);
		for (size_t i = 0; i < json_array_size(cands); i++) {
			double got =
			    json_real_value(json_object_get(json_array_get(cands, i), "score"));
			if (fabs(got - brute[i]) > 1e-9)
				fail_msg("target %d rank %zu: %.3f, brute force %.3f", k, i, got,
					 brute[i]);
		}
		/* It read the texts of fewer cases than it considered. */
		assert_true(json_integer_value(json_object_get(out, "scored")) <=
			    json_integer_value(json_object_get(out, "scanned")));
		json_decref(out);
		free(am);
		free(at_type);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identical_cases_score_one),
	    cmocka_unit_test(test_parts_by_hand),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test_setup_teardown(test_candidates_in_the_store, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_bound_equals_brute_force, setup,
					    fq_test_store_teardown),
	};

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
