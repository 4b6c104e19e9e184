#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/merge.h"
#include "command/taxonomy.h"
#include "core/geo.h"
#include "core/text.h"

#define MIN_MS	(60 * 1000LL)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS	(24 * HOUR_MS)
/* 2026-11-23 20:00 +08:00 */
#define T0 1795435200000LL

#define FIGHT_1 "烧烤店门口有人打架 有人受伤"
#define FIGHT_2 "烧烤店门口打架 一人受伤"	  /* s(FIGHT_1, FIGHT_2) = 0.70 */
#define FIGHT_3 "烧烤店外面几个人在打架 有人流血" /* s(FIGHT_1, FIGHT_3) = 1/3 */
#define FIGHT_4 "烧烤店那边有人打架"		  /* s(FIGHT_1, FIGHT_4) = 10/19 */
#define NOISE_1 "楼上装修噪音太大"
#define NOISE_2 "楼上装修噪音太大 一直不停" /* s(NOISE_1, NOISE_2) = 14/17 */
#define ADDRESS "诸暨市枫桥镇和平路12号"

static const struct fq_geo_point p0 = {29.7123, 120.2456};

static struct fq_geo_point at(double bearing_deg, double distance_m)
{
	return fq_geo_destination(p0, bearing_deg, distance_m);
}

static const struct fq_category *cat(const char *code)
{
	const struct fq_category *c = fq_taxonomy_find(code);

	if (!c)
		fail_msg("no category %s", code);
	return c;
}

/* An alert at point p (NULL: no coordinates). */
static struct fq_merge_alert alert(const char *alert_id, const char *incident_id, int64_t t_ms,
				   const char *phone, const struct fq_geo_point *p,
				   const char *code, const char *description)
{
	struct fq_merge_alert a;

	memset(&a, 0, sizeof(a));
	a.alert_id = alert_id;
	a.incident_id = incident_id;
	a.received_at_ms = t_ms;
	a.phone = phone;
	if (p) {
		a.has_location = 1;
		a.lat = p->lat;
		a.lon = p->lon;
	}
	a.category = cat(code);
	a.description = description;
	return a;
}

static void insert(struct fq_merge_index *idx, const struct fq_merge_alert *a)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_merge_insert(idx, a, &err))
		fail_msg("insert %s: %s", a->alert_id, err.message);
}

static void match(struct fq_merge_index *idx, const struct fq_merge_alert *a,
		  struct fq_merge_result *r)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_merge_match(idx, a, r, &err))
		fail_msg("match %s: %s", a->alert_id ? a->alert_id : "", err.message);
}

static void assert_near(double got, double want)
{
	if (!(fabs(got - want) <= 1e-9))
		fail_msg("got %.12f, want %.12f", got, want);
}

/* The documented same_event score with the default settings. */
static double same_event_score(int64_t dt_ms, int64_t window_s, double d_m, double radius_m,
			       double similarity, double category_credit)
{
	double rt = (double)dt_ms / (double)(window_s * 1000);
	double rd = d_m / radius_m;

	return 0.30 * (1.0 - rt * rt) + 0.30 * (1.0 - rd * rd) +
	       0.25 * fmin(1.0, similarity / 0.5) + 0.15 * category_credit;
}

/* The documented repeat_caller score with the default settings. */
static double repeat_caller_score(double place_factor, double similarity)
{
	return 0.75 + 0.25 * (place_factor + fmin(1.0, similarity / 0.5)) / 2.0;
}

static int setup(void **state)
{
	struct fq_merge_index *idx;
	struct fq_err err = FQ_ERR_INIT;

	if (fq_merge_index_new(NULL, &idx, &err))
		return -1;
	*state = idx;
	return 0;
}

static int teardown(void **state)
{
	fq_merge_index_free(*state);
	return 0;
}

static void test_config(void **state)
{
	struct fq_merge_config cfg;
	struct fq_merge_index *idx = (void *)1;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	fq_merge_config_init(&cfg);
	assert_int_equal(cfg.repeat_caller_window_s, 86400);
	assert_true(cfg.repeat_place_radius_m == 50.0);
	assert_int_equal(cfg.repeat_place_window_s, 30 * 86400);
	assert_int_equal(cfg.repeat_place_threshold, 3);
	assert_true(cfg.auto_merge_threshold == 0.80);
	assert_int_equal(cfg.repeat_caller_event_window_s, 2 * 3600);
	assert_true(cfg.same_caller_late_base == 0.5);
	assert_true(cfg.same_address_max_m == 1000.0);
	assert_true(cfg.place_agreement_bonus == 0.10);
	assert_true(cfg.suggest_threshold == 0.35);
	assert_int_equal(cfg.max_candidates, 5);

	cfg.weight_text = 0.35; /* weights now sum to 1.1 */
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_null(idx);
	assert_string_equal(err.machine, "merge_config");
	assert_string_equal(err.field, "weight_time");

	fq_merge_config_init(&cfg);
	cfg.suggest_threshold = 0.9;
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_string_equal(err.field, "suggest_threshold");

	fq_merge_config_init(&cfg);
	cfg.max_candidates = FQ_MERGE_CANDIDATES_MAX + 1;
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_string_equal(err.field, "max_candidates");

	fq_merge_config_init(&cfg);
	cfg.cell_size_m = NAN;
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_string_equal(err.field, "cell_size_m");

	fq_merge_config_init(&cfg);
	cfg.repeat_place_threshold = 1;
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_string_equal(err.field, "repeat_place_threshold");

	fq_merge_config_init(&cfg);
	cfg.repeat_caller_event_window_s = cfg.repeat_caller_window_s + 1;
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_string_equal(err.field, "repeat_caller_event_window_s");

	fq_merge_config_init(&cfg);
	cfg.same_caller_late_base = 0.8; /* above same_caller_base */
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_string_equal(err.field, "same_caller_late_base");

	fq_merge_config_init(&cfg);
	cfg.same_address_max_m = -1.0;
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), FQ_EINVAL);
	assert_string_equal(err.field, "same_address_max_m");
}

static void test_repeat_caller_joins(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point home = p0;
	struct fq_geo_point near = at(90, 10);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &home, "public_order.noise", NOISE_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 2 * HOUR_MS, "13800000001", &near, "public_order.noise", NOISE_2);
	struct fq_merge_result r;
	double s = fq_text_similarity(NOISE_1, NOISE_2);

	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_int_equal(r.kind, FQ_MERGE_KIND_REPEAT_CALLER);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].incident_id, "i1");
	assert_string_equal(r.candidates[0].alert_id, "a1");
	assert_int_equal(r.candidates[0].earlier_ms, 2 * HOUR_MS);
	assert_near(r.candidates[0].text_similarity, s);
	assert_near(s, 14.0 / 17.0);
	assert_near(r.candidates[0].place_factor, 1.0 - (10.0 / 200.0) * (10.0 / 200.0));
	assert_near(r.candidates[0].score,
		    repeat_caller_score(1.0 - (10.0 / 200.0) * (10.0 / 200.0), s));
	assert_int_equal(r.candidates[0].reason_count, 2);
	assert_string_equal(r.candidates[0].reasons[0], "同一来电人 2 小时前报警");
	assert_string_equal(r.candidates[0].reasons[1], "相距 10 米，同类警情，描述相似度 0.82");

	assert_true(r.repeat_caller);
	assert_int_equal(r.caller_calls_window, 1);
	assert_int_equal(r.caller_calls_7d, 1);
	assert_int_equal(r.caller_calls_30d, 1);
	assert_int_equal(r.caller_calls_90d, 1);
	assert_string_equal(r.repeat_caller_reason,
			    "该来电人 24 小时内已报警 1 次（7 天 1 次、30 天 1 次、90 天 1 次）");
	/* Same place, but merged into the incident of the earlier report: one occasion. */
	assert_int_equal(r.place_reports, 1);
	assert_int_equal(r.place_occasions, 1);
	assert_false(r.repeat_place);
	assert_string_equal(r.repeat_place_reason, "");
	assert_string_equal(fq_merge_decision_name(r.decision), "merged");
	assert_string_equal(fq_merge_kind_name(r.kind), "repeat_caller");
}

static void test_repeat_caller_after_window(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.noise", NOISE_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 25 * HOUR_MS, "13800000001", &p0, "public_order.noise", NOISE_1);
	struct fq_merge_result r;

	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_NEW);
	assert_int_equal(r.kind, FQ_MERGE_KIND_NONE);
	assert_null(fq_merge_kind_name(r.kind));
	assert_int_equal(r.candidate_count, 0);
	assert_false(r.repeat_caller);
	assert_int_equal(r.caller_calls_window, 0);
	assert_int_equal(r.caller_calls_7d, 1);
	assert_string_equal(r.repeat_caller_reason, "");
	/* A new occasion at the same place. */
	assert_int_equal(r.place_occasions, 2);
	assert_true(r.repeat_place);
	assert_false(r.propose_directive);
	assert_string_equal(r.repeat_place_reason, "此地 30 天内第 2 起警情（此前报警 1 次）");
}

/* Same phone, compatible category, nothing else in common: only a suggestion. */
static void test_repeat_caller_far_away(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point far = at(0, 5000);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.noise", NOISE_1);
	struct fq_merge_alert a2 = alert("a2", "", T0 + 90 * MIN_MS, "13800000001", &far,
					 "public_order.drunk", "有人喝醉了在街上闹事");
	struct fq_merge_result r;

	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_SUGGESTED);
	assert_int_equal(r.kind, FQ_MERGE_KIND_REPEAT_CALLER);
	assert_near(r.candidates[0].score, 0.75);
	assert_near(r.candidates[0].category_credit, 0.5);
	assert_string_equal(r.candidates[0].reasons[0], "同一来电人 1 小时 30 分钟前报警");
	assert_string_equal(r.candidates[0].reasons[1],
			    "相距 5000 米，关联警情（噪音扰民），描述相似度 0.00");
}

/*
 * The same caller, same place, same words, but 13 hours later: beyond the
 * event window (2 h, or the category's when longer) the score starts from
 * same_caller_late_base, so it is at most a suggestion (a household calling
 * about tonight's quarrel is not yesterday's incident).
 */
static void test_repeat_caller_late(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "dispute.family", "老公喝了酒打我");
	struct fq_merge_alert a2 = alert("a2", "", T0 + 13 * HOUR_MS, "13800000001", &p0,
					 "dispute.family", "老公喝了酒打我");
	struct fq_merge_alert a3 = alert("a3", "", T0 + 2 * HOUR_MS, "13800000001", &p0,
					 "dispute.family", "老公喝了酒打我");
	struct fq_merge_result r;

	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_SUGGESTED);
	assert_int_equal(r.kind, FQ_MERGE_KIND_REPEAT_CALLER);
	assert_near(r.candidates[0].score, 0.5 + 0.25);
	assert_string_equal(r.candidates[0].reasons[0],
			    "同一来电人 13 小时前报警（已超过 2 小时）");
	assert_true(r.repeat_caller);
	/* At the edge of the window (boundary included) it is the same event. */
	match(idx, &a3, &r);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_near(r.candidates[0].score, 1.0);
	assert_string_equal(r.candidates[0].reasons[0], "同一来电人 2 小时前报警");
}

/*
 * Harassing calls: a burst within 2 h (the category's window) is one
 * incident; the next night's burst is only suggested. Fraud keeps its 24 h.
 */
static void test_harassing_bursts(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert h1 =
	    alert("h1", "i1", T0, "13800000009", &p0, "other.harassing", "骂接警员");
	struct fq_merge_alert h2 = alert("h2", "", T0 + 40 * MIN_MS, "13800000009", &p0,
					 "other.harassing", "又是我，骂接警员");
	struct fq_merge_alert h3 =
	    alert("h3", "", T0 + 21 * HOUR_MS, "13800000009", &p0, "other.harassing", "骂接警员");
	struct fq_merge_result r;

	assert_int_equal(cat("other.harassing")->window_s, 2 * 3600);
	assert_int_equal(cat("criminal.fraud")->window_s, 24 * 3600);
	insert(idx, &h1);
	match(idx, &h2, &r);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_int_equal(r.kind, FQ_MERGE_KIND_REPEAT_CALLER);
	h2.incident_id = "i1";
	insert(idx, &h2);
	match(idx, &h3, &r);
	assert_int_equal(r.decision, FQ_MERGE_SUGGESTED);
	assert_int_equal(r.candidate_count, 1);
	assert_true(r.candidates[0].score < 0.80);
	assert_string_equal(r.candidates[0].alert_id, "h2"); /* the latest call of the burst */
	assert_string_equal(r.candidates[0].reasons[0],
			    "同一来电人 20 小时 20 分钟前报警（已超过 2 小时）");
	assert_true(r.repeat_caller);
	assert_int_equal(r.caller_calls_window, 2);
}

static void test_repeat_caller_incompatible(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.noise", NOISE_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + HOUR_MS, "13800000001", &p0, "criminal.theft", "电动车被偷了");
	struct fq_merge_result r;

	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_NEW);
	assert_int_equal(r.candidate_count, 0);
	assert_true(r.repeat_caller); /* a new incident, flagged */
	assert_int_equal(r.caller_calls_window, 1);
}

static void test_same_event_merged(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point b = at(90, 120);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 8 * MIN_MS, "13900000002", &b, "public_order.fight", FIGHT_2);
	struct fq_merge_result r;
	double s = fq_text_similarity(FIGHT_1, FIGHT_2);
	double want = same_event_score(8 * MIN_MS, 1800, 120, 300, s, 1.0);

	assert_near(s, 0.7);
	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_int_equal(r.kind, FQ_MERGE_KIND_SAME_EVENT);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].incident_id, "i1");
	assert_near(r.candidates[0].distance_m, fq_geo_distance_m(p0, b));
	assert_near(r.candidates[0].score, want);
	assert_near(want, 0.3 * (1 - 64.0 / 900) + 0.3 * 0.84 + 0.25 + 0.15);
	assert_near(r.candidates[0].time_factor, 1 - 64.0 / 900);
	assert_int_equal(r.candidates[0].reason_count, 1);
	assert_string_equal(r.candidates[0].reasons[0],
			    "相距 120 米、间隔 8 分钟，同类警情，描述相似度 0.70");
	assert_false(r.repeat_caller);
	assert_int_equal(r.caller_calls_90d, 0);
	assert_string_equal(fq_merge_kind_name(r.kind), "same_event");
}

static void test_same_event_too_far(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point b = at(45, 2000);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 8 * MIN_MS, "13900000002", &b, "public_order.fight", FIGHT_1);
	struct fq_merge_alert f1 = alert("f1", "i2", T0, "13700000003", &p0, "fire.fire", "着火了");
	struct fq_merge_alert f2 =
	    alert("f2", "", T0 + 5 * MIN_MS, "13600000004", &b, "fire.fire", "着火了");
	struct fq_merge_result r;

	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_NEW);
	assert_int_equal(r.candidate_count, 0);
	/* Even a fire (1 km) is too far at 2 km. */
	insert(idx, &f1);
	match(idx, &f2, &r);
	assert_int_equal(r.candidate_count, 0);
	/* Just inside a fire's radius: a candidate. */
	b = at(45, 990);
	f2.lat = b.lat;
	f2.lon = b.lon;
	match(idx, &f2, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].incident_id, "i2");
	/* Just outside the fight's window of 30 minutes. */
	a2 = alert("a2", "", T0 + 31 * MIN_MS, "13900000002", &p0, "public_order.fight", FIGHT_1);
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 0);
}

static void test_incompatible_same_place(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert theft =
	    alert("a1", "i1", T0, "13800000001", &p0, "criminal.theft", "烧烤店门口电动车被偷了");
	struct fq_merge_alert fight = alert("a2", "", T0 + MIN_MS, "13900000002", &p0,
					    "public_order.fight", "烧烤店门口有人打架");
	struct fq_merge_alert medical =
	    alert("a3", "", T0 + MIN_MS, "13600000004", &p0, "help.medical", "烧烤店门口有人受伤");
	struct fq_merge_alert noise =
	    alert("n1", "i2", T0, "13700000003", &p0, "public_order.noise", "烧烤店门口太吵");
	struct fq_merge_result r;

	insert(idx, &theft);
	match(idx, &fight, &r);
	assert_int_equal(r.decision, FQ_MERGE_NEW);
	assert_int_equal(r.candidate_count, 0);

	/* help.medical does not merge with noise, but with a fight. */
	insert(idx, &noise);
	match(idx, &medical, &r);
	assert_int_equal(r.candidate_count, 0);
	fight.alert_id = "a4";
	fight.incident_id = "i3";
	insert(idx, &fight);
	match(idx, &medical, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].incident_id, "i3");
	assert_near(r.candidates[0].category_credit, 0.5);
	assert_string_equal(r.candidates[0].reasons[0],
			    "相距 0 米、间隔 0 秒，关联警情（打架斗殴），描述相似度 0.75");
}

/* A caller 20 minutes after the first: the formula decides, shown for two texts. */
static void test_late_caller(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point b = at(180, 60);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert late =
	    alert("a2", "", T0 + 20 * MIN_MS, "13900000002", &b, "public_order.fight", FIGHT_3);
	struct fq_merge_result r;
	double want;

	insert(idx, &a1);
	match(idx, &late, &r);
	want = same_event_score(20 * MIN_MS, 1800, 60, 300, 1.0 / 3.0, 1.0);
	assert_near(r.candidates[0].score, want);
	assert_near(want, 0.3 * (5.0 / 9.0) + 0.3 * 0.96 + 0.25 * (2.0 / 3.0) + 0.15); /* 0.7713 */
	assert_int_equal(r.decision, FQ_MERGE_SUGGESTED);
	assert_string_equal(r.candidates[0].reasons[0],
			    "相距 60 米、间隔 20 分钟，同类警情，描述相似度 0.33");

	late.description = FIGHT_4;
	match(idx, &late, &r);
	want = same_event_score(20 * MIN_MS, 1800, 60, 300, 10.0 / 19.0, 1.0);
	assert_near(r.candidates[0].score, want);
	assert_near(want, 0.3 * (5.0 / 9.0) + 0.3 * 0.96 + 0.25 + 0.15); /* 0.8547 */
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
}

/*
 * The late caller of test_late_caller at the same address as the first:
 * the same address gives the place full credit (f_d = 1), and coordinates
 * within the radius agreeing with it add place_agreement_bonus (0.10):
 * 0.7713 becomes 0.3 * 5/9 + 0.3 + 0.25 * 2/3 + 0.15 + 0.10 = 0.8833, merged.
 */
static void test_place_agreement(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point b = at(180, 60);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert late =
	    alert("a2", "", T0 + 20 * MIN_MS, "13900000002", &b, "public_order.fight", FIGHT_3);
	struct fq_merge_result r;
	double want = same_event_score(20 * MIN_MS, 1800, 60, 300, 1.0 / 3.0, 1.0);

	a1.address = ADDRESS;
	late.address = "枫桥镇和平路12号门口";
	insert(idx, &a1);
	match(idx, &late, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_true(r.candidates[0].same_address);
	assert_near(r.candidates[0].place_factor, 1.0);
	assert_near(r.candidates[0].score, want + 0.3 * 0.04 + 0.10);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_string_equal(r.candidates[0].reasons[0],
			    "同一地址、相距 60 米、间隔 20 分钟，同类警情，描述相似度 0.33");

	/* Another door: no agreement, a suggestion as in test_late_caller. */
	late.address = "枫桥镇和平路14号";
	match(idx, &late, &r);
	assert_near(r.candidates[0].score, want);
	assert_int_equal(r.decision, FQ_MERGE_SUGGESTED);
}

static void test_gps_jitter(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point b = at(300, 35);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 3 * MIN_MS, "13900000002", &b, "public_order.fight", FIGHT_3);
	struct fq_merge_result r;

	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_near(r.candidates[0].score,
		    same_event_score(3 * MIN_MS, 1800, 35, 300, 1.0 / 3.0, 1.0));
}

/* Without coordinates, the same normalised address stands for the place. */
static void test_same_address(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", NULL, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 10 * MIN_MS, "13900000002", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_result r;

	a1.address = ADDRESS;
	a2.address = ADDRESS;
	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_near(r.candidates[0].distance_m, -1.0);
	assert_true(r.candidates[0].same_address);
	assert_near(r.candidates[0].place_factor, 1.0);
	assert_near(r.candidates[0].score,
		    0.3 * (1 - 1.0 / 9) + 0.3 + 0.25 + 0.15); /* 10 of 30 minutes */
	assert_string_equal(r.candidates[0].reasons[0],
			    "同一地址、间隔 10 分钟，同类警情，描述相似度 1.00");

	a2.address = "诸暨市枫桥镇和平路14号";
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 0);
}

/* An address key given with the alert is the one used, for inserts and matches alike. */
static void test_address_key_given(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", NULL, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 10 * MIN_MS, "13900000002", NULL, "public_order.fight", FIGHT_1);
	struct fq_merge_result r;

	assert_int_equal(fq_merge_address_key(NULL), 0);
	assert_int_equal(fq_merge_address_key(""), 0);
	/* One key for the variants of one address. */
	assert_true(fq_merge_address_key(ADDRESS) != 0);
	assert_true(fq_merge_address_key("诸暨市" ADDRESS "门口") == fq_merge_address_key(ADDRESS));
	a1.address = ADDRESS;
	a1.address_key = fq_merge_address_key(ADDRESS);
	a1.has_address_key = 1;
	insert(idx, &a1);
	/* The right key: found at the same address, as when computed. */
	a2.address = ADDRESS;
	a2.address_key = fq_merge_address_key(ADDRESS);
	a2.has_address_key = 1;
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_true(r.candidates[0].same_address);
	/* Another address's key wins over the text: not found. */
	a2.address_key = fq_merge_address_key("诸暨市枫桥镇和平路14号");
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 0);
	/* Without one, computed from the text. */
	a2.has_address_key = 0;
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 1);
}

/* same_address_max_m 0 (the address never overrides the coordinates): located alerts at one
 * address are found by their distance, the same place included. */
static void test_same_address_no_override(void **state)
{
	struct fq_merge_config cfg;
	struct fq_merge_index *idx;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 10 * MIN_MS, "13900000002", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_result r;

	(void)state;
	fq_merge_config_init(&cfg);
	cfg.same_address_max_m = 0.0;
	assert_int_equal(fq_merge_index_new(&cfg, &idx, &err), 0);
	a1.address = ADDRESS;
	a2.address = ADDRESS;
	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].incident_id, "i1");
	assert_near(r.candidates[0].distance_m, 0.0);
	fq_merge_index_free(idx);
}

/* Variants of one address are one place: prefixes, words around it, crossings. */
static void test_address_variants(void **state)
{
	struct fq_merge_index *idx = *state;
	static const char *const pairs[][2] = {
	    {"枫溪镇人民路88号", "人民路88号"},
	    {"枫溪镇人民路88号门口", "人民路88号附近"},
	    {"诸暨市枫桥镇和平路12号", "和平路12号 对面"},
	    {"溪东路与中山路交叉口", "溪东路中山路路口"},
	    {"枫溪镇和平路与商贸街交叉口旁边", "和平路商贸街十字路口"},
	    {"翠苑小区19幢", "枫溪镇翠苑小区19幢楼下"},
	};
	char c1[FQ_MERGE_ADDRESS_KEY_MAX];
	char c2[FQ_MERGE_ADDRESS_KEY_MAX];
	struct fq_merge_result r;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		fq_merge_address_canonical(pairs[i][0], c1, sizeof(c1));
		fq_merge_address_canonical(pairs[i][1], c2, sizeof(c2));
		if (strcmp(c1, c2))
			fail_msg("%s -> %s, %s -> %s", pairs[i][0], c1, pairs[i][1], c2);
	}
	fq_merge_address_canonical("枫溪镇和平路12号门口", c1, sizeof(c1));
	assert_string_equal(c1, "和平路12号");
	/* A road named 和平路 keeps its 和; different numbers stay different places. */
	fq_merge_address_canonical("和平路与商贸街交叉口", c1, sizeof(c1));
	assert_string_equal(c1, "和平路商贸街路口");
	fq_merge_address_canonical("人民路86号", c2, sizeof(c2));
	assert_string_not_equal(c2, "人民路88号");
	/* Nothing but a prefix: the address itself. */
	fq_merge_address_canonical("枫溪镇", c1, sizeof(c1));
	assert_string_equal(c1, "枫溪镇");

	/* Through the engine: a report without coordinates at a variant of the address. */
	{
		struct fq_merge_alert a1 =
		    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
		struct fq_merge_alert a2 = alert("a2", "", T0 + 5 * MIN_MS, "13900000002", NULL,
						 "public_order.fight", FIGHT_2);

		a1.address = "枫溪镇人民路88号门口";
		a2.address = "人民路88号";
		insert(idx, &a1);
		match(idx, &a2, &r);
		assert_int_equal(r.decision, FQ_MERGE_MERGED);
		assert_true(r.candidates[0].same_address);
		assert_near(r.candidates[0].place_factor, 1.0);
	}
}

/*
 * Both located, 450 m apart (a cell-tower fix) where the radius is 300 m:
 * the same address places them together; another address does not.
 */
static void test_same_address_coarse_fix(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point off = at(45, 450);
	struct fq_geo_point far = at(45, 1500);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 4 * MIN_MS, "13900000002", &off, "public_order.fight", FIGHT_2);
	struct fq_merge_result r;

	a1.address = ADDRESS;
	a2.address = "和平路12号附近";
	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_true(r.candidates[0].same_address);
	assert_near(r.candidates[0].place_factor, 1.0);
	assert_true(fabs(r.candidates[0].distance_m - 450.0) < 1.0);
	assert_string_equal(r.candidates[0].reasons[0],
			    "同一地址（坐标相距 450 米）、间隔 4 分钟，同类警情，描述相似度 0.70");

	a2.address = "和平路14号";
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 0);

	/* The same caller again from the same address, 450 m off: the place is the same. */
	{
		struct fq_merge_alert c2 = alert("c2", "", T0 + 10 * MIN_MS, "13800000001", &off,
						 "public_order.fight", "");

		c2.address = "和平路12号";
		match(idx, &c2, &r);
		assert_int_equal(r.kind, FQ_MERGE_KIND_REPEAT_CALLER);
		assert_near(r.candidates[0].place_factor, 1.0);
		assert_near(r.candidates[0].score, 0.75 + 0.25 / 2.0);
		assert_string_equal(r.candidates[0].reasons[1],
				    "同一地址（坐标相距 450 米），同类警情，缺少描述");
	}

	/* Beyond same_address_max_m (1 km) the coordinates win. */
	a2.address = ADDRESS;
	a2.lat = far.lat;
	a2.lon = far.lon;
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 0);
}

static void test_closed_never_target(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0 + 5 * MIN_MS, "13900000002", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a3 =
	    alert("a3", "", T0 + 6 * MIN_MS, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert closed =
	    alert("c1", "i2", T0, "13700000003", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_result r;
	struct fq_err err = FQ_ERR_INIT;

	insert(idx, &a1);
	assert_int_equal(fq_merge_close_incident(idx, "i1", &err), 0);
	match(idx, &a2, &r);
	assert_int_equal(r.decision, FQ_MERGE_NEW);
	assert_int_equal(r.candidate_count, 0);
	/* Closed incidents still count for the flags. */
	match(idx, &a3, &r);
	assert_int_equal(r.candidate_count, 0);
	assert_true(r.repeat_caller);
	assert_int_equal(r.place_reports, 1);
	assert_true(r.repeat_place);

	assert_int_equal(fq_merge_reopen_incident(idx, "i1", &err), 0);
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 1);

	/* Inserted as closed (a rebuild), never a target. */
	assert_int_equal(fq_merge_close_incident(idx, "i1", &err), 0);
	closed.incident_closed = 1;
	insert(idx, &closed);
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 0);

	assert_int_equal(fq_merge_close_incident(idx, "nope", &err), FQ_ENOTFOUND);
	assert_string_equal(err.field, "incident_id");
}

static void test_repeat_place(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a;
	struct fq_merge_result r;
	struct fq_merge_alert now =
	    alert("x", "", T0, "13500000009", NULL, "criminal.theft", "电动车被偷了");

	now.address = ADDRESS;
	/* Outside the 30 days. */
	a = alert("a0", "i0", T0 - 31 * DAY_MS, "13800000001", NULL, "public_order.noise", NOISE_1);
	a.address = ADDRESS;
	insert(idx, &a);
	match(idx, &now, &r);
	assert_int_equal(r.place_reports, 0);
	assert_int_equal(r.place_occasions, 0);
	assert_false(r.repeat_place);

	a = alert("a1", "i1", T0 - 20 * DAY_MS, "13800000001", NULL, "public_order.noise", NOISE_1);
	a.address = ADDRESS;
	insert(idx, &a);
	match(idx, &now, &r);
	assert_int_equal(r.place_reports, 1);
	assert_int_equal(r.place_occasions, 2);
	assert_true(r.repeat_place);
	assert_false(r.propose_directive);

	/* Two reports of one incident are one occasion. */
	a = alert("a2", "i2", T0 - 5 * DAY_MS, "13800000002", NULL, "public_order.noise", NOISE_1);
	a.address = ADDRESS;
	insert(idx, &a);
	a = alert("a3", "i2", T0 - 5 * DAY_MS + 10 * MIN_MS, "13800000003", NULL,
		  "public_order.noise", NOISE_2);
	a.address = ADDRESS;
	insert(idx, &a);
	match(idx, &now, &r);
	assert_int_equal(r.decision, FQ_MERGE_NEW);
	assert_int_equal(r.place_reports, 3);
	assert_int_equal(r.place_occasions, 3);
	assert_true(r.repeat_place);
	assert_true(r.propose_directive);
	assert_string_equal(r.repeat_place_reason,
			    "此地 30 天内第 3 起警情（此前报警 3 次），建议下发治理指令");

	/* Another address is another place. */
	now.address = "诸暨市枫桥镇和平路14号";
	match(idx, &now, &r);
	assert_int_equal(r.place_reports, 0);
	assert_false(r.repeat_place);
}

static void test_repeat_place_radius(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point p30 = at(10, 30);
	struct fq_geo_point p49 = at(200, 49);
	struct fq_geo_point p80 = at(100, 80);
	struct fq_merge_alert a;
	struct fq_merge_alert now = alert("x", "", T0, "", &p0, "criminal.theft", "");
	struct fq_merge_result r;

	a = alert("a1", "i1", T0 - 2 * DAY_MS, "", &p30, "public_order.noise", NOISE_1);
	insert(idx, &a);
	a = alert("a2", "i2", T0 - 3 * DAY_MS, "", &p49, "public_order.noise", NOISE_1);
	insert(idx, &a);
	a = alert("a3", "i3", T0 - 4 * DAY_MS, "", &p80, "public_order.noise", NOISE_1);
	insert(idx, &a);
	/* Far away but at the same address: the same place. */
	a = alert("a4", "i4", T0 - 6 * DAY_MS, "", &p80, "public_order.noise", NOISE_1);
	a.address = ADDRESS;
	insert(idx, &a);
	/* A later report (an import out of order) is not an earlier one. */
	a = alert("a5", "i5", T0 + HOUR_MS, "", &p0, "public_order.noise", NOISE_1);
	insert(idx, &a);

	match(idx, &now, &r);
	assert_int_equal(r.place_reports, 2);
	assert_int_equal(r.place_occasions, 3);
	assert_true(r.propose_directive);
	now.address = ADDRESS;
	match(idx, &now, &r);
	assert_int_equal(r.place_reports, 3);
	assert_int_equal(r.place_occasions, 4);
}

static void test_caller_counts(void **state)
{
	struct fq_merge_index *idx = *state;
	/* Days (or hours) before T0, in no particular order. */
	static const int64_t before_ms[] = {
	    8 * DAY_MS,	 HOUR_MS,     60 * DAY_MS, 91 * DAY_MS, 7 * DAY_MS,
	    29 * DAY_MS, 89 * DAY_MS, 3 * DAY_MS,  31 * DAY_MS, 20 * DAY_MS,
	};
	struct fq_merge_alert now = alert("x", "", T0, "13900000002", NULL, "other.other", "");
	struct fq_merge_result r;
	struct fq_merge_stats st;
	char id[16];

	for (size_t i = 0; i < sizeof(before_ms) / sizeof(before_ms[0]); i++) {
		struct fq_merge_alert a;

		snprintf(id, sizeof(id), "c%zu", i);
		a = alert(id, id, T0 - before_ms[i], "13900000002", NULL, "other.other", "");
		insert(idx, &a);
	}
	/* Another phone does not count. */
	now.alert_id = "y";
	now.incident_id = "y";
	now.phone = "13900000003";
	now.received_at_ms = T0 - 2 * HOUR_MS;
	insert(idx, &now);
	now.alert_id = "x";
	now.phone = "13900000002";
	now.received_at_ms = T0;

	match(idx, &now, &r);
	assert_true(r.repeat_caller);
	assert_int_equal(r.caller_calls_window, 1);
	assert_int_equal(r.caller_calls_7d, 3); /* 1 h, 3 d, exactly 7 d */
	assert_int_equal(r.caller_calls_30d, 6);
	assert_int_equal(r.caller_calls_90d, 9);
	assert_string_equal(r.repeat_caller_reason,
			    "该来电人 24 小时内已报警 1 次（7 天 3 次、30 天 6 次、90 天 9 次）");
	/* The call of 91 days ago is not kept. */
	fq_merge_stats(idx, &st);
	assert_int_equal(st.callers, 2);
	assert_int_equal(st.caller_calls, 10);
}

static void test_ranking_and_dedup(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point d200 = at(0, 200), d50 = at(90, 50), d100 = at(180, 100);
	struct fq_geo_point d250 = at(270, 250), d20 = at(45, 20);
	struct fq_merge_alert a;
	struct fq_merge_alert now =
	    alert("x", "", T0 + 5 * MIN_MS, "13500000009", &p0, "public_order.fight", "");
	struct fq_merge_result r;
	struct fq_merge_config cfg;
	struct fq_merge_index *small;
	struct fq_err err = FQ_ERR_INIT;

	a = alert("a200", "i1", T0, "13800000001", &d200, "public_order.fight", FIGHT_1);
	insert(idx, &a);
	a = alert("a50", "i1", T0, "13800000002", &d50, "public_order.fight", FIGHT_1);
	insert(idx, &a);
	a = alert("b100", "i2", T0, "13800000003", &d100, "public_order.fight", FIGHT_1);
	insert(idx, &a);
	a = alert("c250", "i3", T0, "13800000004", &d250, "public_order.fight", FIGHT_1);
	insert(idx, &a);
	a = alert("d20", "i4", T0, "13800000005", &d20, "public_order.fight", FIGHT_1);
	a.incident_closed = 1;
	insert(idx, &a);

	match(idx, &now, &r);
	assert_int_equal(r.candidate_count, 3);
	assert_string_equal(r.candidates[0].incident_id, "i1");
	assert_string_equal(r.candidates[0].alert_id, "a50");
	assert_string_equal(r.candidates[1].incident_id, "i2");
	assert_string_equal(r.candidates[2].incident_id, "i3");
	assert_true(r.candidates[0].score > r.candidates[1].score);
	assert_true(r.candidates[1].score > r.candidates[2].score);
	assert_near(r.candidates[0].score, same_event_score(5 * MIN_MS, 1800, 50, 300, 0, 1));
	assert_near(r.candidates[2].score, same_event_score(5 * MIN_MS, 1800, 250, 300, 0, 1));
	/* 0.7333: no description, a suggestion. */
	assert_int_equal(r.decision, FQ_MERGE_SUGGESTED);
	assert_string_equal(r.candidates[0].reasons[0],
			    "相距 50 米、间隔 5 分钟，同类警情，缺少描述");

	fq_merge_config_init(&cfg);
	cfg.max_candidates = 2;
	assert_int_equal(fq_merge_index_new(&cfg, &small, &err), 0);
	a = alert("a200", "i1", T0, "13800000001", &d200, "public_order.fight", FIGHT_1);
	insert(small, &a);
	a = alert("b100", "i2", T0, "13800000003", &d100, "public_order.fight", FIGHT_1);
	insert(small, &a);
	a = alert("c250", "i3", T0, "13800000004", &d250, "public_order.fight", FIGHT_1);
	insert(small, &a);
	match(small, &now, &r);
	assert_int_equal(r.candidate_count, 2);
	assert_string_equal(r.candidates[0].incident_id, "i2");
	assert_string_equal(r.candidates[1].incident_id, "i1");
	fq_merge_index_free(small);
}

static void test_expire(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "i2", T0 + HOUR_MS, "13800000001", NULL, "public_order.noise", NOISE_1);
	struct fq_merge_alert now =
	    alert("x", "", T0 + 25 * HOUR_MS, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_stats st;
	struct fq_merge_result r;

	a2.address = ADDRESS;
	insert(idx, &a1);
	insert(idx, &a2);
	fq_merge_stats(idx, &st);
	assert_int_equal(st.active_window_s, 86400);
	assert_int_equal(st.active_alerts, 2);
	assert_int_equal(st.place_reports, 2);
	assert_int_equal(st.callers, 1);
	assert_int_equal(st.caller_calls, 2);
	assert_int_equal(st.incidents, 2);
	assert_int_equal(st.active_cells, 1);
	assert_true(st.memory_bytes > 0);

	fq_merge_expire(idx, T0 + 24 * HOUR_MS + 30 * MIN_MS);
	fq_merge_stats(idx, &st);
	assert_int_equal(st.active_alerts, 1);
	assert_int_equal(st.active_cells, 0);
	fq_merge_expire(idx, T0 + 25 * HOUR_MS + 1);
	fq_merge_stats(idx, &st);
	assert_int_equal(st.active_alerts, 0);
	assert_int_equal(st.place_reports, 2);
	assert_int_equal(st.incidents, 2);
	/* Gone from the window, still counted for the flags. */
	match(idx, &now, &r);
	assert_int_equal(r.candidate_count, 0);
	assert_int_equal(r.caller_calls_7d, 2);
	assert_int_equal(r.place_reports, 1);

	fq_merge_expire(idx, T0 + 30 * DAY_MS + HOUR_MS + 1);
	fq_merge_stats(idx, &st);
	assert_int_equal(st.place_reports, 0);
	assert_int_equal(st.incidents, 0);
	assert_int_equal(st.callers, 1);
	fq_merge_expire(idx, T0 + 90 * DAY_MS + HOUR_MS + 1);
	fq_merge_stats(idx, &st);
	assert_int_equal(st.callers, 0);
	assert_int_equal(st.caller_calls, 0);

	/* The index works on after being emptied. */
	a1.received_at_ms = T0 + 91 * DAY_MS;
	insert(idx, &a1);
	now.received_at_ms = T0 + 91 * DAY_MS + MIN_MS;
	now.phone = "13900000002";
	match(idx, &now, &r);
	assert_int_equal(r.candidate_count, 1);
}

static void test_move_and_join(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point b = at(90, 30);
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert a2 =
	    alert("a2", "i1", T0 + MIN_MS, "13800000002", &b, "public_order.fight", FIGHT_1);
	struct fq_merge_alert now =
	    alert("x", "", T0 + 2 * MIN_MS, "13800000003", &b, "public_order.fight", FIGHT_1);
	struct fq_merge_result r;
	struct fq_merge_stats st;
	struct fq_err err = FQ_ERR_INIT;

	insert(idx, &a1);
	insert(idx, &a2);
	match(idx, &now, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].alert_id, "a2");

	/* Split: a2 was another event. */
	assert_int_equal(fq_merge_move(idx, "a2", "i2", &err), 0);
	match(idx, &now, &r);
	assert_int_equal(r.candidate_count, 2);
	assert_string_equal(r.candidates[0].incident_id, "i2");
	assert_string_equal(r.candidates[1].incident_id, "i1");
	fq_merge_stats(idx, &st);
	assert_int_equal(st.incidents, 2);

	/* Moving to a closed incident removes it from the targets. */
	assert_int_equal(fq_merge_close_incident(idx, "i2", &err), 0);
	match(idx, &now, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].incident_id, "i1");
	assert_int_equal(fq_merge_reopen_incident(idx, "i2", &err), 0);

	/* Merge the two incidents again. */
	assert_int_equal(fq_merge_join_incidents(idx, "i2", "i1", &err), 0);
	match(idx, &now, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_string_equal(r.candidates[0].incident_id, "i1");
	assert_string_equal(r.candidates[0].alert_id, "a2");
	fq_merge_stats(idx, &st);
	assert_int_equal(st.incidents, 1);

	/* Moving the last alert of an incident away retires the incident. */
	assert_int_equal(fq_merge_move(idx, "a1", "i9", &err), 0);
	assert_int_equal(fq_merge_move(idx, "a2", "i9", &err), 0);
	fq_merge_stats(idx, &st);
	assert_int_equal(st.incidents, 1);
	assert_int_equal(fq_merge_close_incident(idx, "i1", &err), FQ_ENOTFOUND);

	assert_int_equal(fq_merge_move(idx, "zz", "i1", &err), FQ_ENOTFOUND);
	assert_string_equal(err.field, "alert_id");
	assert_int_equal(fq_merge_move(idx, "a1", "", &err), FQ_EINVAL);
	assert_int_equal(fq_merge_join_incidents(idx, "nope", "i1", &err), FQ_ENOTFOUND);
	assert_int_equal(fq_merge_join_incidents(idx, "i9", "i9", &err), FQ_EINVAL);
}

/* Fraud matches the same victim only; clues never merge. */
static void test_caller_only_categories(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert f1 =
	    alert("f1", "i1", T0, "13800000001", &p0, "criminal.fraud", "冒充客服 退款 被骗五千元");
	struct fq_merge_alert f2 = alert("f2", "", T0 + 20 * HOUR_MS, "13800000001", NULL,
					 "criminal.fraud", "冒充客服 退款 被骗五千元");
	struct fq_merge_alert other = alert("f3", "", T0 + MIN_MS, "13900000002", &p0,
					    "criminal.fraud", "冒充客服 退款 被骗五千元");
	struct fq_merge_alert c1 =
	    alert("c1", "i2", T0, "13700000003", &p0, "report.clue", "有人在出租屋赌博");
	struct fq_merge_alert c2 =
	    alert("c2", "", T0 + MIN_MS, "13700000003", &p0, "report.clue", "有人在出租屋赌博");
	struct fq_merge_result r;

	insert(idx, &f1);
	match(idx, &f2, &r);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_int_equal(r.kind, FQ_MERGE_KIND_REPEAT_CALLER);
	assert_near(r.candidates[0].score, 1.0);
	assert_string_equal(r.candidates[0].reasons[0], "同一来电人 20 小时前报警");
	assert_string_equal(r.candidates[0].reasons[1], "同类警情，描述相似度 1.00");
	match(idx, &other, &r);
	assert_int_equal(r.candidate_count, 0);

	insert(idx, &c1);
	match(idx, &c2, &r);
	assert_int_equal(r.candidate_count, 0);
	assert_true(r.repeat_caller);
}

static void test_out_of_order(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert later =
	    alert("a1", "i1", T0 + 15 * MIN_MS, "13800000001", &p0, "public_order.noise", NOISE_1);
	struct fq_merge_alert earlier =
	    alert("a0", "", T0, "13800000001", &p0, "public_order.noise", NOISE_1);
	struct fq_merge_result r;

	insert(idx, &later);
	match(idx, &earlier, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_int_equal(r.candidates[0].earlier_ms, -15 * MIN_MS);
	assert_string_equal(r.candidates[0].reasons[0], "同一来电人 15 分钟后报警");
	assert_false(r.repeat_caller); /* no earlier call */
}

static void test_invalid_input(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_merge_alert a =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert bad;
	struct fq_merge_result r;
	struct fq_merge_config cfg;
	struct fq_merge_index *tiny;
	struct fq_err err = FQ_ERR_INIT;
	static const struct fq_category foreign = {
	    "x.y", "x", "x", "x", 1, 60, 100, FQ_CATEGORY_MATCH_PLACE, 0};

	bad = a;
	bad.category = NULL;
	assert_int_equal(fq_merge_match(idx, &bad, &r, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "merge_alert");
	assert_string_equal(err.field, "category");
	assert_int_equal(r.decision, FQ_MERGE_NEW);
	bad.category = &foreign;
	assert_int_equal(fq_merge_match(idx, &bad, &r, &err), FQ_EINVAL);

	bad = a;
	bad.alert_id = "0123456789012345678901234567890123456";
	assert_int_equal(fq_merge_insert(idx, &bad, &err), FQ_EINVAL);
	assert_string_equal(err.field, "alert_id");
	bad = a;
	bad.incident_id = NULL;
	assert_int_equal(fq_merge_insert(idx, &bad, &err), FQ_EINVAL);
	assert_string_equal(err.field, "incident_id");
	bad = a;
	bad.lat = 91.0;
	assert_int_equal(fq_merge_insert(idx, &bad, &err), FQ_EINVAL);
	assert_string_equal(err.field, "location");
	bad = a;
	bad.phone = "+86138000000011234";
	assert_int_equal(fq_merge_match(idx, &bad, &r, &err), FQ_EINVAL);
	assert_string_equal(err.field, "caller_phone");
	bad = a;
	bad.received_at_ms = -1;
	assert_int_equal(fq_merge_match(idx, &bad, &r, &err), FQ_EINVAL);
	assert_string_equal(err.field, "received_at");

	/* A match needs no id yet (candidates while the operator types). */
	bad = a;
	bad.alert_id = NULL;
	assert_int_equal(fq_merge_match(idx, &bad, &r, &err), 0);

	insert(idx, &a);
	assert_int_equal(fq_merge_insert(idx, &a, &err), FQ_ECONFLICT);
	/* An indexed alert is not its own candidate. */
	match(idx, &a, &r);
	assert_int_equal(r.candidate_count, 0);

	fq_merge_config_init(&cfg);
	cfg.max_active_alerts = 1;
	assert_int_equal(fq_merge_index_new(&cfg, &tiny, &err), 0);
	insert(tiny, &a);
	a.alert_id = "a2";
	assert_int_equal(fq_merge_insert(tiny, &a, &err), FQ_ETOOBIG);
	fq_merge_expire(tiny, T0 + 2 * DAY_MS);
	insert(tiny, &a);
	fq_merge_index_free(tiny);
	fq_merge_index_free(NULL);
}

/* Descriptions are compared on their first FQ_MERGE_TEXT_MAX bytes, cut at a character. */
static void test_long_description(void **state)
{
	struct fq_merge_index *idx = *state;
	char long1[3 * 600 + 1] = "";
	char long2[3 * 600 + 1] = "";
	struct fq_merge_alert a1 =
	    alert("a1", "i1", T0, "13800000001", &p0, "public_order.fight", long1);
	struct fq_merge_alert a2 =
	    alert("a2", "", T0, "13900000002", &p0, "public_order.fight", long2);
	struct fq_merge_result r;

	for (size_t i = 0; i < 600; i++) {
		memcpy(long1 + 3 * i, "打", 3);
		memcpy(long2 + 3 * i, i < 341 ? "打" : "架", 3); /* 341 * 3 = 1023 bytes */
	}
	long1[sizeof(long1) - 1] = '\0';
	long2[sizeof(long2) - 1] = '\0';
	insert(idx, &a1);
	match(idx, &a2, &r);
	assert_int_equal(r.candidate_count, 1);
	assert_near(r.candidates[0].text_similarity, 1.0);
}

struct reader {
	struct fq_merge_index *idx;
	int failures;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct fq_merge_result r;
	struct fq_err err = FQ_ERR_INIT;

	for (int i = 0; i < 2000; i++) {
		struct fq_geo_point p = at((double)(i % 360), (double)(i % 500));
		struct fq_merge_alert a = alert("", "", T0 + i * 1000LL, "13800000001", &p,
						"public_order.fight", FIGHT_1);

		if (fq_merge_match(rd->idx, &a, &r, &err) || r.candidate_count > 5)
			rd->failures++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fq_merge_index *idx = *state;
	struct reader readers[4];
	pthread_t threads[4];
	struct fq_merge_stats st;
	char id[16];

	for (int i = 0; i < 4; i++) {
		readers[i].idx = idx;
		readers[i].failures = 0;
		assert_int_equal(pthread_create(&threads[i], NULL, reader_main, &readers[i]), 0);
	}
	for (int i = 0; i < 2000; i++) {
		struct fq_geo_point p = at((double)(i % 360), (double)(i % 700));
		struct fq_merge_alert a;

		snprintf(id, sizeof(id), "w%d", i);
		a = alert(id, id, T0 + i * 1000LL, i % 3 ? "13800000001" : "", &p,
			  "public_order.fight", FIGHT_2);
		insert(idx, &a);
		if (i % 100 == 0)
			fq_merge_expire(idx, T0 + i * 1000LL);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(readers[i].failures, 0);
	}
	fq_merge_stats(idx, &st);
	assert_int_equal(st.active_alerts, 2000);
}

/* ---- prematch: the two-step match gives what one match gives ---- */

#define PM_ALERTS  3000
#define PM_PENDING 24 /* alerts between a prematch and its completion */

struct pm_alert {
	char id[16];
	char incident[FQ_MERGE_ID_MAX + 1];
	char phone[16];
	char address[64];
	struct fq_geo_point p;
	struct fq_merge_alert a;
	struct fq_merge_prematch pm;
};

static uint64_t pm_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Alert n of the scenario: a few places, callers and addresses that repeat, some late. */
static void pm_make(struct pm_alert *x, int n, uint64_t *seed)
{
	static const char *const codes[] = {"public_order.fight", "public_order.noise",
					    "traffic.accident",	  "fire.fire",
					    "criminal.theft",	  "help.medical"};
	static const char *const texts[] = {FIGHT_1, FIGHT_2, FIGHT_3, FIGHT_4,
					    NOISE_1, NOISE_2, ""};
	uint64_t r = pm_rand(seed);
	int64_t t = T0 + (int64_t)n * 20 * 1000;

	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "pm%d", n);
	if (r % 7)
		snprintf(x->phone, sizeof(x->phone), "1380000%04d", (int)(pm_rand(seed) % 60));
	if (r % 5)
		snprintf(x->address, sizeof(x->address), "和平路%d号", (int)(pm_rand(seed) % 25));
	/* Ten hotspots with jitter, and anywhere within 2 km. */
	x->p = pm_rand(seed) % 3
		   ? fq_geo_destination(at((double)(pm_rand(seed) % 10) * 36.0, 400.0),
					(double)(pm_rand(seed) % 360), (double)(pm_rand(seed) % 60))
		   : at((double)(pm_rand(seed) % 360), (double)(pm_rand(seed) % 2000));
	if (pm_rand(seed) % 10 == 0) /* a late caller */
		t -= (int64_t)(pm_rand(seed) % 3600) * 1000;
	x->a = alert(x->id, NULL, t, x->phone, pm_rand(seed) % 9 ? &x->p : NULL,
		     codes[pm_rand(seed) % (sizeof(codes) / sizeof(codes[0]))],
		     texts[pm_rand(seed) % (sizeof(texts) / sizeof(texts[0]))]);
	x->a.address = x->address;
}

static void assert_same_result(const struct fq_merge_result *got,
			       const struct fq_merge_result *want, const char *id)
{
	if (memcmp(got, want, sizeof(*got)) == 0)
		return;
	fail_msg("%s: two-step match differs: decision %d/%d, candidates %u/%u, first %s %.6f / "
		 "%s %.6f, place %u/%u, calls %u/%u",
		 id, got->decision, want->decision, got->candidate_count, want->candidate_count,
		 got->candidates[0].incident_id, got->candidates[0].score,
		 want->candidates[0].incident_id, want->candidates[0].score, got->place_occasions,
		 want->place_occasions, got->caller_calls_window, want->caller_calls_window);
}

/*
 * Every alert is prematched PM_PENDING alerts before its turn, as the request threads do
 * while the committer stores the alerts ahead of it; at its turn the two-step result must
 * equal a fresh match, byte for byte. Now and then the index changes otherwise (a close,
 * a reopen, a move, a join, an expiry): the prematches made before must then be set aside.
 */
static void test_prematch(void **state)
{
	struct fq_merge_index *idx = *state;
	struct pm_alert *xs = calloc(PM_ALERTS, sizeof(*xs));
	struct fq_err err = FQ_ERR_INIT;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int reused_count = 0, fresh_count = 0, changed_at = -1, place_count = 0;

	assert_non_null(xs);
	for (int n = 0; n < PM_ALERTS; n++)
		pm_make(&xs[n], n, &seed);
	for (int n = 0; n < PM_ALERTS + PM_PENDING; n++) {
		if (n < PM_ALERTS)
			assert_int_equal(fq_merge_prematch(idx, &xs[n].a, &xs[n].pm, &err), 0);
		if (n >= PM_PENDING) {
			struct pm_alert *x = &xs[n - PM_PENDING];
			struct fq_merge_result two, one;
			int reused = -1;

			assert_int_equal(
			    fq_merge_match_from(idx, &x->a, &x->pm, &two, &reused, &err), 0);
			fq_merge_prematch_release(&x->pm);
			match(idx, &x->a, &one);
			assert_same_result(&two, &one, x->id);
			/* Set aside exactly when a change came after the prematch. */
			assert_int_equal(reused, changed_at < n - PM_PENDING);
			reused ? reused_count++ : fresh_count++;
			place_count += reused && one.repeat_place;
			if (one.decision == FQ_MERGE_MERGED)
				snprintf(x->incident, sizeof(x->incident), "%s",
					 one.candidates[0].incident_id);
			else
				snprintf(x->incident, sizeof(x->incident), "i%s", x->id);
			x->a.incident_id = x->incident;
			insert(idx, &x->a);
		}
		/* Every 97 alerts, a change other than an insert. */
		if (n % 97 == 96 && n >= 2 * PM_PENDING && n < PM_ALERTS) {
			struct pm_alert *y = &xs[n - PM_PENDING - 1];

			switch ((n / 97) % 5) {
			case 0:
				assert_int_equal(fq_merge_close_incident(idx, y->incident, &err),
						 0);
				break;
			case 1:
				assert_int_equal(fq_merge_close_incident(idx, y->incident, &err),
						 0);
				assert_int_equal(fq_merge_reopen_incident(idx, y->incident, &err),
						 0);
				break;
			case 2: {
				char to[16];
				snprintf(to, sizeof(to), "moved%d", n);
				assert_int_equal(fq_merge_move(idx, y->id, to, &err), 0);
				break;
			}
			case 3:
				if (strcmp(y->incident, xs[n - PM_PENDING - 2].incident) == 0)
					continue; /* nothing to join */
				assert_int_equal(
				    fq_merge_join_incidents(idx, xs[n - PM_PENDING - 2].incident,
							    y->incident, &err),
				    0);
				break;
			default: {
				/* Drops the oldest alerts, if any left the windows. */
				struct fq_merge_stats before, after;
				fq_merge_stats(idx, &before);
				fq_merge_expire(idx, y->a.received_at_ms + 3 * HOUR_MS);
				fq_merge_stats(idx, &after);
				if (before.active_alerts == after.active_alerts &&
				    before.place_reports == after.place_reports &&
				    before.callers == after.callers)
					continue; /* nothing dropped: not a change */
				break;
			}
			}
			changed_at = n;
		}
	}
	/* The prematches made before a change (PM_PENDING of each) start afresh; no other. */
	assert_true(fresh_count > 0);
	assert_true(reused_count > PM_ALERTS * 3 / 4);
	/* Repeat places were found from prematches, not only from scratch. */
	assert_true(place_count > PM_ALERTS / 4);
	free(xs);
}

/* A prematch made in another index (a reload) is set aside, and so is one too far behind. */
static void test_prematch_stale(void **state)
{
	struct fq_merge_index *idx = *state, *other;
	struct fq_geo_point p = at(0, 10);
	struct fq_merge_alert a =
	    alert("s0", "i0", T0, "13800000001", &p, "public_order.fight", FIGHT_1);
	struct fq_merge_alert b =
	    alert("s1", NULL, T0 + MIN_MS, "13800000002", &p, "public_order.fight", FIGHT_2);
	struct fq_merge_prematch pm;
	struct fq_merge_result r;
	struct fq_err err = FQ_ERR_INIT;
	char id[16];
	int reused = -1;

	assert_int_equal(fq_merge_index_new(NULL, &other, &err), 0);
	insert(idx, &a);
	insert(other, &a);
	assert_int_equal(fq_merge_prematch(other, &b, &pm, &err), 0);
	assert_int_equal(fq_merge_match_from(idx, &b, &pm, &r, &reused, &err), 0);
	fq_merge_prematch_release(&pm);
	assert_int_equal(reused, 0);
	assert_int_equal(r.decision, FQ_MERGE_MERGED);
	assert_string_equal(r.candidates[0].incident_id, "i0");
	fq_merge_index_free(other);

	/* More alerts since than the index remembers. */
	assert_int_equal(fq_merge_prematch(idx, &b, &pm, &err), 0);
	for (int i = 0; i <= FQ_MERGE_RECENT_MAX; i++) {
		struct fq_geo_point q = at(180, 5000);
		struct fq_merge_alert c;

		snprintf(id, sizeof(id), "f%d", i);
		c = alert(id, id, T0 - HOUR_MS, "", &q, "public_order.noise", NOISE_1);
		insert(idx, &c);
	}
	assert_int_equal(fq_merge_match_from(idx, &b, &pm, &r, &reused, &err), 0);
	fq_merge_prematch_release(&pm);
	assert_int_equal(reused, 0);
	assert_string_equal(r.candidates[0].incident_id, "i0");
	/* A prematch is spent by its completion: used again, it starts afresh. */
	assert_int_equal(fq_merge_prematch(idx, &b, &pm, &err), 0);
	assert_int_equal(fq_merge_match_from(idx, &b, &pm, &r, &reused, &err), 0);
	assert_int_equal(reused, 1);
	assert_int_equal(pm.ready, 0);
	assert_null(pm.hits);
	assert_int_equal(fq_merge_match_from(idx, &b, &pm, &r, &reused, &err), 0);
	assert_int_equal(reused, 0);
	assert_string_equal(r.candidates[0].incident_id, "i0");
	/* A zeroed prematch, or none, matches from scratch. */
	memset(&pm, 0, sizeof(pm));
	assert_int_equal(fq_merge_match_from(idx, &b, &pm, &r, &reused, &err), 0);
	assert_int_equal(reused, 0);
	assert_int_equal(fq_merge_match_from(idx, &b, NULL, &r, NULL, &err), 0);
	assert_string_equal(r.candidates[0].incident_id, "i0");
	/* A completion that fails still spends the prematch (nothing left to leak). */
	assert_int_equal(fq_merge_prematch(idx, &b, &pm, &err), 0);
	assert_true(pm.ready);
	{
		struct fq_merge_alert bad = b;
		bad.category = NULL;
		assert_int_equal(fq_merge_match_from(idx, &bad, &pm, &r, &reused, &err), FQ_EINVAL);
	}
	assert_int_equal(pm.ready, 0);
	assert_null(pm.hits);
	assert_null(pm.words.tokens);
	/* An invalid alert fails the prematch as it fails a match. */
	b.category = NULL;
	assert_int_equal(fq_merge_prematch(idx, &b, &pm, &err), FQ_EINVAL);
	assert_int_equal(pm.ready, 0);
	fq_merge_prematch_release(&pm);
}

/* fq_merge_may_see: a phone or an address in common, or within reach; else nothing to see. */
static void test_may_see(void **state)
{
	struct fq_merge_index *idx = *state;
	struct fq_geo_point near = at(90, 280), past = at(90, 320), close = at(0, 40);
	struct fq_merge_alert a =
	    alert("", "", T0, "13800000001", &p0, "public_order.fight", FIGHT_1);
	struct fq_merge_alert b = alert("b", "i1", T0, "13800000002", &near, "criminal.theft", "");

	/* Within the 300 m of a fight (its longest same-event radius). */
	assert_true(fq_merge_may_see(idx, &a, &b));
	b.lat = past.lat;
	b.lon = past.lon;
	assert_false(fq_merge_may_see(idx, &a, &b));
	/* The same phone, or the same address, at any distance. */
	b.phone = "13800000001";
	assert_true(fq_merge_may_see(idx, &a, &b));
	b.phone = "13800000002";
	a.address = ADDRESS;
	b.address = "枫桥镇和平路12号附近";
	assert_true(fq_merge_may_see(idx, &a, &b));
	b.address = "诸暨市枫桥镇和平路14号";
	assert_false(fq_merge_may_see(idx, &a, &b));
	/* Without coordinates on either side, only phone and address count. */
	b.has_location = 0;
	b.lat = p0.lat;
	b.lon = p0.lon;
	assert_false(fq_merge_may_see(idx, &a, &b));
	/* A tip-off has no same-event radius: the repeat-place radius (50 m) still reaches. */
	a = alert("", "", T0, "13800000001", &p0, "report.clue", "");
	b = alert("b", "i1", T0, "13800000002", &close, "report.clue", "");
	assert_true(fq_merge_may_see(idx, &a, &b));
	b.lat = near.lat;
	b.lon = near.lon;
	assert_false(fq_merge_may_see(idx, &a, &b));
	/* Any of several: only the last one is close enough. */
	{
		struct fq_merge_alert several[3] = {b, b, b};

		several[2].lat = close.lat;
		several[2].lon = close.lon;
		assert_true(fq_merge_may_see_any(idx, &a, several, 3));
		assert_false(fq_merge_may_see_any(idx, &a, several, 2));
		assert_false(fq_merge_may_see_any(idx, &a, several, 0));
	}
	/* An alert not valid to match sees everything. */
	a.category = NULL;
	assert_true(fq_merge_may_see(idx, &a, &b));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    T(test_repeat_caller_joins),
	    T(test_repeat_caller_after_window),
	    T(test_repeat_caller_far_away),
	    T(test_repeat_caller_incompatible),
	    T(test_repeat_caller_late),
	    T(test_harassing_bursts),
	    T(test_address_variants),
	    T(test_same_address_coarse_fix),
	    T(test_same_event_merged),
	    T(test_same_event_too_far),
	    T(test_incompatible_same_place),
	    T(test_late_caller),
	    T(test_place_agreement),
	    T(test_gps_jitter),
	    T(test_same_address),
	    T(test_address_key_given),
	    T(test_same_address_no_override),
	    T(test_closed_never_target),
	    T(test_repeat_place),
	    T(test_repeat_place_radius),
	    T(test_caller_counts),
	    T(test_ranking_and_dedup),
	    T(test_expire),
	    T(test_move_and_join),
	    T(test_caller_only_categories),
	    T(test_out_of_order),
	    T(test_invalid_input),
	    T(test_long_description),
	    T(test_threads),
	    T(test_prematch),
	    T(test_prematch_stale),
	    T(test_may_see),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
