/*
 * Livelihood cases: the state machine table, the deadline defaults and the
 * overdue boundary, money in fen, opening a case (validation, steps, the
 * two-don't rule), the steps in the store with their refusals, extension
 * and reopening, transfers with acknowledgement and feedback, and the
 * escalation of overdue steps (once, to the chief, all or nothing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case.h"
#include "cases/transfer.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "unit/fq_test.h"

#define S1	"339902510000" /* station with a chief */
#define S2	"339902520000" /* station without a chief */
#define G1	"339902100001"
#define S1_PATH "/339900/339902/339902510000/"

#define CHIEF	"00000000-0000-7000-8000-000000000001"
#define OFFICER "00000000-0000-7000-8000-000000000002"
#define COMM	"00000000-0000-7000-8000-000000000003"
#define OFF2	"00000000-0000-7000-8000-000000000004"

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

#define NOW at("2026-03-01T10:00:00+08:00")

static void user(struct fq_dbc *c, const char *id, const char *name, const char *unit,
		 const char *role)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash, unit_code,"
		       " disabled, password_changed_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, 'x', ?, 0, 0, 0, 0)",
		       "tttt", id, name, name, unit) != 0 ||
	    fq_dbc_run(c, &err, NULL, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
		       id, role) != 0)
		fail_msg("user %s: %s", name, err.message);
}

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("case_machine");

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, G1, "桃园社区", "grid", S1);
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	user(f->c, CHIEF, "chief", S1, "chief");
	user(f->c, OFFICER, "officer", S1, "case_officer");
	user(f->c, COMM, "community", S1, "community_officer");
	user(f->c, OFF2, "officer2", S2, "case_officer");
	fq_test_commit(f->c);
	return 0;
}

/* ---- pure parts ---- */

static void test_state_machine_table(void **state)
{
	enum {
		A = FQ_CASE_ACCEPTED,
		I = FQ_CASE_INVESTIGATING,
		S = FQ_CASE_SOLVED,
		C = FQ_CASE_CLOSED,
		T = FQ_CASE_TRANSFERRED,
		R = FQ_CASE_REOPENED
	};
	/* want[from][step]: investigate, solve, close, transfer, reopen */
	static const int want[FQ_CASE_STATE_COUNT][FQ_CASE_STEP_COUNT] = {
	    [FQ_CASE_ACCEPTED] = {I, -1, C, T, -1},
	    [FQ_CASE_INVESTIGATING] = {-1, S, C, T, -1},
	    [FQ_CASE_SOLVED] = {-1, -1, -1, -1, R},
	    [FQ_CASE_CLOSED] = {-1, -1, -1, -1, R},
	    [FQ_CASE_TRANSFERRED] = {-1, -1, C, -1, -1},
	    [FQ_CASE_REOPENED] = {I, -1, C, T, -1},
	};
	(void)state;
	for (int s = 0; s < FQ_CASE_STATE_COUNT; s++)
		for (int k = 0; k < FQ_CASE_STEP_COUNT; k++)
			if (fq_case_step_target(s, k) != want[s][k])
				fail_msg("%s --%s--> %d, want %d", fq_case_state_code(s),
					 fq_case_step_code(k), fq_case_step_target(s, k),
					 want[s][k]);
	assert_int_equal(fq_case_state_from_code("transferred"), FQ_CASE_TRANSFERRED);
	assert_int_equal(fq_case_state_from_code("opened"), -1);
	assert_int_equal(fq_case_step_from_code("reopen"), FQ_CASE_REOPEN);
	assert_int_equal(fq_case_step_target(FQ_CASE_STATE_COUNT, FQ_CASE_CLOSE), -1);
}

static void test_types_and_deadlines(void **state)
{
	struct fq_case_deadlines d;
	(void)state;
	/* "两不办": criminal, gambling, drug and vice cases go to specialised units. */
	static const char *const transfer[] = {"burglary", "pickpocketing", "telecom_fraud",
					       "gambling", "drug_use",	    "prostitution"};
	static const char *const station[] = {"ebike_theft",  "bicycle_theft",	 "petty_theft",
					      "fraud",	      "property_damage", "assault",
					      "minor_injury", "provocation"};
	for (size_t i = 0; i < sizeof(transfer) / sizeof(transfer[0]); i++) {
		const struct fq_case_type *t = fq_case_type_find(transfer[i]);
		assert_non_null(t);
		assert_false(t->station_handles);
		assert_non_null(fq_transfer_kind_label(t->transfer_kind));
	}
	for (size_t i = 0; i < sizeof(station) / sizeof(station[0]); i++)
		assert_true(fq_case_type_find(station[i])->station_handles);
	assert_string_equal(fq_case_type_find("drug_use")->transfer_kind, "drug");
	assert_null(fq_case_type_find("murder"));
	fq_case_deadlines_default(&d);
	assert_int_equal(d.decide_ms, 3 * DAY_MS);
	assert_int_equal(d.conclude_ms, 30 * DAY_MS);
	assert_int_equal(d.extend_ms, 30 * DAY_MS);
	assert_int_equal(d.transfer_ms, 3 * DAY_MS);
	/* Overdue strictly after the deadline, never once done. */
	assert_false(fq_case_step_overdue(1000, 0, 1000));
	assert_true(fq_case_step_overdue(1000, 0, 1001));
	assert_false(fq_case_step_overdue(1000, 999, 5000));
}

static void test_money(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t fen = -1;
	(void)state;
	assert_int_equal(fq_case_yuan_to_fen(120.5, "v", &fen, &err), 0);
	assert_int_equal(fen, 12050);
	assert_int_equal(fq_case_yuan_to_fen(19.99, "v", &fen, &err), 0);
	assert_int_equal(fen, 1999);
	assert_int_equal(fq_case_yuan_to_fen(0.07, "v", &fen, &err), 0);
	assert_int_equal(fen, 7);
	assert_int_equal(fq_case_yuan_to_fen(1.234, "v", &fen, &err), FQ_EINVAL);
	assert_string_equal(err.field, "v");
	assert_int_equal(fq_case_yuan_to_fen(-1, "v", &fen, &err), FQ_EINVAL);
	assert_int_equal(fq_case_yuan_to_fen(2e9, "v", &fen, &err), FQ_EINVAL);
}

/* ---- the store ---- */

static const struct fq_case_party_in victim = {.role = "victim",
					       .name = "李秀英",
					       .phone = "138-1234-5678",
					       .id_number = "11010519491231002X"};

static void open_case(struct fq_test_store *f, const char *type, int64_t now, char id[37])
{
	struct fq_case_item_in lost[] = {{.description = "电动车", .value_fen = 300000}};
	struct fq_case_new in = {.type = type,
				 .title = "测试案件",
				 .description = "测试",
				 .method = "剪断车锁",
				 .parties = &victim,
				 .nparties = 1,
				 .lost = lost,
				 .nlost = 1,
				 .scope_path = S1_PATH,
				 .actor_unit = S1,
				 .actor_id = OFFICER,
				 .officer_id = OFFICER,
				 .now_ms = now};
	struct fq_err err = FQ_ERR_INIT;
	char number[FQ_NUMBER_MAX];

	fq_test_begin(f->c);
	if (fq_case_create(f->c, &in, id, number, &err) != 0)
		fail_msg("create: %s %s %s", err.machine, err.field, err.message);
	fq_test_commit(f->c);
}

static json_t *load(struct fq_test_store *f, const char *id, int mask, int64_t now)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *j = NULL;
	if (fq_case_json(f->c, id, 1, mask, now, &j, &err) != 0)
		fail_msg("json: %s", err.message);
	return j;
}

static json_t *step_of(json_t *c, const char *name)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(c, "steps"), i,
			   s) if (strcmp(json_string_value(json_object_get(s, "step")), name) ==
				  0) return s;
	return NULL;
}

static int take(struct fq_test_store *f, const char *id, enum fq_case_step step, const char *text,
		int64_t version, int64_t now, struct fq_err *err)
{
	struct fq_case_change ch = {.step = step,
				    .text = text,
				    .expected_version = version,
				    .actor_id = OFFICER,
				    .now_ms = now};
	int rc;

	fq_test_begin(f->c);
	rc = fq_case_transition(f->c, id, &ch, NULL, NULL, err);
	if (rc)
		fq_dbc_rollback(f->c);
	else
		fq_test_commit(f->c);
	return rc;
}

static void test_create_validation(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_case_party_in bad = victim;
	struct fq_case_new in = {.type = "ebike_theft",
				 .title = "t",
				 .description = "d",
				 .parties = &bad,
				 .nparties = 1,
				 .scope_path = S1_PATH,
				 .actor_unit = S1,
				 .actor_id = OFFICER,
				 .now_ms = NOW};
	struct fq_err err = FQ_ERR_INIT;
	char id[37], number[FQ_NUMBER_MAX];

	fq_test_begin(f->c);
	bad.phone = "12";
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.field, "parties[0].phone");
	bad.phone = NULL;
	bad.id_number = "110105194912310021";
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "id_checksum");
	assert_string_equal(err.field, "parties[0].id_number");
	bad.id_number = NULL;
	bad.role = "bystander";
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.field, "parties[0].role");
	bad.role = "victim";
	in.type = "murder";
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.field, "type");
	in.type = "ebike_theft";
	in.occurred_at = NOW + DAY_MS;
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.field, "occurred_at");
	in.occurred_at = 0;
	/* An officer of another station, or a reader, cannot be the handling officer. */
	in.officer_id = OFF2;
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_user");
	in.officer_id = COMM;
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "user_cannot_act");
	in.officer_id = NULL;
	in.unit = S2; /* outside the actor's scope */
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_unit");
	in.unit = NULL;
	assert_int_equal(fq_case_create(f->c, &in, id, number, &err), 0);
	assert_string_equal(number, "AJ-339902510000-20260301-0001");
	fq_test_commit(f->c);
}

static void test_steps_in_the_store(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char id[37];
	json_t *j;

	open_case(f, "ebike_theft", NOW, id);
	j = load(f, id, 0, NOW);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "accepted");
	assert_int_equal(json_integer_value(json_object_get(j, "lost_fen")), 300000);
	assert_string_equal(json_string_value(json_object_get(step_of(j, "decide"), "due_at")),
			    "2026-03-04T10:00:00.000+08:00");
	assert_string_equal(json_string_value(json_object_get(step_of(j, "conclude"), "due_at")),
			    "2026-03-31T10:00:00.000+08:00");
	assert_null(step_of(j, "transfer"));
	/* Parties: normalised phone, unmasked for handlers, masked otherwise. */
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "parties"), 0), "phone")),
			    "13812345678");
	json_decref(j);
	j = load(f, id, 1, NOW);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "parties"), 0), "phone")),
			    "138****5678");
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "parties"), 0), "id_number")),
			    "110105********002X");
	json_decref(j);

	/* Refusals change nothing. */
	assert_int_equal(take(f, id, FQ_CASE_SOLVE, "破案", 0, NOW, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "invalid_transition");
	assert_int_equal(take(f, id, FQ_CASE_INVESTIGATE, NULL, 7, NOW, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "stale_version");
	j = load(f, id, 0, NOW);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	json_decref(j);

	assert_int_equal(take(f, id, FQ_CASE_INVESTIGATE, NULL, 1, NOW + HOUR_MS, &err), 0);
	assert_int_equal(take(f, id, FQ_CASE_SOLVE, NULL, 0, NOW + 2 * HOUR_MS, &err), FQ_EINVAL);
	assert_string_equal(err.field, "result");
	assert_int_equal(take(f, id, FQ_CASE_SOLVE, "抓获", 0, NOW + 2 * HOUR_MS, &err), 0);
	j = load(f, id, 0, NOW + 40 * DAY_MS);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "solved");
	/* Done steps are never overdue. */
	assert_false(json_is_true(json_object_get(j, "overdue")));
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	json_decref(j);

	/* Reopen: a new 30-day period from the reopening; extend once by 30 days. */
	assert_int_equal(take(f, id, FQ_CASE_REOPEN, NULL, 0, NOW + DAY_MS, &err), FQ_EINVAL);
	assert_int_equal(take(f, id, FQ_CASE_REOPEN, "新线索", 0, NOW + DAY_MS, &err), 0);
	fq_test_begin(f->c);
	assert_int_equal(fq_case_extend(f->c, id, "鉴定", OFFICER, NOW + DAY_MS, &err), 0);
	assert_int_equal(fq_case_extend(f->c, id, "再延", OFFICER, NOW + DAY_MS, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "already_extended");
	fq_test_commit(f->c);
	j = load(f, id, 0, NOW + DAY_MS);
	assert_string_equal(json_string_value(json_object_get(step_of(j, "conclude"), "due_at")),
			    "2026-05-01T10:00:00.000+08:00"); /* 2 March + 30 + 30 days */
	assert_true(json_is_null(json_object_get(step_of(j, "conclude"), "done_at")));
	json_decref(j);
}

static void test_transfer_flow(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	json_t *items = json_pack("[s]", "赌资");
	struct fq_transfer_new in = {.receiver_name = "治安大队",
				     .receiver_kind = "public_order",
				     .items = items,
				     .scope_path = S1_PATH,
				     .actor_unit = S1,
				     .actor_id = OFFICER};
	char id[37], tid[37], tid2[37], number[FQ_NUMBER_MAX];
	json_t *j;

	open_case(f, "gambling", NOW, id);
	/* "两不办": the station may look into it but not solve it. */
	assert_int_equal(take(f, id, FQ_CASE_INVESTIGATE, NULL, 0, NOW + 60000, &err), 0);
	assert_int_equal(take(f, id, FQ_CASE_SOLVE, "自行处理", 0, NOW + 120000, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "must_transfer");
	j = load(f, id, 0, NOW);
	assert_non_null(step_of(j, "transfer"));
	assert_null(step_of(j, "conclude"));
	assert_string_equal(json_string_value(json_object_get(step_of(j, "transfer"), "due_at")),
			    "2026-03-04T10:00:00.000+08:00");
	json_decref(j);
	in.case_id = id;
	in.now_ms = NOW + HOUR_MS;
	fq_test_begin(f->c);
	assert_int_equal(fq_transfer_create(f->c, &in, tid, number, &err), 0);
	assert_string_equal(number, "YJ-339902510000-20260301-0001");
	/* Twice is refused by the case's state machine. */
	assert_int_equal(fq_transfer_create(f->c, &in, tid2, number, &err), FQ_ECONFLICT);
	fq_test_commit(f->c);
	assert_int_equal(take(f, id, FQ_CASE_CLOSE, "x", 0, NOW, &err), FQ_ECONFLICT);
	fq_test_begin(f->c);
	assert_string_equal(err.machine, "awaiting_feedback");
	assert_int_equal(fq_transfer_feedback(f->c, tid, "已处理", 0, 0, OFFICER, NOW, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "not_acknowledged");
	assert_int_equal(
	    fq_transfer_acknowledge(f->c, tid, "孙警官", 0, 1, OFFICER, NOW + 2 * HOUR_MS, &err),
	    0);
	assert_int_equal(fq_transfer_feedback(f->c, tid, "已处理", 0, 1, OFFICER, NOW, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "stale_version");
	assert_int_equal(fq_transfer_feedback(f->c, tid, "已处理", 0, 2, OFFICER, NOW, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(take(f, id, FQ_CASE_CLOSE, "已反馈", 0, NOW + 3 * HOUR_MS, &err), 0);
	j = load(f, id, 0, NOW + 10 * DAY_MS);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "closed");
	assert_false(json_is_true(json_object_get(j, "overdue")));
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "transfers"), 0), "status")),
			    "done");
	json_decref(j);
	json_decref(items);
}

static int count_escalations(void *arg, struct fq_dbc *c, const struct fq_case_escalation *e,
			     struct fq_err *err)
{
	(void)c;
	(void)err;
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s?}", "case", e->case_id, "step",
					     e->step, "chief", e->chief_id));
	return 0;
}

static int failing(void *arg, struct fq_dbc *c, const struct fq_case_escalation *e,
		   struct fq_err *err)
{
	(void)arg;
	(void)c;
	(void)e;
	return fq_err_set(err, FQ_EINTERNAL, NULL, NULL, "audit failed");
}

static void test_escalation(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	json_t *seen = json_array(), *j;
	char a[37], b[37];
	int n = -1;

	open_case(f, "ebike_theft", NOW, a);
	open_case(f, "assault", NOW + DAY_MS, b);
	/* At the deadline nothing is overdue. */
	assert_int_equal(
	    fq_case_escalate_overdue(f->c, NOW + 3 * DAY_MS, count_escalations, seen, &n, &err), 0);
	assert_int_equal(n, 0);
	/* A failing audit rolls everything back. */
	assert_int_equal(
	    fq_case_escalate_overdue(f->c, NOW + 3 * DAY_MS + 1, failing, NULL, &n, &err),
	    FQ_EINTERNAL);
	assert_int_equal(
	    fq_case_escalate_overdue(f->c, NOW + 3 * DAY_MS + 1, count_escalations, seen, &n, &err),
	    0);
	assert_int_equal(n, 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(seen, 0), "case")), a);
	assert_string_equal(json_string_value(json_object_get(json_array_get(seen, 0), "step")),
			    "decide");
	assert_string_equal(json_string_value(json_object_get(json_array_get(seen, 0), "chief")),
			    CHIEF);
	/* Once only. */
	assert_int_equal(
	    fq_case_escalate_overdue(f->c, NOW + 3 * DAY_MS + 2, count_escalations, seen, &n, &err),
	    0);
	assert_int_equal(n, 0);
	j = load(f, a, 0, NOW + 3 * DAY_MS + 2);
	assert_true(json_is_true(json_object_get(j, "overdue")));
	assert_true(json_is_string(json_object_get(step_of(j, "decide"), "escalated_at")));
	assert_true(json_is_true(json_object_get(step_of(j, "decide"), "overdue")));
	json_decref(j);
	json_decref(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_machine_table),
	    cmocka_unit_test(test_types_and_deadlines),
	    cmocka_unit_test(test_money),
	    cmocka_unit_test_setup_teardown(test_create_validation, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_steps_in_the_store, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_transfer_flow, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_escalation, setup, fq_test_store_teardown),
	};

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
