/* Response units, their stations and positions (command/dispatch.h). */
#include "command/dispatch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "core/banned.h"

static int check_call_sign(const char *s, struct fq_err *err)
{
	if (fq__dispatch_blank(s))
		return fq_err_set(err, FQ_EINVAL, "missing_field", "call_sign", "请填写呼号");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "call_sign",
					  "呼号不能含有控制字符");
	return fq__dispatch_check_chars(s, FQ_DISPATCH_CALL_SIGN_MAX, "call_sign", err);
}

/* ---- stations ---- */

int fq_dispatch_station(struct fq_dbc *c, const char *code, char station[FQ_UNIT_CODE_MAX],
			char path[FQ_UNIT_PATH_MAX], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT s.code, s.path FROM unit u JOIN unit s ON s.kind = 'station'"
			      " AND substr(u.path, 1, length(s.path)) = s.path WHERE u.code = ?"
			      " ORDER BY length(s.path) DESC",
			      "t", code);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(station, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 0));
		snprintf(path, FQ_UNIT_PATH_MAX, "%s", fq_stmt_text(st, 1));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", "unit", "派出所不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static int station_exists(struct fq_dbc *c, const char *code, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT 1 FROM unit WHERE code = ? AND kind = 'station'",
			      "t", code);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE)
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit", "unit 应为派出所代码");
	return rc < 0 ? rc : 0;
}

/* ---- response units ---- */

static const char *const source_codes[FQ_POSITION_SOURCE_COUNT] = {
    [FQ_POSITION_GPS] = "gps",
    [FQ_POSITION_APP] = "app",
    [FQ_POSITION_MANUAL] = "manual",
};

const char *fq_position_source_code(enum fq_position_source s)
{
	return (unsigned)s < FQ_POSITION_SOURCE_COUNT ? source_codes[s] : NULL;
}

int fq_position_source_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_POSITION_SOURCE_COUNT; s++)
		if (strcmp(source_codes[s], code) == 0)
			return s;
	return -1;
}

static int manual_status(enum fq_response_unit_status s)
{
	return s == FQ_RESPONSE_UNIT_AVAILABLE || s == FQ_RESPONSE_UNIT_BUSY ||
	       s == FQ_RESPONSE_UNIT_OFF_DUTY;
}

static int call_sign_taken(int rc, const char *call_sign, struct fq_err *err)
{
	if (rc != FQ_ECONFLICT)
		return rc;
	return fq_err_set(err, FQ_ECONFLICT, "call_sign_taken", "call_sign",
			  "本所已有呼号为“%s”的处警力量", call_sign);
}

int fq_response_unit_create(struct fq_dbc *c, const struct fq_response_unit_new *in, int64_t now_ms,
			    char id[37], struct fq_err *err)
{
	int rc;

	if ((rc = check_call_sign(in->call_sign, err)) ||
	    (rc = fq__dispatch_check_chars(in->members, FQ_DISPATCH_MEMBERS_MAX, "members", err)))
		return rc;
	if (!fq_response_unit_type_code(in->type))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "type", "未知的力量类型");
	if (!fq_response_unit_status_code(in->status) || !manual_status(in->status))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "status",
				  "新建力量的状态应为 available、busy 或 off_duty");
	if ((rc = station_exists(c, in->unit_code, err)))
		return rc;
	fq_uuid7_str(id);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO response_unit (id, unit_code, call_sign, type, status, members,"
	    " created_at, created_by, updated_at, updated_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttitit", id, in->unit_code, in->call_sign, fq_response_unit_type_code(in->type),
	    fq_response_unit_status_code(in->status),
	    fq__dispatch_blank(in->members) ? NULL : in->members, now_ms, in->actor_id, now_ms,
	    in->actor_id);
	return call_sign_taken(rc, in->call_sign, err);
}

static int has_active_dispatch(enum fq_response_unit_status s)
{
	return s == FQ_RESPONSE_UNIT_DISPATCHED || s == FQ_RESPONSE_UNIT_EN_ROUTE ||
	       s == FQ_RESPONSE_UNIT_ON_SCENE;
}

int fq_response_unit_update(struct fq_dbc *c, const char *id,
			    const struct fq_response_unit_patch *p, int64_t now_ms,
			    enum fq_response_unit_status *before,
			    enum fq_response_unit_status *after, struct fq_err *err)
{
	char call_sign[FQ_DISPATCH_CALL_SIGN_BYTES];
	enum fq_response_unit_status from = FQ_RESPONSE_UNIT_AVAILABLE, to;
	struct fq_stmt *st;
	int64_t version = 0, changed = 0;
	int status, rc;

	if ((p->call_sign && (rc = check_call_sign(p->call_sign, err))) ||
	    (rc = fq__dispatch_check_chars(p->members, FQ_DISPATCH_MEMBERS_MAX, "members", err)))
		return rc;
	if (p->has_type && !fq_response_unit_type_code(p->type))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "type", "未知的力量类型");
	if (p->has_status && !fq_response_unit_status_code(p->status))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "status", "未知的力量状态");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT status, version, call_sign FROM response_unit WHERE id = ?", "t",
			  id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		status = fq_response_unit_status_from_code(fq_stmt_text(st, 0));
		from =
		    status < 0 ? FQ_RESPONSE_UNIT_OFF_DUTY : (enum fq_response_unit_status)status;
		version = fq_stmt_int(st, 1);
		snprintf(call_sign, sizeof(call_sign), "%s", fq_stmt_text(st, 2));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "处警力量不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (p->expected_version != version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该处警力量已被他人更新（当前版本 %lld），请刷新后重试",
				  (long long)version);
	to = p->has_status ? p->status : from;
	if (to != from && !manual_status(to))
		return fq_err_set(err, FQ_ECONFLICT, "status_by_dispatch", "status",
				  "“%s”状态由派警流程设置，不能手工修改",
				  fq_response_unit_status_label(to));
	if (to != from && has_active_dispatch(from))
		return fq_err_set(err, FQ_ECONFLICT, "unit_on_dispatch", "status",
				  "%s 正在执行派警任务（%s），请先结束或取消派警", call_sign,
				  fq_response_unit_status_label(from));
	rc = fq_dbc_run(
	    c, err, &changed,
	    "UPDATE response_unit SET call_sign = COALESCE(?, call_sign),"
	    " type = COALESCE(?, type), status = ?,"
	    " members = CASE WHEN ? = 1 THEN ? ELSE members END,"
	    " updated_at = ?, updated_by = ?, version = version + 1"
	    " WHERE id = ? AND version = ?",
	    "tttititti", p->call_sign, p->has_type ? fq_response_unit_type_code(p->type) : NULL,
	    fq_response_unit_status_code(to), (int64_t)(p->members != NULL),
	    fq__dispatch_blank(p->members) ? NULL : p->members, now_ms, p->actor_id, id, version);
	if ((rc = call_sign_taken(rc, p->call_sign, err)))
		return rc;
	if (!changed)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该处警力量已被他人更新，请刷新后重试");
	if (before)
		*before = from;
	if (after)
		*after = to;
	return 0;
}

int fq_response_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			  struct fq_err *err)
{
	return fq_dbc_lookup_text(
	    c,
	    "SELECT u.path FROM response_unit r JOIN unit u ON u.code = r.unit_code"
	    " WHERE r.id = ?",
	    id, path, FQ_UNIT_PATH_MAX, "处警力量不存在", err);
}

#define UNIT_COLS                                                                                  \
	"r.id, r.unit_code, r.call_sign, r.type, r.status, r.last_lat, r.last_lon, r.last_at,"     \
	" r.members, r.version, r.created_at, r.updated_at, d.id, d.incident_id, d.state"
#define UNIT_FROM                                                                                  \
	" FROM response_unit r LEFT JOIN dispatch d ON d.response_unit_id = r.id"                  \
	" AND d.state IN " FQ__DISPATCH_ACTIVE_STATES

static json_t *unit_row(struct fq_stmt *st, int64_t now_ms, int64_t max_age_s)
{
	int type = fq_response_unit_type_from_code(fq_stmt_text(st, 3));
	int status = fq_response_unit_status_from_code(fq_stmt_text(st, 4));
	json_t *j = json_object();

	json_object_set_new(j, "id", fq__dispatch_text_json(st, 0));
	json_object_set_new(j, "unit", fq__dispatch_text_json(st, 1));
	json_object_set_new(j, "call_sign", fq__dispatch_text_json(st, 2));
	json_object_set_new(j, "type", fq__dispatch_text_json(st, 3));
	json_object_set_new(
	    j, "type_label",
	    json_string(type >= 0 ? fq_response_unit_type_label((enum fq_response_unit_type)type)
				  : "?"));
	json_object_set_new(j, "status", fq__dispatch_text_json(st, 4));
	json_object_set_new(j, "status_label",
			    json_string(status >= 0 ? fq_response_unit_status_label(
							  (enum fq_response_unit_status)status)
						    : "?"));
	json_object_set_new(j, "members", fq__dispatch_text_json(st, 8));
	if (fq_stmt_is_null(st, 5) || fq_stmt_is_null(st, 7)) {
		json_object_set_new(j, "position", json_null());
	} else {
		int64_t age_s = (now_ms - fq_stmt_int(st, 7)) / 1000;
		if (age_s < 0)
			age_s = 0;
		json_object_set_new(j, "position",
				    json_pack("{s:f, s:f, s:o, s:I, s:b}", "lat",
					      fq_stmt_double(st, 5), "lon", fq_stmt_double(st, 6),
					      "at", fq__dispatch_time_json(st, 7), "age_s",
					      (json_int_t)age_s, "stale", age_s > max_age_s));
	}
	json_object_set_new(j, "dispatch",
			    fq_stmt_is_null(st, 12)
				? json_null()
				: json_pack("{s:o, s:o, s:o}", "id", fq__dispatch_text_json(st, 12),
					    "incident_id", fq__dispatch_text_json(st, 13), "state",
					    fq__dispatch_text_json(st, 14)));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 9)));
	json_object_set_new(j, "created_at", fq__dispatch_time_json(st, 10));
	json_object_set_new(j, "updated_at", fq__dispatch_time_json(st, 11));
	return j;
}

int fq_response_unit_json(struct fq_dbc *c, const char *id, int64_t now_ms, json_t **out,
			  struct fq_err *err)
{
	struct fq_dispatch_config cfg;
	struct fq_stmt *st;
	int rc;

	*out = NULL;
	fq_dispatch_config_get(&cfg);
	rc = fq_dbc_query(c, err, &st, "SELECT " UNIT_COLS UNIT_FROM " WHERE r.id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = unit_row(st, now_ms, cfg.eta.max_position_age_s);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "处警力量不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_response_unit_list(struct fq_dbc *c, const struct fq_response_unit_query *q, int64_t now_ms,
			  json_t **out, struct fq_err *err)
{
	struct fq_dispatch_config cfg;
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	*out = NULL;
	if (q->status && fq_response_unit_status_from_code(q->status) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "status",
				  "status 应为 available、dispatched、en_route、on_scene、busy "
				  "或 off_duty");
	if (q->type && fq_response_unit_type_from_code(q->type) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "type",
				  "type 应为 car、foot、motorbike、auxiliary_team 或 "
				  "volunteer_team");
	fq_dispatch_config_get(&cfg);
#define UNIT_WHERE                                                                                 \
	" JOIN unit u ON u.code = r.unit_code WHERE substr(u.path, 1, length(?)) = ?"              \
	" AND (? IS NULL OR r.unit_code = ?) AND (? IS NULL OR r.status = ?)"                      \
	" AND (? IS NULL OR r.type = ?)"
	rc = fq_dbc_query(c, err, &st, "SELECT COUNT(*) FROM response_unit r" UNIT_WHERE,
			  "tttttttt", q->scope_path, q->scope_path, q->station, q->station,
			  q->status, q->status, q->type, q->type);
	if (rc || (rc = fq__dispatch_count(st, &total, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT " UNIT_COLS UNIT_FROM UNIT_WHERE
			  " ORDER BY r.unit_code, r.call_sign, r.id LIMIT ? OFFSET ?",
			  "ttttttttii", q->scope_path, q->scope_path, q->station, q->station,
			  q->status, q->status, q->type, q->type, q->per_page,
			  (q->page - 1) * q->per_page);
#undef UNIT_WHERE
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, unit_row(st, now_ms, cfg.eta.max_position_age_s));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

/* ---- positions ---- */

/* Prefix a field of the location object ("lat" → "location.lat"). */
static int location_field(int rc, struct fq_err *err)
{
	if (err && (strcmp(err->field, "lat") == 0 || strcmp(err->field, "lon") == 0 ||
		    strcmp(err->field, "crs") == 0)) {
		char f[FQ_ERR_FIELD_MAX];
		snprintf(f, sizeof(f), "location.%.4s", err->field);
		snprintf(err->field, sizeof(err->field), "%s", f);
	}
	return rc;
}

static int parse_location(json_t *body, struct fq_geo_point *out, struct fq_err *err)
{
	static const char *const keys[] = {"lat", "lon", "crs", NULL};
	json_t *loc = json_object_get(body, "location");
	struct fq_geo_point p;
	enum fq_geo_crs crs;
	const char *crs_name = NULL;
	int rc;

	if (!loc || json_is_null(loc))
		return fq_err_set(err, FQ_EINVAL, "missing_field", "location",
				  "缺少必填字段：location");
	if (!json_is_object(loc))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", "location",
				  "location 应为 {\"lat\",\"lon\"} 对象");
	if ((rc = fq_json_only_keys(loc, keys, err)) ||
	    (rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &p.lat, NULL, err)) ||
	    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &p.lon, NULL, err)) ||
	    (rc = fq_json_get_str(loc, "crs", FQ_JSON_OPTIONAL, 16, &crs_name, err)) ||
	    (rc = fq_geo_crs_parse(crs_name, "location.crs", &crs, err)) ||
	    (rc = fq_geo_to_wgs84(crs, p, "location", out, err)))
		return location_field(rc, err);
	return 0;
}

static const char *const position_keys[] = {"location", "at", "accuracy_m", "source", NULL};

int fq_position_parse(json_t *body, int64_t now_ms, struct fq_position_in *out, struct fq_err *err)
{
	const char *at = NULL, *source = NULL;
	int present = 0, rc;

	memset(out, 0, sizeof(*out));
	out->accuracy_m = NAN;
	out->source = FQ_POSITION_MANUAL;
	out->at_ms = now_ms;
	if ((rc = fq_json_only_keys(body, position_keys, err)) ||
	    (rc = parse_location(body, &out->point, err)) ||
	    (rc = fq_json_get_str(body, "at", FQ_JSON_OPTIONAL, 64, &at, err)) ||
	    (rc = fq_json_get_real(body, "accuracy_m", FQ_JSON_OPTIONAL, 0,
				   FQ_DISPATCH_ACCURACY_MAX_M, &out->accuracy_m, &present, err)) ||
	    (rc = fq_json_get_str(body, "source", FQ_JSON_OPTIONAL, 16, &source, err)))
		return rc;
	if (!present)
		out->accuracy_m = NAN;
	if (at && (rc = fq_time_parse(at, &out->at_ms, "at", err)))
		return rc;
	if (out->at_ms > now_ms + FQ_DISPATCH_POSITION_FUTURE_MS)
		return fq_err_set(err, FQ_EINVAL, "in_future", "at", "定位时间不能晚于当前时间");
	if (out->at_ms < now_ms - FQ_DISPATCH_POSITION_PAST_MS)
		return fq_err_set(err, FQ_EINVAL, "too_old", "at", "定位时间不能早于 7 天前");
	if (source) {
		int s = fq_position_source_from_code(source);
		if (s < 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "source",
					  "定位来源应为 gps、app 或 manual");
		out->source = s;
	}
	return 0;
}

int fq_response_unit_report_position(struct fq_dbc *c, const char *id,
				     const struct fq_position_in *p, const char *actor_id,
				     int64_t now_ms, int *latest, struct fq_err *err)
{
	char pos_id[FQ_UUID_STR];
	struct fq_stmt *st;
	int64_t last_at = FQ_DISPATCH_NO_TIME;
	int is_latest, rc;

	if ((rc = fq_geo_check(p->point, "location", err)))
		return rc;
	rc = fq_dbc_query(c, err, &st, "SELECT last_at FROM response_unit WHERE id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		last_at = fq__dispatch_int_or_none(st, 0);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "处警力量不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	fq_uuid7_str(pos_id);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO unit_position (id, response_unit_id, lat, lon, at, accuracy_m,"
			" source, received_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"ttddiDtit", pos_id, id, p->point.lat, p->point.lon, p->at_ms,
			p->accuracy_m, fq_position_source_code(p->source), now_ms, actor_id);
	if (rc)
		return rc;
	is_latest = last_at == FQ_DISPATCH_NO_TIME || p->at_ms >= last_at;
	if (is_latest)
		rc = fq_dbc_run(c, err, NULL,
				"UPDATE response_unit SET last_lat = ?, last_lon = ?, last_at = ?"
				" WHERE id = ?",
				"ddit", p->point.lat, p->point.lon, p->at_ms, id);
	if (latest)
		*latest = is_latest;
	return rc;
}

int fq_unit_position_list(struct fq_dbc *c, const char *id, int64_t page, int64_t per_page,
			  json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT COUNT(*) FROM unit_position WHERE response_unit_id = ?", "t", id);
	if (rc || (rc = fq__dispatch_count(st, &total, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT lat, lon, at, accuracy_m, source, received_at FROM unit_position"
			  " WHERE response_unit_id = ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
			  "tii", id, per_page, (page - 1) * per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    items, json_pack("{s:f, s:f, s:o, s:o, s:o, s:o}", "lat", fq_stmt_double(st, 0),
				     "lon", fq_stmt_double(st, 1), "at",
				     fq__dispatch_time_json(st, 2), "accuracy_m",
				     fq_stmt_is_null(st, 3) ? json_null()
							    : json_real(fq_stmt_double(st, 3)),
				     "source", fq__dispatch_text_json(st, 4), "received_at",
				     fq__dispatch_time_json(st, 5)));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}
