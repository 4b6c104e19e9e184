/*
 * Incidents: one real event each, with one or more alerts (reports).
 *
 * The life cycle is an explicit state machine (MODEL.md):
 *   received → dispatched → en_route → on_scene → disposed → feedback → closed
 *   received → closed            only as unfounded or duplicate, with a reason
 *   closed → reopened → dispatched
 * Any other transition is refused with FQ_ECONFLICT ("invalid_transition")
 * naming both states. An incident merged into another (closed, close_reason
 * "merged", merged_into set: command/incident_merge.h) is final: every
 * transition of it is refused ("incident_merged"). Closing needs a disposal result and feedback.
 * Every transition is timestamped, attributed and written to the incident's timeline
 * (incident_event; read through the view incident_timeline) in the caller's transaction;
 * the caller audits.
 *
 * Writers expect an open write transaction on c.
 */
#ifndef FQ_COMMAND_INCIDENT_H
#define FQ_COMMAND_INCIDENT_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

enum fq_incident_state {
	FQ_INCIDENT_RECEIVED,
	FQ_INCIDENT_DISPATCHED,
	FQ_INCIDENT_EN_ROUTE,
	FQ_INCIDENT_ON_SCENE,
	FQ_INCIDENT_DISPOSED,
	FQ_INCIDENT_FEEDBACK,
	FQ_INCIDENT_CLOSED,
	FQ_INCIDENT_REOPENED,
	FQ_INCIDENT_STATE_COUNT
};

#define FQ_INCIDENT_TEXT_MAX 2000 /* characters of disposal, feedback, notes */

const char *fq_incident_state_code(enum fq_incident_state s);
const char *fq_incident_state_label(enum fq_incident_state s);
/* -1 when unknown. */
int fq_incident_state_from_code(const char *code);
/* 1 when the state machine allows from → to. */
int fq_incident_transition_allowed(enum fq_incident_state from, enum fq_incident_state to);

struct fq_incident_new {
	const char *unit_code; /* owning station */
	const char *grid_code; /* or NULL */
	const char *category;
	int priority;
	int has_location;
	double lat, lon;
	const char *address;
	int64_t received_at;
	int repeat_caller, repeat_place;
	const char *actor_id;
	/*
	 * 1: the incident is created holding its first alert, received at received_at
	 * (alert_count 1, no fq_incident_add_alert for it); 0: no alerts yet.
	 */
	int first_alert;
	/*
	 * The creation time (created_at, and so the timeline's first entry), or 0 for now: the
	 * caller's own clock reading, so that what it writes beside the incident at that time
	 * (the first alert's timeline entry) never sorts before the incident's creation.
	 */
	int64_t now_ms;
};

/*
 * Create an incident in state received. row, when not NULL, receives it as
 * fq_incident_add_alert's row gives it (read back after the INSERT): the caller owns it.
 * The timeline's first entry, the transition to received by actor_id, is not a row of
 * incident_event: the view incident_timeline reads it from the incident row.
 */
int fq_incident_create(struct fq_dbc *c, const struct fq_incident_new *in, char id[37],
		       char number[FQ_NUMBER_MAX], json_t **row, struct fq_err *err) FQ_WUR;

/*
 * Count one more alert received at received_at. row, when not NULL, receives
 * the incident as fq_incident_json(detail 0, which masks nothing) would give
 * it right after this change (the UPDATE's RETURNING row): the caller owns
 * it.
 */
int fq_incident_add_alert(struct fq_dbc *c, const char *id, int64_t received_at, json_t **row,
			  struct fq_err *err) FQ_WUR;

struct fq_incident_change {
	enum fq_incident_state to;
	int64_t expected_version; /* 0: don't check */
	const char *disposal;	  /* kept when NULL */
	const char *feedback;	  /* kept when NULL */
	const char *close_reason; /* "unfounded" or "duplicate": received → closed */
	const char *note;
	const char *actor_id;
};

/*
 * Apply a transition. *from_out (may be NULL) receives the state left.
 * FQ_ENOTFOUND, FQ_ECONFLICT (stale version, invalid transition), FQ_EINVAL
 * (missing disposal/feedback/reason, with the field named).
 */
int fq_incident_transition(struct fq_dbc *c, const char *id, const struct fq_incident_change *ch,
			   enum fq_incident_state *from_out, struct fq_err *err) FQ_WUR;

/* Append to the timeline. */
int fq_incident_event(struct fq_dbc *c, const char *incident_id, int64_t at, const char *by,
		      const char *kind, const char *from_state, const char *to_state,
		      const char *note, struct fq_err *err) FQ_WUR;

/* The owning unit's path (for scope checks); FQ_ENOTFOUND when absent. */
int fq_incident_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			  struct fq_err *err) FQ_WUR;

/*
 * The incident as JSON; with detail=1 also its alerts (newest last), merge
 * decisions and timeline. mask_phones=1 masks callers' phones.
 */
int fq_incident_json(struct fq_dbc *c, const char *id, int detail, int mask_phones, json_t **out,
		     struct fq_err *err) FQ_WUR;

struct fq_incident_query {
	const char *scope_path;
	const char *state; /* one state code, "open" (all but closed) or NULL */
	int64_t from_ms, to_ms;
	int64_t page, per_page;
};

/*
 * Check a query's filters (the state code known):
 * FQ_EINVAL naming the field. fq_incident_list and the export call it.
 */
int fq_incident_query_check(const struct fq_incident_query *q, struct fq_err *err) FQ_WUR;

/*
 * The WHERE clause of a query over "incident i JOIN unit u ON u.code =
 * i.unit_code", its fq_dbc_query type letters and its arguments (state
 * NULL for "open", open_only 1 then), shared by every reader of
 * struct fq_incident_query so that the list and the export select the
 * same rows.
 */
#define FQ_INCIDENT_FILTER_SQL                                                                     \
	"substr(u.path, 1, length(?)) = ? AND (? IS NULL OR i.state = ?)"                          \
	" AND (? = 0 OR i.state <> 'closed')"                                                      \
	" AND (? = 0 OR i.first_received_at >= ?) AND (? = 0 OR i.first_received_at < ?)"
#define FQ_INCIDENT_FILTER_TYPES "ttttiiiii"
#define FQ_INCIDENT_FILTER_ARGS(q, state, open_only)                                               \
	(q)->scope_path, (q)->scope_path, (state), (state), (int64_t)(open_only), (q)->from_ms,    \
	    (q)->from_ms, (q)->to_ms, (q)->to_ms

/* One page of incidents, newest first: {"items","total","page","per_page"}. */
int fq_incident_list(struct fq_dbc *c, const struct fq_incident_query *q, json_t **out,
		     struct fq_err *err) FQ_WUR;

#endif
