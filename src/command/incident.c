#include "command/incident.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/phone.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "core/banned.h"

static const struct {
	const char *code;
	const char *label;
} states[FQ_INCIDENT_STATE_COUNT] = {
    [FQ_INCIDENT_RECEIVED] = {"received", "已接警"},
    [FQ_INCIDENT_DISPATCHED] = {"dispatched", "已派警"},
    [FQ_INCIDENT_EN_ROUTE] = {"en_route", "在途"},
    [FQ_INCIDENT_ON_SCENE] = {"on_scene", "已到场"},
    [FQ_INCIDENT_DISPOSED] = {"disposed", "已处置"},
    [FQ_INCIDENT_FEEDBACK] = {"feedback", "已反馈"},
    [FQ_INCIDENT_CLOSED] = {"closed", "已结案"},
    [FQ_INCIDENT_REOPENED] = {"reopened", "已重启"},
};

const char *fq_incident_state_code(enum fq_incident_state s)
{
	return (unsigned)s < FQ_INCIDENT_STATE_COUNT ? states[s].code : NULL;
}

const char *fq_incident_state_label(enum fq_incident_state s)
{
	return (unsigned)s < FQ_INCIDENT_STATE_COUNT ? states[s].label : NULL;
}

int fq_incident_state_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_INCIDENT_STATE_COUNT; s++)
		if (strcmp(states[s].code, code) == 0)
			return s;
	return -1;
}

int fq_incident_transition_allowed(enum fq_incident_state from, enum fq_incident_state to)
{
	switch (from) {
	case FQ_INCIDENT_RECEIVED:
		return to == FQ_INCIDENT_DISPATCHED || to == FQ_INCIDENT_CLOSED;
	case FQ_INCIDENT_DISPATCHED:
		return to == FQ_INCIDENT_EN_ROUTE;
	case FQ_INCIDENT_EN_ROUTE:
		return to == FQ_INCIDENT_ON_SCENE;
	case FQ_INCIDENT_ON_SCENE:
		return to == FQ_INCIDENT_DISPOSED;
	case FQ_INCIDENT_DISPOSED:
		return to == FQ_INCIDENT_FEEDBACK;
	case FQ_INCIDENT_FEEDBACK:
		return to == FQ_INCIDENT_CLOSED;
	case FQ_INCIDENT_CLOSED:
		return to == FQ_INCIDENT_REOPENED;
	case FQ_INCIDENT_REOPENED:
		return to == FQ_INCIDENT_DISPATCHED;
	default:
		return 0;
	}
}

int fq_incident_event(struct fq_dbc *c, const char *incident_id, int64_t at, const char *by,
		      const char *kind, const char *from_state, const char *to_state,
		      const char *note, struct fq_err *err)
{
	char id[FQ_UUID_STR];
	fq_uuid7_str(id);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO incident_event (id, incident_id, at, by_user, kind, from_state,"
	    " to_state, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttitttt"
	    "t",
	    id, incident_id, at, by, kind, from_state, to_state, note);
}

static json_t *incident_row(struct fq_stmt *st);

#define INCIDENT_COLS                                                                              \
	"id, number, unit_code, grid_code, state, category, priority, lat, lon, address,"          \
	" first_received_at, last_received_at, alert_count, repeat_caller, repeat_place,"          \
	" disposal, feedback, close_reason, closed_at, version, updated_at, merged_into"

/*
 * The incident's row as it is now, read after the statement that wrote it: into *row and its
 * first_received_at into *first_ms (each when not NULL). Not RETURNING: SQLite gathers a
 * RETURNING statement's rows in an ephemeral table, a B-tree opened and dropped per
 * statement, which costs more than this read of a page the write just touched.
 */
static int written_row(struct fq_dbc *c, const char *id, json_t **row, int64_t *first_ms,
		       struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT " INCIDENT_COLS " FROM incident WHERE id = ?",
			      "t", id);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		if (row)
			*row = incident_row(st);
		if (first_ms)
			*first_ms = fq_stmt_int(st, 10);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "incident_not_found", "incident_id",
				"警情事件不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_incident_create(struct fq_dbc *c, const struct fq_incident_new *in, char id[37],
		       char number[FQ_NUMBER_MAX], json_t **row, struct fq_err *err)
{
	int64_t now = in->now_ms ? in->now_ms : fq_now_ms();
	int rc;

	if (row)
		*row = NULL;
	fq_uuid7_str(id);
	rc = fq_number_next(c, "SJ", in->unit_code, in->received_at, number, err);
	if (rc)
		return rc;
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO incident (id, number, unit_code, grid_code, state, category,"
			" priority, lat, lon, address, first_received_at, last_received_at,"
			" alert_count, repeat_caller, repeat_place, created_at, created_by,"
			" updated_at, updated_by) VALUES (?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?,"
			" ?, ?, ?, ?, ?, ?, ?, ?)",
			"tttttiDDtiiiiiitit", id, number, in->unit_code, in->grid_code,
			in->category, (int64_t)in->priority, in->has_location ? in->lat : NAN,
			in->has_location ? in->lon : NAN, in->address, in->received_at,
			in->received_at, (int64_t)(in->first_alert ? 1 : 0),
			(int64_t)in->repeat_caller, (int64_t)in->repeat_place, now, in->actor_id,
			now, in->actor_id);
	/* The timeline's first entry is read from this row (view incident_created_event). */
	if (!rc && row)
		rc = written_row(c, id, row, NULL, err);
	return rc;
}

int fq_incident_add_alert(struct fq_dbc *c, const char *id, int64_t received_at, json_t **row,
			  struct fq_err *err)
{
	int64_t first_ms = 0;
	int rc;

	if (row)
		*row = NULL;
	/*
	 * first_received_at stays out of the SET list unless it moves (a late report of an
	 * earlier time): the two indexes that hold it are then left alone.
	 */
	rc = fq_dbc_run(c, err, NULL,
			"UPDATE incident SET alert_count = alert_count + 1,"
			" last_received_at = max(last_received_at, ?), updated_at = ?,"
			" version = version + 1 WHERE id = ?",
			"iit", received_at, fq_now_ms(), id);
	if (rc || (rc = written_row(c, id, row, &first_ms, err)) || received_at >= first_ms)
		return rc;
	if (row) {
		json_decref(*row);
		*row = NULL;
	}
	rc = fq_dbc_run(c, err, NULL, "UPDATE incident SET first_received_at = ? WHERE id = ?",
			"it", received_at, id);
	return rc ? rc : written_row(c, id, row, NULL, err);
}

static int check_text(const char *s, const char *field, struct fq_err *err)
{
	if (s && fq_utf8_chars(s) > FQ_INCIDENT_TEXT_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_long", field, "字段 %s 超过 %d 个字符",
				  field, FQ_INCIDENT_TEXT_MAX);
	return 0;
}

static int blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

int fq_incident_transition(struct fq_dbc *c, const char *id, const struct fq_incident_change *ch,
			   enum fq_incident_state *from_out, struct fq_err *err)
{
	struct fq_stmt *st;
	char disposal_set = 0, feedback_set = 0;
	int64_t version = 0, now = fq_now_ms(), changed = 0;
	int from = -1, rc;

	if ((unsigned)ch->to >= FQ_INCIDENT_STATE_COUNT)
		return fq_err_set(err, FQ_EINVAL, "invalid_state", "state", "未知的状态");
	if ((rc = check_text(ch->disposal, "disposal", err)) ||
	    (rc = check_text(ch->feedback, "feedback", err)) ||
	    (rc = check_text(ch->note, "note", err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT state, version, disposal IS NOT NULL AND disposal <> '',"
			  " feedback IS NOT NULL AND feedback <> '', merged_into IS NOT NULL"
			  " FROM incident WHERE id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		from = fq_incident_state_from_code(fq_stmt_text(st, 0));
		version = fq_stmt_int(st, 1);
		disposal_set = (char)fq_stmt_int(st, 2);
		feedback_set = (char)fq_stmt_int(st, 3);
		rc = 0;
		if (fq_stmt_int(st, 4)) /* merged into another incident: final */
			rc = fq_err_set(err, FQ_ECONFLICT, "incident_merged", "state",
					"该警情已并入其他警情，不能再变更状态");
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "警情事件不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (ch->expected_version && ch->expected_version != version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该警情已被他人更新（当前版本 %lld），请刷新后重试",
				  (long long)version);
	if (from < 0 || !fq_incident_transition_allowed(from, ch->to))
		return fq_err_set(err, FQ_ECONFLICT, "invalid_transition", "state",
				  "不能从“%s”转为“%s”", from >= 0 ? states[from].label : "?",
				  states[ch->to].label);
	if (ch->to == FQ_INCIDENT_CLOSED && from == FQ_INCIDENT_RECEIVED) {
		if (!ch->close_reason || (strcmp(ch->close_reason, "unfounded") != 0 &&
					  strcmp(ch->close_reason, "duplicate") != 0))
			return fq_err_set(err, FQ_EINVAL, "close_reason_required", "close_reason",
					  "未派警直接结案须说明原因：unfounded（不实警情）或 "
					  "duplicate（重复报警）");
		if (blank(ch->note))
			return fq_err_set(err, FQ_EINVAL, "missing_field", "note",
					  "未派警直接结案须填写说明");
	} else if (ch->to == FQ_INCIDENT_CLOSED) {
		if (!disposal_set && blank(ch->disposal))
			return fq_err_set(err, FQ_EINVAL, "missing_field", "disposal",
					  "结案前须填写处置结果");
		if (!feedback_set && blank(ch->feedback))
			return fq_err_set(err, FQ_EINVAL, "missing_field", "feedback",
					  "结案前须填写反馈情况");
	} else if (ch->to == FQ_INCIDENT_DISPOSED && blank(ch->disposal) && !disposal_set) {
		return fq_err_set(err, FQ_EINVAL, "missing_field", "disposal", "请填写处置结果");
	} else if (ch->to == FQ_INCIDENT_FEEDBACK && blank(ch->feedback) && !feedback_set) {
		return fq_err_set(err, FQ_EINVAL, "missing_field", "feedback", "请填写反馈情况");
	}
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE incident SET state = ?, disposal = COALESCE(?, disposal),"
			" feedback = COALESCE(?, feedback),"
			" close_reason = CASE WHEN ? = 'closed' THEN ? ELSE close_reason END,"
			" closed_at = CASE WHEN ? = 'closed' THEN ? WHEN ? = 'reopened' THEN NULL"
			" ELSE closed_at END,"
			" updated_at = ?, updated_by = ?, version = version + 1"
			" WHERE id = ? AND version = ?",
			"ttttttititti", states[ch->to].code, ch->disposal, ch->feedback,
			states[ch->to].code, ch->close_reason, states[ch->to].code, now,
			states[ch->to].code, now, ch->actor_id, id, version);
	if (rc)
		return rc;
	if (!changed)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该警情已被他人更新，请刷新后重试");
	if (from_out)
		*from_out = from;
	return fq_incident_event(c, id, now, ch->actor_id, "transition", states[from].code,
				 states[ch->to].code, ch->note, err);
}

int fq_incident_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			  struct fq_err *err)
{
	return fq_dbc_lookup_text(
	    c,
	    "SELECT u.path FROM incident i JOIN unit u ON u.code = i.unit_code"
	    " WHERE i.id = ?",
	    id, path, FQ_UNIT_PATH_MAX, "警情事件不存在", err);
}

static json_t *time_json(struct fq_stmt *st, int col)
{
	char buf[FQ_RFC3339_MAX];
	if (fq_stmt_is_null(st, col))
		return json_null();
	fq_time_format_cst(fq_stmt_int(st, col), buf);
	return json_string(buf);
}

static json_t *text_json(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	return s ? json_string(s) : json_null();
}

static json_t *location_json(struct fq_stmt *st, int col)
{
	if (fq_stmt_is_null(st, col))
		return json_null();
	return json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, col), "lon",
			 fq_stmt_double(st, col + 1));
}

static json_t *incident_row(struct fq_stmt *st)
{
	int s = fq_incident_state_from_code(fq_stmt_text(st, 4));
	json_t *j = json_object();

	json_object_set_new(j, "id", text_json(st, 0));
	json_object_set_new(j, "number", text_json(st, 1));
	json_object_set_new(j, "unit", text_json(st, 2));
	json_object_set_new(j, "grid", text_json(st, 3));
	json_object_set_new(j, "state", text_json(st, 4));
	json_object_set_new(j, "state_label", json_string(s >= 0 ? states[s].label : "?"));
	json_object_set_new(j, "category", text_json(st, 5));
	json_object_set_new(j, "priority", json_integer(fq_stmt_int(st, 6)));
	json_object_set_new(j, "location", location_json(st, 7));
	json_object_set_new(j, "address", text_json(st, 9));
	json_object_set_new(j, "first_received_at", time_json(st, 10));
	json_object_set_new(j, "last_received_at", time_json(st, 11));
	json_object_set_new(j, "alert_count", json_integer(fq_stmt_int(st, 12)));
	json_object_set_new(j, "repeat_caller", json_boolean(fq_stmt_int(st, 13)));
	json_object_set_new(j, "repeat_place", json_boolean(fq_stmt_int(st, 14)));
	json_object_set_new(j, "disposal", text_json(st, 15));
	json_object_set_new(j, "feedback", text_json(st, 16));
	json_object_set_new(j, "close_reason", text_json(st, 17));
	json_object_set_new(j, "closed_at", time_json(st, 18));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 19)));
	json_object_set_new(j, "updated_at", time_json(st, 20));
	json_object_set_new(j, "merged_into", text_json(st, 21));
	return j;
}

static json_t *alert_row(struct fq_stmt *st, int mask_phones)
{
	const char *phone = fq_stmt_text(st, 5);
	const char *norm = fq_stmt_text(st, 6);
	char masked[32];
	json_t *j = json_object();

	json_object_set_new(j, "id", text_json(st, 0));
	json_object_set_new(j, "number", text_json(st, 1));
	json_object_set_new(j, "received_at", time_json(st, 2));
	json_object_set_new(j, "source", text_json(st, 3));
	json_object_set_new(j, "caller_name", text_json(st, 4));
	if (mask_phones && norm && *norm && fq_phone_mask(norm, masked) == 0)
		json_object_set_new(j, "caller_phone", json_string(masked));
	else if (mask_phones)
		json_object_set_new(j, "caller_phone", phone ? json_string("***") : json_null());
	else
		json_object_set_new(j, "caller_phone", phone ? json_string(phone) : json_null());
	json_object_set_new(j, "location", location_json(st, 7));
	json_object_set_new(j, "address", text_json(st, 9));
	json_object_set_new(j, "category", text_json(st, 10));
	json_object_set_new(j, "priority", json_integer(fq_stmt_int(st, 11)));
	json_object_set_new(j, "description", text_json(st, 12));
	return j;
}

int fq_incident_json(struct fq_dbc *c, const char *id, int detail, int mask_phones, json_t **out,
		     struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *j, *arr;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st, "SELECT " INCIDENT_COLS " FROM incident WHERE id = ?", "t",
			  id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc != FQ_DB_ROW) {
		fq_stmt_done(st);
		return rc < 0 ? rc
			      : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "警情事件不存在");
	}
	j = incident_row(st);
	fq_stmt_done(st);
	if (!detail) {
		*out = j;
		return 0;
	}
	rc = fq_dbc_query(c, err, &st,
			  "SELECT id, number, received_at, source, caller_name, caller_phone,"
			  " caller_phone_norm, lat, lon, address, category, priority, description"
			  " FROM alert WHERE incident_id = ? ORDER BY received_at, id",
			  "t", id);
	if (rc)
		goto fail;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(arr, alert_row(st, mask_phones));
	fq_stmt_done(st);
	json_object_set_new(j, "alerts", arr);
	if (rc < 0)
		goto fail;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT e.at, e.kind, e.from_state, e.to_state, e.note, u.display_name"
			  " FROM incident_timeline e LEFT JOIN app_user u ON u.id = e.by_user"
			  " WHERE e.incident_id = ? ORDER BY e.at, e.id",
			  "t", id);
	if (rc)
		goto fail;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(arr,
				      json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "at",
						time_json(st, 0), "kind", text_json(st, 1), "from",
						text_json(st, 2), "to", text_json(st, 3), "note",
						text_json(st, 4), "by", text_json(st, 5)));
	fq_stmt_done(st);
	json_object_set_new(j, "timeline", arr);
	if (rc < 0)
		goto fail;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT alert_id, decision, kind, score, reasons, automatic, decided_at"
			  " FROM merge_decision_all WHERE incident_id = ? ORDER BY decided_at, id",
			  "t", id);
	if (rc)
		goto fail;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *reasons = fq_stmt_text(st, 4);
		json_t *rj = reasons ? json_loads(reasons, 0, NULL) : NULL;
		json_array_append_new(
		    arr,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "alert_id", text_json(st, 0),
			      "decision", text_json(st, 1), "kind", text_json(st, 2), "score",
			      fq_stmt_is_null(st, 3) ? json_null()
						     : json_real(fq_stmt_double(st, 3)),
			      "reasons", rj ? rj : json_array(), "automatic",
			      (int)fq_stmt_int(st, 5), "decided_at", time_json(st, 6)));
	}
	fq_stmt_done(st);
	json_object_set_new(j, "merges", arr);
	if (rc < 0)
		goto fail;
	*out = j;
	return 0;
fail:
	json_decref(j);
	return rc;
}

int fq_incident_query_check(const struct fq_incident_query *q, struct fq_err *err)
{
	if (q->state && strcmp(q->state, "open") != 0 && fq_incident_state_from_code(q->state) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "state",
				  "状态应为 open 或 received、dispatched 等状态代码");
	return 0;
}

int fq_incident_list(struct fq_dbc *c, const struct fq_incident_query *q, json_t **out,
		     struct fq_err *err)
{
	const char *state = q->state;
	int open_only = state && strcmp(state, "open") == 0;
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	*out = NULL;
	if ((rc = fq_incident_query_check(q, err)))
		return rc;
	if (open_only)
		state = NULL;
	if ((rc = fq_dbc_count(c, err, &total,
			       "SELECT COUNT(*) FROM incident i JOIN unit u ON u.code = i.unit_code"
			       " WHERE " FQ_INCIDENT_FILTER_SQL,
			       FQ_INCIDENT_FILTER_TYPES,
			       FQ_INCIDENT_FILTER_ARGS(q, state, open_only))))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT i.id, i.number, i.unit_code, i.grid_code, i.state, i.category,"
			  " i.priority, i.lat, i.lon, i.address, i.first_received_at,"
			  " i.last_received_at, i.alert_count, i.repeat_caller, i.repeat_place,"
			  " i.disposal, i.feedback, i.close_reason, i.closed_at, i.version,"
			  " i.updated_at, i.merged_into FROM incident i"
			  " JOIN unit u ON u.code = i.unit_code"
			  " WHERE " FQ_INCIDENT_FILTER_SQL
			  " ORDER BY i.first_received_at DESC, i.id DESC LIMIT ? OFFSET ?",
			  FQ_INCIDENT_FILTER_TYPES "ii",
			  FQ_INCIDENT_FILTER_ARGS(q, state, open_only), q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, incident_row(st));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}
