/*
 * Dispatch: response units (处警力量), their positions, and the dispatch of
 * units to incidents inside the 1-3-5 minute circles (docs/dispatch.md).
 *
 * A response unit belongs to one station (unit_code). Its type and status
 * use the codes of command/eta.h. Positions are kept as a history
 * (unit_position); the newest one by the time it was taken is the unit's
 * last position, which ranking and coverage use.
 *
 * A dispatch sends one unit to one incident and moves through
 *   dispatched → acknowledged → en_route → on_scene → cleared
 * one step at a time; dispatched, acknowledged and en_route may instead be
 * cancelled. Any other step is refused with FQ_ECONFLICT ("invalid_step").
 * The unit's status follows its dispatch (dispatched, en_route, on_scene,
 * then available when cleared or cancelled), and the incident follows its
 * dispatches: the first dispatch moves it from received or reopened to
 * dispatched; the first dispatch to go en route or reach the scene moves it
 * on to en_route and on_scene when it is still behind. A unit serves one
 * incident at a time and must be in the incident's station.
 *
 * Response times are derived from the dispatches, never stored:
 *   dispatch_s = first dispatched_at - incident first_received_at
 *   on_scene_s = first on_scene_at   - incident first_received_at
 *
 * Every timestamp is UTC ms and comes from the caller (now_ms), so tests
 * can fix the clock; incident transitions stamp their own time
 * (command/incident.h).
 *
 * The code: dispatch.c (configuration, dispatches, steps, response times),
 * response_unit.c (stations, units, positions), dispatch_rank.c (ranking
 * and coverage from the store).
 *
 * Writers expect an open write transaction on c and leave auditing to the
 * caller. Nothing here is thread-unsafe except that a connection belongs to
 * one thread; the configuration is process-wide and guarded by a lock.
 */
#ifndef FQ_COMMAND_DISPATCH_H
#define FQ_COMMAND_DISPATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "command/eta.h"
#include "command/incident.h"
#include "core/err.h"
#include "core/geo.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_DISPATCH_CALL_SIGN_MAX	  32	    /* characters of a call sign */
#define FQ_DISPATCH_MEMBERS_MAX		  200	    /* characters of the members text */
#define FQ_DISPATCH_NOTE_MAX		  500	    /* characters of a dispatch note */
#define FQ_DISPATCH_UNITS_PER_REQUEST_MAX 20	    /* units sent in one dispatch */
#define FQ_DISPATCH_ACCURACY_MAX_M	  100000.0  /* accuracy of a position report */
#define FQ_DISPATCH_POSITION_FUTURE_MS	  300000    /* clock skew allowed on a report */
#define FQ_DISPATCH_POSITION_PAST_MS	  604800000 /* reports older than 7 days are refused */
#define FQ_DISPATCH_UNACK_DEFAULT_S	  60	    /* raise an unacknowledged dispatch after */
#define FQ_DISPATCH_UNACK_MAX_S		  86400

/* Bytes of a call sign in UTF-8 with its NUL. */
#define FQ_DISPATCH_CALL_SIGN_BYTES (FQ_DISPATCH_CALL_SIGN_MAX * 4 + 1)

/* ---- configuration ---- */

/*
 * The one place of dispatch settings: the travel-time model's parameters
 * (command/eta.h) and when an unacknowledged dispatch is raised.
 */
struct fq_dispatch_config {
	struct fq_eta_config eta;
	int64_t unacknowledged_s; /* 0 .. FQ_DISPATCH_UNACK_MAX_S */
};

/* The defaults: fq_eta_config_init and FQ_DISPATCH_UNACK_DEFAULT_S. */
void fq_dispatch_config_init(struct fq_dispatch_config *cfg);
/* A copy of the process-wide configuration (the defaults until set). */
void fq_dispatch_config_get(struct fq_dispatch_config *out);
/*
 * Replace the process-wide configuration. FQ_EINVAL naming
 * "unacknowledged_s" when it is out of range; cfg->eta must be valid (as
 * fq_eta_config_from_json leaves it).
 */
int fq_dispatch_config_set(const struct fq_dispatch_config *cfg, struct fq_err *err) FQ_WUR;

/* ---- stations ---- */

/*
 * The station of unit code: the unit itself when it is a station, else its
 * nearest station ancestor (for a post or grid). station and path receive
 * its code and path. FQ_ENOTFOUND when there is no such unit or no station
 * above it.
 */
int fq_dispatch_station(struct fq_dbc *c, const char *code, char station[FQ_UNIT_CODE_MAX],
			char path[FQ_UNIT_PATH_MAX], struct fq_err *err) FQ_WUR;

/* ---- response units ---- */

struct fq_response_unit_new {
	const char *unit_code; /* owning station (see fq_dispatch_station) */
	const char *call_sign; /* 1 .. FQ_DISPATCH_CALL_SIGN_MAX characters */
	enum fq_response_unit_type type;
	enum fq_response_unit_status status; /* available, busy or off_duty */
	const char *members;		     /* or NULL */
	const char *actor_id;
};

/*
 * Create a response unit; id receives its UUIDv7. FQ_EINVAL names the field
 * (call_sign, members, type, status); FQ_ECONFLICT ("call_sign_taken") when
 * the station already has the call sign.
 */
int fq_response_unit_create(struct fq_dbc *c, const struct fq_response_unit_new *in, int64_t now_ms,
			    char id[37], struct fq_err *err) FQ_WUR;

/* Changes to a unit; NULL members and has_* = 0 keep the current value. */
struct fq_response_unit_patch {
	int64_t expected_version; /* required: a stale one is FQ_ECONFLICT */
	const char *call_sign;
	const char *members; /* "" clears */
	int has_type;
	enum fq_response_unit_type type;
	int has_status;
	enum fq_response_unit_status status;
	const char *actor_id;
};

/*
 * Apply a patch. The statuses dispatched, en_route and on_scene are set by
 * dispatches only ("status_by_dispatch"), and a unit serving a dispatch
 * keeps its status until the dispatch is cleared or cancelled
 * ("unit_on_dispatch"); both FQ_ECONFLICT, as are a stale version
 * ("stale_version") and a taken call sign. before and after (may be NULL)
 * receive the status before and after.
 */
int fq_response_unit_update(struct fq_dbc *c, const char *id,
			    const struct fq_response_unit_patch *p, int64_t now_ms,
			    enum fq_response_unit_status *before,
			    enum fq_response_unit_status *after, struct fq_err *err) FQ_WUR;

/* The owning station's path (for scope checks); FQ_ENOTFOUND when absent. */
int fq_response_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			  struct fq_err *err) FQ_WUR;

/*
 * The unit as JSON: {"id", "unit", "call_sign", "type", "type_label",
 * "status", "status_label", "members", "position": {"lat", "lon", "at",
 * "age_s", "stale"} or null, "dispatch": {"id", "incident_id", "state"} of
 * its active dispatch or null, "version", "created_at", "updated_at"}.
 * Staleness follows the configuration's max_position_age_s at now_ms.
 */
int fq_response_unit_json(struct fq_dbc *c, const char *id, int64_t now_ms, json_t **out,
			  struct fq_err *err) FQ_WUR;

struct fq_response_unit_query {
	const char *scope_path; /* units of stations under it */
	const char *station;	/* one station's code, or NULL */
	const char *status;	/* a status code, or NULL */
	const char *type;	/* a type code, or NULL */
	int64_t page, per_page;
};

/* Units ordered by station and call sign: {"items", "total", "page", "per_page"}. */
int fq_response_unit_list(struct fq_dbc *c, const struct fq_response_unit_query *q, int64_t now_ms,
			  json_t **out, struct fq_err *err) FQ_WUR;

enum fq_position_source {
	FQ_POSITION_GPS,    /* gps: a device on the unit */
	FQ_POSITION_APP,    /* app: a phone of a member */
	FQ_POSITION_MANUAL, /* manual: entered by the command room */
	FQ_POSITION_SOURCE_COUNT
};

const char *fq_position_source_code(enum fq_position_source s);
/* -1 when unknown. */
int fq_position_source_from_code(const char *code);

/* A validated position report, in WGS-84. */
struct fq_position_in {
	struct fq_geo_point point;
	int64_t at_ms;	   /* when it was taken */
	double accuracy_m; /* NAN when not given */
	enum fq_position_source source;
};

/*
 * Validate a report {"location": {"lat", "lon", "crs"}, "at", "accuracy_m",
 * "source"}: location is required, crs is wgs84 (default), gcj02 or bd09
 * and is converted to WGS-84; at (RFC 3339) defaults to now_ms and may be
 * at most 5 minutes ahead and 7 days behind it; accuracy_m 0 .. 100000;
 * source gps, app or manual (default manual). Errors name the field
 * ("location.lat", "location.crs", "at", ...).
 */
int fq_position_parse(json_t *body, int64_t now_ms, struct fq_position_in *out,
		      struct fq_err *err) FQ_WUR;

/*
 * Record a position of unit id: always in the history; as the unit's last
 * position only when it is not older than the current one (*latest, may be
 * NULL, tells which). FQ_ENOTFOUND when the unit is absent.
 */
int fq_response_unit_report_position(struct fq_dbc *c, const char *id,
				     const struct fq_position_in *p, const char *actor_id,
				     int64_t now_ms, int *latest, struct fq_err *err) FQ_WUR;

/* The unit's position history, newest first: {"items", "total", "page", "per_page"}. */
int fq_unit_position_list(struct fq_dbc *c, const char *id, int64_t page, int64_t per_page,
			  json_t **out, struct fq_err *err) FQ_WUR;

/* ---- ranking and coverage ---- */

/* The station's units as the estimator sees them; strings owned here. */
struct fq_dispatch_units {
	struct fq_eta_unit *items;
	size_t count;
	char (*ids)[37];
	char (*call_signs)[FQ_DISPATCH_CALL_SIGN_BYTES];
};

void fq_dispatch_units_init(struct fq_dispatch_units *u);
void fq_dispatch_units_release(struct fq_dispatch_units *u);

/*
 * Load every unit of station (all statuses; ranking and coverage pick the
 * dispatchable ones), ordered by id. FQ_ETOOBIG past FQ_ETA_UNITS_MAX.
 */
int fq_dispatch_units_load(struct fq_dbc *c, const char *station, struct fq_dispatch_units *out,
			   struct fq_err *err) FQ_WUR;

/* Candidates for an incident: the ranking over the loaded units. */
struct fq_dispatch_candidates {
	char incident_id[37];
	struct fq_geo_point incident;
	struct fq_dispatch_units units;
	struct fq_eta_ranking ranking; /* unit_index points into units.items */
};

void fq_dispatch_candidates_init(struct fq_dispatch_candidates *cand);
void fq_dispatch_candidates_release(struct fq_dispatch_candidates *cand);

/*
 * Rank the available units of the incident's station by their ETA to the
 * incident with the great-circle model of cfg (NULL: the process-wide
 * configuration) at now_ms. FQ_ENOTFOUND when the incident is absent,
 * FQ_EUNPROC ("no_location") when it has no coordinates; otherwise as
 * fq_eta_rank. out must be initialised; its previous content is released.
 */
int fq_dispatch_rank(struct fq_dbc *c, const char *incident_id, int64_t now_ms,
		     const struct fq_dispatch_config *cfg, struct fq_dispatch_candidates *out,
		     struct fq_err *err) FQ_WUR;

/*
 * The candidates for the API: fq_eta_ranking_json with "call_sign" and
 * "position" {"lat", "lon", "at"} added to each item, plus "incident_id",
 * "location" and "warning" (a zh-CN sentence when none_within_5min, else
 * null). A new reference.
 */
json_t *fq_dispatch_candidates_json(const struct fq_dispatch_candidates *cand);

/*
 * Coverage of station by its units (fq_coverage_compute): the outer ring
 * and holes of its boundary (a GeoJSON Polygon, or the first polygon of a
 * MultiPolygon), cells of cell_m metres (0: the default), its units, and
 * the located alerts it received in the FQ_COVERAGE_ALERT_WINDOW_DAYS days
 * before now_ms. *out is fq_coverage_json with "unit", "alert_window_days"
 * and "computed_at" added. FQ_EUNPROC ("no_boundary") when the station has
 * no usable boundary; otherwise as fq_coverage_compute.
 */
int fq_dispatch_coverage(struct fq_dbc *c, const char *station, double cell_m, int64_t now_ms,
			 const struct fq_dispatch_config *cfg, json_t **out,
			 struct fq_err *err) FQ_WUR;

/* ---- dispatches ---- */

enum fq_dispatch_state {
	FQ_DISPATCH_DISPATCHED,	  /* dispatched, 已派 */
	FQ_DISPATCH_ACKNOWLEDGED, /* acknowledged, 已接令 */
	FQ_DISPATCH_EN_ROUTE,	  /* en_route, 在途 */
	FQ_DISPATCH_ON_SCENE,	  /* on_scene, 到场 */
	FQ_DISPATCH_CLEARED,	  /* cleared, 已结束 */
	FQ_DISPATCH_CANCELLED,	  /* cancelled, 已取消 */
	FQ_DISPATCH_STATE_COUNT
};

const char *fq_dispatch_state_code(enum fq_dispatch_state s);
const char *fq_dispatch_state_label(enum fq_dispatch_state s);
/* -1 when unknown. */
int fq_dispatch_state_from_code(const char *code);

enum fq_dispatch_step {
	FQ_DISPATCH_STEP_ACKNOWLEDGE, /* acknowledge: dispatched → acknowledged */
	FQ_DISPATCH_STEP_EN_ROUTE,    /* en_route: acknowledged → en_route */
	FQ_DISPATCH_STEP_ON_SCENE,    /* on_scene: en_route → on_scene */
	FQ_DISPATCH_STEP_CLEAR,	      /* clear: on_scene → cleared */
	FQ_DISPATCH_STEP_CANCEL,      /* cancel: dispatched, acknowledged, en_route → cancelled */
	FQ_DISPATCH_STEP_COUNT
};

const char *fq_dispatch_step_code(enum fq_dispatch_step step);
/* -1 when unknown. */
int fq_dispatch_step_from_code(const char *code);
/* The state a step leads to. */
enum fq_dispatch_state fq_dispatch_step_target(enum fq_dispatch_step step);
/* 1 when step may be taken from state. */
int fq_dispatch_step_allowed(enum fq_dispatch_step step, enum fq_dispatch_state from);

/* An incident's moves made by a dispatch or a step (at most two). */
struct fq_dispatch_incident_moves {
	int count;
	enum fq_incident_state from[2];
	enum fq_incident_state to[2];
};

struct fq_dispatch_created {
	size_t count;
	char ids[FQ_DISPATCH_UNITS_PER_REQUEST_MAX][37]; /* in the order of the request */
	struct fq_dispatch_incident_moves incident;
};

/*
 * Send units[0..n-1] (ids) to incident_id at now_ms. All or nothing (on
 * error the caller rolls back): n is 1 .. FQ_DISPATCH_UNITS_PER_REQUEST_MAX
 * distinct ids ("units", "units[i]" with invalid_value or duplicate); each
 * unit must exist in the incident's station (FQ_EINVAL "unknown_unit",
 * "units[i]": the same answer for a unit elsewhere, so other stations'
 * units stay invisible) and be available (FQ_ECONFLICT "unit_not_available",
 * "units[i]"); the incident must be received, reopened, dispatched,
 * en_route or on_scene (FQ_ECONFLICT "incident_not_open"). FQ_ENOTFOUND
 * when the incident is absent.
 */
int fq_dispatch_create(struct fq_dbc *c, const char *incident_id, const char *const *units,
		       size_t n, const char *note, const char *actor_id, int64_t now_ms,
		       struct fq_dispatch_created *out, struct fq_err *err) FQ_WUR;

struct fq_dispatch_step_result {
	char incident_id[37];
	char response_unit_id[37];
	enum fq_dispatch_state from;
	enum fq_dispatch_state to;
	struct fq_dispatch_incident_moves incident;
};

/*
 * Take step on dispatch id at now_ms, stamping its time, moving the unit's
 * status and the incident as described above. expected_version 0 does not
 * check. FQ_ENOTFOUND, FQ_ECONFLICT ("invalid_step" naming both states,
 * "stale_version"), FQ_EINVAL for a note over FQ_DISPATCH_NOTE_MAX.
 */
int fq_dispatch_step(struct fq_dbc *c, const char *id, enum fq_dispatch_step step,
		     int64_t expected_version, const char *note, const char *actor_id,
		     int64_t now_ms, struct fq_dispatch_step_result *out,
		     struct fq_err *err) FQ_WUR;

/* The owning station's path of a dispatch (its incident's); FQ_ENOTFOUND when absent. */
int fq_dispatch_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		     struct fq_err *err) FQ_WUR;

/*
 * The dispatch as JSON: {"id", "incident_id", "incident_number",
 * "response_unit": {"id", "call_sign", "type", "type_label"}, "state",
 * "state_label", "dispatched_at", "dispatched_by", "acknowledged_at",
 * "en_route_at", "on_scene_at", "cleared_at", "cancelled_at", "note",
 * "version", "unacknowledged_s", "overdue"}; unacknowledged_s is the whole
 * seconds since it was dispatched while it is still in state dispatched
 * (else null), overdue whether that reaches unacknowledged_after_s.
 */
int fq_dispatch_json(struct fq_dbc *c, const char *id, int64_t now_ms,
		     int64_t unacknowledged_after_s, json_t **out, struct fq_err *err) FQ_WUR;

struct fq_dispatch_query {
	const char *scope_path;	  /* dispatches of incidents of stations under it */
	const char *incident_id;  /* or NULL */
	const char *state;	  /* a state code, "active" (not cleared or cancelled), or NULL */
	int64_t unacknowledged_s; /* >= 0: only still dispatched for at least this long; -1: all */
	int64_t unacknowledged_after_s; /* for "overdue" */
	int64_t page, per_page;
};

/*
 * Dispatches newest first, or oldest first when unacknowledged_s >= 0 (the
 * longest wait leads): {"items", "total", "page", "per_page",
 * "unacknowledged_after_s"}. FQ_EINVAL ("invalid_query", "state") for an
 * unknown state.
 */
int fq_dispatch_list(struct fq_dbc *c, const struct fq_dispatch_query *q, int64_t now_ms,
		     json_t **out, struct fq_err *err) FQ_WUR;

/* ---- response times ---- */

/* Absent times are FQ_DISPATCH_NO_TIME. */
#define FQ_DISPATCH_NO_TIME INT64_MIN

struct fq_response_times {
	int64_t received_ms;	   /* the incident's first alert */
	int64_t first_dispatch_ms; /* the first dispatch, cancelled ones included */
	int64_t first_on_scene_ms; /* the first unit on scene */
	int64_t dispatch_ms;	   /* first_dispatch - received, or FQ_DISPATCH_NO_TIME */
	int64_t on_scene_ms;	   /* first_on_scene - received, or FQ_DISPATCH_NO_TIME */
};

/*
 * The arithmetic: each difference is FQ_DISPATCH_NO_TIME when either end is
 * absent and never negative (a clock of a reporting client that runs ahead
 * counts as 0).
 */
void fq_response_times_compute(int64_t received_ms, int64_t first_dispatch_ms,
			       int64_t first_on_scene_ms, struct fq_response_times *out);

/* The times of an incident from its dispatches; FQ_ENOTFOUND when absent. */
int fq_response_times_of(struct fq_dbc *c, const char *incident_id, struct fq_response_times *out,
			 struct fq_err *err) FQ_WUR;

/*
 * {"first_received_at", "first_dispatched_at", "first_on_scene_at",
 *  "dispatch_s", "on_scene_s"}: times in RFC 3339 (+08:00) or null, the
 * durations in seconds with millisecond precision or null. A new reference.
 */
json_t *fq_response_times_json(const struct fq_response_times *t);

/*
 * Add "dispatches" (oldest first) and "response_times" to an incident's
 * JSON object (fq_incident_json).
 */
int fq_dispatch_incident_attach(struct fq_dbc *c, const char *incident_id, int64_t now_ms,
				json_t *incident, struct fq_err *err) FQ_WUR;

/*
 * Helpers shared by the files of this module, not for other callers.
 * fq__dispatch_config: cfg, or the process-wide configuration copied into
 * copy. fq__dispatch_time_json: an integer column of UTC ms as RFC 3339
 * (+08:00), or null. fq__dispatch_text_json: a text column or null.
 * fq__dispatch_int_or_none: an integer column, FQ_DISPATCH_NO_TIME when
 * NULL. fq__dispatch_blank: NULL or only white space.
 * fq__dispatch_check_chars: FQ_EINVAL "too_long" naming field past max
 * characters. fq__dispatch_count: steps st once for a COUNT(*) into *n and
 * hands it back.
 */
#define FQ__DISPATCH_ACTIVE_STATES "('dispatched', 'acknowledged', 'en_route', 'on_scene')"

const struct fq_dispatch_config *fq__dispatch_config(const struct fq_dispatch_config *cfg,
						     struct fq_dispatch_config *copy);
json_t *fq__dispatch_time_json(struct fq_stmt *st, int col);
json_t *fq__dispatch_text_json(struct fq_stmt *st, int col);
int64_t fq__dispatch_int_or_none(struct fq_stmt *st, int col);
int fq__dispatch_blank(const char *s);
int fq__dispatch_check_chars(const char *s, size_t max, const char *field,
			     struct fq_err *err) FQ_WUR;
int fq__dispatch_count(struct fq_stmt *st, int64_t *n, struct fq_err *err) FQ_WUR;

#endif
