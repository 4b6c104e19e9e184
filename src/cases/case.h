/*
 * Livelihood cases (民生小案): the small property and nuisance cases a
 * police station takes, from an incident of the command room or from a
 * walk-in, with victims and suspects, property lost and recovered (挽损),
 * evidence, a handling officer, and a deadline for each legal step the
 * station handles. docs/cases.md is the user's guide.
 *
 * Case types are a fixed table (fq_case_types): each type has a group
 * (for linkage) and says whether the station may handle it or must
 * transfer it to a specialised unit ("两不办": criminal, gambling, drug
 * and vice cases), and to which kind of unit.
 *
 * State machine (MODEL.md; other steps are refused with FQ_ECONFLICT
 * "invalid_transition"):
 *   accepted      --investigate--> investigating
 *   reopened      --investigate--> investigating
 *   investigating --solve-->       solved        (result required)
 *   accepted | investigating | reopened --close--> closed (reason required)
 *   accepted | investigating | reopened --transfer--> transferred
 *   transferred   --close-->       closed        (after the receiving unit's
 *                                                 feedback; reason required)
 *   solved | closed --reopen-->    reopened      (reason required)
 * "transfer" is taken by cases/transfer.h when a transfer record is made.
 *
 * Legal steps with deadlines (case_step), from accepted_at, with the
 * defaults of struct fq_case_deadlines (docs/cases.md gives the sources):
 *   decide    decide to take the case on (立案/受案) or not, 3 days; done by
 *             investigate, close or transfer;
 *   conclude  the handling period of a public-order case (治安案件办案期限),
 *             30 days, extendable once by 30; done by solve, close or
 *             transfer; for station-handled types only;
 *   transfer  hand a case the station may not handle to its unit, 3 days;
 *             done by transfer (or close); for must-transfer types only.
 * A reopened case gets a new conclude (or transfer) deadline from the
 * reopening. A step is overdue when not done and past due; overdue steps
 * are escalated once each to the station's chief (as directives are).
 *
 * Writers expect an open write transaction on c (the caller audits in it),
 * except fq_case_escalate_overdue. Times are UTC ms; now_ms 0 = the clock.
 */
#ifndef FQ_CASES_CASE_H
#define FQ_CASES_CASE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_CASE_TITLE_MAX      100  /* characters */
#define FQ_CASE_TEXT_MAX       2000 /* description, method, reasons, results */
#define FQ_CASE_NAME_MAX       50   /* a party's name */
#define FQ_CASE_ITEM_MAX       200  /* one property item, evidence or party description */
#define FQ_CASE_LIST_MAX       50   /* parties, property items or evidence in one request */
#define FQ_CASE_VALUE_MAX_FEN  (100000000000LL) /* one item at most 10⁹ yuan */
#define FQ_CASE_ESCALATE_BATCH 500

enum fq_case_state {
	FQ_CASE_ACCEPTED,
	FQ_CASE_INVESTIGATING,
	FQ_CASE_SOLVED,
	FQ_CASE_CLOSED,
	FQ_CASE_TRANSFERRED,
	FQ_CASE_REOPENED,
	FQ_CASE_STATE_COUNT
};

enum fq_case_step {
	FQ_CASE_INVESTIGATE,
	FQ_CASE_SOLVE,
	FQ_CASE_CLOSE,
	FQ_CASE_TRANSFER,
	FQ_CASE_REOPEN,
	FQ_CASE_STEP_COUNT
};

/* One row of the case-type table. */
struct fq_case_type {
	const char *code;	   /* "ebike_theft" */
	const char *label;	   /* "盗窃电动车" */
	const char *group;	   /* "theft", "fraud", "damage", "violence", "order", "vice" */
	int station_handles;	   /* 1: the station handles it; 0: it must be transferred */
	const char *transfer_kind; /* must-transfer types: the kind of receiving unit */
	const char *law;	   /* the legal basis, for the record (short) */
};

/* The table, terminated by an entry with code NULL. */
extern const struct fq_case_type fq_case_types[];
/* The type with this code, or NULL. */
const struct fq_case_type *fq_case_type_find(const char *code);
/* zh-CN label of a group ("盗窃类"), "?" when unknown. */
const char *fq_case_group_label(const char *group);

const char *fq_case_state_code(enum fq_case_state s);
const char *fq_case_state_label(enum fq_case_state s);
const char *fq_case_step_code(enum fq_case_step s);
int fq_case_state_from_code(const char *code);
int fq_case_step_from_code(const char *code);
/* The state step leads to from from, or -1 when refused. */
int fq_case_step_target(enum fq_case_state from, enum fq_case_step step);

/* Deadlines of the legal steps, in milliseconds. */
struct fq_case_deadlines {
	int64_t decide_ms;   /* default 3 days */
	int64_t conclude_ms; /* default 30 days */
	int64_t extend_ms;   /* default 30 days, once */
	int64_t transfer_ms; /* default 3 days */
};
/*
 * The deadlines in force: the defaults, each replaced by the environment
 * variable FQ_CASE_DECIDE_HOURS, FQ_CASE_CONCLUDE_DAYS,
 * FQ_CASE_EXTEND_DAYS or FQ_CASE_TRANSFER_HOURS when set to a positive
 * integer (read once; thread-safe).
 */
const struct fq_case_deadlines *fq_case_deadlines(void);
/* The built-in defaults (for tests and docs). */
void fq_case_deadlines_default(struct fq_case_deadlines *d);
/* 1 when a step due at due_at and not done (done_at 0) is overdue at now. */
int fq_case_step_overdue(int64_t due_at, int64_t done_at, int64_t now_ms);

/* A party or property item as given to the writers. */
struct fq_case_party_in {
	const char *role; /* victim, suspect, witness */
	const char *name;
	const char *phone;     /* as entered; normalised and validated here */
	const char *id_number; /* as entered; validated here */
	const char *description;
};
struct fq_case_item_in {
	const char *description;
	int64_t value_fen;
	int64_t at; /* recovered: when (0: now) */
};

struct fq_case_new {
	const char *incident_id; /* optional; else a walk-in */
	const char *unit;	 /* the station when no incident; default the actor's */
	const char *grid;	 /* optional; default the incident's */
	const char *type;
	const char *title;
	const char *description;
	const char *method;
	int64_t occurred_at; /* 0: now */
	int has_location;
	double lat, lon;
	const char *address;
	const char *officer_id; /* optional: a user of the station with case.manage */
	const struct fq_case_party_in *parties;
	int nparties;
	const struct fq_case_item_in *lost;
	int nlost;
	const char *const *evidence;
	int nevidence;
	const char *scope_path; /* the actor's */
	const char *actor_unit;
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Open a case (state accepted, number "AJ-<station>-<date>-NNNN") and its
 * step deadlines. Refusals are FQ_EINVAL naming the API field: type,
 * title, description, method, occurred_at, incident_id
 * ("unknown_incident"), unit, grid, officer_id, parties[i].name /
 * .phone / .id_number / .role, lost[i].description / .value_yuan,
 * evidence[i]. An incident, unit or user outside scope_path reads as
 * unknown.
 */
int fq_case_create(struct fq_dbc *c, const struct fq_case_new *in, char id[37],
		   char number[FQ_NUMBER_MAX], struct fq_err *err) FQ_WUR;

struct fq_case_change {
	enum fq_case_step step;
	int64_t expected_version; /* 0: don't check */
	const char *text;	  /* solve: result; close, reopen: reason */
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Take a step of the state machine and settle the step deadlines.
 * FQ_ENOTFOUND; FQ_ECONFLICT "stale_version" / "invalid_transition" /
 * "awaiting_feedback" (closing a transferred case before the receiving
 * unit's feedback) / "must_transfer" (solving a case of a type the
 * station may not handle: it may investigate, close or transfer it); FQ_EINVAL "missing_field"
 * naming "result" or "reason".
 */
int fq_case_transition(struct fq_dbc *c, const char *id, const struct fq_case_change *ch,
		       enum fq_case_state *from_out, enum fq_case_state *to_out,
		       struct fq_err *err) FQ_WUR;

/*
 * Extend the conclude deadline once by the extension period, with a
 * reason. FQ_ECONFLICT "already_extended" / "no_deadline".
 */
int fq_case_extend(struct fq_dbc *c, const char *id, const char *reason, const char *actor_id,
		   int64_t now_ms, struct fq_err *err) FQ_WUR;

/* Additions: a party, a recovery (挽损), property lost, evidence. Bump version. */
int fq_case_add_party(struct fq_dbc *c, const char *id, const struct fq_case_party_in *p,
		      const char *actor_id, int64_t now_ms, struct fq_err *err) FQ_WUR;
int fq_case_add_item(struct fq_dbc *c, const char *id, const char *kind,
		     const struct fq_case_item_in *item, const char *actor_id, int64_t now_ms,
		     struct fq_err *err) FQ_WUR;
int fq_case_add_evidence(struct fq_dbc *c, const char *id, const char *text, const char *actor_id,
			 int64_t now_ms, struct fq_err *err) FQ_WUR;
/* Hand the case to another officer of its station (case.manage). */
int fq_case_assign(struct fq_dbc *c, const char *id, const char *officer_id, const char *actor_id,
		   int64_t now_ms, struct fq_err *err) FQ_WUR;

/* Append a timeline entry (also used by transfers and series). */
int fq_case_event(struct fq_dbc *c, const char *case_id, int64_t at, const char *by,
		  const char *kind, const char *text, struct fq_err *err) FQ_WUR;

/* The owning station's path and code (scope checks); FQ_ENOTFOUND. */
int fq_case_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err) FQ_WUR;

/*
 * The case as JSON at now_ms. detail=1 adds parties, lost and recovered
 * items, evidence, the timeline, transfers, series and reception_visit (the
 * reception hall's visit the case was made from: id, number, need,
 * need_label, started_at; null for the others). mask=1 masks
 * parties' phones and ID numbers (fq_phone_mask, fq_idnum_mask).
 */
int fq_case_json(struct fq_dbc *c, const char *id, int detail, int mask, int64_t now_ms,
		 json_t **out, struct fq_err *err) FQ_WUR;

struct fq_case_query {
	const char *scope_path;
	const char *state;	/* a state code, "open" (accepted, investigating, reopened) */
	const char *type;	/* a type code */
	const char *officer_id; /* handling officer */
	const char *incident_id;
	int overdue;		/* -1 either, 0 none overdue, 1 a step overdue */
	int64_t from_ms, to_ms; /* accepted_at in [from, to); 0: open-ended */
	const char *sort;	/* -accepted (default), accepted, -lost, -occurred, occurred */
	/* Text search (NULL: none): part of the number, title or address, or a party's full name.
	 */
	const char *q;
	int64_t now_ms;
	int64_t page, per_page;
};

/* {"items", "total", "page", "per_page"}; FQ_EINVAL "invalid_query" naming the filter. */
int fq_case_list(struct fq_dbc *c, const struct fq_case_query *q, json_t **out,
		 struct fq_err *err) FQ_WUR;

/*
 * KPI counts (docs/cases.md) over the cases accepted in [from_ms, to_ms)
 * by stations under unit_path, and the clues transferred in that period:
 *   opened             cases accepted;
 *   solved             of those, in state solved;
 *   transferred        of those, transferred (whatever their state now);
 *   clues_transferred  clue transfers made in the period;
 *   lost_fen           property lost of the cases opened;
 *   recovered_fen      recovered for the cases opened (whenever recovered).
 * Rates: solve_rate = solved / (opened - transferred);
 * recovery_rate = recovered_fen / lost_fen; null when the denominator is 0.
 */
struct fq_case_counts {
	int64_t opened, solved, transferred, clues_transferred, lost_fen, recovered_fen;
};
int fq_case_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
		   struct fq_case_counts *out, struct fq_err *err) FQ_WUR;
/* A rate num/den rounded to 4 decimals, or -1 when den is 0. */
double fq_case_rate(int64_t num, int64_t den);
/* The KPI answer for unit_code (docs/cases.md). */
int fq_case_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
		     json_t **out, struct fq_err *err) FQ_WUR;

/* One escalation of an overdue step. */
struct fq_case_escalation {
	const char *case_id;
	const char *number;
	const char *unit_code;
	const char *step;
	const char *chief_id; /* NULL when the station has no chief */
	int64_t due_at;
	int64_t at;
};

/*
 * Escalate overdue steps not escalated yet (at most FQ_CASE_ESCALATE_BATCH):
 * stamp escalated_at/escalated_to, add a timeline entry, call
 * on_escalated (may be NULL) on c for each to audit it. Own write
 * transaction (all or nothing). *escalated (may be NULL) gets the count.
 */
int fq_case_escalate_overdue(struct fq_dbc *c, int64_t now_ms,
			     int (*on_escalated)(void *arg, struct fq_dbc *c,
						 const struct fq_case_escalation *e,
						 struct fq_err *err),
			     void *arg, int *escalated, struct fq_err *err) FQ_WUR;

/* The same on a connection of db, audited "case.escalate" (case_api.c); for housekeeping. */
int fq_case_escalation_tick(struct fq_db *db, int64_t now_ms, int *escalated,
			    struct fq_err *err) FQ_WUR;

/* Money: yuan (at most two decimals) to fen; FQ_EINVAL "invalid_value" naming field. */
int fq_case_yuan_to_fen(double yuan, const char *field, int64_t *fen, struct fq_err *err) FQ_WUR;

#endif
