#include "cases/transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case.h"
#include "cases/case_util.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

const struct fq_transfer_kind fq_transfer_kinds[] = {
    {"criminal_investigation", "刑侦大队"},
    {"drug", "禁毒大队"},
    {"economic_crime", "经侦大队"},
    {"public_order", "治安大队"},
    {"anti_fraud", "反诈中心"},
    {"other_station", "其他派出所"},
    {"other", "其他单位"},
    {NULL, NULL},
};

const char *fq_transfer_kind_label(const char *code)
{
	for (int i = 0; code && fq_transfer_kinds[i].code; i++)
		if (strcmp(fq_transfer_kinds[i].code, code) == 0)
			return fq_transfer_kinds[i].label;
	return NULL;
}

/* The station and path of a case or incident in scope; FQ_EINVAL "unknown_…" naming field. */
static int owner_of(struct fq_dbc *c, const char *sql, const char *id, const char *scope,
		    const char *field, const char *machine, char unit[FQ_UNIT_CODE_MAX],
		    char state[32], struct fq_err *err)
{
	struct fq_stmt *st;
	int ok = 0, rc;

	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", field, "%s 不是有效的编号",
				  field);
	rc = fq_dbc_query(c, err, &st, sql, "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW && fq_scope_covers(scope, fq_stmt_text(st, 1))) {
		ok = 1;
		snprintf(unit, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 0));
		if (state)
			snprintf(state, 32, "%s", fq_stmt_text(st, 2));
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	return ok ? 0
		  : fq_err_set(err, FQ_EINVAL, machine, field, "%s 不存在或不在您的辖区", field);
}

static int station_of(struct fq_dbc *c, const char *unit, const char *scope,
		      char station[FQ_UNIT_CODE_MAX], struct fq_err *err)
{
	struct fq_stmt *st;
	int ok = 0;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT s.code, s.path FROM unit u JOIN unit s ON s.kind = 'station'"
			      " AND substr(u.path, 1, length(s.path)) = s.path WHERE u.code = ?",
			      "t", unit ? unit : "");
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW &&
	    fq_scope_covers(scope, fq_stmt_text(st, 1))) {
		ok = 1;
		snprintf(station, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 0));
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	return ok ? 0
		  : fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
			       "请用 unit 指明移交线索的派出所（您辖区内的派出所代码）");
}

int fq_transfer_create(struct fq_dbc *c, const struct fq_transfer_new *in, char id[37],
		       char number[FQ_NUMBER_MAX], struct fq_err *err)
{
	int is_case = in->case_id && !in->clue_text;
	int64_t now = fq_case_now(in->now_ms), at = in->transferred_at ? in->transferred_at : now;
	char station[FQ_UNIT_CODE_MAX] = "", state[32] = "", *items = NULL, text[512];
	size_t i, n;
	int rc;

	if ((rc = fq_case_check_required(in->receiver_name, 100, "receiver_name", err)))
		return rc;
	if (!fq_transfer_kind_label(in->receiver_kind))
		return fq_err_set(err, FQ_EINVAL,
				  in->receiver_kind ? "invalid_value" : "missing_field",
				  "receiver_kind",
				  "接收单位类别应为 criminal_investigation、drug、economic_crime、"
				  "public_order、anti_fraud、other_station 或 other");
	n = json_is_array(in->items) ? json_array_size(in->items) : 0;
	if (n == 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "items",
				  "请列出移交的物品、证据或人员（items）");
	if (n > FQ_TRANSFER_ITEMS_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_many", "items", "移交清单最多 %d 项",
				  FQ_TRANSFER_ITEMS_MAX);
	for (i = 0; i < n; i++) {
		char field[32];
		snprintf(field, sizeof(field), "items[%zu]", i);
		if ((rc = fq_case_check_required(json_string_value(json_array_get(in->items, i)),
						 FQ_CASE_ITEM_MAX, field, err)))
			return rc;
	}
	if ((rc = fq_case_check_len(in->note, FQ_CASE_TEXT_MAX, "note", err)))
		return rc;
	if (at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "transferred_at",
				  "移交时间不能晚于现在");
	if (!is_case) {
		if ((rc = fq_case_check_required(in->clue_text, FQ_CASE_TEXT_MAX, "clue_text",
						 err)) ||
		    (rc = fq_case_check_required(in->clue_source, 100, "clue_source", err)))
			return rc;
	}
	if (in->case_id) {
		if ((rc = owner_of(c,
				   "SELECT f.unit_code, u.path, f.state FROM case_file f"
				   " JOIN unit u ON u.code = f.unit_code WHERE f.id = ?",
				   in->case_id, in->scope_path, "case_id", "unknown_case", station,
				   state, err)))
			return rc;
	} else if (in->incident_id) {
		if ((rc = owner_of(c,
				   "SELECT i.unit_code, u.path, i.state FROM incident i"
				   " JOIN unit u ON u.code = i.unit_code WHERE i.id = ?",
				   in->incident_id, in->scope_path, "incident_id",
				   "unknown_incident", station, NULL, err)))
			return rc;
	} else if ((rc = station_of(c, in->unit ? in->unit : in->actor_unit, in->scope_path,
				    station, err))) {
		return rc;
	}
	if (in->incident_id && in->case_id) {
		char other[FQ_UNIT_CODE_MAX];
		if ((rc = owner_of(c,
				   "SELECT i.unit_code, u.path, i.state FROM incident i"
				   " JOIN unit u ON u.code = i.unit_code WHERE i.id = ?",
				   in->incident_id, in->scope_path, "incident_id",
				   "unknown_incident", other, NULL, err)))
			return rc;
	}
	if (is_case) {
		struct fq_case_change ch = {
		    .step = FQ_CASE_TRANSFER, .actor_id = in->actor_id, .now_ms = now};
		if ((rc = fq_case_transition(c, in->case_id, &ch, NULL, NULL, err)))
			return rc;
	}
	fq_uuid7_str(id);
	if ((rc = fq_number_next(c, is_case ? "YJ" : "XS", station, now, number, err)))
		return rc;
	items = json_dumps(in->items, JSON_COMPACT);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO case_transfer (id, number, unit_code, kind, case_id, incident_id,"
	    " clue_text, clue_source, receiver_name, receiver_kind, items, note,"
	    " transferred_at, transferred_by, created_at, updated_at, updated_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttttttttitiit", id, number, station, is_case ? "case" : "clue", in->case_id,
	    in->incident_id, is_case ? NULL : in->clue_text, is_case ? NULL : in->clue_source,
	    in->receiver_name, in->receiver_kind, items, in->note, at, in->actor_id, now, now,
	    in->actor_id);
	free(items);
	if (!rc && in->case_id) {
		snprintf(text, sizeof(text), "%s%s（%s）：%s", is_case ? "案件移交" : "移交线索至",
			 is_case ? "至" : "", fq_transfer_kind_label(in->receiver_kind), number);
		rc = fq_case_event(c, in->case_id, now, in->actor_id, "transfer", text, err);
	}
	return rc;
}

struct transfer_state {
	int64_t version, ack_at, feedback_at;
	char case_id[37];
	char kind[8];
};

static int load(struct fq_dbc *c, const char *id, struct transfer_state *s, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT version, ack_at, feedback_at, case_id, kind FROM case_transfer"
			 " WHERE id = ?",
			 "t", id);
	memset(s, 0, sizeof(*s));
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		s->version = fq_stmt_int(st, 0);
		s->ack_at = fq_stmt_is_null(st, 1) ? 0 : fq_stmt_int(st, 1);
		s->feedback_at = fq_stmt_is_null(st, 2) ? 0 : fq_stmt_int(st, 2);
		if (!fq_stmt_is_null(st, 3))
			snprintf(s->case_id, sizeof(s->case_id), "%s", fq_stmt_text(st, 3));
		snprintf(s->kind, sizeof(s->kind), "%s", fq_stmt_text(st, 4));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "移交记录不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static int check_version(const struct transfer_state *s, int64_t expected, struct fq_err *err)
{
	if (expected && expected != s->version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "移交记录已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)s->version);
	return 0;
}

int fq_transfer_acknowledge(struct fq_dbc *c, const char *id, const char *by, int64_t at,
			    int64_t expected_version, const char *actor_id, int64_t now_ms,
			    struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms);
	struct transfer_state s;
	char text[256];
	int rc;

	if ((rc = fq_case_check_required(by, 50, "by", err)) || (rc = load(c, id, &s, err)) ||
	    (rc = check_version(&s, expected_version, err)))
		return rc;
	if (s.ack_at)
		return fq_err_set(err, FQ_ECONFLICT, "already_acknowledged", NULL,
				  "接收单位已签收");
	if (at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "at", "签收时间不能晚于现在");
	rc = fq_dbc_run(c, err, NULL,
			"UPDATE case_transfer SET ack_by = ?, ack_at = ?, version = version + 1,"
			" updated_at = ?, updated_by = ? WHERE id = ?",
			"tiitt", by, at ? at : now, now, actor_id, id);
	if (!rc && s.case_id[0]) {
		snprintf(text, sizeof(text), "接收单位签收（%s）", by);
		rc = fq_case_event(c, s.case_id, now, actor_id, "transfer_ack", text, err);
	}
	return rc;
}

int fq_transfer_feedback(struct fq_dbc *c, const char *id, const char *result, int64_t at,
			 int64_t expected_version, const char *actor_id, int64_t now_ms,
			 struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms);
	struct transfer_state s;
	char text[FQ_CASE_TEXT_MAX * 4 + 64];
	int rc;

	if ((rc = fq_case_check_required(result, FQ_CASE_TEXT_MAX, "result", err)) ||
	    (rc = load(c, id, &s, err)) || (rc = check_version(&s, expected_version, err)))
		return rc;
	if (!s.ack_at)
		return fq_err_set(err, FQ_ECONFLICT, "not_acknowledged", NULL,
				  "接收单位尚未签收，不能登记反馈");
	if (s.feedback_at)
		return fq_err_set(err, FQ_ECONFLICT, "already_fed_back", NULL, "已登记反馈");
	if (at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "at", "反馈时间不能晚于现在");
	rc = fq_dbc_run(c, err, NULL,
			"UPDATE case_transfer SET feedback_result = ?, feedback_at = ?,"
			" version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
			"tiitt", result, at ? at : now, now, actor_id, id);
	if (!rc && s.case_id[0]) {
		snprintf(text, sizeof(text), "接收单位反馈：%s", result);
		rc = fq_case_event(c, s.case_id, now, actor_id, "transfer_feedback", text, err);
	}
	return rc;
}

int fq_transfer_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			  struct fq_err *err)
{
	return fq_dbc_lookup_text(c,
				  "SELECT u.path FROM case_transfer t JOIN unit u"
				  " ON u.code = t.unit_code WHERE t.id = ?",
				  id, path, FQ_UNIT_PATH_MAX, "移交记录不存在", err);
}

#define TRANSFER_COLS                                                                              \
	"t.id, t.number, t.unit_code, t.kind, t.case_id, f.number, t.incident_id, t.clue_text,"    \
	" t.clue_source, t.receiver_name, t.receiver_kind, t.items, t.note, t.transferred_at,"     \
	" t.transferred_by, u.display_name, t.ack_by, t.ack_at, t.feedback_result,"                \
	" t.feedback_at, t.version"
#define TRANSFER_FROM                                                                              \
	" FROM case_transfer t JOIN unit su ON su.code = t.unit_code"                              \
	" LEFT JOIN case_file f ON f.id = t.case_id"                                               \
	" LEFT JOIN app_user u ON u.id = t.transferred_by"

static json_t *transfer_row(struct fq_stmt *st)
{
	const char *items = fq_stmt_text(st, 11);
	const char *kind = fq_stmt_text(st, 10);
	json_t *j = json_object(), *arr = items ? json_loads(items, 0, NULL) : NULL;
	const char *status = fq_stmt_is_null(st, 17)   ? "pending_ack"
			     : fq_stmt_is_null(st, 19) ? "pending_feedback"
						       : "done";

	json_object_set_new(j, "id", fq_case_text_json(st, 0));
	json_object_set_new(j, "number", fq_case_text_json(st, 1));
	json_object_set_new(j, "unit", fq_case_text_json(st, 2));
	json_object_set_new(j, "kind", fq_case_text_json(st, 3));
	json_object_set_new(j, "case_id", fq_case_text_json(st, 4));
	json_object_set_new(j, "case_number", fq_case_text_json(st, 5));
	json_object_set_new(j, "incident_id", fq_case_text_json(st, 6));
	json_object_set_new(j, "clue_text", fq_case_text_json(st, 7));
	json_object_set_new(j, "clue_source", fq_case_text_json(st, 8));
	json_object_set_new(j, "receiver_name", fq_case_text_json(st, 9));
	json_object_set_new(j, "receiver_kind", fq_case_text_json(st, 10));
	json_object_set_new(
	    j, "receiver_kind_label",
	    json_string(fq_transfer_kind_label(kind) ? fq_transfer_kind_label(kind) : "?"));
	json_object_set_new(j, "items", arr ? arr : json_array());
	json_object_set_new(j, "note", fq_case_text_json(st, 12));
	json_object_set_new(j, "transferred_at", fq_case_time_json(st, 13));
	json_object_set_new(j, "transferred_by", fq_case_text_json(st, 14));
	json_object_set_new(j, "transferred_by_name", fq_case_text_json(st, 15));
	json_object_set_new(j, "acknowledgement",
			    fq_stmt_is_null(st, 17)
				? json_null()
				: json_pack("{s:o, s:o}", "by", fq_case_text_json(st, 16), "at",
					    fq_case_time_json(st, 17)));
	json_object_set_new(j, "feedback",
			    fq_stmt_is_null(st, 19)
				? json_null()
				: json_pack("{s:o, s:o}", "result", fq_case_text_json(st, 18), "at",
					    fq_case_time_json(st, 19)));
	json_object_set_new(j, "status", json_string(status));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 20)));
	return j;
}

int fq_transfer_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT " TRANSFER_COLS TRANSFER_FROM " WHERE t.id = ?",
			      "t", id);
	*out = NULL;
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		*out = transfer_row(st);
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE)
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "移交记录不存在");
	return rc < 0 ? rc : 0;
}

int fq_transfer_list_for_case(struct fq_dbc *c, const char *case_id, json_t **out,
			      struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *arr;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT " TRANSFER_COLS TRANSFER_FROM
			      " WHERE t.case_id = ? ORDER BY t.transferred_at, t.id",
			      "t", case_id);
	*out = NULL;
	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(arr, transfer_row(st));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

#define LIST_WHERE                                                                                 \
	" WHERE substr(su.path, 1, length(?)) = ? AND (? IS NULL OR t.kind = ?)"                   \
	" AND (? IS NULL OR (? = 'pending_ack' AND t.ack_at IS NULL)"                              \
	"  OR (? = 'pending_feedback' AND t.ack_at IS NOT NULL AND t.feedback_at IS NULL)"         \
	"  OR (? = 'done' AND t.feedback_at IS NOT NULL))"
#define LIST_ARGS(q)                                                                               \
	(q)->scope_path, (q)->scope_path, (q)->kind, (q)->kind, (q)->status, (q)->status,          \
	    (q)->status, (q)->status

int fq_transfer_list(struct fq_dbc *c, const struct fq_transfer_query *q, json_t **out,
		     struct fq_err *err)
{
	struct fq_stmt *st;
	int64_t total = 0;
	json_t *items;
	int rc;

	*out = NULL;
	if (q->kind && strcmp(q->kind, "case") != 0 && strcmp(q->kind, "clue") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "kind",
				  "kind 应为 case 或 clue");
	if (q->status && strcmp(q->status, "pending_ack") != 0 &&
	    strcmp(q->status, "pending_feedback") != 0 && strcmp(q->status, "done") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "status",
				  "status 应为 pending_ack、pending_feedback 或 done");
	if ((rc = fq_dbc_count(c, err, &total, "SELECT COUNT(*)" TRANSFER_FROM LIST_WHERE,
			       "tttttttt", LIST_ARGS(q))))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT " TRANSFER_COLS TRANSFER_FROM LIST_WHERE
			  " ORDER BY t.transferred_at DESC, t.id DESC LIMIT ? OFFSET ?",
			  "ttttttttii", LIST_ARGS(q), q->per_page, (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, transfer_row(st));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}
