#include "org/units.h"

#include <math.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char *const kinds[] = {"city", "branch", "station", "post", "grid", NULL};

static int kind_rank(const char *kind)
{
	for (int i = 0; kinds[i]; i++)
		if (strcmp(kinds[i], kind) == 0)
			return i;
	return -1;
}

int fq_unit_code_valid(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	if (n < 2 || n >= FQ_UNIT_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = code[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= 'a' && ch <= 'z') || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static int check_boundary(const char *geojson, struct fq_err *err)
{
	json_error_t je;
	json_t *g = json_loads(geojson, JSON_REJECT_DUPLICATES, &je);
	const char *type;
	int ok;

	if (!g)
		return fq_err_set(err, FQ_EINVAL, "invalid_geojson", "boundary",
				  "边界不是有效的 GeoJSON");
	type = json_string_value(json_object_get(g, "type"));
	ok = type && (strcmp(type, "Polygon") == 0 || strcmp(type, "MultiPolygon") == 0) &&
	     json_is_array(json_object_get(g, "coordinates"));
	json_decref(g);
	if (!ok)
		return fq_err_set(err, FQ_EINVAL, "invalid_geojson", "boundary",
				  "边界必须是 GeoJSON Polygon 或 MultiPolygon");
	return 0;
}

int fq_unit_create(struct fq_dbc *c, const struct fq_unit_new *u, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX];
	int rank = u->kind ? kind_rank(u->kind) : -1;
	int64_t now = fq_now_ms();
	int rc;

	if (!fq_unit_code_valid(u->code))
		return fq_err_set(err, FQ_EINVAL, "invalid_code", "code",
				  "单位代码应为 2–31 位字母、数字、下划线或连字符");
	if (!u->name || !u->name[strspn(u->name, " \t\r\n")] ||
	    fq_utf8_chars(u->name) > FQ_UNIT_NAME_MAX)
		return fq_err_set(err, FQ_EINVAL, "invalid_name", "name",
				  "单位名称不能为空且不超过 %d 个字符", FQ_UNIT_NAME_MAX);
	if (rank < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_kind", "kind",
				  "单位类型应为 city/branch/station/post/grid 之一");
	if (u->has_centroid && !(u->lat >= -90 && u->lat <= 90 && u->lon >= -180 && u->lon <= 180))
		return fq_err_set(err, FQ_EINVAL, "invalid_coordinates", "centroid",
				  "中心点坐标超出范围");
	if (u->boundary_geojson && (rc = check_boundary(u->boundary_geojson, err)))
		return rc;
	if (rank == 0) {
		if (u->parent)
			return fq_err_set(err, FQ_EINVAL, "invalid_parent", "parent",
					  "市级单位不能有上级单位");
		rc = snprintf(path, sizeof(path), "/%s/", u->code);
	} else {
		struct fq_stmt *st;
		const char *pkind;
		if (!u->parent)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "parent",
					  "缺少上级单位");
		rc = fq_dbc_query(c, err, &st, "SELECT path, kind FROM unit WHERE code = ?", "t",
				  u->parent);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		if (rc != FQ_DB_ROW) {
			fq_stmt_done(st);
			return rc < 0 ? rc
				      : fq_err_set(err, FQ_EINVAL, "unknown_parent", "parent",
						   "上级单位不存在：%s", u->parent);
		}
		pkind = fq_stmt_text(st, 1);
		if (kind_rank(pkind) >= rank ||
		    (rank == 4 && kind_rank(pkind) < 2) /* grids sit under stations/posts */) {
			rc = fq_err_set(err, FQ_EINVAL, "invalid_parent", "parent",
					"%s 类单位不能隶属于 %s 类单位", u->kind, pkind);
			fq_stmt_done(st);
			return rc;
		}
		rc = snprintf(path, sizeof(path), "%s%s/", fq_stmt_text(st, 0), u->code);
		fq_stmt_done(st);
	}
	if (rc < 0 || (size_t)rc >= sizeof(path))
		return fq_err_set(err, FQ_EINVAL, "too_deep", "parent", "单位层级过深");
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO unit (code, name, kind, parent, path, centroid_lat, "
			  "centroid_lon, boundary, created_at, updated_at) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  "ttttt"
			  "DDt"
			  "ii",
			  u->code, u->name, u->kind, u->parent, path,
			  u->has_centroid ? u->lat : NAN, u->has_centroid ? u->lon : NAN,
			  u->boundary_geojson, now, now);
}

int fq_unit_path(struct fq_dbc *c, const char *code, char out[FQ_UNIT_PATH_MAX], struct fq_err *err)
{
	int rc = fq_dbc_lookup_text(c, "SELECT path FROM unit WHERE code = ?", code, out,
				    FQ_UNIT_PATH_MAX, "单位不存在", err);
	if (rc == FQ_ENOTFOUND)
		fq_err_set(err, FQ_ENOTFOUND, "unit_not_found", "code", "单位不存在");
	return rc;
}

#define UNIT_COLS "code, name, kind, parent, path, centroid_lat, centroid_lon, boundary"

static json_t *row_json(struct fq_stmt *st, int with_boundary)
{
	json_t *j = json_object();
	const char *parent = fq_stmt_text(st, 3);
	const char *boundary = fq_stmt_text(st, 7);

	json_object_set_new(j, "code", json_string(fq_stmt_text(st, 0)));
	json_object_set_new(j, "name", json_string(fq_stmt_text(st, 1)));
	json_object_set_new(j, "kind", json_string(fq_stmt_text(st, 2)));
	json_object_set_new(j, "parent", parent ? json_string(parent) : json_null());
	json_object_set_new(j, "path", json_string(fq_stmt_text(st, 4)));
	if (fq_stmt_is_null(st, 5)) {
		json_object_set_new(j, "centroid", json_null());
	} else {
		json_t *cj = json_object();
		json_object_set_new(cj, "lat", json_real(fq_stmt_double(st, 5)));
		json_object_set_new(cj, "lon", json_real(fq_stmt_double(st, 6)));
		json_object_set_new(j, "centroid", cj);
	}
	if (with_boundary) {
		json_t *b = boundary ? json_loads(boundary, 0, NULL) : NULL;
		json_object_set_new(j, "boundary", b ? b : json_null());
	}
	return j;
}

int fq_unit_json(struct fq_dbc *c, const char *code, int children, int with_boundary, json_t **out,
		 struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *j, *kids;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st, "SELECT " UNIT_COLS " FROM unit WHERE code = ?", "t", code);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc != FQ_DB_ROW) {
		fq_stmt_done(st);
		return rc < 0 ? rc : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "单位不存在");
	}
	j = row_json(st, with_boundary);
	fq_stmt_done(st);
	if (children) {
		rc = fq_dbc_query(c, err, &st,
				  "SELECT " UNIT_COLS " FROM unit WHERE parent = ? ORDER BY code",
				  "t", code);
		if (rc) {
			json_decref(j);
			return rc;
		}
		kids = json_array();
		while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
			json_array_append_new(kids, row_json(st, with_boundary));
		fq_stmt_done(st);
		json_object_set_new(j, "children", kids);
		if (rc < 0) {
			json_decref(j);
			return rc;
		}
	}
	*out = j;
	return 0;
}

int fq_unit_list(struct fq_dbc *c, const char *scope_path, const char *parent, const char *kind,
		 int with_boundary, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items;
	int rc;

	*out = NULL;
	if (kind && kind_rank(kind) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_kind", "kind", "未知的单位类型：%s",
				  kind);
	rc = fq_dbc_query(c, err, &st,
			  "SELECT " UNIT_COLS " FROM unit"
			  " WHERE substr(path, 1, length(?)) = ?"
			  " AND (? IS NULL OR parent = ?) AND (? IS NULL OR kind = ?)"
			  " ORDER BY path",
			  "tttttt", scope_path, scope_path, parent, parent, kind, kind);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, row_json(st, with_boundary));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items));
	return 0;
}
