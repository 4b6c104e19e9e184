#include "community/placement.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/banned.h"

struct grid {
	char code[FQ_UNIT_CODE_MAX];
	char path[FQ_UNIT_PATH_MAX];
	char station[FQ_UNIT_CODE_MAX];
	GEOSGeometry *geom;
	const GEOSPreparedGeometry *prep;
	double min_x, min_y, max_x, max_y; /* envelope: lon, lat */
};

static struct {
	pthread_mutex_t lock;
	GEOSContextHandle_t ctx;
	char stamp[96];
	struct grid *grids;
	size_t count;
	unsigned builds;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void geos_message(const char *fmt, ...)
{
	(void)fmt;
}

static void drop_grids(void)
{
	for (size_t i = 0; i < cache.count; i++) {
		GEOSPreparedGeom_destroy_r(cache.ctx, cache.grids[i].prep);
		GEOSGeom_destroy_r(cache.ctx, cache.grids[i].geom);
	}
	free(cache.grids);
	cache.grids = NULL;
	cache.count = 0;
	cache.stamp[0] = '\0';
}

static int read_stamp(struct fq_dbc *c, char out[96], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT COUNT(*), COALESCE(MAX(updated_at), 0), COALESCE(SUM(version), 0)"
			 " FROM unit WHERE kind = 'grid'",
			 "");
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(out, 96, "%lld:%lld:%lld", (long long)fq_stmt_int(st, 0),
			 (long long)fq_stmt_int(st, 1), (long long)fq_stmt_int(st, 2));
		rc = 0;
	}
	fq_stmt_done(st);
	return rc;
}

static int envelope(struct grid *g)
{
	GEOSGeometry *e = GEOSEnvelope_r(cache.ctx, g->geom);
	int ok;

	if (!e)
		return -1;
	ok = GEOSGeom_getXMin_r(cache.ctx, e, &g->min_x) &&
	     GEOSGeom_getYMin_r(cache.ctx, e, &g->min_y) &&
	     GEOSGeom_getXMax_r(cache.ctx, e, &g->max_x) &&
	     GEOSGeom_getYMax_r(cache.ctx, e, &g->max_y);
	GEOSGeom_destroy_r(cache.ctx, e);
	return ok ? 0 : -1;
}

static int build(struct fq_dbc *c, const char *stamp, struct fq_err *err)
{
	GEOSGeoJSONReader *reader;
	struct fq_stmt *st;
	size_t cap = 0;
	int rc;

	drop_grids();
	rc = fq_dbc_query(c, err, &st,
			  "SELECT g.code, g.path, g.boundary, COALESCE(s.code, '') FROM unit g"
			  " LEFT JOIN unit s ON s.kind = 'station'"
			  " AND substr(g.path, 1, length(s.path)) = s.path"
			  " WHERE g.kind = 'grid' AND g.boundary IS NOT NULL ORDER BY g.code",
			  "");
	if (rc)
		return rc;
	reader = GEOSGeoJSONReader_create_r(cache.ctx);
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct grid g;
		memset(&g, 0, sizeof(g));
		snprintf(g.code, sizeof(g.code), "%s", fq_stmt_text(st, 0));
		snprintf(g.path, sizeof(g.path), "%s", fq_stmt_text(st, 1));
		snprintf(g.station, sizeof(g.station), "%s", fq_stmt_text(st, 3));
		g.geom = GEOSGeoJSONReader_readGeometry_r(cache.ctx, reader, fq_stmt_text(st, 2));
		if (!g.geom || !(g.prep = GEOSPrepare_r(cache.ctx, g.geom)) || envelope(&g)) {
			fq_warn("grid %s: boundary not usable for placement", g.code);
			if (g.prep)
				GEOSPreparedGeom_destroy_r(cache.ctx, g.prep);
			if (g.geom)
				GEOSGeom_destroy_r(cache.ctx, g.geom);
			continue;
		}
		if (cache.count == cap) {
			cap = cap ? 2 * cap : 64;
			cache.grids = fq_xrealloc(cache.grids, cap * sizeof(*cache.grids));
		}
		cache.grids[cache.count++] = g;
	}
	fq_stmt_done(st);
	GEOSGeoJSONReader_destroy_r(cache.ctx, reader);
	if (rc < 0) {
		drop_grids();
		return rc;
	}
	snprintf(cache.stamp, sizeof(cache.stamp), "%s", stamp);
	cache.builds++;
	return 0;
}

int fq_place_point(struct fq_dbc *c, double lat, double lon, struct fq_place *out,
		   struct fq_err *err)
{
	char stamp[96];
	GEOSGeometry *pt;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = read_stamp(c, stamp, err)))
		return rc;
	pthread_mutex_lock(&cache.lock);
	if (!cache.ctx) {
		cache.ctx = GEOS_init_r();
		GEOSContext_setNoticeHandler_r(cache.ctx, geos_message);
		GEOSContext_setErrorHandler_r(cache.ctx, geos_message);
	}
	if (strcmp(stamp, cache.stamp) != 0 && (rc = build(c, stamp, err)))
		goto out_unlock;
	rc = fq_err_set(err, FQ_ENOTFOUND, "no_grid", "location", "该位置不在任何网格内");
	pt = GEOSGeom_createPointFromXY_r(cache.ctx, lon, lat);
	for (size_t i = 0; pt && i < cache.count; i++) {
		const struct grid *g = &cache.grids[i];
		if (lon < g->min_x || lon > g->max_x || lat < g->min_y || lat > g->max_y)
			continue;
		if (GEOSPreparedIntersects_r(cache.ctx, g->prep, pt) == 1) {
			snprintf(out->grid, sizeof(out->grid), "%s", g->code);
			snprintf(out->grid_path, sizeof(out->grid_path), "%s", g->path);
			snprintf(out->station, sizeof(out->station), "%s", g->station);
			fq_err_clear(err);
			rc = 0;
			break;
		}
	}
	if (pt)
		GEOSGeom_destroy_r(cache.ctx, pt);
out_unlock:
	pthread_mutex_unlock(&cache.lock);
	return rc;
}

size_t fq_place_cached_grids(void)
{
	size_t n;
	pthread_mutex_lock(&cache.lock);
	n = cache.count;
	pthread_mutex_unlock(&cache.lock);
	return n;
}

unsigned fq_place_builds(void)
{
	unsigned n;
	pthread_mutex_lock(&cache.lock);
	n = cache.builds;
	pthread_mutex_unlock(&cache.lock);
	return n;
}

void fq_place_cleanup(void)
{
	pthread_mutex_lock(&cache.lock);
	if (cache.ctx) {
		drop_grids();
		GEOS_finish_r(cache.ctx);
		cache.ctx = NULL;
	}
	pthread_mutex_unlock(&cache.lock);
}
