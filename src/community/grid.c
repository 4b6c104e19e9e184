#include "community/grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/registry.h"
#include "core/json.h"
#include "core/phone.h"
#include "db/row_json.h"
#include "org/rights.h"
#include "core/banned.h"

#define DAY_MS 86400000LL

/* ---- lookups ---- */

static int kind_path(struct fq_dbc *c, const char *code, const char *kind,
		     char path[FQ_UNIT_PATH_MAX], const char *missing, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	path[0] = '\0';
	if (!fq_unit_code_valid(code))
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "%s", missing);
	rc = fq_dbc_query(c, err, &st, "SELECT path FROM unit WHERE code = ? AND kind = ?", "tt",
			  code, kind);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		snprintf(path, FQ_UNIT_PATH_MAX, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	return rc == FQ_DB_ROW ? 0
			       : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "%s", missing);
}

int fq_grid_unit_path(struct fq_dbc *c, const char *code, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err)
{
	return kind_path(c, code, "grid", path, "网格不存在", err);
}

int fq_post_unit_path(struct fq_dbc *c, const char *code, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err)
{
	return kind_path(c, code, "post", path, "警务室不存在", err);
}

/*
 * The path of the station above unit code (the unit itself when a
 * station): the first ancestor of kind station.
 */
static int station_path_of(struct fq_dbc *c, const char *unit_path, char out[FQ_UNIT_PATH_MAX],
			   struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	out[0] = '\0';
	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT path FROM unit WHERE kind = 'station'"
	    " AND substr(?, 1, length(path)) = path ORDER BY length(path) DESC LIMIT 1",
	    "t", unit_path);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		snprintf(out, FQ_UNIT_PATH_MAX, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	return rc == FQ_DB_ROW
		   ? 0
		   : fq_err_set(err, FQ_EINVAL, "no_station", NULL, "该单位不属于任何派出所");
}

/* ---- versions ---- */

static int duty_version(struct fq_dbc *c, const char *code, int64_t *out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT version FROM unit_duty WHERE unit_code = ?", "t",
			      code);
	*out = 0;
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		*out = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Check body's optional version against the stored one and bump it. */
static int bump_version(struct fq_dbc *c, const char *code, json_t *body, const char *actor_id,
			int64_t now_ms, struct fq_err *err)
{
	int64_t expected = 0, stored;
	int present, rc;

	if ((rc = fq_json_get_int(body, "version", FQ_JSON_OPTIONAL, 0, INT64_MAX, &expected,
				  &present, err)) ||
	    (rc = duty_version(c, code, &stored, err)))
		return rc;
	if (present && expected != stored)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "记录已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)stored);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO unit_duty (unit_code, version, updated_at, updated_by)"
			  " VALUES (?, 1, ?, ?) ON CONFLICT (unit_code) DO UPDATE SET"
			  " version = unit_duty.version + 1, updated_at = excluded.updated_at,"
			  " updated_by = excluded.updated_by",
			  "tit", code, now_ms, actor_id);
}

/* ---- staff members ---- */

enum duty { DUTY_OFFICER, DUTY_AUXILIARY, DUTY_GRID_WORKER, DUTY_COUNT };

static const char *const duty_codes[DUTY_COUNT] = {"officer", "auxiliary", "grid_worker"};

/* The roles that may hold a duty. */
static const char *const duty_roles[DUTY_COUNT][2] = {
    {"community_officer", "chief"},
    {"auxiliary", "auxiliary"},
    {"grid_worker", "grid_worker"},
};

static int duty_from(const char *s)
{
	for (int i = 0; s && i < DUTY_COUNT; i++)
		if (strcmp(duty_codes[i], s) == 0)
			return i;
	return -1;
}

static const char *const member_keys[] = {"user_id", "name", "phone", NULL};
static const char *const post_member_keys[] = {"duty", "user_id", "name", "phone", NULL};

/*
 * Validate one member and insert it at (unit, duty, position). users
 * collects the user ids seen so far (duplicates refused) and the audit
 * summary's list. field is the member's name in the body ("officer",
 * "auxiliaries[2]").
 */
static int add_member(struct fq_dbc *c, const char *unit, const char *station_path, enum duty duty,
		      int position, json_t *m, const char *field, const char *const *keys,
		      json_t *users, const char *actor_id, int64_t now_ms, struct fq_err *err)
{
	const char *user_id = NULL, *name = NULL, *phone_in = NULL;
	char f[FQ_ERR_FIELD_MAX], uname[4 * FQ_GRID_STAFF_NAME_MAX + 1] = "";
	char uphone[FQ_PHONE_MAX + 1] = "";
	struct fq_phone ph;
	struct fq_stmt *st;
	size_t i;
	json_t *u;
	int rc;

	if (!json_is_object(m))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", field,
				  "%s 应为对象 {\"user_id\"} 或 {\"name\",\"phone\"}", field);
	rc = fq_json_only_keys(m, keys, err);
	if (!rc)
		rc = fq_json_get_str(m, "user_id", FQ_JSON_OPTIONAL, 36, &user_id, err);
	if (!rc)
		rc = fq_json_get_str(m, "name", FQ_JSON_OPTIONAL, FQ_GRID_STAFF_NAME_MAX, &name,
				     err);
	if (!rc)
		rc = fq_json_get_str(m, "phone", FQ_JSON_OPTIONAL, FQ_PHONE_INPUT_MAX, &phone_in,
				     err);
	if (rc) {
		/* Name the member's field in full ("officer.name"). */
		size_t n = strlen(field), k = strlen(err->field);
		if (n + 1 + k < sizeof(err->field)) {
			memmove(err->field + n + 1, err->field, k + 1);
			memcpy(err->field, field, n);
			err->field[n] = '.';
		}
		return rc;
	}
	if (user_id) {
		if (name || phone_in) {
			snprintf(f, sizeof(f), "%s.name", field);
			return fq_err_set(err, FQ_EINVAL, "invalid_staff", f,
					  "给出 user_id 的成员不再填写姓名和电话");
		}
		snprintf(f, sizeof(f), "%s.user_id", field);
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT u.display_name, u.phone, u.disabled, n.path FROM app_user u"
		    " JOIN unit n ON n.code = u.unit_code WHERE u.id = ?",
		    "t", user_id);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW) {
			const char *p = fq_stmt_text(st, 3);
			int ok = !fq_stmt_int(st, 2) && fq_scope_covers(station_path, p);
			snprintf(uname, sizeof(uname), "%s", fq_stmt_text(st, 0));
			snprintf(uphone, sizeof(uphone), "%s",
				 fq_stmt_text(st, 1) ? fq_stmt_text(st, 1) : "");
			rc = ok ? FQ_DB_ROW : FQ_DB_DONE;
		}
		fq_stmt_done(st);
		if (rc < 0)
			return rc;
		if (rc != FQ_DB_ROW)
			return fq_err_set(err, FQ_EINVAL, "invalid_staff", f,
					  "用户不存在、已停用或不属于本所");
		rc = fq_dbc_query(c, err, &st,
				  "SELECT 1 FROM user_role WHERE user_id = ? AND role IN (?, ?)",
				  "ttt", user_id, duty_roles[duty][0], duty_roles[duty][1]);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		fq_stmt_done(st);
		if (rc < 0)
			return rc;
		if (rc != FQ_DB_ROW)
			return fq_err_set(err, FQ_EINVAL, "invalid_staff", f,
					  "该用户的角色不能担任此职责");
		json_array_foreach(users, i, u)
		{
			if (strcmp(json_string_value(u), user_id) == 0)
				return fq_err_set(err, FQ_EINVAL, "duplicate_staff", f,
						  "同一用户重复列出");
		}
		json_array_append_new(users, json_string(user_id));
		name = uname;
		if (uphone[0] && fq_phone_normalize(uphone, &ph, NULL) == 0)
			snprintf(uphone, sizeof(uphone), "%s", ph.number);
		else
			uphone[0] = '\0';
	} else {
		snprintf(f, sizeof(f), "%s.name", field);
		if (!name || !name[strspn(name, " \t\r\n")])
			return fq_err_set(err, FQ_EINVAL, "missing_field", f,
					  "请给出 user_id，或姓名（和电话）");
		if (phone_in && *phone_in) {
			snprintf(f, sizeof(f), "%s.phone", field);
			if (fq_phone_normalize(phone_in, &ph, NULL) != 0 ||
			    (ph.kind != FQ_PHONE_MOBILE && ph.kind != FQ_PHONE_LANDLINE))
				return fq_err_set(err, FQ_EINVAL, "invalid_phone", f,
						  "电话号码应为手机或固定电话");
			snprintf(uphone, sizeof(uphone), "%s", ph.number);
		}
	}
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO grid_staff (unit_code, duty, position, user_id, name, phone,"
			  " assigned_at, assigned_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  "ttittt"
			  "it",
			  unit, duty_codes[duty], (int64_t)position, user_id, name,
			  uphone[0] ? uphone : NULL, now_ms, actor_id);
}

/* An array member of body (absent or null: empty) of at most max items. */
static int member_array(json_t *body, const char *key, size_t max, json_t **out, struct fq_err *err)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", key, "字段 %s 应为数组", key);
	if (json_array_size(v) > max)
		return fq_err_set(err, FQ_ETOOBIG, "too_many", key, "字段 %s 最多 %zu 项", key,
				  max);
	*out = v;
	return 0;
}

static const char *const grid_keys[] = {"officer", "auxiliaries", "grid_workers", "version", NULL};

int fq_grid_staff_set(struct fq_dbc *c, const char *code, json_t *body, const char *actor_id,
		      int64_t now_ms, json_t **summary, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], spath[FQ_UNIT_PATH_MAX], f[FQ_ERR_FIELD_MAX];
	json_t *officer, *aux = NULL, *workers = NULL, *users, *m;
	int rc;
	size_t i;

	*summary = NULL;
	if (!json_is_object(body))
		return fq_err_set(err, FQ_EINVAL, "invalid_body", NULL, "请求体应为 JSON 对象");
	if ((rc = fq_json_only_keys(body, grid_keys, err)) ||
	    (rc = member_array(body, "auxiliaries", FQ_GRID_AUXILIARY_MAX, &aux, err)) ||
	    (rc = member_array(body, "grid_workers", FQ_GRID_WORKER_MAX, &workers, err)) ||
	    (rc = fq_grid_unit_path(c, code, path, err)) ||
	    (rc = station_path_of(c, path, spath, err)) ||
	    (rc = bump_version(c, code, body, actor_id, now_ms, err)))
		return rc;
	officer = json_object_get(body, "officer");
	if ((rc =
		 fq_dbc_run(c, err, NULL, "DELETE FROM grid_staff WHERE unit_code = ?", "t", code)))
		return rc;
	users = json_array();
	if (officer && !json_is_null(officer))
		rc = add_member(c, code, spath, DUTY_OFFICER, 0, officer, "officer", member_keys,
				users, actor_id, now_ms, err);
	json_array_foreach(aux, i, m)
	{
		if (rc)
			break;
		snprintf(f, sizeof(f), "auxiliaries[%zu]", i);
		rc = add_member(c, code, spath, DUTY_AUXILIARY, (int)i, m, f, member_keys, users,
				actor_id, now_ms, err);
	}
	json_array_foreach(workers, i, m)
	{
		if (rc)
			break;
		snprintf(f, sizeof(f), "grid_workers[%zu]", i);
		rc = add_member(c, code, spath, DUTY_GRID_WORKER, (int)i, m, f, member_keys, users,
				actor_id, now_ms, err);
	}
	if (rc) {
		json_decref(users);
		return rc;
	}
	*summary = json_pack("{s:b, s:I, s:I, s:o}", "officer", officer && !json_is_null(officer),
			     "auxiliaries", (json_int_t)json_array_size(aux), "grid_workers",
			     (json_int_t)json_array_size(workers), "user_ids", users);
	return 0;
}

static const char *const post_keys[] = {"grids", "staff", "version", NULL};

int fq_post_set(struct fq_dbc *c, const char *code, json_t *body, const char *actor_id,
		int64_t now_ms, json_t **summary, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], spath[FQ_UNIT_PATH_MAX], gpath[FQ_UNIT_PATH_MAX];
	char f[FQ_ERR_FIELD_MAX];
	json_t *grids = NULL, *staff = NULL, *users, *m;
	int pos[DUTY_COUNT] = {0};
	size_t i;
	int rc;

	*summary = NULL;
	if (!json_is_object(body))
		return fq_err_set(err, FQ_EINVAL, "invalid_body", NULL, "请求体应为 JSON 对象");
	if ((rc = fq_json_only_keys(body, post_keys, err)) ||
	    (rc = fq_json_get_str_array(body, "grids", FQ_JSON_OPTIONAL, FQ_POST_GRIDS_MAX, &grids,
					err)) ||
	    (rc = member_array(body, "staff", FQ_POST_STAFF_MAX, &staff, err)) ||
	    (rc = fq_post_unit_path(c, code, path, err)) ||
	    (rc = station_path_of(c, path, spath, err)) ||
	    (rc = bump_version(c, code, body, actor_id, now_ms, err)))
		goto out;
	if ((rc =
		 fq_dbc_run(c, err, NULL, "DELETE FROM grid_staff WHERE unit_code = ?", "t", code)))
		goto out;
	users = json_array();
	json_array_foreach(staff, i, m)
	{
		const char *duty = NULL;
		int d;
		snprintf(f, sizeof(f), "staff[%zu].duty", i);
		if (!json_is_object(m)) {
			rc = fq_err_set(err, FQ_EINVAL, "invalid_type", f, "成员应为对象");
			break;
		}
		if ((rc = fq_json_get_str(m, "duty", FQ_JSON_REQUIRED, 16, &duty, err))) {
			snprintf(err->field, sizeof(err->field), "%s", f);
			break;
		}
		d = duty_from(duty);
		if (d != DUTY_OFFICER && d != DUTY_AUXILIARY) {
			rc = fq_err_set(err, FQ_EINVAL, "invalid_value", f,
					"警务室人员职责应为 officer 或 auxiliary");
			break;
		}
		snprintf(f, sizeof(f), "staff[%zu]", i);
		rc = add_member(c, code, spath, (enum duty)d, pos[d]++, m, f, post_member_keys,
				users, actor_id, now_ms, err);
		if (rc)
			break;
	}
	if (rc) {
		json_decref(users);
		goto out;
	}
	rc = fq_dbc_run(c, err, NULL, "DELETE FROM post_grid WHERE post_code = ?", "t", code);
	for (i = 0; !rc && i < json_array_size(grids); i++) {
		const char *g = json_string_value(json_array_get(grids, i));
		snprintf(f, sizeof(f), "grids[%zu]", i);
		rc = fq_grid_unit_path(c, g, gpath, err);
		if (!rc && !fq_scope_covers(spath, gpath))
			rc = FQ_ENOTFOUND;
		if (rc == FQ_ENOTFOUND)
			rc = fq_err_set(err, FQ_EINVAL, "invalid_grid", f, "%s 不是本所的网格", g);
		/*
		 * A grid taken from another post changes that post too: its version moves,
		 * so an edit of it from a page read before fails instead of taking the grid back.
		 */
		if (!rc)
			rc =
			    fq_dbc_run(c, err, NULL,
				       "UPDATE unit_duty SET version = version + 1, updated_at = ?,"
				       " updated_by = ? WHERE unit_code = (SELECT post_code FROM"
				       " post_grid WHERE grid_code = ? AND post_code <> ?)",
				       "ittt", now_ms, actor_id, g, code);
		if (!rc)
			rc = fq_dbc_run(c, err, NULL,
					"INSERT INTO post_grid (grid_code, post_code, assigned_at,"
					" assigned_by) VALUES (?, ?, ?, ?) ON CONFLICT (grid_code)"
					" DO UPDATE SET post_code = excluded.post_code,"
					" assigned_at = excluded.assigned_at,"
					" assigned_by = excluded.assigned_by",
					"ttit", g, code, now_ms, actor_id);
	}
	if (rc) {
		json_decref(users);
		goto out;
	}
	/*
	 * grids is borrowed from body (fq_json_get_str_array) and NULL when the body
	 * has none: the summary takes its own reference, or an empty list.
	 */
	*summary = json_pack("{s:o, s:I, s:o}", "grids", grids ? json_incref(grids) : json_array(),
			     "staff", (json_int_t)json_array_size(staff), "user_ids", users);
out:
	return rc;
}

/* ---- reading ---- */

static json_t *member_json(struct fq_stmt *st, int col, int mask_phones)
{
	const char *phone = fq_stmt_text(st, col + 3);
	char masked[FQ_PHONE_MAX + 1];
	json_t *p;

	if (!phone)
		p = json_null();
	else if (mask_phones) {
		(void)fq_phone_mask(phone, masked);
		p = json_string(masked);
	} else
		p = json_string(phone);
	return json_pack("{s:o, s:o, s:o, s:o}", "duty", fq_row_text(st, col), "user_id",
			 fq_row_text(st, col + 1), "name", fq_row_text(st, col + 2), "phone", p);
}

static json_t *empty_staff(void)
{
	return json_pack("{s:n, s:[], s:[], s:i}", "officer", "auxiliaries", "grid_workers",
			 "version", 0);
}

/*
 * The staff of the units under scope (a grid's path gives that grid's)
 * into by_unit: code -> {officer, auxiliaries, grid_workers} for grids,
 * code -> [members] for posts (posts=1).
 */
static int staff_under(struct fq_dbc *c, const char *scope, int posts, int mask_phones,
		       json_t *by_unit, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT s.unit_code, s.duty, s.user_id, s.name, s.phone, d.version"
			      " FROM grid_staff s JOIN unit g ON g.code = s.unit_code"
			      " LEFT JOIN unit_duty d ON d.unit_code = s.unit_code"
			      " WHERE substr(g.path, 1, length(?)) = ? AND g.kind = ?"
			      " ORDER BY s.unit_code, s.duty, s.position",
			      "ttt", scope, scope, posts ? "post" : "grid");
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *unit = fq_stmt_text(st, 0), *duty = fq_stmt_text(st, 1);
		json_t *s = json_object_get(by_unit, unit), *m = member_json(st, 1, mask_phones);
		if (posts) {
			if (!s)
				json_object_set_new(by_unit, unit, s = json_array());
			json_array_append_new(s, m);
			continue;
		}
		if (!s) {
			json_object_set_new(by_unit, unit, s = empty_staff());
			json_object_set_new(s, "version", fq_row_int(st, 5));
		}
		if (strcmp(duty, "officer") == 0)
			json_object_set_new(s, "officer", m);
		else
			json_array_append_new(json_object_get(s, strcmp(duty, "auxiliary") == 0
								     ? "auxiliaries"
								     : "grid_workers"),
					      m);
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Versions of assignments without staff (a grid cleared after being set). */
static int versions_under(struct fq_dbc *c, const char *scope, json_t *by_unit, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT d.unit_code, d.version FROM unit_duty d JOIN unit g"
			      " ON g.code = d.unit_code WHERE substr(g.path, 1, length(?)) = ?"
			      " AND g.kind = 'grid'",
			      "tt", scope, scope);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *unit = fq_stmt_text(st, 0);
		json_t *s = json_object_get(by_unit, unit);
		if (!s)
			json_object_set_new(by_unit, unit, s = empty_staff());
		json_object_set_new(s, "version", fq_row_int(st, 1));
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* The grids with their counts; one row per grid under scope (or the one grid code). */
#define GRID_SQL                                                                                   \
	"SELECT g.code, g.name, g.centroid_lat, g.centroid_lon, g.boundary,"                       \
	" st.code, st.name, pg.post_code, pu.name,"                                                \
	" (SELECT count(*) FROM person p WHERE p.unit_path = g.path) AS n_people,"                 \
	" (SELECT count(*) FROM house h WHERE h.grid = g.code) AS n_houses,"                       \
	" (SELECT count(*) FROM organisation o WHERE o.grid = g.code) AS n_venues,"                \
	" (SELECT count(*) FROM directive d WHERE d.target_grid = g.code"                          \
	"  AND d.state <> 'approved') AS n_directives,"                                            \
	" (SELECT count(*) FROM dispute x WHERE x.grid_code = g.code"                              \
	"  AND x.state IN ('graded', 'assigned', 'mediating', 'reopened')) AS n_disputes,"         \
	" (SELECT count(*) FROM alert a WHERE a.grid_code = g.code AND a.received_at >= ?) AS "    \
	"n_alerts,"                                                                                \
	" (SELECT count(DISTINCT v.house_id) FROM household_visit v JOIN house h"                  \
	"  ON h.id = v.house_id WHERE v.unit_path = g.path AND v.visited_at >= ?"                  \
	"  AND v.visited_at <= ? AND h.grid = g.code) AS n_visited"                                \
	" FROM unit g"                                                                             \
	" LEFT JOIN unit st ON st.kind = 'station'"                                                \
	"  AND substr(g.path, 1, length(st.path)) = st.path"                                       \
	" LEFT JOIN post_grid pg ON pg.grid_code = g.code"                                         \
	" LEFT JOIN unit pu ON pu.code = pg.post_code"                                             \
	" WHERE g.kind = 'grid' AND substr(g.path, 1, length(?)) = ?"

static json_t *grid_row(struct fq_stmt *st, int with_boundary)
{
	json_t *j = json_object(), *counts;
	const char *boundary = fq_stmt_text(st, 4);

	json_object_set_new(j, "code", fq_row_text(st, 0));
	json_object_set_new(j, "name", fq_row_text(st, 1));
	json_object_set_new(
	    j, "station",
	    fq_stmt_is_null(st, 5)
		? json_null()
		: json_pack("{s:o, s:o}", "code", fq_row_text(st, 5), "name", fq_row_text(st, 6)));
	json_object_set_new(
	    j, "post",
	    fq_stmt_is_null(st, 7)
		? json_null()
		: json_pack("{s:o, s:o}", "code", fq_row_text(st, 7), "name", fq_row_text(st, 8)));
	json_object_set_new(j, "centroid",
			    fq_stmt_is_null(st, 2)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 2), "lon",
					    fq_stmt_double(st, 3)));
	if (with_boundary) {
		json_t *b = boundary ? json_loads(boundary, 0, NULL) : NULL;
		json_object_set_new(j, "boundary", b ? b : json_null());
	}
	counts = json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:I}", "people", (json_int_t)fq_stmt_int(st, 9), "houses",
	    (json_int_t)fq_stmt_int(st, 10), "venues", (json_int_t)fq_stmt_int(st, 11),
	    "open_directives", (json_int_t)fq_stmt_int(st, 12), "open_disputes",
	    (json_int_t)fq_stmt_int(st, 13), "alerts", (json_int_t)fq_stmt_int(st, 14));
	json_object_set_new(j, "counts", counts);
	json_object_set_new(j, "coverage",
			    json_pack("{s:I, s:I, s:o}", "houses", (json_int_t)fq_stmt_int(st, 10),
				      "visited", (json_int_t)fq_stmt_int(st, 15), "share",
				      fq_stmt_int(st, 10) ? json_real((double)fq_stmt_int(st, 15) /
								      (double)fq_stmt_int(st, 10))
							  : json_null()));
	return j;
}

/* Attach its staff to each grid of items. */
static void attach(json_t *items, json_t *staff)
{
	size_t i;
	json_t *g;

	json_array_foreach(items, i, g)
	{
		const char *code = json_string_value(json_object_get(g, "code"));
		json_t *s = json_object_get(staff, code);
		json_object_set_new(g, "staff", s ? json_incref(s) : empty_staff());
	}
}

/* ---- sorting ---- */

/* The API's sort keys and their ORDER BY terms (on GRID_SQL's aliases); ties by code. */
static const struct {
	const char *key, *sql;
} sort_keys[] = {
    {"code", "g.code"},
    {"name", "g.name"},
    {"people", "n_people"},
    {"houses", "n_houses"},
    {"venues", "n_venues"},
    {"open_directives", "n_directives"},
    {"open_disputes", "n_disputes"},
    {"alerts", "n_alerts"},
    /* A grid without houses has no share: below every share. */
    {"coverage", "CASE WHEN n_houses > 0 THEN CAST(n_visited AS REAL) / n_houses ELSE -1 END"},
};

int fq_grid_list(struct fq_dbc *c, const struct fq_grid_query *q, json_t **out, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], sql[sizeof(GRID_SQL) + 256];
	const char *sort = q->sort ? q->sort : "code";
	int desc = sort[0] == '-', key = -1;
	int64_t total = 0;
	struct fq_stmt *st;
	json_t *items, *staff;
	int rc;

	*out = NULL;
	for (size_t k = 0; k < sizeof(sort_keys) / sizeof(sort_keys[0]); k++)
		if (strcmp(sort_keys[k].key, sort + desc) == 0)
			key = (int)k;
	if (key < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "sort",
				  "排序应为 code、name、people、houses、venues、open_directives、"
				  "open_disputes、alerts、coverage 之一（前加 - 为降序）");
	if ((rc = fq__list_path(c, q->scope_path, q->unit, path, err)))
		return rc;
	rc = fq_dbc_count(c, err, &total,
			  "SELECT count(*) FROM unit g WHERE g.kind = 'grid'"
			  " AND substr(g.path, 1, length(?)) = ?",
			  "tt", path, path);
	if (rc)
		return rc;
	/* Sorted in the store, so that the first FQ_GRID_LIST_MAX are the first in that order. */
	snprintf(sql, sizeof(sql), "%s ORDER BY %s%s, g.code LIMIT ?", GRID_SQL, sort_keys[key].sql,
		 desc ? " DESC" : "");
	rc = fq_dbc_query(c, err, &st, sql, "iiittI", q->now_ms - FQ_GRID_ALERT_DAYS * DAY_MS,
			  q->now_ms - FQ_GRID_COVERAGE_DAYS * DAY_MS, q->now_ms, path, path,
			  (int64_t)FQ_GRID_LIST_MAX);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, grid_row(st, q->with_boundary));
	fq_stmt_done(st);
	staff = json_object();
	if (rc >= 0)
		rc = staff_under(c, path, 0, q->mask_phones, staff, err);
	if (rc >= 0)
		rc = versions_under(c, path, staff, err);
	if (rc >= 0) {
		attach(items, staff);
		*out = json_pack("{s:O, s:I, s:i, s:i}", "items", items, "total", (json_int_t)total,
				 "alert_days", FQ_GRID_ALERT_DAYS, "coverage_days",
				 FQ_GRID_COVERAGE_DAYS);
		rc = 0;
	}
	json_decref(items);
	json_decref(staff);
	return rc;
}

int fq_grid_json(struct fq_dbc *c, const char *code, int mask_phones, int64_t now_ms, json_t **out,
		 struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_stmt *st;
	json_t *items = json_array(), *staff = json_object();
	int rc;

	*out = NULL;
	rc = fq_grid_unit_path(c, code, path, err);
	if (!rc)
		rc = fq_dbc_query(c, err, &st, GRID_SQL, "iiitt",
				  now_ms - FQ_GRID_ALERT_DAYS * DAY_MS,
				  now_ms - FQ_GRID_COVERAGE_DAYS * DAY_MS, now_ms, path, path);
	if (!rc) {
		while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
			json_array_append_new(items, grid_row(st, 1));
		fq_stmt_done(st);
	}
	if (rc >= 0)
		rc = staff_under(c, path, 0, mask_phones, staff, err);
	if (rc >= 0)
		rc = versions_under(c, path, staff, err);
	if (rc >= 0) {
		attach(items, staff);
		rc = json_array_size(items) == 1
			 ? 0
			 : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "网格不存在");
		if (!rc)
			*out = json_incref(json_array_get(items, 0));
	}
	json_decref(items);
	json_decref(staff);
	return rc;
}

int fq_grid_alerts(struct fq_dbc *c, const char *code, int days, int64_t now_ms, int64_t page,
		   int64_t per_page, json_t **out, struct fq_err *err)
{
	int64_t since = now_ms - (int64_t)days * DAY_MS, total = 0;
	struct fq_stmt *st;
	json_t *items;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT count(*) FROM alert WHERE grid_code = ? AND received_at >= ?",
			  "ti", code, since);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		total = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT id, number, incident_id, received_at, source, category, priority,"
			  " address FROM alert WHERE grid_code = ? AND received_at >= ?"
			  " ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?",
			  "tiii", code, since, per_page, (page - 1) * per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items,
				      json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
						fq_row_text(st, 0), "number", fq_row_text(st, 1),
						"incident_id", fq_row_text(st, 2), "received_at",
						fq_row_time(st, 3), "source", fq_row_text(st, 4),
						"category", fq_row_text(st, 5), "priority",
						fq_row_int(st, 6), "address", fq_row_text(st, 7)));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	json_object_set_new(*out, "days", json_integer(days));
	return 0;
}

int fq_post_list(struct fq_dbc *c, const char *scope_path, int mask_phones, json_t **out,
		 struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items = json_array(), *staff = json_object(), *by_code = json_object(), *p;
	size_t i;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT p.code, p.name, p.centroid_lat, p.centroid_lon, s.code, s.name,"
			  " d.version FROM unit p LEFT JOIN unit s ON s.code = p.parent"
			  " LEFT JOIN unit_duty d ON d.unit_code = p.code"
			  " WHERE p.kind = 'post' AND substr(p.path, 1, length(?)) = ?"
			  " ORDER BY p.code",
			  "tt", scope_path, scope_path);
	if (!rc) {
		while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			p = json_object();
			json_object_set_new(p, "code", fq_row_text(st, 0));
			json_object_set_new(p, "name", fq_row_text(st, 1));
			json_object_set_new(p, "station",
					    json_pack("{s:o, s:o}", "code", fq_row_text(st, 4),
						      "name", fq_row_text(st, 5)));
			json_object_set_new(p, "centroid",
					    fq_stmt_is_null(st, 2)
						? json_null()
						: json_pack("{s:f, s:f}", "lat",
							    fq_stmt_double(st, 2), "lon",
							    fq_stmt_double(st, 3)));
			json_object_set_new(p, "grids", json_array());
			json_object_set_new(p, "version", json_integer(fq_stmt_int(st, 6)));
			json_object_set(by_code, fq_stmt_text(st, 0), p);
			json_array_append_new(items, p);
		}
		fq_stmt_done(st);
	}
	if (rc >= 0)
		rc = fq_dbc_query(c, err, &st,
				  "SELECT pg.post_code, g.code, g.name FROM post_grid pg"
				  " JOIN unit g ON g.code = pg.grid_code JOIN unit p"
				  " ON p.code = pg.post_code WHERE substr(p.path, 1, length(?)) = ?"
				  " ORDER BY g.code",
				  "tt", scope_path, scope_path);
	if (rc >= 0) {
		while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			p = json_object_get(by_code, fq_stmt_text(st, 0));
			if (p)
				json_array_append_new(json_object_get(p, "grids"),
						      json_pack("{s:o, s:o}", "code",
								fq_row_text(st, 1), "name",
								fq_row_text(st, 2)));
		}
		fq_stmt_done(st);
	}
	if (rc >= 0)
		rc = staff_under(c, scope_path, 1, mask_phones, staff, err);
	if (rc >= 0) {
		json_array_foreach(items, i, p)
		{
			json_t *s =
			    json_object_get(staff, json_string_value(json_object_get(p, "code")));
			json_object_set_new(p, "staff", s ? json_incref(s) : json_array());
		}
		*out = json_pack("{s:O, s:I}", "items", items, "total",
				 (json_int_t)json_array_size(items));
		rc = 0;
	}
	json_decref(items);
	json_decref(staff);
	json_decref(by_code);
	return rc;
}
