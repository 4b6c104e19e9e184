#include "cases/reception.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

static const struct {
	const char *code;
	const char *label;
} needs[FQ_NEED_COUNT] = {
    [FQ_NEED_CONSULTATION] = {"consultation", "咨询"},
    [FQ_NEED_HELP] = {"help", "求助"},
    [FQ_NEED_LOST_FOUND] = {"lost_found", "失物招领"},
    [FQ_NEED_CERTIFICATE] = {"certificate", "办证开证明"},
    [FQ_NEED_MEDIATION] = {"mediation", "调解申请"},
    [FQ_NEED_REPORT] = {"report", "报案报警"},
};

static const char *const targets[FQ_CONVERT_COUNT] = {
    [FQ_CONVERT_ALERT] = "alert",
    [FQ_CONVERT_SERVICE_REQUEST] = "service_request",
    [FQ_CONVERT_DISPUTE] = "dispute",
    [FQ_CONVERT_CASE] = "case",
};

const char *fq_reception_need_code(enum fq_reception_need n)
{
	return (unsigned)n < FQ_NEED_COUNT ? needs[n].code : NULL;
}

const char *fq_reception_need_label(enum fq_reception_need n)
{
	return (unsigned)n < FQ_NEED_COUNT ? needs[n].label : NULL;
}

int fq_reception_need_from(const char *s)
{
	for (int i = 0; s && i < FQ_NEED_COUNT; i++)
		if (strcmp(needs[i].code, s) == 0 || strcmp(needs[i].label, s) == 0)
			return i;
	return -1;
}

const char *fq_reception_target_code(enum fq_reception_target t)
{
	return (unsigned)t < FQ_CONVERT_COUNT ? targets[t] : NULL;
}

int fq_reception_target_from(const char *s)
{
	for (int i = 0; s && i < FQ_CONVERT_COUNT; i++)
		if (strcmp(targets[i], s) == 0)
			return i;
	return -1;
}

static int64_t now_or_clock(int64_t now_ms)
{
	return now_ms ? now_ms : fq_now_ms();
}

static int blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

static int check_len(const char *s, size_t max, const char *field, struct fq_err *err)
{
	if (s && fq_utf8_chars(s) > max)
		return fq_err_set(err, FQ_EINVAL, "too_long", field, "字段 %s 超过 %zu 个字符",
				  field, max);
	return 0;
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

int fq_reception_create(struct fq_dbc *c, const struct fq_reception_new *in, char id[37],
			char station[FQ_UNIT_CODE_MAX], struct fq_err *err)
{
	int64_t now = now_or_clock(in->now_ms), started = in->started_at ? in->started_at : now;
	const char *unit = in->unit ? in->unit : in->actor_unit;
	const char *handler = in->handled_by ? in->handled_by : in->actor_id;
	char path[FQ_UNIT_PATH_MAX], number[FQ_NUMBER_MAX];
	struct fq_phone phone = {0};
	struct fq_stmt *st;
	int need, rc;

	rc = fq_unit_path(c, unit, path, err);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(in->scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				  "unit 应为您辖区内的派出所代码");
	if (rc)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT s.code, s.path FROM unit u JOIN unit s ON s.kind = 'station'"
			  " AND substr(u.path, 1, length(s.path)) = s.path WHERE u.code = ?",
			  "t", unit);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(station, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 0));
		snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 1));
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	if (rc == FQ_DB_DONE)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
				  "您所在单位不是派出所：请用 unit 指明会客厅所在的派出所");
	if (blank(in->visitor_name))
		return fq_err_set(err, FQ_EINVAL, "missing_field", "visitor_name",
				  "请填写来访人姓名（可填“匿名”）");
	if ((rc = check_len(in->visitor_name, FQ_RECEPTION_NAME_MAX, "visitor_name", err)) ||
	    (rc = check_len(in->what_done, FQ_RECEPTION_TEXT_MAX, "what_done", err)))
		return rc;
	if (!blank(in->phone) && (rc = fq_phone_normalize(in->phone, &phone, err))) {
		if (err)
			snprintf(err->field, sizeof(err->field), "phone");
		return rc;
	}
	need = fq_reception_need_from(in->need);
	if (need < 0)
		return fq_err_set(err, FQ_EINVAL, in->need ? "invalid_value" : "missing_field",
				  "need",
				  "来访事由应为 consultation、help、lost_found、certificate、"
				  "mediation 或 report");
	if (started > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "in_future", "started_at",
				  "来访时间不能晚于当前时间");
	if (in->ended_at && in->ended_at < started)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "ended_at",
				  "离开时间不能早于来访时间");
	if (in->handled_by) {
		char upath[FQ_UNIT_PATH_MAX];
		if (!fq_uuid_valid(in->handled_by) ||
		    fq_dbc_lookup_text(
			c,
			"SELECT un.path FROM app_user u JOIN unit un"
			" ON un.code = u.unit_code WHERE u.id = ? AND u.disabled = 0",
			in->handled_by, upath, sizeof(upath), "", err) != 0 ||
		    !fq_scope_covers(path, upath))
			return fq_err_set(err, FQ_EINVAL, "unknown_user", "handled_by",
					  "handled_by 应为本所的在岗人员");
	}
	if ((rc = fq_number_next(c, "JD", station, started, number, err)))
		return rc;
	fq_uuid7_str(id);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO reception_visit (id, number, unit_code, visitor_name, phone,"
	    " phone_norm, need, what_done, started_at, ended_at, handled_by, created_at,"
	    " created_by, updated_at, updated_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttttiItitit", id, number, station, in->visitor_name,
	    blank(in->phone) ? NULL : in->phone, phone.number, needs[need].code,
	    blank(in->what_done) ? NULL : in->what_done, started,
	    in->ended_at ? in->ended_at : INT64_MIN, handler, now, in->actor_id, now, in->actor_id);
}

int fq_reception_load(struct fq_dbc *c, const char *id, struct fq_reception_visit *out,
		      struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "来访记录不存在");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT unit_code, visitor_name, COALESCE(phone, ''), need,"
			  " COALESCE(what_done, ''), started_at, version, converted_to IS NOT NULL,"
			  " COALESCE(converted_to, ''), conversion_state = 'pending'"
			  " FROM reception_visit WHERE id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(out->station, sizeof(out->station), "%s", fq_stmt_text(st, 0));
		snprintf(out->visitor_name, sizeof(out->visitor_name), "%s", fq_stmt_text(st, 1));
		snprintf(out->phone, sizeof(out->phone), "%s", fq_stmt_text(st, 2));
		snprintf(out->need, sizeof(out->need), "%s", fq_stmt_text(st, 3));
		snprintf(out->what_done, sizeof(out->what_done), "%s", fq_stmt_text(st, 4));
		out->started_at = fq_stmt_int(st, 5);
		out->version = fq_stmt_int(st, 6);
		out->converted = (int)fq_stmt_int(st, 7);
		snprintf(out->converted_to, sizeof(out->converted_to), "%s", fq_stmt_text(st, 8));
		out->pending = out->converted && fq_stmt_int(st, 9);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "来访记录不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_reception_update(struct fq_dbc *c, const char *id, const struct fq_reception_change *ch,
			struct fq_err *err)
{
	struct fq_reception_visit v;
	int rc;

	if ((rc = fq_reception_load(c, id, &v, err)))
		return rc;
	if (ch->expected_version && ch->expected_version != v.version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "记录已被他人修改，请刷新后重试");
	if ((rc = check_len(ch->what_done, FQ_RECEPTION_TEXT_MAX, "what_done", err)))
		return rc;
	if (ch->ended_at && ch->ended_at < v.started_at)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "ended_at",
				  "离开时间不能早于来访时间");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE reception_visit SET what_done = COALESCE(?, what_done),"
			  " ended_at = COALESCE(?, ended_at), version = version + 1,"
			  " updated_at = ?, updated_by = ? WHERE id = ?",
			  "tIitt", ch->what_done, ch->ended_at ? ch->ended_at : INT64_MIN,
			  now_or_clock(ch->now_ms), ch->actor_id, id);
}

int fq_reception_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			   struct fq_err *err)
{
	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "来访记录不存在");
	return fq_dbc_lookup_text(c,
				  "SELECT u.path FROM reception_visit v JOIN unit u"
				  " ON u.code = v.unit_code WHERE v.id = ?",
				  id, path, FQ_UNIT_PATH_MAX, "来访记录不存在", err);
}

int fq_reception_mark_converted(struct fq_dbc *c, const char *id, enum fq_reception_target target,
				const char *object_id, int64_t expected_version,
				const char *actor_id, int64_t now_ms, struct fq_err *err)
{
	int64_t now = now_or_clock(now_ms), changed = 0;
	struct fq_reception_visit v;
	int rc;

	if ((rc = fq_reception_load(c, id, &v, err)))
		return rc;
	if (expected_version && expected_version != v.version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "记录已被他人修改，请刷新后重试");
	/* A pending conversion is completed by the object of its own target. */
	if (v.converted &&
	    !(v.pending && object_id && strcmp(v.converted_to, targets[target]) == 0))
		return fq_err_set(err, FQ_ECONFLICT, "already_converted", "to",
				  "该来访已经转为其他事项");
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE reception_visit SET converted_to = ?, converted_id = ?,"
			" conversion_state = ?, converted_at = ?, converted_by = ?,"
			" version = version + 1, updated_at = ?, updated_by = ?"
			" WHERE id = ? AND (converted_to IS NULL OR (converted_to = ?"
			" AND conversion_state = 'pending' AND ? IS NOT NULL))",
			"tttititttt", targets[target], object_id, object_id ? "done" : "pending",
			now, actor_id, now, actor_id, id, targets[target], object_id);
	if (!rc && !changed)
		return fq_err_set(err, FQ_ECONFLICT, "already_converted", "to",
				  "该来访已经转为其他事项");
	return rc;
}

#define VISIT_COLUMNS                                                                              \
	"v.id, v.number, v.unit_code, v.visitor_name, v.phone_norm, v.need, v.what_done,"          \
	" v.started_at, v.ended_at, v.handled_by, hu.display_name, v.converted_to,"                \
	" v.converted_id, v.conversion_state, v.converted_at, v.version, v.created_at"
#define VISIT_FROM                                                                                 \
	" FROM reception_visit v JOIN unit u ON u.code = v.unit_code"                              \
	" LEFT JOIN app_user hu ON hu.id = v.handled_by"

static json_t *visit_row(struct fq_stmt *st, int mask_phone)
{
	const char *phone = fq_stmt_text(st, 4), *need = fq_stmt_text(st, 5);
	json_t *j = json_object(), *minutes = json_null();
	int n = fq_reception_need_from(need);

	json_object_set_new(j, "id", text_json(st, 0));
	json_object_set_new(j, "number", text_json(st, 1));
	json_object_set_new(j, "unit", text_json(st, 2));
	json_object_set_new(j, "visitor_name", text_json(st, 3));
	if (phone && *phone) {
		char masked[FQ_PHONE_MAX + 1];
		if (mask_phone)
			(void)fq_phone_mask(phone, masked);
		json_object_set_new(j, "phone", json_string(mask_phone ? masked : phone));
	} else {
		json_object_set_new(j, "phone", json_null());
	}
	json_object_set_new(j, "need", json_string(need));
	json_object_set_new(j, "need_label", n >= 0 ? json_string(needs[n].label) : json_null());
	json_object_set_new(j, "what_done", text_json(st, 6));
	json_object_set_new(j, "started_at", time_json(st, 7));
	json_object_set_new(j, "ended_at", time_json(st, 8));
	if (!fq_stmt_is_null(st, 8))
		minutes = json_integer((fq_stmt_int(st, 8) - fq_stmt_int(st, 7)) / 60000);
	json_object_set_new(j, "minutes_spent", minutes);
	json_object_set_new(j, "handled_by", text_json(st, 9));
	json_object_set_new(j, "handled_by_name", text_json(st, 10));
	json_object_set_new(j, "converted_to", text_json(st, 11));
	json_object_set_new(j, "converted_id", text_json(st, 12));
	json_object_set_new(j, "conversion_state", text_json(st, 13));
	json_object_set_new(j, "converted_at", time_json(st, 14));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 15)));
	json_object_set_new(j, "created_at", time_json(st, 16));
	return j;
}

int fq_reception_json(struct fq_dbc *c, const char *id, int mask_phone, json_t **out,
		      struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT " VISIT_COLUMNS VISIT_FROM " WHERE v.id = ?",
			      "t", id);

	*out = NULL;
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = visit_row(st, mask_phone);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "来访记录不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_reception_list(struct fq_dbc *c, const struct fq_reception_query *q, json_t **out,
		      struct fq_err *err)
{
	static const char where[] =
	    " WHERE v.unit_code IN (SELECT code FROM unit WHERE substr(path, 1, length(?1)) = ?1)"
	    " AND (?2 IS NULL OR v.need = ?2)"
	    " AND (?3 < 0 OR ?3 = (v.converted_to IS NOT NULL))"
	    " AND (?4 = 0 OR v.started_at >= ?4) AND (?5 = 0 OR v.started_at < ?5)";
	const char *need = NULL;
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	if (q->need) {
		int n = fq_reception_need_from(q->need);
		if (n < 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_query", "need",
					  "未知的来访事由 %s", q->need);
		need = needs[n].code;
	}
	{
		char sql[2048];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM reception_visit v%s", where);
		if ((rc = fq_dbc_count(c, err, &total, sql, "ttiii", q->scope_path, need,
				       (int64_t)q->converted, q->from_ms, q->to_ms)))
			return rc;
		/*
		 * The page's ids on index columns (migration 0015), then their
		 * rows: without a period by walking the order's covering index
		 * and stopping after the page, with one from the station's
		 * covering index, sorted (the unary + keeps the planner from
		 * walking).
		 */
		int walk = !q->from_ms && !q->to_ms;
		snprintf(sql, sizeof(sql),
			 "SELECT " VISIT_COLUMNS VISIT_FROM
			 " WHERE v.id IN (SELECT v.id FROM reception_visit v%s%s ORDER BY %s"
			 " LIMIT ?6 OFFSET ?7) ORDER BY v.started_at DESC, v.id DESC",
			 walk ? " INDEXED BY reception_visit_started_cover" : "", where,
			 walk ? "v.started_at DESC, v.id DESC" : "+v.started_at DESC, +v.id DESC");
		rc = fq_dbc_query(c, err, &st, sql, "ttiiiii", q->scope_path, need,
				  (int64_t)q->converted, q->from_ms, q->to_ms, q->per_page,
				  (q->page - 1) * q->per_page);
		if (rc)
			return rc;
	}
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, visit_row(st, q->mask_phone));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

int fq_reception_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
			struct fq_reception_counts *out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT v.need, v.converted_to, v.conversion_state, v.started_at,"
			      " v.ended_at FROM reception_visit v WHERE v.unit_code IN"
			      " (SELECT code FROM unit WHERE substr(path, 1, length(?1)) = ?1)"
			      " AND v.started_at >= ?2"
			      " AND v.started_at < ?3",
			      "tii", unit_path, from_ms, to_ms);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		int n = fq_reception_need_from(fq_stmt_text(st, 0));
		int t = fq_reception_target_from(fq_stmt_text(st, 1));
		const char *state = fq_stmt_text(st, 2);
		out->visitors++;
		if (n >= 0)
			out->by_need[n]++;
		if (t >= 0)
			out->converted[t]++;
		if (state && strcmp(state, "pending") == 0)
			out->pending++;
		if (!fq_stmt_is_null(st, 4)) {
			out->timed++;
			out->minutes += (fq_stmt_int(st, 4) - fq_stmt_int(st, 3)) / 60000;
		}
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int fq_reception_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
			  json_t **out, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], from[FQ_RFC3339_MAX], to[FQ_RFC3339_MAX];
	struct fq_reception_counts k;
	json_t *by_need = json_object(), *conv = json_object();
	int rc;

	*out = NULL;
	if (to_ms <= from_ms)
		rc = fq_err_set(err, FQ_EINVAL, "invalid_query", "to", "to 应晚于 from");
	else if (!(rc = fq_unit_path(c, unit_code, path, err)))
		rc = fq_reception_counts(c, path, from_ms, to_ms, &k, err);
	if (rc) {
		json_decref(by_need);
		json_decref(conv);
		return rc;
	}
	for (int i = 0; i < FQ_NEED_COUNT; i++)
		json_object_set_new(by_need, needs[i].code, json_integer(k.by_need[i]));
	for (int i = 0; i < FQ_CONVERT_COUNT; i++)
		json_object_set_new(conv, targets[i], json_integer(k.converted[i]));
	fq_time_format_cst(from_ms, from);
	fq_time_format_cst(to_ms, to);
	*out =
	    json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:o}", "unit", unit_code,
		      "from", from, "to", to, "visitors", (json_int_t)k.visitors, "helps",
		      (json_int_t)k.by_need[FQ_NEED_HELP], "mediations",
		      (json_int_t)k.by_need[FQ_NEED_MEDIATION], "services",
		      (json_int_t)(k.by_need[FQ_NEED_CERTIFICATE] + k.by_need[FQ_NEED_LOST_FOUND]),
		      "by_need", by_need, "converted", conv, "pending_conversions",
		      (json_int_t)k.pending, "average_minutes",
		      k.timed ? json_real(round((double)k.minutes / (double)k.timed * 10.0) / 10.0)
			      : json_null());
	return 0;
}
