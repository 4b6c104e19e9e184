/*
 * Placing a point in its grid: point-in-polygon over the boundaries of
 * the grid units (unit.kind = 'grid', unit.boundary GeoJSON), with GEOS.
 *
 * The grid set (every grid of the store with a boundary) is read once,
 * each boundary made a GEOS prepared geometry, and kept in a process-wide
 * cache. The cache is checked against a stamp of the unit table (grid
 * count, latest updated_at, sum of versions) at each placement and rebuilt
 * when a grid was added or changed, so a new grid takes effect at once.
 * A point on a shared edge goes to the grid whose code sorts first.
 *
 * Thread-safety: the cache and GEOS's context are guarded by one mutex;
 * any thread may call these functions with its own connection.
 */
#ifndef FQ_COMMUNITY_PLACEMENT_H
#define FQ_COMMUNITY_PLACEMENT_H

#include "core/err.h"
#include "db/db.h"
#include "org/units.h"

struct fq_place {
	char grid[FQ_UNIT_CODE_MAX];	  /* the grid's code */
	char grid_path[FQ_UNIT_PATH_MAX]; /* its path */
	char station[FQ_UNIT_CODE_MAX];	  /* the station the grid belongs to, "" if none */
};

/*
 * The grid containing (lat, lon), WGS-84 degrees. Returns 0 and fills
 * *out, FQ_ENOTFOUND (machine code "no_grid") when no grid contains the
 * point, FQ_EDB when the units cannot be read. A boundary that GEOS cannot
 * read is left out with a warning in the log.
 */
int fq_place_point(struct fq_dbc *c, double lat, double lon, struct fq_place *out,
		   struct fq_err *err) FQ_WUR;

/* Grids in the cached set (after a placement), for tests and logs. */
size_t fq_place_cached_grids(void);
/* How many times the set was built since start, for tests. */
unsigned fq_place_builds(void);

/* Drop the cache and GEOS's context (at exit, for leak checkers). */
void fq_place_cleanup(void);

#endif
