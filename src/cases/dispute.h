/*
 * Disputes and mediation (矛盾纠纷排查化解): intake with parties, grading
 * (cases/dispute_grade.h), assignment, mediation sessions, the outcome,
 * follow-ups (回访), reopening, deadlines and escalation, KPIs and the
 * mediation agreement (调解协议书). docs/disputes.md is the user's manual.
 *
 * The life cycle (MODEL.md), driven by the functions below:
 *   (intake) -> graded --assign--> assigned
 *   graded | assigned | mediating | reopened --session--> mediating
 *   graded | assigned | mediating | reopened --outcome--> resolved_agreement
 *                                              | resolved | referred | failed
 *   resolved_agreement | resolved --follow-up--> following_up
 *   following_up --last follow-up done--> closed
 *   resolved_agreement | resolved | following_up | closed
 *       --flare-up (a follow-up reporting it, or reopen)--> reopened
 *       (grade raised one level, pending follow-ups cancelled, new deadline)
 * Any other step is refused with FQ_ECONFLICT "invalid_transition".
 *
 * Open states are graded, assigned, mediating and reopened. overdue is
 * derived, never stored: open and deadline_at < now. The deadline is
 * FQ_DISPUTE_DEADLINE_DAYS_* after intake (after reopening for a
 * reopened dispute), by the grade in force; an override recomputes it.
 * Escalation is a recorded event: once per dispute, to the chief of its
 * station.
 *
 * Scope: a dispute belongs to its grid when it has one (so a grid worker
 * or volunteer of that grid covers it), else to its station;
 * fq_dispute_unit_path answers that unit's path.
 *
 * Writers expect an open write transaction on c (the caller audits in it),
 * except fq_dispute_escalate_overdue, which runs its own. Times are UTC
 * ms; a now_ms of 0 means the wall clock. Money is integer fen.
 */
#ifndef FQ_CASES_DISPUTE_H
#define FQ_CASES_DISPUTE_H

#include <jansson.h>
#include <stdint.h>

#include "cases/dispute_grade.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_DISPUTE_TEXT_MAX	      4000 /* characters of a description, what was said, terms */
#define FQ_DISPUTE_NOTE_MAX	      1000 /* characters of reasons, notes, results */
#define FQ_DISPUTE_NAME_MAX	      50   /* characters of a person's name */
#define FQ_DISPUTE_REF_MAX	      200  /* characters of an address, place, body named */
#define FQ_DISPUTE_PERSON_ID_MAX      64   /* bytes of a registry person id */
#define FQ_DISPUTE_PARTIES_MAX	      20
#define FQ_DISPUTE_NAMES_MAX	      30 /* mediators or participants of a session */
#define FQ_DISPUTE_PEOPLE_MAX	      100000
#define FQ_DISPUTE_AMOUNT_MAX_FEN     (1000000000000LL) /* 10,000,000,000 yuan */
#define FQ_DISPUTE_FOLLOW_UPS_MAX     10
#define FQ_DISPUTE_FOLLOW_UP_DAYS_MAX 365
#define FQ_DISPUTE_ESCALATE_BATCH     500

/* Deadlines per grade, in days from intake (or reopening). */
#define FQ_DISPUTE_DEADLINE_DAYS_GENERAL 7
#define FQ_DISPUTE_DEADLINE_DAYS_KEY	 15
#define FQ_DISPUTE_DEADLINE_DAYS_MAJOR	 30

/* Default follow-up schedule: days after the resolution. */
#define FQ_DISPUTE_FOLLOW_UP_DEFAULT                                                               \
	{                                                                                          \
		1, 7, 30                                                                           \
	}

enum fq_dispute_state {
	FQ_DISPUTE_GRADED,
	FQ_DISPUTE_ASSIGNED,
	FQ_DISPUTE_MEDIATING,
	FQ_DISPUTE_RESOLVED_AGREEMENT,
	FQ_DISPUTE_RESOLVED,
	FQ_DISPUTE_REFERRED,
	FQ_DISPUTE_FAILED,
	FQ_DISPUTE_FOLLOWING_UP,
	FQ_DISPUTE_CLOSED,
	FQ_DISPUTE_REOPENED,
	FQ_DISPUTE_STATE_COUNT
};

enum fq_dispute_step {
	FQ_DISPUTE_STEP_ASSIGN,
	FQ_DISPUTE_STEP_SESSION,
	FQ_DISPUTE_STEP_OUTCOME,
	FQ_DISPUTE_STEP_FOLLOW_UP,
	FQ_DISPUTE_STEP_REOPEN,
	FQ_DISPUTE_STEP_OVERRIDE,
	FQ_DISPUTE_STEP_COUNT
};

/* Codes and zh-CN labels; NULL when out of range; from a code -1 when unknown. */
const char *fq_dispute_state_code(enum fq_dispute_state s);
const char *fq_dispute_state_label(enum fq_dispute_state s);
int fq_dispute_state_from_code(const char *code);
const char *fq_dispute_type_label(const char *type_code);     /* NULL when unknown */
const char *fq_dispute_source_label(const char *source_code); /* NULL when unknown */
/* The departments of a working group: court, justice_office, township_government,
 * village_committee. */
const char *fq_dispute_department_label(const char *code); /* NULL when unknown */

/* 1 when the state is open (graded, assigned, mediating, reopened). */
int fq_dispute_state_open(enum fq_dispute_state s);
/* 1 when step may be taken in state s (the table above). */
int fq_dispute_step_allowed(enum fq_dispute_state s, enum fq_dispute_step step);
/* 1 when open and past the deadline at now_ms (strictly). */
int fq_dispute_overdue(enum fq_dispute_state s, int64_t deadline_at, int64_t now_ms);
/* The deadline of a dispute of grade g opened at from_ms. */
int64_t fq_dispute_deadline(enum fq_dispute_grade g, int64_t from_ms);

struct fq_dispute_party_in {
	const char *name;      /* required, at most FQ_DISPUTE_NAME_MAX characters */
	const char *phone;     /* optional, a valid phone number (core/phone.h) */
	const char *id_number; /* optional, a valid identity number (core/idnum.h) */
	const char *person_id; /* optional, the registry's person id (plain text) */
};

struct fq_dispute_new {
	const char *type;	 /* a type code (docs/disputes.md) */
	const char *description; /* at most FQ_DISPUTE_TEXT_MAX characters */
	int64_t occurred_at;	 /* not after now */
	int has_location;
	double lat, lon;     /* WGS-84 */
	const char *address; /* a location, an address or both are required */
	const struct fq_dispute_party_in *parties;
	int nparties;		 /* 1 to FQ_DISPUTE_PARTIES_MAX */
	int64_t people_involved; /* 0: the number of parties; else at least that */
	int64_t amount_fen;	 /* 0 to FQ_DISPUTE_AMOUNT_MAX_FEN */
	/*
	 * source: a code, or NULL for "incident" when incident_id is given,
	 * else default_source. incident_id is required for and only allowed
	 * with "incident"; it must be an incident of a station in scope_path:
	 * the dispute then belongs to its station and by default its grid.
	 */
	const char *source;
	const char *default_source;
	const char *incident_id;
	/*
	 * unit: a station or a grid in scope_path; by default actor_unit (a
	 * station, a post or grid under one). The grid: unit when a grid,
	 * else the grid of the station containing the location, if any.
	 */
	const char *unit;
	const char *actor_unit;
	const char *scope_path;
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Take a dispute in (state graded, number "TJ-<station>-<date>-NNNN"),
 * grade it from the facts (fq_dispute_gather and the text) and set its
 * deadline. Refusals are FQ_EINVAL with err->field the API's name of the
 * member ("type", "parties[1].phone", "location", ...).
 */
int fq_dispute_create(struct fq_dbc *c, const struct fq_dispute_new *in, char id[37],
		      char number[FQ_NUMBER_MAX], struct fq_err *err) FQ_WUR;

/* The owning unit's path (grid, else station); FQ_ENOTFOUND when absent. */
int fq_dispute_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err) FQ_WUR;
/* The grade and state in force; FQ_ENOTFOUND when absent. */
int fq_dispute_grade_state(struct fq_dbc *c, const char *id, enum fq_dispute_grade *grade,
			   enum fq_dispute_state *state, struct fq_err *err) FQ_WUR;

/*
 * The dispute as JSON with overdue at now_ms. detail=1 adds parties,
 * sessions, follow-ups and the timeline. mask_phones and mask_ids mask the
 * parties' phones and identity numbers.
 */
int fq_dispute_json(struct fq_dbc *c, const char *id, int detail, int mask_phones, int mask_ids,
		    int64_t now_ms, json_t **out, struct fq_err *err) FQ_WUR;

struct fq_dispute_query {
	const char *scope_path;
	const char *state; /* a state code, "open", or NULL */
	const char *grade; /* a grade code or NULL */
	const char *type;  /* a type code or NULL */
	const char *unit;  /* a unit code (its disputes and those below it) or NULL */
	int64_t reported_from, reported_to; /* reported in [from, to); 0: open */
	int overdue;			    /* -1: either, 0, 1 */
	const char *sort; /* deadline (default), -deadline, reported, -reported, -score */
	int64_t now_ms;
	int64_t page, per_page;
};

/* {"items", "total", "page", "per_page"}; FQ_EINVAL "invalid_query" naming the filter. */
int fq_dispute_list(struct fq_dbc *c, const struct fq_dispute_query *q, json_t **out,
		    struct fq_err *err) FQ_WUR;

/*
 * A person sets the grade (override) with a reason (required, at most
 * FQ_DISPUTE_NOTE_MAX characters): grade_auto is kept, the deadline is
 * recomputed from intake. *from and *to (may be NULL) receive the grades.
 * Refused in closed disputes; FQ_EINVAL "invalid_value" field "grade".
 */
int fq_dispute_override_grade(struct fq_dbc *c, const char *id, const char *grade,
			      const char *reason, const char *actor_id, int64_t now_ms,
			      enum fq_dispute_grade *from, enum fq_dispute_grade *to,
			      struct fq_err *err) FQ_WUR;

/*
 * Assign an officer (user_id: an enabled user of the station who may
 * mediate; required for key and major disputes) and, for major ones, the
 * working group's departments (codes, at least one for major; NULL-ended).
 * scope_path bounds the officer ("unknown_user").
 */
int fq_dispute_assign(struct fq_dbc *c, const char *id, const char *user_id,
		      const char *const *departments, const char *actor_id, int64_t now_ms,
		      struct fq_err *err) FQ_WUR;

struct fq_dispute_session_in {
	int64_t held_at; /* not after now */
	const char *place;
	json_t *mediators;    /* array of 1..FQ_DISPUTE_NAMES_MAX names (borrowed) */
	json_t *participants; /* array of 1..FQ_DISPUTE_NAMES_MAX names (borrowed) */
	const char *said;     /* required */
	const char *agreed;   /* optional */
	const char *actor_id;
	int64_t now_ms;
};

/* Record a mediation session (state -> mediating); session_id receives its id. */
int fq_dispute_add_session(struct fq_dbc *c, const char *id, const struct fq_dispute_session_in *in,
			   char session_id[37], struct fq_err *err) FQ_WUR;

struct fq_dispute_outcome_in {
	const char *outcome;	   /* resolved_agreement, resolved, referred, failed */
	const char *terms;	   /* resolved_agreement: required */
	const char *referred_kind; /* referred: court, arbitration or department */
	const char *referred_to;   /* referred: the body named, required */
	const char *note;	   /* failed: the reason, required; others optional */
	/* resolutions: days after which to follow up; NULL: FQ_DISPUTE_FOLLOW_UP_DEFAULT */
	const int64_t *follow_up_days;
	int nfollow_up_days;
	const char *actor_id;
	int64_t now_ms;
};

/* Record the outcome; resolutions schedule the follow-ups. */
int fq_dispute_record_outcome(struct fq_dbc *c, const char *id,
			      const struct fq_dispute_outcome_in *in, struct fq_err *err) FQ_WUR;

struct fq_dispute_follow_up_in {
	const char *follow_up_id; /* NULL: the earliest pending one */
	const char *method;	  /* phone or visit */
	const char *result;	  /* required */
	int flare_up;		  /* the dispute has flared up again */
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Record a follow-up. Without a flare-up: state following_up, or closed
 * when no follow-up is pending any more. With one: the dispute reopens
 * (fq_dispute_reopen). *reopened (may be NULL) tells which; *from_grade
 * and *to_grade (may be NULL) receive the grades.
 */
int fq_dispute_record_follow_up(struct fq_dbc *c, const char *id,
				const struct fq_dispute_follow_up_in *in, int *reopened,
				enum fq_dispute_grade *from_grade, enum fq_dispute_grade *to_grade,
				struct fq_err *err) FQ_WUR;

/*
 * Reopen a resolved, following-up or closed dispute that flared up:
 * state reopened, grade raised one level, outcome cleared, pending
 * follow-ups cancelled, reopened_count + 1, deadline from now.
 */
int fq_dispute_reopen(struct fq_dbc *c, const char *id, const char *reason, const char *actor_id,
		      int64_t now_ms, enum fq_dispute_grade *from_grade,
		      enum fq_dispute_grade *to_grade, struct fq_err *err) FQ_WUR;

/*
 * The mediation agreement (人民调解协议书) of a dispute resolved by
 * agreement, as a print-ready HTML page appended to out: the station,
 * number, parties in full (name, identity number, phone), the dispute,
 * the mediation sessions, the terms, signature lines and the date. Every
 * text is HTML-escaped. FQ_ECONFLICT "no_agreement" unless the outcome is
 * resolved_agreement.
 */
int fq_dispute_agreement_html(struct fq_dbc *c, const char *id, struct fq_buf *out,
			      struct fq_err *err) FQ_WUR;

/* Append s to out with &, <, >, " and ' escaped. */
int fq_html_escape(struct fq_buf *out, const char *s) FQ_WUR;

/*
 * KPIs of docs/disputes.md for disputes reported (created_at) in
 * [from_ms, to_ms) by stations under unit_path, judged at now_ms.
 */
struct fq_dispute_counts {
	int64_t found, resolved, resolved_agreement, referred, failed, open, overdue;
	int64_t mediated, mediated_resolved, mediated_concluded;
	int64_t reopened, escalated;
	int64_t days_ms_sum; /* sum over resolved of resolved_at - created_at */
	int64_t general, key, major;
};

int fq_dispute_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
		      int64_t now_ms, struct fq_dispute_counts *out, struct fq_err *err) FQ_WUR;

/* The KPI answer (docs/disputes.md) for unit, with a per-grid breakdown. */
int fq_dispute_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
			int64_t now_ms, json_t **out, struct fq_err *err) FQ_WUR;

/* One escalation, as fq_dispute_escalate_overdue reports it. */
struct fq_dispute_escalation {
	const char *dispute_id;
	const char *number;
	const char *unit_code; /* the station */
	const char *chief_id;  /* NULL when the station has no chief */
	int64_t deadline_at;
	int64_t at;
};

/*
 * Escalate the overdue disputes not escalated yet (at most
 * FQ_DISPUTE_ESCALATE_BATCH, oldest deadline first) to the chief of their
 * station: stamp escalated_at/escalated_to, add an "escalation" event,
 * call on_escalated (may be NULL) to audit. Runs its own write
 * transaction (all or nothing); *escalated (may be NULL) gets the count.
 */
int fq_dispute_escalate_overdue(struct fq_dbc *c, int64_t now_ms,
				int (*on_escalated)(void *arg, struct fq_dbc *c,
						    const struct fq_dispute_escalation *e,
						    struct fq_err *err),
				void *arg, int *escalated, struct fq_err *err) FQ_WUR;

/*
 * The same inside the caller's write transaction on c (the demo generator
 * replays a year with it); the caller commits or rolls back.
 */
int fq_dispute_escalate_due(struct fq_dbc *c, int64_t now_ms,
			    int (*on_escalated)(void *arg, struct fq_dbc *c,
						const struct fq_dispute_escalation *e,
						struct fq_err *err),
			    void *arg, int *escalated, struct fq_err *err) FQ_WUR;

/*
 * fq_dispute_escalate_overdue on a connection of db with an audit entry
 * "dispute.escalate" by the system for each (dispute_api.c). The server's
 * housekeeping calls it every minute.
 */
int fq_dispute_escalation_tick(struct fq_db *db, int64_t now_ms, int *escalated,
			       struct fq_err *err) FQ_WUR;

#endif
