/*
 * Anti-fraud early warning and dissuasion (预警劝阻, docs/fraud.md): the
 * anti-fraud centre's warnings (or ones raised by hand), routed to the
 * responsible grid and officer with a deadline from the level; the
 * dissuasion attempts; escalation when the person was not reached in
 * time; warned people later reported defrauded (预后归零); outreach events;
 * and the KPIs (docs/kpi.md), computed from the records.
 *
 * Life cycle (MODEL.md): a warning is routed when it is stored (state
 * assigned). An attempt that did not reach the person leaves it
 * not_reached; one that reached them sets contacting (reached, not yet
 * dissuaded), dissuaded, already_paid or not_involved after what they
 * said. Closing takes any of those to closed (refused from assigned and
 * contacting, and once closed nothing changes: FQ_ECONFLICT
 * "invalid_transition"). overdue is derived: the deadline has passed and
 * the person has not been reached, and the warning is not closed.
 * Escalation is a recorded event, once per overdue warning, to the chief
 * of its station.
 *
 * Registry: there is no people registry on this schema yet, so person_id
 * is kept as given (no foreign key) and the person's place is only what
 * exists: the location given with the warning, else the grid of the
 * latest alert from the same phone (fq_fraud_route).
 *
 * Writers expect an open write transaction on c (the caller audits in
 * it), except the *_scan and escalate functions, which run their own.
 * Times are UTC ms; now_ms 0 means the wall clock.
 */
#ifndef FQ_CASES_FRAUD_H
#define FQ_CASES_FRAUD_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/idnum.h"
#include "core/phone.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_FRAUD_LEVELS		  4
#define FQ_FRAUD_TEXT_MAX	  2000 /* characters of descriptions and notes */
#define FQ_FRAUD_NAME_MAX	  32
#define FQ_FRAUD_SEARCH_MAX	  64 /* bytes of a list search (q) */
#define FQ_FRAUD_ADDRESS_MAX	  200
#define FQ_FRAUD_REF_MAX	  64
#define FQ_FRAUD_ESCALATE_BATCH	  500
#define FQ_FRAUD_LINK_WINDOW_MS	  (180LL * 86400 * 1000) /* a report this long after a warning */
#define FQ_FRAUD_MONEY_MAX_FEN	  (100000000000LL)	 /* one billion yuan */
#define FQ_FRAUD_DEADLINE_MAX_MIN (30 * 24 * 60)

/* Default minutes to reach the person, per level 1..4 (docs/fraud.md). */
extern const int64_t fq_fraud_default_deadline_min[FQ_FRAUD_LEVELS];

/* Code tables: code ↔ zh-CN label; NULL / -1 when out of range or unknown. */
enum fq_fraud_table {
	FQ_FRAUD_TYPE,	       /* warning types: rebate, investment, ... */
	FQ_FRAUD_STATE,	       /* received, assigned, ... closed */
	FQ_FRAUD_METHOD,       /* phone, visit, sms, family, bank, grid_worker, other */
	FQ_FRAUD_PERSON_STATE, /* already_paid, about_to_pay, not_involved, unknown */
	FQ_FRAUD_OUTREACH_KIND,
	FQ_FRAUD_AUDIENCE,
	FQ_FRAUD_TABLE_COUNT
};
const char *fq_fraud_code(enum fq_fraud_table t, int i);
const char *fq_fraud_label(enum fq_fraud_table t, int i);
/* The index of a code, or of a zh-CN label (CSV files); -1 when unknown. */
int fq_fraud_lookup(enum fq_fraud_table t, const char *code_or_label);

/* The deadline of a warning received at received_at: minutes[level - 1] later. */
int64_t fq_fraud_deadline_at(int64_t received_at, int level,
			     const int64_t minutes[FQ_FRAUD_LEVELS]);
/*
 * The minutes per level in force: the settings "fraud.deadline_minutes.N"
 * (N = 1..4, a whole number 1..FQ_FRAUD_DEADLINE_MAX_MIN), else the
 * defaults. A bad setting is ignored (logged).
 */
int fq_fraud_deadline_minutes(struct fq_dbc *c, int64_t out[FQ_FRAUD_LEVELS],
			      struct fq_err *err) FQ_WUR;

/* 1 when a warning is overdue at now_ms (not reached, not closed, deadline < now). */
int fq_fraud_overdue(const char *state, int reached, int64_t deadline_at, int64_t now_ms);

/* Where a warning goes. */
struct fq_fraud_route {
	char station[FQ_UNIT_CODE_MAX];
	char station_path[FQ_UNIT_PATH_MAX];
	char grid[FQ_UNIT_CODE_MAX]; /* "" when none */
	char officer[37];	     /* "" when none */
	const char *route;	     /* location, phone_history, station */
};

/*
 * Route a warning received by unit (a unit in scope_path; NULL: the
 * actor's unit): the grid containing (lat, lon) among the stations under
 * the unit; else the grid of the latest alert from phone_norm under it;
 * else the unit's own station. The officer: the first enabled community
 * officer of the grid, else of the station. FQ_EINVAL "unknown_unit" or
 * "missing_field" (field "unit") when the unit is out of scope, or is
 * above a station and neither place gives a grid.
 */
int fq_fraud_route(struct fq_dbc *c, const char *unit, const char *actor_unit,
		   const char *scope_path, int has_location, double lat, double lon,
		   const char *phone_norm, struct fq_fraud_route *out, struct fq_err *err) FQ_WUR;

struct fq_fraud_new {
	const char *source; /* centre, manual, import */
	const char *external_ref;
	const char *phone; /* as given; normalised into phone_norm by fq_fraud_validate */
	const char *person_name;
	const char *id_number;
	const char *person_id;
	const char *address;
	int has_location;
	double lat, lon;
	const char *warning_type; /* a code or zh-CN label */
	int64_t level;		  /* 1..4 */
	int64_t warned_at;	  /* 0: received_at */
	const char *description;
	const char *unit;	/* receiving unit, NULL: actor_unit */
	const char *actor_unit; /* the actor's unit */
	const char *scope_path;
	const char *actor_id; /* NULL for the system */
	int64_t now_ms;	      /* received_at */
	/* filled by fq_fraud_validate */
	struct fq_phone phone_n;
	struct fq_idnum id_n;
	int type;
};

/*
 * Check and normalise in (no store access): a phone, ID number or name is
 * needed (missing_field "phone"); the phone (fq_phone_normalize) and ID
 * number (GB 11643) must be valid; the type known ("warning_type"); the
 * level 1..4 ("level"); warned_at not after now + 5 min ("warned_at").
 * FQ_EINVAL naming the field.
 */
int fq_fraud_validate(struct fq_fraud_new *in, struct fq_err *err) FQ_WUR;

/* Validate, route and store a warning (number YJ-<station>-<date>-NNNN). */
int fq_fraud_create(struct fq_dbc *c, struct fq_fraud_new *in, char id[37],
		    char number[FQ_NUMBER_MAX], struct fq_err *err) FQ_WUR;

struct fq_fraud_attempt_in {
	const char *method;	  /* code */
	int64_t at;		  /* when; 0: now; not in the future */
	int reached;		  /* 0 or 1 */
	const char *person_state; /* code or NULL; required when reached */
	int dissuaded;		  /* 1 only when reached */
	int64_t protected_fen;	  /* >= 0; > 0 only when reached */
	const char *note;
	int64_t expected_version; /* 0: don't check */
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Record an attempt and move the warning (see above). FQ_ENOTFOUND;
 * FQ_ECONFLICT "stale_version" or "invalid_transition" (closed);
 * FQ_EINVAL naming the field (method, at, person_state, dissuaded,
 * money_protected_yuan, note). *from and *to (may be NULL) receive the
 * state codes (static strings).
 */
int fq_fraud_attempt(struct fq_dbc *c, const char *id, const struct fq_fraud_attempt_in *in,
		     const char **from, const char **to, struct fq_err *err) FQ_WUR;

/* Close (see above); *outcome receives the state it was closed from. */
int fq_fraud_close(struct fq_dbc *c, const char *id, int64_t expected_version, const char *actor_id,
		   int64_t now_ms, const char **outcome, struct fq_err *err) FQ_WUR;

/* The warning's station path (scope checks); FQ_ENOTFOUND when absent. */
int fq_fraud_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err) FQ_WUR;

/*
 * The warning as JSON at now_ms (remaining_s, overdue); detail=1 adds
 * attempts and links. mask_phone / mask_id mask the phone and ID number.
 */
int fq_fraud_json(struct fq_dbc *c, const char *id, int detail, int mask_phone, int mask_id,
		  int64_t now_ms, json_t **out, struct fq_err *err) FQ_WUR;

struct fq_fraud_query {
	const char *scope_path;
	const char *state;	  /* a state code, "open" (not closed) or NULL */
	const char *warning_type; /* code or NULL */
	const char *grid;
	const char *assigned_to;
	int64_t level;		/* 0: any */
	int overdue;		/* -1 either, 0, 1 */
	int escalated;		/* -1 either, 0, 1 */
	int64_t from_ms, to_ms; /* received_at in [from, to); 0: open */
	const char *sort;	/* deadline (default), -deadline, received, -received, level */
	/*
	 * Search text or NULL: a warning matches when its number, the centre's
	 * reference, the person's name or the address contains it, or (when
	 * phones are not masked and the text is 4 or more digits) its phone.
	 */
	const char *q;
	int mask_phone, mask_id;
	int64_t now_ms;
	int64_t page, per_page;
};

/* {"items", "total", "page", "per_page"}; FQ_EINVAL "invalid_query" naming the filter. */
int fq_fraud_list(struct fq_dbc *c, const struct fq_fraud_query *q, json_t **out,
		  struct fq_err *err) FQ_WUR;

/*
 * Link a warning to the alert or case reporting the person defrauded
 * (kind "alert" or "case"). An alert must exist and lie in scope_path
 * ("unknown_object", field object_id); a case is taken by its id as
 * given (cases are not on this schema yet). FQ_ECONFLICT "already_linked".
 */
int fq_fraud_link(struct fq_dbc *c, const char *warning_id, const char *kind, const char *object_id,
		  const char *scope_path, const char *note, const char *actor_id, int64_t now_ms,
		  struct fq_err *err) FQ_WUR;

/* One automatic link or escalation, for its audit entry. */
struct fq_fraud_event {
	const char *warning_id;
	const char *number;
	const char *unit_code; /* the station */
	const char *object_id; /* link: the alert; escalation: the chief (NULL when none) */
	int64_t deadline_at;
	int64_t at;
};

typedef int (*fq_fraud_event_fn)(void *arg, struct fq_dbc *c, const struct fq_fraud_event *e,
				 struct fq_err *err);

/*
 * Link warnings to the fraud alerts (category criminal.fraud) received
 * from the same normalised phone at or after the warning and within
 * FQ_FRAUD_LINK_WINDOW_MS of it, not linked yet; on_linked (may be NULL)
 * audits each. Own write transaction, all or nothing. *linked the count.
 */
int fq_fraud_link_scan(struct fq_dbc *c, int64_t now_ms, fq_fraud_event_fn on_linked, void *arg,
		       int *linked, struct fq_err *err) FQ_WUR;

/*
 * Escalate the overdue warnings not escalated yet (at most
 * FQ_FRAUD_ESCALATE_BATCH, oldest deadline first) to their station's
 * first enabled chief: stamp escalated_at / escalated_to. Own write
 * transaction; each once. on_escalated (may be NULL) audits each.
 */
int fq_fraud_escalate_overdue(struct fq_dbc *c, int64_t now_ms, fq_fraud_event_fn on_escalated,
			      void *arg, int *escalated, struct fq_err *err) FQ_WUR;

/*
 * Link scan and escalation on a connection of db, each with audit entries
 * by the system ("fraud_warning.link", "fraud_warning.escalate") and live
 * events (fraud_api.c). For the server's housekeeping, every minute.
 */
int fq_fraud_tick(struct fq_db *db, int64_t now_ms, int *linked, int *escalated,
		  struct fq_err *err) FQ_WUR;

struct fq_fraud_outreach_new {
	const char *unit; /* a station, or a grid or post under one, in scope_path; NULL: actor's */
	const char *actor_unit;
	const char *scope_path;
	int64_t held_at;
	const char *place;
	const char *kind;
	const char *audience;
	int64_t attendance;
	const char *note;
	const char *actor_id;
	int64_t now_ms;
};

/* Record an outreach event; FQ_EINVAL naming the field. */
int fq_fraud_outreach_create(struct fq_dbc *c, const struct fq_fraud_outreach_new *in, char id[37],
			     json_t **out, struct fq_err *err) FQ_WUR;

/* Outreach events under scope_path, held in [from, to) (0: open), newest first. */
int fq_fraud_outreach_list(struct fq_dbc *c, const char *scope_path, int64_t from_ms, int64_t to_ms,
			   int64_t page, int64_t per_page, json_t **out, struct fq_err *err) FQ_WUR;

/*
 * The counts of docs/kpi.md for the warnings received in [from, to) by
 * stations under unit_path, judged at now_ms, and the outreach held then.
 */
struct fq_fraud_counts {
	int64_t warnings;
	int64_t reached;	 /* reached at all */
	int64_t reached_in_time; /* first reached at or before the deadline */
	int64_t missed;		 /* reached late, or not reached and past the deadline */
	int64_t pending;	 /* not reached, deadline not passed, not closed */
	int64_t dissuaded;
	int64_t not_involved; /* reached, not involved, not dissuaded */
	int64_t already_paid; /* reached, had already paid, not dissuaded */
	int64_t protected_fen;
	int64_t escalated;
	int64_t defrauded_after; /* linked to a later fraud report (预后归零: the goal is 0) */
	int64_t outreach_events;
	int64_t outreach_attendance;
};

int fq_fraud_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
		    int64_t now_ms, struct fq_fraud_counts *out, struct fq_err *err) FQ_WUR;

/*
 * The KPI answer for unit_code: unit, from, to, as_of, the counts
 * (money_protected_yuan for protected_fen) and rates: reach =
 * reached_in_time / (reached_in_time + missed), dissuasion = dissuaded /
 * (reached - not_involved); null when the denominator is 0; 4 decimals.
 */
int fq_fraud_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
		      int64_t now_ms, json_t **out, struct fq_err *err) FQ_WUR;

/* Round a rate to 4 decimals; a NULL JSON value when den is 0. */
json_t *fq_fraud_rate_json(int64_t num, int64_t den);

#endif
