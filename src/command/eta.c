#include "command/eta.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/json.h"

#include "core/banned.h"

#define KMH_PER_MPS 3.6
#define DEG_TO_RAD  (3.14159265358979323846 / 180.0)

static const struct {
	const char *code;
	const char *label;
	double speed_kmh;
	double turnout_s;
} type_table[FQ_RESPONSE_UNIT_TYPE_COUNT] = {
    [FQ_RESPONSE_UNIT_CAR] = {"car", "巡逻车", 40.0, 30.0},
    [FQ_RESPONSE_UNIT_FOOT] = {"foot", "步巡", 5.0, 10.0},
    [FQ_RESPONSE_UNIT_MOTORBIKE] = {"motorbike", "摩托车", 35.0, 20.0},
    [FQ_RESPONSE_UNIT_AUXILIARY_TEAM] = {"auxiliary_team", "辅警队", 5.0, 60.0},
    [FQ_RESPONSE_UNIT_VOLUNTEER_TEAM] = {"volunteer_team", "志愿者队", 4.0, 120.0},
};

static const struct {
	const char *code;
	const char *label;
} status_table[FQ_RESPONSE_UNIT_STATUS_COUNT] = {
    [FQ_RESPONSE_UNIT_AVAILABLE] = {"available", "空闲"},
    [FQ_RESPONSE_UNIT_DISPATCHED] = {"dispatched", "已派"},
    [FQ_RESPONSE_UNIT_EN_ROUTE] = {"en_route", "在途"},
    [FQ_RESPONSE_UNIT_ON_SCENE] = {"on_scene", "到场"},
    [FQ_RESPONSE_UNIT_BUSY] = {"busy", "忙碌"},
    [FQ_RESPONSE_UNIT_OFF_DUTY] = {"off_duty", "下班"},
};

static const struct {
	int band;
	int max_s;
	const char *label;
} band_table[FQ_ETA_BAND_COUNT] = {
    {1, FQ_ETA_BAND_1_MAX_S, "1分钟圈"},
    {3, FQ_ETA_BAND_3_MAX_S, "3分钟圈"},
    {5, FQ_ETA_BAND_5_MAX_S, "5分钟圈"},
};

#define BEYOND_LABEL "5分钟外"

const char *fq_response_unit_type_code(enum fq_response_unit_type type)
{
	return (unsigned)type < FQ_RESPONSE_UNIT_TYPE_COUNT ? type_table[type].code : NULL;
}

const char *fq_response_unit_type_label(enum fq_response_unit_type type)
{
	return (unsigned)type < FQ_RESPONSE_UNIT_TYPE_COUNT ? type_table[type].label : NULL;
}

int fq_response_unit_type_from_code(const char *code)
{
	for (int t = 0; t < FQ_RESPONSE_UNIT_TYPE_COUNT; t++)
		if (strcmp(type_table[t].code, code) == 0)
			return t;
	return -1;
}

const char *fq_response_unit_status_code(enum fq_response_unit_status status)
{
	return (unsigned)status < FQ_RESPONSE_UNIT_STATUS_COUNT ? status_table[status].code : NULL;
}

const char *fq_response_unit_status_label(enum fq_response_unit_status status)
{
	return (unsigned)status < FQ_RESPONSE_UNIT_STATUS_COUNT ? status_table[status].label : NULL;
}

int fq_response_unit_status_from_code(const char *code)
{
	for (int s = 0; s < FQ_RESPONSE_UNIT_STATUS_COUNT; s++)
		if (strcmp(status_table[s].code, code) == 0)
			return s;
	return -1;
}

bool fq_response_unit_status_dispatchable(enum fq_response_unit_status status)
{
	return status == FQ_RESPONSE_UNIT_AVAILABLE;
}

int fq_eta_band(double eta_s)
{
	for (size_t i = 0; i < FQ_ETA_BAND_COUNT; i++)
		if (eta_s <= band_table[i].max_s)
			return band_table[i].band;
	return 0;
}

const char *fq_eta_band_label(int band)
{
	if (band == 0)
		return BEYOND_LABEL;
	for (size_t i = 0; i < FQ_ETA_BAND_COUNT; i++)
		if (band_table[i].band == band)
			return band_table[i].label;
	return NULL;
}

int fq_eta_band_of_index(size_t index)
{
	return index < FQ_ETA_BAND_COUNT ? band_table[index].band : 0;
}

int fq_eta_band_max_s(size_t index)
{
	return index < FQ_ETA_BAND_COUNT ? band_table[index].max_s : 0;
}

void fq_eta_config_init(struct fq_eta_config *cfg)
{
	for (int t = 0; t < FQ_RESPONSE_UNIT_TYPE_COUNT; t++) {
		cfg->speed_kmh[t] = type_table[t].speed_kmh;
		cfg->turnout_s[t] = type_table[t].turnout_s;
	}
	cfg->road_factor = 1.3;
	cfg->max_position_age_s = FQ_ETA_POSITION_AGE_DEFAULT_S;
}

/* The number at v into *out when it lies in [min, max] (min excluded when open). */
static int get_number(json_t *v, const char *field, double min, bool min_open, double max,
		      double *out, struct fq_err *err)
{
	double d;

	if (!json_is_number(v))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", field, "字段 %s 应为数字", field);
	d = json_number_value(v);
	if (!isfinite(d) || d > max || (min_open ? d <= min : d < min))
		return fq_err_set(err, FQ_EINVAL, "out_of_range", field,
				  min_open ? "字段 %s 应大于 %g 且不超过 %g"
					   : "字段 %s 应在 %g 到 %g 之间",
				  field, min, max);
	*out = d;
	return 0;
}

/*
 * Read {"car": x, ...} at key into per_type, each in the given range; an
 * absent or null member leaves per_type alone.
 */
static int get_per_type(json_t *obj, const char *key, double min, bool min_open, double max,
			double per_type[FQ_RESPONSE_UNIT_TYPE_COUNT], struct fq_err *err)
{
	json_t *map = json_object_get(obj, key);
	const char *code;
	json_t *v;

	if (!map || json_is_null(map))
		return 0;
	if (!json_is_object(map))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", key,
				  "字段 %s 应为以单元类型为键的对象", key);
	json_object_foreach(map, code, v)
	{
		char field[FQ_ERR_FIELD_MAX];
		int type = fq_response_unit_type_from_code(code);
		int rc;

		snprintf(field, sizeof(field), "%s.%s", key, code);
		if (type < 0)
			return fq_err_set(err, FQ_EINVAL, "unknown_field", field,
					  "未知的单元类型：%s（可用 car、foot、motorbike、"
					  "auxiliary_team、volunteer_team）",
					  field);
		if ((rc = get_number(v, field, min, min_open, max, &per_type[type], err)))
			return rc;
	}
	return 0;
}

int fq_eta_config_from_json(struct fq_eta_config *cfg, json_t *obj, struct fq_err *err)
{
	static const char *const keys[] = {"road_factor", "max_position_age_s", "speed_kmh",
					   "turnout_s", NULL};
	struct fq_eta_config next = *cfg;
	json_t *v;
	int rc;

	if (!json_is_object(obj))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", NULL, "调度参数应为 JSON 对象");
	if ((rc = fq_json_only_keys(obj, keys, err)))
		return rc;
	v = json_object_get(obj, "road_factor");
	if (v && !json_is_null(v) &&
	    (rc = get_number(v, "road_factor", FQ_ETA_ROAD_FACTOR_MIN, false,
			     FQ_ETA_ROAD_FACTOR_MAX, &next.road_factor, err)))
		return rc;
	v = json_object_get(obj, "max_position_age_s");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v))
			return fq_err_set(err, FQ_EINVAL, "invalid_type", "max_position_age_s",
					  "字段 max_position_age_s 应为整数");
		if (json_integer_value(v) < FQ_ETA_POSITION_AGE_MIN_S ||
		    json_integer_value(v) > FQ_ETA_POSITION_AGE_MAX_S)
			return fq_err_set(err, FQ_EINVAL, "out_of_range", "max_position_age_s",
					  "字段 max_position_age_s 应在 %d 到 %d 之间",
					  FQ_ETA_POSITION_AGE_MIN_S, FQ_ETA_POSITION_AGE_MAX_S);
		next.max_position_age_s = json_integer_value(v);
	}
	if ((rc = get_per_type(obj, "speed_kmh", 0.0, true, FQ_ETA_SPEED_MAX_KMH, next.speed_kmh,
			       err)) ||
	    (rc = get_per_type(obj, "turnout_s", 0.0, false, FQ_ETA_TURNOUT_MAX_S, next.turnout_s,
			       err)))
		return rc;
	*cfg = next;
	return 0;
}

static json_t *per_type_json(const double per_type[FQ_RESPONSE_UNIT_TYPE_COUNT])
{
	json_t *j = json_object();

	for (int t = 0; t < FQ_RESPONSE_UNIT_TYPE_COUNT; t++)
		json_object_set_new(j, type_table[t].code, json_real(per_type[t]));
	return j;
}

json_t *fq_eta_config_json(const struct fq_eta_config *cfg)
{
	return json_pack("{s:f, s:I, s:o, s:o}", "road_factor", cfg->road_factor,
			 "max_position_age_s", (json_int_t)cfg->max_position_age_s, "speed_kmh",
			 per_type_json(cfg->speed_kmh), "turnout_s", per_type_json(cfg->turnout_s));
}

static double great_circle_eta_s(const struct fq_eta_model *model, struct fq_geo_point from,
				 struct fq_geo_point to, enum fq_response_unit_type type)
{
	const struct fq_eta_great_circle *gc = (const struct fq_eta_great_circle *)model;
	const struct fq_eta_config *cfg = &gc->config;
	double road_m;

	if ((unsigned)type >= FQ_RESPONSE_UNIT_TYPE_COUNT)
		return INFINITY;
	road_m = fq_geo_distance_m(from, to) * cfg->road_factor;
	return cfg->turnout_s[type] + road_m * KMH_PER_MPS / cfg->speed_kmh[type];
}

/* A point on the unit sphere. */
struct unit_vector {
	double x, y, z;
};

static struct unit_vector unit_vector_of(struct fq_geo_point p)
{
	double lat = p.lat * DEG_TO_RAD;
	double lon = p.lon * DEG_TO_RAD;
	struct unit_vector v = {cos(lat) * cos(lon), cos(lat) * sin(lon), sin(lat)};

	return v;
}

static double chord2(const struct unit_vector *a, const struct unit_vector *b)
{
	double dx = a->x - b->x;
	double dy = a->y - b->y;
	double dz = a->z - b->z;

	return dx * dx + dy * dy + dz * dz;
}

/* The great-circle distance of a squared chord of the unit sphere. */
static double chord2_distance_m(double c2)
{
	double half = sqrt(c2) / 2.0;

	return 2.0 * FQ_GEO_EARTH_RADIUS_M * asin(half > 1.0 ? 1.0 : half);
}

/*
 * Within one type the ETA grows with the distance, so per place only the
 * nearest origin of each type needs the full formula.
 */
static void great_circle_best_eta_s(const struct fq_eta_model *model,
				    const struct fq_geo_point *from,
				    const enum fq_response_unit_type *types, size_t n_from,
				    const struct fq_geo_point *to, size_t n_to, double *best_s)
{
	const struct fq_eta_config *cfg = &((const struct fq_eta_great_circle *)model)->config;
	struct unit_vector *origins = n_from ? fq_xmalloc(n_from * sizeof(*origins)) : NULL;
	size_t start[FQ_RESPONSE_UNIT_TYPE_COUNT + 1] = {0};
	size_t next[FQ_RESPONSE_UNIT_TYPE_COUNT];

	for (size_t i = 0; i < n_from; i++)
		if ((unsigned)types[i] < FQ_RESPONSE_UNIT_TYPE_COUNT)
			start[types[i] + 1]++;
	for (int t = 0; t < FQ_RESPONSE_UNIT_TYPE_COUNT; t++) {
		start[t + 1] += start[t];
		next[t] = start[t];
	}
	for (size_t i = 0; i < n_from; i++)
		if ((unsigned)types[i] < FQ_RESPONSE_UNIT_TYPE_COUNT)
			origins[next[types[i]]++] = unit_vector_of(from[i]);

	for (size_t j = 0; j < n_to; j++) {
		struct unit_vector place = unit_vector_of(to[j]);
		double best = INFINITY;

		for (int t = 0; t < FQ_RESPONSE_UNIT_TYPE_COUNT; t++) {
			double nearest = INFINITY;
			double eta_s;

			if (start[t] == start[t + 1])
				continue;
			for (size_t i = start[t]; i < start[t + 1]; i++) {
				double c2 = chord2(&origins[i], &place);

				if (c2 < nearest)
					nearest = c2;
			}
			eta_s = cfg->turnout_s[t] + chord2_distance_m(nearest) * cfg->road_factor *
							KMH_PER_MPS / cfg->speed_kmh[t];
			if (eta_s < best)
				best = eta_s;
		}
		best_s[j] = best;
	}
	free(origins);
}

void fq_eta_great_circle_init(struct fq_eta_great_circle *gc, const struct fq_eta_config *cfg)
{
	gc->model.eta_s = great_circle_eta_s;
	gc->model.best_eta_s = great_circle_best_eta_s;
	gc->config = *cfg;
}

void fq_eta_best_s(const struct fq_eta_model *model, const struct fq_geo_point *from,
		   const enum fq_response_unit_type *types, size_t n_from,
		   const struct fq_geo_point *to, size_t n_to, double *best_s)
{
	if (model->best_eta_s) {
		model->best_eta_s(model, from, types, n_from, to, n_to, best_s);
		return;
	}
	for (size_t j = 0; j < n_to; j++) {
		double best = INFINITY;

		for (size_t i = 0; i < n_from; i++) {
			double eta_s = model->eta_s(model, from[i], to[j], types[i]);

			if (eta_s < best)
				best = eta_s;
		}
		best_s[j] = best;
	}
}

void fq_eta_ranking_init(struct fq_eta_ranking *r)
{
	r->items = NULL;
	r->count = 0;
	r->stale_count = 0;
	r->unlocated_count = 0;
	r->none_within_5min = true;
}

void fq_eta_ranking_release(struct fq_eta_ranking *r)
{
	free(r->items);
	fq_eta_ranking_init(r);
}

static int compare_candidates(const void *pa, const void *pb)
{
	const struct fq_eta_candidate *a = pa;
	const struct fq_eta_candidate *b = pb;
	int by_id;

	if (a->eta_s < b->eta_s)
		return -1;
	if (a->eta_s > b->eta_s)
		return 1;
	by_id = strcmp(a->id, b->id);
	if (by_id)
		return by_id;
	return (a->unit_index > b->unit_index) - (a->unit_index < b->unit_index);
}

int fq__eta_check_units(const struct fq_eta_unit *units, size_t n, struct fq_err *err)
{
	char field[FQ_ERR_FIELD_MAX];

	if (n > FQ_ETA_UNITS_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "too_many", "units", "单元过多（最多 %d 个）",
				  FQ_ETA_UNITS_MAX);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)units[i].type >= FQ_RESPONSE_UNIT_TYPE_COUNT) {
			snprintf(field, sizeof(field), "units[%zu].type", i);
			return fq_err_set(err, FQ_EINVAL, "invalid_value", field,
					  "单元类型无效：%s", field);
		}
		if ((unsigned)units[i].status >= FQ_RESPONSE_UNIT_STATUS_COUNT) {
			snprintf(field, sizeof(field), "units[%zu].status", i);
			return fq_err_set(err, FQ_EINVAL, "invalid_value", field,
					  "单元状态无效：%s", field);
		}
	}
	return 0;
}

bool fq__eta_unit_located(const struct fq_eta_unit *u)
{
	return u->has_position && fq_geo_valid(u->position);
}

int64_t fq__eta_position_age_s(const struct fq_eta_unit *u, int64_t now_ms)
{
	int64_t age_ms = now_ms - u->position_at_ms;

	return age_ms > 0 ? age_ms / 1000 : 0;
}

int fq_eta_rank(struct fq_eta_ranking *out, const struct fq_eta_model *model,
		struct fq_geo_point incident, const struct fq_eta_unit *units, size_t n,
		int64_t now_ms, int64_t max_position_age_s, struct fq_err *err)
{
	int rc;

	fq_eta_ranking_release(out);
	if ((rc = fq_geo_check(incident, "location", err)) ||
	    (rc = fq__eta_check_units(units, n, err)))
		return rc;
	if (n)
		out->items = fq_xcalloc(n, sizeof(*out->items));
	for (size_t i = 0; i < n; i++) {
		const struct fq_eta_unit *u = &units[i];
		struct fq_eta_candidate *c;

		if (!fq_response_unit_status_dispatchable(u->status))
			continue;
		if (!fq__eta_unit_located(u)) {
			out->unlocated_count++;
			continue;
		}
		c = &out->items[out->count++];
		c->unit_index = i;
		c->id = u->id ? u->id : "";
		c->type = u->type;
		c->eta_s = model->eta_s(model, u->position, incident, u->type);
		if (isnan(c->eta_s))
			c->eta_s = INFINITY;
		c->distance_m = fq_geo_distance_m(u->position, incident);
		c->band = fq_eta_band(c->eta_s);
		c->position_age_s = fq__eta_position_age_s(u, now_ms);
		c->stale = c->position_age_s > max_position_age_s;
		if (c->stale)
			out->stale_count++;
		else if (c->band != 0)
			out->none_within_5min = false;
	}
	if (out->count)
		qsort(out->items, out->count, sizeof(*out->items), compare_candidates);
	return 0;
}

json_t *fq__eta_seconds_json(double eta_s)
{
	if (!isfinite(eta_s))
		return json_null();
	return json_integer((json_int_t)ceil(eta_s < 0 ? 0 : eta_s));
}

json_t *fq_eta_ranking_json(const struct fq_eta_ranking *r)
{
	json_t *items = json_array();

	for (size_t i = 0; i < r->count; i++) {
		const struct fq_eta_candidate *c = &r->items[i];

		json_array_append_new(
		    items, json_pack("{s:s, s:s, s:s, s:o, s:I, s:i, s:s, s:I, s:b}", "unit_id",
				     c->id, "type", fq_response_unit_type_code(c->type),
				     "type_label", fq_response_unit_type_label(c->type), "eta_s",
				     fq__eta_seconds_json(c->eta_s), "distance_m",
				     (json_int_t)llround(c->distance_m), "band", c->band,
				     "band_label", fq_eta_band_label(c->band), "position_age_s",
				     (json_int_t)c->position_age_s, "stale", (int)c->stale));
	}
	return json_pack("{s:o, s:b, s:I, s:I}", "items", items, "none_within_5min",
			 (int)r->none_within_5min, "stale_count", (json_int_t)r->stale_count,
			 "unlocated_count", (json_int_t)r->unlocated_count);
}
