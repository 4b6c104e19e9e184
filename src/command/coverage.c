#include "command/coverage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"

#include "core/banned.h"

#define GEO_PI	   3.14159265358979323846
#define DEG_TO_RAD (GEO_PI / 180.0)
/* Slack when dividing an extent into cells, so 2000 m / 250 m is 8 cells, not 9. */
#define CELL_COUNT_SLACK 1e-9
/* Rounding of coordinates in JSON: 1e-6 degrees is about 0.1 m. */
#define JSON_COORD_SCALE 1e6

/* The units that take part, gathered once. */
struct located_unit {
	struct fq_geo_point position;
	enum fq_response_unit_type type;
};

struct cell_vec {
	struct fq_coverage_cell *items;
	size_t count;
	size_t alloc;
};

void fq_coverage_init(struct fq_coverage *cov)
{
	*cov = (struct fq_coverage){0};
}

void fq_coverage_release(struct fq_coverage *cov)
{
	free(cov->cells);
	fq_coverage_init(cov);
}

static int ring_error(const char *field, struct fq_err *err)
{
	return fq_err_set(err, FQ_EINVAL, "invalid_polygon", field,
			  "多边形无效：至少需要 3 个不同的有效顶点且面积不为零");
}

/* Check one ring and return its area in *area_m2. */
static int check_ring(const struct fq_coverage_ring *ring, const char *field, double *area_m2,
		      struct fq_err *err)
{
	if (ring->count > FQ_COVERAGE_RING_POINTS_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "too_many", field, "多边形顶点过多（最多 %d 个）",
				  FQ_COVERAGE_RING_POINTS_MAX);
	if (!ring->points || fq_geo_polygon_area_centroid(ring->points, ring->count, area_m2, NULL))
		return ring_error(field, err);
	return 0;
}

/* Validate the polygon, cell size and counts; sets out->area_m2 and out->cell_m. */
static int check_input(const struct fq_coverage_input *in, struct fq_coverage *out,
		       struct fq_err *err)
{
	double area_m2;
	int rc;

	if ((rc = check_ring(&in->outer, "boundary", &out->area_m2, err)))
		return rc;
	if (in->hole_count > FQ_COVERAGE_HOLES_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "too_many", "holes", "洞过多（最多 %d 个）",
				  FQ_COVERAGE_HOLES_MAX);
	for (size_t h = 0; h < in->hole_count; h++) {
		char field[FQ_ERR_FIELD_MAX];

		snprintf(field, sizeof(field), "holes[%zu]", h);
		if ((rc = check_ring(&in->holes[h], field, &area_m2, err)))
			return rc;
		out->area_m2 -= area_m2;
	}
	if (out->area_m2 < 0)
		out->area_m2 = 0;
	out->cell_m = in->cell_m == 0 ? FQ_COVERAGE_CELL_M_DEFAULT : in->cell_m;
	if (!(out->cell_m >= FQ_COVERAGE_CELL_M_MIN && out->cell_m <= FQ_COVERAGE_CELL_M_MAX))
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "cell_m",
				  "字段 cell_m 应在 %g 到 %g 之间", FQ_COVERAGE_CELL_M_MIN,
				  FQ_COVERAGE_CELL_M_MAX);
	if (in->alert_count > FQ_COVERAGE_ALERTS_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "too_many", "alerts", "警情过多（最多 %d 条）",
				  FQ_COVERAGE_ALERTS_MAX);
	return fq__eta_check_units(in->units, in->unit_count, err);
}

/* Lay the raster over the outer ring's bounding box, centred on it. */
static int lay_raster(const struct fq_coverage_ring *outer, struct fq_coverage *out,
		      struct fq_err *err)
{
	double min_lat = outer->points[0].lat, max_lat = min_lat;
	double min_lon = outer->points[0].lon, max_lon = min_lon;
	double m_per_deg_lat = FQ_GEO_EARTH_RADIUS_M * DEG_TO_RAD;
	double rows, cols;

	for (size_t i = 1; i < outer->count; i++) {
		min_lat = fmin(min_lat, outer->points[i].lat);
		max_lat = fmax(max_lat, outer->points[i].lat);
		min_lon = fmin(min_lon, outer->points[i].lon);
		max_lon = fmax(max_lon, outer->points[i].lon);
	}
	out->cell_dlat = out->cell_m / m_per_deg_lat;
	out->cell_dlon = out->cell_m / (m_per_deg_lat * cos((min_lat + max_lat) / 2 * DEG_TO_RAD));
	rows = fmax(1.0, ceil((max_lat - min_lat) / out->cell_dlat - CELL_COUNT_SLACK));
	cols = fmax(1.0, ceil((max_lon - min_lon) / out->cell_dlon - CELL_COUNT_SLACK));
	if (!(rows * cols <= FQ_COVERAGE_GRID_CELLS_MAX))
		return fq_err_set(err, FQ_ETOOBIG, "too_many_cells", "cell_m",
				  "格子过多（%.0f 个，最多 %d 个），请加大 cell_m", rows * cols,
				  FQ_COVERAGE_GRID_CELLS_MAX);
	out->rows = (uint32_t)rows;
	out->cols = (uint32_t)cols;
	out->origin.lat = min_lat + ((max_lat - min_lat) - (rows - 1) * out->cell_dlat) / 2;
	out->origin.lon = min_lon + ((max_lon - min_lon) - (cols - 1) * out->cell_dlon) / 2;
	return 0;
}

/*
 * Longitudes where the parallel at lat crosses an edge of ring, appended to
 * xs. The crossing test and formula are those of fq_geo_polygon_contains,
 * so a cell is inside exactly when that function says so.
 */
static size_t ring_crossings(const struct fq_coverage_ring *ring, double lat, double *xs)
{
	size_t k = 0;

	for (size_t i = 0, j = ring->count - 1; i < ring->count; j = i++) {
		const struct fq_geo_point *a = &ring->points[i];
		const struct fq_geo_point *b = &ring->points[j];

		if ((a->lat > lat) != (b->lat > lat))
			xs[k++] = a->lon + (lat - a->lat) * (b->lon - a->lon) / (b->lat - a->lat);
	}
	return k;
}

static int compare_doubles(const void *pa, const void *pb)
{
	double a = *(const double *)pa;
	double b = *(const double *)pb;

	return (a > b) - (a < b);
}

static void cell_push(struct cell_vec *v, const struct fq_coverage_cell *c)
{
	if (v->count == v->alloc) {
		v->alloc = v->alloc ? 2 * v->alloc : 256;
		v->items = fq_xrealloc(v->items, v->alloc * sizeof(*v->items));
	}
	v->items[v->count++] = *c;
}

/*
 * The cells whose centre lies inside: per row, the sorted crossings of all
 * rings; a centre is inside when an odd number of crossings lie at or west
 * of it (the same parity as those east of it, every ring crossing a
 * parallel an even number of times).
 */
static void find_cells(const struct fq_coverage_input *in, struct fq_coverage *out)
{
	size_t vertices = in->outer.count;
	struct cell_vec v = {NULL, 0, 0};
	double *xs;

	for (size_t h = 0; h < in->hole_count; h++)
		vertices += in->holes[h].count;
	xs = fq_xmalloc(vertices * sizeof(*xs));
	for (uint32_t r = 0; r < out->rows; r++) {
		double lat = out->origin.lat + r * out->cell_dlat;
		size_t nx = ring_crossings(&in->outer, lat, xs);
		size_t west = 0;

		for (size_t h = 0; h < in->hole_count; h++)
			nx += ring_crossings(&in->holes[h], lat, xs + nx);
		if (nx == 0)
			continue;
		qsort(xs, nx, sizeof(*xs), compare_doubles);
		for (uint32_t c = 0; c < out->cols; c++) {
			struct fq_coverage_cell cell = {{lat, out->origin.lon + c * out->cell_dlon},
							r,
							c,
							INFINITY,
							0};

			while (west < nx && xs[west] <= cell.center.lon)
				west++;
			if (west == nx)
				break;
			if (west % 2 == 1)
				cell_push(&v, &cell);
		}
	}
	free(xs);
	out->cells = v.items;
	out->cell_count = v.count;
}

static double best_eta_s(const struct fq_eta_model *model, const struct located_unit *units,
			 size_t n, struct fq_geo_point to)
{
	double best = INFINITY;

	for (size_t i = 0; i < n; i++) {
		double eta_s = model->eta_s(model, units[i].position, to, units[i].type);

		if (eta_s < best)
			best = eta_s;
	}
	return best;
}

static void count_in(struct fq_coverage_share *s, int band)
{
	s->total++;
	for (size_t i = 0; i < FQ_ETA_BAND_COUNT; i++)
		if (band != 0 && band <= fq_eta_band_of_index(i))
			s->within[i]++;
}

static void finish_shares(struct fq_coverage_share *s)
{
	for (size_t i = 0; i < FQ_ETA_BAND_COUNT; i++)
		s->share[i] = s->total ? (double)s->within[i] / (double)s->total : 0.0;
}

static bool inside_area(const struct fq_coverage_input *in, struct fq_geo_point p)
{
	if (!fq_geo_valid(p) || !fq_geo_polygon_contains(in->outer.points, in->outer.count, p))
		return false;
	for (size_t h = 0; h < in->hole_count; h++)
		if (fq_geo_polygon_contains(in->holes[h].points, in->holes[h].count, p))
			return false;
	return true;
}

static size_t gather_units(const struct fq_coverage_input *in, struct located_unit *units,
			   struct fq_coverage *out)
{
	size_t n = 0;

	for (size_t i = 0; i < in->unit_count; i++) {
		const struct fq_eta_unit *u = &in->units[i];

		if (!fq_response_unit_status_dispatchable(u->status) || !fq__eta_unit_located(u))
			continue;
		units[n].position = u->position;
		units[n].type = u->type;
		n++;
		if (fq__eta_position_age_s(u, in->now_ms) > in->max_position_age_s)
			out->units_stale++;
	}
	out->units_used = n;
	return n;
}

/* Refuse work past FQ_COVERAGE_EVALUATIONS_MAX before doing it. */
static int check_work(const struct fq_coverage_input *in, const struct fq_coverage *out,
		      struct fq_err *err)
{
	double vertices = (double)in->outer.count;
	double work;

	for (size_t h = 0; h < in->hole_count; h++)
		vertices += (double)in->holes[h].count;
	work = ((double)out->cell_count + (double)in->alert_count) * (double)out->units_used +
	       (double)in->alert_count * vertices;
	if (work > FQ_COVERAGE_EVALUATIONS_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "too_much_work", "cell_m",
				  "计算量过大（%.0f 次，最多 %d 次），请加大 cell_m 或减少警情",
				  work, FQ_COVERAGE_EVALUATIONS_MAX);
	return 0;
}

int fq_coverage_compute(struct fq_coverage *out, const struct fq_eta_model *model,
			const struct fq_coverage_input *in, struct fq_err *err)
{
	struct located_unit *units = NULL;
	size_t n_units;
	int rc;

	fq_coverage_release(out);
	if ((rc = check_input(in, out, err)) || (rc = lay_raster(&in->outer, out, err)))
		goto out_clear;
	if (in->unit_count)
		units = fq_xmalloc(in->unit_count * sizeof(*units));
	n_units = gather_units(in, units, out);
	find_cells(in, out);
	if ((rc = check_work(in, out, err)))
		goto out_free_units;

	for (size_t i = 0; i < out->cell_count; i++) {
		struct fq_coverage_cell *c = &out->cells[i];

		c->eta_s = best_eta_s(model, units, n_units, c->center);
		c->band = fq_eta_band(c->eta_s);
		count_in(&out->area, c->band);
	}
	for (size_t i = 0; i < in->alert_count; i++) {
		if (!inside_area(in, in->alerts[i])) {
			out->alerts_outside++;
			continue;
		}
		count_in(&out->alerts,
			 fq_eta_band(best_eta_s(model, units, n_units, in->alerts[i])));
	}
	finish_shares(&out->area);
	finish_shares(&out->alerts);
	free(units);
	return 0;

out_free_units:
	free(units);
out_clear:
	fq_coverage_release(out);
	return rc;
}

static json_t *coord_json(double degrees)
{
	return json_real(round(degrees * JSON_COORD_SCALE) / JSON_COORD_SCALE);
}

static json_t *share_json(const struct fq_coverage_share *s)
{
	json_t *within = json_array();
	json_t *share = json_array();

	for (size_t i = 0; i < FQ_ETA_BAND_COUNT; i++) {
		json_array_append_new(within, json_integer((json_int_t)s->within[i]));
		json_array_append_new(share, json_real(s->share[i]));
	}
	return json_pack("{s:I, s:o, s:o}", "total", (json_int_t)s->total, "within", within,
			 "share", share);
}

static json_t *bands_json(void)
{
	json_t *bands = json_array();

	for (size_t i = 0; i < FQ_ETA_BAND_COUNT; i++) {
		int band = fq_eta_band_of_index(i);

		json_array_append_new(bands, json_pack("{s:i, s:i, s:s}", "band", band, "max_eta_s",
						       fq_eta_band_max_s(i), "label",
						       fq_eta_band_label(band)));
	}
	return bands;
}

json_t *fq_coverage_json(const struct fq_coverage *cov)
{
	json_t *cells = json_array();
	json_t *alerts = share_json(&cov->alerts);

	for (size_t i = 0; i < cov->cell_count; i++) {
		const struct fq_coverage_cell *c = &cov->cells[i];

		json_array_append_new(cells, json_pack("[o, o, o]", coord_json(c->center.lat),
						       coord_json(c->center.lon),
						       fq__eta_seconds_json(c->eta_s)));
	}
	json_object_set_new(alerts, "outside", json_integer((json_int_t)cov->alerts_outside));
	return json_pack("{s:f, s:I, s:I, s:[o, o], s:f, s:f, s:f, s:o, s:o, s:o, s:o, s:{s:I, s:I}}",
			 "cell_m", cov->cell_m, "rows", (json_int_t)cov->rows, "cols",
			 (json_int_t)cov->cols, "origin", coord_json(cov->origin.lat),
			 coord_json(cov->origin.lon), "cell_dlat", cov->cell_dlat, "cell_dlon",
			 cov->cell_dlon, "area_m2", cov->area_m2, "cells", cells, "bands",
			 bands_json(), "area", share_json(&cov->area), "alerts", alerts, "units",
			 "used", (json_int_t)cov->units_used, "stale",
			 (json_int_t)cov->units_stale);
}
