#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/dispatch.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "demo/demo_units.h"
#include "unit/fq_test.h"

#define NOW_MS	INT64_C(1795000000000)
#define STATION "330681510000"
#define OTHER	"330681520000"

/* The station is the square 29.70..29.80 N, 120.20..120.30 E. */
#define STATION_BOUNDARY                                                                           \
	"{\"type\":\"Polygon\",\"coordinates\":[[[120.2,29.7],[120.3,29.7],[120.3,29.8],"          \
	"[120.2,29.8],[120.2,29.7]]]}"

static const struct fq_geo_point incident_at = {29.75, 120.25};

static void assert_near(double got, double want, double tolerance)
{
	if (!(fabs(got - want) <= tolerance))
		fail_msg("got %.12f, want %.12f (tolerance %g)", got, want, tolerance);
}

static void ok(int rc, const struct fq_err *err)
{
	if (rc != 0)
		fail_msg("rc %d: %s %s (%s)", rc, err->machine, err->field, err->message);
}

static void refused(int rc, int code, const char *machine, const char *field,
		    const struct fq_err *err)
{
	if (rc != code || (machine && strcmp(err->machine, machine) != 0) ||
	    (field && strcmp(err->field, field) != 0))
		fail_msg("want %d %s %s, got %d %s %s (%s)", code, machine ? machine : "",
			 field ? field : "", rc, err->machine, err->field, err->message);
}

/*
 * 330600 city / 330681 branch / two stations; the first with a boundary and
 * a grid. Both stations have no units yet.
 */
static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("dispatch");
	struct fq_unit_new s = {.code = STATION,
				.name = "枫桥派出所",
				.kind = "station",
				.parent = "330681",
				.has_centroid = 1,
				.lat = 29.75,
				.lon = 120.25,
				.boundary_geojson = STATION_BOUNDARY};
	struct fq_err err = FQ_ERR_INIT;

	if (!f)
		return -1;
	*state = f;
	fq_test_unit(f->c, "330600", "绍兴市公安局", "city", NULL);
	fq_test_unit(f->c, "330681", "诸暨市公安局", "branch", "330600");
	if (fq_unit_create(f->c, &s, &err) != 0) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	fq_test_unit(f->c, "330681100001", "枫桥社区", "grid", STATION);
	fq_test_unit(f->c, OTHER, "枫源派出所", "station", "330681");
	return 0;
}

static void new_unit(struct fq_dbc *c, const char *station, const char *call_sign,
		     enum fq_response_unit_type type, enum fq_response_unit_status status,
		     char id[37])
{
	struct fq_response_unit_new in = {
	    .unit_code = station, .call_sign = call_sign, .type = type, .status = status};
	struct fq_err err = FQ_ERR_INIT;

	ok(fq_response_unit_create(c, &in, NOW_MS, id, &err), &err);
}

static void put(struct fq_dbc *c, const char *id, struct fq_geo_point p, int64_t at_ms)
{
	struct fq_position_in pos = {
	    .point = p, .at_ms = at_ms, .accuracy_m = NAN, .source = FQ_POSITION_GPS};
	struct fq_err err = FQ_ERR_INIT;
	int latest = 0;

	ok(fq_response_unit_report_position(c, id, &pos, NULL, at_ms, &latest, &err), &err);
}

static void new_incident(struct fq_dbc *c, const char *station, int located, int64_t received_at,
			 char id[37])
{
	char number[FQ_NUMBER_MAX];
	struct fq_incident_new in = {.unit_code = station,
				     .category = "public_order.fight",
				     .priority = 1,
				     .has_location = located,
				     .lat = incident_at.lat,
				     .lon = incident_at.lon,
				     .received_at = received_at};
	struct fq_err err = FQ_ERR_INIT;

	ok(fq_incident_create(c, &in, id, number, NULL, &err), &err);
}

static const char *text_of(struct fq_dbc *c, const char *sql, const char *id, char *out,
			   size_t size)
{
	struct fq_stmt *st;
	struct fq_err err = FQ_ERR_INIT;

	ok(fq_dbc_query(c, &err, &st, sql, "t", id), &err);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	snprintf(out, size, "%s", fq_stmt_text(st, 0) ? fq_stmt_text(st, 0) : "(null)");
	fq_stmt_done(st);
	return out;
}

static const char *unit_status(struct fq_dbc *c, const char *id)
{
	static char buf[32];
	return text_of(c, "SELECT status FROM response_unit WHERE id = ?", id, buf, sizeof(buf));
}

static const char *incident_state(struct fq_dbc *c, const char *id)
{
	static char buf[32];
	return text_of(c, "SELECT state FROM incident WHERE id = ?", id, buf, sizeof(buf));
}

static int64_t int_of(struct fq_dbc *c, const char *sql, const char *id)
{
	struct fq_stmt *st;
	struct fq_err err = FQ_ERR_INIT;
	int64_t v;

	ok(fq_dbc_query(c, &err, &st, sql, "t", id), &err);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	v = fq_stmt_is_null(st, 0) ? -1 : fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return v;
}

/* ---- pure parts ---- */

static void test_codes_and_labels(void **state)
{
	static const char *const codes[] = {"dispatched", "acknowledged", "en_route",
					    "on_scene",	  "cleared",	  "cancelled"};
	static const char *const labels[] = {"已派", "已接令", "在途", "到场", "已结束", "已取消"};
	static const char *const steps[] = {"acknowledge", "en_route", "on_scene", "clear",
					    "cancel"};

	(void)state;
	assert_int_equal(FQ_DISPATCH_STATE_COUNT, 6);
	for (int s = 0; s < FQ_DISPATCH_STATE_COUNT; s++) {
		assert_string_equal(fq_dispatch_state_code(s), codes[s]);
		assert_string_equal(fq_dispatch_state_label(s), labels[s]);
		assert_int_equal(fq_dispatch_state_from_code(codes[s]), s);
	}
	assert_null(fq_dispatch_state_code(FQ_DISPATCH_STATE_COUNT));
	assert_int_equal(fq_dispatch_state_from_code("done"), -1);
	assert_int_equal(FQ_DISPATCH_STEP_COUNT, 5);
	for (int s = 0; s < FQ_DISPATCH_STEP_COUNT; s++) {
		assert_string_equal(fq_dispatch_step_code(s), steps[s]);
		assert_int_equal(fq_dispatch_step_from_code(steps[s]), s);
	}
	assert_int_equal(fq_dispatch_step_from_code("arrive"), -1);
	assert_int_equal(fq_position_source_from_code("gps"), FQ_POSITION_GPS);
	assert_int_equal(fq_position_source_from_code("GPS"), -1);
}

static void test_step_order(void **state)
{
	/* allowed[step][from]: exactly the one-step-at-a-time order, cancel before the scene. */
	static const int allowed[FQ_DISPATCH_STEP_COUNT][FQ_DISPATCH_STATE_COUNT] = {
	    [FQ_DISPATCH_STEP_ACKNOWLEDGE] = {1, 0, 0, 0, 0, 0},
	    [FQ_DISPATCH_STEP_EN_ROUTE] = {0, 1, 0, 0, 0, 0},
	    [FQ_DISPATCH_STEP_ON_SCENE] = {0, 0, 1, 0, 0, 0},
	    [FQ_DISPATCH_STEP_CLEAR] = {0, 0, 0, 1, 0, 0},
	    [FQ_DISPATCH_STEP_CANCEL] = {1, 1, 1, 0, 0, 0},
	};
	static const enum fq_dispatch_state target[FQ_DISPATCH_STEP_COUNT] = {
	    FQ_DISPATCH_ACKNOWLEDGED, FQ_DISPATCH_EN_ROUTE, FQ_DISPATCH_ON_SCENE,
	    FQ_DISPATCH_CLEARED, FQ_DISPATCH_CANCELLED};

	(void)state;
	for (int step = 0; step < FQ_DISPATCH_STEP_COUNT; step++) {
		assert_int_equal(fq_dispatch_step_target(step), target[step]);
		for (int from = 0; from < FQ_DISPATCH_STATE_COUNT; from++)
			if (fq_dispatch_step_allowed(step, from) != allowed[step][from])
				fail_msg("step %s from %s", fq_dispatch_step_code(step),
					 fq_dispatch_state_code(from));
	}
	assert_int_equal(fq_dispatch_step_allowed(FQ_DISPATCH_STEP_COUNT, FQ_DISPATCH_DISPATCHED),
			 0);
}

static void test_response_times_arithmetic(void **state)
{
	struct fq_response_times t;
	json_t *j;
	(void)state;

	fq_response_times_compute(NOW_MS, NOW_MS + 45000, NOW_MS + 300500, &t);
	assert_int_equal(t.dispatch_ms, 45000);
	assert_int_equal(t.on_scene_ms, 300500);
	j = fq_response_times_json(&t);
	assert_true(json_real_value(json_object_get(j, "dispatch_s")) == 45.0);
	assert_true(json_real_value(json_object_get(j, "on_scene_s")) == 300.5);
	/* 1795000000000 ms is 2026-11-18T11:06:40Z, shown in +08:00. */
	assert_string_equal(json_string_value(json_object_get(j, "first_received_at")),
			    "2026-11-18T19:06:40.000+08:00");
	assert_string_equal(json_string_value(json_object_get(j, "first_on_scene_at")),
			    "2026-11-18T19:11:40.500+08:00");
	json_decref(j);

	/* Not yet on scene. */
	fq_response_times_compute(NOW_MS, NOW_MS + 1, FQ_DISPATCH_NO_TIME, &t);
	assert_int_equal(t.dispatch_ms, 1);
	assert_true(t.on_scene_ms == FQ_DISPATCH_NO_TIME);
	j = fq_response_times_json(&t);
	assert_true(json_is_null(json_object_get(j, "on_scene_s")));
	assert_true(json_is_null(json_object_get(j, "first_on_scene_at")));
	assert_true(json_real_value(json_object_get(j, "dispatch_s")) == 0.001);
	json_decref(j);

	/* Nothing dispatched; and a caller's clock ahead of the dispatch counts as 0. */
	fq_response_times_compute(NOW_MS, FQ_DISPATCH_NO_TIME, FQ_DISPATCH_NO_TIME, &t);
	assert_true(t.dispatch_ms == FQ_DISPATCH_NO_TIME && t.on_scene_ms == FQ_DISPATCH_NO_TIME);
	fq_response_times_compute(NOW_MS, NOW_MS - 2000, NOW_MS + 60000, &t);
	assert_int_equal(t.dispatch_ms, 0);
	assert_int_equal(t.on_scene_ms, 60000);
}

static void test_config(void **state)
{
	struct fq_dispatch_config cfg, got;
	struct fq_err err = FQ_ERR_INIT;
	(void)state;

	fq_dispatch_config_get(&got);
	assert_int_equal(got.unacknowledged_s, 60);
	assert_true(got.eta.road_factor == 1.3);
	assert_true(got.eta.speed_kmh[FQ_RESPONSE_UNIT_CAR] == 40.0);
	fq_dispatch_config_init(&cfg);
	cfg.unacknowledged_s = -1;
	refused(fq_dispatch_config_set(&cfg, &err), FQ_EINVAL, "out_of_range", "unacknowledged_s",
		&err);
	cfg.unacknowledged_s = 90;
	ok(fq_dispatch_config_set(&cfg, &err), &err);
	fq_dispatch_config_get(&got);
	assert_int_equal(got.unacknowledged_s, 90);
	fq_dispatch_config_init(&cfg);
	ok(fq_dispatch_config_set(&cfg, &err), &err);
}

static void test_position_parse(void **state)
{
	struct fq_position_in p;
	struct fq_err err = FQ_ERR_INIT;
	json_t *b;
	(void)state;

	b = json_pack("{s:{s:f, s:f}}", "location", "lat", 29.75, "lon", 120.25);
	ok(fq_position_parse(b, NOW_MS, &p, &err), &err);
	assert_true(p.point.lat == 29.75 && p.point.lon == 120.25);
	assert_int_equal(p.at_ms, NOW_MS);
	assert_true(isnan(p.accuracy_m));
	assert_int_equal(p.source, FQ_POSITION_MANUAL);
	json_decref(b);

	/* GCJ-02 (a Chinese map app) becomes WGS-84: the offset is a few hundred metres. */
	b = json_pack("{s:{s:f, s:f, s:s}, s:s, s:f, s:s}", "location", "lat", 29.75, "lon", 120.25,
		      "crs", "gcj02", "at", "2026-11-18T19:06:00+08:00", "accuracy_m", 12.5,
		      "source", "app");
	ok(fq_position_parse(b, NOW_MS, &p, &err), &err);
	{
		struct fq_geo_point back = fq_geo_wgs84_to_gcj02(p.point);
		double moved = fq_geo_distance_m(p.point, incident_at);
		assert_near(back.lat, 29.75, 1e-8);
		assert_near(back.lon, 120.25, 1e-8);
		assert_true(moved > 100 && moved < 1000);
	}
	assert_int_equal(p.at_ms, NOW_MS - 40000);
	assert_true(p.accuracy_m == 12.5);
	assert_int_equal(p.source, FQ_POSITION_APP);
	json_decref(b);

	b = json_pack("{s:{s:f, s:f}}", "location", "lat", 95.0, "lon", 120.25);
	refused(fq_position_parse(b, NOW_MS, &p, &err), FQ_EINVAL, "out_of_range", "location.lat",
		&err);
	json_decref(b);
	b = json_pack("{s:{s:f, s:f, s:s}}", "location", "lat", 29.7, "lon", 120.2, "crs", "utm");
	refused(fq_position_parse(b, NOW_MS, &p, &err), FQ_EINVAL, "geo_crs", "location.crs", &err);
	json_decref(b);
	b = json_pack("{s:{s:f, s:f}, s:s}", "location", "lat", 29.7, "lon", 120.2, "at",
		      "2026-11-18T19:20:00+08:00");
	refused(fq_position_parse(b, NOW_MS, &p, &err), FQ_EINVAL, "in_future", "at", &err);
	json_decref(b);
	b = json_pack("{s:{s:f, s:f}, s:s}", "location", "lat", 29.7, "lon", 120.2, "at",
		      "2026-11-01T00:00:00+08:00");
	refused(fq_position_parse(b, NOW_MS, &p, &err), FQ_EINVAL, "too_old", "at", &err);
	json_decref(b);
	b = json_pack("{s:{s:f, s:f}, s:s}", "location", "lat", 29.7, "lon", 120.2, "source",
		      "radio");
	refused(fq_position_parse(b, NOW_MS, &p, &err), FQ_EINVAL, "invalid_value", "source", &err);
	json_decref(b);
	b = json_object();
	refused(fq_position_parse(b, NOW_MS, &p, &err), FQ_EINVAL, "missing_field", "location",
		&err);
	json_decref(b);
}

/* ---- on a store ---- */

static void test_units_and_positions(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_response_unit_new in = {.unit_code = STATION,
					  .call_sign = "巡逻1组",
					  .type = FQ_RESPONSE_UNIT_CAR,
					  .status = FQ_RESPONSE_UNIT_AVAILABLE};
	struct fq_response_unit_patch p = {0};
	struct fq_position_in pos = {
	    .point = {29.76, 120.26}, .at_ms = NOW_MS, .accuracy_m = 5, .source = FQ_POSITION_GPS};
	enum fq_response_unit_status before, after;
	struct fq_err err = FQ_ERR_INIT;
	char id[37], other[37], station[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX];
	json_t *j;
	int latest = -1;

	ok(fq_response_unit_create(f->c, &in, NOW_MS, id, &err), &err);
	assert_true(fq_uuid_valid(id));
	refused(fq_response_unit_create(f->c, &in, NOW_MS, other, &err), FQ_ECONFLICT,
		"call_sign_taken", "call_sign", &err);
	in.unit_code = OTHER;
	ok(fq_response_unit_create(f->c, &in, NOW_MS, other, &err), &err);
	in.unit_code = "330681100001";
	refused(fq_response_unit_create(f->c, &in, NOW_MS, other, &err), FQ_EINVAL, "unknown_unit",
		"unit", &err);
	in.unit_code = STATION;
	in.call_sign = "巡\x01逻";
	refused(fq_response_unit_create(f->c, &in, NOW_MS, other, &err), FQ_EINVAL, "invalid_value",
		"call_sign", &err);
	in.call_sign = "巡逻2组";
	in.status = FQ_RESPONSE_UNIT_EN_ROUTE;
	refused(fq_response_unit_create(f->c, &in, NOW_MS, other, &err), FQ_EINVAL, "invalid_value",
		"status", &err);

	ok(fq_dispatch_station(f->c, "330681100001", station, path, &err), &err);
	assert_string_equal(station, STATION);
	refused(fq_dispatch_station(f->c, "330681", station, path, &err), FQ_ENOTFOUND, "not_found",
		"unit", &err);
	ok(fq_response_unit_path(f->c, id, path, &err), &err);
	assert_string_equal(path, "/330600/330681/330681510000/");

	/* Positions: the newest by time is the last; older ones only join the history. */
	ok(fq_response_unit_report_position(f->c, id, &pos, NULL, NOW_MS, &latest, &err), &err);
	assert_int_equal(latest, 1);
	pos.point.lat = 29.70;
	pos.at_ms = NOW_MS - 60000;
	ok(fq_response_unit_report_position(f->c, id, &pos, NULL, NOW_MS, &latest, &err), &err);
	assert_int_equal(latest, 0);
	ok(fq_response_unit_json(f->c, id, NOW_MS + 601000, &j, &err), &err);
	assert_true(json_real_value(json_object_get(json_object_get(j, "position"), "lat")) ==
		    29.76);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "position"), "age_s")), 601);
	assert_true(json_is_true(json_object_get(json_object_get(j, "position"), "stale")));
	assert_string_equal(json_string_value(json_object_get(j, "type_label")), "巡逻车");
	json_decref(j);
	ok(fq_unit_position_list(f->c, id, 1, 20, &j, &err), &err);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	json_decref(j);
	refused(fq_response_unit_report_position(f->c, "01a20a61-6864-76aa-9928-64fc56f58401", &pos,
						 NULL, NOW_MS, NULL, &err),
		FQ_ENOTFOUND, "not_found", NULL, &err);

	/* Patches: version, statuses set by dispatch, call signs. */
	p.expected_version = 2;
	p.has_status = 1;
	p.status = FQ_RESPONSE_UNIT_BUSY;
	refused(fq_response_unit_update(f->c, id, &p, NOW_MS, NULL, NULL, &err), FQ_ECONFLICT,
		"stale_version", "version", &err);
	p.expected_version = 1;
	p.status = FQ_RESPONSE_UNIT_ON_SCENE;
	refused(fq_response_unit_update(f->c, id, &p, NOW_MS, NULL, NULL, &err), FQ_ECONFLICT,
		"status_by_dispatch", "status", &err);
	p.status = FQ_RESPONSE_UNIT_BUSY;
	p.members = "民警 王伟";
	ok(fq_response_unit_update(f->c, id, &p, NOW_MS, &before, &after, &err), &err);
	assert_int_equal(before, FQ_RESPONSE_UNIT_AVAILABLE);
	assert_int_equal(after, FQ_RESPONSE_UNIT_BUSY);
	assert_string_equal(unit_status(f->c, id), "busy");
	assert_int_equal(int_of(f->c, "SELECT version FROM response_unit WHERE id = ?", id), 2);
}

/* The four units of the ranking tests, at known distances from incident_at. */
struct fleet {
	char moto[37], foot[37], car[37], aux[37], vol[37], off[37];
};

static void make_fleet(struct fq_dbc *c, struct fleet *fl, int64_t at_ms)
{
	new_unit(c, STATION, "摩巡1组", FQ_RESPONSE_UNIT_MOTORBIKE, FQ_RESPONSE_UNIT_AVAILABLE,
		 fl->moto);
	new_unit(c, STATION, "步巡1组", FQ_RESPONSE_UNIT_FOOT, FQ_RESPONSE_UNIT_AVAILABLE,
		 fl->foot);
	new_unit(c, STATION, "巡逻1组", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, fl->car);
	new_unit(c, STATION, "辅警1队", FQ_RESPONSE_UNIT_AUXILIARY_TEAM, FQ_RESPONSE_UNIT_AVAILABLE,
		 fl->aux);
	new_unit(c, STATION, "志愿1队", FQ_RESPONSE_UNIT_VOLUNTEER_TEAM, FQ_RESPONSE_UNIT_AVAILABLE,
		 fl->vol);
	new_unit(c, STATION, "巡逻2组", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_OFF_DUTY, fl->off);
	put(c, fl->moto, fq_geo_destination(incident_at, 90, 200), at_ms);
	put(c, fl->foot, fq_geo_destination(incident_at, 180, 100), at_ms);
	put(c, fl->car, fq_geo_destination(incident_at, 0, 990), at_ms);
	put(c, fl->aux, fq_geo_destination(incident_at, 270, 1990), at_ms);
	put(c, fl->off, fq_geo_destination(incident_at, 0, 10), at_ms);
}

static void test_rank(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dispatch_candidates cand;
	struct fq_err err = FQ_ERR_INIT;
	struct fleet fl;
	char inc[37], unlocated[37];
	json_t *j, *items;

	make_fleet(f->c, &fl, NOW_MS - 5000);
	new_incident(f->c, STATION, 1, NOW_MS - 60000, inc);
	fq_dispatch_candidates_init(&cand);
	ok(fq_dispatch_rank(f->c, inc, NOW_MS, NULL, &cand, &err), &err);
	assert_int_equal(cand.ranking.count, 4);
	/* eta = turnout + d * 1.3 / (speed / 3.6), docs/dispatch.md */
	assert_string_equal(cand.ranking.items[0].id, fl.moto);
	assert_near(cand.ranking.items[0].eta_s, 20 + 200 * 1.3 / (35 / 3.6), 1e-6);
	assert_string_equal(cand.ranking.items[1].id, fl.foot);
	assert_near(cand.ranking.items[1].eta_s, 10 + 100 * 1.3 / (5 / 3.6), 1e-6);
	assert_string_equal(cand.ranking.items[2].id, fl.car);
	assert_near(cand.ranking.items[2].eta_s, 30 + 990 * 1.3 / (40 / 3.6), 1e-6);
	assert_string_equal(cand.ranking.items[3].id, fl.aux);
	assert_near(cand.ranking.items[3].eta_s, 60 + 1990 * 1.3 / (5 / 3.6), 1e-6);
	assert_int_equal(cand.ranking.unlocated_count, 1);
	assert_false(cand.ranking.none_within_5min);

	j = fq_dispatch_candidates_json(&cand);
	items = json_object_get(j, "items");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(items, 0), "call_sign")), "摩巡1组");
	/* 46.74 s → 47, 103.6 → 104, 145.8 → 146, 1922.6 → 1923 */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "eta_s")),
			 47);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "eta_s")),
			 104);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 2), "eta_s")),
			 146);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 3), "eta_s")),
			 1923);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "band")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 2), "band")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 3), "band")), 0);
	assert_int_equal(
	    json_integer_value(json_object_get(json_array_get(items, 2), "distance_m")), 990);
	assert_true(json_is_null(json_object_get(j, "warning")));
	json_decref(j);

	/* Ten minutes on, every position is stale: still ranked, but the warning stands. */
	ok(fq_dispatch_rank(f->c, inc, NOW_MS + 600000, NULL, &cand, &err), &err);
	assert_int_equal(cand.ranking.count, 4);
	assert_int_equal(cand.ranking.stale_count, 4);
	assert_true(cand.ranking.none_within_5min);
	j = fq_dispatch_candidates_json(&cand);
	assert_true(json_is_string(json_object_get(j, "warning")));
	json_decref(j);

	/* A slower configuration reorders nothing here but changes the seconds. */
	{
		struct fq_dispatch_config cfg;
		fq_dispatch_config_init(&cfg);
		cfg.eta.road_factor = 2.0;
		ok(fq_dispatch_rank(f->c, inc, NOW_MS, &cfg, &cand, &err), &err);
		assert_near(cand.ranking.items[2].eta_s, 30 + 990 * 2.0 / (40 / 3.6), 1e-6);
	}

	new_incident(f->c, STATION, 0, NOW_MS - 60000, unlocated);
	refused(fq_dispatch_rank(f->c, unlocated, NOW_MS, NULL, &cand, &err), FQ_EUNPROC,
		"no_location", "location", &err);
	assert_int_equal(cand.ranking.count, 0);
	refused(fq_dispatch_rank(f->c, "01a20a61-6864-76aa-9928-64fc56f58401", NOW_MS, NULL, &cand,
				 &err),
		FQ_ENOTFOUND, "not_found", NULL, &err);
	fq_dispatch_candidates_release(&cand);
}

static void step(struct fq_dbc *c, const char *id, enum fq_dispatch_step s, int64_t at,
		 struct fq_dispatch_step_result *res)
{
	struct fq_err err = FQ_ERR_INIT;
	ok(fq_dispatch_step(c, id, s, 0, NULL, NULL, at, res, &err), &err);
}

static void test_dispatch_loop(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dispatch_created made;
	struct fq_dispatch_step_result res;
	struct fq_response_times t;
	struct fq_err err = FQ_ERR_INIT;
	struct fleet fl;
	char inc[37], foreign[37], d[37];
	const char *one[1], *two[2];
	int64_t t0 = NOW_MS - 600000;

	make_fleet(f->c, &fl, NOW_MS - 5000);
	new_unit(f->c, OTHER, "外所1组", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, foreign);
	new_incident(f->c, STATION, 1, t0, inc);
	fq_test_begin(f->c);

	ok(fq_response_times_of(f->c, inc, &t, &err), &err);
	assert_true(t.dispatch_ms == FQ_DISPATCH_NO_TIME);

	/* Refusals: another station's unit, an unavailable one, none at all. */
	one[0] = foreign;
	refused(fq_dispatch_create(f->c, inc, one, 1, NULL, NULL, t0 + 45000, &made, &err),
		FQ_EINVAL, "unknown_unit", "units[0]", &err);
	two[0] = fl.moto;
	two[1] = fl.off;
	refused(fq_dispatch_create(f->c, inc, two, 2, NULL, NULL, t0 + 45000, &made, &err),
		FQ_ECONFLICT, "unit_not_available", "units[1]", &err);
	two[1] = fl.moto;
	refused(fq_dispatch_create(f->c, inc, two, 2, NULL, NULL, t0 + 45000, &made, &err),
		FQ_EINVAL, "duplicate", "units[1]", &err);
	refused(fq_dispatch_create(f->c, inc, one, 0, NULL, NULL, t0 + 45000, &made, &err),
		FQ_EINVAL, "missing_field", "units", &err);

	/* Two units 45 s after the call. */
	two[0] = fl.moto;
	two[1] = fl.car;
	ok(fq_dispatch_create(f->c, inc, two, 2, "就近派警", NULL, t0 + 45000, &made, &err), &err);
	assert_int_equal(made.count, 2);
	assert_int_equal(made.incident.count, 1);
	assert_int_equal(made.incident.from[0], FQ_INCIDENT_RECEIVED);
	assert_int_equal(made.incident.to[0], FQ_INCIDENT_DISPATCHED);
	assert_string_equal(incident_state(f->c, inc), "dispatched");
	assert_string_equal(unit_status(f->c, fl.moto), "dispatched");
	assert_string_equal(unit_status(f->c, fl.car), "dispatched");
	snprintf(d, sizeof(d), "%s", made.ids[0]);

	/* Only in order. */
	refused(fq_dispatch_step(f->c, d, FQ_DISPATCH_STEP_ON_SCENE, 0, NULL, NULL, t0 + 50000,
				 &res, &err),
		FQ_ECONFLICT, "invalid_step", "step", &err);
	refused(fq_dispatch_step(f->c, d, FQ_DISPATCH_STEP_EN_ROUTE, 0, NULL, NULL, t0 + 50000,
				 &res, &err),
		FQ_ECONFLICT, "invalid_step", "step", &err);
	refused(fq_dispatch_step(f->c, d, FQ_DISPATCH_STEP_ACKNOWLEDGE, 7, NULL, NULL, t0 + 50000,
				 &res, &err),
		FQ_ECONFLICT, "stale_version", "version", &err);

	step(f->c, d, FQ_DISPATCH_STEP_ACKNOWLEDGE, t0 + 55000, &res);
	assert_int_equal(res.from, FQ_DISPATCH_DISPATCHED);
	assert_int_equal(res.to, FQ_DISPATCH_ACKNOWLEDGED);
	assert_int_equal(res.incident.count, 0);
	assert_string_equal(unit_status(f->c, fl.moto), "dispatched");
	step(f->c, d, FQ_DISPATCH_STEP_EN_ROUTE, t0 + 70000, &res);
	assert_int_equal(res.incident.count, 1);
	assert_int_equal(res.incident.to[0], FQ_INCIDENT_EN_ROUTE);
	assert_string_equal(incident_state(f->c, inc), "en_route");
	assert_string_equal(unit_status(f->c, fl.moto), "en_route");
	step(f->c, d, FQ_DISPATCH_STEP_ON_SCENE, t0 + 300000, &res);
	assert_string_equal(incident_state(f->c, inc), "on_scene");
	assert_string_equal(unit_status(f->c, fl.moto), "on_scene");

	/* The car goes en route and arrives later: the incident is already ahead. */
	step(f->c, made.ids[1], FQ_DISPATCH_STEP_ACKNOWLEDGE, t0 + 60000, &res);
	step(f->c, made.ids[1], FQ_DISPATCH_STEP_EN_ROUTE, t0 + 90000, &res);
	assert_int_equal(res.incident.count, 0);
	step(f->c, made.ids[1], FQ_DISPATCH_STEP_ON_SCENE, t0 + 420000, &res);
	assert_int_equal(res.incident.count, 0);
	assert_string_equal(incident_state(f->c, inc), "on_scene");

	/* Response times: first dispatch 45 s, first arrival 300 s after the call. */
	ok(fq_response_times_of(f->c, inc, &t, &err), &err);
	assert_true(t.received_ms == t0);
	assert_true(t.first_dispatch_ms == t0 + 45000);
	assert_true(t.first_on_scene_ms == t0 + 300000);
	assert_int_equal(t.dispatch_ms, 45000);
	assert_int_equal(t.on_scene_ms, 300000);

	/* Each step is stamped. */
	assert_true(int_of(f->c, "SELECT acknowledged_at FROM dispatch WHERE id = ?", d) ==
		    t0 + 55000);
	assert_true(int_of(f->c, "SELECT en_route_at FROM dispatch WHERE id = ?", d) == t0 + 70000);
	assert_true(int_of(f->c, "SELECT on_scene_at FROM dispatch WHERE id = ?", d) ==
		    t0 + 300000);

	/* Clear: the unit is free again; cancel after arrival is refused. */
	refused(fq_dispatch_step(f->c, d, FQ_DISPATCH_STEP_CANCEL, 0, NULL, NULL, t0 + 900000, &res,
				 &err),
		FQ_ECONFLICT, "invalid_step", "step", &err);
	step(f->c, d, FQ_DISPATCH_STEP_CLEAR, t0 + 900000, &res);
	assert_string_equal(unit_status(f->c, fl.moto), "available");
	assert_true(int_of(f->c, "SELECT cleared_at FROM dispatch WHERE id = ?", d) == t0 + 900000);
	assert_string_equal(incident_state(f->c, inc), "on_scene");

	/* A third unit is sent and recalled. */
	one[0] = fl.foot;
	ok(fq_dispatch_create(f->c, inc, one, 1, NULL, NULL, t0 + 910000, &made, &err), &err);
	assert_int_equal(made.incident.count, 0);
	step(f->c, made.ids[0], FQ_DISPATCH_STEP_CANCEL, t0 + 920000, &res);
	assert_string_equal(unit_status(f->c, fl.foot), "available");
	ok(fq_response_times_of(f->c, inc, &t, &err), &err);
	assert_int_equal(t.dispatch_ms, 45000);

	/* Unacknowledged list at a fixed clock: the recalled one is not waiting. */
	{
		struct fq_dispatch_query q = {.scope_path = "/330600/",
					      .unacknowledged_s = 0,
					      .unacknowledged_after_s = 60,
					      .page = 1,
					      .per_page = 20};
		json_t *j;
		one[0] = fl.foot;
		ok(fq_dispatch_create(f->c, inc, one, 1, NULL, NULL, t0 + 930000, &made, &err),
		   &err);
		q.unacknowledged_s = 61;
		ok(fq_dispatch_list(f->c, &q, t0 + 990000, &j, &err), &err);
		assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
		json_decref(j);
		q.unacknowledged_s = 60;
		ok(fq_dispatch_list(f->c, &q, t0 + 990000, &j, &err), &err);
		assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
		assert_int_equal(
		    json_integer_value(json_object_get(
			json_array_get(json_object_get(j, "items"), 0), "unacknowledged_s")),
		    60);
		assert_true(json_is_true(
		    json_object_get(json_array_get(json_object_get(j, "items"), 0), "overdue")));
		json_decref(j);
		q.unacknowledged_s = -1;
		q.scope_path = "/330600/330681/330681520000/";
		ok(fq_dispatch_list(f->c, &q, t0 + 990000, &j, &err), &err);
		assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
		json_decref(j);
		q.scope_path = "/330600/";
		q.state = "active";
		ok(fq_dispatch_list(f->c, &q, t0 + 990000, &j, &err), &err);
		assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
		json_decref(j);
		q.state = "late";
		refused(fq_dispatch_list(f->c, &q, t0 + 990000, &j, &err), FQ_EINVAL,
			"invalid_query", "state", &err);
	}

	/* A disposed incident takes no more units. */
	{
		struct fq_incident_change ch = {.to = FQ_INCIDENT_DISPOSED, .disposal = "已劝离"};
		ok(fq_incident_transition(f->c, inc, &ch, NULL, &err), &err);
		one[0] = fl.moto;
		refused(fq_dispatch_create(f->c, inc, one, 1, NULL, NULL, t0 + 999000, &made, &err),
			FQ_ECONFLICT, "incident_not_open", "incident_id", &err);
	}
	fq_test_commit(f->c);
}

static void test_reopened_incident_and_unit_on_dispatch(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dispatch_created made;
	struct fq_dispatch_step_result res;
	struct fq_response_unit_patch p = {0};
	struct fq_err err = FQ_ERR_INIT;
	struct fleet fl;
	char inc[37];
	const char *one[1];
	int64_t v;

	make_fleet(f->c, &fl, NOW_MS - 5000);
	new_incident(f->c, STATION, 1, NOW_MS - 60000, inc);
	{
		struct fq_incident_change ch = {
		    .to = FQ_INCIDENT_CLOSED, .close_reason = "duplicate", .note = "重复报警"};
		ok(fq_incident_transition(f->c, inc, &ch, NULL, &err), &err);
		ch.to = FQ_INCIDENT_REOPENED;
		ok(fq_incident_transition(f->c, inc, &ch, NULL, &err), &err);
	}
	one[0] = fl.car;
	ok(fq_dispatch_create(f->c, inc, one, 1, NULL, NULL, NOW_MS, &made, &err), &err);
	assert_int_equal(made.incident.from[0], FQ_INCIDENT_REOPENED);
	assert_string_equal(incident_state(f->c, inc), "dispatched");

	/* The unit's status follows the dispatch only. */
	v = int_of(f->c, "SELECT version FROM response_unit WHERE id = ?", fl.car);
	p.expected_version = v;
	p.has_status = 1;
	p.status = FQ_RESPONSE_UNIT_OFF_DUTY;
	refused(fq_response_unit_update(f->c, fl.car, &p, NOW_MS, NULL, NULL, &err), FQ_ECONFLICT,
		"unit_on_dispatch", "status", &err);
	p.has_status = 0;
	p.call_sign = "巡逻9组";
	ok(fq_response_unit_update(f->c, fl.car, &p, NOW_MS, NULL, NULL, &err), &err);

	/* From dispatched the incident follows one state per step. */
	step(f->c, made.ids[0], FQ_DISPATCH_STEP_ACKNOWLEDGE, NOW_MS + 1000, &res);
	step(f->c, made.ids[0], FQ_DISPATCH_STEP_EN_ROUTE, NOW_MS + 2000, &res);
	step(f->c, made.ids[0], FQ_DISPATCH_STEP_ON_SCENE, NOW_MS + 3000, &res);
	assert_int_equal(res.incident.count, 1);
	assert_int_equal(res.incident.from[0], FQ_INCIDENT_EN_ROUTE);
	assert_string_equal(incident_state(f->c, inc), "on_scene");
	{
		json_t *j;
		ok(fq_dispatch_json(f->c, made.ids[0], NOW_MS + 4000, 60, &j, &err), &err);
		assert_string_equal(json_string_value(json_object_get(
					json_object_get(j, "response_unit"), "call_sign")),
				    "巡逻9组");
		assert_string_equal(json_string_value(json_object_get(j, "state")), "on_scene");
		assert_true(json_is_null(json_object_get(j, "unacknowledged_s")));
		json_decref(j);
	}
}

static void insert_alert(struct fq_dbc *c, const char *incident, double lat, double lon, int64_t at)
{
	char id[37], number[32];
	struct fq_err err = FQ_ERR_INIT;
	static int n;

	fq_uuid7_str(id);
	snprintf(number, sizeof(number), "JJ-T-%d", ++n);
	ok(fq_dbc_run(c, &err, NULL,
		      "INSERT INTO alert (id, number, incident_id, unit_code, received_at, source,"
		      " lat, lon, category, priority, description, description_norm, created_at)"
		      " VALUES (?, ?, ?, ?, ?, 'phone_110', ?, ?, 'public_order.fight', 1, 'x',"
		      " 'x', ?)",
		      "ttttiddi", id, number, incident, STATION, at, lat, lon, at),
	   &err);
}

static void test_coverage(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char car[37], inc[37];
	json_t *j, *alerts, *units;

	new_unit(f->c, STATION, "巡逻1组", FQ_RESPONSE_UNIT_CAR, FQ_RESPONSE_UNIT_AVAILABLE, car);
	put(f->c, car, incident_at, NOW_MS - 1000);
	new_incident(f->c, STATION, 1, NOW_MS - 1000, inc);
	/* At the car; 5 km away (outside 5 minutes); outside the station; older than 90 days. */
	insert_alert(f->c, inc, 29.75, 120.25, NOW_MS - 1000);
	insert_alert(f->c, inc, 29.795, 120.25, NOW_MS - 86400000);
	insert_alert(f->c, inc, 29.90, 120.25, NOW_MS - 1000);
	insert_alert(f->c, inc, 29.75, 120.25, NOW_MS - INT64_C(91) * 86400000);
	ok(fq_dispatch_coverage(f->c, STATION, 1000, NOW_MS, NULL, &j, &err), &err);
	assert_string_equal(json_string_value(json_object_get(j, "unit")), STATION);
	alerts = json_object_get(j, "alerts");
	assert_int_equal(json_integer_value(json_object_get(alerts, "total")), 2);
	assert_int_equal(json_integer_value(json_object_get(alerts, "outside")), 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(alerts, "within"), 0)),
			 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(alerts, "within"), 2)),
			 1);
	units = json_object_get(j, "units");
	assert_int_equal(json_integer_value(json_object_get(units, "used")), 1);
	/*
	 * 0.1° x 0.1° at 29.75° N is 11.1 km x 9.66 km (107.3 km²); its raster of 1 km cells,
	 * centred on the box, has 12 rows by 10 columns, every centre inside the rectangle.
	 */
	assert_near(json_real_value(json_object_get(j, "area_m2")) / 1e6, 107.35, 0.01);
	assert_int_equal(json_integer_value(json_object_get(j, "rows")), 12);
	assert_int_equal(json_integer_value(json_object_get(j, "cols")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "area"), "total")),
			 120);
	json_decref(j);
	refused(fq_dispatch_coverage(f->c, OTHER, 0, NOW_MS, NULL, &j, &err), FQ_EUNPROC,
		"no_boundary", "unit", &err);
	refused(fq_dispatch_coverage(f->c, STATION, 1, NOW_MS, NULL, &j, &err), FQ_EINVAL, NULL,
		"cell_m", &err);
}

static void test_demo_units(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_rng g;
	struct fq_stmt *st;
	int count = 0;

	fq_rng_seed(&g, 7);
	fq_test_begin(f->c);
	ok(fq_dispatch_demo(f->c, &g, &err), &err);
	fq_test_commit(f->c);
	/* One grid: one of each type; the station without a boundary gets none. */
	ok(fq_dbc_query(f->c, &err, &st,
			"SELECT unit_code, type, status, last_lat, last_lon FROM response_unit"
			" ORDER BY type",
			""),
	   &err);
	while (fq_stmt_step(st, &err) == FQ_DB_ROW) {
		struct fq_geo_point p = {fq_stmt_double(st, 3), fq_stmt_double(st, 4)};
		assert_string_equal(fq_stmt_text(st, 0), STATION);
		assert_string_equal(fq_stmt_text(st, 2), "available");
		assert_true(p.lat > 29.7 && p.lat < 29.8 && p.lon > 120.2 && p.lon < 120.3);
		count++;
	}
	fq_stmt_done(st);
	assert_int_equal(count, 5);
	assert_int_equal(int_of(f->c,
				"SELECT COUNT(*) FROM audit_entry WHERE action = ? AND username ="
				" 'demo'",
				"response_unit.create"),
			 5);
	assert_int_equal(int_of(f->c, "SELECT COUNT(*) FROM unit_position WHERE source = ?", "gps"),
			 5);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fq_test_store_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codes_and_labels),
	    cmocka_unit_test(test_step_order),
	    cmocka_unit_test(test_response_times_arithmetic),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_position_parse),
	    T(test_units_and_positions),
	    T(test_rank),
	    T(test_dispatch_loop),
	    T(test_reopened_incident_and_unit_on_dispatch),
	    T(test_coverage),
	    T(test_demo_units),
	};
#undef T
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
