/*
 * What people.c, house.c and org.c share: where a record goes (unit,
 * station, grid), normalised text, sorting, address masking.
 */
#include "community/registry.h"

#include <stdlib.h>
#include <string.h>

#include "community/mask.h"
#include "community/placement.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "org/rights.h"
#include "core/banned.h"

int fq__registry_unit(struct fq_dbc *c, const char *unit, const struct fq_actor *a,
		      const char *field, char code[FQ_UNIT_CODE_MAX], char path[FQ_UNIT_PATH_MAX],
		      char station[FQ_UNIT_CODE_MAX], struct fq_err *err)
{
	const char *want = unit && *unit ? unit : a->unit_code;
	struct fq_stmt *st;
	int rc;

	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT u.path, COALESCE((SELECT s.code FROM unit s WHERE s.kind = 'station'"
	    " AND substr(u.path, 1, length(s.path)) = s.path), '')"
	    " FROM unit u WHERE u.code = ?",
	    "t", want);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW && fq_scope_covers(a->scope_path, fq_stmt_text(st, 0))) {
		snprintf(code, FQ_UNIT_CODE_MAX, "%s", want);
		snprintf(path, FQ_UNIT_PATH_MAX, "%s", fq_stmt_text(st, 0));
		snprintf(station, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 1));
		rc = 0;
	} else if (rc >= 0) {
		rc = fq_err_set(err, FQ_EINVAL, "unknown_unit", field,
				"单位 %s 不存在或不在您的辖区内", want);
	}
	fq_stmt_done(st);
	if (!rc && !station[0])
		rc = fq_err_set(err, FQ_EINVAL, "unit_above_station", field,
				"请指定派出所、警务室或网格（%s 在派出所之上）", want);
	return rc;
}

int fq__registry_place(struct fq_dbc *c, int has_location, double lat, double lon, const char *unit,
		       const struct fq_actor *a, char code[FQ_UNIT_CODE_MAX],
		       char path[FQ_UNIT_PATH_MAX], char station[FQ_UNIT_CODE_MAX],
		       char grid[FQ_UNIT_CODE_MAX], struct fq_err *err)
{
	struct fq_place p;
	int rc;

	grid[0] = '\0';
	if (has_location) {
		rc = fq_place_point(c, lat, lon, &p, err);
		if (rc == 0 && p.station[0]) {
			if (!fq_scope_covers(a->scope_path, p.grid_path))
				return fq_err_set(err, FQ_EINVAL, "out_of_scope", "location",
						  "该位置属于网格 %s，不在您的辖区内", p.grid);
			snprintf(code, FQ_UNIT_CODE_MAX, "%s", p.grid);
			snprintf(path, FQ_UNIT_PATH_MAX, "%s", p.grid_path);
			snprintf(station, FQ_UNIT_CODE_MAX, "%s", p.station);
			snprintf(grid, FQ_UNIT_CODE_MAX, "%s", p.grid);
			return 0;
		}
		if (rc && rc != FQ_ENOTFOUND)
			return rc;
		fq_err_clear(err);
	}
	rc = fq__registry_unit(c, unit, a, "unit", code, path, station, err);
	if (!rc) {
		/* A record given a grid directly belongs to it. */
		struct fq_stmt *st;
		if (fq_dbc_query(c, NULL, &st, "SELECT kind FROM unit WHERE code = ?", "t", code) ==
		    0) {
			if (fq_stmt_step(st, NULL) == FQ_DB_ROW &&
			    strcmp(fq_stmt_text(st, 0), "grid") == 0)
				snprintf(grid, FQ_UNIT_CODE_MAX, "%s", code);
			fq_stmt_done(st);
		}
	}
	return rc;
}

int fq__registry_norm(const char *text, const char *field, char **out, struct fq_err *err)
{
	struct fq_buf b;
	int rc;

	*out = NULL;
	fq_buf_init(&b, 64 * 1024);
	rc = fq_text_normalize(text ? text : "", text ? strlen(text) : 0, &b, err);
	if (rc) {
		fq_buf_release(&b);
		return fq_err_set(err, FQ_EINVAL, "invalid_text", field, "字段 %s 不是有效文本",
				  field);
	}
	*out = fq_buf_detach(&b, NULL);
	return 0;
}

int fq__registry_address_key(const char *text, const char *field, char **out, struct fq_err *err)
{
	char *w;
	int rc = fq__registry_norm(text, field, out, err);

	if (rc)
		return rc;
	w = *out;
	for (const char *r = *out; *r; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
	return 0;
}

int fq__registry_sort(const char *sort, const char *const *allowed, const char *const *columns,
		      const char *dflt, const char **order_by, struct fq_err *err)
{
	if (!sort || !*sort) {
		*order_by = dflt;
		return 0;
	}
	for (int i = 0; allowed[i]; i++)
		if (strcmp(sort, allowed[i]) == 0) {
			*order_by = columns[i];
			return 0;
		}
	return fq_err_set(err, FQ_EINVAL, "invalid_query", "sort", "不支持的排序方式：%s", sort);
}

json_t *fq__registry_address(const char *address, const struct fq_registry_view *v)
{
	struct fq_buf b;
	json_t *out;

	if (!address)
		return json_null();
	if (v->full_address)
		return json_string(address);
	fq_buf_init(&b, strlen(address) + 8);
	if (fq_mask_address(address, &b))
		fq_buf_reset(&b);
	out = json_string(b.buf);
	fq_buf_release(&b);
	return out;
}

json_t *fq__json_time(int64_t ms)
{
	char t[FQ_RFC3339_MAX];
	fq_time_format_cst(ms, t);
	return json_string(t);
}

int fq__list_emit(const struct fq_list_sink *sink, json_t *items, json_t *item)
{
	int rc;

	if (!sink)
		return json_array_append_new(items, item) == 0 ? 0 : FQ_EINTERNAL;
	rc = sink->each(item, sink->arg);
	json_decref(item);
	return rc;
}
