#include "community/visit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/field.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "org/numbers.h"
#include "org/rights.h"
#include "core/banned.h"

static const struct {
	const char *code, *label;
} purposes[] = {
    {"routine", "日常走访"},	  {"registration", "登记采集"},
    {"elderly_care", "关爱老人"}, {"dispute", "矛盾排查"},
    {"safety", "安全防范"},	  {"anti_fraud", "反诈宣传"},
    {"follow_up", "回访"},	  {"other", "其他"},
};
#define N_PURPOSES (sizeof(purposes) / sizeof(purposes[0]))

const char *fq_visit_purpose_code(int i)
{
	return i >= 0 && (size_t)i < N_PURPOSES ? purposes[i].code : NULL;
}

const char *fq_visit_purpose_label(const char *code)
{
	for (size_t i = 0; code && i < N_PURPOSES; i++)
		if (strcmp(purposes[i].code, code) == 0)
			return purposes[i].label;
	return NULL;
}

static const char *nullable(const char *s)
{
	return s && *s ? s : NULL;
}

int fq_visit_create(struct fq_dbc *c, const struct fq_visit_new *in, const char *scope_path,
		    char id[37], char clue_id[37], struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX], grid[FQ_UNIT_CODE_MAX];
	char number[FQ_NUMBER_MAX], *people;
	int64_t at = in->visited_at ? in->visited_at : in->now_ms;
	struct fq_stmt *st;
	size_t i;
	json_t *p;
	int rc;

	clue_id[0] = '\0';
	if (!fq_visit_purpose_label(in->purpose))
		return fq_err_set(err, FQ_EINVAL, in->purpose ? "invalid_value" : "missing_field",
				  "purpose",
				  "走访事由应为 routine、registration、elderly_care、dispute、"
				  "safety、anti_fraud、follow_up 或 other");
	if (at > in->now_ms + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "in_future", "visited_at",
				  "走访时间不能晚于现在");
	if (in->follow_up_at && in->follow_up_at <= at)
		return fq_err_set(err, FQ_EINVAL, "before_visit", "follow_up_at",
				  "回访时间应晚于走访时间");
	if (in->people_met) {
		if (!json_is_array(in->people_met) ||
		    json_array_size(in->people_met) > FQ_VISIT_PEOPLE_MAX)
			return fq_err_set(err, FQ_EINVAL, "invalid_type", "people_met",
					  "people_met 应为最多 %d 个姓名的数组",
					  FQ_VISIT_PEOPLE_MAX);
		json_array_foreach(in->people_met, i, p)
		{
			if (!json_is_string(p) || !*json_string_value(p) ||
			    strlen(json_string_value(p)) > 128)
				return fq_err_set(err, FQ_EINVAL, "invalid_value", "people_met",
						  "people_met 第 %zu 项应为非空姓名", i + 1);
		}
	}
	rc = fq_dbc_query(c, err, &st,
			  "SELECT unit_path, station, coalesce(grid, '') FROM house WHERE id = ?",
			  "t", in->house_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 0));
		snprintf(station, sizeof(station), "%s", fq_stmt_text(st, 1));
		snprintf(grid, sizeof(grid), "%s", fq_stmt_text(st, 2));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_house", "house_id",
				  "房屋不存在或不在您的辖区");
	if (rc)
		return rc;
	if (in->clue_text && *in->clue_text) {
		struct fq_clue_new k = {.unit_code = *grid ? grid : station,
					.source = "visit",
					.text = in->clue_text,
					.lat = in->lat,
					.lon = in->lon,
					.actor_id = in->officer_id,
					.now_ms = in->now_ms};
		if ((rc = fq_clue_create(c, &k, clue_id, err))) {
			if (err->field[0] && strcmp(err->field, "text") == 0)
				snprintf(err->field, sizeof(err->field), "clue");
			return rc;
		}
	}
	if ((rc = fq_number_next(c, "ZF", *grid ? grid : station, at, number, err)))
		return rc;
	people = json_dumps(in->people_met ? in->people_met : json_array(), JSON_COMPACT);
	fq_uuid7_str(id);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO household_visit (id, number, house_id, unit_path, grid, station,"
	    " visited_at, officer_id, lat, lon, people_met, purpose, learned, needs, risks,"
	    " dispute_found, clue_id, follow_up_at, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttitDDtttttitIi", id, number, in->house_id, path, *grid ? grid : NULL, station, at,
	    in->officer_id, in->lat, in->lon, people, in->purpose, nullable(in->learned),
	    nullable(in->needs), nullable(in->risks), (int64_t)(in->dispute_found != 0),
	    *clue_id ? clue_id : NULL, in->follow_up_at ? in->follow_up_at : INT64_MIN, in->now_ms);
	free(people);
	return rc;
}

int fq_visit_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM household_visit WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "走访记录不存在", err);
}

#define VISIT_COLS                                                                                 \
	"v.id, v.number, v.house_id, h.address, v.grid, v.visited_at, v.officer_id,"               \
	" u.display_name, v.lat, v.lon, v.people_met, v.purpose, v.learned, v.needs, v.risks,"     \
	" v.dispute_found, v.clue_id, v.follow_up_at, v.follow_up_done_at, v.follow_up_note,"      \
	" v.version"
#define VISIT_FROM                                                                                 \
	" FROM household_visit v JOIN house h ON h.id = v.house_id JOIN app_user u ON u.id ="      \
	" v.officer_id"

static json_t *visit_row(struct fq_stmt *st)
{
	json_t *j = json_object(), *people;

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "number", fq_row_text(st, 1));
	json_object_set_new(j, "house_id", fq_row_text(st, 2));
	json_object_set_new(j, "address", fq_row_text(st, 3));
	json_object_set_new(j, "unit", fq_row_text(st, 4));
	json_object_set_new(j, "visited_at", fq_row_time(st, 5));
	json_object_set_new(j, "officer_id", fq_row_text(st, 6));
	json_object_set_new(j, "officer_name", fq_row_text(st, 7));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 8)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 8), "lon",
					    fq_stmt_double(st, 9)));
	people = json_loads(fq_stmt_text(st, 10), 0, NULL);
	json_object_set_new(j, "people_met", people ? people : json_array());
	json_object_set_new(j, "purpose", fq_row_text(st, 11));
	json_object_set_new(j, "purpose_label",
			    json_string(fq_visit_purpose_label(fq_stmt_text(st, 11))));
	json_object_set_new(j, "learned", fq_row_text(st, 12));
	json_object_set_new(j, "needs", fq_row_text(st, 13));
	json_object_set_new(j, "risks", fq_row_text(st, 14));
	json_object_set_new(j, "dispute_found", fq_row_bool(st, 15));
	json_object_set_new(j, "clue_id", fq_row_text(st, 16));
	json_object_set_new(j, "follow_up_at", fq_row_time(st, 17));
	json_object_set_new(j, "follow_up_done_at", fq_row_time(st, 18));
	json_object_set_new(j, "follow_up_note", fq_row_text(st, 19));
	json_object_set_new(j, "version", fq_row_int(st, 20));
	return j;
}

int fq_visit_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT " VISIT_COLS VISIT_FROM " WHERE v.id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = visit_row(st);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "走访记录不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_visit_list(struct fq_dbc *c, const struct fq_visit_query *q, json_t **out,
		  struct fq_err *err)
{
	static const char where[] =
	    " WHERE substr(v.unit_path, 1, length(?1)) = ?1 AND (?2 IS NULL OR v.house_id = ?2)"
	    " AND (?3 IS NULL OR v.officer_id = ?3) AND (?4 = 0 OR (v.follow_up_at IS NOT NULL"
	    " AND v.follow_up_done_at IS NULL AND v.follow_up_at <= ?5))"
	    " AND (?6 = 0 OR v.visited_at >= ?6) AND (?7 = 0 OR v.visited_at < ?7)";
	char sql[1600];
	struct fq_stmt *st;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM household_visit v%s", where);
	rc = fq_dbc_query(c, err, &st, sql, "tttiiii", q->scope_path, q->house_id, q->officer_id,
			  (int64_t)q->follow_up_due, q->now_ms, q->from_ms, q->to_ms);
	if (!rc) {
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			total = fq_stmt_int(st, 0);
			rc = 0;
		}
		fq_stmt_done(st);
	}
	if (!rc) {
		snprintf(sql, sizeof(sql),
			 "SELECT " VISIT_COLS VISIT_FROM "%s ORDER BY v.visited_at DESC LIMIT ?8"
			 " OFFSET ?9",
			 where);
		rc = fq_dbc_query(c, err, &st, sql, "tttiiiiii", q->scope_path, q->house_id,
				  q->officer_id, (int64_t)q->follow_up_due, q->now_ms, q->from_ms,
				  q->to_ms, q->per_page, (q->page - 1) * q->per_page);
	}
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, visit_row(st));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

int fq_visit_follow_up_done(struct fq_dbc *c, const char *id, int64_t expected_version,
			    const char *note, int64_t now_ms, struct fq_err *err)
{
	struct fq_stmt *st;
	int64_t version = 0;
	int open = 0, rc;

	if (!note || !*note)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "note", "请填写回访情况");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT version, follow_up_at IS NOT NULL AND follow_up_done_at IS NULL"
			  " FROM household_visit WHERE id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		version = fq_stmt_int(st, 0);
		open = (int)fq_stmt_int(st, 1);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "走访记录不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (expected_version && expected_version != version)
		return fq_err_set(err, FQ_ECONFLICT, "version_mismatch", "version",
				  "记录已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)version);
	if (!open)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state",
				  "这次走访没有待办的回访");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE household_visit SET follow_up_done_at = ?, follow_up_note = ?,"
			  " version = version + 1 WHERE id = ?",
			  "itt", now_ms, note, id);
}

int fq_visit_coverage_json(struct fq_dbc *c, const char *scope_path, int days, int64_t now_ms,
			   json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *grids = json_array();
	int64_t houses = 0, visited = 0;
	int rc;

	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT g.code, g.name, count(h.id),"
	    " count(CASE WHEN EXISTS (SELECT 1 FROM household_visit v WHERE v.house_id = h.id"
	    " AND v.visited_at >= ?3 AND v.visited_at <= ?4) THEN 1 END)"
	    " FROM unit g LEFT JOIN house h ON h.grid = g.code"
	    " WHERE g.kind = 'grid' AND substr(g.path, 1, length(?1)) = ?1 GROUP BY g.code, g.name"
	    " ORDER BY g.code LIMIT ?2",
	    "tiii", scope_path, (int64_t)10000, now_ms - (int64_t)days * 86400000, now_ms);
	if (rc) {
		json_decref(grids);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		int64_t n = fq_stmt_int(st, 2), k = fq_stmt_int(st, 3);
		houses += n;
		visited += k;
		json_array_append_new(
		    grids, json_pack("{s:s, s:s, s:I, s:I, s:o}", "unit", fq_stmt_text(st, 0),
				     "name", fq_stmt_text(st, 1), "houses", (json_int_t)n,
				     "visited", (json_int_t)k, "share",
				     n ? json_real((double)k / (double)n) : json_null()));
	}
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(grids);
		return rc;
	}
	*out = json_pack("{s:i, s:I, s:I, s:o, s:o}", "days", days, "houses", (json_int_t)houses,
			 "visited", (json_int_t)visited, "share",
			 houses ? json_real((double)visited / (double)houses) : json_null(),
			 "grids", grids);
	return 0;
}
