/*
 * Units of the hierarchy: city ⊃ branch (county bureau) ⊃ station ⊃ post /
 * grid. Every record of the system belongs to one unit; a unit's path
 * ("/330600/330681/330681510000/") lists its ancestors and itself, so scope
 * checks are a prefix test (org/rights.h).
 *
 * All functions take a borrowed connection and are safe to call from any
 * thread holding it.
 */
#ifndef FQ_ORG_UNITS_H
#define FQ_ORG_UNITS_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define FQ_UNIT_CODE_MAX 32  /* bytes incl. NUL */
#define FQ_UNIT_PATH_MAX 256 /* bytes incl. NUL */
#define FQ_UNIT_NAME_MAX 64  /* characters */

struct fq_unit_new {
	const char *code;
	const char *name;
	const char *kind;   /* city, branch, station, post, grid */
	const char *parent; /* NULL only for a city */
	int has_centroid;
	double lat, lon;
	const char *boundary_geojson; /* a GeoJSON Polygon/MultiPolygon, or NULL */
};

/* Validate a unit code: 2 to 31 of [0-9A-Za-z_-]. */
int fq_unit_code_valid(const char *code);

/*
 * Create a unit. Checks the code, name, kind, that the parent exists and that
 * the kind may sit under the parent's kind. FQ_ECONFLICT when the code exists.
 */
int fq_unit_create(struct fq_dbc *c, const struct fq_unit_new *u, struct fq_err *err) FQ_WUR;

/* The unit's path into out; FQ_ENOTFOUND when there is no such unit. */
int fq_unit_path(struct fq_dbc *c, const char *code, char out[FQ_UNIT_PATH_MAX],
		 struct fq_err *err) FQ_WUR;

/*
 * The unit as JSON: code, name, kind, parent, path, centroid {lat, lon} or
 * null, and with with_boundary=1 its boundary (GeoJSON) or null; with
 * children=1 also "children" (the direct children, same fields). *out is a
 * new reference.
 */
int fq_unit_json(struct fq_dbc *c, const char *code, int children, int with_boundary, json_t **out,
		 struct fq_err *err) FQ_WUR;

/*
 * Units under scope_path (inclusive), optionally only the children of
 * parent (which must itself be in scope) and of one kind; "items" and
 * "total". with_boundary=0 leaves boundaries out (lighter lists).
 */
int fq_unit_list(struct fq_dbc *c, const char *scope_path, const char *parent, const char *kind,
		 int with_boundary, json_t **out, struct fq_err *err) FQ_WUR;

#endif
