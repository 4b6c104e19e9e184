/*
 * Case KPIs against figures worked out by hand on a small fixture: two
 * stations, cases inside and outside the period, solved, transferred,
 * closed and reopened, losses and recoveries, clues; the rates and their
 * null cases; the per-unit scope (a station, the county).
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
#include "cases/transfer.h"
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

static int64_t at(const char *rfc3339)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = 0;

	if (fq_time_parse(rfc3339, &ms, "t", &err) != 0)
		fail_msg("time %s: %s", rfc3339, err.message);
	return ms;
}

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
	struct fq_test_store *f = fq_test_store_new("case_kpi");
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

/* Opens a case at when in station, lost fen (0: none); steps then run in order. */
static void kase(struct fq_test_store *f, const char *station, const char *type, const char *when,
		 int64_t lost_fen, int64_t recovered_fen, const char *const *steps, char id[37])
{
	int s1 = strcmp(station, S1) == 0;
	int64_t now = at(when);
	struct fq_case_item_in lost = {.description = "财物", .value_fen = lost_fen};
	struct fq_case_new in = {.type = type,
				 .title = "案件",
				 .description = "案情",
				 .occurred_at = now - 3600 * 1000,
				 .lost = &lost,
				 .nlost = lost_fen > 0,
				 .scope_path = s1 ? S1_PATH : S2_PATH,
				 .actor_unit = station,
				 .actor_id = s1 ? OFFICER : OFFICER2,
				 .now_ms = now};
	struct fq_err err = FQ_ERR_INIT;
	char number[FQ_NUMBER_MAX];

	fq_test_begin(f->c);
	if (fq_case_create(f->c, &in, id, number, &err) != 0)
		fail_msg("create: %s %s", err.field, err.message);
	if (recovered_fen) {
		struct fq_case_item_in rec = {.description = "追回", .value_fen = recovered_fen};
		if (fq_case_add_item(f->c, id, "recovered", &rec, in.actor_id, now + 1000, &err))
			fail_msg("recover: %s", err.message);
	}
	for (int i = 0; steps && steps[i]; i++) {
		int64_t t = now + (i + 1) * 60000;
		if (strcmp(steps[i], "transfer") == 0) {
			json_t *items = json_pack("[s]", "卷宗");
			struct fq_transfer_new tr = {.case_id = id,
						     .receiver_name = "刑侦大队",
						     .receiver_kind = "criminal_investigation",
						     .items = items,
						     .scope_path = in.scope_path,
						     .actor_unit = station,
						     .actor_id = in.actor_id,
						     .now_ms = t};
			char tid[37];
			if (fq_transfer_create(f->c, &tr, tid, number, &err))
				fail_msg("transfer: %s", err.message);
			json_decref(items);
		} else {
			struct fq_case_change ch = {.step = fq_case_step_from_code(steps[i]),
						    .text = "说明",
						    .actor_id = in.actor_id,
						    .now_ms = t};
			if (fq_case_transition(f->c, id, &ch, NULL, NULL, &err))
				fail_msg("%s: %s", steps[i], err.message);
		}
	}
	fq_test_commit(f->c);
}

static void clue(struct fq_test_store *f, const char *station, const char *when)
{
	int s1 = strcmp(station, S1) == 0;
	json_t *items = json_pack("[s]", "笔录");
	struct fq_transfer_new tr = {.clue_text = "线索",
				     .clue_source = "走访",
				     .receiver_name = "禁毒大队",
				     .receiver_kind = "drug",
				     .items = items,
				     .scope_path = s1 ? S1_PATH : S2_PATH,
				     .actor_unit = station,
				     .actor_id = s1 ? OFFICER : OFFICER2,
				     .now_ms = at(when)};
	struct fq_err err = FQ_ERR_INIT;
	char tid[37], number[FQ_NUMBER_MAX];

	fq_test_begin(f->c);
	if (fq_transfer_create(f->c, &tr, tid, number, &err))
		fail_msg("clue: %s", err.message);
	fq_test_commit(f->c);
	json_decref(items);
}

static void test_kpi_by_hand(void **state)
{
	static const char *const solve[] = {"investigate", "solve", NULL};
	static const char *const solve_reopen[] = {"investigate", "solve", "reopen", NULL};
	static const char *const close[] = {"close", NULL};
	static const char *const transfer[] = {"transfer", NULL};
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_case_counts n;
	int64_t from = at("2026-04-01T00:00:00+08:00"), to = at("2026-05-01T00:00:00+08:00");
	char id[37];
	json_t *out = NULL;

	/*
	 * April 2026 at S1:
	 *   A ebike  lost 3000.00, recovered 2500.00, solved
	 *   B ebike  lost  800.00, recovered    0,    solved then reopened (not solved now)
	 *   C fraud  lost 1200.50, recovered  200.50, open
	 *   D burglary lost 5000.00, transferred
	 *   E assault no loss, closed (不予立案)
	 * S1 outside the period: F (31 March 23:59 CST, solved) and G (1 May 00:00).
	 * S2 in April: H ebike lost 100.00 recovered 100.00 solved; I gambling transferred.
	 * Clues: S1 two in April and one in March; S2 one in April.
	 */
	kase(f, S1, "ebike_theft", "2026-04-03T09:00:00+08:00", 300000, 250000, solve, id);
	kase(f, S1, "ebike_theft", "2026-04-10T09:00:00+08:00", 80000, 0, solve_reopen, id);
	kase(f, S1, "fraud", "2026-04-15T09:00:00+08:00", 120050, 20050, NULL, id);
	kase(f, S1, "burglary", "2026-04-20T09:00:00+08:00", 500000, 0, transfer, id);
	kase(f, S1, "assault", "2026-04-30T23:59:00+08:00", 0, 0, close, id);
	kase(f, S1, "ebike_theft", "2026-03-31T23:59:00+08:00", 70000, 70000, solve, id);
	kase(f, S1, "ebike_theft", "2026-05-01T00:00:00+08:00", 90000, 0, solve, id);
	kase(f, S2, "ebike_theft", "2026-04-05T09:00:00+08:00", 10000, 10000, solve, id);
	kase(f, S2, "gambling", "2026-04-06T09:00:00+08:00", 0, 0, transfer, id);
	clue(f, S1, "2026-04-02T09:00:00+08:00");
	clue(f, S1, "2026-04-29T09:00:00+08:00");
	clue(f, S1, "2026-03-30T09:00:00+08:00");
	clue(f, S2, "2026-04-07T09:00:00+08:00");

	assert_int_equal(fq_case_counts(f->c, S1_PATH, from, to, &n, &err), 0);
	assert_int_equal(n.opened, 5);
	assert_int_equal(n.solved, 1);
	assert_int_equal(n.transferred, 1);
	assert_int_equal(n.clues_transferred, 2);
	assert_int_equal(n.lost_fen, 300000 + 80000 + 120050 + 500000);
	assert_int_equal(n.recovered_fen, 250000 + 20050);
	/* solve rate 1 / (5 − 1) = 0.25; recovery 270050 / 1000050 = 0.27003… → 0.27 */
	assert_true(fabs(fq_case_rate(n.solved, n.opened - n.transferred) - 0.25) < 1e-12);
	assert_true(fabs(fq_case_rate(n.recovered_fen, n.lost_fen) - 0.27) < 1e-12);

	assert_int_equal(fq_case_counts(f->c, COUNTY, from, to, &n, &err), 0);
	assert_int_equal(n.opened, 7);
	assert_int_equal(n.solved, 2);
	assert_int_equal(n.transferred, 2);
	assert_int_equal(n.clues_transferred, 3);
	assert_int_equal(n.lost_fen, 1000050 + 10000);
	assert_int_equal(n.recovered_fen, 270050 + 10000);

	/* The API answer: rates with four decimals, null without a denominator. */
	assert_int_equal(fq_case_kpi_json(f->c, S2, from, to, &out, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "cases_opened")), 2);
	assert_true(fabs(json_real_value(json_object_get(out, "solve_rate")) - 1.0) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(out, "recovery_rate")) - 1.0) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(out, "money_lost_yuan")) - 100.0) < 1e-9);
	json_decref(out);
	assert_int_equal(fq_case_kpi_json(f->c, S2, at("2027-01-01T00:00:00+08:00"),
					  at("2027-02-01T00:00:00+08:00"), &out, &err),
			 0);
	assert_true(json_is_null(json_object_get(out, "solve_rate")));
	assert_true(json_is_null(json_object_get(out, "recovery_rate")));
	assert_int_equal(json_integer_value(json_object_get(out, "cases_opened")), 0);
	json_decref(out);
	/* An empty or reversed period is refused. */
	assert_int_equal(fq_case_counts(f->c, S1_PATH, to, from, &n, &err), FQ_EINVAL);
	assert_string_equal(err.field, "to");
	assert_true(fq_case_rate(1, 0) < 0);
	assert_true(fabs(fq_case_rate(1, 3) - 0.3333) < 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kpi_by_hand, setup, fq_test_store_teardown),
	};

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
