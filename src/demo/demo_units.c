#include "demo/demo_units.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/dispatch.h"
#include "core/alloc.h"
#include "core/geo.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "org/units.h"
#include "core/banned.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Most stations and polygon vertices the generator reads. */
#define DEMO_STATIONS_MAX  64
#define DEMO_RING_MAX	   4096
#define DEMO_PLACE_TRIES   1000
#define DEMO_CENTRAL_SHARE 0.4 /* foot patrols and teams: the middle 40 % of the box */

struct demo_station {
	char code[FQ_UNIT_CODE_MAX];
	int grids;
	struct fq_geo_point *ring;
	size_t n;
};

/* How many of each type a station of `grids` grids gets, and how they are named. */
static const struct {
	enum fq_response_unit_type type;
	const char *call_sign; /* printf pattern with the unit's number */
	int base;	       /* units = base + grids / per_grids */
	int per_grids;	       /* 0: always base */
	int central;	       /* placed near the centre */
} plan[] = {
    {FQ_RESPONSE_UNIT_CAR, "巡逻%d组", 1, 10, 0},
    {FQ_RESPONSE_UNIT_MOTORBIKE, "摩巡%d组", 1, 15, 0},
    {FQ_RESPONSE_UNIT_FOOT, "步巡%d组", 1, 12, 1},
    {FQ_RESPONSE_UNIT_AUXILIARY_TEAM, "辅警%d队", 1, 0, 1},
    {FQ_RESPONSE_UNIT_VOLUNTEER_TEAM, "平安志愿%d队", 1, 0, 1},
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
				       "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"};
static const char *const given[] = {"伟", "强", "磊", "军", "勇", "杰", "涛", "明",
				    "斌", "超", "华", "平", "刚", "辉", "鹏", "芳"};

static void station_release(struct demo_station *s)
{
	free(s->ring);
	s->ring = NULL;
	s->n = 0;
}

/* The outer ring of a GeoJSON Polygon; n is 0 when it cannot be read. */
static void read_ring(const char *geojson, struct demo_station *s)
{
	json_t *g = geojson ? json_loads(geojson, 0, NULL) : NULL, *ring, *pt;
	const char *type = g ? json_string_value(json_object_get(g, "type")) : NULL;
	size_t i;

	s->ring = NULL;
	s->n = 0;
	if (!type || strcmp(type, "Polygon") != 0)
		goto out;
	ring = json_array_get(json_object_get(g, "coordinates"), 0);
	if (!json_is_array(ring) || json_array_size(ring) < 3 ||
	    json_array_size(ring) > DEMO_RING_MAX)
		goto out;
	s->ring = fq_xcalloc(json_array_size(ring), sizeof(*s->ring));
	json_array_foreach(ring, i, pt)
	{
		s->ring[i].lon = json_number_value(json_array_get(pt, 0));
		s->ring[i].lat = json_number_value(json_array_get(pt, 1));
	}
	s->n = json_array_size(ring);
out:
	json_decref(g);
}

static int load_stations(struct fq_dbc *c, struct demo_station *out, size_t *n, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT s.code, s.boundary, (SELECT COUNT(*) FROM unit g WHERE"
			      " g.kind = 'grid' AND g.parent = s.code) FROM unit s"
			      " WHERE s.kind = 'station' ORDER BY s.code",
			      "");
	*n = 0;
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && *n < DEMO_STATIONS_MAX) {
		struct demo_station *s = &out[*n];
		snprintf(s->code, sizeof(s->code), "%s", fq_stmt_text(st, 0));
		read_ring(fq_stmt_text(st, 1), s);
		s->grids = (int)fq_stmt_int(st, 2);
		if (s->n)
			(*n)++;
		else
			station_release(s);
	}
	fq_stmt_done(st);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			station_release(&out[i]);
		*n = 0;
		return rc;
	}
	return 0;
}

/* A point inside the station, within the central share of its box when central. */
static struct fq_geo_point place(struct fq_rng *g, const struct demo_station *s, int central)
{
	struct fq_geo_bbox b = {90, 180, -90, -180};
	struct fq_geo_point p = {0, 0};
	double margin = central ? (1 - DEMO_CENTRAL_SHARE) / 2 : 0;

	for (size_t i = 0; i < s->n; i++) {
		b.min_lat = fmin(b.min_lat, s->ring[i].lat);
		b.max_lat = fmax(b.max_lat, s->ring[i].lat);
		b.min_lon = fmin(b.min_lon, s->ring[i].lon);
		b.max_lon = fmax(b.max_lon, s->ring[i].lon);
	}
	for (int tries = 0; tries < DEMO_PLACE_TRIES; tries++) {
		double u = margin + (1 - 2 * margin) * fq_rng_unit(g);
		double v = margin + (1 - 2 * margin) * fq_rng_unit(g);
		p.lat = b.min_lat + u * (b.max_lat - b.min_lat);
		p.lon = b.min_lon + v * (b.max_lon - b.min_lon);
		if (fq_geo_polygon_contains(s->ring, s->n, p))
			return p;
	}
	p.lat = (b.min_lat + b.max_lat) / 2;
	p.lon = (b.min_lon + b.max_lon) / 2;
	return p;
}

static void members(struct fq_rng *g, enum fq_response_unit_type type, char out[128])
{
	const char *lead = type == FQ_RESPONSE_UNIT_VOLUNTEER_TEAM   ? "队长"
			   : type == FQ_RESPONSE_UNIT_AUXILIARY_TEAM ? "辅警"
								     : "民警";
	const char *second = type == FQ_RESPONSE_UNIT_VOLUNTEER_TEAM ? "队员" : "辅警";

	snprintf(out, 128, "%s %s%s、%s %s%s", lead, surnames[fq_rng_below(g, ARRAY_LEN(surnames))],
		 given[fq_rng_below(g, ARRAY_LEN(given))], second,
		 surnames[fq_rng_below(g, ARRAY_LEN(surnames))],
		 given[fq_rng_below(g, ARRAY_LEN(given))]);
}

static int create_unit(struct fq_dbc *c, struct fq_rng *g, const struct demo_station *s,
		       enum fq_response_unit_type type, const char *call_sign, int central,
		       int64_t now, struct fq_err *err)
{
	struct fq_response_unit_new in = {.unit_code = s->code,
					  .call_sign = call_sign,
					  .type = type,
					  .status = FQ_RESPONSE_UNIT_AVAILABLE};
	struct fq_position_in pos = {.at_ms = now, .source = FQ_POSITION_GPS};
	struct fq_audit_entry e = {.username = "demo",
				   .action = "response_unit.create",
				   .object_type = "response_unit",
				   .client = "cli",
				   .outcome = "ok"};
	char id[37], who[128];
	int rc;

	members(g, type, who);
	in.members = who;
	pos.point = place(g, s, central);
	pos.accuracy_m = 5 + 20 * fq_rng_unit(g);
	if ((rc = fq_response_unit_create(c, &in, now, id, err)) ||
	    (rc = fq_response_unit_report_position(c, id, &pos, NULL, now, NULL, err)))
		return rc;
	e.object_id = id;
	return fq_audit_append(c, &e, now, NULL, err);
}

int fq_dispatch_demo(struct fq_dbc *c, struct fq_rng *g, struct fq_err *err)
{
	struct demo_station stations[DEMO_STATIONS_MAX];
	int64_t now = fq_now_ms();
	size_t n = 0;
	int rc;

	if ((rc = load_stations(c, stations, &n, err)))
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		for (size_t k = 0; !rc && k < ARRAY_LEN(plan); k++) {
			int count = plan[k].base +
				    (plan[k].per_grids ? stations[i].grids / plan[k].per_grids : 0);
			for (int u = 1; !rc && u <= count; u++) {
				char call_sign[FQ_DISPATCH_CALL_SIGN_BYTES];
				snprintf(call_sign, sizeof(call_sign), plan[k].call_sign, u);
				rc = create_unit(c, g, &stations[i], plan[k].type, call_sign,
						 plan[k].central, now, err);
			}
		}
	for (size_t i = 0; i < n; i++)
		station_release(&stations[i]);
	return rc;
}
