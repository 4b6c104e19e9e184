/* Volunteers (群防群治): store. See volunteer.h. */
#include "community/volunteer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/field.h"
#include "community/mask.h"
#include "community/school.h"
#include "core/phone.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "org/numbers.h"
#include "org/rights.h"
#include "core/banned.h"

#define DAY_MS (24LL * 3600 * 1000)

int64_t fq_volunteer_credit_minutes(int64_t starts_at, int64_t ends_at, int64_t in_at,
				    int64_t out_at)
{
	int64_t from =
	    in_at > starts_at - FQ_VOLUNTEER_GRACE_MS ? in_at : starts_at - FQ_VOLUNTEER_GRACE_MS;
	int64_t to =
	    out_at < ends_at + FQ_VOLUNTEER_GRACE_MS ? out_at : ends_at + FQ_VOLUNTEER_GRACE_MS;
	return to > from ? (to - from) / 60000 : 0;
}

static const struct {
	const char *code, *label;
} kinds[] = {
    {"patrol_team", "巡逻队"},	    {"safety_volunteer", "平安志愿者"},
    {"red_armband", "红袖章"},	    {"neighbourhood_watch", "邻里守望"},
    {"school_guard", "护学志愿者"}, {"other", "其他"},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

const char *fq_volunteer_kind_code(int i)
{
	return i >= 0 && (size_t)i < N_KINDS ? kinds[i].code : NULL;
}

const char *fq_volunteer_kind_label(const char *code)
{
	for (size_t i = 0; code && i < N_KINDS; i++)
		if (strcmp(kinds[i].code, code) == 0)
			return kinds[i].label;
	return NULL;
}

static const char *nullable(const char *s)
{
	return s && *s ? s : NULL;
}

/* A member's phone for the API: as entered, or masked (community/mask.h) when mask is set. */
static json_t *phone_json(struct fq_stmt *st, int raw_col, int norm_col, int mask)
{
	char masked[FQ_PHONE_MAX + 1];
	const char *raw = fq_stmt_text(st, raw_col);

	if (!raw || !*raw)
		return json_null();
	fq_mask_phone(fq_stmt_text(st, norm_col), masked);
	return json_string(!mask ? raw : *masked ? masked : "****");
}

/* One int64 from a one-text-parameter query; FQ_ENOTFOUND when no row. */
static int int_of(struct fq_dbc *c, const char *sql, const char *key, int64_t *out,
		  struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(c, err, &st, sql, "t", key);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = fq_stmt_int(st, 0);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	return rc;
}

static int version_check(struct fq_dbc *c, const char *sql, const char *id, int64_t expected,
			 const char *missing, struct fq_err *err)
{
	int64_t version = 0;
	int rc = int_of(c, sql, id, &version, err);

	if (rc == FQ_ENOTFOUND)
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "%s", missing);
	if (rc)
		return rc;
	if (expected && expected != version)
		return fq_err_set(err, FQ_ECONFLICT, "version_mismatch", "version",
				  "记录已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)version);
	return 0;
}

/* ---- groups ---- */

int fq_vgroup_create(struct fq_dbc *c, const struct fq_vgroup_new *in, const char *scope_path,
		     char id[37], struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], kind[16];
	int rc;

	if (!in->name || !*in->name)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "name", "请填写队伍名称");
	if (!fq_volunteer_kind_label(in->kind))
		return fq_err_set(err, FQ_EINVAL, in->kind ? "invalid_value" : "missing_field",
				  "kind",
				  "队伍类别应为 patrol_team、safety_volunteer、red_armband、"
				  "neighbourhood_watch、school_guard 或 other");
	rc = in->unit_code ? fq_unit_path(c, in->unit_code, path, err) : FQ_ENOTFOUND;
	if (!rc)
		rc = fq_dbc_lookup_text(c, "SELECT kind FROM unit WHERE code = ?", in->unit_code,
					kind, sizeof(kind), "单位不存在", err);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, in->unit_code ? "unknown_unit" : "missing_field",
				  "unit", "单位不存在或不在您的辖区");
	if (rc)
		return rc;
	if (strcmp(kind, "grid") != 0 && strcmp(kind, "post") != 0 && strcmp(kind, "station") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_unit_kind", "unit",
				  "队伍应属于网格、警务室或派出所");
	fq_uuid7_str(id);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO volunteer_group (id, name, kind, unit_code, unit_path,"
			  " leader_name, notes, created_at, created_by, updated_at)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  "tttttttiti", id, in->name, in->kind, in->unit_code, path,
			  nullable(in->leader_name), nullable(in->notes), in->now_ms, in->actor_id,
			  in->now_ms);
}

int fq_vgroup_update(struct fq_dbc *c, const char *id, int64_t expected_version, const char *name,
		     const char *leader_name, const char *notes, int active, int64_t now_ms,
		     struct fq_err *err)
{
	int rc = version_check(c, "SELECT version FROM volunteer_group WHERE id = ?", id,
			       expected_version, "队伍不存在", err);
	if (rc)
		return rc;
	if (name && !*name)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "name", "请填写队伍名称");
	return fq_dbc_run(
	    c, err, NULL,
	    "UPDATE volunteer_group SET name = coalesce(?, name), leader_name = CASE WHEN ? = 1"
	    " THEN ? ELSE leader_name END, notes = CASE WHEN ? = 1 THEN ? ELSE notes END,"
	    " active = CASE WHEN ? < 0 THEN active ELSE ? END, version = version + 1,"
	    " updated_at = ? WHERE id = ?",
	    "tititiiit", name, (int64_t)(leader_name != NULL), nullable(leader_name),
	    (int64_t)(notes != NULL), nullable(notes), (int64_t)active, (int64_t)active, now_ms,
	    id);
}

int fq_vgroup_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM volunteer_group WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "队伍不存在", err);
}

#define GROUP_COLS                                                                                 \
	"g.id, g.name, g.kind, g.unit_code, u.name, g.leader_name, g.notes, g.active,"             \
	" g.version, g.created_at, (SELECT count(*) FROM volunteer_member m WHERE m.group_id ="    \
	" g.id), (SELECT count(*) FROM volunteer_member m WHERE m.group_id = g.id AND"             \
	" m.active = 1)"
#define GROUP_FROM " FROM volunteer_group g JOIN unit u ON u.code = g.unit_code"

static json_t *group_row(struct fq_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "name", fq_row_text(st, 1));
	json_object_set_new(j, "kind", fq_row_text(st, 2));
	json_object_set_new(j, "kind_label",
			    json_string(fq_volunteer_kind_label(fq_stmt_text(st, 2))));
	json_object_set_new(j, "unit", fq_row_text(st, 3));
	json_object_set_new(j, "unit_name", fq_row_text(st, 4));
	json_object_set_new(j, "leader_name", fq_row_text(st, 5));
	json_object_set_new(j, "notes", fq_row_text(st, 6));
	json_object_set_new(j, "active", fq_row_bool(st, 7));
	json_object_set_new(j, "version", fq_row_int(st, 8));
	json_object_set_new(j, "created_at", fq_row_time(st, 9));
	json_object_set_new(j, "members", fq_row_int(st, 10));
	json_object_set_new(j, "active_members", fq_row_int(st, 11));
	return j;
}

int fq_vgroup_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT " GROUP_COLS GROUP_FROM " WHERE g.id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = group_row(st);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "队伍不存在");
	}
	fq_stmt_done(st);
	return rc;
}

/* Count with the where clause and its first n parameters, then the page. */
static int paged(struct fq_dbc *c, const char *cols, const char *from, const char *where,
		 const char *order, const char *types, const char *a1, const char *a2,
		 const char *a3, int64_t page, int64_t per_page,
		 json_t *(*row)(struct fq_stmt *, int), int arg, json_t **out, struct fq_err *err)
{
	char sql[2400];
	char ty[8];
	struct fq_stmt *st = NULL;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*)%s%s", from, where);
	rc = fq_dbc_count(c, err, &total, sql, types, a1, a2, a3);
	snprintf(ty, sizeof(ty), "%sii", types);
	snprintf(sql, sizeof(sql), "SELECT %s%s%s ORDER BY %s LIMIT ?4 OFFSET ?5", cols, from,
		 where, order);
	if (!rc)
		rc =
		    fq_dbc_query(c, err, &st, sql, ty, a1, a2, a3, per_page, (page - 1) * per_page);
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, row(st, arg));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

static json_t *group_row_arg(struct fq_stmt *st, int arg)
{
	(void)arg;
	return group_row(st);
}

int fq_vgroup_list(struct fq_dbc *c, const char *scope_path, const char *unit, const char *kind,
		   int64_t page, int64_t per_page, json_t **out, struct fq_err *err)
{
	return paged(c, GROUP_COLS, GROUP_FROM,
		     " WHERE substr(g.unit_path, 1, length(?1)) = ?1 AND (?2 IS NULL OR"
		     " g.unit_code = ?2) AND (?3 IS NULL OR g.kind = ?3)",
		     "g.active DESC, g.unit_code, g.name", "ttt", scope_path, unit, kind, page,
		     per_page, group_row_arg, 0, out, err);
}

/* ---- members ---- */

/* An active group inside scope_path (path receives its unit path); FQ_EINVAL naming group_id. */
static int active_group(struct fq_dbc *c, const char *group_id, const char *scope_path,
			char path[FQ_UNIT_PATH_MAX], struct fq_err *err)
{
	int64_t active = 0;
	int rc = group_id ? fq_vgroup_unit_path(c, group_id, path, err) : FQ_ENOTFOUND;

	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, group_id ? "unknown_group" : "missing_field",
				  "group_id", "队伍不存在或不在您的辖区");
	if (!rc)
		rc = int_of(c, "SELECT active FROM volunteer_group WHERE id = ?", group_id, &active,
			    err);
	if (!rc && !active)
		rc = fq_err_set(err, FQ_EINVAL, "inactive_group", "group_id", "队伍已停用");
	return rc;
}

int fq_vmember_create(struct fq_dbc *c, const struct fq_vmember_new *in, const char *scope_path,
		      char id[37], struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], other[FQ_UNIT_PATH_MAX], day[11], name[256] = "";
	struct fq_phone ph = {0};
	int64_t days;
	int rc;

	if ((rc = active_group(c, in->group_id, scope_path, path, err)))
		return rc;
	if (in->person_id) {
		struct fq_stmt *st = NULL;
		rc = fq_dbc_query(c, err, &st, "SELECT unit_path, name FROM person WHERE id = ?",
				  "t", in->person_id);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW) {
			snprintf(other, sizeof(other), "%s", fq_stmt_text(st, 0));
			snprintf(name, sizeof(name), "%s", fq_stmt_text(st, 1));
			rc = fq_scope_covers(scope_path, other) ? 0 : FQ_ENOTFOUND;
		} else if (rc == FQ_DB_DONE) {
			rc = FQ_ENOTFOUND;
		}
		fq_stmt_done(st);
		if (rc == FQ_ENOTFOUND)
			return fq_err_set(err, FQ_EINVAL, "unknown_person", "person_id",
					  "人员不存在或不在您的辖区");
		if (rc)
			return rc;
	}
	if (in->name && *in->name)
		snprintf(name, sizeof(name), "%s", in->name);
	if (!*name)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "name", "请填写队员姓名");
	if (in->phone && *in->phone && fq_phone_normalize(in->phone, &ph, err) != 0) {
		snprintf(err->field, sizeof(err->field), "phone");
		return FQ_EINVAL;
	}
	if (in->user_id) {
		struct fq_stmt *st = NULL;
		rc = fq_dbc_query(c, err, &st,
				  "SELECT u.id FROM app_user u JOIN unit n ON n.code = u.unit_code"
				  " JOIN user_role r ON r.user_id = u.id AND r.role = 'volunteer'"
				  " WHERE u.id = ? AND substr(n.path, 1, length(?)) = ?",
				  "ttt", in->user_id, scope_path, scope_path);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		fq_stmt_done(st);
		if (rc == FQ_DB_DONE)
			return fq_err_set(err, FQ_EINVAL, "unknown_user", "user_id",
					  "用户不存在、不在您的辖区或不是志愿者");
		if (rc != FQ_DB_ROW)
			return rc;
		{
			int64_t dup = 0;
			struct fq_stmt *s2 = NULL;
			rc = fq_dbc_query(c, err, &s2,
					  "SELECT count(*) FROM volunteer_member WHERE group_id = ?"
					  " AND user_id = ?",
					  "tt", in->group_id, in->user_id);
			if (rc)
				return rc;
			if ((rc = fq_stmt_step(s2, err)) == FQ_DB_ROW)
				dup = fq_stmt_int(s2, 0);
			fq_stmt_done(s2);
			if (rc != FQ_DB_ROW)
				return rc;
			if (dup)
				return fq_err_set(err, FQ_ECONFLICT, "duplicate", "user_id",
						  "该用户已是本队队员");
		}
	}
	if (in->joined_on) {
		if (fq_school_parse_day(in->joined_on, &days))
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "joined_on",
					  "入队日期应为 YYYY-MM-DD");
		snprintf(day, sizeof(day), "%s", in->joined_on);
	} else {
		fq_school_format_day(fq_school_local_day(in->now_ms), day);
	}
	fq_uuid7_str(id);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO volunteer_member (id, group_id, unit_path, name, phone,"
			  " phone_norm, person_id, user_id, joined_on, created_at, updated_at)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  "tttttttttii", id, in->group_id, path, name, nullable(in->phone),
			  *ph.number ? ph.number : NULL, in->person_id, in->user_id, day,
			  in->now_ms, in->now_ms);
}

int fq_vmember_update(struct fq_dbc *c, const char *id, int64_t expected_version, const char *name,
		      const char *phone, int active, int64_t now_ms, struct fq_err *err)
{
	struct fq_phone ph = {0};
	int rc = version_check(c, "SELECT version FROM volunteer_member WHERE id = ?", id,
			       expected_version, "队员不存在", err);
	if (rc)
		return rc;
	if (name && !*name)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "name", "请填写队员姓名");
	if (phone && *phone && fq_phone_normalize(phone, &ph, err) != 0) {
		snprintf(err->field, sizeof(err->field), "phone");
		return FQ_EINVAL;
	}
	return fq_dbc_run(c, err, NULL,
			  "UPDATE volunteer_member SET name = coalesce(?, name), phone = CASE"
			  " WHEN ? = 1 THEN ? ELSE phone END, phone_norm = CASE WHEN ? = 1 THEN ?"
			  " ELSE phone_norm END, active = CASE WHEN ? < 0 THEN active ELSE ? END,"
			  " version = version + 1, updated_at = ? WHERE id = ?",
			  "tititiiit", name, (int64_t)(phone != NULL), nullable(phone),
			  (int64_t)(phone != NULL), *ph.number ? ph.number : NULL, (int64_t)active,
			  (int64_t)active, now_ms, id);
}

int fq_vmember_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM volunteer_member WHERE id = ?", id,
				  path, FQ_UNIT_PATH_MAX, "队员不存在", err);
}

/* Columns; ?6 and ?7 bound to the hours window. */
#define MEMBER_COLS                                                                                \
	"m.id, m.group_id, g.name, m.name, m.phone, m.phone_norm, m.person_id, m.user_id,"         \
	" m.joined_on, m.active, m.version, (SELECT coalesce(sum(k.minutes), 0) FROM"              \
	" volunteer_checkin k WHERE k.member_id = m.id AND k.in_at >= ?6 AND k.in_at < ?7),"       \
	" (SELECT count(k.minutes) FROM volunteer_checkin k WHERE k.member_id = m.id AND"          \
	" k.in_at >= ?6 AND k.in_at < ?7)"
#define MEMBER_FROM " FROM volunteer_member m JOIN volunteer_group g ON g.id = m.group_id"

static json_t *member_row(struct fq_stmt *st, int mask)
{
	json_t *j = json_object();
	int64_t minutes = fq_stmt_int(st, 11);

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "group_id", fq_row_text(st, 1));
	json_object_set_new(j, "group_name", fq_row_text(st, 2));
	json_object_set_new(j, "name", fq_row_text(st, 3));
	json_object_set_new(j, "phone", phone_json(st, 4, 5, mask));
	json_object_set_new(j, "person_id", fq_row_text(st, 6));
	json_object_set_new(j, "user_id", fq_row_text(st, 7));
	json_object_set_new(j, "joined_on", fq_row_text(st, 8));
	json_object_set_new(j, "active", fq_row_bool(st, 9));
	json_object_set_new(j, "version", fq_row_int(st, 10));
	json_object_set_new(j, "minutes", json_integer(minutes));
	json_object_set_new(j, "hours", json_real((double)minutes / 60.0));
	json_object_set_new(j, "turns", fq_row_int(st, 12));
	return j;
}

int fq_vmember_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		    struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT " MEMBER_COLS MEMBER_FROM
			      " WHERE m.id = ?1 AND ?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL"
			      " AND ?5 IS NULL",
			      "tttttii", id, NULL, NULL, NULL, NULL, (int64_t)INT64_MIN,
			      (int64_t)INT64_MAX);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = member_row(st, mask_phones);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "队员不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_vmember_list(struct fq_dbc *c, const struct fq_vmember_query *q, json_t **out,
		    struct fq_err *err)
{
	static const char where[] =
	    " WHERE substr(m.unit_path, 1, length(?1)) = ?1 AND (?2 IS NULL OR m.group_id = ?2)"
	    " AND (?3 IS NULL OR instr(m.name, ?3) > 0) AND (?4 < 0 OR m.active = ?4)";
	char sql[2400];
	struct fq_stmt *st = NULL;
	json_t *items = json_array();
	int64_t total = 0;
	int64_t to = q->to_ms ? q->to_ms : INT64_MAX;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*)" MEMBER_FROM "%s", where);
	rc = fq_dbc_query(c, err, &st, sql, "ttti", q->scope_path, q->group_id, q->q,
			  (int64_t)q->active);
	if (!rc) {
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			total = fq_stmt_int(st, 0);
			rc = 0;
		}
		fq_stmt_done(st);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT " MEMBER_COLS MEMBER_FROM "%s ORDER BY g.name, m.name, m.id LIMIT ?8"
		 " OFFSET ?5",
		 where);
	if (!rc)
		rc = fq_dbc_query(c, err, &st, sql, "tttiiiii", q->scope_path, q->group_id, q->q,
				  (int64_t)q->active, (q->page - 1) * q->per_page, q->from_ms, to,
				  q->per_page);
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, member_row(st, q->mask_phones));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

/* ---- tasks ---- */

int fq_vtask_create(struct fq_dbc *c, const struct fq_vtask_new *in, const char *scope_path,
		    char id[37], struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], unit[FQ_UNIT_CODE_MAX], number[FQ_NUMBER_MAX];
	size_t i;
	json_t *m;
	int rc;

	if ((rc = active_group(c, in->group_id, scope_path, path, err)))
		return rc;
	if (!in->kind || (strcmp(in->kind, "patrol") != 0 && strcmp(in->kind, "watch") != 0))
		return fq_err_set(err, FQ_EINVAL, in->kind ? "invalid_value" : "missing_field",
				  "kind", "任务类别应为 patrol（巡逻）或 watch（值守）");
	if (!in->title || !*in->title)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "title", "请填写任务名称");
	if (!in->area || !*in->area)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "area", "请填写巡逻区域或路线");
	if (!in->starts_at)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "starts_at", "请填写开始时间");
	if (!in->ends_at)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "ends_at", "请填写结束时间");
	if (in->ends_at <= in->starts_at)
		return fq_err_set(err, FQ_EINVAL, "before_start", "ends_at",
				  "结束时间应晚于开始时间");
	if (in->ends_at - in->starts_at > FQ_VOLUNTEER_TASK_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_long", "ends_at",
				  "一次任务不能超过 24 小时");
	if (in->member_ids) {
		if (!json_is_array(in->member_ids) ||
		    json_array_size(in->member_ids) > FQ_VOLUNTEER_MEMBERS_MAX)
			return fq_err_set(err, FQ_EINVAL, "invalid_type", "member_ids",
					  "member_ids 应为最多 %d 个队员编号的数组",
					  FQ_VOLUNTEER_MEMBERS_MAX);
		json_array_foreach(in->member_ids, i, m)
		{
			struct fq_stmt *st = NULL;
			if (!json_is_string(m))
				return fq_err_set(err, FQ_EINVAL, "invalid_type", "member_ids",
						  "member_ids 第 %zu 项应为队员编号", i + 1);
			rc = fq_dbc_query(c, err, &st,
					  "SELECT 1 FROM volunteer_member WHERE id = ? AND"
					  " group_id = ? AND active = 1",
					  "tt", json_string_value(m), in->group_id);
			if (rc)
				return rc;
			rc = fq_stmt_step(st, err);
			fq_stmt_done(st);
			if (rc == FQ_DB_DONE)
				return fq_err_set(err, FQ_EINVAL, "unknown_member", "member_ids",
						  "member_ids 第 %zu 项不是本队在册队员", i + 1);
			if (rc != FQ_DB_ROW)
				return rc;
		}
	}
	if ((rc = fq_dbc_lookup_text(c, "SELECT unit_code FROM volunteer_group WHERE id = ?",
				     in->group_id, unit, sizeof(unit), "队伍不存在", err)) ||
	    (rc = fq_number_next(c, "ZY", unit, in->starts_at, number, err)))
		return rc;
	fq_uuid7_str(id);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO volunteer_task (id, number, group_id, unit_path, kind, title,"
			" area, lat, lon, starts_at, ends_at, state, created_at, created_by)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?)",
			"tttttttDDiiit", id, number, in->group_id, path, in->kind, in->title,
			in->area, in->lat, in->lon, in->starts_at, in->ends_at, in->now_ms,
			in->actor_id);
	if (!rc && in->member_ids)
		json_array_foreach(in->member_ids, i, m)
		{
			rc = fq_dbc_run(c, err, NULL,
					"INSERT INTO volunteer_task_member (task_id, member_id)"
					" VALUES (?, ?) ON CONFLICT DO NOTHING",
					"tt", id, json_string_value(m));
			if (rc)
				break;
		}
	return rc;
}

int fq_vtask_cancel(struct fq_dbc *c, const char *id, int64_t expected_version, const char *reason,
		    struct fq_err *err)
{
	char state[16];
	int64_t turns = 0;
	int rc;

	if (!reason || !*reason)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "reason", "请填写取消原因");
	if ((rc = version_check(c, "SELECT version FROM volunteer_task WHERE id = ?", id,
				expected_version, "任务不存在", err)) ||
	    (rc = fq_dbc_lookup_text(c, "SELECT state FROM volunteer_task WHERE id = ?", id, state,
				     sizeof(state), "任务不存在", err)) ||
	    (rc = int_of(c, "SELECT count(*) FROM volunteer_checkin WHERE task_id = ?", id, &turns,
			 err)))
		return rc;
	if (strcmp(state, "planned") != 0)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state", "任务已取消");
	if (turns)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state",
				  "已有队员签到，任务不能取消");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE volunteer_task SET state = 'cancelled', cancel_reason = ?,"
			  " version = version + 1 WHERE id = ?",
			  "tt", reason, id);
}

int fq_vtask_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM volunteer_task WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "任务不存在", err);
}

/* SQL of a task's derived status; ?N is now. */
#define STATUS_SQL(now)                                                                            \
	"CASE WHEN t.state = 'cancelled' THEN 'cancelled' WHEN t.ends_at > " now " AND"            \
	" t.starts_at <= " now " THEN 'ongoing' WHEN t.starts_at > " now " THEN 'upcoming'"        \
	" WHEN EXISTS (SELECT 1 FROM volunteer_checkin k WHERE k.task_id = t.id AND k.out_at"      \
	" IS NOT NULL) THEN 'done' ELSE 'missed' END"

#define TASK_COLS(now)                                                                             \
	"t.id, t.number, t.group_id, g.name, g.unit_code, t.kind, t.title, t.area, t.lat, t.lon,"  \
	" t.starts_at, t.ends_at, t.state, t.cancel_reason, t.version, " STATUS_SQL(               \
	    now) ", (SELECT count(*) FROM volunteer_checkin k WHERE k.task_id = t.id), (SELECT"    \
		 " coalesce(sum(k.minutes), 0) FROM volunteer_checkin k WHERE k.task_id = t.id), " \
		 "(SELECT"                                                                         \
		 " count(*) FROM volunteer_task_clue x WHERE x.task_id = t.id)"
#define TASK_FROM " FROM volunteer_task t JOIN volunteer_group g ON g.id = t.group_id"

static json_t *task_row(struct fq_stmt *st)
{
	json_t *j = json_object();
	int64_t minutes = fq_stmt_int(st, 17);

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "number", fq_row_text(st, 1));
	json_object_set_new(j, "group_id", fq_row_text(st, 2));
	json_object_set_new(j, "group_name", fq_row_text(st, 3));
	json_object_set_new(j, "unit", fq_row_text(st, 4));
	json_object_set_new(j, "kind", fq_row_text(st, 5));
	json_object_set_new(
	    j, "kind_label",
	    json_string(strcmp(fq_stmt_text(st, 5), "patrol") == 0 ? "巡逻" : "值守"));
	json_object_set_new(j, "title", fq_row_text(st, 6));
	json_object_set_new(j, "area", fq_row_text(st, 7));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 8)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 8), "lon",
					    fq_stmt_double(st, 9)));
	json_object_set_new(j, "starts_at", fq_row_time(st, 10));
	json_object_set_new(j, "ends_at", fq_row_time(st, 11));
	json_object_set_new(j, "state", fq_row_text(st, 12));
	json_object_set_new(j, "cancel_reason", fq_row_text(st, 13));
	json_object_set_new(j, "version", fq_row_int(st, 14));
	json_object_set_new(j, "status", fq_row_text(st, 15));
	json_object_set_new(j, "turns", fq_row_int(st, 16));
	json_object_set_new(j, "minutes", json_integer(minutes));
	json_object_set_new(j, "hours", json_real((double)minutes / 60.0));
	json_object_set_new(j, "clues", fq_row_int(st, 18));
	return j;
}

static int task_members(struct fq_dbc *c, const char *id, int mask, json_t *task,
			struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *members = json_array(), *turns = json_array(), *clues = json_array();
	int rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT m.id, m.name, m.phone, m.phone_norm, m.user_id FROM volunteer_member m"
	    " JOIN volunteer_task t ON t.id = ?1 WHERE (EXISTS (SELECT 1 FROM"
	    " volunteer_task_member a WHERE a.task_id = t.id AND a.member_id = m.id)) OR (NOT"
	    " EXISTS (SELECT 1 FROM volunteer_task_member a WHERE a.task_id = t.id) AND"
	    " m.group_id = t.group_id AND m.active = 1) ORDER BY m.name, m.id",
	    "t", id);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_array_append_new(
		    members, json_pack("{s:o, s:o, s:o, s:o}", "id", fq_row_text(st, 0), "name",
				       fq_row_text(st, 1), "phone", phone_json(st, 2, 3, mask),
				       "user_id", fq_row_text(st, 4)));
		rc = 0;
	}
	if (rc == FQ_DB_DONE || rc == 0) {
		fq_stmt_done(st);
		rc = fq_dbc_query(c, err, &st,
				  "SELECT k.member_id, m.name, k.in_at, k.in_lat, k.in_lon,"
				  " k.out_at, k.out_lat, k.out_lon, k.minutes FROM"
				  " volunteer_checkin k JOIN volunteer_member m ON m.id ="
				  " k.member_id WHERE k.task_id = ? ORDER BY k.in_at",
				  "t", id);
		while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			json_t *k = json_pack(
			    "{s:o, s:o, s:o, s:o, s:o, s:o}", "member_id", fq_row_text(st, 0),
			    "name", fq_row_text(st, 1), "in_at", fq_row_time(st, 2), "out_at",
			    fq_row_time(st, 5), "minutes", fq_row_int(st, 8), "in_location",
			    fq_stmt_is_null(st, 3)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 3), "lon",
					    fq_stmt_double(st, 4)));
			json_object_set_new(k, "out_location",
					    fq_stmt_is_null(st, 6)
						? json_null()
						: json_pack("{s:f, s:f}", "lat",
							    fq_stmt_double(st, 6), "lon",
							    fq_stmt_double(st, 7)));
			json_array_append_new(turns, k);
			rc = 0;
		}
	}
	if (rc == FQ_DB_DONE || rc == 0) {
		fq_stmt_done(st);
		rc = fq_dbc_query(c, err, &st,
				  "SELECT x.clue_id, k.number, x.member_id, x.reported_at, k.state,"
				  " k.text FROM volunteer_task_clue x JOIN clue k ON k.id ="
				  " x.clue_id WHERE x.task_id = ? ORDER BY x.reported_at",
				  "t", id);
		while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			json_array_append_new(
			    clues,
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "id", fq_row_text(st, 0),
				      "number", fq_row_text(st, 1), "member_id", fq_row_text(st, 2),
				      "reported_at", fq_row_time(st, 3), "state",
				      fq_row_text(st, 4), "text", fq_row_text(st, 5)));
			rc = 0;
		}
	}
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(members);
		json_decref(turns);
		json_decref(clues);
		return rc;
	}
	json_object_set_new(task, "members", members);
	json_object_set_new(task, "checkins", turns);
	json_object_set_new(task, "clue_list", clues);
	return 0;
}

int fq_vtask_json(struct fq_dbc *c, const char *id, int mask_phones, int64_t now_ms, json_t **out,
		  struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *j = NULL;
	int rc = fq_dbc_query(c, err, &st, "SELECT " TASK_COLS("?2") TASK_FROM " WHERE t.id = ?1",
			      "ti", id, now_ms);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		j = task_row(st);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "任务不存在");
	}
	fq_stmt_done(st);
	if (!rc)
		rc = task_members(c, id, mask_phones, j, err);
	if (rc) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

/* Tasks a member is on: assigned, or of their group when nobody is assigned. */
#define ON_TASK(member)                                                                            \
	"(EXISTS (SELECT 1 FROM volunteer_task_member a WHERE a.task_id = t.id AND a.member_id ="  \
	" " member ") OR (NOT EXISTS (SELECT 1 FROM volunteer_task_member a WHERE a.task_id ="     \
	" t.id) AND t.group_id = (SELECT group_id FROM volunteer_member WHERE id = " member ")))"

int fq_vtask_list(struct fq_dbc *c, const struct fq_vtask_query *q, json_t **out,
		  struct fq_err *err)
{
	static const char where[] =
	    " WHERE substr(t.unit_path, 1, length(?1)) = ?1 AND (?2 IS NULL OR t.group_id = ?2)"
	    " AND (?3 IS NULL OR " ON_TASK("?3") ") AND (?4 IS NULL OR " STATUS_SQL(
		"?7") " = ?4) AND (?5 = 0 OR t.starts_at >= ?5) AND (?6 = 0 OR t.starts_at < ?6)";
	char sql[4000];
	struct fq_stmt *st = NULL;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*)" TASK_FROM "%s", where);
	rc = fq_dbc_query(c, err, &st, sql, "ttttiii", q->scope_path, q->group_id, q->member_id,
			  q->status, q->from_ms, q->to_ms, q->now_ms);
	if (!rc) {
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			total = fq_stmt_int(st, 0);
			rc = 0;
		}
		fq_stmt_done(st);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT " TASK_COLS("?7") TASK_FROM "%s ORDER BY t.starts_at %s, t.id LIMIT ?8"
						     " OFFSET ?9",
		 where, q->ascending ? "ASC" : "DESC");
	if (!rc)
		rc = fq_dbc_query(c, err, &st, sql, "ttttiiiii", q->scope_path, q->group_id,
				  q->member_id, q->status, q->from_ms, q->to_ms, q->now_ms,
				  q->per_page, (q->page - 1) * q->per_page);
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, task_row(st));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

int fq_vtask_member_of_user(struct fq_dbc *c, const char *task_id, const char *user_id,
			    char member_id[37], struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT m.id FROM volunteer_member m JOIN volunteer_task t ON t.id ="
			      " ?1 WHERE m.user_id = ?2 AND m.active = 1 AND " ON_TASK(
				  "m.id") " ORDER BY m.id LIMIT 1",
			      "tt", task_id, user_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(member_id, 37, "%s", fq_stmt_text(st, 0));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "任务不存在或您不在任务中");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_vmember_ids_of_user(struct fq_dbc *c, const char *user_id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *ids = json_array();
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT id FROM volunteer_member WHERE user_id = ? AND active = 1"
			      " ORDER BY id",
			      "t", user_id);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_array_append_new(ids, fq_row_text(st, 0));
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(ids);
		return rc;
	}
	*out = ids;
	return 0;
}

int fq_vmember_hours_of_user(struct fq_dbc *c, const char *user_id, int64_t now_ms,
			     int64_t *minutes_30d, int64_t *minutes_365d, int64_t *turns_365d,
			     struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT coalesce(sum(CASE WHEN k.in_at >= ?2 THEN k.minutes END), 0),"
			 " coalesce(sum(k.minutes), 0), count(k.minutes) FROM volunteer_checkin"
			 " k JOIN volunteer_member m ON m.id = k.member_id WHERE m.user_id = ?1"
			 " AND k.in_at >= ?3",
			 "tii", user_id, now_ms - 30 * DAY_MS, now_ms - 365 * DAY_MS);

	if (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		*minutes_30d = fq_stmt_int(st, 0);
		*minutes_365d = fq_stmt_int(st, 1);
		*turns_365d = fq_stmt_int(st, 2);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "统计失败");
	}
	fq_stmt_done(st);
	return rc;
}

/* The task's window and state, and whether member_id is on it. */
static int task_window(struct fq_dbc *c, const char *task_id, const char *member_id,
		       int64_t *starts, int64_t *ends, char state[16], int *on_task,
		       struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT t.starts_at, t.ends_at, t.state, ?2 IS NOT NULL AND EXISTS"
			      " (SELECT 1 FROM volunteer_member m WHERE m.id = ?2 AND m.active = 1"
			      " AND " ON_TASK("m.id") ") FROM volunteer_task t WHERE t.id = ?1",
			      "tt", task_id, member_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*starts = fq_stmt_int(st, 0);
		*ends = fq_stmt_int(st, 1);
		snprintf(state, 16, "%s", fq_stmt_text(st, 2));
		*on_task = (int)fq_stmt_int(st, 3);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "任务不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_vtask_check_in(struct fq_dbc *c, const char *task_id, const char *member_id, double lat,
		      double lon, const char *recorded_by, int64_t now_ms, struct fq_err *err)
{
	char state[16], path[FQ_UNIT_PATH_MAX], id[37];
	int64_t starts, ends, dup = 0;
	int on, rc;
	struct fq_stmt *st = NULL;

	if ((rc = task_window(c, task_id, member_id, &starts, &ends, state, &on, err)))
		return rc;
	if (!on)
		return fq_err_set(err, FQ_EINVAL, "not_on_task", "member_id", "该队员不在此任务中");
	if (strcmp(state, "planned") != 0)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state", "任务已取消");
	if (now_ms < starts - FQ_VOLUNTEER_GRACE_MS)
		return fq_err_set(err, FQ_ECONFLICT, "too_early", "starts_at",
				  "任务开始前 30 分钟内才能签到");
	if (now_ms > ends)
		return fq_err_set(err, FQ_ECONFLICT, "too_late", "ends_at", "任务已结束，不能签到");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT count(*) FROM volunteer_checkin WHERE task_id = ? AND"
			  " member_id = ?",
			  "tt", task_id, member_id);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		dup = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	if (rc != FQ_DB_ROW)
		return rc;
	if (dup)
		return fq_err_set(err, FQ_ECONFLICT, "duplicate", "member_id", "已签到过此任务");
	if ((rc = fq_vtask_unit_path(c, task_id, path, err)))
		return rc;
	fq_uuid7_str(id);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO volunteer_checkin (id, task_id, member_id, unit_path, in_at,"
			  " in_lat, in_lon, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  "ttttiDDt", id, task_id, member_id, path, now_ms, lat, lon, recorded_by);
}

int fq_vtask_check_out(struct fq_dbc *c, const char *task_id, const char *member_id, double lat,
		       double lon, int64_t now_ms, int64_t *minutes, struct fq_err *err)
{
	char state[16];
	int64_t starts, ends, in_at = 0;
	int on, open = 0, rc;
	struct fq_stmt *st = NULL;

	if ((rc = task_window(c, task_id, member_id, &starts, &ends, state, &on, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT in_at, out_at IS NULL FROM volunteer_checkin WHERE task_id = ?"
			  " AND member_id = ?",
			  "tt", task_id, member_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		in_at = fq_stmt_int(st, 0);
		open = (int)fq_stmt_int(st, 1);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state", "尚未签到");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (!open)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state", "已签退");
	*minutes = fq_volunteer_credit_minutes(starts, ends, in_at, now_ms);
	return fq_dbc_run(c, err, NULL,
			  "UPDATE volunteer_checkin SET out_at = ?, out_lat = ?, out_lon = ?,"
			  " minutes = ? WHERE task_id = ? AND member_id = ?",
			  "iDDitt", now_ms, lat, lon, *minutes, task_id, member_id);
}

int fq_vtask_report_clue(struct fq_dbc *c, const char *task_id, const char *member_id,
			 const char *text, double lat, double lon, const char *actor_id,
			 int64_t now_ms, char clue_id[37], struct fq_err *err)
{
	char state[16], path[FQ_UNIT_PATH_MAX], unit[FQ_UNIT_CODE_MAX], area[256];
	int64_t starts, ends;
	int on, rc;

	clue_id[0] = '\0';
	if ((rc = task_window(c, task_id, member_id, &starts, &ends, state, &on, err)))
		return rc;
	if (member_id && !on)
		return fq_err_set(err, FQ_EINVAL, "not_on_task", "member_id", "该队员不在此任务中");
	if (strcmp(state, "planned") != 0)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state", "任务已取消");
	if (!text || !*text)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "text", "请填写线索内容");
	if ((rc = fq_vtask_unit_path(c, task_id, path, err)) ||
	    (rc = fq_dbc_lookup_text(c,
				     "SELECT g.unit_code FROM volunteer_task t JOIN volunteer_group"
				     " g ON g.id = t.group_id WHERE t.id = ?",
				     task_id, unit, sizeof(unit), "任务不存在", err)) ||
	    (rc = fq_dbc_lookup_text(c, "SELECT area FROM volunteer_task WHERE id = ?", task_id,
				     area, sizeof(area), "任务不存在", err)))
		return rc;
	{
		struct fq_clue_new k = {.unit_code = unit,
					.source = "volunteer",
					.text = text,
					.address = area,
					.lat = lat,
					.lon = lon,
					.actor_id = actor_id,
					.now_ms = now_ms};
		if ((rc = fq_clue_create(c, &k, clue_id, err)))
			return rc;
	}
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO volunteer_task_clue (clue_id, task_id, member_id, unit_path,"
			  " reported_at) VALUES (?, ?, ?, ?, ?)",
			  "tttti", clue_id, task_id, member_id, path, now_ms);
}

/* ---- counts ---- */

/*
 * Hours per month of China Standard Time (by the check-in's month) and the
 * members active in it, appended to months; FQ_DB_DONE when complete.
 */
static int months_json(struct fq_dbc *c, const char *scope_path, int64_t from_ms, int64_t to_ms,
		       json_t *months, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *cur = NULL, *seen = NULL;
	char month[8] = "";
	int64_t minutes = 0;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT k.in_at, k.minutes, k.member_id FROM volunteer_checkin k"
			      " WHERE substr(k.unit_path, 1, length(?1)) = ?1 AND k.in_at >= ?2 AND"
			      " k.in_at < ?3 AND k.minutes IS NOT NULL ORDER BY k.in_at",
			      "tii", scope_path, from_ms, to_ms);

	for (;;) {
		char day[11] = "", m[8] = "";
		if (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			fq_school_format_day(fq_school_local_day(fq_stmt_int(st, 0)), day);
			memcpy(m, day, 7);
		}
		if (rc != FQ_DB_ROW && rc != FQ_DB_DONE)
			break;
		if (*month && strcmp(m, month) != 0) {
			cur = json_pack("{s:s, s:I, s:f, s:I}", "month", month, "minutes",
					(json_int_t)minutes, "hours", (double)minutes / 60.0,
					"active_members", (json_int_t)json_object_size(seen));
			json_array_append_new(months, cur);
			json_decref(seen);
			seen = NULL;
			minutes = 0;
		}
		if (rc == FQ_DB_DONE)
			break;
		snprintf(month, sizeof(month), "%s", m);
		if (!seen)
			seen = json_object();
		json_object_set_new(seen, fq_stmt_text(st, 2), json_true());
		minutes += fq_stmt_int(st, 1);
		rc = 0;
	}
	json_decref(seen);
	fq_stmt_done(st);
	return rc;
}

int fq_volunteer_kpi_json(struct fq_dbc *c, const char *scope_path, int64_t from_ms, int64_t to_ms,
			  int64_t now_ms, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *groups = json_array(), *months = json_array();
	int64_t t_groups = 0, t_members = 0, t_active = 0, t_turns = 0, t_minutes = 0, t_tasks = 0,
		t_done = 0, t_clues = 0;
	int rc;

	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT g.id, g.name, g.kind, g.unit_code,"
	    " (SELECT count(*) FROM volunteer_member m WHERE m.group_id = g.id AND m.active = 1),"
	    " (SELECT count(DISTINCT k.member_id) FROM volunteer_checkin k JOIN volunteer_member m"
	    " ON m.id = k.member_id WHERE m.group_id = g.id AND k.minutes IS NOT NULL AND k.in_at"
	    " >= ?2 AND k.in_at < ?3),"
	    " (SELECT count(*) FROM volunteer_checkin k JOIN volunteer_task t ON t.id = k.task_id"
	    " WHERE t.group_id = g.id AND k.minutes IS NOT NULL AND k.in_at >= ?2 AND k.in_at <"
	    " ?3),"
	    " (SELECT coalesce(sum(k.minutes), 0) FROM volunteer_checkin k JOIN volunteer_task t"
	    " ON t.id = k.task_id WHERE t.group_id = g.id AND k.in_at >= ?2 AND k.in_at < ?3),"
	    " (SELECT count(*) FROM volunteer_task t WHERE t.group_id = g.id AND t.state ="
	    " 'planned' AND t.starts_at >= ?2 AND t.starts_at < ?3),"
	    " (SELECT count(*) FROM volunteer_task t WHERE t.group_id = g.id AND t.state ="
	    " 'planned' AND t.starts_at >= ?2 AND t.starts_at < ?3 AND t.ends_at <= ?4 AND EXISTS"
	    " (SELECT 1 FROM volunteer_checkin k WHERE k.task_id = t.id AND k.out_at IS NOT"
	    " NULL)),"
	    " (SELECT count(*) FROM volunteer_task_clue x JOIN volunteer_task t ON t.id ="
	    " x.task_id WHERE t.group_id = g.id AND x.reported_at >= ?2 AND x.reported_at < ?3)"
	    " FROM volunteer_group g WHERE substr(g.unit_path, 1, length(?1)) = ?1"
	    " ORDER BY g.unit_code, g.name",
	    "tiii", scope_path, from_ms, to_ms, now_ms);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		int64_t v[7];
		for (int i = 0; i < 7; i++)
			v[i] = fq_stmt_int(st, 4 + i);
		t_groups++;
		t_members += v[0];
		t_turns += v[2];
		t_minutes += v[3];
		t_tasks += v[4];
		t_done += v[5];
		t_clues += v[6];
		json_array_append_new(
		    groups,
		    json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I}", "id",
			      fq_row_text(st, 0), "name", fq_row_text(st, 1), "kind",
			      fq_row_text(st, 2), "unit", fq_row_text(st, 3), "members",
			      (json_int_t)v[0], "active_members", (json_int_t)v[1], "turns",
			      (json_int_t)v[2], "minutes", (json_int_t)v[3], "hours",
			      (double)v[3] / 60.0, "tasks", (json_int_t)v[4], "tasks_done",
			      (json_int_t)v[5], "clues", (json_int_t)v[6]));
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE) {
		rc = months_json(c, scope_path, from_ms, to_ms, months, err);
	}
	/* A member of two groups counts once in the totals. */
	if (rc == FQ_DB_DONE &&
	    (rc = fq_dbc_count(c, err, &t_active,
			       "SELECT count(DISTINCT k.member_id) FROM volunteer_checkin k WHERE"
			       " substr(k.unit_path, 1, length(?1)) = ?1 AND k.in_at >= ?2 AND"
			       " k.in_at < ?3 AND k.minutes IS NOT NULL",
			       "tii", scope_path, from_ms, to_ms)) == 0)
		rc = FQ_DB_DONE;
	if (rc != FQ_DB_DONE) {
		json_decref(groups);
		json_decref(months);
		return rc;
	}
	*out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:o, s:o}", "groups_count",
			 (json_int_t)t_groups, "members", (json_int_t)t_members, "active_members",
			 (json_int_t)t_active, "turns", (json_int_t)t_turns, "minutes",
			 (json_int_t)t_minutes, "hours", (double)t_minutes / 60.0, "tasks",
			 (json_int_t)t_tasks, "tasks_done", (json_int_t)t_done, "clues",
			 (json_int_t)t_clues, "groups", groups, "months", months);
	return 0;
}
