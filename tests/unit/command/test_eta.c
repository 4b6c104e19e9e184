#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "command/eta.h"

#define NOW_MS INT64_C(1795000000000)

static const struct fq_geo_point incident = {30.0, 120.5};

static void assert_near(double got, double want, double tolerance)
{
	if (!(fabs(got - want) <= tolerance))
		fail_msg("got %.12f, want %.12f (tolerance %g)", got, want, tolerance);
}

/* The point distance_m from incident at bearing_deg. */
static struct fq_geo_point at(double bearing_deg, double distance_m)
{
	return fq_geo_destination(incident, bearing_deg, distance_m);
}

static struct fq_eta_unit unit(const char *id, enum fq_response_unit_type type,
			       enum fq_response_unit_status status, struct fq_geo_point p)
{
	struct fq_eta_unit u = {id, type, status, true, p, NOW_MS - 5000};
	return u;
}

static void test_type_codes_and_labels(void **state)
{
	static const char *const codes[] = {"car", "foot", "motorbike", "auxiliary_team",
					    "volunteer_team"};
	static const char *const labels[] = {"巡逻车", "步巡", "摩托车", "辅警队", "志愿者队"};

	(void)state;
	assert_int_equal(FQ_RESPONSE_UNIT_TYPE_COUNT, 5);
	for (int t = 0; t < FQ_RESPONSE_UNIT_TYPE_COUNT; t++) {
		assert_string_equal(fq_response_unit_type_code((enum fq_response_unit_type)t),
				    codes[t]);
		assert_string_equal(fq_response_unit_type_label((enum fq_response_unit_type)t),
				    labels[t]);
		assert_int_equal(fq_response_unit_type_from_code(codes[t]), t);
	}
	assert_null(fq_response_unit_type_code(FQ_RESPONSE_UNIT_TYPE_COUNT));
	assert_null(fq_response_unit_type_label((enum fq_response_unit_type) - 1));
	assert_int_equal(fq_response_unit_type_from_code("Car"), -1);
	assert_int_equal(fq_response_unit_type_from_code(""), -1);
}

static void test_status_codes_and_dispatchable(void **state)
{
	static const char *const codes[] = {"available", "dispatched", "en_route",
					    "on_scene",	 "busy",       "off_duty"};
	static const char *const labels[] = {"空闲", "已派", "在途", "到场", "忙碌", "下班"};

	(void)state;
	assert_int_equal(FQ_RESPONSE_UNIT_STATUS_COUNT, 6);
	for (int s = 0; s < FQ_RESPONSE_UNIT_STATUS_COUNT; s++) {
		enum fq_response_unit_status status = (enum fq_response_unit_status)s;

		assert_string_equal(fq_response_unit_status_code(status), codes[s]);
		assert_string_equal(fq_response_unit_status_label(status), labels[s]);
		assert_int_equal(fq_response_unit_status_from_code(codes[s]), s);
		assert_int_equal(fq_response_unit_status_dispatchable(status),
				 status == FQ_RESPONSE_UNIT_AVAILABLE);
	}
	assert_null(fq_response_unit_status_code(FQ_RESPONSE_UNIT_STATUS_COUNT));
	assert_int_equal(fq_response_unit_status_from_code("idle"), -1);
	assert_false(fq_response_unit_status_dispatchable(FQ_RESPONSE_UNIT_STATUS_COUNT));
}

static void test_defaults(void **state)
{
	struct fq_eta_config cfg;

	(void)state;
	fq_eta_config_init(&cfg);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_CAR], 40.0, 0);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_MOTORBIKE], 35.0, 0);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_FOOT], 5.0, 0);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_AUXILIARY_TEAM], 5.0, 0);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_VOLUNTEER_TEAM], 4.0, 0);
	assert_near(cfg.turnout_s[FQ_RESPONSE_UNIT_CAR], 30.0, 0);
	assert_near(cfg.road_factor, 1.3, 0);
	assert_int_equal(cfg.max_position_age_s, 600);
}

static void test_great_circle_known_distance(void **state)
{
	struct fq_eta_config cfg;
	struct fq_eta_great_circle gc;
	const struct fq_eta_model *m = &gc.model;
	struct fq_geo_point north_1km = at(0.0, 1000.0);

	(void)state;
	assert_near(fq_geo_distance_m(incident, north_1km), 1000.0, 1e-6);
	fq_eta_config_init(&cfg);
	fq_eta_great_circle_init(&gc, &cfg);
	/* 1 km x 1.3 = 1.3 km of road; at 40 km/h that is 117 s, plus 30 s turnout. */
	assert_near(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_CAR), 147.0, 1e-6);
	/* Same distance back. */
	assert_near(m->eta_s(m, north_1km, incident, FQ_RESPONSE_UNIT_CAR), 147.0, 1e-6);
	/* Foot: 1300 m at 5 km/h = 936 s, plus 10 s. */
	assert_near(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_FOOT), 946.0, 1e-6);
	/* Motorbike: 1300 m at 35 km/h = 133.714... s, plus 20 s. */
	assert_near(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_MOTORBIKE),
		    20.0 + 1300.0 * 3.6 / 35.0, 1e-6);
	assert_near(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_VOLUNTEER_TEAM),
		    120.0 + 1300.0 * 3.6 / 4.0, 1e-6);
	/* No distance: the turnout alone. */
	assert_near(m->eta_s(m, incident, incident, FQ_RESPONSE_UNIT_AUXILIARY_TEAM), 60.0, 1e-9);

	/* The configuration is copied and every part of it counts. */
	cfg.road_factor = 1.0;
	cfg.speed_kmh[FQ_RESPONSE_UNIT_CAR] = 36.0;
	cfg.turnout_s[FQ_RESPONSE_UNIT_CAR] = 0.0;
	assert_near(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_CAR), 147.0, 1e-6);
	fq_eta_great_circle_init(&gc, &cfg);
	assert_near(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_CAR), 100.0, 1e-6);
	cfg.road_factor = 2.0;
	fq_eta_great_circle_init(&gc, &cfg);
	assert_near(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_CAR), 200.0, 1e-6);
	assert_true(isinf(m->eta_s(m, incident, north_1km, FQ_RESPONSE_UNIT_TYPE_COUNT)));
}

static void test_bands_at_boundaries(void **state)
{
	(void)state;
	assert_int_equal(fq_eta_band(0.0), 1);
	assert_int_equal(fq_eta_band(-5.0), 1);
	assert_int_equal(fq_eta_band(60.0), 1);
	assert_int_equal(fq_eta_band(60.001), 3);
	assert_int_equal(fq_eta_band(61.0), 3);
	assert_int_equal(fq_eta_band(180.0), 3);
	assert_int_equal(fq_eta_band(181.0), 5);
	assert_int_equal(fq_eta_band(300.0), 5);
	assert_int_equal(fq_eta_band(300.5), 0);
	assert_int_equal(fq_eta_band(301.0), 0);
	assert_int_equal(fq_eta_band(INFINITY), 0);
	assert_int_equal(fq_eta_band(NAN), 0);
	assert_string_equal(fq_eta_band_label(1), "1分钟圈");
	assert_string_equal(fq_eta_band_label(3), "3分钟圈");
	assert_string_equal(fq_eta_band_label(5), "5分钟圈");
	assert_string_equal(fq_eta_band_label(0), "5分钟外");
	assert_null(fq_eta_band_label(2));
	assert_int_equal(fq_eta_band_of_index(0), 1);
	assert_int_equal(fq_eta_band_of_index(2), 5);
	assert_int_equal(fq_eta_band_of_index(3), 0);
	assert_int_equal(fq_eta_band_max_s(0), 60);
	assert_int_equal(fq_eta_band_max_s(1), 180);
	assert_int_equal(fq_eta_band_max_s(2), 300);
	assert_int_equal(fq_eta_band_max_s(3), 0);
}

static int rank(struct fq_eta_ranking *r, const struct fq_eta_unit *units, size_t n)
{
	struct fq_eta_config cfg;
	struct fq_eta_great_circle gc;
	struct fq_err err = FQ_ERR_INIT;

	fq_eta_config_init(&cfg);
	fq_eta_great_circle_init(&gc, &cfg);
	return fq_eta_rank(r, &gc.model, incident, units, n, NOW_MS, cfg.max_position_age_s, &err);
}

static void test_rank_order_and_ties(void **state)
{
	/*
	 * ETAs: car 2 km away 30 + 234 = 264 s (band 5); foot 50 m 10 + 46.8 =
	 * 56.8 s (band 1); motorbike 500 m 20 + 66.857 = 86.857 s (band 3); two
	 * cars at the same place tie at 30 + 117 = 147 s and go by id.
	 */
	struct fq_eta_unit units[] = {
	    unit("u-car-far", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(90, 2000)),
	    unit("u-tie-b", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(180, 1000)),
	    unit("u-foot", FQ_RESPONSE_UNIT_FOOT, FQ_RESPONSE_UNIT_AVAILABLE, at(10, 50)),
	    unit("u-tie-a", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(180, 1000)),
	    unit("u-moto", FQ_RESPONSE_UNIT_MOTORBIKE, FQ_RESPONSE_UNIT_AVAILABLE, at(270, 500)),
	};
	static const char *const order[] = {"u-foot", "u-moto", "u-tie-a", "u-tie-b", "u-car-far"};
	static const size_t index[] = {2, 4, 3, 1, 0};
	static const double eta[] = {10.0 + 65.0 * 3.6 / 5.0, 20.0 + 650.0 * 3.6 / 35.0, 147.0,
				     147.0, 30.0 + 2600.0 * 3.6 / 40.0};
	static const double distance[] = {50, 500, 1000, 1000, 2000};
	static const int band[] = {1, 3, 3, 3, 5};
	struct fq_eta_ranking r;

	(void)state;
	fq_eta_ranking_init(&r);
	assert_int_equal(rank(&r, units, 5), 0);
	assert_int_equal(r.count, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(r.items[i].id, order[i]);
		assert_int_equal(r.items[i].unit_index, index[i]);
		assert_int_equal(r.items[i].type, units[index[i]].type);
		assert_near(r.items[i].eta_s, eta[i], 1e-6);
		assert_near(r.items[i].distance_m, distance[i], 1e-6);
		assert_int_equal(r.items[i].band, band[i]);
		assert_int_equal(r.items[i].position_age_s, 5);
		assert_false(r.items[i].stale);
	}
	assert_false(r.none_within_5min);
	assert_int_equal(r.stale_count, 0);
	assert_int_equal(r.unlocated_count, 0);

	/* Ranking again replaces the previous result. */
	assert_int_equal(rank(&r, units, 1), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.items[0].id, "u-car-far");
	fq_eta_ranking_release(&r);
	assert_null(r.items);
	assert_int_equal(r.count, 0);
}

static void test_rank_only_available(void **state)
{
	struct fq_eta_unit units[] = {
	    unit("dispatched", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_DISPATCHED, at(0, 10)),
	    unit("en-route", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_EN_ROUTE, at(0, 10)),
	    unit("on-scene", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_ON_SCENE, at(0, 10)),
	    unit("busy", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_BUSY, at(0, 10)),
	    unit("off", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_OFF_DUTY, at(0, 10)),
	    unit("free", FQ_RESPONSE_UNIT_VOLUNTEER_TEAM, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 3000)),
	    unit("nowhere", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 10)),
	    unit("bad-point", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 10)),
	};
	struct fq_eta_ranking r;

	(void)state;
	units[6].has_position = false;
	units[7].position.lat = 95.0;
	fq_eta_ranking_init(&r);
	assert_int_equal(rank(&r, units, 8), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.items[0].id, "free");
	assert_int_equal(r.items[0].band, 0);
	assert_int_equal(r.unlocated_count, 2);
	/* The only available unit is 3 km on foot: nothing within 5 minutes. */
	assert_true(r.none_within_5min);
	fq_eta_ranking_release(&r);
}

static void test_rank_warning(void **state)
{
	struct fq_eta_unit units[] = {
	    unit("far-car", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(45, 2500)),
	    unit("near-busy", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_BUSY, at(45, 100)),
	    unit("edge-car", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(45, 2300)),
	};
	struct fq_eta_ranking r;

	(void)state;
	fq_eta_ranking_init(&r);
	/* 30 + 2500 * 0.117 = 322.5 s: beyond, and the busy one does not count. */
	assert_int_equal(rank(&r, units, 2), 0);
	assert_int_equal(r.count, 1);
	assert_true(r.none_within_5min);
	/* 30 + 2300 * 0.117 = 299.1 s: inside the 5-minute circle. */
	assert_int_equal(rank(&r, units, 3), 0);
	assert_int_equal(r.count, 2);
	assert_string_equal(r.items[0].id, "edge-car");
	assert_int_equal(r.items[0].band, 5);
	assert_false(r.none_within_5min);
	/* No units at all. */
	assert_int_equal(rank(&r, units, 0), 0);
	assert_int_equal(r.count, 0);
	assert_null(r.items);
	assert_true(r.none_within_5min);
	fq_eta_ranking_release(&r);
}

static void test_rank_stale_positions(void **state)
{
	struct fq_eta_unit units[] = {
	    unit("stale-near", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 100)),
	    unit("at-limit", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 2800)),
	    unit("future", FQ_RESPONSE_UNIT_FOOT, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 3000)),
	};
	struct fq_eta_ranking r;

	(void)state;
	units[0].position_at_ms = NOW_MS - 601 * 1000;
	units[1].position_at_ms = NOW_MS - 600 * 1000;
	units[2].position_at_ms = NOW_MS + 60 * 1000;
	fq_eta_ranking_init(&r);
	assert_int_equal(rank(&r, units, 3), 0);
	assert_int_equal(r.count, 3);
	/* Stale units are still ranked by ETA, but flagged. */
	assert_string_equal(r.items[0].id, "stale-near");
	assert_true(r.items[0].stale);
	assert_int_equal(r.items[0].position_age_s, 601);
	assert_int_equal(r.items[0].band, 1);
	assert_string_equal(r.items[1].id, "at-limit");
	assert_false(r.items[1].stale);
	assert_int_equal(r.items[1].position_age_s, 600);
	assert_string_equal(r.items[2].id, "future");
	assert_false(r.items[2].stale);
	assert_int_equal(r.items[2].position_age_s, 0);
	assert_int_equal(r.stale_count, 1);
	/* Only the stale unit is within 5 minutes, so the warning stays on. */
	assert_true(r.none_within_5min);

	/* A larger limit makes it fresh and lifts the warning. */
	{
		struct fq_eta_config cfg;
		struct fq_eta_great_circle gc;
		struct fq_err err = FQ_ERR_INIT;

		fq_eta_config_init(&cfg);
		fq_eta_great_circle_init(&gc, &cfg);
		assert_int_equal(fq_eta_rank(&r, &gc.model, incident, units, 3, NOW_MS, 3600, &err),
				 0);
		assert_int_equal(r.stale_count, 0);
		assert_false(r.items[0].stale);
		assert_false(r.none_within_5min);
	}
	fq_eta_ranking_release(&r);
}

static void test_rank_errors(void **state)
{
	struct fq_eta_unit units[] = {
	    unit("a", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 100)),
	    unit("b", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 100)),
	};
	struct fq_eta_config cfg;
	struct fq_eta_great_circle gc;
	struct fq_eta_ranking r;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	fq_eta_config_init(&cfg);
	fq_eta_great_circle_init(&gc, &cfg);
	fq_eta_ranking_init(&r);
	assert_int_equal(fq_eta_rank(&r, &gc.model, (struct fq_geo_point){91.0, 0.0}, units, 2,
				     NOW_MS, 600, &err),
			 FQ_EINVAL);
	assert_string_equal(err.machine, "geo_range");
	assert_string_equal(err.field, "location");

	units[1].type = FQ_RESPONSE_UNIT_TYPE_COUNT;
	assert_int_equal(fq_eta_rank(&r, &gc.model, incident, units, 2, NOW_MS, 600, &err),
			 FQ_EINVAL);
	assert_string_equal(err.field, "units[1].type");
	assert_int_equal(r.count, 0);
	units[1].type = FQ_RESPONSE_UNIT_CAR;
	units[1].status = (enum fq_response_unit_status)99;
	assert_int_equal(fq_eta_rank(&r, &gc.model, incident, units, 2, NOW_MS, 600, &err),
			 FQ_EINVAL);
	assert_string_equal(err.field, "units[1].status");
	assert_int_equal(
	    fq_eta_rank(&r, &gc.model, incident, units, FQ_ETA_UNITS_MAX + 1, NOW_MS, 600, &err),
	    FQ_ETOOBIG);
	assert_string_equal(err.field, "units");
	fq_eta_ranking_release(&r);
}

/* A model that is not the great-circle one: a fixed time per type. */
static double fixed_eta_s(const struct fq_eta_model *model, struct fq_geo_point from,
			  struct fq_geo_point to, enum fq_response_unit_type type)
{
	(void)model;
	(void)from;
	(void)to;
	return type == FQ_RESPONSE_UNIT_FOOT ? 20.0 : INFINITY;
}

static void test_rank_with_another_model(void **state)
{
	struct fq_eta_model fixed = {fixed_eta_s, NULL};
	struct fq_eta_unit units[] = {
	    unit("car", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 10)),
	    unit("foot", FQ_RESPONSE_UNIT_FOOT, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 5000)),
	};
	struct fq_eta_ranking r;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	fq_eta_ranking_init(&r);
	assert_int_equal(fq_eta_rank(&r, &fixed, incident, units, 2, NOW_MS, 600, &err), 0);
	assert_int_equal(r.count, 2);
	assert_string_equal(r.items[0].id, "foot");
	assert_near(r.items[0].eta_s, 20.0, 0);
	assert_near(r.items[0].distance_m, 5000.0, 1e-6);
	assert_string_equal(r.items[1].id, "car");
	assert_true(isinf(r.items[1].eta_s));
	assert_int_equal(r.items[1].band, 0);
	assert_false(r.none_within_5min);
	fq_eta_ranking_release(&r);
}

static void test_ranking_json(void **state)
{
	struct fq_eta_unit units[] = {
	    unit("u-1", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, at(0, 1000)),
	};
	struct fq_eta_ranking r;
	json_t *j, *item;

	(void)state;
	units[0].id = "u-1";
	fq_eta_ranking_init(&r);
	assert_int_equal(rank(&r, units, 1), 0);
	r.items[0].eta_s = 60.2; /* rounds up to 61: still band 3 once shown */
	r.items[0].band = fq_eta_band(60.2);
	j = fq_eta_ranking_json(&r);
	assert_non_null(j);
	assert_true(json_is_false(json_object_get(j, "none_within_5min")));
	assert_int_equal(json_integer_value(json_object_get(j, "stale_count")), 0);
	item = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "unit_id")), "u-1");
	assert_string_equal(json_string_value(json_object_get(item, "type")), "car");
	assert_string_equal(json_string_value(json_object_get(item, "type_label")), "巡逻车");
	assert_int_equal(json_integer_value(json_object_get(item, "eta_s")), 61);
	assert_int_equal(json_integer_value(json_object_get(item, "distance_m")), 1000);
	assert_int_equal(json_integer_value(json_object_get(item, "band")), 3);
	assert_string_equal(json_string_value(json_object_get(item, "band_label")), "3分钟圈");
	assert_int_equal(json_integer_value(json_object_get(item, "position_age_s")), 5);
	assert_true(json_is_false(json_object_get(item, "stale")));
	json_decref(j);

	r.items[0].eta_s = INFINITY;
	j = fq_eta_ranking_json(&r);
	item = json_array_get(json_object_get(j, "items"), 0);
	assert_true(json_is_null(json_object_get(item, "eta_s")));
	json_decref(j);
	fq_eta_ranking_release(&r);
}

static double next_unit(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*seed >> 11) / 9007199254740992.0;
}

static void test_best_eta_matches_pairwise(void **state)
{
	enum { ORIGINS = 40, PLACES = 500 };
	struct fq_geo_point from[ORIGINS], to[PLACES + 2];
	enum fq_response_unit_type types[ORIGINS];
	double fast[PLACES + 2], slow[PLACES + 2];
	struct fq_eta_config cfg;
	struct fq_eta_great_circle gc, pairwise;
	uint64_t seed = 7;

	(void)state;
	fq_eta_config_init(&cfg);
	fq_eta_great_circle_init(&gc, &cfg);
	pairwise = gc;
	pairwise.model.best_eta_s = NULL;
	assert_non_null(gc.model.best_eta_s);
	for (int i = 0; i < ORIGINS; i++) {
		from[i] = at(360 * next_unit(&seed), 20000 * next_unit(&seed));
		types[i] = (enum fq_response_unit_type)(i % FQ_RESPONSE_UNIT_TYPE_COUNT);
	}
	for (int j = 0; j < PLACES; j++)
		to[j] = at(360 * next_unit(&seed), 25000 * next_unit(&seed));
	to[PLACES] = from[3];				      /* on a unit: its turnout */
	to[PLACES + 1] = (struct fq_geo_point){-30.0, -59.5}; /* the antipode */
	fq_eta_best_s(&gc.model, from, types, ORIGINS, to, PLACES + 2, fast);
	fq_eta_best_s(&pairwise.model, from, types, ORIGINS, to, PLACES + 2, slow);
	for (int j = 0; j < PLACES + 2; j++) {
		double by_hand = INFINITY;

		for (int i = 0; i < ORIGINS; i++)
			by_hand =
			    fmin(by_hand, gc.model.eta_s(&gc.model, from[i], to[j], types[i]));
		assert_near(slow[j], by_hand, 0);
		assert_near(fast[j], by_hand, 1e-6 * fmax(1.0, by_hand / 1000.0));
	}
	assert_near(fast[PLACES], cfg.turnout_s[types[3]], 1e-6);
	/* No origins: nothing reaches anything. */
	fq_eta_best_s(&gc.model, from, types, 0, to, 3, fast);
	fq_eta_best_s(&pairwise.model, from, types, 0, to, 3, slow);
	for (int j = 0; j < 3; j++) {
		assert_true(isinf(fast[j]));
		assert_true(isinf(slow[j]));
	}
}

/* Parse text, apply it to defaults; returns the code and leaves err set. */
static int apply(const char *text, struct fq_eta_config *cfg, struct fq_err *err)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	int rc;

	if (!j)
		fail_msg("bad test JSON %s: %s", text, je.text);
	fq_eta_config_init(cfg);
	fq_err_clear(err);
	rc = fq_eta_config_from_json(cfg, j, err);
	json_decref(j);
	return rc;
}

static void expect_error(const char *text, const char *field, const char *machine)
{
	struct fq_eta_config cfg, defaults;
	struct fq_err err = FQ_ERR_INIT;

	fq_eta_config_init(&defaults);
	if (apply(text, &cfg, &err) != FQ_EINVAL)
		fail_msg("accepted %s", text);
	if (strcmp(err.field, field) != 0 || strcmp(err.machine, machine) != 0)
		fail_msg("%s: field \"%s\" machine \"%s\", want \"%s\" \"%s\"", text, err.field,
			 err.machine, field, machine);
	assert_true(strlen(err.message) > 0);
	/* Nothing of a refused object is applied. */
	assert_memory_equal(&cfg, &defaults, sizeof(cfg));
}

static void test_config_from_json(void **state)
{
	struct fq_eta_config cfg;
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	assert_int_equal(apply("{}", &cfg, &err), 0);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_CAR], 40.0, 0);
	assert_int_equal(apply("{\"road_factor\": 1.5, \"max_position_age_s\": 300,"
			       " \"speed_kmh\": {\"car\": 50, \"auxiliary_team\": 15.5},"
			       " \"turnout_s\": {\"volunteer_team\": 0}}",
			       &cfg, &err),
			 0);
	assert_near(cfg.road_factor, 1.5, 0);
	assert_int_equal(cfg.max_position_age_s, 300);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_CAR], 50.0, 0);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_AUXILIARY_TEAM], 15.5, 0);
	assert_near(cfg.speed_kmh[FQ_RESPONSE_UNIT_FOOT], 5.0, 0);
	assert_near(cfg.turnout_s[FQ_RESPONSE_UNIT_VOLUNTEER_TEAM], 0.0, 0);
	assert_near(cfg.turnout_s[FQ_RESPONSE_UNIT_CAR], 30.0, 0);
	/* The limits themselves are allowed. */
	assert_int_equal(apply("{\"road_factor\": 1.0, \"speed_kmh\": {\"car\": 200}}", &cfg, &err),
			 0);
	assert_int_equal(apply("{\"road_factor\": 3, \"speed_kmh\": {\"foot\": 0.5}}", &cfg, &err),
			 0);
	assert_near(cfg.road_factor, 3.0, 0);
	assert_int_equal(apply("{\"road_factor\": null}", &cfg, &err), 0);
	assert_near(cfg.road_factor, 1.3, 0);
}

static void test_config_errors_name_the_field(void **state)
{
	(void)state;
	expect_error("{\"speed_kmh\": {\"car\": 0}}", "speed_kmh.car", "out_of_range");
	expect_error("{\"speed_kmh\": {\"motorbike\": -3}}", "speed_kmh.motorbike", "out_of_range");
	expect_error("{\"speed_kmh\": {\"foot\": 200.5}}", "speed_kmh.foot", "out_of_range");
	expect_error("{\"speed_kmh\": {\"car\": \"40\"}}", "speed_kmh.car", "invalid_type");
	expect_error("{\"speed_kmh\": {\"tank\": 40}}", "speed_kmh.tank", "unknown_field");
	expect_error("{\"speed_kmh\": 40}", "speed_kmh", "invalid_type");
	expect_error("{\"road_factor\": 0.99}", "road_factor", "out_of_range");
	expect_error("{\"road_factor\": 3.01}", "road_factor", "out_of_range");
	expect_error("{\"road_factor\": true}", "road_factor", "invalid_type");
	expect_error("{\"turnout_s\": {\"car\": -1}}", "turnout_s.car", "out_of_range");
	expect_error("{\"turnout_s\": {\"car\": 3601}}", "turnout_s.car", "out_of_range");
	expect_error("{\"max_position_age_s\": 1.5}", "max_position_age_s", "invalid_type");
	expect_error("{\"max_position_age_s\": 5}", "max_position_age_s", "out_of_range");
	expect_error("{\"max_position_age_s\": 86401}", "max_position_age_s", "out_of_range");
	expect_error("{\"speed\": 40}", "speed", "unknown_field");
	/* A valid member next to an invalid one is not applied either. */
	expect_error("{\"road_factor\": 2.0, \"speed_kmh\": {\"car\": 0}}", "speed_kmh.car",
		     "out_of_range");
}

static void test_config_json_round_trip(void **state)
{
	struct fq_eta_config a, b;
	struct fq_err err = FQ_ERR_INIT;
	json_t *j;

	(void)state;
	fq_eta_config_init(&a);
	a.road_factor = 1.7;
	a.speed_kmh[FQ_RESPONSE_UNIT_MOTORBIKE] = 28.25;
	a.turnout_s[FQ_RESPONSE_UNIT_FOOT] = 0;
	a.max_position_age_s = 900;
	j = fq_eta_config_json(&a);
	assert_non_null(j);
	assert_near(json_number_value(json_object_get(json_object_get(j, "speed_kmh"), "car")),
		    40.0, 0);
	fq_eta_config_init(&b);
	assert_int_equal(fq_eta_config_from_json(&b, j, &err), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_codes_and_labels),
	    cmocka_unit_test(test_status_codes_and_dispatchable),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_great_circle_known_distance),
	    cmocka_unit_test(test_bands_at_boundaries),
	    cmocka_unit_test(test_rank_order_and_ties),
	    cmocka_unit_test(test_rank_only_available),
	    cmocka_unit_test(test_rank_warning),
	    cmocka_unit_test(test_rank_stale_positions),
	    cmocka_unit_test(test_rank_errors),
	    cmocka_unit_test(test_rank_with_another_model),
	    cmocka_unit_test(test_ranking_json),
	    cmocka_unit_test(test_best_eta_matches_pairwise),
	    cmocka_unit_test(test_config_from_json),
	    cmocka_unit_test(test_config_errors_name_the_field),
	    cmocka_unit_test(test_config_json_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
