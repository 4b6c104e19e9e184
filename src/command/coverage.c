#include "command/coverage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#include "core/banned.h"

#define GEO_PI	   3.14159265358979323846
#define DEG_TO_RAD (GEO_PI / 180.0)
/* Slack when dividing an extent into cells, so 2000 m / 250 m is 8 cells, not 9. */
#define CELL_COUNT_SLACK 1e-9
/* Rounding of coordinates in JSON: 1e-6 degrees is about 0.1 m. */
#define JSON_COORD_SCALE 1e6

/* The units that take part, gathered once. */
struct unit_set {
	struct fq_geo_point *positions;
	enum fq_response_unit_type *types;
	size_t count;
};

/* One edge of a ring, in the order fq_geo_polygon_contains takes it. */
struct edge {
	struct fq_geo_point a;
	struct fq_geo_point b;
};

/*
 * The edges of all rings sorted into bands of latitude (one per raster
 * row), each edge listed in every band its latitude range touches: a
 * parallel only meets the edges of its band. Edges of band k are
 * edges[start[k] .. start[k + 1] - 1].
 */
struct edge_bands {
	double south_lat; /* southern limit of band 0 */
	double band_dlat;
	size_t bands;
	size_t *start;
	struct edge *edges;
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
		return fq_err_set(err, FQ_ETOOBIG, "too_many", field,
				  "多边形顶点过多（最多 %d 个）", FQ_COVERAGE_RING_POINTS_MAX);
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

/* The band of lat, clamped into the bands (monotonic in lat). */
static size_t band_of(const struct edge_bands *eb, double lat)
{
	double k = floor((lat - eb->south_lat) / eb->band_dlat);

	if (!(k > 0))
		return 0;
	if (k >= (double)eb->bands)
		return eb->bands - 1;
	return (size_t)k;
}

/*
 * List the edges of ring in the bands they touch: with fill NULL count them
 * into start[k + 1], else store them at fill[k] and advance it.
 */
static void band_ring_edges(struct edge_bands *eb, const struct fq_coverage_ring *ring,
			    size_t *fill)
{
	for (size_t i = 0, j = ring->count - 1; i < ring->count; j = i++) {
		const struct fq_geo_point *a = &ring->points[i];
		const struct fq_geo_point *b = &ring->points[j];
		size_t hi = band_of(eb, fmax(a->lat, b->lat));

		for (size_t k = band_of(eb, fmin(a->lat, b->lat)); k <= hi; k++) {
			if (fill)
				eb->edges[fill[k]++] = (struct edge){*a, *b};
			else
				eb->start[k + 1]++;
		}
	}
}

/* How many band entries the edges of ring need. */
static size_t ring_band_entries(const struct edge_bands *eb, const struct fq_coverage_ring *ring)
{
	size_t entries = 0;

	for (size_t i = 0, j = ring->count - 1; i < ring->count; j = i++) {
		double lat_a = ring->points[i].lat;
		double lat_b = ring->points[j].lat;

		entries += band_of(eb, fmax(lat_a, lat_b)) - band_of(eb, fmin(lat_a, lat_b)) + 1;
	}
	return entries;
}

/*
 * Band the edges of all rings over the raster's rows. FQ_ETOOBIG when the
 * rings cross the rows so often that the index would pass
 * FQ_COVERAGE_BAND_ENTRIES_MAX; eb needs no release then.
 */
static int edge_bands_build(struct edge_bands *eb, const struct fq_coverage_input *in,
			    const struct fq_coverage *raster, struct fq_err *err)
{
	size_t entries;
	size_t *fill;

	eb->south_lat = raster->origin.lat - raster->cell_dlat / 2;
	eb->band_dlat = raster->cell_dlat;
	eb->bands = raster->rows;
	entries = ring_band_entries(eb, &in->outer);
	for (size_t h = 0; h < in->hole_count; h++)
		entries += ring_band_entries(eb, &in->holes[h]);
	if (entries > FQ_COVERAGE_BAND_ENTRIES_MAX)
		return fq_err_set(
		    err, FQ_ETOOBIG, "too_complex", "boundary",
		    "辖区边界过于复杂（%zu 个边段，最多 %d 个），请加大 cell_m 或简化边界", entries,
		    FQ_COVERAGE_BAND_ENTRIES_MAX);
	eb->start = fq_xcalloc(eb->bands + 1, sizeof(*eb->start));
	band_ring_edges(eb, &in->outer, NULL);
	for (size_t h = 0; h < in->hole_count; h++)
		band_ring_edges(eb, &in->holes[h], NULL);
	for (size_t k = 0; k < eb->bands; k++)
		eb->start[k + 1] += eb->start[k];
	eb->edges = fq_xmalloc(entries * sizeof(*eb->edges));
	fill = fq_xmalloc(eb->bands * sizeof(*fill));
	memcpy(fill, eb->start, eb->bands * sizeof(*fill));
	band_ring_edges(eb, &in->outer, fill);
	for (size_t h = 0; h < in->hole_count; h++)
		band_ring_edges(eb, &in->holes[h], fill);
	free(fill);
	return 0;
}

static void edge_bands_release(struct edge_bands *eb)
{
	free(eb->start);
	free(eb->edges);
}

/*
 * Longitudes where the parallel at lat crosses an edge, appended to xs
 * (room for the band's edges). The crossing test and formula are those of
 * fq_geo_polygon_contains, so the answers agree with it exactly.
 */
static size_t crossings(const struct edge_bands *eb, double lat, double *xs)
{
	size_t band = band_of(eb, lat);
	size_t n = 0;

	for (size_t e = eb->start[band]; e < eb->start[band + 1]; e++) {
		const struct fq_geo_point *a = &eb->edges[e].a;
		const struct fq_geo_point *b = &eb->edges[e].b;

		if ((a->lat > lat) != (b->lat > lat))
			xs[n++] = a->lon + (lat - a->lat) * (b->lon - a->lon) / (b->lat - a->lat);
	}
	return n;
}

/* Whether p is inside by the even-odd rule over all rings. */
static bool edge_bands_contain(const struct edge_bands *eb, struct fq_geo_point p)
{
	size_t band = band_of(eb, p.lat);
	bool inside = false;

	for (size_t e = eb->start[band]; e < eb->start[band + 1]; e++) {
		const struct fq_geo_point *a = &eb->edges[e].a;
		const struct fq_geo_point *b = &eb->edges[e].b;

		if ((a->lat > p.lat) != (b->lat > p.lat) &&
		    p.lon < a->lon + (p.lat - a->lat) * (b->lon - a->lon) / (b->lat - a->lat))
			inside = !inside;
	}
	return inside;
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
 * The cells whose centre lies inside: per row, the sorted crossings of the
 * row's parallel; a centre is inside when an odd number of crossings lie at
 * or west of it (the same parity as those east of it, since every ring
 * crosses a parallel an even number of times).
 */
static void find_cells(const struct edge_bands *eb, struct fq_coverage *out)
{
	struct cell_vec v = {NULL, 0, 0};
	size_t most = 1;
	double *xs;

	for (size_t k = 0; k < eb->bands; k++)
		if (eb->start[k + 1] - eb->start[k] > most)
			most = eb->start[k + 1] - eb->start[k];
	xs = fq_xmalloc(most * sizeof(*xs));
	for (uint32_t r = 0; r < out->rows; r++) {
		double lat = out->origin.lat + r * out->cell_dlat;
		size_t nx = crossings(eb, lat, xs);
		size_t west = 0;

		qsort(xs, nx, sizeof(*xs), compare_doubles);
		for (uint32_t c = 0; c < out->cols; c++) {
			struct fq_coverage_cell cell = {
			    {lat, out->origin.lon + c * out->cell_dlon}, r, c, INFINITY, 0};

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

static void gather_units(const struct fq_coverage_input *in, struct unit_set *set,
			 struct fq_coverage *out)
{
	size_t n = in->unit_count ? in->unit_count : 1;

	set->positions = fq_xmalloc(n * sizeof(*set->positions));
	set->types = fq_xmalloc(n * sizeof(*set->types));
	set->count = 0;
	for (size_t i = 0; i < in->unit_count; i++) {
		const struct fq_eta_unit *u = &in->units[i];

		if (!fq_response_unit_status_dispatchable(u->status) || !fq__eta_unit_located(u))
			continue;
		set->positions[set->count] = u->position;
		set->types[set->count] = u->type;
		set->count++;
		if (fq__eta_position_age_s(u, in->now_ms) > in->max_position_age_s)
			out->units_stale++;
	}
	out->units_used = set->count;
}

static void unit_set_release(struct unit_set *set)
{
	free(set->positions);
	free(set->types);
}

/* Refuse work past FQ_COVERAGE_EVALUATIONS_MAX before doing it. */
static int check_work(const struct fq_coverage_input *in, const struct fq_coverage *out,
		      struct fq_err *err)
{
	double work = ((double)out->cell_count + (double)in->alert_count) * (double)out->units_used;

	if (work > FQ_COVERAGE_EVALUATIONS_MAX)
		return fq_err_set(
		    err, FQ_ETOOBIG, "too_much_work", "cell_m",
		    "计算量过大（%.0f 次，最多 %d 次），请加大 cell_m 或减少单元、警情", work,
		    FQ_COVERAGE_EVALUATIONS_MAX);
	return 0;
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

static void rate_cells(const struct fq_eta_model *model, const struct unit_set *units,
		       struct fq_coverage *out)
{
	size_t n = out->cell_count ? out->cell_count : 1;
	struct fq_geo_point *places = fq_xmalloc(n * sizeof(*places));
	double *eta_s = fq_xmalloc(n * sizeof(*eta_s));

	for (size_t i = 0; i < out->cell_count; i++)
		places[i] = out->cells[i].center;
	fq_eta_best_s(model, units->positions, units->types, units->count, places, out->cell_count,
		      eta_s);
	for (size_t i = 0; i < out->cell_count; i++) {
		out->cells[i].eta_s = isnan(eta_s[i]) ? INFINITY : eta_s[i];
		out->cells[i].band = fq_eta_band(out->cells[i].eta_s);
		count_in(&out->area, out->cells[i].band);
	}
	finish_shares(&out->area);
	free(places);
	free(eta_s);
}

static void rate_alerts(const struct fq_eta_model *model, const struct unit_set *units,
			const struct fq_coverage_input *in, const struct edge_bands *eb,
			struct fq_coverage *out)
{
	size_t n = in->alert_count ? in->alert_count : 1;
	struct fq_geo_point *places = fq_xmalloc(n * sizeof(*places));
	double *eta_s = fq_xmalloc(n * sizeof(*eta_s));
	size_t inside = 0;

	for (size_t i = 0; i < in->alert_count; i++) {
		if (fq_geo_valid(in->alerts[i]) && edge_bands_contain(eb, in->alerts[i]))
			places[inside++] = in->alerts[i];
		else
			out->alerts_outside++;
	}
	fq_eta_best_s(model, units->positions, units->types, units->count, places, inside, eta_s);
	for (size_t i = 0; i < inside; i++)
		count_in(&out->alerts, fq_eta_band(eta_s[i]));
	finish_shares(&out->alerts);
	free(places);
	free(eta_s);
}

int fq_coverage_compute(struct fq_coverage *out, const struct fq_eta_model *model,
			const struct fq_coverage_input *in, struct fq_err *err)
{
	struct edge_bands eb = {0};
	struct unit_set units;
	int rc;

	fq_coverage_release(out);
	if ((rc = check_input(in, out, err)) || (rc = lay_raster(&in->outer, out, err)) ||
	    (rc = edge_bands_build(&eb, in, out, err)))
		goto out_clear;
	find_cells(&eb, out);
	gather_units(in, &units, out);
	if ((rc = check_work(in, out, err)))
		goto out_release_units;
	rate_cells(model, &units, out);
	rate_alerts(model, &units, in, &eb, out);
	unit_set_release(&units);
	edge_bands_release(&eb);
	return 0;

out_release_units:
	unit_set_release(&units);
	edge_bands_release(&eb);
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
	return json_pack(
	    "{s:f, s:I, s:I, s:[o, o], s:f, s:f, s:f, s:o, s:o, s:o, s:o, s:{s:I, s:I}}", "cell_m",
	    cov->cell_m, "rows", (json_int_t)cov->rows, "cols", (json_int_t)cov->cols, "origin",
	    coord_json(cov->origin.lat), coord_json(cov->origin.lon), "cell_dlat", cov->cell_dlat,
	    "cell_dlon", cov->cell_dlon, "area_m2", cov->area_m2, "cells", cells, "bands",
	    bands_json(), "area", share_json(&cov->area), "alerts", alerts, "units", "used",
	    (json_int_t)cov->units_used, "stale", (json_int_t)cov->units_stale);
}
