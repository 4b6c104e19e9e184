#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "core/geo.h"

#define PI 3.14159265358979323846

static const struct fq_geo_point beijing = {39.9042, 116.4074};	 /* Tiananmen */
static const struct fq_geo_point shanghai = {31.2304, 121.4737}; /* People's Square */
static const struct fq_geo_point shaoxing = {30.0023, 120.5810};

static void assert_near(double got, double want, double tolerance)
{
	if (!(fabs(got - want) <= tolerance))
		fail_msg("got %.12f, want %.12f (tolerance %g)", got, want, tolerance);
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(fq_geo_valid(beijing));
	assert_true(fq_geo_valid((struct fq_geo_point){-90.0, 180.0}));
	assert_false(fq_geo_valid((struct fq_geo_point){90.0001, 0.0}));
	assert_false(fq_geo_valid((struct fq_geo_point){0.0, -180.0001}));
	assert_false(fq_geo_valid((struct fq_geo_point){NAN, 0.0}));
	assert_false(fq_geo_valid((struct fq_geo_point){0.0, INFINITY}));
}

static void test_check_error(void **state)
{
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	assert_int_equal(fq_geo_check(beijing, "location", &err), 0);
	assert_int_equal(fq_geo_check((struct fq_geo_point){120.0, 30.0}, "location", &err),
			 FQ_EINVAL);
	assert_string_equal(err.machine, "geo_range");
	assert_string_equal(err.field, "location");
}

static void test_distance(void **state)
{
	(void)state;
	/* Beijing - Shanghai is about 1,067 km. */
	assert_near(fq_geo_distance_m(beijing, shanghai), 1067000.0, 1000.0);
	assert_near(fq_geo_distance_m(shanghai, beijing), fq_geo_distance_m(beijing, shanghai),
		    1e-6);
	/* One degree of a great circle. */
	assert_near(fq_geo_distance_m((struct fq_geo_point){0, 0}, (struct fq_geo_point){1, 0}),
		    FQ_GEO_EARTH_RADIUS_M * PI / 180.0, 1e-6);
	assert_near(
	    fq_geo_distance_m((struct fq_geo_point){0, 179.5}, (struct fq_geo_point){0, -179.5}),
	    FQ_GEO_EARTH_RADIUS_M * PI / 180.0, 1e-6);
	assert_near(fq_geo_distance_m(beijing, beijing), 0.0, 1e-9);
	/* Antipodes: half the circumference. */
	assert_near(fq_geo_distance_m((struct fq_geo_point){0, 0}, (struct fq_geo_point){0, 180}),
		    FQ_GEO_EARTH_RADIUS_M * PI, 1e-3);
}

static void test_destination(void **state)
{
	struct fq_geo_point p;

	(void)state;
	p = fq_geo_destination(beijing, 90.0, 1000.0);
	assert_near(fq_geo_distance_m(beijing, p), 1000.0, 1e-6);
	assert_near(p.lat, beijing.lat, 1e-4);
	assert_true(p.lon > beijing.lon);

	p = fq_geo_destination((struct fq_geo_point){10.0, 20.0}, 0.0,
			       FQ_GEO_EARTH_RADIUS_M * PI / 180.0);
	assert_near(p.lat, 11.0, 1e-9);
	assert_near(p.lon, 20.0, 1e-9);

	/* Across the antimeridian the longitude wraps. */
	p = fq_geo_destination((struct fq_geo_point){0.0, 179.9}, 90.0, 50000.0);
	assert_true(p.lon < -179.0);
	assert_true(fq_geo_valid(p));
}

static void test_bbox(void **state)
{
	struct fq_geo_bbox box;

	(void)state;
	box = fq_geo_bbox_around(shaoxing, 5000.0);
	for (int bearing = 0; bearing < 360; bearing += 5) {
		struct fq_geo_point p = fq_geo_destination(shaoxing, bearing, 4999.0);

		assert_true(fq_geo_bbox_contains(&box, p));
	}
	/* The box is tight at its sides. */
	assert_false(fq_geo_bbox_contains(&box, fq_geo_destination(shaoxing, 90.0, 5050.0)));
	assert_false(fq_geo_bbox_contains(&box, fq_geo_destination(shaoxing, 0.0, 5050.0)));
	assert_false(fq_geo_bbox_contains(&box, fq_geo_destination(shaoxing, 225.0, 7200.0)));

	/* Near a pole or the antimeridian: all longitudes. */
	box = fq_geo_bbox_around((struct fq_geo_point){89.99, 10.0}, 5000.0);
	assert_near(box.min_lon, -180.0, 0);
	assert_near(box.max_lon, 180.0, 0);
	assert_near(box.max_lat, 90.0, 0);
	box = fq_geo_bbox_around((struct fq_geo_point){0.0, 179.99}, 5000.0);
	assert_near(box.min_lon, -180.0, 0);
	assert_near(box.max_lon, 180.0, 0);

	box = fq_geo_bbox_around(shaoxing, -1.0);
	assert_true(fq_geo_bbox_contains(&box, shaoxing));
}

/* An L-shaped grid in Shaoxing: the square 30.00-30.02 N, 120.58-120.60 E minus its NE quarter. */
static const struct fq_geo_point l_shape[] = {
    {30.00, 120.58}, {30.00, 120.60}, {30.01, 120.60},
    {30.01, 120.59}, {30.02, 120.59}, {30.02, 120.58},
};

static void test_polygon_contains(void **state)
{
	struct fq_geo_point closed[7];

	(void)state;
	assert_true(fq_geo_polygon_contains(l_shape, 6, (struct fq_geo_point){30.005, 120.595}));
	assert_true(fq_geo_polygon_contains(l_shape, 6, (struct fq_geo_point){30.015, 120.585}));
	/* The missing quarter and outside. */
	assert_false(fq_geo_polygon_contains(l_shape, 6, (struct fq_geo_point){30.015, 120.595}));
	assert_false(fq_geo_polygon_contains(l_shape, 6, (struct fq_geo_point){30.025, 120.585}));
	assert_false(fq_geo_polygon_contains(l_shape, 6, (struct fq_geo_point){30.005, 120.570}));
	/* Same answers with the closing vertex repeated. */
	for (size_t i = 0; i < 6; i++)
		closed[i] = l_shape[i];
	closed[6] = l_shape[0];
	assert_true(fq_geo_polygon_contains(closed, 7, (struct fq_geo_point){30.005, 120.595}));
	assert_false(fq_geo_polygon_contains(closed, 7, (struct fq_geo_point){30.015, 120.595}));
	/* Degenerate rings contain nothing. */
	assert_false(fq_geo_polygon_contains(l_shape, 2, (struct fq_geo_point){30.0, 120.59}));
	assert_false(fq_geo_polygon_contains(NULL, 0, (struct fq_geo_point){30.0, 120.59}));
}

static void test_polygon_area_centroid(void **state)
{
	const struct fq_geo_point square[] = {
	    {30.00, 120.58}, {30.00, 120.60}, {30.02, 120.60}, {30.02, 120.58}, {30.00, 120.58}};
	double r = FQ_GEO_EARTH_RADIUS_M;
	/* Exact area of a latitude-longitude cell on the sphere. */
	double exact =
	    r * r * (0.02 * PI / 180.0) * (sin(30.02 * PI / 180.0) - sin(30.00 * PI / 180.0));
	struct fq_geo_point c;
	double area;

	(void)state;
	assert_int_equal(fq_geo_polygon_area_centroid(square, 5, &area, &c), 0);
	assert_near(area, exact, exact * 0.001);
	assert_near(c.lat, 30.01, 1e-5);
	assert_near(c.lon, 120.59, 1e-9);

	/* The L is three quarters of the square; its centroid leans south-west. */
	assert_int_equal(fq_geo_polygon_area_centroid(l_shape, 6, &area, &c), 0);
	assert_near(area, exact * 0.75, exact * 0.001);
	assert_near(c.lat, 30.00 + 0.02 * 5.0 / 12.0, 1e-5);
	assert_near(c.lon, 120.58 + 0.02 * 5.0 / 12.0, 1e-5);

	/* Clockwise order gives the same area. */
	{
		const struct fq_geo_point cw[] = {
		    {30.00, 120.58}, {30.02, 120.58}, {30.02, 120.60}, {30.00, 120.60}};

		assert_int_equal(fq_geo_polygon_area_centroid(cw, 4, &area, NULL), 0);
		assert_near(area, exact, exact * 0.001);
	}
}

static void test_polygon_area_errors(void **state)
{
	const struct fq_geo_point line[] = {{30.0, 120.0}, {30.1, 120.1}, {30.2, 120.2}};
	const struct fq_geo_point two[] = {{30.0, 120.0}, {30.1, 120.1}, {30.0, 120.0}};
	const struct fq_geo_point bad[] = {{30.0, 120.0}, {30.1, 190.0}, {30.2, 120.2}};
	double area = -1.0;

	(void)state;
	assert_int_equal(fq_geo_polygon_area_centroid(line, 3, &area, NULL), FQ_EINVAL);
	assert_int_equal(fq_geo_polygon_area_centroid(two, 3, &area, NULL), FQ_EINVAL);
	assert_int_equal(fq_geo_polygon_area_centroid(bad, 3, &area, NULL), FQ_EINVAL);
	assert_int_equal(fq_geo_polygon_area_centroid(line, 0, &area, NULL), FQ_EINVAL);
	assert_near(area, -1.0, 0);
}

/* Published results of the widely used formulas for (39.915 N, 116.404 E). */
static void test_crs_reference_values(void **state)
{
	const struct fq_geo_point p = {39.915, 116.404};
	struct fq_geo_point q;

	(void)state;
	q = fq_geo_wgs84_to_gcj02(p);
	assert_near(q.lon, 116.41024449916938, 1e-9);
	assert_near(q.lat, 39.91640428150164, 1e-9);
	q = fq_geo_gcj02_to_bd09(p);
	assert_near(q.lon, 116.41036949371029, 1e-9);
	assert_near(q.lat, 39.92133699351021, 1e-9);
	q = fq_geo_bd09_to_gcj02(p);
	assert_near(q.lon, 116.39762729119315, 1e-9);
	assert_near(q.lat, 39.90865673957631, 1e-9);
}

static void test_gcj02_round_trip(void **state)
{
	double worst = 0.0;

	(void)state;
	/* A grid over mainland China and Hainan. */
	for (double lat = 18.0; lat <= 53.0; lat += 0.7) {
		for (double lon = 74.0; lon <= 134.0; lon += 0.9) {
			struct fq_geo_point wgs = {lat, lon};
			struct fq_geo_point gcj = fq_geo_wgs84_to_gcj02(wgs);
			struct fq_geo_point back = fq_geo_gcj02_to_wgs84(gcj);
			double offset = fq_geo_distance_m(wgs, gcj);
			double e = fq_geo_distance_m(wgs, back);

			if (offset < 1.0)
				fail_msg("no GCJ-02 offset at %f %f", lat, lon);
			if (e > worst)
				worst = e;
		}
	}
	assert_true(worst < 0.5);
	assert_true(worst < 0.001);
}

static void test_gcj02_outside_china(void **state)
{
	const struct fq_geo_point london = {51.5074, -0.1278};
	struct fq_geo_point q;

	(void)state;
	assert_false(fq_geo_in_china(london));
	assert_true(fq_geo_in_china(shaoxing));
	q = fq_geo_wgs84_to_gcj02(london);
	assert_near(q.lat, london.lat, 0);
	assert_near(q.lon, london.lon, 0);
	q = fq_geo_gcj02_to_wgs84(london);
	assert_near(q.lat, london.lat, 0);
	assert_near(q.lon, london.lon, 0);
}

static void test_bd09_round_trip(void **state)
{
	(void)state;
	for (double lat = 18.0; lat <= 53.0; lat += 1.1) {
		for (double lon = 74.0; lon <= 134.0; lon += 1.3) {
			struct fq_geo_point gcj = {lat, lon};
			struct fq_geo_point bd = fq_geo_gcj02_to_bd09(gcj);
			struct fq_geo_point back = fq_geo_bd09_to_gcj02(bd);

			assert_true(fq_geo_distance_m(gcj, bd) > 100.0);
			assert_true(fq_geo_distance_m(gcj, back) < 0.5);
		}
	}
}

static void test_bd09_to_wgs84(void **state)
{
	struct fq_geo_point bd = fq_geo_gcj02_to_bd09(fq_geo_wgs84_to_gcj02(shaoxing));
	struct fq_geo_point back = fq_geo_bd09_to_wgs84(bd);

	(void)state;
	assert_true(fq_geo_distance_m(shaoxing, back) < 0.5);
}

static void test_crs_parse_and_convert(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	enum fq_geo_crs crs = FQ_GEO_BD09;
	struct fq_geo_point out;

	(void)state;
	assert_int_equal(fq_geo_crs_parse(NULL, "crs", &crs, &err), 0);
	assert_int_equal(crs, FQ_GEO_WGS84);
	assert_int_equal(fq_geo_crs_parse("GCJ-02", "crs", &crs, &err), 0);
	assert_int_equal(crs, FQ_GEO_GCJ02);
	assert_int_equal(fq_geo_crs_parse("bd09", "crs", &crs, &err), 0);
	assert_int_equal(crs, FQ_GEO_BD09);
	assert_int_equal(fq_geo_crs_parse("cgcs2000x", "crs", &crs, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "geo_crs");
	assert_string_equal(err.field, "crs");

	assert_int_equal(
	    fq_geo_to_wgs84(FQ_GEO_GCJ02, fq_geo_wgs84_to_gcj02(shaoxing), "location", &out, &err),
	    0);
	assert_true(fq_geo_distance_m(out, shaoxing) < 0.001);
	assert_int_equal(fq_geo_to_wgs84(FQ_GEO_WGS84, shaoxing, "location", &out, &err), 0);
	assert_near(out.lat, shaoxing.lat, 0);
	assert_int_equal(
	    fq_geo_to_wgs84(FQ_GEO_BD09, (struct fq_geo_point){NAN, 120.0}, "location", &out, &err),
	    FQ_EINVAL);
	assert_string_equal(err.machine, "geo_range");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_check_error),
	    cmocka_unit_test(test_distance),
	    cmocka_unit_test(test_destination),
	    cmocka_unit_test(test_bbox),
	    cmocka_unit_test(test_polygon_contains),
	    cmocka_unit_test(test_polygon_area_centroid),
	    cmocka_unit_test(test_polygon_area_errors),
	    cmocka_unit_test(test_crs_reference_values),
	    cmocka_unit_test(test_gcj02_round_trip),
	    cmocka_unit_test(test_gcj02_outside_china),
	    cmocka_unit_test(test_bd09_round_trip),
	    cmocka_unit_test(test_bd09_to_wgs84),
	    cmocka_unit_test(test_crs_parse_and_convert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
