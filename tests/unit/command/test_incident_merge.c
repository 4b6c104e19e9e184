/*
 * Operators' merge and split in the store (command/incident_merge.h): what
 * moves, the counts and times recomputed, the decision rows and timeline
 * events, the merged incident's final state, and every refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "command/incident.h"
#include "command/incident_merge.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/db.h"
#include "unit/fq_test.h"

#define S1    "339902510000"
#define S2    "339902520000"
#define ACTOR "00000000-0000-7000-8000-000000000001"
#define T0    1772330400000LL /* 2026-03-01T10:00:00+08:00 */
#define MIN   60000LL

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("incident-merge");
	struct fq_err err = FQ_ERR_INIT;

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	assert_int_equal(
	    fq_dbc_run(f->c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash,"
		       " unit_code, disabled, password_changed_at, created_at, updated_at)"
		       " VALUES (?, 'op', '李晓燕', 'x', ?, 0, 0, 0, 0)",
		       "tt", ACTOR, S1),
	    0);
	fq_test_commit(f->c);
	return 0;
}

/* A new incident of station with one alert per entry of at[] (n of them); fills id. */
static void incident(struct fq_dbc *c, const char *station, const int64_t *at, int n, char id[37],
		     char alert_ids[][37])
{
	struct fq_incident_new ni = {.unit_code = station,
				     .category = "public_order.fight",
				     .priority = 2,
				     .has_location = 1,
				     .lat = 29.7,
				     .lon = 120.2,
				     .address = "桃园路8号",
				     .received_at = at[0],
				     .actor_id = ACTOR};
	struct fq_err err = FQ_ERR_INIT;
	char number[FQ_NUMBER_MAX];

	fq_test_begin(c);
	assert_int_equal(fq_incident_create(c, &ni, id, number, NULL, &err), 0);
	for (int i = 0; i < n; i++) {
		char aid[37], anum[64];
		fq_uuid7_str(aid);
		snprintf(anum, sizeof(anum), "JJ-%s-%d", aid, i);
		if (fq_dbc_run(
			c, &err, NULL,
			"INSERT INTO alert (id, number, incident_id, unit_code, received_at,"
			" source, caller_phone_norm, lat, lon, category, priority, description,"
			" description_norm, created_at) VALUES (?, ?, ?, ?, ?, 'phone_110', '',"
			" 29.7, 120.2, 'public_order.fight', 2, '打架', '打架', 0)",
			"tttti", aid, anum, id, station, at[i]) != 0)
			fail_msg("alert: %s", err.message);
		assert_int_equal(fq_incident_add_alert(c, id, at[i], NULL, &err), 0);
		if (alert_ids)
			snprintf(alert_ids[i], 37, "%s", aid);
	}
	fq_test_commit(c);
}

static int64_t num(struct fq_dbc *c, const char *sql, const char *id)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t v = -1;

	assert_int_equal(fq_dbc_query(c, &err, &st, sql, "t", id), 0);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW)
		v = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return v;
}

static const char *text(struct fq_dbc *c, const char *sql, const char *id, char *out, size_t cap)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;

	out[0] = '\0';
	assert_int_equal(fq_dbc_query(c, &err, &st, sql, "t", id), 0);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW && fq_stmt_text(st, 0))
		snprintf(out, cap, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	return out;
}

static void test_merge_moves_everything_and_closes_the_other(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	const int64_t a_at[] = {T0, T0 + 10 * MIN}, b_at[] = {T0 - 5 * MIN, T0 + 30 * MIN};
	char a[37], b[37], buf[128];
	int64_t moved = 0, version = 0;
	enum fq_incident_state from;
	struct fq_incident_change ch = {.to = FQ_INCIDENT_REOPENED, .actor_id = ACTOR};

	incident(f->c, S1, a_at, 2, a, NULL);
	incident(f->c, S1, b_at, 2, b, NULL);
	assert_int_equal(fq_dbc_run(f->c, &err, NULL,
				    "UPDATE incident SET repeat_place = 1 WHERE id = ?", "t", b),
			 0);
	version = num(f->c, "SELECT version FROM incident WHERE id = ?", a);

	fq_test_begin(f->c);
	assert_int_equal(fq_incident_merge(f->c, a, b, version, "同一事件", ACTOR, &moved, &err),
			 0);
	fq_test_commit(f->c);
	assert_int_equal(moved, 2);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", a), 4);
	assert_int_equal(num(f->c, "SELECT COUNT(*) FROM alert WHERE incident_id = ?", a), 4);
	assert_int_equal(num(f->c, "SELECT first_received_at FROM incident WHERE id = ?", a),
			 T0 - 5 * MIN);
	assert_int_equal(num(f->c, "SELECT last_received_at FROM incident WHERE id = ?", a),
			 T0 + 30 * MIN);
	assert_int_equal(num(f->c, "SELECT repeat_place FROM incident WHERE id = ?", a), 1);
	assert_true(num(f->c, "SELECT version FROM incident WHERE id = ?", a) > version);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", b), 0);
	assert_string_equal(
	    text(f->c, "SELECT state FROM incident WHERE id = ?", b, buf, sizeof(buf)), "closed");
	assert_string_equal(
	    text(f->c, "SELECT close_reason FROM incident WHERE id = ?", b, buf, sizeof(buf)),
	    "merged");
	assert_string_equal(
	    text(f->c, "SELECT merged_into FROM incident WHERE id = ?", b, buf, sizeof(buf)), a);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM merge_decision WHERE incident_id = ?"
			     " AND decision = 'manual_merge' AND automatic = 0"
			     " AND reasons = '[\"同一事件\"]'",
			     a),
			 2);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM incident_event WHERE incident_id = ? AND kind = "
			     "'merge'",
			     a),
			 1);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM incident_event WHERE incident_id = ? AND kind = "
			     "'merge' AND to_state = 'closed'",
			     b),
			 1);

	/* Final: no transition, no second merge either way. */
	fq_test_begin(f->c);
	assert_int_equal(fq_incident_transition(f->c, b, &ch, &from, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "incident_merged");
	assert_int_equal(fq_incident_merge(f->c, a, b, 0, "x", ACTOR, NULL, &err), FQ_ECONFLICT);
	assert_string_equal(err.field, "from_incident_id");
	assert_int_equal(fq_incident_merge(f->c, b, a, 0, "x", ACTOR, NULL, &err), FQ_ECONFLICT);
	fq_dbc_rollback(f->c);
}

static void test_merge_refusals(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	const int64_t at[] = {T0};
	char a[37], b[37], other[37];

	incident(f->c, S1, at, 1, a, NULL);
	incident(f->c, S1, at, 1, b, NULL);
	incident(f->c, S2, at, 1, other, NULL);
	fq_test_begin(f->c);
	assert_int_equal(fq_incident_merge(f->c, a, a, 0, "x", ACTOR, NULL, &err), FQ_EUNPROC);
	assert_string_equal(err.machine, "same_incident");
	assert_int_equal(fq_incident_merge(f->c, a, other, 0, "x", ACTOR, NULL, &err), FQ_EUNPROC);
	assert_string_equal(err.machine, "different_station");
	assert_int_equal(fq_incident_merge(f->c, a, b, 99, "x", ACTOR, NULL, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "stale_version");
	assert_int_equal(fq_incident_merge(f->c, a, b, 0, " \n", ACTOR, NULL, &err), FQ_EINVAL);
	assert_string_equal(err.field, "reason");
	assert_int_equal(fq_incident_merge(f->c, a, b, 0, NULL, ACTOR, NULL, &err), FQ_EINVAL);
	assert_int_equal(fq_incident_merge(f->c, a, "nope", 0, "x", ACTOR, NULL, &err),
			 FQ_ENOTFOUND);
	assert_string_equal(err.field, "from_incident_id");
	fq_dbc_rollback(f->c);
	/* Nothing moved. */
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", b), 1);
}

static void test_split_to_a_new_incident_and_into_another(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	const int64_t at[] = {T0, T0 + 5 * MIN, T0 + 9 * MIN};
	char a[37], alerts[3][37], into[37], from[37], into2[37], buf[128];

	incident(f->c, S1, at, 3, a, alerts);
	/* The last alert to a new incident: a's last time goes back to the second alert's. */
	fq_test_begin(f->c);
	assert_int_equal(
	    fq_incident_split(f->c, alerts[2], NULL, "另一起", ACTOR, into, from, &err), 0);
	fq_test_commit(f->c);
	assert_string_equal(from, a);
	assert_string_not_equal(into, a);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", a), 2);
	assert_int_equal(num(f->c, "SELECT last_received_at FROM incident WHERE id = ?", a),
			 T0 + 5 * MIN);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", into), 1);
	assert_int_equal(num(f->c, "SELECT first_received_at FROM incident WHERE id = ?", into),
			 T0 + 9 * MIN);
	assert_string_equal(
	    text(f->c, "SELECT state FROM incident WHERE id = ?", into, buf, sizeof(buf)),
	    "received");
	assert_string_equal(
	    text(f->c, "SELECT category FROM incident WHERE id = ?", into, buf, sizeof(buf)),
	    "public_order.fight");
	assert_string_equal(
	    text(f->c, "SELECT incident_id FROM alert WHERE id = ?", alerts[2], buf, sizeof(buf)),
	    into);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM merge_decision WHERE alert_id = ?"
			     " AND decision = 'split' AND automatic = 0",
			     alerts[2]),
			 1);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM incident_event WHERE incident_id = ? AND kind = "
			     "'split'",
			     a),
			 1);

	/* The only alert of the new incident, without a target: refused. */
	fq_test_begin(f->c);
	assert_int_equal(fq_incident_split(f->c, alerts[2], NULL, "x", ACTOR, into2, from, &err),
			 FQ_EUNPROC);
	assert_string_equal(err.machine, "only_alert");
	assert_int_equal(fq_incident_split(f->c, alerts[2], into, "x", ACTOR, into2, from, &err),
			 FQ_EUNPROC);
	assert_string_equal(err.machine, "same_incident");
	assert_int_equal(fq_incident_split(f->c, alerts[2], "nope", "x", ACTOR, into2, from, &err),
			 FQ_ENOTFOUND);
	assert_int_equal(fq_incident_split(f->c, "nope", NULL, "x", ACTOR, into2, from, &err),
			 FQ_ENOTFOUND);
	/* ... but into a, it goes, and the incident left empty ends merged into a. */
	assert_int_equal(fq_incident_split(f->c, alerts[2], a, "x", ACTOR, into2, from, &err), 0);
	fq_test_commit(f->c);
	assert_string_equal(into2, a);
	assert_string_equal(from, into);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", a), 3);
	assert_int_equal(num(f->c, "SELECT last_received_at FROM incident WHERE id = ?", a),
			 T0 + 9 * MIN);
	assert_string_equal(
	    text(f->c, "SELECT merged_into FROM incident WHERE id = ?", into, buf, sizeof(buf)), a);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", into), 0);
}

static int64_t row_int(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);

	assert_non_null(v);
	return json_integer_value(v);
}

static void assert_row_time(json_t *row, const char *key, int64_t ms)
{
	char want[FQ_RFC3339_MAX];

	fq_time_format_cst(ms, want);
	assert_string_equal(json_string_value(json_object_get(row, key)), want);
}

/* The counters an alert moves, and the rows both calls answer, against the stored incident. */
static void test_alert_counters(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_incident_new ni = {.unit_code = S1,
				     .category = "public_order.fight",
				     .priority = 2,
				     .received_at = T0,
				     .actor_id = ACTOR,
				     .first_alert = 1};
	struct fq_err err = FQ_ERR_INIT;
	char id[37], number[FQ_NUMBER_MAX];
	json_t *row = NULL;

	fq_test_begin(f->c);
	assert_int_equal(fq_incident_create(f->c, &ni, id, number, &row, &err), 0);
	fq_test_commit(f->c);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "id")), id);
	assert_string_equal(json_string_value(json_object_get(row, "number")), number);
	assert_int_equal(row_int(row, "alert_count"), 1);
	assert_int_equal(row_int(row, "version"), 1);
	assert_row_time(row, "first_received_at", T0);
	assert_row_time(row, "last_received_at", T0);
	json_decref(row);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", id), 1);

	/* A later report moves last_received_at only. */
	assert_int_equal(fq_incident_add_alert(f->c, id, T0 + 10 * MIN, &row, &err), 0);
	assert_int_equal(row_int(row, "alert_count"), 2);
	assert_int_equal(row_int(row, "version"), 2);
	assert_row_time(row, "first_received_at", T0);
	assert_row_time(row, "last_received_at", T0 + 10 * MIN);
	json_decref(row);

	/* A late caller reporting an earlier time moves first_received_at, in the row too. */
	assert_int_equal(fq_incident_add_alert(f->c, id, T0 - 5 * MIN, &row, &err), 0);
	assert_int_equal(row_int(row, "alert_count"), 3);
	assert_int_equal(row_int(row, "version"), 3);
	assert_row_time(row, "first_received_at", T0 - 5 * MIN);
	assert_row_time(row, "last_received_at", T0 + 10 * MIN);
	json_decref(row);
	assert_int_equal(num(f->c, "SELECT first_received_at FROM incident WHERE id = ?", id),
			 T0 - 5 * MIN);
	assert_int_equal(num(f->c, "SELECT last_received_at FROM incident WHERE id = ?", id),
			 T0 + 10 * MIN);
	/* The indexes holding first_received_at see the moved time (the only incident). */
	assert_int_equal(num(f->c,
			     "SELECT MIN(first_received_at) FROM incident INDEXED BY"
			     " incident_unit_time WHERE unit_code = ?",
			     S1),
			 T0 - 5 * MIN);
	assert_int_equal(num(f->c,
			     "SELECT MIN(first_received_at) FROM incident INDEXED BY"
			     " incident_unit_state WHERE unit_code = ? AND state = 'received'",
			     S1),
			 T0 - 5 * MIN);

	/* Without a row asked for, the same counting. */
	assert_int_equal(fq_incident_add_alert(f->c, id, T0 + 20 * MIN, NULL, &err), 0);
	assert_int_equal(num(f->c, "SELECT alert_count FROM incident WHERE id = ?", id), 4);

	/* An unknown incident. */
	assert_int_equal(fq_incident_add_alert(f->c, "no-such-incident", T0, &row, &err),
			 FQ_ENOTFOUND);
	assert_null(row);
	assert_string_equal(err.field, "incident_id");
}

/*
 * Alerts as intake writes them: the first of the incident new, the others merged by the engine,
 * each decision and "alert" timeline entry held in the alert row (migration 0019).
 */
static void as_intake_wrote(struct fq_dbc *c, const char *incident_id)
{
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(c);
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "UPDATE alert SET created_by = ?2, created_at = received_at,"
		       " intake_decision = CASE WHEN received_at = (SELECT MIN(received_at)"
		       " FROM alert WHERE incident_id = ?1) THEN 'new' ELSE 'merged' END,"
		       " intake_kind = CASE WHEN received_at = (SELECT MIN(received_at) FROM alert"
		       " WHERE incident_id = ?1) THEN NULL ELSE 'same_event' END,"
		       " intake_score = 0.9, intake_reasons = '[\"相距 50 米\"]'"
		       " WHERE incident_id = ?1",
		       "tt", incident_id, ACTOR),
	    0);
	fq_test_commit(c);
}

static int64_t num2(struct fq_dbc *c, const char *sql, const char *a, const char *b)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t v = -1;

	assert_int_equal(fq_dbc_query(c, &err, &st, sql, "tt", a, b), 0);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW)
		v = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return v;
}

/*
 * An alert moved by a split or a merge leaves its intake decision and its "alert" timeline entry
 * with the incident it joined at intake, once each, as before 0019; alerts not moved keep
 * theirs in their rows.
 */
static void test_moves_keep_intake_rows_with_their_incident(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	const int64_t a_at[] = {T0, T0 + 5 * MIN, T0 + 9 * MIN}, b_at[] = {T0 + MIN, T0 + 2 * MIN};
	char a[37], b[37], a_alerts[3][37], b_alerts[2][37], into[37], from[37], number[128];

	incident(f->c, S1, a_at, 3, a, a_alerts);
	incident(f->c, S1, b_at, 2, b, b_alerts);
	as_intake_wrote(f->c, a);
	as_intake_wrote(f->c, b);
	assert_int_equal(
	    num(f->c, "SELECT COUNT(*) FROM merge_decision_all WHERE incident_id = ?", a), 3);
	assert_int_equal(
	    num(f->c,
		"SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ? AND kind = 'alert'",
		a),
	    3);

	fq_test_begin(f->c);
	assert_int_equal(
	    fq_incident_split(f->c, a_alerts[2], NULL, "另一起", ACTOR, into, from, &err), 0);
	fq_test_commit(f->c);
	/* The engine's decision stays with a, the split goes with the new incident. */
	assert_int_equal(num2(f->c,
			      "SELECT COUNT(*) FROM merge_decision_all WHERE alert_id = ?1"
			      " AND incident_id = ?2 AND decision = 'merged' AND automatic = 1"
			      " AND kind = 'same_event' AND score = 0.9"
			      " AND reasons = '[\"相距 50 米\"]' AND decided_by IS NULL"
			      " AND decided_at = (SELECT received_at FROM alert WHERE id = ?1)",
			      a_alerts[2], a),
			 1);
	assert_int_equal(
	    num(f->c, "SELECT COUNT(*) FROM merge_decision_all WHERE alert_id = ?", a_alerts[2]),
	    2);
	assert_int_equal(num2(f->c,
			      "SELECT COUNT(*) FROM merge_decision_all WHERE alert_id = ?1"
			      " AND incident_id = ?2 AND decision = 'split'",
			      a_alerts[2], into),
			 1);
	assert_int_equal(
	    num(f->c, "SELECT COUNT(*) FROM merge_decision_all WHERE incident_id = ?", a), 3);
	assert_int_equal(
	    num(f->c, "SELECT COUNT(*) FROM merge_decision_all WHERE incident_id = ?", into), 1);
	/* a's timeline still lists all three alerts; the new one's lists none. */
	text(f->c, "SELECT number FROM alert WHERE id = ?", a_alerts[2], number, sizeof(number));
	assert_int_equal(num2(f->c,
			      "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ?1"
			      " AND kind = 'alert' AND note = ?2",
			      a, number),
			 1);
	assert_int_equal(
	    num(f->c,
		"SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ? AND kind = 'alert'",
		a),
	    3);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ?"
			     " AND kind = 'alert'",
			     into),
			 0);
	/* Only the moved alert's row let go of its decision. */
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM alert WHERE incident_id = ?"
			     " AND intake_decision IS NOT NULL",
			     a),
			 2);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM alert WHERE id = ? AND intake_decision IS NULL",
			     a_alerts[2]),
			 1);

	/* Merge b into a: b keeps both intake decisions and timeline entries. */
	fq_test_begin(f->c);
	assert_int_equal(fq_incident_merge(f->c, a, b, 0, "同一事件", ACTOR, NULL, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM merge_decision_all WHERE incident_id = ?"
			     " AND decision IN ('new', 'merged')",
			     b),
			 2);
	assert_int_equal(
	    num(f->c, "SELECT COUNT(*) FROM merge_decision_all WHERE incident_id = ?", b), 2);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM merge_decision_all WHERE incident_id = ?"
			     " AND decision = 'manual_merge'",
			     a),
			 2);
	assert_int_equal(
	    num(f->c,
		"SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ? AND kind = 'alert'",
		b),
	    2);
	assert_int_equal(
	    num(f->c,
		"SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ? AND kind = 'alert'",
		a),
	    3);
	for (int i = 0; i < 2; i++)
		assert_int_equal(num(f->c,
				     "SELECT COUNT(*) FROM incident_timeline WHERE id = ?"
				     " AND kind = 'alert'",
				     b_alerts[i]),
				 1);
	/* a now holds its own two alerts, still with their decisions, and b's two, without. */
	assert_int_equal(
	    num(f->c,
		"SELECT COUNT(*) FROM alert WHERE incident_id = ? AND intake_decision IS NULL", a),
	    2);
	assert_int_equal(num(f->c,
			     "SELECT COUNT(*) FROM alert WHERE incident_id = ?"
			     " AND intake_decision IS NOT NULL",
			     a),
			 2);
}

/* An incident created at the caller's clock reading: its row and its timeline's first entry. */
static void test_created_at_the_callers_time(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_incident_new ni = {.unit_code = S1,
				     .category = "public_order.fight",
				     .priority = 2,
				     .received_at = T0,
				     .actor_id = ACTOR,
				     .now_ms = T0 + 123};
	char id[37], number[FQ_NUMBER_MAX];

	fq_test_begin(f->c);
	assert_int_equal(fq_incident_create(f->c, &ni, id, number, NULL, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(num(f->c, "SELECT created_at FROM incident WHERE id = ?", id), T0 + 123);
	assert_int_equal(num(f->c,
			     "SELECT at FROM incident_timeline WHERE incident_id = ?"
			     " AND kind = 'transition' AND from_state IS NULL"
			     " AND to_state = 'received'",
			     id),
			 T0 + 123);
	assert_int_equal(num2(f->c,
			      "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ?1"
			      " AND by_user = ?2",
			      id, ACTOR),
			 1);
	assert_int_equal(num(f->c, "SELECT COUNT(*) FROM incident_event WHERE incident_id = ?", id),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_merge_moves_everything_and_closes_the_other, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_merge_refusals, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_created_at_the_callers_time, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_moves_keep_intake_rows_with_their_incident, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_alert_counters, setup, fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_split_to_a_new_incident_and_into_another, setup,
					    fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
