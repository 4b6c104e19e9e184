/*
 * Geographic helpers on WGS-84 coordinates, in degrees.
 *
 * Distances use a sphere of the mean Earth radius (FQ_GEO_EARTH_RADIUS_M):
 * within 0.5 % of the ellipsoid, which is plenty for "nearest patrol car"
 * and "same place" questions. Polygon helpers work in a plane and suit
 * small areas such as grids and jurisdictions (a few tens of kilometres);
 * GEOS does the heavy work elsewhere.
 *
 * Chinese map apps give coordinates in GCJ-02 (Amap, Tencent) or BD-09
 * (Baidu). The conversions below implement the publicly documented
 * formulas; GCJ-02 to WGS-84 inverts the forward formula by iteration to
 * better than 1 mm. Outside China GCJ-02 equals WGS-84.
 *
 * All functions are pure (no allocation, no global state) and safe from
 * any thread.
 */
#ifndef FQ_CORE_GEO_H
#define FQ_CORE_GEO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define FQ_GEO_EARTH_RADIUS_M 6371008.8

struct fq_geo_point {
	double lat; /* degrees north, -90..90 */
	double lon; /* degrees east, -180..180 */
};

struct fq_geo_bbox {
	double min_lat;
	double min_lon;
	double max_lat;
	double max_lon;
};

/* Coordinate reference systems accepted at the edge (the API's `crs`). */
enum fq_geo_crs {
	FQ_GEO_WGS84 = 0,
	FQ_GEO_GCJ02,
	FQ_GEO_BD09,
};

/* Whether p has finite coordinates within -90..90 and -180..180. */
bool fq_geo_valid(struct fq_geo_point p);

/*
 * fq_geo_valid with an error for the API: FQ_EINVAL with machine code
 * "geo_range" and the given field when p is not valid.
 */
int fq_geo_check(struct fq_geo_point p, const char *field, struct fq_err *err) FQ_WUR;

/* Great-circle (haversine) distance between a and b in metres. */
double fq_geo_distance_m(struct fq_geo_point a, struct fq_geo_point b);

/*
 * The point reached from `from` going distance_m metres along the great
 * circle that starts at bearing_deg (0 north, 90 east). The longitude of
 * the result is wrapped into -180..180.
 */
struct fq_geo_point fq_geo_destination(struct fq_geo_point from, double bearing_deg,
				       double distance_m);

/*
 * A box holding every point within radius_m of center, for index
 * prefilters (`lat BETWEEN ... AND lon BETWEEN ...`) before an exact
 * distance check. When the circle reaches a pole or crosses the
 * antimeridian the box widens to all longitudes, so it is always a
 * superset. radius_m below 0 counts as 0.
 */
struct fq_geo_bbox fq_geo_bbox_around(struct fq_geo_point center, double radius_m);

/* Whether p lies in box (edges included). */
bool fq_geo_bbox_contains(const struct fq_geo_bbox *box, struct fq_geo_point p);

/*
 * Whether p lies inside the simple polygon ring[0..n-1] (even-odd rule by
 * ray casting in the longitude/latitude plane). The ring may repeat its
 * first vertex at the end or not. Points exactly on an edge may go either
 * way. Rings with fewer than 3 vertices contain nothing. The polygon may
 * not cross the antimeridian.
 */
bool fq_geo_polygon_contains(const struct fq_geo_point *ring, size_t n, struct fq_geo_point p);

/*
 * Area in square metres and centroid of the simple polygon ring[0..n-1],
 * computed in a local equirectangular projection around the ring (error
 * under 0.1 % for rings up to about 50 km across, growing with size).
 * area_m2 or centroid may be NULL.
 *
 * Returns 0, or FQ_EINVAL when the ring has fewer than 3 distinct
 * vertices, an invalid coordinate, or no area (all vertices on a line).
 */
int fq_geo_polygon_area_centroid(const struct fq_geo_point *ring, size_t n, double *area_m2,
				 struct fq_geo_point *centroid) FQ_WUR;

/* Whether p lies in the rectangle where GCJ-02 differs from WGS-84. */
bool fq_geo_in_china(struct fq_geo_point p);

struct fq_geo_point fq_geo_wgs84_to_gcj02(struct fq_geo_point wgs);
/* Inverse of fq_geo_wgs84_to_gcj02 by fixed-point iteration (< 1 mm). */
struct fq_geo_point fq_geo_gcj02_to_wgs84(struct fq_geo_point gcj);
struct fq_geo_point fq_geo_gcj02_to_bd09(struct fq_geo_point gcj);
struct fq_geo_point fq_geo_bd09_to_gcj02(struct fq_geo_point bd);
struct fq_geo_point fq_geo_bd09_to_wgs84(struct fq_geo_point bd);

/*
 * Parse a `crs` name: "wgs84", "gcj02" or "bd09" (case-insensitive, with or
 * without '-'; NULL or "" mean wgs84). Returns 0, or FQ_EINVAL with
 * machine code "geo_crs" and the given field.
 */
int fq_geo_crs_parse(const char *name, const char *field, enum fq_geo_crs *out,
		     struct fq_err *err) FQ_WUR;

/*
 * Convert p given in crs to WGS-84 after checking it: returns 0 and sets
 * *out, or FQ_EINVAL ("geo_range", field) when p is not valid.
 */
int fq_geo_to_wgs84(enum fq_geo_crs crs, struct fq_geo_point p, const char *field,
		    struct fq_geo_point *out, struct fq_err *err) FQ_WUR;

#endif
