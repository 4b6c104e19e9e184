/*
 * Dispute KPIs (docs/disputes.md, docs/kpi.md) against figures worked out by
 * hand on a small fixture: six disputes of one station in a day, one of
 * another station, one before the period, taken to every outcome.
 *
 * T = 2026-03-01 10:00 CST. Period [T, T + 1 day). Judged at T + 10 days,
 * after the escalation job ran then.
 *   A  G1  T       session T+1d, resolved_agreement T+2d     resolved, mediated, 2 days
 *   B  G1  T+1h    resolved T+5d (no session)                resolved, 5 days - 1 hour
 *   C  G2  T+2h    session, failed T+3d                      failed, mediated
 *   D  G2  T+3h    session, resolved T+1d, flare-up T+2d     reopened (key), open, mediated
 *   E  --  T+4h    nothing                                   open, overdue, escalated
 *   F  G1  T+5h    referred T+1d                             referred
 *   G  H1  T       (other station) resolved T+1d             resolved, 1 day
 *   H  G1  T-1d    (before the period) resolved
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

#include "unit/cases/dispute_fixture.h"

#define T at("2026-03-01T10:00:00+08:00")

static json_t *mediators(void)
{
	return json_pack("[s]", "赵大妈");
}

static void session(struct fq_dbc *c, const char *id, int64_t now)
{
	json_t *m = mediators(), *p = json_pack("[s, s]", "甲", "乙");
	struct fq_dispute_session_in in = {.held_at = now,
					   .place = "调解室",
					   .mediators = m,
					   .participants = p,
					   .said = "各自陈述",
					   .actor_id = COMMUNITY,
					   .now_ms = now};
	struct fq_err err = FQ_ERR_INIT;
	char sid[37];

	fq_test_begin(c);
	if (fq_dispute_add_session(c, id, &in, sid, &err) != 0)
		fail_msg("session: %s %s", err.machine, err.message);
	fq_test_commit(c);
	json_decref(m);
	json_decref(p);
}

static void outcome(struct fq_dbc *c, const char *id, const char *what, int64_t now)
{
	struct fq_dispute_outcome_in in = {.outcome = what, .actor_id = COMMUNITY, .now_ms = now};
	struct fq_err err = FQ_ERR_INIT;

	if (strcmp(what, "resolved_agreement") == 0)
		in.terms = "互相谅解";
	if (strcmp(what, "failed") == 0)
		in.note = "拒绝调解";
	if (strcmp(what, "referred") == 0) {
		in.referred_kind = "court";
		in.referred_to = "枫溪人民法庭";
	}
	fq_test_begin(c);
	if (fq_dispute_record_outcome(c, id, &in, &err) != 0)
		fail_msg("outcome %s: %s %s", what, err.machine, err.message);
	fq_test_commit(c);
}

static void flare_up(struct fq_dbc *c, const char *id, int64_t now)
{
	struct fq_dispute_follow_up_in in = {.method = "visit",
					     .result = "又吵起来了",
					     .flare_up = 1,
					     .actor_id = COMMUNITY,
					     .now_ms = now};
	struct fq_err err = FQ_ERR_INIT;
	int reopened = 0;

	fq_test_begin(c);
	if (fq_dispute_record_follow_up(c, id, &in, &reopened, NULL, NULL, &err) != 0)
		fail_msg("follow-up: %s %s", err.machine, err.message);
	fq_test_commit(c);
	assert_int_equal(reopened, 1);
}

struct fixture_ids {
	char a[37], b[37], c[37], d[37], e[37], f[37], g[37], h[37];
};

static void build(struct fq_dbc *c, struct fixture_ids *x)
{
	int64_t t = T;
	struct fq_err err = FQ_ERR_INIT;
	int escalated = 0;

	fixture_dispute(c, G1, t, NULL, 0, x->a);
	session(c, x->a, t + DAY_MS);
	outcome(c, x->a, "resolved_agreement", t + 2 * DAY_MS);

	fixture_dispute(c, G1, t + HOUR_MS, NULL, 0, x->b);
	outcome(c, x->b, "resolved", t + 5 * DAY_MS);

	fixture_dispute(c, G2, t + 2 * HOUR_MS, NULL, 0, x->c);
	session(c, x->c, t + DAY_MS);
	outcome(c, x->c, "failed", t + 3 * DAY_MS);

	fixture_dispute(c, G2, t + 3 * HOUR_MS, NULL, 0, x->d);
	session(c, x->d, t + 12 * HOUR_MS);
	outcome(c, x->d, "resolved", t + DAY_MS);
	flare_up(c, x->d, t + 2 * DAY_MS);

	fixture_dispute(c, S1, t + 4 * HOUR_MS, NULL, 0, x->e);

	fixture_dispute(c, G1, t + 5 * HOUR_MS, NULL, 0, x->f);
	outcome(c, x->f, "referred", t + DAY_MS);

	fixture_dispute(c, H1, t, NULL, 0, x->g);
	outcome(c, x->g, "resolved", t + DAY_MS);

	fixture_dispute(c, G1, t - DAY_MS, NULL, 0, x->h);
	outcome(c, x->h, "resolved", t);

	assert_int_equal(
	    fq_dispute_escalate_overdue(c, t + 10 * DAY_MS, NULL, NULL, &escalated, &err), 0);
	/* E (general, due T+4h+7d) and G's station has none open; D (key, reopened T+2d) is due
	 * T+17d. */
	assert_int_equal(escalated, 1);
}

static void test_station_counts(void **state)
{
	struct fq_test_store *f = *state;
	struct fixture_ids x;
	struct fq_dispute_counts n;
	struct fq_err err = FQ_ERR_INIT;

	build(f->c, &x);
	assert_int_equal(fq_dispute_counts(f->c, S1_PATH, T, T + DAY_MS, T + 10 * DAY_MS, &n, &err),
			 0);
	assert_int_equal(n.found, 6);		   /* A B C D E F */
	assert_int_equal(n.resolved, 2);	   /* A B; D reopened is not */
	assert_int_equal(n.resolved_agreement, 1); /* A */
	assert_int_equal(n.referred, 1);	   /* F */
	assert_int_equal(n.failed, 1);		   /* C */
	assert_int_equal(n.open, 2);		   /* D E */
	assert_int_equal(n.overdue, 1);		   /* E */
	assert_int_equal(n.mediated, 3);	   /* A C D */
	assert_int_equal(n.mediated_resolved, 1);  /* A */
	assert_int_equal(n.mediated_concluded, 2); /* A C */
	assert_int_equal(n.reopened, 1);	   /* D */
	assert_int_equal(n.escalated, 1);	   /* E */
	assert_int_equal(n.days_ms_sum, 2 * DAY_MS + (5 * DAY_MS - HOUR_MS));
	assert_int_equal(n.general, 5);
	assert_int_equal(n.key, 1);
	assert_int_equal(n.major, 0);

	/* Judged before the escalation and the deadlines: nothing overdue. */
	assert_int_equal(fq_dispute_counts(f->c, S1_PATH, T, T + DAY_MS, T + 3 * DAY_MS, &n, &err),
			 0);
	assert_int_equal(n.overdue, 0);
	/* The period is decided by the reporting date: H alone the day before. */
	assert_int_equal(fq_dispute_counts(f->c, S1_PATH, T - DAY_MS, T, T + 10 * DAY_MS, &n, &err),
			 0);
	assert_int_equal(n.found, 1);
	assert_int_equal(n.resolved, 1);
	assert_int_equal(fq_dispute_counts(f->c, S1_PATH, T, T, T, &n, &err), FQ_EINVAL);
	assert_string_equal(err.field, "to");
}

static double num(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);
	if (!json_is_number(v))
		fail_msg("%s is not a number", key);
	return json_number_value(v);
}

static json_t *grid(json_t *kpi, const char *code)
{
	size_t i;
	json_t *g;

	json_array_foreach(json_object_get(kpi, "grids"), i, g)
	{
		const char *c = json_string_value(json_object_get(g, "grid"));
		if ((!code && !c) || (code && c && strcmp(code, c) == 0))
			return g;
	}
	fail_msg("no grid %s", code ? code : "(none)");
	return NULL;
}

static void test_rates_and_breakdown(void **state)
{
	struct fq_test_store *f = *state;
	struct fixture_ids x;
	struct fq_err err = FQ_ERR_INIT;
	json_t *k, *g;

	build(f->c, &x);
	assert_int_equal(fq_dispute_kpi_json(f->c, S1, T, T + DAY_MS, T + 10 * DAY_MS, &k, &err),
			 0);
	assert_int_equal((int)num(k, "found"), 6);
	assert_int_equal((int)num(k, "resolved"), 2);
	/* 化解率 2 / 6, rounded to 4 decimals. */
	assert_true(fabs(num(k, "resolution_rate") - 0.3333) < 1e-9);
	/* 调解成功率: of A and C (mediated and concluded), A. */
	assert_true(fabs(num(k, "mediation_success_rate") - 0.5) < 1e-9);
	/* (2 days + 4.958333 days) / 2 = 3.479166 -> 3.48. */
	assert_true(fabs(num(k, "avg_days_to_resolve") - 3.48) < 1e-9);
	assert_int_equal((int)num(k, "reopened"), 1);
	assert_int_equal((int)num(k, "escalated"), 1);
	assert_int_equal(json_array_size(json_object_get(k, "grids")), 3);
	g = grid(k, G1); /* A B F */
	assert_int_equal((int)num(g, "found"), 3);
	assert_int_equal((int)num(g, "resolved"), 2);
	assert_true(fabs(num(g, "resolution_rate") - 0.6667) < 1e-9);
	assert_true(fabs(num(g, "mediation_success_rate") - 1.0) < 1e-9);
	g = grid(k, G2); /* C D */
	assert_int_equal((int)num(g, "found"), 2);
	assert_int_equal((int)num(g, "resolved"), 0);
	assert_true(fabs(num(g, "resolution_rate")) < 1e-9);
	assert_true(fabs(num(g, "mediation_success_rate")) < 1e-9);
	assert_true(json_is_null(json_object_get(g, "avg_days_to_resolve")));
	assert_int_equal((int)num(g, "reopened"), 1);
	g = grid(k, NULL); /* E */
	assert_int_equal((int)num(g, "found"), 1);
	assert_int_equal((int)num(g, "overdue"), 1);
	assert_true(json_is_null(json_object_get(g, "mediation_success_rate")));
	json_decref(k);

	/* The branch: G (another station, resolved in 1 day) joins. */
	assert_int_equal(
	    fq_dispute_kpi_json(f->c, "339902", T, T + DAY_MS, T + 10 * DAY_MS, &k, &err), 0);
	assert_int_equal((int)num(k, "found"), 7);
	assert_int_equal((int)num(k, "resolved"), 3);
	assert_true(fabs(num(k, "resolution_rate") - 0.4286) < 1e-9);
	/* (2 + 4.958333 + 1) / 3 = 2.652777 -> 2.65 */
	assert_true(fabs(num(k, "avg_days_to_resolve") - 2.65) < 1e-9);
	json_decref(k);

	/* A grid alone. */
	assert_int_equal(fq_dispute_kpi_json(f->c, G2, T, T + DAY_MS, T + 10 * DAY_MS, &k, &err),
			 0);
	assert_int_equal((int)num(k, "found"), 2);
	json_decref(k);

	/* An empty period: rates are null. */
	assert_int_equal(fq_dispute_kpi_json(f->c, S1, T + 20 * DAY_MS, T + 21 * DAY_MS,
					     T + 30 * DAY_MS, &k, &err),
			 0);
	assert_int_equal((int)num(k, "found"), 0);
	assert_true(json_is_null(json_object_get(k, "resolution_rate")));
	assert_true(json_is_null(json_object_get(k, "mediation_success_rate")));
	assert_true(json_is_null(json_object_get(k, "avg_days_to_resolve")));
	assert_int_equal(json_array_size(json_object_get(k, "grids")), 0);
	json_decref(k);
	assert_int_equal(fq_dispute_kpi_json(f->c, "nowhere", T, T + DAY_MS, 0, &k, &err),
			 FQ_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_station_counts, fixture_setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_rates_and_breakdown, fixture_setup,
					    fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
