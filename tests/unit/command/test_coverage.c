#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/coverage.h"
#include "core/timeutil.h"

#define PI	   3.14159265358979323846
#define M_PER_DEG  (FQ_GEO_EARTH_RADIUS_M * PI / 180.0)
#define NOW_MS	   INT64_C(1795000000000)
#define CAR_MPS	   (40.0 / 3.6)
#define ROAD	   1.3
#define CAR_TURN_S 30.0

static const struct fq_geo_point center = {30.0, 120.5};

static void assert_near(double got, double want, double tolerance)
{
	if (!(fabs(got - want) <= tolerance))
		fail_msg("got %.12f, want %.12f (tolerance %g)", got, want, tolerance);
}

/* The point east_m, north_m metres from center in its local plane. */
static struct fq_geo_point offset(double east_m, double north_m)
{
	struct fq_geo_point p;

	p.lat = center.lat + north_m / M_PER_DEG;
	p.lon = center.lon + east_m / (M_PER_DEG * cos(center.lat * PI / 180.0));
	return p;
}

/* A square of side 2 * half_m around center, counter-clockwise, closed. */
static void square(double half_m, struct fq_geo_point ring[5])
{
	ring[0] = offset(-half_m, -half_m);
	ring[1] = offset(half_m, -half_m);
	ring[2] = offset(half_m, half_m);
	ring[3] = offset(-half_m, half_m);
	ring[4] = ring[0];
}

static struct fq_eta_unit car_at(const char *id, struct fq_geo_point p)
{
	struct fq_eta_unit u = {id, FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, true,
				p,  NOW_MS - 1000};
	return u;
}

static int compute(struct fq_coverage *cov, struct fq_coverage_input *in, struct fq_err *err)
{
	struct fq_eta_config cfg;
	struct fq_eta_great_circle gc;

	fq_eta_config_init(&cfg);
	fq_eta_great_circle_init(&gc, &cfg);
	in->now_ms = NOW_MS;
	in->max_position_age_s = cfg.max_position_age_s;
	return fq_coverage_compute(cov, &gc.model, in, err);
}

/* Radius in metres a car covers within eta_s under the default model. */
static double car_radius_m(double eta_s)
{
	return (eta_s - CAR_TURN_S) * CAR_MPS / ROAD;
}

/*
 * Area of the disc of radius r centred on a square of half side a, clipped
 * to the square: four times the quadrant piece, integrating sqrt(r² - x²).
 */
static double clipped_disc_area(double r, double a)
{
	double x0, quadrant;

	if (r <= a)
		return PI * r * r;
	if (r >= a * sqrt(2.0))
		return 4 * a * a;
	x0 = sqrt(r * r - a * a);
#define F(x) (((x)*sqrt(r * r - (x) * (x)) + r * r * asin((x) / r)) / 2)
	quadrant = a * x0 + F(a) - F(x0);
#undef F
	return 4 * quadrant;
}

static void test_square_with_car_analytic(void **state)
{
	struct fq_geo_point ring[5];
	struct fq_eta_unit car = car_at("car", center);
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;
	double r1 = car_radius_m(60), r3 = car_radius_m(180);

	(void)state;
	square(1000, ring);
	in.outer = (struct fq_coverage_ring){ring, 5};
	in.cell_m = 25;
	in.units = &car;
	in.unit_count = 1;
	fq_coverage_init(&cov);
	assert_int_equal(compute(&cov, &in, &err), 0);
	assert_int_equal(cov.rows, 80);
	assert_int_equal(cov.cols, 80);
	assert_int_equal(cov.cell_count, 6400);
	assert_int_equal(cov.area.total, 6400);
	assert_near(cov.area_m2, 4e6, 4e6 * 1e-6);
	/* 256 m and 1,282 m: a full disc and one clipped by the square. */
	assert_near(r1, 256.41, 0.01);
	assert_near(r3, 1282.05, 0.01);
	assert_near(cov.area.share[0], PI * r1 * r1 / 4e6, 0.003);
	assert_near(cov.area.share[1], clipped_disc_area(r3, 1000) / 4e6, 0.005);
	/* The corners are 1,414 m away: 30 + 1838 m / 11.1 m/s = 195 s. */
	assert_near(cov.area.share[2], 1.0, 0);
	assert_int_equal(cov.area.within[2], 6400);
	assert_int_equal(cov.units_used, 1);
	assert_int_equal(cov.units_stale, 0);
	fq_coverage_release(&cov);
}

static void test_square_with_car_brute_force(void **state)
{
	struct fq_geo_point ring[5];
	struct fq_eta_unit car = car_at("car", center);
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;
	size_t within[3] = {0, 0, 0};

	(void)state;
	square(1000, ring);
	in.outer = (struct fq_coverage_ring){ring, 5};
	in.units = &car;
	in.unit_count = 1;
	fq_coverage_init(&cov);
	assert_int_equal(compute(&cov, &in, &err), 0);
	assert_near(cov.cell_m, 250, 0);
	assert_int_equal(cov.cell_count, 64);
	/* Independently: centres at +-125, +-375, +-625, +-875 m, planar distance. */
	for (int i = 0; i < 8; i++) {
		for (int k = 0; k < 8; k++) {
			double d = hypot(-875.0 + 250.0 * i, -875.0 + 250.0 * k);
			double eta_s = CAR_TURN_S + d * ROAD / CAR_MPS;

			within[0] += eta_s <= 60;
			within[1] += eta_s <= 180;
			within[2] += eta_s <= 300;
		}
	}
	assert_int_equal(within[0], 4);
	for (int b = 0; b < 3; b++)
		assert_int_equal(cov.area.within[b], within[b]);
	assert_near(cov.area.share[0], 4.0 / 64.0, 1e-12);
	assert_near(cov.area.share[1], 1.0, 0);
	for (size_t i = 0; i < cov.cell_count; i++) {
		const struct fq_coverage_cell *c = &cov.cells[i];
		double d = fq_geo_distance_m(center, c->center);

		assert_near(c->eta_s, CAR_TURN_S + d * ROAD / CAR_MPS, 1e-9);
		assert_int_equal(c->band, fq_eta_band(c->eta_s));
		assert_near(fabs(c->center.lat - center.lat) * M_PER_DEG,
			    fabs(-875.0 + 250.0 * c->row), 1e-6);
	}
	fq_coverage_release(&cov);
}

/* Every raster cell, checked with fq_geo_polygon_contains: the same set as cov's cells. */
static void assert_cells_match_contains(const struct fq_coverage *cov,
					const struct fq_coverage_input *in)
{
	size_t next = 0;

	for (uint32_t r = 0; r < cov->rows; r++) {
		for (uint32_t c = 0; c < cov->cols; c++) {
			struct fq_geo_point p = {cov->origin.lat + r * cov->cell_dlat,
						 cov->origin.lon + c * cov->cell_dlon};
			bool inside = fq_geo_polygon_contains(in->outer.points, in->outer.count, p);

			for (size_t h = 0; h < in->hole_count; h++)
				if (fq_geo_polygon_contains(in->holes[h].points, in->holes[h].count,
							    p))
					inside = false;
			if (!inside)
				continue;
			if (next >= cov->cell_count)
				fail_msg("cell %u,%u inside but missing", r, c);
			assert_int_equal(cov->cells[next].row, r);
			assert_int_equal(cov->cells[next].col, c);
			assert_near(cov->cells[next].center.lat, p.lat, 1e-12);
			assert_near(cov->cells[next].center.lon, p.lon, 1e-12);
			next++;
		}
	}
	assert_int_equal(next, cov->cell_count);
}

static void test_cells_outside_excluded(void **state)
{
	/* An L: a 3 x 3 km square without its north-east 2 x 2 km. */
	struct fq_geo_point ring[] = {offset(-1500, -1500), offset(1500, -1500),
				      offset(1500, -500),   offset(-500, -500),
				      offset(-500, 1500),   offset(-1500, 1500)};
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	in.outer = (struct fq_coverage_ring){ring, 6};
	in.cell_m = 100;
	fq_coverage_init(&cov);
	assert_int_equal(compute(&cov, &in, &err), 0);
	assert_int_equal(cov.rows, 30);
	assert_int_equal(cov.cols, 30);
	/* 9 km² - 4 km² at 100 m cells. */
	assert_int_equal(cov.cell_count, 500);
	assert_near(cov.area_m2, 5e6, 5e6 * 1e-4);
	for (size_t i = 0; i < cov.cell_count; i++) {
		const struct fq_coverage_cell *c = &cov.cells[i];

		assert_true(fq_geo_polygon_contains(ring, 6, c->center));
		assert_false(c->center.lat > offset(0, -500).lat &&
			     c->center.lon > offset(-500, 0).lon);
	}
	assert_cells_match_contains(&cov, &in);

	/* An irregular ring at an odd cell size agrees with the ray-casting test too. */
	{
		struct fq_geo_point star[24];

		for (int k = 0; k < 24; k++) {
			double angle = 2 * PI * k / 24;
			double radius_m = (k % 2 ? 1200.0 : 3000.0) + 300.0 * sin(3 * angle);

			star[k] = offset(radius_m * cos(angle), radius_m * sin(angle));
		}
		in.outer = (struct fq_coverage_ring){star, 24};
		in.cell_m = 37;
		assert_int_equal(compute(&cov, &in, &err), 0);
		assert_true(cov.cell_count > 1000);
		assert_cells_match_contains(&cov, &in);
		assert_near(cov.cell_count * 37.0 * 37.0, cov.area_m2, cov.area_m2 * 0.03);
	}
	fq_coverage_release(&cov);
}

static void test_hole_excluded(void **state)
{
	struct fq_geo_point outer[5], hole[5];
	struct fq_coverage_ring holes[1];
	struct fq_eta_unit car = car_at("car", offset(-900, -900));
	struct fq_geo_point alerts[] = {center, offset(800, 800)};
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	square(1000, outer);
	square(500, hole);
	holes[0] = (struct fq_coverage_ring){hole, 4}; /* open ring */
	in.outer = (struct fq_coverage_ring){outer, 5};
	in.holes = holes;
	in.hole_count = 1;
	in.units = &car;
	in.unit_count = 1;
	in.alerts = alerts;
	in.alert_count = 2;
	fq_coverage_init(&cov);
	assert_int_equal(compute(&cov, &in, &err), 0);
	/* 8 x 8 cells minus the 4 x 4 whose centres lie within +-500 m. */
	assert_int_equal(cov.cell_count, 48);
	assert_near(cov.area_m2, 3e6, 3e6 * 1e-5);
	for (size_t i = 0; i < cov.cell_count; i++)
		assert_false(fq_geo_polygon_contains(hole, 4, cov.cells[i].center));
	assert_cells_match_contains(&cov, &in);
	/* The alert in the hole is outside the jurisdiction. */
	assert_int_equal(cov.alerts.total, 1);
	assert_int_equal(cov.alerts_outside, 1);
	fq_coverage_release(&cov);
}

static void test_no_units_all_beyond(void **state)
{
	struct fq_geo_point ring[5];
	struct fq_geo_point alerts[] = {center, offset(100, 100)};
	struct fq_eta_unit busy = car_at("busy", center);
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;
	json_t *j;

	(void)state;
	busy.status = FQ_RESPONSE_UNIT_BUSY;
	square(1000, ring);
	in.outer = (struct fq_coverage_ring){ring, 5};
	in.alerts = alerts;
	in.alert_count = 2;
	fq_coverage_init(&cov);
	for (int pass = 0; pass < 2; pass++) {
		/* First no units at all, then only a busy one. */
		in.units = pass ? &busy : NULL;
		in.unit_count = (size_t)pass;
		assert_int_equal(compute(&cov, &in, &err), 0);
		assert_int_equal(cov.cell_count, 64);
		assert_int_equal(cov.units_used, 0);
		for (size_t i = 0; i < cov.cell_count; i++) {
			assert_true(isinf(cov.cells[i].eta_s));
			assert_int_equal(cov.cells[i].band, 0);
		}
		for (int b = 0; b < 3; b++) {
			assert_int_equal(cov.area.within[b], 0);
			assert_near(cov.area.share[b], 0, 0);
			assert_int_equal(cov.alerts.within[b], 0);
			assert_near(cov.alerts.share[b], 0, 0);
		}
		assert_int_equal(cov.area.total, 64);
		assert_int_equal(cov.alerts.total, 2);
	}
	j = fq_coverage_json(&cov);
	assert_non_null(j);
	assert_true(
	    json_is_null(json_array_get(json_array_get(json_object_get(j, "cells"), 0), 2)));
	json_decref(j);
	fq_coverage_release(&cov);
}

static void test_alert_shares_exact(void **state)
{
	struct fq_geo_point ring[5];
	struct fq_eta_unit units[] = {
	    car_at("car", center),
	    car_at("busy-near-far-alert", offset(2000, 2000)),
	    car_at("stale", offset(-2900, -2900)),
	};
	/*
	 * ETAs from the car at the centre: 100 m 41.7 s, 200 m 53.4 s (band 1);
	 * 500 m 88.5 s, 1,200 m 170.4 s (band 3); 1,400 m 193.8 s (band 5);
	 * 2,900 m 369 s (beyond). The last two are outside or invalid.
	 */
	struct fq_geo_point alerts[] = {
	    fq_geo_destination(center, 10, 100),
	    fq_geo_destination(center, 200, 200),
	    fq_geo_destination(center, 90, 500),
	    fq_geo_destination(center, 300, 1200),
	    fq_geo_destination(center, 180, 1400),
	    fq_geo_destination(center, 45, 2900),
	    offset(0, 3500),
	    {91.0, 120.5},
	};
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	units[1].status = FQ_RESPONSE_UNIT_EN_ROUTE;
	/* Stale units still cover, and are counted; this one is 4 km from the far alert. */
	units[2].position_at_ms = NOW_MS - 3600 * 1000;
	square(3000, ring);
	in.outer = (struct fq_coverage_ring){ring, 5};
	in.cell_m = 500;
	in.units = units;
	in.unit_count = 3;
	in.alerts = alerts;
	in.alert_count = 8;
	fq_coverage_init(&cov);
	assert_int_equal(compute(&cov, &in, &err), 0);
	assert_int_equal(cov.units_used, 2);
	assert_int_equal(cov.units_stale, 1);
	assert_int_equal(cov.alerts.total, 6);
	assert_int_equal(cov.alerts_outside, 2);
	assert_int_equal(cov.alerts.within[0], 2);
	assert_int_equal(cov.alerts.within[1], 4);
	assert_int_equal(cov.alerts.within[2], 5);
	assert_near(cov.alerts.share[0], 2.0 / 6.0, 1e-12);
	assert_near(cov.alerts.share[1], 4.0 / 6.0, 1e-12);
	assert_near(cov.alerts.share[2], 5.0 / 6.0, 1e-12);
	fq_coverage_release(&cov);
}

static void test_json(void **state)
{
	struct fq_geo_point ring[5];
	struct fq_eta_unit car = car_at("car", center);
	struct fq_geo_point alert = center;
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;
	json_t *j, *cells, *row, *area, *bands;

	(void)state;
	square(1000, ring);
	in.outer = (struct fq_coverage_ring){ring, 5};
	in.units = &car;
	in.unit_count = 1;
	in.alerts = &alert;
	in.alert_count = 1;
	fq_coverage_init(&cov);
	assert_int_equal(compute(&cov, &in, &err), 0);
	j = fq_coverage_json(&cov);
	assert_non_null(j);
	cells = json_object_get(j, "cells");
	assert_int_equal(json_array_size(cells), 64);
	row = json_array_get(cells, 0);
	assert_int_equal(json_array_size(row), 3);
	assert_near(json_real_value(json_array_get(row, 0)), cov.cells[0].center.lat, 1e-6);
	assert_near(json_real_value(json_array_get(row, 1)), cov.cells[0].center.lon, 1e-6);
	assert_int_equal(json_integer_value(json_array_get(row, 2)),
			 (json_int_t)ceil(cov.cells[0].eta_s));
	assert_int_equal(json_integer_value(json_object_get(j, "rows")), 8);
	assert_near(json_real_value(json_object_get(j, "cell_m")), 250, 0);
	area = json_object_get(j, "area");
	assert_int_equal(json_integer_value(json_object_get(area, "total")), 64);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(area, "within"), 0)), 4);
	assert_near(json_real_value(json_array_get(json_object_get(area, "share"), 0)), 0.0625,
		    1e-12);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "alerts"), "outside")), 0);
	assert_near(json_real_value(
			json_array_get(json_object_get(json_object_get(j, "alerts"), "share"), 0)),
		    1.0, 0);
	bands = json_object_get(j, "bands");
	assert_int_equal(json_array_size(bands), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(bands, 1), "label")),
			    "3分钟圈");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "units"), "used")),
			 1);
	json_decref(j);
	fq_coverage_release(&cov);
}

static void expect_error(struct fq_coverage_input *in, int code, const char *field)
{
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;

	fq_coverage_init(&cov);
	assert_int_equal(compute(&cov, in, &err), code);
	assert_string_equal(err.field, field);
	assert_null(cov.cells);
	assert_int_equal(cov.cell_count, 0);
}

/* The great-circle model without its batch hook: coverage asks pair by pair. */
static int compute_pairwise(struct fq_coverage *cov, struct fq_coverage_input *in,
			    struct fq_err *err)
{
	struct fq_eta_config cfg;
	struct fq_eta_great_circle gc;

	fq_eta_config_init(&cfg);
	fq_eta_great_circle_init(&gc, &cfg);
	gc.model.best_eta_s = NULL;
	in->now_ms = NOW_MS;
	in->max_position_age_s = cfg.max_position_age_s;
	return fq_coverage_compute(cov, &gc.model, in, err);
}

static void test_model_without_batch_hook(void **state)
{
	struct fq_geo_point ring[5];
	struct fq_eta_unit units[] = {
	    car_at("car", offset(-700, 300)),
	    car_at("foot", offset(400, -200)),
	    car_at("moto", offset(900, 900)),
	};
	struct fq_geo_point alerts[] = {offset(10, 10), offset(-990, 990), offset(400, -150)};
	struct fq_coverage_input in = {0};
	struct fq_coverage a, b;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	units[1].type = FQ_RESPONSE_UNIT_FOOT;
	units[2].type = FQ_RESPONSE_UNIT_MOTORBIKE;
	square(1000, ring);
	in.outer = (struct fq_coverage_ring){ring, 5};
	in.cell_m = 50;
	in.units = units;
	in.unit_count = 3;
	in.alerts = alerts;
	in.alert_count = 3;
	fq_coverage_init(&a);
	fq_coverage_init(&b);
	assert_int_equal(compute(&a, &in, &err), 0);
	assert_int_equal(compute_pairwise(&b, &in, &err), 0);
	assert_int_equal(a.cell_count, 1600);
	assert_int_equal(b.cell_count, a.cell_count);
	for (size_t i = 0; i < a.cell_count; i++) {
		double want = INFINITY;

		for (int u = 0; u < 3; u++) {
			double d = fq_geo_distance_m(units[u].position, a.cells[i].center);
			double speed_mps = (u == 0 ? 40.0 : u == 1 ? 5.0 : 35.0) / 3.6;
			double turnout_s = u == 0 ? 30.0 : u == 1 ? 10.0 : 20.0;

			want = fmin(want, turnout_s + d * ROAD / speed_mps);
		}
		assert_near(a.cells[i].eta_s, want, 1e-6);
		assert_near(b.cells[i].eta_s, want, 1e-9);
	}
	for (int k = 0; k < 3; k++) {
		assert_int_equal(a.area.within[k], b.area.within[k]);
		assert_int_equal(a.alerts.within[k], b.alerts.within[k]);
	}
	/* Only the alert 50 m from the foot unit is within 1 minute: 10 + 65 m / 1.39 m/s = 56.8 s.
	 */
	assert_int_equal(a.alerts.within[0], 1);
	assert_int_equal(a.alerts.total, 3);
	fq_coverage_release(&a);
	fq_coverage_release(&b);
}

static void test_errors(void **state)
{
	struct fq_geo_point ring[5], line[3] = {center, offset(100, 0), offset(200, 0)};
	struct fq_geo_point bad[5];
	struct fq_coverage_ring holes[2];
	struct fq_eta_unit car = car_at("car", center);
	struct fq_coverage_input in = {0};

	(void)state;
	square(1000, ring);
	square(500, bad);
	bad[2].lat = 100.0;
	in.outer = (struct fq_coverage_ring){line, 3};
	expect_error(&in, FQ_EINVAL, "boundary");
	in.outer = (struct fq_coverage_ring){ring, 2};
	expect_error(&in, FQ_EINVAL, "boundary");
	in.outer = (struct fq_coverage_ring){NULL, 0};
	expect_error(&in, FQ_EINVAL, "boundary");
	in.outer = (struct fq_coverage_ring){ring, 5};
	holes[0] = (struct fq_coverage_ring){line, 3};
	holes[1] = (struct fq_coverage_ring){bad, 4};
	in.holes = holes;
	in.hole_count = 2;
	expect_error(&in, FQ_EINVAL, "holes[0]");
	holes[0] = holes[1];
	expect_error(&in, FQ_EINVAL, "holes[0]");
	in.hole_count = 0;
	in.cell_m = 5;
	expect_error(&in, FQ_EINVAL, "cell_m");
	in.cell_m = NAN;
	expect_error(&in, FQ_EINVAL, "cell_m");
	in.cell_m = 20000;
	expect_error(&in, FQ_EINVAL, "cell_m");
	in.cell_m = 0;
	in.units = &car;
	in.unit_count = 1;
	car.type = (enum fq_response_unit_type)77;
	expect_error(&in, FQ_EINVAL, "units[0].type");
	car.type = FQ_RESPONSE_UNIT_CAR;
	in.alert_count = FQ_COVERAGE_ALERTS_MAX + 1;
	expect_error(&in, FQ_ETOOBIG, "alerts");
	in.alert_count = 0;
	/* 200 x 200 km at 10 m would be 400 million cells. */
	square(100000, ring);
	in.cell_m = 10;
	expect_error(&in, FQ_ETOOBIG, "cell_m");
	/* A zigzag of 5,000 edges each spanning all 1,000 rows of a 100 km strip. */
	{
		enum { ZIGZAG = 5000 };
		struct fq_geo_point *zigzag = malloc(ZIGZAG * sizeof(*zigzag));

		for (int k = 0; k < ZIGZAG; k++)
			zigzag[k] = offset(k * 0.2, k % 2 ? 50000.0 : -50000.0 + k);
		in.outer = (struct fq_coverage_ring){zigzag, ZIGZAG};
		in.cell_m = 100;
		expect_error(&in, FQ_ETOOBIG, "boundary");
		free(zigzag);
	}
}

/*
 * The town of GLOSSARY.md: an irregular 374 km² boundary at 250 m (about
 * 6,000 cells), 50 units of every type, 20,000 alerts.
 */
static void test_town_sized(void **state)
{
	enum { VERTICES = 360, UNITS = 50, ALERTS = 20000 };
	struct fq_geo_point *ring = malloc(VERTICES * sizeof(*ring));
	struct fq_geo_point *alerts = malloc(ALERTS * sizeof(*alerts));
	struct fq_eta_unit units[UNITS];
	char ids[UNITS][16];
	struct fq_coverage_input in = {0};
	struct fq_coverage cov;
	struct fq_err err = FQ_ERR_INIT;
	double shape_area = 0, scale, ms;
	uint64_t seed = 42;
	int64_t t0;

	(void)state;
	/* r(θ) = 1 + 0.25 sin 3θ + 0.1 cos 7θ, scaled to 374 km². */
	for (int k = 0; k < VERTICES; k++) {
		double a = 2 * PI * k / VERTICES, b = 2 * PI * (k + 1) / VERTICES;
		double ra = 1 + 0.25 * sin(3 * a) + 0.1 * cos(7 * a);
		double rb = 1 + 0.25 * sin(3 * b) + 0.1 * cos(7 * b);

		shape_area += 0.5 * ra * rb * sin(b - a);
	}
	scale = sqrt(374e6 / shape_area);
	for (int k = 0; k < VERTICES; k++) {
		double a = 2 * PI * k / VERTICES;
		double r = scale * (1 + 0.25 * sin(3 * a) + 0.1 * cos(7 * a));

		ring[k] = offset(r * cos(a), r * sin(a));
	}
	for (int i = 0; i < UNITS + ALERTS; i++) {
		double u, v;
		struct fq_geo_point p;

		do {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			u = (double)(seed >> 11) / 9007199254740992.0;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			v = (double)(seed >> 11) / 9007199254740992.0;
			p = offset((u - 0.5) * 2.6 * scale, (v - 0.5) * 2.6 * scale);
		} while (!fq_geo_polygon_contains(ring, VERTICES, p));
		if (i < UNITS) {
			snprintf(ids[i], sizeof(ids[i]), "u%02d", i);
			units[i] = car_at(ids[i], p);
			units[i].type =
			    (enum fq_response_unit_type)(i % FQ_RESPONSE_UNIT_TYPE_COUNT);
		} else {
			alerts[i - UNITS] = p;
		}
	}
	in.outer = (struct fq_coverage_ring){ring, VERTICES};
	in.units = units;
	in.unit_count = UNITS;
	in.alerts = alerts;
	in.alert_count = ALERTS;
	fq_coverage_init(&cov);
	t0 = fq_mono_ns();
	assert_int_equal(compute(&cov, &in, &err), 0);
	ms = (double)(fq_mono_ns() - t0) / 1e6;
	print_message("town coverage: %zu cells, %d units, %d alerts, %.0f km2: %.2f ms "
		      "(area <=1/3/5 min %.3f %.3f %.3f, alerts %.3f %.3f %.3f)\n",
		      cov.cell_count, UNITS, ALERTS, cov.area_m2 / 1e6, ms, cov.area.share[0],
		      cov.area.share[1], cov.area.share[2], cov.alerts.share[0],
		      cov.alerts.share[1], cov.alerts.share[2]);
	assert_near(cov.area_m2, 374e6, 374e6 * 0.001);
	assert_near((double)cov.cell_count, 374e6 / (250.0 * 250.0),
		    374e6 / (250.0 * 250.0) * 0.02);
	assert_int_equal(cov.alerts.total + cov.alerts_outside, ALERTS);
	assert_true(cov.alerts_outside <= 5);
	/*
	 * The time is printed, not asserted: timings belong in benchmarks, and a loaded
	 * machine must not fail the tests (docs/dispatch.md has the release build's figure).
	 */
	fq_coverage_release(&cov);
	free(ring);
	free(alerts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_square_with_car_analytic),
	    cmocka_unit_test(test_square_with_car_brute_force),
	    cmocka_unit_test(test_cells_outside_excluded),
	    cmocka_unit_test(test_hole_excluded),
	    cmocka_unit_test(test_no_units_all_beyond),
	    cmocka_unit_test(test_alert_shares_exact),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_model_without_batch_hook),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_town_sized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
