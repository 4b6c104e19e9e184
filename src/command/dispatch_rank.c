/*
 * Ranking and coverage from the store: a station's units and alerts handed
 * to command/eta.h and command/coverage.h (command/dispatch.h).
 */
#include "command/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/coverage.h"
#include "core/alloc.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* ---- ranking and coverage ---- */

void fq_dispatch_units_init(struct fq_dispatch_units *u)
{
	memset(u, 0, sizeof(*u));
}

void fq_dispatch_units_release(struct fq_dispatch_units *u)
{
	free(u->items);
	free(u->ids);
	free(u->call_signs);
	fq_dispatch_units_init(u);
}

int fq_dispatch_units_load(struct fq_dbc *c, const char *station, struct fq_dispatch_units *out,
			   struct fq_err *err)
{
	struct fq_stmt *st;
	size_t cap = 0;
	int rc;

	fq_dispatch_units_release(out);
	rc = fq_dbc_query(c, err, &st,
			  "SELECT id, type, status, last_lat, last_lon, last_at, call_sign"
			  " FROM response_unit WHERE unit_code = ? ORDER BY id",
			  "t", station);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		int type = fq_response_unit_type_from_code(fq_stmt_text(st, 1));
		int status = fq_response_unit_status_from_code(fq_stmt_text(st, 2));
		struct fq_eta_unit *u;

		if (type < 0 || status < 0) {
			rc = fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "处警力量数据有误");
			break;
		}
		if (out->count == FQ_ETA_UNITS_MAX) {
			rc = fq_err_set(err, FQ_ETOOBIG, "too_many_units", "units",
					"本所处警力量超过 %d 个", FQ_ETA_UNITS_MAX);
			break;
		}
		if (out->count == cap) {
			cap = cap ? cap * 2 : 32;
			out->items = fq_xrealloc(out->items, cap * sizeof(*out->items));
			out->ids = fq_xrealloc(out->ids, cap * sizeof(*out->ids));
			out->call_signs =
			    fq_xrealloc(out->call_signs, cap * sizeof(*out->call_signs));
		}
		snprintf(out->ids[out->count], sizeof(out->ids[0]), "%s", fq_stmt_text(st, 0));
		snprintf(out->call_signs[out->count], sizeof(out->call_signs[0]), "%s",
			 fq_stmt_text(st, 6));
		u = &out->items[out->count];
		memset(u, 0, sizeof(*u));
		u->type = type;
		u->status = status;
		u->has_position = !fq_stmt_is_null(st, 3) && !fq_stmt_is_null(st, 5);
		u->position.lat = fq_stmt_double(st, 3);
		u->position.lon = fq_stmt_double(st, 4);
		u->position_at_ms = fq_stmt_int(st, 5);
		out->count++;
	}
	fq_stmt_done(st);
	/* ids move with realloc: point at them once the array is final. */
	for (size_t i = 0; i < out->count; i++)
		out->items[i].id = out->ids[i];
	if (rc < 0) {
		fq_dispatch_units_release(out);
		return rc;
	}
	return 0;
}

void fq_dispatch_candidates_init(struct fq_dispatch_candidates *cand)
{
	memset(cand, 0, sizeof(*cand));
	fq_dispatch_units_init(&cand->units);
	fq_eta_ranking_init(&cand->ranking);
}

void fq_dispatch_candidates_release(struct fq_dispatch_candidates *cand)
{
	fq_eta_ranking_release(&cand->ranking);
	fq_dispatch_units_release(&cand->units);
	fq_dispatch_candidates_init(cand);
}

int fq_dispatch_rank(struct fq_dbc *c, const char *incident_id, int64_t now_ms,
		     const struct fq_dispatch_config *cfg, struct fq_dispatch_candidates *out,
		     struct fq_err *err)
{
	char station[FQ_UNIT_CODE_MAX];
	struct fq_dispatch_config copy;
	struct fq_eta_great_circle gc;
	struct fq_stmt *st;
	int located = 0, rc;

	fq_dispatch_candidates_release(out);
	cfg = fq__dispatch_config(cfg, &copy);
	rc = fq_dbc_query(c, err, &st, "SELECT unit_code, lat, lon FROM incident WHERE id = ?", "t",
			  incident_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(station, sizeof(station), "%s", fq_stmt_text(st, 0));
		located = !fq_stmt_is_null(st, 1) && !fq_stmt_is_null(st, 2);
		out->incident.lat = fq_stmt_double(st, 1);
		out->incident.lon = fq_stmt_double(st, 2);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "警情事件不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (!located)
		return fq_err_set(err, FQ_EUNPROC, "no_location", "location",
				  "该警情没有坐标，无法估算到达时间；请补充位置后再排序");
	snprintf(out->incident_id, sizeof(out->incident_id), "%s", incident_id);
	if ((rc = fq_dispatch_units_load(c, station, &out->units, err)))
		goto fail;
	fq_eta_great_circle_init(&gc, &cfg->eta);
	rc = fq_eta_rank(&out->ranking, &gc.model, out->incident, out->units.items,
			 out->units.count, now_ms, cfg->eta.max_position_age_s, err);
	if (rc)
		goto fail;
	return 0;
fail:
	fq_dispatch_candidates_release(out);
	return rc;
}

static json_t *point_json(struct fq_geo_point p)
{
	return json_pack("{s:f, s:f}", "lat", p.lat, "lon", p.lon);
}

json_t *fq_dispatch_candidates_json(const struct fq_dispatch_candidates *cand)
{
	json_t *j = fq_eta_ranking_json(&cand->ranking);
	json_t *items = json_object_get(j, "items");

	for (size_t i = 0; i < cand->ranking.count; i++) {
		const struct fq_eta_candidate *rc = &cand->ranking.items[i];
		const struct fq_eta_unit *u = &cand->units.items[rc->unit_index];
		json_t *item = json_array_get(items, i);
		char at[FQ_RFC3339_MAX];

		fq_time_format_cst(u->position_at_ms, at);
		json_object_set_new(item, "call_sign",
				    json_string(cand->units.call_signs[rc->unit_index]));
		json_object_set_new(item, "position",
				    json_pack("{s:f, s:f, s:s}", "lat", u->position.lat, "lon",
					      u->position.lon, "at", at));
	}
	json_object_set_new(j, "incident_id", json_string(cand->incident_id));
	json_object_set_new(j, "location", point_json(cand->incident));
	json_object_set_new(
	    j, "warning",
	    cand->ranking.none_within_5min
		? json_string("5分钟内没有可到达现场的空闲警力（位置过时的力量不计）")
		: json_null());
	return j;
}

/* A boundary ready for fq_coverage_compute; everything owned here. */
struct boundary {
	struct fq_geo_point *points; /* all rings, one after the other */
	struct fq_coverage_ring *rings;
	size_t ring_count; /* outer ring first */
};

static void boundary_release(struct boundary *b)
{
	free(b->points);
	free(b->rings);
	memset(b, 0, sizeof(*b));
}

static int bad_boundary(struct fq_err *err)
{
	return fq_err_set(err, FQ_EUNPROC, "no_boundary", "unit",
			  "该派出所没有可用的辖区边界，无法计算覆盖");
}

/* The rings of a GeoJSON Polygon, or of the first polygon of a MultiPolygon. */
static int boundary_parse(const char *geojson, struct boundary *out, struct fq_err *err)
{
	json_t *g = json_loads(geojson, 0, NULL), *coords, *ring, *pt;
	const char *type;
	size_t total = 0, i, k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!g)
		return bad_boundary(err);
	type = json_string_value(json_object_get(g, "type"));
	coords = json_object_get(g, "coordinates");
	if (type && strcmp(type, "MultiPolygon") == 0)
		coords = json_array_get(coords, 0);
	else if (!type || strcmp(type, "Polygon") != 0)
		coords = NULL;
	if (!json_is_array(coords) || json_array_size(coords) == 0) {
		rc = bad_boundary(err);
		goto out;
	}
	if (json_array_size(coords) > FQ_COVERAGE_HOLES_MAX + 1) {
		rc = fq_err_set(err, FQ_ETOOBIG, "too_big", "holes", "辖区边界的内环超过 %d 个",
				FQ_COVERAGE_HOLES_MAX);
		goto out;
	}
	json_array_foreach(coords, i, ring)
	{
		if (!json_is_array(ring)) {
			rc = bad_boundary(err);
			goto out;
		}
		if (json_array_size(ring) > FQ_COVERAGE_RING_POINTS_MAX) {
			rc = fq_err_set(err, FQ_ETOOBIG, "too_big", "boundary",
					"辖区边界的一个环超过 %d 个顶点",
					FQ_COVERAGE_RING_POINTS_MAX);
			goto out;
		}
		total += json_array_size(ring);
	}
	out->ring_count = json_array_size(coords);
	out->rings = fq_xcalloc(out->ring_count, sizeof(*out->rings));
	out->points = fq_xcalloc(total ? total : 1, sizeof(*out->points));
	total = 0;
	json_array_foreach(coords, i, ring)
	{
		out->rings[i].points = out->points + total;
		out->rings[i].count = json_array_size(ring);
		json_array_foreach(ring, k, pt)
		{
			json_t *lon = json_array_get(pt, 0), *lat = json_array_get(pt, 1);
			if (!json_is_number(lon) || !json_is_number(lat)) {
				rc = bad_boundary(err);
				goto out;
			}
			out->points[total + k].lat = json_number_value(lat);
			out->points[total + k].lon = json_number_value(lon);
		}
		total += json_array_size(ring);
	}
out:
	json_decref(g);
	if (rc)
		boundary_release(out);
	return rc;
}

static int station_boundary(struct fq_dbc *c, const char *station, struct boundary *out,
			    struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT boundary FROM unit WHERE code = ? AND kind = 'station'", "t",
			      station);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		rc = fq_stmt_is_null(st, 0) ? bad_boundary(err)
					    : boundary_parse(fq_stmt_text(st, 0), out, err);
	else if (rc == FQ_DB_DONE)
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", "unit", "派出所不存在");
	fq_stmt_done(st);
	return rc;
}

/* The station's located alerts received in [from_ms, to_ms], at most limit + 1. */
static int station_alerts(struct fq_dbc *c, const char *station, int64_t from_ms, int64_t to_ms,
			  size_t limit, struct fq_geo_point **out, size_t *n, struct fq_err *err)
{
	struct fq_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT lat, lon FROM alert WHERE unit_code = ? AND received_at >= ?"
			  " AND received_at <= ? AND lat IS NOT NULL AND lon IS NOT NULL"
			  " ORDER BY received_at LIMIT ?",
			  "tiii", station, from_ms, to_ms, (int64_t)limit + 1);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*out = fq_xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[*n].lat = fq_stmt_double(st, 0);
		(*out)[*n].lon = fq_stmt_double(st, 1);
		(*n)++;
	}
	fq_stmt_done(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

int fq_dispatch_coverage(struct fq_dbc *c, const char *station, double cell_m, int64_t now_ms,
			 const struct fq_dispatch_config *cfg, json_t **out, struct fq_err *err)
{
	struct fq_dispatch_config copy;
	struct fq_eta_great_circle gc;
	struct fq_dispatch_units units;
	struct fq_coverage_input in;
	struct fq_coverage cov;
	struct boundary b;
	struct fq_geo_point *alerts = NULL;
	size_t alert_count = 0;
	char computed[FQ_RFC3339_MAX];
	int rc;

	*out = NULL;
	cfg = fq__dispatch_config(cfg, &copy);
	fq_dispatch_units_init(&units);
	fq_coverage_init(&cov);
	if ((rc = station_boundary(c, station, &b, err)))
		return rc;
	if ((rc = fq_dispatch_units_load(c, station, &units, err)))
		goto out_boundary;
	rc = station_alerts(c, station,
			    now_ms - (int64_t)FQ_COVERAGE_ALERT_WINDOW_DAYS * 86400 * 1000, now_ms,
			    FQ_COVERAGE_ALERTS_MAX, &alerts, &alert_count, err);
	if (rc)
		goto out_units;
	memset(&in, 0, sizeof(in));
	in.outer = b.rings[0];
	in.holes = b.ring_count > 1 ? b.rings + 1 : NULL;
	in.hole_count = b.ring_count - 1;
	in.cell_m = cell_m;
	in.units = units.items;
	in.unit_count = units.count;
	in.alerts = alerts;
	in.alert_count = alert_count;
	in.now_ms = now_ms;
	in.max_position_age_s = cfg->eta.max_position_age_s;
	fq_eta_great_circle_init(&gc, &cfg->eta);
	if ((rc = fq_coverage_compute(&cov, &gc.model, &in, err)))
		goto out_alerts;
	*out = fq_coverage_json(&cov);
	fq_time_format_cst(now_ms, computed);
	json_object_set_new(*out, "unit", json_string(station));
	json_object_set_new(*out, "alert_window_days", json_integer(FQ_COVERAGE_ALERT_WINDOW_DAYS));
	json_object_set_new(*out, "computed_at", json_string(computed));
	fq_coverage_release(&cov);
out_alerts:
	free(alerts);
out_units:
	fq_dispatch_units_release(&units);
out_boundary:
	boundary_release(&b);
	return rc;
}
