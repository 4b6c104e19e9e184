/*
 * Alert intake: validation and normalisation of a report, the station and
 * grid it belongs to, and the bridge between the store and the merge
 * engine (command/merge.h).
 *
 * The intake of one alert is: fq_alert_parse (no locks) → fq_alert_lock →
 * fq_alert_match → the caller's write transaction with fq_alert_store and
 * its audit entry → commit → fq_alert_indexed → fq_alert_unlock. The lock
 * makes "match, decide, store, index" one step, so two callers reporting
 * one event at the same moment see each other. POST /api/v1/alerts runs
 * these steps for many alerts in one transaction through the group
 * committer of command/intake.h, which indexes a stored alert only once a
 * later alert of the group could see it (fq_alert_may_see) or the group has
 * committed; the CSV import runs them in its batches.
 *
 * fq_alert_engine_start() builds the merge index from the store (alerts of
 * the last 90 days, in time order) and must run before the server takes
 * requests; fq_alert_engine_stop() frees it.
 */
#ifndef FQ_COMMAND_ALERT_H
#define FQ_COMMAND_ALERT_H

#include <jansson.h>
#include <stdint.h>

#include "command/merge.h"
#include "command/taxonomy.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/phone.h"
#include "core/pool.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_ALERT_DESCRIPTION_MAX 2000 /* characters */
#define FQ_ALERT_ADDRESS_MAX	 200
#define FQ_ALERT_NAME_MAX	 32

enum fq_alert_source {
	FQ_ALERT_SOURCE_PHONE_110,
	FQ_ALERT_SOURCE_WALK_IN,
	FQ_ALERT_SOURCE_PATROL,
	FQ_ALERT_SOURCE_APP,
	FQ_ALERT_SOURCE_VIDEO,
	FQ_ALERT_SOURCE_OTHER,
	FQ_ALERT_SOURCE_COUNT
};

const char *fq_alert_source_code(enum fq_alert_source s);
const char *fq_alert_source_label(enum fq_alert_source s);
int fq_alert_source_from_code(const char *code);

/* A validated, normalised report; strings live in the parse pool. */
struct fq_alert_in {
	int64_t received_at;
	enum fq_alert_source source;
	const char *caller_name;  /* NULL when not given */
	const char *caller_phone; /* as entered, NULL when not given */
	struct fq_phone phone;	  /* normalised; number "" when none */
	int has_location;
	double lat, lon;	  /* WGS-84 */
	const char *address;	  /* as entered, NULL when not given */
	const char *address_norm; /* "" when none */
	/* fq_merge_address_key(address_norm), set by fq_alert_parse (has_address_key) */
	uint64_t address_key;
	int has_address_key;
	const struct fq_category *category;
	int priority;
	const char *description; /* as entered */
	const char *description_norm;
	const char *unit;	 /* station asked for, or NULL */
	const char *incident_id; /* the operator's chosen incident, or NULL */
	const char *extra;	 /* compact JSON object, or NULL */
};

/*
 * Validate a JSON report (the body of POST /api/v1/alerts): received_at,
 * source, caller_name, caller_phone, location {lat, lon} with optional
 * crs (wgs84, gcj02, bd09), address, category, description, priority,
 * unit, incident_id, extra. Location or address is required. Errors name
 * the field. for_match relaxes received_at (defaults to now) and
 * description for previews while the operator types.
 */
int fq_alert_parse(json_t *body, int for_match, struct fq_pool *pool, struct fq_alert_in *out,
		   struct fq_err *err) FQ_WUR;

int fq_alert_engine_start(struct fq_db *db, struct fq_err *err) FQ_WUR;
void fq_alert_engine_stop(void);
/*
 * Rebuild the merge index from the store and swap it in (the intake's
 * group committer calls it, holding the intake lock, after a COMMIT failed
 * with alerts of the group already indexed). On failure the old index stays.
 */
int fq_alert_engine_reload(struct fq_db *db, struct fq_err *err) FQ_WUR;
/* Fault injection for tests: the next n reloads fail (FQ_EDB) and leave the index as it is. */
void fq_alert_test_fail_reload(int n);
/* Expire the merge index against the wall clock (call every minute). */
void fq_alert_engine_tick(void);
/* Expire it at now_ms instead: an import, after each row, at that row's received_at. */
void fq_alert_engine_expire(int64_t now_ms);

void fq_alert_lock(void);
void fq_alert_unlock(void);

/*
 * The station an alert belongs to: in->unit (which must be a station
 * under scope_path) or the user's own station (the unit itself, or the
 * station above a post or grid). station_path receives its path.
 */
int fq_alert_station(struct fq_dbc *c, const struct fq_alert_in *in, const char *user_unit,
		     const char *scope_path, char station[FQ_UNIT_CODE_MAX],
		     char station_path[FQ_UNIT_PATH_MAX], struct fq_err *err) FQ_WUR;

/*
 * The grid of station containing the point, "" when none: the lookup that
 * places alerts, for other records placed the same way (disputes). Grid
 * boundaries are cached per station for the life of the process.
 */
void fq_alert_grid_at(struct fq_dbc *c, const char *station, double lat, double lon,
		      char out[FQ_UNIT_CODE_MAX]);

/* Match against the merge index (hold the intake lock). */
int fq_alert_match(const struct fq_alert_in *in, struct fq_merge_result *out,
		   struct fq_err *err) FQ_WUR;

/*
 * The two steps of fq_alert_match for the intake (fq_merge_prematch): the
 * first in the request's thread, the second in the committer, which then
 * sees only the alerts stored since, unless the index changed otherwise.
 * *reused (when not NULL) says whether pm was used; pm is spent either way.
 */
int fq_alert_prematch(const struct fq_alert_in *in, struct fq_merge_prematch *pm,
		      struct fq_err *err) FQ_WUR;
int fq_alert_match_from(const struct fq_alert_in *in, struct fq_merge_prematch *pm,
			struct fq_merge_result *out, int *reused, struct fq_err *err) FQ_WUR;

struct fq_alert_stored {
	char alert_id[37];
	char alert_number[FQ_NUMBER_MAX];
	char incident_id[37];
	int new_incident;
	char grid[FQ_UNIT_CODE_MAX];
	const char *decision; /* merged, suggested, new */
	const char *kind;     /* repeat_caller, same_event, NULL */
};

/*
 * Store the alert in c's write transaction: join the operator's incident
 * (in->incident_id, which must be open and in the station), or the
 * engine's automatic choice, or a new incident; record the decision and the
 * timeline's "alert" entry in the alert row (views merge_decision_all and
 * incident_timeline; docs/merge.md, "Where the intake decision lives").
 * incident_row, when not NULL, receives the incident as it is after this
 * alert (read back after its INSERT or UPDATE; the caller owns it, NULL on
 * error).
 */
int fq_alert_store(struct fq_dbc *c, const struct fq_alert_in *in, const char *station,
		   const struct fq_merge_result *m, const char *idempotency_key,
		   const char *actor_id, struct fq_alert_stored *out, json_t **incident_row,
		   struct fq_err *err) FQ_WUR;

/* After commit: add the stored alert to the merge index. */
void fq_alert_indexed(const struct fq_alert_in *in, const struct fq_alert_stored *s);
/*
 * The merge engine's view of a stored alert, as fq_alert_indexed gives it
 * to the index; it points into in and s, which must outlive it.
 */
void fq_alert_merge_view(const struct fq_alert_in *in, const struct fq_alert_stored *s,
			 struct fq_merge_alert *out);
/*
 * Index the stored alerts m[0..n) (fq_alert_merge_view) in order, under one
 * hold of the index's lock. Returns 0; with try_only, FQ_EUNAVAIL instead of
 * waiting for the lock (none indexed then).
 */
int fq_alert_indexed_many(const struct fq_merge_alert *m, size_t n, int try_only);
/*
 * Whether matching in could find anything of the stored alerts others[0..n)
 * (fq_alert_merge_view) once they are indexed (fq_merge_may_see_any): when
 * not, they may be indexed after in is matched.
 */
int fq_alert_may_see(const struct fq_alert_in *in, const struct fq_merge_alert *others, size_t n);

/* Tell the index that an incident closed or reopened. */
void fq_alert_incident_state(const char *incident_id, int closed);

/*
 * After an operator's split or merge has committed (command/incident_merge.h):
 * move one alert to another incident in the merge index, or every alert and
 * report of from_id into into_id. Call with the intake lock held, so no
 * intake matches against the half-updated index. Alerts outside the index's
 * windows are not there: nothing to do for them.
 */
void fq_alert_index_move(const char *alert_id, const char *incident_id);
void fq_alert_index_join(const char *from_id, const char *into_id);

/*
 * An earlier alert stored under this idempotency key by this user:
 * alert_id receives its id; FQ_ENOTFOUND when none.
 */
int fq_alert_find_idempotent(struct fq_dbc *c, const char *actor_id, const char *key,
			     char alert_id[37], struct fq_err *err) FQ_WUR;

/* The merge block of the API answer. */
json_t *fq_alert_merge_json(const struct fq_merge_result *m, const char *decision,
			    const char *kind);

/*
 * The alert just stored (in, at station, as out records it) as fq_alert_json
 * gives it, built from what was written instead of read back.
 */
json_t *fq_alert_stored_json(const struct fq_alert_in *in, const char *station,
			     const struct fq_alert_stored *s, int mask_phones);

/* The alert as JSON (mask_phones masks the caller's phone); incident_id out (may be NULL). */
int fq_alert_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		  char incident_id[37], struct fq_err *err) FQ_WUR;

/* The owning station's path of an alert; FQ_ENOTFOUND when absent. */
int fq_alert_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err) FQ_WUR;

#endif
