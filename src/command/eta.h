/*
 * Travel-time estimates for dispatch: the 1-3-5 minute circles
 * (1、3、5分钟处置圈, GLOSSARY.md) at the moment a unit is chosen.
 *
 * Vocabulary: the kinds and statuses of response units (MODEL.md,
 * `response_unit`) with their codes and zh-CN labels.
 *
 * Estimates come from a model behind struct fq_eta_model, so a road-network
 * model can replace the great-circle one without touching callers. The
 * great-circle model (fq_eta_great_circle) answers
 *
 *     eta_s = turnout_s[type] + distance_m * road_factor / (speed_kmh[type] / 3.6)
 *
 * where distance_m is the haversine distance of core/geo.h.
 *
 * Bands: an ETA of at most 60 s is in the 1-minute circle, at most 180 s in
 * the 3-minute one, at most 300 s in the 5-minute one, anything longer (or
 * unreachable) is beyond them (band 0).
 *
 * Everything here is pure and thread-safe; a model must be safe to call from
 * several threads at once. docs/dispatch.md explains the defaults.
 */
#ifndef FQ_COMMAND_ETA_H
#define FQ_COMMAND_ETA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/geo.h"

enum fq_response_unit_type {
	FQ_RESPONSE_UNIT_CAR,		 /* car, 巡逻车 */
	FQ_RESPONSE_UNIT_FOOT,		 /* foot, 步巡 */
	FQ_RESPONSE_UNIT_MOTORBIKE,	 /* motorbike, 摩托车 */
	FQ_RESPONSE_UNIT_AUXILIARY_TEAM, /* auxiliary_team, 辅警队 */
	FQ_RESPONSE_UNIT_VOLUNTEER_TEAM, /* volunteer_team, 志愿者队 */
	FQ_RESPONSE_UNIT_TYPE_COUNT
};

enum fq_response_unit_status {
	FQ_RESPONSE_UNIT_AVAILABLE,  /* available, 空闲 */
	FQ_RESPONSE_UNIT_DISPATCHED, /* dispatched, 已派 */
	FQ_RESPONSE_UNIT_EN_ROUTE,   /* en_route, 在途 */
	FQ_RESPONSE_UNIT_ON_SCENE,   /* on_scene, 到场 */
	FQ_RESPONSE_UNIT_BUSY,	     /* busy, 忙碌 */
	FQ_RESPONSE_UNIT_OFF_DUTY,   /* off_duty, 下班 */
	FQ_RESPONSE_UNIT_STATUS_COUNT
};

/* Code ("auxiliary_team") and zh-CN label of a type; NULL when out of range. */
const char *fq_response_unit_type_code(enum fq_response_unit_type type);
const char *fq_response_unit_type_label(enum fq_response_unit_type type);
/* Type from its exact code; -1 when unknown (code may not be NULL). */
int fq_response_unit_type_from_code(const char *code);

/* Code ("en_route") and zh-CN label of a status; NULL when out of range. */
const char *fq_response_unit_status_code(enum fq_response_unit_status status);
const char *fq_response_unit_status_label(enum fq_response_unit_status status);
/* Status from its exact code; -1 when unknown (code may not be NULL). */
int fq_response_unit_status_from_code(const char *code);

/* Whether a unit in this status may take a new dispatch: only when available. */
bool fq_response_unit_status_dispatchable(enum fq_response_unit_status status);

/* Upper limits of the band (seconds, inclusive), and their number. */
#define FQ_ETA_BAND_1_MAX_S 60
#define FQ_ETA_BAND_3_MAX_S 180
#define FQ_ETA_BAND_5_MAX_S 300
#define FQ_ETA_BAND_COUNT   3

/*
 * The band of an ETA: 1 (eta_s <= 60), 3 (<= 180), 5 (<= 300), else 0,
 * also for NaN and infinity. A negative ETA counts as 1.
 */
int fq_eta_band(double eta_s);
/* "1分钟圈", "3分钟圈", "5分钟圈", "5分钟外" for 1, 3, 5, 0; NULL for others. */
const char *fq_eta_band_label(int band);
/* Band value (1, 3, 5) and upper limit in seconds of band index 0..2; 0 out of range. */
int fq_eta_band_of_index(size_t index);
int fq_eta_band_max_s(size_t index);

/* Configuration limits, checked by fq_eta_config_from_json. */
#define FQ_ETA_SPEED_MAX_KMH	      200.0 /* speeds must be > 0 and <= this */
#define FQ_ETA_ROAD_FACTOR_MIN	      1.0
#define FQ_ETA_ROAD_FACTOR_MAX	      3.0
#define FQ_ETA_TURNOUT_MAX_S	      3600.0 /* turnout 0 .. one hour */
#define FQ_ETA_POSITION_AGE_MIN_S     10
#define FQ_ETA_POSITION_AGE_MAX_S     86400
#define FQ_ETA_POSITION_AGE_DEFAULT_S 600

struct fq_eta_config {
	double speed_kmh[FQ_RESPONSE_UNIT_TYPE_COUNT]; /* travel speed on the road */
	double turnout_s[FQ_RESPONSE_UNIT_TYPE_COUNT]; /* from the order to moving */
	double road_factor;			       /* road distance / great-circle distance */
	int64_t max_position_age_s;		       /* older positions are stale */
};

/*
 * The defaults (docs/dispatch.md): speeds car 40, motorbike 35, foot 5,
 * auxiliary team 5, volunteer team 4 km/h; turnout car 30, motorbike 20,
 * foot 10, auxiliary team 60, volunteer team 120 s; road factor 1.3;
 * positions stale after 600 s.
 */
void fq_eta_config_init(struct fq_eta_config *cfg);

/*
 * Override cfg with the members present in obj, a JSON object of the shape
 *
 *   {"road_factor": 1.3, "max_position_age_s": 600,
 *    "speed_kmh": {"car": 40, ...}, "turnout_s": {"car": 30, ...}}
 *
 * where every member and every type is optional. Limits: speed > 0 and
 * <= 200 km/h, road factor 1.0 to 3.0, turnout 0 to 3600 s, position age
 * 10 to 86400 s (an integer). Returns 0, or FQ_EINVAL naming the field
 * ("speed_kmh.car", "road_factor", ...) with machine code invalid_type,
 * out_of_range or unknown_field; on error cfg is unchanged.
 */
int fq_eta_config_from_json(struct fq_eta_config *cfg, json_t *obj, struct fq_err *err) FQ_WUR;

/* cfg in the shape fq_eta_config_from_json reads; a new reference. */
json_t *fq_eta_config_json(const struct fq_eta_config *cfg);

/*
 * An ETA estimator. Implementations embed this struct as their first member
 * and must be pure and thread-safe.
 *
 * eta_s answers the travel time in seconds of a unit of type from `from` to
 * `to`, turnout included; INFINITY when the model knows the place cannot be
 * reached.
 *
 * best_eta_s, optional (NULL: fq_eta_best_s asks eta_s pair by pair), is the
 * coverage query: best_s[j] = the least eta_s(from[i], to[j], types[i]) over
 * i < n_from, INFINITY when n_from is 0. A road-network model answers it
 * with one multi-source search per type instead of n_from * n_to routes.
 */
struct fq_eta_model {
	double (*eta_s)(const struct fq_eta_model *model, struct fq_geo_point from,
			struct fq_geo_point to, enum fq_response_unit_type type);
	void (*best_eta_s)(const struct fq_eta_model *model, const struct fq_geo_point *from,
			   const enum fq_response_unit_type *types, size_t n_from,
			   const struct fq_geo_point *to, size_t n_to, double *best_s);
};

/*
 * best_s[j] for every j < n_to as described for best_eta_s, through the
 * model's hook when it has one. A NaN from eta_s never wins.
 */
void fq_eta_best_s(const struct fq_eta_model *model, const struct fq_geo_point *from,
		   const enum fq_response_unit_type *types, size_t n_from,
		   const struct fq_geo_point *to, size_t n_to, double *best_s);

/*
 * The great-circle model; init copies cfg, which must be valid. Its
 * best_eta_s works on unit vectors (chord length, the same great-circle
 * distance as the haversine one to about a nanometre) and takes per place
 * the nearest origin of each type, so its cost is O(n_to * (n_from + types))
 * arithmetic and O(n_to + n_from) trigonometry.
 */
struct fq_eta_great_circle {
	struct fq_eta_model model; /* first: &gc.model is what callers pass */
	struct fq_eta_config config;
};

void fq_eta_great_circle_init(struct fq_eta_great_circle *gc, const struct fq_eta_config *cfg);

/* A response unit as the estimator sees it; all fields borrowed. */
struct fq_eta_unit {
	const char *id; /* unit id (text UUID); ties in ranking break on it */
	enum fq_response_unit_type type;
	enum fq_response_unit_status status;
	bool has_position;	      /* false: never reported a position */
	struct fq_geo_point position; /* last reported, WGS-84 */
	int64_t position_at_ms;	      /* when it was reported, UTC ms */
};

/* Most units one ranking or coverage computation takes. */
#define FQ_ETA_UNITS_MAX 10000

struct fq_eta_candidate {
	size_t unit_index; /* into the units array given to fq_eta_rank */
	const char *id;	   /* borrowed from that unit */
	enum fq_response_unit_type type;
	double eta_s;		/* model estimate; INFINITY when unreachable */
	double distance_m;	/* great-circle distance, for display */
	int band;		/* fq_eta_band(eta_s) */
	int64_t position_age_s; /* now - position_at_ms, 0 when in the future */
	bool stale;		/* position_age_s > max_position_age_s */
};

struct fq_eta_ranking {
	struct fq_eta_candidate *items; /* sorted by eta_s, then id; NULL when count is 0 */
	size_t count;
	size_t stale_count;	/* ranked units with a stale position */
	size_t unlocated_count; /* available units without a valid position (not ranked) */
	/*
	 * The warning: no unit with a fresh position reaches the place within
	 * 5 minutes (also when nothing is available). A stale position does
	 * not lift it, since that unit may have moved.
	 */
	bool none_within_5min;
};

/* Empty ranking; fq_eta_ranking_release frees items and empties it again. */
void fq_eta_ranking_init(struct fq_eta_ranking *r);
void fq_eta_ranking_release(struct fq_eta_ranking *r);

/*
 * Rank the dispatchable units of units[0..n-1] that have a valid position by
 * their ETA to incident under model, ties broken by id (strcmp) and then by
 * index. now_ms and max_position_age_s decide staleness. out must be
 * initialised; its previous content is released.
 *
 * Returns 0, FQ_EINVAL with machine code geo_range and field "location"
 * when incident is not a valid point, FQ_EINVAL (field "units[i].type" or
 * "units[i].status") for an enum out of range, or FQ_ETOOBIG when n passes
 * FQ_ETA_UNITS_MAX. On error out is empty.
 */
int fq_eta_rank(struct fq_eta_ranking *out, const struct fq_eta_model *model,
		struct fq_geo_point incident, const struct fq_eta_unit *units, size_t n,
		int64_t now_ms, int64_t max_position_age_s, struct fq_err *err) FQ_WUR;

/*
 * The ranking for the API, a new reference:
 *   {"items": [{"unit_id", "type", "type_label", "eta_s", "distance_m",
 *               "band", "band_label", "position_age_s", "stale"}, ...],
 *    "none_within_5min": bool, "stale_count": n, "unlocated_count": n}
 * eta_s is rounded up to whole seconds (so it lands in the same band) or
 * null when unreachable; distance_m is rounded to metres.
 */
json_t *fq_eta_ranking_json(const struct fq_eta_ranking *r);

/*
 * Helpers shared with coverage.c, not for other callers.
 * fq__eta_check_units: FQ_ETOOBIG past FQ_ETA_UNITS_MAX, FQ_EINVAL naming
 * "units[i].type" or "units[i].status" for an enum out of range.
 * fq__eta_unit_located: has_position and a valid point.
 * fq__eta_position_age_s: whole seconds since position_at_ms, 0 if in the future.
 * fq__eta_seconds_json: eta_s rounded up to whole seconds (the band stays
 * the same), null when not finite.
 */
int fq__eta_check_units(const struct fq_eta_unit *units, size_t n, struct fq_err *err) FQ_WUR;
bool fq__eta_unit_located(const struct fq_eta_unit *u);
int64_t fq__eta_position_age_s(const struct fq_eta_unit *u, int64_t now_ms);
json_t *fq__eta_seconds_json(double eta_s);

#endif
