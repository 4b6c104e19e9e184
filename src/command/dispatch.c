/*
 * Dispatch: the configuration, dispatches and their steps, and response
 * times (command/dispatch.h). Response units and positions are in
 * response_unit.c, ranking and coverage in dispatch_rank.c.
 */
#include "command/dispatch.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/banned.h"

/* ---- configuration ---- */

static struct {
	pthread_mutex_t lock;
	int set;
	struct fq_dispatch_config cfg;
} config = {.lock = PTHREAD_MUTEX_INITIALIZER};

void fq_dispatch_config_init(struct fq_dispatch_config *cfg)
{
	fq_eta_config_init(&cfg->eta);
	cfg->unacknowledged_s = FQ_DISPATCH_UNACK_DEFAULT_S;
}

void fq_dispatch_config_get(struct fq_dispatch_config *out)
{
	pthread_mutex_lock(&config.lock);
	if (!config.set) {
		fq_dispatch_config_init(&config.cfg);
		config.set = 1;
	}
	*out = config.cfg;
	pthread_mutex_unlock(&config.lock);
}

int fq_dispatch_config_set(const struct fq_dispatch_config *cfg, struct fq_err *err)
{
	if (cfg->unacknowledged_s < 0 || cfg->unacknowledged_s > FQ_DISPATCH_UNACK_MAX_S)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "unacknowledged_s",
				  "unacknowledged_s 应在 0 到 %d 秒之间", FQ_DISPATCH_UNACK_MAX_S);
	pthread_mutex_lock(&config.lock);
	config.cfg = *cfg;
	config.set = 1;
	pthread_mutex_unlock(&config.lock);
	return 0;
}

const struct fq_dispatch_config *fq__dispatch_config(const struct fq_dispatch_config *cfg,
						     struct fq_dispatch_config *copy)
{
	if (cfg)
		return cfg;
	fq_dispatch_config_get(copy);
	return copy;
}

/* ---- helpers ---- */

json_t *fq__dispatch_time_json(struct fq_stmt *st, int col)
{
	char buf[FQ_RFC3339_MAX];
	if (fq_stmt_is_null(st, col))
		return json_null();
	fq_time_format_cst(fq_stmt_int(st, col), buf);
	return json_string(buf);
}

static json_t *ms_json(int64_t ms)
{
	char buf[FQ_RFC3339_MAX];
	if (ms == FQ_DISPATCH_NO_TIME)
		return json_null();
	fq_time_format_cst(ms, buf);
	return json_string(buf);
}

json_t *fq__dispatch_text_json(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	return s ? json_string(s) : json_null();
}

int64_t fq__dispatch_int_or_none(struct fq_stmt *st, int col)
{
	return fq_stmt_is_null(st, col) ? FQ_DISPATCH_NO_TIME : fq_stmt_int(st, col);
}

int fq__dispatch_blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

int fq__dispatch_check_chars(const char *s, size_t max, const char *field, struct fq_err *err)
{
	if (s && fq_utf8_chars(s) > max)
		return fq_err_set(err, FQ_EINVAL, "too_long", field, "字段 %s 超过 %zu 个字符",
				  field, max);
	return 0;
}

/* One row of "SELECT COUNT(*) ..." into *n. */
int fq__dispatch_count(struct fq_stmt *st, int64_t *n, struct fq_err *err)
{
	int rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		*n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* ---- dispatch states and steps ---- */

static const struct {
	const char *code;
	const char *label;
} dispatch_states[FQ_DISPATCH_STATE_COUNT] = {
    [FQ_DISPATCH_DISPATCHED] = {"dispatched", "已派"},
    [FQ_DISPATCH_ACKNOWLEDGED] = {"acknowledged", "已接令"},
    [FQ_DISPATCH_EN_ROUTE] = {"en_route", "在途"},
    [FQ_DISPATCH_ON_SCENE] = {"on_scene", "到场"},
    [FQ_DISPATCH_CLEARED] = {"cleared", "已结束"},
    [FQ_DISPATCH_CANCELLED] = {"cancelled", "已取消"},
};

const char *fq_dispatch_state_code(enum fq_dispatch_state s)
{
	return (unsigned)s < FQ_DISPATCH_STATE_COUNT ? dispatch_states[s].code : NULL;
}

const char *fq_dispatch_state_label(enum fq_dispatch_state s)
{
	return (unsigned)s < FQ_DISPATCH_STATE_COUNT ? dispatch_states[s].label : NULL;
}

int fq_dispatch_state_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_DISPATCH_STATE_COUNT; s++)
		if (strcmp(dispatch_states[s].code, code) == 0)
			return s;
	return -1;
}

/*
 * Per step: its code and label, the state it leads to, the column it
 * stamps (in the UPDATE), and the unit's status afterwards (-1: unchanged).
 */
static const struct {
	const char *code;
	const char *label;
	enum fq_dispatch_state to;
	const char *sql;
	int unit_status;
} steps[FQ_DISPATCH_STEP_COUNT] = {
#define STEP_SQL(col)                                                                              \
	"UPDATE dispatch SET state = ?, " col " = ?, note = COALESCE(?, note), updated_at = ?,"    \
	" updated_by = ?, version = version + 1 WHERE id = ? AND version = ?"
    [FQ_DISPATCH_STEP_ACKNOWLEDGE] = {"acknowledge", "接令", FQ_DISPATCH_ACKNOWLEDGED,
				      STEP_SQL("acknowledged_at"), -1},
    [FQ_DISPATCH_STEP_EN_ROUTE] = {"en_route", "出发", FQ_DISPATCH_EN_ROUTE,
				   STEP_SQL("en_route_at"), FQ_RESPONSE_UNIT_EN_ROUTE},
    [FQ_DISPATCH_STEP_ON_SCENE] = {"on_scene", "到场", FQ_DISPATCH_ON_SCENE,
				   STEP_SQL("on_scene_at"), FQ_RESPONSE_UNIT_ON_SCENE},
    [FQ_DISPATCH_STEP_CLEAR] = {"clear", "结束", FQ_DISPATCH_CLEARED, STEP_SQL("cleared_at"),
				FQ_RESPONSE_UNIT_AVAILABLE},
    [FQ_DISPATCH_STEP_CANCEL] = {"cancel", "取消", FQ_DISPATCH_CANCELLED, STEP_SQL("cancelled_at"),
				 FQ_RESPONSE_UNIT_AVAILABLE},
#undef STEP_SQL
};

const char *fq_dispatch_step_code(enum fq_dispatch_step step)
{
	return (unsigned)step < FQ_DISPATCH_STEP_COUNT ? steps[step].code : NULL;
}

int fq_dispatch_step_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_DISPATCH_STEP_COUNT; s++)
		if (strcmp(steps[s].code, code) == 0)
			return s;
	return -1;
}

enum fq_dispatch_state fq_dispatch_step_target(enum fq_dispatch_step step)
{
	return (unsigned)step < FQ_DISPATCH_STEP_COUNT ? steps[step].to : FQ_DISPATCH_STATE_COUNT;
}

int fq_dispatch_step_allowed(enum fq_dispatch_step step, enum fq_dispatch_state from)
{
	switch (step) {
	case FQ_DISPATCH_STEP_ACKNOWLEDGE:
		return from == FQ_DISPATCH_DISPATCHED;
	case FQ_DISPATCH_STEP_EN_ROUTE:
		return from == FQ_DISPATCH_ACKNOWLEDGED;
	case FQ_DISPATCH_STEP_ON_SCENE:
		return from == FQ_DISPATCH_EN_ROUTE;
	case FQ_DISPATCH_STEP_CLEAR:
		return from == FQ_DISPATCH_ON_SCENE;
	case FQ_DISPATCH_STEP_CANCEL:
		return from == FQ_DISPATCH_DISPATCHED || from == FQ_DISPATCH_ACKNOWLEDGED ||
		       from == FQ_DISPATCH_EN_ROUTE;
	default:
		return 0;
	}
}

/* ---- dispatching ---- */

static int incident_state(struct fq_dbc *c, const char *id, enum fq_incident_state *state,
			  char station[FQ_UNIT_CODE_MAX], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT state, unit_code FROM incident WHERE id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		int s = fq_incident_state_from_code(fq_stmt_text(st, 0));
		*state = s < 0 ? FQ_INCIDENT_CLOSED : (enum fq_incident_state)s;
		if (station)
			snprintf(station, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 1));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "警情事件不存在");
	}
	fq_stmt_done(st);
	return rc;
}

/* Move the incident one state on and remember it in moves. */
static int incident_move(struct fq_dbc *c, const char *incident_id, enum fq_incident_state to,
			 const char *note, const char *actor_id,
			 struct fq_dispatch_incident_moves *moves, struct fq_err *err)
{
	struct fq_incident_change ch = {.to = to, .note = note, .actor_id = actor_id};
	enum fq_incident_state from;
	int rc = fq_incident_transition(c, incident_id, &ch, &from, err);

	if (!rc && moves->count < 2) {
		moves->from[moves->count] = from;
		moves->to[moves->count] = to;
		moves->count++;
	}
	return rc;
}

static int dispatchable_incident(enum fq_incident_state s)
{
	return s == FQ_INCIDENT_RECEIVED || s == FQ_INCIDENT_REOPENED ||
	       s == FQ_INCIDENT_DISPATCHED || s == FQ_INCIDENT_EN_ROUTE ||
	       s == FQ_INCIDENT_ON_SCENE;
}

struct picked_unit {
	char call_sign[FQ_DISPATCH_CALL_SIGN_BYTES];
};

/* Check units[i] for a dispatch to an incident of station; call_sign receives its call sign. */
static int check_unit(struct fq_dbc *c, const char *id, size_t i, const char *station,
		      char call_sign[FQ_DISPATCH_CALL_SIGN_BYTES], struct fq_err *err)
{
	char field[32];
	struct fq_stmt *st;
	int status = -1, found = 0, rc;

	snprintf(field, sizeof(field), "units[%zu]", i);
	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", field, "%s 不是有效的编号",
				  field);
	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT status, call_sign FROM response_unit WHERE id = ? AND unit_code = ?", "tt", id,
	    station);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		found = 1;
		status = fq_response_unit_status_from_code(fq_stmt_text(st, 0));
		snprintf(call_sign, FQ_DISPATCH_CALL_SIGN_BYTES, "%s", fq_stmt_text(st, 1));
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	if (!found)
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", field,
				  "处警力量不存在，或不属于该警情所在的派出所");
	if (status < 0 || !fq_response_unit_status_dispatchable(status))
		return fq_err_set(err, FQ_ECONFLICT, "unit_not_available", field,
				  "%s 当前状态为“%s”，不能派警", call_sign,
				  status < 0 ? "?" : fq_response_unit_status_label(status));
	return 0;
}

static int insert_dispatch(struct fq_dbc *c, const char *incident_id, const char *unit_id,
			   const char *call_sign, size_t i, const char *note, const char *actor_id,
			   int64_t now_ms, char id[37], struct fq_err *err)
{
	char field[32];
	int64_t changed = 0;
	int rc;

	snprintf(field, sizeof(field), "units[%zu]", i);
	fq_uuid7_str(id);
	rc = fq_dbc_run(
	    c, err, &changed,
	    "UPDATE response_unit SET status = 'dispatched', updated_at = ?,"
	    " updated_by = ?, version = version + 1 WHERE id = ? AND status = 'available'",
	    "itt", now_ms, actor_id, unit_id);
	if (!rc && !changed)
		rc = FQ_ECONFLICT;
	if (!rc)
		rc = fq_dbc_run(c, err, NULL,
				"INSERT INTO dispatch (id, incident_id, response_unit_id, state,"
				" dispatched_at, dispatched_by, note, updated_at, updated_by)"
				" VALUES (?, ?, ?, 'dispatched', ?, ?, ?, ?, ?)",
				"tttittit", id, incident_id, unit_id, now_ms, actor_id,
				fq__dispatch_blank(note) ? NULL : note, now_ms, actor_id);
	if (rc == FQ_ECONFLICT)
		return fq_err_set(err, FQ_ECONFLICT, "unit_not_available", field,
				  "%s 已有未结束的派警，不能再派", call_sign);
	if (rc)
		return rc;
	return fq_incident_event(c, incident_id, now_ms, actor_id, "dispatch", NULL, "dispatched",
				 call_sign, err);
}

int fq_dispatch_create(struct fq_dbc *c, const char *incident_id, const char *const *units,
		       size_t n, const char *note, const char *actor_id, int64_t now_ms,
		       struct fq_dispatch_created *out, struct fq_err *err)
{
	char station[FQ_UNIT_CODE_MAX];
	struct picked_unit picked[FQ_DISPATCH_UNITS_PER_REQUEST_MAX];
	enum fq_incident_state state;
	struct fq_buf names;
	int rc;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "units",
				  "请至少选择一个处警力量");
	if (n > FQ_DISPATCH_UNITS_PER_REQUEST_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_many", "units", "一次最多派 %d 个处警力量",
				  FQ_DISPATCH_UNITS_PER_REQUEST_MAX);
	if ((rc = fq__dispatch_check_chars(note, FQ_DISPATCH_NOTE_MAX, "note", err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(units[i], units[k]) == 0) {
				char field[32];
				snprintf(field, sizeof(field), "units[%zu]", i);
				return fq_err_set(err, FQ_EINVAL, "duplicate", field,
						  "同一处警力量重复出现");
			}
	if ((rc = incident_state(c, incident_id, &state, station, err)))
		return rc;
	if (!dispatchable_incident(state))
		return fq_err_set(err, FQ_ECONFLICT, "incident_not_open", "incident_id",
				  "警情处于“%s”状态，不能再派警", fq_incident_state_label(state));
	for (size_t i = 0; i < n; i++)
		if ((rc = check_unit(c, units[i], i, station, picked[i].call_sign, err)))
			return rc;
	fq_buf_init(&names, 4096);
	rc = fq_buf_adds(&names, "派警：");
	for (size_t i = 0; !rc && i < n; i++) {
		rc = insert_dispatch(c, incident_id, units[i], picked[i].call_sign, i, note,
				     actor_id, now_ms, out->ids[i], err);
		if (!rc)
			rc = fq_buf_addf(&names, "%s%s", i ? "、" : "", picked[i].call_sign);
		if (!rc)
			out->count++;
	}
	if (!rc && (state == FQ_INCIDENT_RECEIVED || state == FQ_INCIDENT_REOPENED))
		rc = incident_move(c, incident_id, FQ_INCIDENT_DISPATCHED, names.buf, actor_id,
				   &out->incident, err);
	fq_buf_release(&names);
	return rc;
}

/* After a dispatch went en route or reached the scene: bring the incident up. */
static int incident_follow(struct fq_dbc *c, const char *incident_id, enum fq_dispatch_step step,
			   const char *call_sign, const char *actor_id,
			   struct fq_dispatch_incident_moves *moves, struct fq_err *err)
{
	enum fq_incident_state state;
	char note[FQ_DISPATCH_CALL_SIGN_BYTES + 16];
	int rc;

	if (step != FQ_DISPATCH_STEP_EN_ROUTE && step != FQ_DISPATCH_STEP_ON_SCENE)
		return 0;
	if ((rc = incident_state(c, incident_id, &state, NULL, err)))
		return rc;
	snprintf(note, sizeof(note), "%s%s", call_sign, steps[step].label);
	if (state == FQ_INCIDENT_DISPATCHED) {
		if ((rc = incident_move(c, incident_id, FQ_INCIDENT_EN_ROUTE, note, actor_id, moves,
					err)))
			return rc;
		state = FQ_INCIDENT_EN_ROUTE;
	}
	if (step == FQ_DISPATCH_STEP_ON_SCENE && state == FQ_INCIDENT_EN_ROUTE)
		rc =
		    incident_move(c, incident_id, FQ_INCIDENT_ON_SCENE, note, actor_id, moves, err);
	return rc;
}

int fq_dispatch_step(struct fq_dbc *c, const char *id, enum fq_dispatch_step step,
		     int64_t expected_version, const char *note, const char *actor_id,
		     int64_t now_ms, struct fq_dispatch_step_result *out, struct fq_err *err)
{
	char call_sign[FQ_DISPATCH_CALL_SIGN_BYTES];
	struct fq_stmt *st;
	int64_t version = 0, changed = 0;
	int from = -1, rc;

	memset(out, 0, sizeof(*out));
	if ((unsigned)step >= FQ_DISPATCH_STEP_COUNT)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "step", "未知的派警步骤");
	if ((rc = fq__dispatch_check_chars(note, FQ_DISPATCH_NOTE_MAX, "note", err)))
		return rc;
	rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT d.state, d.version, d.incident_id, d.response_unit_id, r.call_sign"
			 " FROM dispatch d JOIN response_unit r ON r.id = d.response_unit_id"
			 " WHERE d.id = ?",
			 "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		from = fq_dispatch_state_from_code(fq_stmt_text(st, 0));
		version = fq_stmt_int(st, 1);
		snprintf(out->incident_id, sizeof(out->incident_id), "%s", fq_stmt_text(st, 2));
		snprintf(out->response_unit_id, sizeof(out->response_unit_id), "%s",
			 fq_stmt_text(st, 3));
		snprintf(call_sign, sizeof(call_sign), "%s", fq_stmt_text(st, 4));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "派警记录不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (expected_version && expected_version != version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该派警已被他人更新（当前版本 %lld），请刷新后重试",
				  (long long)version);
	if (from < 0 || !fq_dispatch_step_allowed(step, from))
		return fq_err_set(err, FQ_ECONFLICT, "invalid_step", "step",
				  "派警处于“%s”状态，不能“%s”；顺序为 接令 → 出发 → 到场 → 结束",
				  from >= 0 ? dispatch_states[from].label : "?", steps[step].label);
	out->from = from;
	out->to = steps[step].to;
	rc = fq_dbc_run(c, err, &changed, steps[step].sql, "tititti", dispatch_states[out->to].code,
			now_ms, fq__dispatch_blank(note) ? NULL : note, now_ms, actor_id, id,
			version);
	if (rc)
		return rc;
	if (!changed)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该派警已被他人更新，请刷新后重试");
	if (steps[step].unit_status >= 0 &&
	    (rc = fq_dbc_run(c, err, NULL,
			     "UPDATE response_unit SET status = ?, updated_at = ?, updated_by = ?,"
			     " version = version + 1 WHERE id = ?",
			     "titt",
			     fq_response_unit_status_code(
				 (enum fq_response_unit_status)steps[step].unit_status),
			     now_ms, actor_id, out->response_unit_id)))
		return rc;
	rc = fq_incident_event(c, out->incident_id, now_ms, actor_id, "dispatch",
			       dispatch_states[out->from].code, dispatch_states[out->to].code,
			       call_sign, err);
	if (rc)
		return rc;
	return incident_follow(c, out->incident_id, step, call_sign, actor_id, &out->incident, err);
}

int fq_dispatch_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		     struct fq_err *err)
{
	return fq_dbc_lookup_text(
	    c,
	    "SELECT u.path FROM dispatch d JOIN incident i ON i.id = d.incident_id"
	    " JOIN unit u ON u.code = i.unit_code WHERE d.id = ?",
	    id, path, FQ_UNIT_PATH_MAX, "派警记录不存在", err);
}

#define DISPATCH_COLS                                                                              \
	"d.id, d.incident_id, i.number, d.response_unit_id, r.call_sign, r.type, d.state,"         \
	" d.dispatched_at, au.display_name, d.acknowledged_at, d.en_route_at, d.on_scene_at,"      \
	" d.cleared_at, d.cancelled_at, d.note, d.version"
#define DISPATCH_FROM                                                                              \
	" FROM dispatch d JOIN incident i ON i.id = d.incident_id"                                 \
	" JOIN response_unit r ON r.id = d.response_unit_id"                                       \
	" LEFT JOIN app_user au ON au.id = d.dispatched_by"

static json_t *dispatch_row(struct fq_stmt *st, int64_t now_ms, int64_t unacknowledged_after_s)
{
	int type = fq_response_unit_type_from_code(fq_stmt_text(st, 5));
	int state = fq_dispatch_state_from_code(fq_stmt_text(st, 6));
	json_t *j = json_object(), *waiting = json_null();
	int overdue = 0;

	if (state == FQ_DISPATCH_DISPATCHED) {
		int64_t s = (now_ms - fq_stmt_int(st, 7)) / 1000;
		if (s < 0)
			s = 0;
		waiting = json_integer(s);
		overdue = s >= unacknowledged_after_s;
	}
	json_object_set_new(j, "id", fq__dispatch_text_json(st, 0));
	json_object_set_new(j, "incident_id", fq__dispatch_text_json(st, 1));
	json_object_set_new(j, "incident_number", fq__dispatch_text_json(st, 2));
	json_object_set_new(
	    j, "response_unit",
	    json_pack(
		"{s:o, s:o, s:o, s:s}", "id", fq__dispatch_text_json(st, 3), "call_sign",
		fq__dispatch_text_json(st, 4), "type", fq__dispatch_text_json(st, 5), "type_label",
		type >= 0 ? fq_response_unit_type_label((enum fq_response_unit_type)type) : "?"));
	json_object_set_new(j, "state", fq__dispatch_text_json(st, 6));
	json_object_set_new(j, "state_label",
			    json_string(state >= 0 ? dispatch_states[state].label : "?"));
	json_object_set_new(j, "dispatched_at", fq__dispatch_time_json(st, 7));
	json_object_set_new(j, "dispatched_by", fq__dispatch_text_json(st, 8));
	json_object_set_new(j, "acknowledged_at", fq__dispatch_time_json(st, 9));
	json_object_set_new(j, "en_route_at", fq__dispatch_time_json(st, 10));
	json_object_set_new(j, "on_scene_at", fq__dispatch_time_json(st, 11));
	json_object_set_new(j, "cleared_at", fq__dispatch_time_json(st, 12));
	json_object_set_new(j, "cancelled_at", fq__dispatch_time_json(st, 13));
	json_object_set_new(j, "note", fq__dispatch_text_json(st, 14));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 15)));
	json_object_set_new(j, "unacknowledged_s", waiting);
	json_object_set_new(j, "overdue", json_boolean(overdue));
	return j;
}

int fq_dispatch_json(struct fq_dbc *c, const char *id, int64_t now_ms,
		     int64_t unacknowledged_after_s, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st, "SELECT " DISPATCH_COLS DISPATCH_FROM " WHERE d.id = ?", "t",
			  id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = dispatch_row(st, now_ms, unacknowledged_after_s);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "派警记录不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_dispatch_list(struct fq_dbc *c, const struct fq_dispatch_query *q, int64_t now_ms,
		     json_t **out, struct fq_err *err)
{
	const char *state = q->state;
	int64_t active = state && strcmp(state, "active") == 0;
	int64_t unack = q->unacknowledged_s, before = now_ms;
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	*out = NULL;
	if (state && !active && fq_dispatch_state_from_code(state) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "state",
				  "state 应为 active 或 dispatched、acknowledged 等派警状态");
	if (active)
		state = NULL;
	if (unack >= 0) {
		state = "dispatched";
		before = now_ms - unack * 1000;
	}
#define DISPATCH_WHERE                                                                             \
	" JOIN unit u ON u.code = i.unit_code WHERE substr(u.path, 1, length(?)) = ?"              \
	" AND (? IS NULL OR d.incident_id = ?) AND (? IS NULL OR d.state = ?)"                     \
	" AND (? = 0 OR d.state IN " FQ__DISPATCH_ACTIVE_STATES                                    \
	") AND (? < 0 OR d.dispatched_at <= ?)"
	rc = fq_dbc_query(c, err, &st,
			  "SELECT COUNT(*) FROM dispatch d JOIN incident i ON i.id = d.incident_id"
			  " " DISPATCH_WHERE,
			  "ttttttiii", q->scope_path, q->scope_path, q->incident_id, q->incident_id,
			  state, state, active, unack, before);
	if (rc || (rc = fq__dispatch_count(st, &total, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  unack >= 0 ? "SELECT " DISPATCH_COLS DISPATCH_FROM DISPATCH_WHERE
				       " ORDER BY d.dispatched_at, d.id LIMIT ? OFFSET ?"
				     : "SELECT " DISPATCH_COLS DISPATCH_FROM DISPATCH_WHERE
				       " ORDER BY d.dispatched_at DESC, d.id DESC LIMIT ? OFFSET ?",
			  "ttttttiiiii", q->scope_path, q->scope_path, q->incident_id,
			  q->incident_id, state, state, active, unack, before, q->per_page,
			  (q->page - 1) * q->per_page);
#undef DISPATCH_WHERE
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, dispatch_row(st, now_ms, q->unacknowledged_after_s));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
			 "page", (json_int_t)q->page, "per_page", (json_int_t)q->per_page,
			 "unacknowledged_after_s", (json_int_t)q->unacknowledged_after_s);
	return 0;
}

/* ---- response times ---- */

static int64_t elapsed_ms(int64_t from, int64_t to)
{
	if (from == FQ_DISPATCH_NO_TIME || to == FQ_DISPATCH_NO_TIME)
		return FQ_DISPATCH_NO_TIME;
	return to > from ? to - from : 0;
}

void fq_response_times_compute(int64_t received_ms, int64_t first_dispatch_ms,
			       int64_t first_on_scene_ms, struct fq_response_times *out)
{
	out->received_ms = received_ms;
	out->first_dispatch_ms = first_dispatch_ms;
	out->first_on_scene_ms = first_on_scene_ms;
	out->dispatch_ms = elapsed_ms(received_ms, first_dispatch_ms);
	out->on_scene_ms = elapsed_ms(received_ms, first_on_scene_ms);
}

int fq_response_times_of(struct fq_dbc *c, const char *incident_id, struct fq_response_times *out,
			 struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT i.first_received_at, MIN(d.dispatched_at), MIN(d.on_scene_at)"
			      " FROM incident i LEFT JOIN dispatch d ON d.incident_id = i.id"
			      " WHERE i.id = ? GROUP BY i.id, i.first_received_at",
			      "t", incident_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		fq_response_times_compute(fq_stmt_int(st, 0), fq__dispatch_int_or_none(st, 1),
					  fq__dispatch_int_or_none(st, 2), out);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "警情事件不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static json_t *seconds_json(int64_t ms)
{
	return ms == FQ_DISPATCH_NO_TIME ? json_null() : json_real((double)ms / 1000.0);
}

json_t *fq_response_times_json(const struct fq_response_times *t)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "first_received_at", ms_json(t->received_ms),
			 "first_dispatched_at", ms_json(t->first_dispatch_ms), "first_on_scene_at",
			 ms_json(t->first_on_scene_ms), "dispatch_s", seconds_json(t->dispatch_ms),
			 "on_scene_s", seconds_json(t->on_scene_ms));
}

int fq_dispatch_incident_attach(struct fq_dbc *c, const char *incident_id, int64_t now_ms,
				json_t *incident, struct fq_err *err)
{
	struct fq_dispatch_config cfg;
	struct fq_response_times t;
	struct fq_stmt *st;
	json_t *items;
	int rc;

	fq_dispatch_config_get(&cfg);
	if ((rc = fq_response_times_of(c, incident_id, &t, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT " DISPATCH_COLS DISPATCH_FROM
			  " WHERE d.incident_id = ? ORDER BY d.dispatched_at, d.id",
			  "t", incident_id);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, dispatch_row(st, now_ms, cfg.unacknowledged_s));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	json_object_set_new(incident, "dispatches", items);
	json_object_set_new(incident, "response_times", fq_response_times_json(&t));
	return 0;
}
