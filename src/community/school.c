/* School posts (护学岗): store. See school.h. */
#include "community/school.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "org/rights.h"
#include "core/banned.h"

#define DAY_MS (24LL * 3600 * 1000)

/* ---- arithmetic ---- */

int fq_school_parse_day(const char *s, int64_t *days)
{
	int64_t y2;
	unsigned m2, d2;
	int y, m, d, n = 0;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || y < 1970 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	*days = fq_days_from_civil(y, (unsigned)m, (unsigned)d);
	fq_civil_from_days(*days, &y2, &m2, &d2);
	return y2 == y && (int)m2 == m && (int)d2 == d ? 0 : -1;
}

void fq_school_format_day(int64_t days, char out[11])
{
	int64_t y;
	unsigned m, d;

	char buf[32];

	fq_civil_from_days(days, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%04d-%02u-%02u", (int)(y % 10000), m % 100, d % 100);
	memcpy(out, buf, 10);
	out[10] = '\0';
}

int64_t fq_school_local_day(int64_t ms)
{
	int64_t z = ms + (int64_t)FQ_CST_OFFSET_S * 1000;
	return z >= 0 ? z / DAY_MS : -((-z + DAY_MS - 1) / DAY_MS);
}

int fq_school_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3). */
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

int64_t fq_school_session_start(int64_t days, int start_min)
{
	return days * DAY_MS + (int64_t)start_min * 60000 - (int64_t)FQ_CST_OFFSET_S * 1000;
}

int64_t fq_school_days_in(int mask, int64_t from_days, int64_t to_days)
{
	int64_t n, weeks, count = 0;
	int per_week = 0;

	if (to_days < from_days)
		return 0;
	for (int i = 0; i < 7; i++)
		per_week += (mask >> i) & 1;
	n = to_days - from_days + 1;
	weeks = n / 7;
	count = weeks * per_week;
	for (int64_t d = from_days + weeks * 7; d <= to_days; d++)
		count += (mask >> fq_school_weekday(d)) & 1;
	return count;
}

const char *fq_school_arrival_status(int64_t start_ms, int64_t arrived_ms)
{
	return arrived_ms <= start_ms ? "on_time" : "late";
}

void fq_school_rates(const struct fq_school_tally *t, double *attendance, double *punctuality,
		     double *recorded)
{
	int64_t n = t->on_time + t->late + t->absent;

	*attendance = n ? (double)(t->on_time + t->late) / (double)n : NAN;
	*punctuality = n ? (double)t->on_time / (double)n : NAN;
	*recorded = t->expected ? (double)n / (double)t->expected : NAN;
}

static json_t *rate_json(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static const char *nullable(const char *s)
{
	return s && *s ? s : NULL;
}

static void hhmm(int min, char out[6])
{
	unsigned m = min >= 0 && min <= 1440 ? (unsigned)min : 0u;
	out[0] = (char)('0' + m / 600);
	out[1] = (char)('0' + m / 60 % 10);
	out[2] = ':';
	out[3] = (char)('0' + m % 60 / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
}

/* ---- schools ---- */

int fq_school_create(struct fq_dbc *c, const struct fq_school_new *in, const char *scope_path,
		     char id[37], struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX] = "", unit[FQ_UNIT_CODE_MAX] = "", name[256] = "",
	     address[512] = "";
	struct fq_stmt *st = NULL;
	int rc;

	if (in->pupils < 0 || in->pupils > 100000)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "pupils", "学生人数不合理");
	if (in->organisation_id) {
		rc = fq_dbc_query(c, err, &st,
				  "SELECT o.unit_path, o.unit, o.name, o.address, o.type, EXISTS"
				  " (SELECT 1 FROM school s WHERE s.organisation_id = o.id) FROM"
				  " organisation o WHERE o.id = ?",
				  "t", in->organisation_id);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW) {
			const char *type = fq_stmt_text(st, 4);
			snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 0));
			snprintf(unit, sizeof(unit), "%s", fq_stmt_text(st, 1));
			snprintf(name, sizeof(name), "%s", fq_stmt_text(st, 2));
			snprintf(address, sizeof(address), "%s", fq_stmt_text(st, 3));
			if (!fq_scope_covers(scope_path, path))
				rc = FQ_ENOTFOUND;
			else if (strcmp(type, "school") != 0 && strcmp(type, "small_school") != 0)
				rc = fq_err_set(err, FQ_EINVAL, "not_a_school", "organisation_id",
						"该单位不是学校或幼儿园");
			else if (fq_stmt_int(st, 5))
				rc = fq_err_set(err, FQ_ECONFLICT, "duplicate", "organisation_id",
						"该学校已登记");
			else
				rc = 0;
		} else if (rc == FQ_DB_DONE) {
			rc = FQ_ENOTFOUND;
		}
		fq_stmt_done(st);
		if (rc == FQ_ENOTFOUND)
			return fq_err_set(err, FQ_EINVAL, "unknown_organisation", "organisation_id",
					  "单位不存在或不在您的辖区");
		if (rc)
			return rc;
	} else {
		char kind[16];
		if (!in->name || !*in->name)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "name",
					  "请填写学校名称");
		rc = in->unit_code ? fq_unit_path(c, in->unit_code, path, err) : FQ_ENOTFOUND;
		if (!rc)
			rc = fq_dbc_lookup_text(c, "SELECT kind FROM unit WHERE code = ?",
						in->unit_code, kind, sizeof(kind), "单位不存在",
						err);
		if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
			return fq_err_set(err, FQ_EINVAL,
					  in->unit_code ? "unknown_unit" : "missing_field", "unit",
					  "单位不存在或不在您的辖区");
		if (rc)
			return rc;
		if (strcmp(kind, "grid") != 0 && strcmp(kind, "post") != 0 &&
		    strcmp(kind, "station") != 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_unit_kind", "unit",
					  "学校应属于网格、警务室或派出所");
		snprintf(unit, sizeof(unit), "%s", in->unit_code);
		snprintf(name, sizeof(name), "%s", in->name);
	}
	if (in->address && *in->address)
		snprintf(address, sizeof(address), "%s", in->address);
	fq_uuid7_str(id);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO school (id, name, organisation_id, unit_code, unit_path,"
	    " address, pupils, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?)",
	    "ttttttIii", id, name, in->organisation_id, unit, path, nullable(address),
	    in->pupils ? in->pupils : INT64_MIN, in->now_ms, in->now_ms);
}

int fq_school_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM school WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "学校不存在", err);
}

static int run_list(struct fq_dbc *c, const char *count_sql, const char *sql, const char *a1,
		    const char *a2, int64_t page, int64_t per_page,
		    json_t *(*row)(struct fq_stmt *), json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *items = json_array();
	int64_t total = 0;
	int rc = fq_dbc_count(c, err, &total, count_sql, "tt", a1, a2);

	if (!rc)
		rc =
		    fq_dbc_query(c, err, &st, sql, "ttii", a1, a2, per_page, (page - 1) * per_page);
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, row(st));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

static json_t *school_row(struct fq_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "name", fq_row_text(st, 1));
	json_object_set_new(j, "organisation_id", fq_row_text(st, 2));
	json_object_set_new(j, "unit", fq_row_text(st, 3));
	json_object_set_new(j, "unit_name", fq_row_text(st, 4));
	json_object_set_new(j, "address", fq_row_text(st, 5));
	json_object_set_new(j, "pupils", fq_row_int(st, 6));
	json_object_set_new(j, "posts", fq_row_int(st, 7));
	return j;
}

#define SCHOOL_COLS                                                                                \
	"SELECT s.id, s.name, s.organisation_id, s.unit_code, u.name, s.address, s.pupils,"        \
	" (SELECT count(*) FROM school_post p WHERE p.school_id = s.id AND p.active = 1) FROM"     \
	" school s JOIN unit u ON u.code = s.unit_code"

int fq_school_list(struct fq_dbc *c, const char *scope_path, int64_t page, int64_t per_page,
		   json_t **out, struct fq_err *err)
{
	return run_list(c,
			"SELECT count(*) FROM school s WHERE substr(s.unit_path, 1, length(?1))"
			" = ?1 AND ?2 IS NULL",
			SCHOOL_COLS " WHERE substr(s.unit_path, 1, length(?1)) = ?1 AND ?2 IS NULL"
				    " ORDER BY s.unit_code, s.name LIMIT ?3 OFFSET ?4",
			scope_path, NULL, page, per_page, school_row, out, err);
}

int fq_school_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(c, err, &st, SCHOOL_COLS " WHERE s.id = ?", "t", id);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = school_row(st);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "学校不存在");
	}
	fq_stmt_done(st);
	return rc;
}

/* ---- posts ---- */

int fq_spost_create(struct fq_dbc *c, const char *school_id, const char *name, double lat,
		    double lon, const char *scope_path, int64_t now_ms, char id[37],
		    struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = school_id ? fq_school_unit_path(c, school_id, path, err) : FQ_ENOTFOUND;

	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, school_id ? "unknown_school" : "missing_field",
				  "school_id", "学校不存在或不在您的辖区");
	if (rc)
		return rc;
	if (!name || !*name)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "name", "请填写岗点名称");
	fq_uuid7_str(id);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO school_post (id, school_id, unit_path, name, lat, lon,"
			  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  "ttttDDii", id, school_id, path, name, lat, lon, now_ms, now_ms);
}

int fq_spost_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM school_post WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "岗点不存在", err);
}

/* Assignee name: a user's display name or a member's name. */
#define ASSIGNEE_NAME(kind, ref)                                                                   \
	"CASE " kind " WHEN 'user' THEN (SELECT display_name FROM app_user WHERE id = " ref ")"    \
	" ELSE (SELECT name FROM volunteer_member WHERE id = " ref ") END"

static int post_details(struct fq_dbc *c, const char *id, json_t *post, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *sessions = json_array(), *people = json_array();
	char a[6], b[6];
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT id, label, weekdays, start_min, end_min FROM school_session"
			      " WHERE post_id = ? AND active = 1 ORDER BY start_min",
			      "t", id);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		hhmm((int)fq_stmt_int(st, 3), a);
		hhmm((int)fq_stmt_int(st, 4), b);
		json_array_append_new(sessions, json_pack("{s:o, s:o, s:o, s:s, s:s}", "id",
							  fq_row_text(st, 0), "label",
							  fq_row_text(st, 1), "weekdays",
							  fq_row_int(st, 2), "start", a, "end", b));
		rc = 0;
	}
	if (rc == FQ_DB_DONE) {
		fq_stmt_done(st);
		st = NULL;
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT a.kind, a.ref_id, " ASSIGNEE_NAME(
			"a.kind",
			"a.ref_id") " FROM school_post_assignee a WHERE a.post_id = ? ORDER BY"
				    " a.kind DESC, a.created_at, a.ref_id",
		    "t", id);
		while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			json_array_append_new(people, json_pack("{s:o, s:o, s:o}", "kind",
								fq_row_text(st, 0), "ref_id",
								fq_row_text(st, 1), "name",
								fq_row_text(st, 2)));
			rc = 0;
		}
	}
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(sessions);
		json_decref(people);
		return rc;
	}
	json_object_set_new(post, "sessions", sessions);
	json_object_set_new(post, "assignees", people);
	return 0;
}

#define POST_COLS                                                                                  \
	"p.id, p.name, p.school_id, s.name, s.unit_code, p.lat, p.lon, p.active, p.version"
#define POST_FROM " FROM school_post p JOIN school s ON s.id = p.school_id"

static json_t *post_row(struct fq_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "name", fq_row_text(st, 1));
	json_object_set_new(j, "school_id", fq_row_text(st, 2));
	json_object_set_new(j, "school_name", fq_row_text(st, 3));
	json_object_set_new(j, "unit", fq_row_text(st, 4));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 5)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 5), "lon",
					    fq_stmt_double(st, 6)));
	json_object_set_new(j, "active", fq_row_bool(st, 7));
	json_object_set_new(j, "version", fq_row_int(st, 8));
	return j;
}

int fq_spost_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *j = NULL;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT " POST_COLS POST_FROM " WHERE p.id = ?", "t", id);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		j = post_row(st);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "岗点不存在");
	}
	fq_stmt_done(st);
	if (!rc)
		rc = post_details(c, id, j, err);
	if (rc) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

int fq_spost_list(struct fq_dbc *c, const char *scope_path, const char *school_id, int64_t page,
		  int64_t per_page, json_t **out, struct fq_err *err)
{
	size_t i;
	json_t *p;
	int rc =
	    run_list(c,
		     "SELECT count(*) FROM school_post p WHERE substr(p.unit_path, 1,"
		     " length(?1)) = ?1 AND (?2 IS NULL OR p.school_id = ?2)",
		     "SELECT " POST_COLS POST_FROM " WHERE substr(p.unit_path, 1, length(?1)) ="
		     " ?1 AND (?2 IS NULL OR p.school_id = ?2) ORDER BY s.name, p.name LIMIT ?3"
		     " OFFSET ?4",
		     scope_path, school_id, page, per_page, post_row, out, err);
	if (rc)
		return rc;
	json_array_foreach(json_object_get(*out, "items"), i, p)
	{
		if ((rc = post_details(c, json_string_value(json_object_get(p, "id")), p, err))) {
			json_decref(*out);
			*out = NULL;
			return rc;
		}
	}
	return 0;
}

int fq_ssession_add(struct fq_dbc *c, const char *post_id, const char *label, int weekdays,
		    int start_min, int end_min, int64_t now_ms, char id[37], struct fq_err *err)
{
	if (!label || !*label)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "label", "请填写时段名称");
	if (weekdays < 1 || weekdays > 127)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "weekdays",
				  "weekdays 应为 1–127（位 0 为周一）");
	if (start_min < 0 || start_min > 1439)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "start", "开始时间应为 HH:MM");
	if (end_min <= start_min || end_min > 1440)
		return fq_err_set(err, FQ_EINVAL, "before_start", "end", "结束时间应晚于开始时间");
	fq_uuid7_str(id);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO school_session (id, post_id, label, weekdays, start_min,"
			  " end_min, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			  "tttiiii", id, post_id, label, (int64_t)weekdays, (int64_t)start_min,
			  (int64_t)end_min, now_ms);
}

int fq_ssession_stop(struct fq_dbc *c, const char *post_id, const char *session_id,
		     struct fq_err *err)
{
	int64_t n = 0;
	int rc = fq_dbc_run(c, err, &n,
			    "UPDATE school_session SET active = 0 WHERE id = ? AND post_id = ? AND"
			    " active = 1",
			    "tt", session_id, post_id);
	if (!rc && n == 0)
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "时段不存在");
	return rc;
}

int fq_spost_assign(struct fq_dbc *c, const char *post_id, const char *kind, const char *ref_id,
		    const char *scope_path, int64_t now_ms, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int64_t n = 0;
	int rc;

	if (!kind || (strcmp(kind, "user") != 0 && strcmp(kind, "member") != 0))
		return fq_err_set(err, FQ_EINVAL, kind ? "invalid_value" : "missing_field", "kind",
				  "kind 应为 user（民警、辅警）或 member（志愿者）");
	if (!ref_id || !*ref_id)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "ref_id", "请选择上岗人员");
	if (strcmp(kind, "user") == 0)
		rc = fq_dbc_query(c, err, &st,
				  "SELECT 1 FROM app_user u JOIN unit n ON n.code = u.unit_code"
				  " WHERE u.id = ?1 AND u.disabled = 0 AND substr(n.path, 1,"
				  " length(?2)) = ?2 AND EXISTS (SELECT 1 FROM user_role r WHERE"
				  " r.user_id = u.id AND r.role IN ('chief', 'community_officer',"
				  " 'auxiliary', 'case_officer'))",
				  "tt", ref_id, scope_path);
	else
		rc = fq_dbc_query(c, err, &st,
				  "SELECT 1 FROM volunteer_member WHERE id = ?1 AND active = 1 AND"
				  " substr(unit_path, 1, length(?2)) = ?2",
				  "tt", ref_id, scope_path);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE)
		return fq_err_set(err, FQ_EINVAL, "unknown_assignee", "ref_id",
				  strcmp(kind, "user") == 0 ? "民警或辅警不存在或不在您的辖区"
							    : "志愿者不存在或不在您的辖区");
	if (rc != FQ_DB_ROW)
		return rc;
	rc = fq_dbc_run(c, err, &n,
			"INSERT INTO school_post_assignee (post_id, kind, ref_id, created_at)"
			" VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			"ttti", post_id, kind, ref_id, now_ms);
	if (!rc && n == 0)
		rc = fq_err_set(err, FQ_ECONFLICT, "duplicate", "ref_id", "此人已在该岗点");
	return rc;
}

int fq_spost_unassign(struct fq_dbc *c, const char *post_id, const char *kind, const char *ref_id,
		      struct fq_err *err)
{
	int64_t n = 0;
	int rc = fq_dbc_run(c, err, &n,
			    "DELETE FROM school_post_assignee WHERE post_id = ? AND kind = ? AND"
			    " ref_id = ?",
			    "ttt", post_id, kind, ref_id);
	if (!rc && n == 0)
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "此人不在该岗点");
	return rc;
}

/* ---- attendance ---- */

int fq_attendance_record(struct fq_dbc *c, const struct fq_attendance_new *in,
			 const char *scope_path, char id[37], struct fq_err *err)
{
	char post[37], path[FQ_UNIT_PATH_MAX];
	const char *status = in->status;
	struct fq_stmt *st = NULL;
	int64_t days, start_ms = 0;
	int64_t since = 0;
	int weekdays = 0, start_min = 0, end_min = 0, rc;

	rc = in->session_id
		 ? fq_dbc_query(c, err, &st,
				"SELECT s.post_id, p.unit_path, s.weekdays, s.start_min,"
				" s.created_at, s.end_min FROM school_session s JOIN school_post p"
				" ON p.id ="
				" s.post_id WHERE s.id = ? AND s.active = 1 AND p.active"
				" = 1",
				"t", in->session_id)
		 : FQ_ENOTFOUND;
	if (!rc) {
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW) {
			snprintf(post, sizeof(post), "%s", fq_stmt_text(st, 0));
			snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 1));
			weekdays = (int)fq_stmt_int(st, 2);
			start_min = (int)fq_stmt_int(st, 3);
			since = fq_school_local_day(fq_stmt_int(st, 4));
			end_min = (int)fq_stmt_int(st, 5);
			rc = fq_scope_covers(scope_path, path) ? 0 : FQ_ENOTFOUND;
		} else if (rc == FQ_DB_DONE) {
			rc = FQ_ENOTFOUND;
		}
		fq_stmt_done(st);
	}
	if (rc == FQ_ENOTFOUND)
		return fq_err_set(err, FQ_EINVAL,
				  in->session_id ? "unknown_session" : "missing_field",
				  "session_id", "护学岗时段不存在或不在您的辖区");
	if (rc)
		return rc;
	if (!in->day || fq_school_parse_day(in->day, &days))
		return fq_err_set(err, FQ_EINVAL, in->day ? "invalid_value" : "missing_field",
				  "day", "日期应为 YYYY-MM-DD");
	if (days < since)
		return fq_err_set(err, FQ_EINVAL, "before_session", "day",
				  "该时段当天尚未设立，不能记录考勤");
	if (!((weekdays >> fq_school_weekday(days)) & 1))
		return fq_err_set(err, FQ_EINVAL, "no_session", "day", "该时段在这一天不上岗");
	start_ms = fq_school_session_start(days, start_min);
	if (start_ms > in->now_ms)
		return fq_err_set(err, FQ_EINVAL, "in_future", "day", "时段尚未开始，不能记录考勤");
	if (!in->kind || (strcmp(in->kind, "user") != 0 && strcmp(in->kind, "member") != 0))
		return fq_err_set(err, FQ_EINVAL, in->kind ? "invalid_value" : "missing_field",
				  "kind", "kind 应为 user 或 member");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT 1 FROM school_post_assignee WHERE post_id = ? AND kind = ? AND"
			  " ref_id = ?",
			  "ttt", post, in->kind, in->ref_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE)
		return fq_err_set(err, FQ_EINVAL, "not_assigned", "ref_id", "此人不在该岗点");
	if (rc != FQ_DB_ROW)
		return rc;
	if (status && strcmp(status, "on_time") != 0 && strcmp(status, "late") != 0 &&
	    strcmp(status, "absent") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "status",
				  "status 应为 on_time、late 或 absent");
	if (in->arrived_at) {
		const char *derived = fq_school_arrival_status(start_ms, in->arrived_at);
		if (in->arrived_at > in->now_ms + 5 * 60 * 1000)
			return fq_err_set(err, FQ_EINVAL, "in_future", "arrived_at",
					  "到岗时间不能晚于现在");
		/* From three hours before the session starts until it ends. */
		if (in->arrived_at < start_ms - 3 * 3600 * 1000LL ||
		    in->arrived_at > start_ms + (int64_t)(end_min - start_min) * 60 * 1000)
			return fq_err_set(err, FQ_EINVAL, "out_of_range", "arrived_at",
					  "到岗时间与时段不符");
		if (status && strcmp(status, derived) != 0)
			return fq_err_set(err, FQ_EINVAL, "status_mismatch", "status",
					  "status 与到岗时间不符（应为 %s）", derived);
		status = derived;
	} else if (!status) {
		return fq_err_set(err, FQ_EINVAL, "missing_field", "status",
				  "请填写到岗时间或考勤结果");
	}
	fq_uuid7_str(id);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO school_attendance (id, session_id, post_id, unit_path, day,"
			" kind, ref_id, status, arrived_at, note, recorded_by, recorded_at) VALUES"
			" (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, day, kind,"
			" ref_id) DO UPDATE SET status = excluded.status, arrived_at ="
			" excluded.arrived_at, note = excluded.note, recorded_by ="
			" excluded.recorded_by, recorded_at = excluded.recorded_at",
			"ttttttttItti", id, in->session_id, post, path, in->day, in->kind,
			in->ref_id, status, in->arrived_at ? in->arrived_at : INT64_MIN,
			nullable(in->note), in->actor_id, in->now_ms);
	if (rc)
		return rc;
	/* A correction keeps the first record's id. */
	rc = fq_dbc_query(c, err, &st,
			  "SELECT id FROM school_attendance WHERE session_id = ? AND day = ? AND"
			  " kind = ? AND ref_id = ?",
			  "tttt", in->session_id, in->day, in->kind, in->ref_id);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		snprintf(id, 37, "%s", fq_stmt_text(st, 0));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "考勤记录未写入");
	}
	fq_stmt_done(st);
	return rc;
}

static const char *status_label(const char *s)
{
	return strcmp(s, "on_time") == 0 ? "按时到岗" : strcmp(s, "late") == 0 ? "迟到" : "缺岗";
}

int fq_attendance_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT a.id, a.session_id, a.post_id, a.day, a.kind, a.ref_id,"
	    " " ASSIGNEE_NAME(
		"a.kind",
		"a.ref_id") ", a.status, a.arrived_at,"
			    " a.note, a.recorded_at, s.label, p.name FROM school_attendance a"
			    " JOIN school_session s ON s.id = a.session_id JOIN school_post p ON"
			    " p.id = a.post_id WHERE a.id = ?",
	    "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = json_pack(
		    "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "id",
		    fq_row_text(st, 0), "session_id", fq_row_text(st, 1), "post_id",
		    fq_row_text(st, 2), "day", fq_row_text(st, 3), "kind", fq_row_text(st, 4),
		    "ref_id", fq_row_text(st, 5), "name", fq_row_text(st, 6), "status",
		    fq_row_text(st, 7), "status_label", status_label(fq_stmt_text(st, 7)),
		    "arrived_at", fq_row_time(st, 8), "note", fq_row_text(st, 9), "recorded_at",
		    fq_row_time(st, 10), "session_label", fq_row_text(st, 11), "post_name",
		    fq_row_text(st, 12));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "考勤记录不存在");
	}
	fq_stmt_done(st);
	return rc;
}

/* ---- the week ---- */

int fq_school_week_json(struct fq_dbc *c, const char *scope_path, int64_t monday_days, json_t **out,
			struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *rows = json_array(), *records = json_object(), *days = json_array();
	char from[11], to[11], key[200], a[6], b[6];
	int rc;

	fq_school_format_day(monday_days, from);
	fq_school_format_day(monday_days + 6, to);
	for (int i = 0; i < 7; i++) {
		char d[11];
		fq_school_format_day(monday_days + i, d);
		json_array_append_new(days, json_string(d));
	}
	rc = fq_dbc_query(c, err, &st,
			  "SELECT session_id, day, kind, ref_id, status, arrived_at, id FROM"
			  " school_attendance WHERE substr(unit_path, 1, length(?1)) = ?1 AND"
			  " day >= ?2 AND day <= ?3",
			  "ttt", scope_path, from, to);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		snprintf(key, sizeof(key), "%s|%s|%s|%s", fq_stmt_text(st, 0), fq_stmt_text(st, 1),
			 fq_stmt_text(st, 2), fq_stmt_text(st, 3));
		json_object_set_new(records, key,
				    json_pack("{s:o, s:o, s:s, s:o}", "id", fq_row_text(st, 6),
					      "status", fq_row_text(st, 4), "status_label",
					      status_label(fq_stmt_text(st, 4)), "arrived_at",
					      fq_row_time(st, 5)));
		rc = 0;
	}
	fq_stmt_done(st);
	st = NULL;
	if (rc == FQ_DB_DONE)
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT s.id, s.label, s.weekdays, s.start_min, s.end_min, p.id,"
		    " p.name, sc.id, sc.name, s.created_at FROM school_session s JOIN school_post p"
		    " ON p.id = s.post_id JOIN school sc ON sc.id = p.school_id WHERE"
		    " s.active = 1 AND p.active = 1 AND substr(p.unit_path, 1,"
		    " length(?1)) = ?1 ORDER BY sc.name, p.name, s.start_min",
		    "t", scope_path);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		int mask = (int)fq_stmt_int(st, 2);
		json_t *held = json_array();
		for (int i = 0; i < 7; i++)
			json_array_append_new(held, json_boolean((mask >> i) & 1));
		char since[11];
		hhmm((int)fq_stmt_int(st, 3), a);
		hhmm((int)fq_stmt_int(st, 4), b);
		fq_school_format_day(fq_school_local_day(fq_stmt_int(st, 9)), since);
		json_array_append_new(
		    rows, json_pack("{s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
				    "session_id", fq_row_text(st, 0), "label", fq_row_text(st, 1),
				    "start", a, "end", b, "since", since, "held", held, "post_id",
				    fq_row_text(st, 5), "post_name", fq_row_text(st, 6),
				    "school_id", fq_row_text(st, 7), "school_name",
				    fq_row_text(st, 8), "weekdays", fq_row_int(st, 2)));
		rc = 0;
	}
	fq_stmt_done(st);
	st = NULL;
	{
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row)
		{
			json_t *people = json_array();
			const char *sid = json_string_value(json_object_get(row, "session_id"));
			int mask = (int)json_integer_value(json_object_get(row, "weekdays"));
			const char *since = json_string_value(json_object_get(row, "since"));
			if (rc != FQ_DB_DONE)
				break;
			rc = fq_dbc_query(c, err, &st,
					  "SELECT a.kind, a.ref_id, " ASSIGNEE_NAME(
					      "a.kind", "a.ref_id") " FROM school_post_assignee a"
								    " WHERE a.post_id = ? ORDER BY"
								    " a.kind DESC, a.created_at,"
								    " a.ref_id",
					  "t", json_string_value(json_object_get(row, "post_id")));
			while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
				json_t *cells = json_array();
				for (int d = 0; d < 7; d++) {
					json_t *rec;
					snprintf(key, sizeof(key), "%s|%s|%s|%s", sid,
						 json_string_value(json_array_get(days, (size_t)d)),
						 fq_stmt_text(st, 0), fq_stmt_text(st, 1));
					rec = json_object_get(records, key);
					json_array_append_new(
					    cells, rec ? json_incref(rec)
						   : (mask >> d) & 1 &&
							   strcmp(json_string_value(json_array_get(
								      days, (size_t)d)),
								  since) >= 0
						       ? json_null()
						       : json_false());
				}
				json_array_append_new(people,
						      json_pack("{s:o, s:o, s:o, s:o}", "kind",
								fq_row_text(st, 0), "ref_id",
								fq_row_text(st, 1), "name",
								fq_row_text(st, 2), "days", cells));
				rc = 0;
			}
			fq_stmt_done(st);
			st = NULL;
			json_object_set_new(row, "assignees", people);
		}
	}
	json_decref(records);
	if (rc != FQ_DB_DONE) {
		json_decref(rows);
		json_decref(days);
		return rc;
	}
	*out = json_pack("{s:s, s:o, s:o}", "monday", from, "days", days, "rows", rows);
	return 0;
}

/* ---- counts ---- */

int fq_school_kpi_json(struct fq_dbc *c, const char *scope_path, int64_t from_days, int64_t to_days,
		       json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *schools = json_array(), *index = json_object();
	struct fq_school_tally total = {0};
	char from[11], to[11];
	double att, pun, rec;
	size_t i;
	json_t *s;
	int rc;

	fq_school_format_day(from_days, from);
	fq_school_format_day(to_days, to);
	rc = fq_dbc_query(c, err, &st,
			  "SELECT sc.id, sc.name, sc.unit_code, (SELECT count(*) FROM school_post"
			  " p WHERE p.school_id = sc.id AND p.active = 1) FROM school sc WHERE"
			  " substr(sc.unit_path, 1, length(?1)) = ?1 ORDER BY sc.unit_code,"
			  " sc.name",
			  "t", scope_path);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_t *j = json_pack("{s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:i}", "id",
				      fq_row_text(st, 0), "name", fq_row_text(st, 1), "unit",
				      fq_row_text(st, 2), "posts", fq_row_int(st, 3), "expected", 0,
				      "on_time", 0, "late", 0, "absent", 0);
		json_object_set(index, fq_stmt_text(st, 0), j);
		json_array_append_new(schools, j);
		rc = 0;
	}
	fq_stmt_done(st);
	st = NULL;
	/* Expected: per active session, its days from its first day, times the assignees. */
	if (rc == FQ_DB_DONE)
		rc = fq_dbc_query(c, err, &st,
				  "SELECT p.school_id, s.weekdays, s.created_at, (SELECT count(*)"
				  " FROM school_post_assignee a WHERE a.post_id = p.id) FROM"
				  " school_session s JOIN school_post p ON p.id = s.post_id WHERE"
				  " s.active = 1 AND p.active = 1 AND substr(p.unit_path, 1,"
				  " length(?1)) = ?1",
				  "t", scope_path);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_t *j = json_object_get(index, fq_stmt_text(st, 0));
		int64_t first = fq_school_local_day(fq_stmt_int(st, 2));
		int64_t n = fq_school_days_in((int)fq_stmt_int(st, 1),
					      first > from_days ? first : from_days, to_days) *
			    fq_stmt_int(st, 3);
		if (j)
			json_object_set_new(
			    j, "expected",
			    json_integer(json_integer_value(json_object_get(j, "expected")) + n));
		rc = 0;
	}
	fq_stmt_done(st);
	st = NULL;
	if (rc == FQ_DB_DONE)
		rc =
		    fq_dbc_query(c, err, &st,
				 "SELECT p.school_id, a.status, count(*) FROM school_attendance a"
				 " JOIN school_post p ON p.id = a.post_id WHERE substr(a.unit_path,"
				 " 1, length(?1)) = ?1 AND a.day >= ?2 AND a.day <= ?3 GROUP BY"
				 " p.school_id, a.status",
				 "ttt", scope_path, from, to);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_t *j = json_object_get(index, fq_stmt_text(st, 0));
		if (j)
			json_object_set_new(j, fq_stmt_text(st, 1),
					    json_integer(fq_stmt_int(st, 2)));
		rc = 0;
	}
	fq_stmt_done(st);
	json_decref(index);
	if (rc != FQ_DB_DONE) {
		json_decref(schools);
		return rc;
	}
	json_array_foreach(schools, i, s)
	{
		struct fq_school_tally t = {
		    .expected = json_integer_value(json_object_get(s, "expected")),
		    .on_time = json_integer_value(json_object_get(s, "on_time")),
		    .late = json_integer_value(json_object_get(s, "late")),
		    .absent = json_integer_value(json_object_get(s, "absent"))};
		int64_t recorded = t.on_time + t.late + t.absent;
		fq_school_rates(&t, &att, &pun, &rec);
		json_object_set_new(
		    s, "unrecorded",
		    json_integer(t.expected > recorded ? t.expected - recorded : 0));
		json_object_set_new(s, "attendance_rate", rate_json(att));
		json_object_set_new(s, "punctuality_rate", rate_json(pun));
		total.expected += t.expected;
		total.on_time += t.on_time;
		total.late += t.late;
		total.absent += t.absent;
	}
	fq_school_rates(&total, &att, &pun, &rec);
	{
		int64_t recorded = total.on_time + total.late + total.absent;
		*out = json_pack(
		    "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "from", from,
		    "to", to, "expected", (json_int_t)total.expected, "recorded",
		    (json_int_t)recorded, "on_time", (json_int_t)total.on_time, "late",
		    (json_int_t)total.late, "absent", (json_int_t)total.absent, "unrecorded",
		    (json_int_t)(total.expected > recorded ? total.expected - recorded : 0),
		    "attendance_rate", rate_json(att), "punctuality_rate", rate_json(pun),
		    "recorded_share", rate_json(rec), "schools", schools);
	}
	return 0;
}

int fq_school_candidates_json(struct fq_dbc *c, const char *scope_path, json_t **out,
			      struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *users = json_array(), *members = json_array();
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT u.id, u.display_name FROM app_user u JOIN unit n ON"
			      " n.code = u.unit_code WHERE u.disabled = 0 AND substr(n.path, 1,"
			      " length(?1)) = ?1 AND EXISTS (SELECT 1 FROM user_role r WHERE"
			      " r.user_id = u.id AND r.role IN ('chief', 'community_officer',"
			      " 'auxiliary', 'case_officer')) ORDER BY u.display_name LIMIT 500",
			      "t", scope_path);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_array_append_new(users, json_pack("{s:o, s:o}", "id", fq_row_text(st, 0),
						       "name", fq_row_text(st, 1)));
		rc = 0;
	}
	fq_stmt_done(st);
	st = NULL;
	if (rc == FQ_DB_DONE)
		rc = fq_dbc_query(c, err, &st,
				  "SELECT m.id, m.name, g.name FROM volunteer_member m JOIN"
				  " volunteer_group g ON g.id = m.group_id WHERE m.active = 1 AND"
				  " substr(m.unit_path, 1, length(?1)) = ?1 ORDER BY g.kind ="
				  " 'school_guard' DESC, g.name, m.name LIMIT 2000",
				  "t", scope_path);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_array_append_new(
		    members, json_pack("{s:o, s:o, s:o}", "id", fq_row_text(st, 0), "name",
				       fq_row_text(st, 1), "group_name", fq_row_text(st, 2)));
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(users);
		json_decref(members);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "users", users, "members", members);
	return 0;
}
