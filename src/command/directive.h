/*
 * Governance directives (治理指令): tasks the command room gives a team,
 * officer or grid, with a deadline and required feedback, tracked until
 * the command room approves the feedback (闭环).
 *
 * The life cycle is an explicit state machine (MODEL.md), driven by steps:
 *   issued   --accept-->   accepted
 *   accepted --start-->    in_progress
 *   returned --start-->    in_progress
 *   in_progress --feedback--> feedback_submitted
 *   feedback_submitted --approve--> approved (closed)
 *   feedback_submitted --return-->  returned
 * Any other step is refused with FQ_ECONFLICT ("invalid_transition").
 * accept, start and feedback are the target team's steps: when the
 * directive names a target officer, only that officer may take them
 * (FQ_EFORBIDDEN "not_assignee"). approve and return are the command
 * room's; the caller checks that right. feedback needs a text, return a
 * reason; an approval may carry a note. Each lands in the directive's
 * timeline (directive_feedback).
 *
 * overdue is derived, never stored: the deadline has passed (deadline_at
 * < now) and the directive is not approved. Escalation is a recorded
 * event: once per overdue directive, to the chief of its station.
 *
 * KPIs (docs/kpi.md) are computed from the records for a unit and a
 * period, never stored.
 *
 * Writers expect an open write transaction on c (the caller audits in it),
 * except fq_directive_escalate_overdue, which runs its own. Times are UTC
 * ms; a now_ms of 0 means the wall clock (fq_now_ms).
 */
#ifndef FQ_COMMAND_DIRECTIVE_H
#define FQ_COMMAND_DIRECTIVE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_DIRECTIVE_TITLE_MAX	     100  /* characters */
#define FQ_DIRECTIVE_TEXT_MAX	     2000 /* characters of what_to_do, feedback, reasons, notes */
#define FQ_DIRECTIVE_REF_MAX	     200  /* characters of a place or hotspot description */
#define FQ_DIRECTIVE_DEADLINE_MAX_MS (90LL * 86400 * 1000) /* latest deadline after issue */
#define FQ_DIRECTIVE_ESCALATE_BATCH  500 /* directives escalated per call at most */

enum fq_directive_state {
	FQ_DIRECTIVE_ISSUED,
	FQ_DIRECTIVE_ACCEPTED,
	FQ_DIRECTIVE_IN_PROGRESS,
	FQ_DIRECTIVE_FEEDBACK_SUBMITTED,
	FQ_DIRECTIVE_APPROVED,
	FQ_DIRECTIVE_RETURNED,
	FQ_DIRECTIVE_STATE_COUNT
};

enum fq_directive_step {
	FQ_DIRECTIVE_ACCEPT,
	FQ_DIRECTIVE_START,
	FQ_DIRECTIVE_FEEDBACK,
	FQ_DIRECTIVE_APPROVE,
	FQ_DIRECTIVE_RETURN,
	FQ_DIRECTIVE_STEP_COUNT
};

enum fq_directive_source {
	FQ_DIRECTIVE_SRC_INCIDENT,
	FQ_DIRECTIVE_SRC_REPEAT_CALLER,
	FQ_DIRECTIVE_SRC_REPEAT_PLACE,
	FQ_DIRECTIVE_SRC_HOTSPOT,
	FQ_DIRECTIVE_SRC_MANUAL,
	FQ_DIRECTIVE_SRC_COUNT
};

enum fq_directive_team {
	FQ_DIRECTIVE_TEAM_COMMUNITY,
	FQ_DIRECTIVE_TEAM_CASE,
	FQ_DIRECTIVE_TEAM_COMMAND,
	FQ_DIRECTIVE_TEAM_COUNT
};

/* Codes ("in_progress") and zh-CN labels; NULL when out of range. */
const char *fq_directive_state_code(enum fq_directive_state s);
const char *fq_directive_state_label(enum fq_directive_state s);
const char *fq_directive_step_code(enum fq_directive_step step);
const char *fq_directive_source_code(enum fq_directive_source s);
const char *fq_directive_team_code(enum fq_directive_team t);
const char *fq_directive_team_label(enum fq_directive_team t);
/* From a code; -1 when unknown (or NULL). */
int fq_directive_state_from_code(const char *code);
int fq_directive_step_from_code(const char *code);
int fq_directive_source_from_code(const char *code);
int fq_directive_team_from_code(const char *code);

/* The state step leads to from from, or -1 when the state machine refuses it. */
int fq_directive_step_target(enum fq_directive_state from, enum fq_directive_step step);
/* 1 for the target team's steps (accept, start, feedback), 0 for the command room's. */
int fq_directive_step_by_team(enum fq_directive_step step);
/* 1 when a directive in state with this deadline is overdue at now_ms. */
int fq_directive_overdue(enum fq_directive_state state, int64_t deadline_at, int64_t now_ms);

struct fq_directive_new {
	/*
	 * Where it comes from. source is a code or NULL to infer it: the
	 * member among repeat_place, repeat_caller and hotspot that is set
	 * (at most one may be), else "incident" with incident_id, else
	 * "manual". incident_id (optional for repeat_place and
	 * repeat_caller, required for incident, refused for manual and
	 * hotspot) must be an incident of a station in scope_path; for a
	 * repeat source it gives the place (its address, else its
	 * coordinates) or the phone (its latest caller's) when the member
	 * is not set. repeat_caller is a phone as entered (normalised here,
	 * stored normalised as source_ref).
	 */
	const char *source;
	const char *incident_id;
	const char *repeat_place;
	const char *repeat_caller;
	const char *hotspot;
	/*
	 * The issuing station: the incident's, else unit (a station or a
	 * unit under one, in scope_path), else the station of actor_unit.
	 */
	const char *unit;
	const char *actor_unit;
	const char *scope_path;
	/*
	 * The target: a team; optionally an officer (an enabled user of the
	 * station who may read incidents) and a grid of the station (by
	 * default the incident's grid, when there is an incident).
	 */
	const char *target_team;
	const char *target_user_id;
	const char *target_grid;
	const char *title;	/* at most FQ_DIRECTIVE_TITLE_MAX characters */
	const char *what_to_do; /* at most FQ_DIRECTIVE_TEXT_MAX characters */
	int64_t deadline_at;	/* after now, at most FQ_DIRECTIVE_DEADLINE_MAX_MS later */
	int64_t now_ms;
	const char *actor_id;
};

/*
 * Issue a directive (state issued, number "ZL-<station>-<date>-NNNN",
 * dated in China Standard Time). Every refusal above is FQ_EINVAL with
 * err->field the API's name of the member (source, incident_id,
 * repeat_place, repeat_caller, hotspot, unit, target_team,
 * target_user_id, target_grid, title, what_to_do, deadline_at); texts
 * over their limit are "too_long". An incident, unit, grid or user outside
 * the issuer's reach reads as unknown ("unknown_incident", ...).
 */
int fq_directive_create(struct fq_dbc *c, const struct fq_directive_new *in, char id[37],
			char number[FQ_NUMBER_MAX], struct fq_err *err) FQ_WUR;

struct fq_directive_change {
	enum fq_directive_step step;
	int64_t expected_version; /* 0: don't check */
	/* feedback: the feedback (required); return: the reason (required); approve: a note. */
	const char *text;
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Take a step. *from_out and *to_out (may be NULL) receive the states.
 * FQ_ENOTFOUND; FQ_ECONFLICT "stale_version" or "invalid_transition";
 * FQ_EFORBIDDEN "not_assignee"; FQ_EINVAL "missing_field"/"too_long" with
 * field "text" (feedback), "reason" (return) or "note" (approve).
 */
int fq_directive_transition(struct fq_dbc *c, const char *id, const struct fq_directive_change *ch,
			    enum fq_directive_state *from_out, enum fq_directive_state *to_out,
			    struct fq_err *err) FQ_WUR;

/* The issuing station's path (for scope checks); FQ_ENOTFOUND when absent. */
int fq_directive_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			   struct fq_err *err) FQ_WUR;

/*
 * The directive as JSON, with overdue derived at now_ms; detail=1 adds the
 * timeline (directive_feedback, oldest first). mask_phones masks a
 * repeat caller's phone in source_ref.
 */
int fq_directive_json(struct fq_dbc *c, const char *id, int detail, int mask_phones, int64_t now_ms,
		      json_t **out, struct fq_err *err) FQ_WUR;

struct fq_directive_query {
	const char *scope_path;
	const char *state;	    /* a state code, "open" (all but approved) or NULL */
	const char *target_team;    /* a team code or NULL */
	const char *grid;	    /* a target grid code or NULL */
	const char *target_user_id; /* or NULL */
	int overdue;		    /* -1: either, 0: not overdue, 1: overdue */
	const char *sort;	    /* deadline (default), -deadline, issued, -issued */
	int mask_phones;
	int64_t now_ms;
	int64_t page, per_page;
};

/* {"items", "total", "page", "per_page"}; FQ_EINVAL "invalid_query" naming the bad filter. */
int fq_directive_list(struct fq_dbc *c, const struct fq_directive_query *q, json_t **out,
		      struct fq_err *err) FQ_WUR;

/*
 * The counts of docs/kpi.md for the directives issued in [from_ms, to_ms)
 * by stations under unit_path, judged at now_ms:
 *   issued    all of them;
 *   on_time   approved at or before the deadline;
 *   overdue   approved after the deadline, or not approved and past it;
 *   pending   not approved and not past the deadline
 *             (issued = on_time + overdue + pending);
 *   returned  returned at least once, whatever their state now.
 */
struct fq_directive_counts {
	int64_t issued, on_time, overdue, pending, returned;
};

int fq_directive_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
			int64_t now_ms, struct fq_directive_counts *out, struct fq_err *err) FQ_WUR;

/*
 * The KPI answer for unit (any unit; its stations are counted): unit,
 * from, to, as_of, counts, rates (on_time = on_time / (on_time + overdue),
 * returned = returned / issued; null when the denominator is 0) and
 * stations (the same per station with directives in the period).
 */
int fq_directive_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
			  int64_t now_ms, json_t **out, struct fq_err *err) FQ_WUR;

/* One escalation, as fq_directive_escalate_overdue reports it. */
struct fq_directive_escalation {
	const char *directive_id;
	const char *number;
	const char *unit_code; /* the station */
	const char *chief_id;  /* the station's chief, NULL when it has none */
	int64_t deadline_at;
	int64_t at;
};

/*
 * Escalate the overdue directives not escalated yet (at most
 * FQ_DIRECTIVE_ESCALATE_BATCH, oldest deadline first): stamp escalated_at
 * and escalated_to (the station's first enabled chief), append an
 * "escalation" entry to the timeline, and call on_escalated (may be NULL)
 * on c for each, to audit it. Escalation is an event, not an edit: version
 * and updated_* stay. Runs its own write transaction on c (which must not
 * be in one): all or nothing. Each directive is escalated once, also with
 * several servers on one store. *escalated (may be NULL) receives the
 * count. The server calls it every minute.
 */
int fq_directive_escalate_overdue(struct fq_dbc *c, int64_t now_ms,
				  int (*on_escalated)(void *arg, struct fq_dbc *c,
						      const struct fq_directive_escalation *e,
						      struct fq_err *err),
				  void *arg, int *escalated, struct fq_err *err) FQ_WUR;

/*
 * fq_directive_escalate_overdue on a connection of db with an audit entry
 * "directive.escalate" by the system for each escalation (in
 * directive_api.c, which has the audit log). For the server's housekeeping.
 */
int fq_directive_escalation_tick(struct fq_db *db, int64_t now_ms, int *escalated,
				 struct fq_err *err) FQ_WUR;

#endif
