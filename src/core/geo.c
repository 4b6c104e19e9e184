#include "core/geo.h"

#include <math.h>
#include <strings.h>

#include "core/banned.h"

#define GEO_PI	   3.14159265358979323846
#define DEG_TO_RAD (GEO_PI / 180.0)
#define RAD_TO_DEG (180.0 / GEO_PI)

/* Krasovsky 1940 ellipsoid, on which the GCJ-02 offset is defined. */
#define KRASOVSKY_A_M 6378245.0
#define KRASOVSKY_E2  0.00669342162296594323
/* Scale of the BD-09 angular and radial perturbations. */
#define BD_X_PI	     (GEO_PI * 3000.0 / 180.0)
#define BD_LON_SHIFT 0.0065
#define BD_LAT_SHIFT 0.006

/* GCJ-02 inversion: stop below this step (degrees, about 0.01 mm). */
#define GCJ_INVERSE_TOLERANCE_DEG 1e-10
#define GCJ_INVERSE_MAX_STEPS	  30
/* Rings with less area than this share of their squared extent are lines. */
#define POLYGON_DEGENERATE_RATIO 1e-10

bool fq_geo_valid(struct fq_geo_point p)
{
	return isfinite(p.lat) && isfinite(p.lon) && p.lat >= -90.0 && p.lat <= 90.0 &&
	       p.lon >= -180.0 && p.lon <= 180.0;
}

int fq_geo_check(struct fq_geo_point p, const char *field, struct fq_err *err)
{
	if (fq_geo_valid(p))
		return 0;
	return fq_err_set(err, FQ_EINVAL, "geo_range", field,
			  "坐标无效：纬度应在 -90 到 90 之间，经度应在 -180 到 180 之间");
}

/* lon wrapped into [-180, 180). */
static double wrap_lon(double lon)
{
	double w = fmod(lon + 180.0, 360.0);

	if (w < 0)
		w += 360.0;
	return w - 180.0;
}

double fq_geo_distance_m(struct fq_geo_point a, struct fq_geo_point b)
{
	double lat1 = a.lat * DEG_TO_RAD;
	double lat2 = b.lat * DEG_TO_RAD;
	double sin_dlat = sin((b.lat - a.lat) * DEG_TO_RAD / 2.0);
	double sin_dlon = sin((b.lon - a.lon) * DEG_TO_RAD / 2.0);
	double h = sin_dlat * sin_dlat + cos(lat1) * cos(lat2) * sin_dlon * sin_dlon;

	if (h > 1.0)
		h = 1.0;
	return 2.0 * FQ_GEO_EARTH_RADIUS_M * asin(sqrt(h));
}

struct fq_geo_point fq_geo_destination(struct fq_geo_point from, double bearing_deg,
				       double distance_m)
{
	double lat1 = from.lat * DEG_TO_RAD;
	double bearing = bearing_deg * DEG_TO_RAD;
	double angle = distance_m / FQ_GEO_EARTH_RADIUS_M;
	double sin_lat2 = sin(lat1) * cos(angle) + cos(lat1) * sin(angle) * cos(bearing);
	double lat2;
	double dlon;
	struct fq_geo_point to;

	if (sin_lat2 > 1.0)
		sin_lat2 = 1.0;
	else if (sin_lat2 < -1.0)
		sin_lat2 = -1.0;
	lat2 = asin(sin_lat2);
	dlon = atan2(sin(bearing) * sin(angle) * cos(lat1), cos(angle) - sin(lat1) * sin_lat2);
	to.lat = lat2 * RAD_TO_DEG;
	to.lon = wrap_lon(from.lon + dlon * RAD_TO_DEG);
	return to;
}

struct fq_geo_bbox fq_geo_bbox_around(struct fq_geo_point center, double radius_m)
{
	struct fq_geo_bbox box;
	double angle = radius_m > 0 ? radius_m / FQ_GEO_EARTH_RADIUS_M : 0.0;
	double lat = center.lat * DEG_TO_RAD;
	double min_lat = lat - angle;
	double max_lat = lat + angle;
	double dlon;

	box.min_lon = -180.0;
	box.max_lon = 180.0;
	if (min_lat <= -GEO_PI / 2 || max_lat >= GEO_PI / 2) {
		box.min_lat = fmax(min_lat * RAD_TO_DEG, -90.0);
		box.max_lat = fmin(max_lat * RAD_TO_DEG, 90.0);
		return box;
	}
	box.min_lat = min_lat * RAD_TO_DEG;
	box.max_lat = max_lat * RAD_TO_DEG;
	/* Half-width in longitude of the circle at its widest. */
	dlon = asin(sin(angle) / cos(lat)) * RAD_TO_DEG;
	if (center.lon - dlon >= -180.0 && center.lon + dlon <= 180.0) {
		box.min_lon = center.lon - dlon;
		box.max_lon = center.lon + dlon;
	}
	return box;
}

bool fq_geo_bbox_contains(const struct fq_geo_bbox *box, struct fq_geo_point p)
{
	return p.lat >= box->min_lat && p.lat <= box->max_lat && p.lon >= box->min_lon &&
	       p.lon <= box->max_lon;
}

bool fq_geo_polygon_contains(const struct fq_geo_point *ring, size_t n, struct fq_geo_point p)
{
	bool inside = false;

	if (n < 3)
		return false;
	for (size_t i = 0, j = n - 1; i < n; j = i++) {
		const struct fq_geo_point *a = &ring[i];
		const struct fq_geo_point *b = &ring[j];

		if ((a->lat > p.lat) != (b->lat > p.lat)) {
			double cross_lon =
			    a->lon + (p.lat - a->lat) * (b->lon - a->lon) / (b->lat - a->lat);

			if (p.lon < cross_lon)
				inside = !inside;
		}
	}
	return inside;
}

/* Vertices of ring without a closing repeat of the first one. */
static size_t open_ring_len(const struct fq_geo_point *ring, size_t n)
{
	if (n > 1 && ring[0].lat == ring[n - 1].lat && ring[0].lon == ring[n - 1].lon)
		return n - 1;
	return n;
}

int fq_geo_polygon_area_centroid(const struct fq_geo_point *ring, size_t n, double *area_m2,
				 struct fq_geo_point *centroid)
{
	double mean_lat = 0.0;
	double m_per_deg_lat = FQ_GEO_EARTH_RADIUS_M * DEG_TO_RAD;
	double m_per_deg_lon;
	double twice_area = 0.0;
	double cx = 0.0;
	double cy = 0.0;
	double min_x = 0.0;
	double max_x = 0.0;
	double min_y = 0.0;
	double max_y = 0.0;
	double extent;
	double signed_area;

	n = open_ring_len(ring, n);
	if (n < 3)
		return FQ_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!fq_geo_valid(ring[i]))
			return FQ_EINVAL;
		mean_lat += ring[i].lat / (double)n;
	}
	m_per_deg_lon = m_per_deg_lat * cos(mean_lat * DEG_TO_RAD);

	/* Plane coordinates in metres relative to the first vertex. */
	for (size_t i = 0; i < n; i++) {
		const struct fq_geo_point *a = &ring[i];
		const struct fq_geo_point *b = &ring[(i + 1) % n];
		double ax = wrap_lon(a->lon - ring[0].lon) * m_per_deg_lon;
		double ay = (a->lat - ring[0].lat) * m_per_deg_lat;
		double bx = wrap_lon(b->lon - ring[0].lon) * m_per_deg_lon;
		double by = (b->lat - ring[0].lat) * m_per_deg_lat;
		double cross = ax * by - bx * ay;

		twice_area += cross;
		min_x = fmin(min_x, ax);
		max_x = fmax(max_x, ax);
		min_y = fmin(min_y, ay);
		max_y = fmax(max_y, ay);
		cx += (ax + bx) * cross;
		cy += (ay + by) * cross;
	}
	signed_area = twice_area / 2.0;
	extent = (max_x - min_x) + (max_y - min_y);
	if (!isfinite(signed_area) ||
	    fabs(signed_area) <= extent * extent * POLYGON_DEGENERATE_RATIO)
		return FQ_EINVAL;
	if (area_m2)
		*area_m2 = fabs(signed_area);
	if (centroid) {
		centroid->lat = ring[0].lat + cy / (6.0 * signed_area) / m_per_deg_lat;
		centroid->lon = wrap_lon(ring[0].lon + cx / (6.0 * signed_area) / m_per_deg_lon);
	}
	return 0;
}

bool fq_geo_in_china(struct fq_geo_point p)
{
	return p.lon > 72.004 && p.lon < 137.8347 && p.lat > 0.8293 && p.lat < 55.8271;
}

static double gcj_lat_offset(double x, double y)
{
	double v = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));

	v += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
	v += (20.0 * sin(y * GEO_PI) + 40.0 * sin(y / 3.0 * GEO_PI)) * 2.0 / 3.0;
	v += (160.0 * sin(y / 12.0 * GEO_PI) + 320.0 * sin(y / 30.0 * GEO_PI)) * 2.0 / 3.0;
	return v;
}

static double gcj_lon_offset(double x, double y)
{
	double v = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));

	v += (20.0 * sin(6.0 * x * GEO_PI) + 20.0 * sin(2.0 * x * GEO_PI)) * 2.0 / 3.0;
	v += (20.0 * sin(x * GEO_PI) + 40.0 * sin(x / 3.0 * GEO_PI)) * 2.0 / 3.0;
	v += (150.0 * sin(x / 12.0 * GEO_PI) + 300.0 * sin(x / 30.0 * GEO_PI)) * 2.0 / 3.0;
	return v;
}

struct fq_geo_point fq_geo_wgs84_to_gcj02(struct fq_geo_point wgs)
{
	struct fq_geo_point gcj = wgs;
	double x = wgs.lon - 105.0;
	double y = wgs.lat - 35.0;
	double lat = wgs.lat * DEG_TO_RAD;
	double s = sin(lat);
	double w = 1.0 - KRASOVSKY_E2 * s * s;
	double meridian_radius = KRASOVSKY_A_M * (1.0 - KRASOVSKY_E2) / (w * sqrt(w));
	double parallel_radius = KRASOVSKY_A_M / sqrt(w) * cos(lat);

	if (!fq_geo_in_china(wgs))
		return wgs;
	/* The offsets are metres along the meridian and the parallel. */
	gcj.lat += gcj_lat_offset(x, y) / meridian_radius * RAD_TO_DEG;
	gcj.lon += gcj_lon_offset(x, y) / parallel_radius * RAD_TO_DEG;
	return gcj;
}

struct fq_geo_point fq_geo_gcj02_to_wgs84(struct fq_geo_point gcj)
{
	struct fq_geo_point wgs = gcj;

	if (!fq_geo_in_china(gcj))
		return gcj;
	for (int step = 0; step < GCJ_INVERSE_MAX_STEPS; step++) {
		struct fq_geo_point there = fq_geo_wgs84_to_gcj02(wgs);
		double dlat = there.lat - gcj.lat;
		double dlon = there.lon - gcj.lon;

		wgs.lat -= dlat;
		wgs.lon -= dlon;
		if (fabs(dlat) < GCJ_INVERSE_TOLERANCE_DEG &&
		    fabs(dlon) < GCJ_INVERSE_TOLERANCE_DEG)
			break;
	}
	return wgs;
}

struct fq_geo_point fq_geo_gcj02_to_bd09(struct fq_geo_point gcj)
{
	struct fq_geo_point bd;
	double x = gcj.lon;
	double y = gcj.lat;
	double r = sqrt(x * x + y * y) + 0.00002 * sin(y * BD_X_PI);
	double theta = atan2(y, x) + 0.000003 * cos(x * BD_X_PI);

	bd.lon = r * cos(theta) + BD_LON_SHIFT;
	bd.lat = r * sin(theta) + BD_LAT_SHIFT;
	return bd;
}

struct fq_geo_point fq_geo_bd09_to_gcj02(struct fq_geo_point bd)
{
	struct fq_geo_point gcj;
	double x = bd.lon - BD_LON_SHIFT;
	double y = bd.lat - BD_LAT_SHIFT;
	double r = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
	double theta = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);

	gcj.lon = r * cos(theta);
	gcj.lat = r * sin(theta);
	return gcj;
}

struct fq_geo_point fq_geo_bd09_to_wgs84(struct fq_geo_point bd)
{
	return fq_geo_gcj02_to_wgs84(fq_geo_bd09_to_gcj02(bd));
}

static bool crs_name_is(const char *name, const char *plain, const char *dashed)
{
	return strcasecmp(name, plain) == 0 || strcasecmp(name, dashed) == 0;
}

int fq_geo_crs_parse(const char *name, const char *field, enum fq_geo_crs *out, struct fq_err *err)
{
	if (!name || !*name || crs_name_is(name, "wgs84", "wgs-84")) {
		*out = FQ_GEO_WGS84;
		return 0;
	}
	if (crs_name_is(name, "gcj02", "gcj-02")) {
		*out = FQ_GEO_GCJ02;
		return 0;
	}
	if (crs_name_is(name, "bd09", "bd-09")) {
		*out = FQ_GEO_BD09;
		return 0;
	}
	return fq_err_set(err, FQ_EINVAL, "geo_crs", field,
			  "不支持的坐标系“%.32s”，可用 wgs84、gcj02、bd09", name);
}

int fq_geo_to_wgs84(enum fq_geo_crs crs, struct fq_geo_point p, const char *field,
		    struct fq_geo_point *out, struct fq_err *err)
{
	int rc = fq_geo_check(p, field, err);

	if (rc)
		return rc;
	switch (crs) {
	case FQ_GEO_GCJ02:
		*out = fq_geo_gcj02_to_wgs84(p);
		break;
	case FQ_GEO_BD09:
		*out = fq_geo_bd09_to_wgs84(p);
		break;
	default:
		*out = p;
		break;
	}
	return 0;
}
