#include "community/inspection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "org/numbers.h"
#include "org/rights.h"
#include "core/banned.h"

struct item {
	const char *code, *label;
};

/* Every venue (the seeds: safety duty, fire equipment and rules, training). */
static const struct item common[] = {
    {"safety_duty", "安全责任制落实"},	    {"fire_equipment", "消防器材配备有效"},
    {"fire_exits", "疏散通道畅通"},	    {"electrical", "电气线路规范"},
    {"staff_training", "从业人员安全培训"}, {NULL, NULL},
};

static const struct item video[] = {{"video", "视频监控运行正常"}, {NULL, NULL}};

/* Type-specific items, after the common ones. */
static const struct {
	const char *type;
	struct item items[4];
} specific[] = {
    {"hotel", {{"video", "视频监控运行正常"}, {"guest_registration", "旅客实名登记"}}},
    {"small_hotel", {{"video", "视频监控运行正常"}, {"guest_registration", "旅客实名登记"}}},
    {"internet_cafe",
     {{"video", "视频监控运行正常"},
      {"user_registration", "上网实名登记"},
      {"minors", "未成年人禁入"}}},
    {"small_internet_cafe",
     {{"video", "视频监控运行正常"},
      {"user_registration", "上网实名登记"},
      {"minors", "未成年人禁入"}}},
    {"entertainment",
     {{"video", "视频监控运行正常"}, {"minors", "未成年人禁入"}, {"closing_time", "营业时间规范"}}},
    {"small_entertainment",
     {{"video", "视频监控运行正常"}, {"minors", "未成年人禁入"}, {"closing_time", "营业时间规范"}}},
    {"school",
     {{"video", "视频监控运行正常"}, {"gate_guard", "门卫值守"}, {"anti_ram", "防冲撞设施"}}},
    {"small_school",
     {{"video", "视频监控运行正常"}, {"gate_guard", "门卫值守"}, {"anti_ram", "防冲撞设施"}}},
    {"small_restaurant", {{"gas", "燃气使用安全"}}},
    {"small_workshop", {{"hazardous_goods", "危险物品管理"}}},
    {"small_clinic", {{"drugs", "药品管理"}}},
};

static const struct item *specific_of(const char *type)
{
	for (size_t i = 0; type && i < sizeof(specific) / sizeof(specific[0]); i++)
		if (strcmp(specific[i].type, type) == 0)
			return specific[i].items;
	return video;
}

json_t *fq_inspection_checklist(const char *org_type)
{
	json_t *out = json_array();
	const struct item *s = specific_of(org_type);

	for (int i = 0; common[i].code; i++)
		json_array_append_new(
		    out, json_pack("{s:s, s:s}", "code", common[i].code, "label", common[i].label));
	for (int i = 0; i < 4 && s[i].code; i++)
		json_array_append_new(
		    out, json_pack("{s:s, s:s}", "code", s[i].code, "label", s[i].label));
	return out;
}

static const char *label_of(const char *code)
{
	for (int i = 0; common[i].code; i++)
		if (strcmp(common[i].code, code) == 0)
			return common[i].label;
	for (size_t k = 0; k < sizeof(specific) / sizeof(specific[0]); k++)
		for (int i = 0; i < 4 && specific[k].items[i].code; i++)
			if (strcmp(specific[k].items[i].code, code) == 0)
				return specific[k].items[i].label;
	return code;
}

int fq_inspection_create(struct fq_dbc *c, json_t *body, const char *scope_path,
			 const char *inspector_id, int64_t now_ms, char id[37], int *hazards,
			 struct fq_err *err)
{
	static const char *const keys[] = {"organisation_id", "items", "inspected_at", "notes",
					   NULL};
	static const char *const item_keys[] = {"code", "ok", "note", "deadline_at", NULL};
	const char *org = NULL, *notes = NULL, *at_s = NULL;
	char path[FQ_UNIT_PATH_MAX], type[40], unit[FQ_UNIT_CODE_MAX], number[FQ_NUMBER_MAX];
	char field[FQ_ERR_FIELD_MAX];
	json_t *items, *list = NULL, *it;
	int64_t at = now_ms;
	struct fq_stmt *st;
	size_t n, i;
	int *seen = NULL, failed = 0, rc;

	*hazards = 0;
	if ((rc = fq_json_only_keys(body, keys, err)) ||
	    (rc = fq_json_get_str(body, "organisation_id", FQ_JSON_REQUIRED, 36, &org, err)) ||
	    (rc = fq_json_get_str(body, "notes", FQ_JSON_OPTIONAL, FQ_INSPECTION_TEXT_MAX, &notes,
				  err)) ||
	    (rc = fq_json_get_str(body, "inspected_at", FQ_JSON_OPTIONAL, 64, &at_s, err)))
		return rc;
	if (at_s && (rc = fq_time_parse(at_s, &at, "inspected_at", err)))
		return rc;
	if (at > now_ms + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "in_future", "inspected_at",
				  "检查时间不能晚于现在");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT unit_path, type, unit FROM organisation WHERE id = ?", "t", org);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 0));
		snprintf(type, sizeof(type), "%s", fq_stmt_text(st, 1));
		snprintf(unit, sizeof(unit), "%s", fq_stmt_text(st, 2));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_organisation", "organisation_id",
				  "单位场所不存在或不在您的辖区");
	if (rc)
		return rc;
	items = json_object_get(body, "items");
	if (!json_is_array(items) || json_array_size(items) == 0)
		return fq_err_set(err, FQ_EINVAL, items ? "invalid_type" : "missing_field", "items",
				  "items 应为检查项数组");
	list = fq_inspection_checklist(type);
	n = json_array_size(list);
	seen = calloc(n, sizeof(*seen));
	json_array_foreach(items, i, it)
	{
		const char *code = NULL, *note = NULL, *dl = NULL;
		int ok = 0, has_ok = 0;
		size_t k;
		snprintf(field, sizeof(field), "items[%zu]", i);
		if (!json_is_object(it)) {
			rc = fq_err_set(err, FQ_EINVAL, "invalid_type", field, "检查项应为对象");
			break;
		}
		if ((rc = fq_json_only_keys(it, item_keys, err)) ||
		    (rc = fq_json_get_str(it, "code", FQ_JSON_REQUIRED, 40, &code, err)) ||
		    (rc = fq_json_get_bool(it, "ok", FQ_JSON_REQUIRED, &ok, &has_ok, err)) ||
		    (rc = fq_json_get_str(it, "note", FQ_JSON_OPTIONAL, FQ_INSPECTION_TEXT_MAX,
					  &note, err)) ||
		    (rc = fq_json_get_str(it, "deadline_at", FQ_JSON_OPTIONAL, 64, &dl, err))) {
			char inner[FQ_ERR_FIELD_MAX];
			memcpy(inner, err->field, sizeof(inner));
			inner[sizeof(inner) - 1] = '\0';
			snprintf(err->field, sizeof(err->field), "%.24s.%.30s", field, inner);
			break;
		}
		for (k = 0; k < n; k++)
			if (strcmp(
				json_string_value(json_object_get(json_array_get(list, k), "code")),
				code) == 0)
				break;
		if (k == n || seen[k]++) {
			snprintf(field + strlen(field), sizeof(field) - strlen(field), ".code");
			rc = fq_err_set(err, FQ_EINVAL, k == n ? "unknown_item" : "duplicate_item",
					field, "%s：%s",
					k == n ? "该场所类型没有此检查项" : "检查项重复", code);
			break;
		}
		if (!ok) {
			int64_t deadline = 0;
			snprintf(field + strlen(field), sizeof(field) - strlen(field),
				 ".deadline_at");
			if (!dl) {
				rc = fq_err_set(err, FQ_EINVAL, "missing_field", field,
						"不合格项须填写整改期限");
				break;
			}
			if ((rc = fq_time_parse(dl, &deadline, field, err)))
				break;
			if (deadline <= now_ms) {
				rc = fq_err_set(err, FQ_EINVAL, "in_past", field,
						"整改期限应晚于现在");
				break;
			}
			if (!note || !*note) {
				snprintf(field, sizeof(field), "items[%zu].note", i);
				rc = fq_err_set(err, FQ_EINVAL, "missing_field", field,
						"不合格项须说明隐患情况");
				break;
			}
			failed++;
		}
	}
	for (size_t k = 0; !rc && k < n; k++)
		if (!seen[k])
			rc = fq_err_set(
			    err, FQ_EINVAL, "missing_item", "items", "缺少检查项：%s",
			    json_string_value(json_object_get(json_array_get(list, k), "label")));
	free(seen);
	json_decref(list);
	if (rc)
		return rc;
	if ((rc = fq_number_next(c, "JC", unit, at, number, err)))
		return rc;
	fq_uuid7_str(id);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO inspection (id, number, organisation_id, unit_path, inspector_id,"
	    " inspected_at, result, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "tttttitti", id, number, org, path, inspector_id, at,
	    failed ? "hazards_found" : "passed", notes && *notes ? notes : NULL, now_ms);
	json_array_foreach(items, i, it)
	{
		const char *code = json_string_value(json_object_get(it, "code"));
		const char *note = json_string_value(json_object_get(it, "note"));
		int ok = json_is_true(json_object_get(it, "ok"));
		if (rc)
			break;
		rc = fq_dbc_run(c, err, NULL,
				"INSERT INTO inspection_item (inspection_id, seq, code, ok, note)"
				" VALUES (?, ?, ?, ?, ?)",
				"titit", id, (int64_t)i, code, (int64_t)ok, note);
		if (!rc && !ok) {
			char hid[37];
			int64_t deadline = 0;
			struct fq_err ignore = FQ_ERR_INIT;
			if (fq_time_parse(json_string_value(json_object_get(it, "deadline_at")),
					  &deadline, "deadline_at", &ignore) != 0)
				deadline = 0; /* checked above: cannot happen */
			fq_uuid7_str(hid);
			rc = fq_dbc_run(c, err, NULL,
					"INSERT INTO hazard (id, inspection_id, organisation_id, "
					"unit_path, item_code,"
					" description, deadline_at, state, created_at)"
					" VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
					"ttttttii", hid, id, org, path, code, note, deadline,
					now_ms);
			if (!rc)
				(*hazards)++;
		}
	}
	return rc;
}

int fq_inspection_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			    struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM inspection WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "检查记录不存在", err);
}

int fq_hazard_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM hazard WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "隐患不存在", err);
}

#define HAZARD_COLS                                                                                \
	"z.id, z.inspection_id, z.organisation_id, o.name, o.unit, z.item_code, z.description,"    \
	" z.deadline_at, z.state, z.rectified_at, z.reinspection_note, z.reinspections,"           \
	" z.version, z.created_at"
#define HAZARD_FROM " FROM hazard z JOIN organisation o ON o.id = z.organisation_id"

static json_t *hazard_row(struct fq_stmt *st, int64_t now_ms)
{
	json_t *j = json_object();
	int open = strcmp(fq_stmt_text(st, 8), "open") == 0;

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "inspection_id", fq_row_text(st, 1));
	json_object_set_new(j, "organisation_id", fq_row_text(st, 2));
	json_object_set_new(j, "organisation_name", fq_row_text(st, 3));
	json_object_set_new(j, "unit", fq_row_text(st, 4));
	json_object_set_new(j, "item_code", fq_row_text(st, 5));
	json_object_set_new(j, "item_label", json_string(label_of(fq_stmt_text(st, 5))));
	json_object_set_new(j, "description", fq_row_text(st, 6));
	json_object_set_new(j, "deadline_at", fq_row_time(st, 7));
	json_object_set_new(j, "state", fq_row_text(st, 8));
	json_object_set_new(j, "overdue", json_boolean(open && fq_stmt_int(st, 7) < now_ms));
	json_object_set_new(j, "rectified_at", fq_row_time(st, 9));
	json_object_set_new(j, "reinspection_note", fq_row_text(st, 10));
	json_object_set_new(j, "reinspections", fq_row_int(st, 11));
	json_object_set_new(j, "version", fq_row_int(st, 12));
	json_object_set_new(j, "created_at", fq_row_time(st, 13));
	return j;
}

int fq_hazard_json(struct fq_dbc *c, const char *id, int64_t now_ms, json_t **out,
		   struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT " HAZARD_COLS HAZARD_FROM " WHERE z.id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = hazard_row(st, now_ms);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "隐患不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_inspection_json(struct fq_dbc *c, const char *id, int64_t now_ms, json_t **out,
		       struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *j = NULL, *items, *hazards;
	int rc;

	rc = fq_dbc_query(c, err, &st,
			  "SELECT i.id, i.number, i.organisation_id, o.name, o.type, o.unit,"
			  " i.inspector_id, u.display_name, i.inspected_at, i.result, i.notes"
			  " FROM inspection i JOIN organisation o ON o.id = i.organisation_id"
			  " JOIN app_user u ON u.id = i.inspector_id WHERE i.id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		j = json_object();
		json_object_set_new(j, "id", fq_row_text(st, 0));
		json_object_set_new(j, "number", fq_row_text(st, 1));
		json_object_set_new(j, "organisation_id", fq_row_text(st, 2));
		json_object_set_new(j, "organisation_name", fq_row_text(st, 3));
		json_object_set_new(j, "organisation_type", fq_row_text(st, 4));
		json_object_set_new(j, "unit", fq_row_text(st, 5));
		json_object_set_new(j, "inspector_id", fq_row_text(st, 6));
		json_object_set_new(j, "inspector_name", fq_row_text(st, 7));
		json_object_set_new(j, "inspected_at", fq_row_time(st, 8));
		json_object_set_new(j, "result", fq_row_text(st, 9));
		json_object_set_new(j, "notes", fq_row_text(st, 10));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "检查记录不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	items = json_array();
	rc = fq_dbc_query(c, err, &st,
			  "SELECT code, ok, note FROM inspection_item WHERE inspection_id = ?"
			  " ORDER BY seq",
			  "t", id);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		json_array_append_new(
		    items, json_pack("{s:s, s:s, s:b, s:o}", "code", fq_stmt_text(st, 0), "label",
				     label_of(fq_stmt_text(st, 0)), "ok", (int)fq_stmt_int(st, 1),
				     "note", fq_row_text(st, 2)));
		rc = 0;
	}
	if (rc == FQ_DB_DONE || rc == 0)
		fq_stmt_done(st);
	rc = rc == FQ_DB_DONE ? 0 : rc;
	json_object_set_new(j, "items", items);
	hazards = json_array();
	if (!rc)
		rc = fq_dbc_query(c, err, &st,
				  "SELECT " HAZARD_COLS HAZARD_FROM
				  " WHERE z.inspection_id = ? ORDER BY z.created_at, z.id",
				  "t", id);
	if (!rc) {
		while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
			json_array_append_new(hazards, hazard_row(st, now_ms));
		fq_stmt_done(st);
		rc = rc == FQ_DB_DONE ? 0 : rc;
	}
	json_object_set_new(j, "hazards", hazards);
	if (rc) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

int fq_inspection_list(struct fq_dbc *c, const char *scope_path, const char *organisation_id,
		       int64_t page, int64_t per_page, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT count(*) FROM inspection WHERE substr(unit_path, 1, length(?1)) = ?1"
	    " AND (?2 IS NULL OR organisation_id = ?2)",
	    "tt", scope_path, organisation_id);
	if (!rc) {
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			total = fq_stmt_int(st, 0);
			rc = 0;
		}
		fq_stmt_done(st);
	}
	if (!rc)
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT i.id, i.number, i.organisation_id, o.name, o.unit, i.inspected_at,"
		    " i.result, (SELECT count(*) FROM hazard z WHERE z.inspection_id = i.id"
		    " AND z.state = 'open') FROM inspection i JOIN organisation o ON o.id ="
		    " i.organisation_id WHERE substr(i.unit_path, 1, length(?1)) = ?1 AND"
		    " (?2 IS NULL OR i.organisation_id = ?2) ORDER BY i.inspected_at DESC"
		    " LIMIT ?3 OFFSET ?4",
		    "ttii", scope_path, organisation_id, per_page, (page - 1) * per_page);
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    items,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", fq_row_text(st, 0),
			      "number", fq_row_text(st, 1), "organisation_id", fq_row_text(st, 2),
			      "organisation_name", fq_row_text(st, 3), "unit", fq_row_text(st, 4),
			      "inspected_at", fq_row_time(st, 5), "result", fq_row_text(st, 6),
			      "open_hazards", fq_row_int(st, 7)));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

int fq_hazard_list(struct fq_dbc *c, const char *scope_path, const char *state, int overdue_only,
		   int64_t now_ms, int64_t page, int64_t per_page, json_t **out, struct fq_err *err)
{
	static const char where[] =
	    " WHERE substr(z.unit_path, 1, length(?1)) = ?1 AND (?2 IS NULL OR z.state = ?2)"
	    " AND (?3 = 0 OR (z.state = 'open' AND z.deadline_at < ?4))";
	char sql[1200];
	struct fq_stmt *st;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM hazard z%s", where);
	rc = fq_dbc_query(c, err, &st, sql, "ttii", scope_path, state, (int64_t)overdue_only,
			  now_ms);
	if (!rc) {
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			total = fq_stmt_int(st, 0);
			rc = 0;
		}
		fq_stmt_done(st);
	}
	if (!rc) {
		snprintf(sql, sizeof(sql),
			 "SELECT " HAZARD_COLS HAZARD_FROM
			 "%s ORDER BY z.state = 'rectified', z.deadline_at LIMIT ?5 OFFSET ?6",
			 where);
		rc = fq_dbc_query(c, err, &st, sql, "ttiiii", scope_path, state,
				  (int64_t)overdue_only, now_ms, per_page, (page - 1) * per_page);
	}
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, hazard_row(st, now_ms));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

int fq_hazard_reinspect(struct fq_dbc *c, const char *id, int64_t expected_version, int rectified,
			const char *note, int64_t new_deadline_at, const char *actor_id,
			int64_t now_ms, struct fq_err *err)
{
	struct fq_stmt *st;
	int64_t version = 0;
	int open = 0, rc;

	if (!note || !*note)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "note", "请填写复查情况");
	if (!rectified && new_deadline_at && new_deadline_at <= now_ms)
		return fq_err_set(err, FQ_EINVAL, "in_past", "deadline_at",
				  "新的整改期限应晚于现在");
	if (rectified && new_deadline_at)
		return fq_err_set(err, FQ_EINVAL, "unexpected_field", "deadline_at",
				  "已整改的隐患不需要新的期限");
	rc = fq_dbc_query(c, err, &st, "SELECT version, state = 'open' FROM hazard WHERE id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		version = fq_stmt_int(st, 0);
		open = (int)fq_stmt_int(st, 1);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "隐患不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (expected_version && expected_version != version)
		return fq_err_set(err, FQ_ECONFLICT, "version_mismatch", "version",
				  "记录已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)version);
	if (!open)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state", "该隐患已整改完毕");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE hazard SET state = CASE WHEN ? THEN 'rectified' ELSE 'open' END,"
			  " rectified_at = CASE WHEN ? THEN ? ELSE NULL END,"
			  " deadline_at = CASE WHEN ? > 0 THEN ? ELSE deadline_at END,"
			  " reinspected_by = ?, reinspection_note = ?, reinspections ="
			  " reinspections + 1, version = version + 1 WHERE id = ?",
			  "iiiiittt", (int64_t)rectified, (int64_t)rectified, now_ms,
			  new_deadline_at, new_deadline_at, actor_id, note, id);
}
