/*
 * Coverage of a jurisdiction by the 1-3-5 minute circles: the map's rings
 * layer and the "how much of the area, how many of the alerts" figures.
 *
 * The jurisdiction (one outer ring, optionally holes) is rasterised into
 * square cells of cell_m metres laid out in a local equirectangular plane
 * over the outer ring's bounding box; a cell belongs to the jurisdiction
 * when its centre does (even-odd rule over all rings, as
 * fq_geo_polygon_contains; holes are meant to lie inside the outer ring and
 * not to overlap). Each cell gets the best ETA from any dispatchable unit
 * with a valid position, evaluated at its centre with the given model.
 *
 * Definitions (docs/dispatch.md), for k = 1, 3, 5 minutes, cumulative:
 *   area share k  = cells with best ETA <= k min / cells in the jurisdiction
 *   alert share k = alerts with best ETA <= k min at their exact location
 *                   / alerts inside the jurisdiction
 * Alerts outside it, or without valid coordinates, are counted apart and
 * left out of the denominator. Choosing which alerts (by default those of
 * the last FQ_COVERAGE_ALERT_WINDOW_DAYS days) is the caller's query.
 *
 * Cost, for V vertices in all rings, R raster rows, X edges crossing one
 * row, C cells inside, A alerts and U units: the edges are sorted into one
 * band of latitude per row, O(V + R * X); the cells are found row by row
 * from the sorted crossings, O(R * X log X + C); each alert is placed
 * against the edges of its band, O(A * X); then the model answers
 * fq_eta_best_s for the C cells and the A alerts, which for the
 * great-circle model is O((C + A) * U) arithmetic and O(C + A + U)
 * trigonometry. A town of 374 km² at 250 m (about 6,000 cells) with 50
 * units and 20,000 alerts takes about 6 ms (docs/dispatch.md).
 *
 * Pure and thread-safe; a computation owns its result.
 */
#ifndef FQ_COMMAND_COVERAGE_H
#define FQ_COMMAND_COVERAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "command/eta.h"
#include "core/err.h"
#include "core/geo.h"

#define FQ_COVERAGE_CELL_M_DEFAULT    250.0
#define FQ_COVERAGE_CELL_M_MIN	      10.0
#define FQ_COVERAGE_CELL_M_MAX	      10000.0
#define FQ_COVERAGE_RING_POINTS_MAX   100000	/* vertices of one ring */
#define FQ_COVERAGE_HOLES_MAX	      1000	/* holes of the jurisdiction */
#define FQ_COVERAGE_GRID_CELLS_MAX    1000000	/* rows * cols of the bounding box */
#define FQ_COVERAGE_ALERTS_MAX	      1000000	/* alerts of one computation */
#define FQ_COVERAGE_EVALUATIONS_MAX   200000000 /* (cells + alerts) * units */
#define FQ_COVERAGE_BAND_ENTRIES_MAX  4000000	/* edges listed per row band, in all */
#define FQ_COVERAGE_ALERT_WINDOW_DAYS 90	/* the alerts callers should pass */

/* A ring of vertices; the first may be repeated at the end. Borrowed. */
struct fq_coverage_ring {
	const struct fq_geo_point *points;
	size_t count;
};

struct fq_coverage_input {
	struct fq_coverage_ring outer;
	const struct fq_coverage_ring *holes; /* may be NULL when hole_count is 0 */
	size_t hole_count;
	double cell_m; /* cell side in metres; 0 means FQ_COVERAGE_CELL_M_DEFAULT */
	const struct fq_eta_unit *units; /* only dispatchable, located units count */
	size_t unit_count;
	const struct fq_geo_point *alerts;
	size_t alert_count;
	int64_t now_ms;		    /* for units_stale */
	int64_t max_position_age_s; /* for units_stale */
};

struct fq_coverage_cell {
	struct fq_geo_point center;
	uint32_t row; /* 0 is the southernmost row */
	uint32_t col; /* 0 is the westernmost column */
	double eta_s; /* best ETA; INFINITY when no unit can reach it */
	int band;     /* fq_eta_band(eta_s) */
};

/* A numerator per band over one denominator. */
struct fq_coverage_share {
	size_t total;			  /* the denominator */
	size_t within[FQ_ETA_BAND_COUNT]; /* ETA <= 1, 3, 5 minutes (cumulative) */
	double share[FQ_ETA_BAND_COUNT];  /* within[i] / total; 0 when total is 0 */
};

struct fq_coverage {
	double cell_m;
	/* The raster: cell (row, col) has its centre at origin + (row * dlat, col * dlon). */
	struct fq_geo_point origin;
	double cell_dlat;
	double cell_dlon;
	uint32_t rows;
	uint32_t cols;
	struct fq_coverage_cell *cells; /* the cells inside, by row then col; NULL if none */
	size_t cell_count;
	double area_m2;			 /* outer ring minus holes (exact polygon area) */
	struct fq_coverage_share area;	 /* over cells */
	struct fq_coverage_share alerts; /* over alerts inside */
	size_t alerts_outside;		 /* outside, or without valid coordinates */
	size_t units_used;		 /* dispatchable, located units */
	size_t units_stale;		 /* of those, with a position older than the limit */
};

/* Empty result; fq_coverage_release frees cells and empties it again. */
void fq_coverage_init(struct fq_coverage *cov);
void fq_coverage_release(struct fq_coverage *cov);

/*
 * Compute the coverage of in under model into out (initialised; previous
 * content released). Returns 0, or:
 *   FQ_EINVAL "boundary" / "holes[i]": a ring with fewer than 3 distinct
 *     vertices, an invalid coordinate or no area (machine code
 *     invalid_polygon);
 *   FQ_EINVAL "cell_m": outside FQ_COVERAGE_CELL_M_MIN..MAX;
 *   FQ_EINVAL "units[i].type" / "units[i].status": enum out of range;
 *   FQ_ETOOBIG "boundary", "holes", "alerts", "units" past their limits
 *     ("boundary" also when its edges span rows so often that the band
 *     index would pass FQ_COVERAGE_BAND_ENTRIES_MAX), or "cell_m" when the
 *     raster or the work ((cells + alerts) * units) would pass
 *     FQ_COVERAGE_GRID_CELLS_MAX or FQ_COVERAGE_EVALUATIONS_MAX.
 * On error out is empty.
 */
int fq_coverage_compute(struct fq_coverage *out, const struct fq_eta_model *model,
			const struct fq_coverage_input *in, struct fq_err *err) FQ_WUR;

/*
 * The result for the map's rings layer, a new reference:
 *   {"cell_m", "rows", "cols", "origin": [lat, lon], "cell_dlat", "cell_dlon",
 *    "area_m2",
 *    "cells": [[lat, lon, eta_s], ...],
 *    "bands": [{"band": 1, "max_eta_s": 60, "label": "1分钟圈"}, ...],
 *    "area":   {"total", "within": [n1, n3, n5], "share": [s1, s3, s5]},
 *    "alerts": {"total", "within": [...], "share": [...], "outside"},
 *    "units":  {"used", "stale"}}
 * Coordinates are rounded to 1e-6 degrees; eta_s is rounded up to whole
 * seconds (same band) or null when no unit reaches the cell.
 */
json_t *fq_coverage_json(const struct fq_coverage *cov);

#endif
