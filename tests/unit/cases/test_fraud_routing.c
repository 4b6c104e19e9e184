/*
 * Anti-fraud warnings: the deadline per level (defaults and settings), the
 * routing to grid, officer and station (by place, by the phone's earlier
 * alerts, by the receiving station; within the scope), validation with
 * the field named, and the dissuasion state machine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit/cases/fraud_fixture.h"

#define T0 fx_at("2026-03-01T10:00:00+08:00")

static void test_deadline_arithmetic(void **state)
{
	int64_t t = T0;
	(void)state;

	assert_int_equal(fq_fraud_default_deadline_min[0], 30);
	assert_int_equal(fq_fraud_default_deadline_min[1], 120);
	assert_int_equal(fq_fraud_default_deadline_min[2], 24 * 60);
	assert_int_equal(fq_fraud_default_deadline_min[3], 72 * 60);
	assert_int_equal(fq_fraud_deadline_at(t, 1, fq_fraud_default_deadline_min),
			 t + 30 * MIN_MS);
	assert_int_equal(fq_fraud_deadline_at(t, 2, fq_fraud_default_deadline_min),
			 t + 2 * HOUR_MS);
	assert_int_equal(fq_fraud_deadline_at(t, 3, fq_fraud_default_deadline_min), t + DAY_MS);
	assert_int_equal(fq_fraud_deadline_at(t, 4, fq_fraud_default_deadline_min), t + 3 * DAY_MS);
	/* Out-of-range levels are clamped, never read out of the table. */
	assert_int_equal(fq_fraud_deadline_at(t, 0, fq_fraud_default_deadline_min),
			 t + 30 * MIN_MS);
	assert_int_equal(fq_fraud_deadline_at(t, 9, fq_fraud_default_deadline_min), t + 3 * DAY_MS);
}

static void test_deadline_settings(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	int64_t m[FQ_FRAUD_LEVELS];
	char id[37];
	json_t *j;

	assert_int_equal(fq_fraud_deadline_minutes(f->c, m, &err), 0);
	assert_int_equal(m[0], 30);
	assert_int_equal(m[3], 72 * 60);
	fq_test_begin(f->c);
	assert_int_equal(fq_dbc_run(f->c, &err, NULL,
				    "INSERT INTO setting (key, value, updated_at) VALUES"
				    " ('fraud.deadline_minutes.1', '15', 0),"
				    " ('fraud.deadline_minutes.2', 'soon', 0),"
				    " ('fraud.deadline_minutes.3', '0', 0),"
				    " ('fraud.deadline_minutes.9', '5', 0)",
				    ""),
			 0);
	fq_test_commit(f->c);
	assert_int_equal(fq_fraud_deadline_minutes(f->c, m, &err), 0);
	assert_int_equal(m[0], 15);	 /* taken */
	assert_int_equal(m[1], 120);	 /* not a number: ignored */
	assert_int_equal(m[2], 24 * 60); /* out of range: ignored */
	assert_int_equal(m[3], 72 * 60);
	/* A level-1 warning received at T0 is due 15 minutes later. */
	fx_warning(f->c, S1, "13800000001", 1, T0, id);
	assert_int_equal(fq_fraud_json(f->c, id, 0, 0, 0, T0 + 5 * MIN_MS, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "deadline_at")),
			    "2026-03-01T10:15:00.000+08:00");
	assert_int_equal(json_integer_value(json_object_get(j, "remaining_s")), 10 * 60);
	assert_false(json_is_true(json_object_get(j, "overdue")));
	json_decref(j);
	assert_int_equal(fq_fraud_json(f->c, id, 0, 0, 0, T0 + 16 * MIN_MS, &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "remaining_s")), -60);
	assert_true(json_is_true(json_object_get(j, "overdue")));
	json_decref(j);
}

static void expect_route(struct fq_dbc *c, const char *unit, const char *scope, int has_loc,
			 double lat, double lon, const char *phone, const char *route,
			 const char *station, const char *grid, const char *officer)
{
	struct fq_fraud_route r;
	struct fq_err err = FQ_ERR_INIT;

	if (fq_fraud_route(c, unit, unit, scope, has_loc, lat, lon, phone, &r, &err) != 0)
		fail_msg("route: %s %s", err.field, err.message);
	assert_string_equal(r.route, route);
	assert_string_equal(r.station, station);
	assert_string_equal(r.grid, grid);
	assert_string_equal(r.officer, officer);
}

static void test_routing(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_fraud_route r;
	struct fq_err err = FQ_ERR_INIT;

	/* By place: the grid's own officer, else the station's community officer. */
	expect_route(f->c, S1, CITY_SCOPE, 1, 29.71, 120.21, "", "location", S1, G1, GRIDCOP);
	expect_route(f->c, S1, CITY_SCOPE, 1, 29.73, 120.21, "", "location", S1, G2, COMMUNITY);
	/* Received by the county: the grid of another station; nobody to name there. */
	expect_route(f->c, "339902", CITY_SCOPE, 1, 29.71, 120.41, "", "location", S2, H1, "");
	/* A place in no grid: the receiving station. */
	expect_route(f->c, S1, CITY_SCOPE, 1, 29.50, 120.00, "", "station", S1, "", COMMUNITY);
	/* S1 receives a place in S2's grid: S2 is not under S1, so S1 keeps it. */
	expect_route(f->c, S1, S1_PATH, 1, 29.71, 120.41, "", "station", S1, "", COMMUNITY);
	/* By the phone's latest alert with a grid. */
	fq_test_begin(f->c);
	fx_alert(f->c, "00000000-0000-7000-8000-00000000a001", S1, G1, "13800000009",
		 "public_order.noise", T0 - 10 * DAY_MS);
	fx_alert(f->c, "00000000-0000-7000-8000-00000000a002", S1, G2, "13800000009",
		 "public_order.noise", T0 - DAY_MS);
	fq_test_commit(f->c);
	expect_route(f->c, "339902", CITY_SCOPE, 0, 0, 0, "13800000009", "phone_history", S1, G2,
		     COMMUNITY);
	/* A place beats the phone's history. */
	expect_route(f->c, "339902", CITY_SCOPE, 1, 29.71, 120.21, "13800000009", "location", S1,
		     G1, GRIDCOP);
	/* Above a station with nothing to go by: the unit must be named. */
	assert_int_equal(
	    fq_fraud_route(f->c, "339902", "339902", CITY_SCOPE, 0, 0, 0, "", &r, &err), FQ_EINVAL);
	assert_string_equal(err.field, "unit");
	assert_string_equal(err.machine, "missing_field");
	/* Out of scope or unknown. */
	assert_int_equal(fq_fraud_route(f->c, S2, S1, S1_PATH, 0, 0, 0, "", &r, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_unit");
	assert_int_equal(fq_fraud_route(f->c, "nowhere", S1, CITY_SCOPE, 0, 0, 0, "", &r, &err),
			 FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_unit");
}

static void expect_refusal(struct fq_dbc *c, struct fq_fraud_new in, const char *field)
{
	struct fq_err err = FQ_ERR_INIT;
	char id[37], number[FQ_NUMBER_MAX];

	in.unit = in.actor_unit = S1;
	in.scope_path = CITY_SCOPE;
	in.now_ms = T0;
	fq_test_begin(c);
	assert_int_equal(fq_fraud_create(c, &in, id, number, &err), FQ_EINVAL);
	fq_dbc_rollback(c);
	assert_string_equal(err.field, field);
}

static void test_validation(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_fraud_new in = {.warning_type = "刷单返利", .level = 1, .person_name = "张三"};
	struct fq_err err = FQ_ERR_INIT;
	char id[37], number[FQ_NUMBER_MAX];
	json_t *j;

	expect_refusal(f->c, (struct fq_fraud_new){.warning_type = "rebate", .level = 1}, "phone");
	expect_refusal(
	    f->c,
	    (struct fq_fraud_new){.phone = "13a00000000", .warning_type = "rebate", .level = 1},
	    "phone");
	expect_refusal(f->c,
		       (struct fq_fraud_new){
			   .id_number = "110105194912310021", .warning_type = "rebate", .level = 1},
		       "id_number");
	expect_refusal(
	    f->c,
	    (struct fq_fraud_new){.person_name = "李四", .warning_type = "lottery", .level = 1},
	    "warning_type");
	expect_refusal(
	    f->c,
	    (struct fq_fraud_new){.person_name = "李四", .warning_type = "rebate", .level = 5},
	    "level");
	expect_refusal(f->c,
		       (struct fq_fraud_new){.person_name = "李四",
					     .warning_type = "rebate",
					     .level = 2,
					     .warned_at = T0 + HOUR_MS},
		       "warned_at");
	/* The zh-CN label is taken and stored as its code; the phone normalised. */
	in.phone = "138-0000-0002";
	in.id_number = "11010519491231002X";
	in.unit = in.actor_unit = S1;
	in.scope_path = CITY_SCOPE;
	in.now_ms = T0;
	fq_test_begin(f->c);
	assert_int_equal(fq_fraud_create(f->c, &in, id, number, &err), 0);
	fq_test_commit(f->c);
	assert_memory_equal(number, "YJ-339902510000-20260301-", 25);
	assert_int_equal(fq_fraud_json(f->c, id, 1, 1, 1, T0, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "warning_type")), "rebate");
	assert_string_equal(json_string_value(json_object_get(j, "phone")), "138****0002");
	assert_string_equal(json_string_value(json_object_get(j, "id_number")),
			    "110105********002X");
	assert_string_equal(json_string_value(json_object_get(j, "state")), "assigned");
	json_decref(j);
	assert_int_equal(fq_fraud_json(f->c, id, 0, 0, 0, T0, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "phone")), "13800000002");
	assert_string_equal(json_string_value(json_object_get(j, "id_number")),
			    "11010519491231002X");
	json_decref(j);
}

static const char *attempt(struct fq_dbc *c, const char *id, int64_t at, int reached,
			   const char *pstate, int dissuaded, int64_t fen, int expect_rc,
			   const char *expect_field)
{
	static char to_state[16];
	struct fq_fraud_attempt_in a = {.method = "visit",
					.at = at,
					.reached = reached,
					.person_state = pstate,
					.dissuaded = dissuaded,
					.protected_fen = fen,
					.actor_id = COMMUNITY,
					.now_ms = at};
	struct fq_err err = FQ_ERR_INIT;
	const char *to = NULL;
	int rc;

	fq_test_begin(c);
	rc = fq_fraud_attempt(c, id, &a, NULL, &to, &err);
	if (rc != expect_rc)
		print_message("attempt: %d %s %s %s\n", rc, err.machine, err.field, err.message);
	if (rc)
		fq_dbc_rollback(c);
	else
		fq_test_commit(c);
	assert_int_equal(rc, expect_rc);
	if (expect_field)
		assert_string_equal(err.field, expect_field);
	snprintf(to_state, sizeof(to_state), "%s", rc ? "" : to);
	return to_state;
}

static void test_state_machine(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	const char *outcome = NULL;
	char id[37];
	json_t *j;

	fx_warning(f->c, S1, "13800000003", 1, T0, id);
	/* Closing before any outcome is refused. */
	fq_test_begin(f->c);
	assert_int_equal(fq_fraud_close(f->c, id, 0, COMMUNITY, T0, &outcome, &err), FQ_ECONFLICT);
	fq_dbc_rollback(f->c);
	assert_string_equal(err.machine, "invalid_transition");
	/* Refusals name their field. */
	attempt(f->c, id, T0, 1, NULL, 0, 0, FQ_EINVAL, "person_state");
	attempt(f->c, id, T0, 0, NULL, 1, 0, FQ_EINVAL, "dissuaded");
	attempt(f->c, id, T0, 0, NULL, 0, 100, FQ_EINVAL, "money_protected_yuan");
	attempt(f->c, id, T0, 1, "rich", 0, 0, FQ_EINVAL, "person_state");
	{
		struct fq_fraud_attempt_in a = {
		    .method = "phone", .at = T0 + HOUR_MS, .reached = 0, .now_ms = T0};
		fq_test_begin(f->c);
		assert_int_equal(fq_fraud_attempt(f->c, id, &a, NULL, NULL, &err), FQ_EINVAL);
		fq_dbc_rollback(f->c);
		assert_string_equal(err.field, "at");
	}
	/* Not reached twice, then reached about to pay, then dissuaded. */
	assert_string_equal(attempt(f->c, id, T0 + 5 * MIN_MS, 0, NULL, 0, 0, 0, NULL),
			    "not_reached");
	assert_string_equal(attempt(f->c, id, T0 + 10 * MIN_MS, 0, NULL, 0, 0, 0, NULL),
			    "not_reached");
	assert_string_equal(attempt(f->c, id, T0 + 20 * MIN_MS, 1, "about_to_pay", 0, 0, 0, NULL),
			    "contacting");
	/* A later failed call does not undo having reached them. */
	assert_string_equal(attempt(f->c, id, T0 + 25 * MIN_MS, 0, NULL, 0, 0, 0, NULL),
			    "contacting");
	assert_string_equal(
	    attempt(f->c, id, T0 + 40 * MIN_MS, 1, "about_to_pay", 1, 500000, 0, NULL),
	    "dissuaded");
	assert_int_equal(fq_fraud_json(f->c, id, 1, 0, 0, T0 + HOUR_MS, &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 5);
	assert_string_equal(json_string_value(json_object_get(j, "first_reached_at")),
			    "2026-03-01T10:20:00.000+08:00");
	assert_true(json_is_true(json_object_get(j, "reached_in_time")));
	assert_true(json_is_null(json_object_get(j, "remaining_s")));
	assert_false(json_is_true(json_object_get(j, "overdue")));
	assert_true(json_is_true(json_object_get(j, "dissuaded")));
	assert_true(json_real_value(json_object_get(j, "money_protected_yuan")) == 5000.0);
	assert_int_equal(json_array_size(json_object_get(j, "attempt_log")), 5);
	json_decref(j);
	fq_test_begin(f->c);
	assert_int_equal(fq_fraud_close(f->c, id, 0, COMMUNITY, T0 + HOUR_MS, &outcome, &err), 0);
	fq_test_commit(f->c);
	assert_string_equal(outcome, "dissuaded");
	attempt(f->c, id, T0 + 2 * HOUR_MS, 0, NULL, 0, 0, FQ_ECONFLICT, NULL);
	/* A person who had already paid. */
	fx_warning(f->c, S1, "13800000004", 2, T0, id);
	assert_string_equal(attempt(f->c, id, T0 + 3 * HOUR_MS, 1, "already_paid", 0, 0, 0, NULL),
			    "already_paid");
	assert_int_equal(fq_fraud_json(f->c, id, 0, 0, 0, T0 + 3 * HOUR_MS, &j, &err), 0);
	assert_false(json_is_true(json_object_get(j, "reached_in_time"))); /* 3 h > 2 h */
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deadline_arithmetic),
	    cmocka_unit_test_setup_teardown(test_deadline_settings, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_routing, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_validation, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_state_machine, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
