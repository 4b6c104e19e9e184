/*
 * School posts (护学岗, docs/volunteers.md): schools (a record of their own,
 * linked to the registry's organisation of type school when known), posts
 * at their gates, recurring sessions at peak hours (days of the week and
 * minutes of the local day, e.g. 07:20–08:00 and 16:30–17:10 on school
 * days), who stands at a post (officers and auxiliaries, or volunteer
 * members), attendance per session and date (on time, late, absent), the
 * schedule grid of a week, and counts with the attendance rate.
 *
 * Everything belongs to the school's unit path (scope). Writes run inside
 * the caller's write transaction; errors as in community/volunteer.h.
 * Dates are local (China Standard Time) "YYYY-MM-DD"; days are counted
 * from 1970-01-01 (core/timeutil.h); weekday masks have bit 0 = Monday ...
 * bit 6 = Sunday.
 */
#ifndef FQ_COMMUNITY_SCHOOL_H
#define FQ_COMMUNITY_SCHOOL_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_SCHOOL_WEEKDAYS   0x1f /* Monday to Friday */
#define FQ_SCHOOL_ASSIGN_MAX 20	  /* people at one post */

/* ---- arithmetic (pure) ---- */

/* "YYYY-MM-DD" → days since 1970-01-01; -1 when not a valid date. */
int fq_school_parse_day(const char *s, int64_t *days);
/* Days since 1970-01-01 → "YYYY-MM-DD". */
void fq_school_format_day(int64_t days, char out[11]);
/* The local (CST) day of a UTC time in ms. */
int64_t fq_school_local_day(int64_t ms);
/* 0 Monday ... 6 Sunday. */
int fq_school_weekday(int64_t days);
/* UTC ms of minute start_min of the local day days. */
int64_t fq_school_session_start(int64_t days, int start_min);
/* Days in [from_days, to_days] (inclusive) whose weekday is in mask; 0 when to < from. */
int64_t fq_school_days_in(int mask, int64_t from_days, int64_t to_days);
/* "on_time" when arrived_ms is at or before start_ms, else "late". */
const char *fq_school_arrival_status(int64_t start_ms, int64_t arrived_ms);

/* Counts of attendance records and the rates derived from them. */
struct fq_school_tally {
	int64_t expected; /* sessions × assignees due in the window */
	int64_t on_time, late, absent;
};
/*
 * Rates of a tally: attendance = (on_time + late) / recorded, punctuality =
 * on_time / recorded, recorded share = recorded / expected; NAN when the
 * denominator is 0.
 */
void fq_school_rates(const struct fq_school_tally *t, double *attendance, double *punctuality,
		     double *recorded);

/* ---- schools ---- */

struct fq_school_new {
	const char *organisation_id; /* a registry organisation of type school/small_school */
	const char *name;	     /* required without organisation_id */
	const char *unit_code;	     /* required without organisation_id (then the org's grid) */
	const char *address;
	int64_t pupils; /* 0: unknown */
	int64_t now_ms;
};
/* FQ_EINVAL naming organisation_id, name, unit; FQ_ECONFLICT "duplicate" for an org already linked.
 */
int fq_school_create(struct fq_dbc *c, const struct fq_school_new *in, const char *scope_path,
		     char id[37], struct fq_err *err) FQ_WUR;
int fq_school_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err) FQ_WUR;
/* A school with its unit name and post count. */
int fq_school_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;
/* Schools under scope_path with their unit name and post count. */
int fq_school_list(struct fq_dbc *c, const char *scope_path, int64_t page, int64_t per_page,
		   json_t **out, struct fq_err *err) FQ_WUR;

/* ---- posts, sessions, assignees ---- */

/* FQ_EINVAL naming school_id, name. */
int fq_spost_create(struct fq_dbc *c, const char *school_id, const char *name, double lat,
		    double lon, const char *scope_path, int64_t now_ms, char id[37],
		    struct fq_err *err) FQ_WUR;
int fq_spost_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err) FQ_WUR;
/* A post with its school, sessions and assignees (names; phones are not shown). */
int fq_spost_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;
int fq_spost_list(struct fq_dbc *c, const char *scope_path, const char *school_id, int64_t page,
		  int64_t per_page, json_t **out, struct fq_err *err) FQ_WUR;

/* FQ_EINVAL naming label, weekdays (1..127), start (minute of day), end (after start). */
int fq_ssession_add(struct fq_dbc *c, const char *post_id, const char *label, int weekdays,
		    int start_min, int end_min, int64_t now_ms, char id[37],
		    struct fq_err *err) FQ_WUR;
/* Stop a session (kept for its attendance). FQ_ENOTFOUND when not the post's. */
int fq_ssession_stop(struct fq_dbc *c, const char *post_id, const char *session_id,
		     struct fq_err *err) FQ_WUR;
/*
 * Put someone on a post: kind "user" (an officer, auxiliary or chief of
 * scope) or "member" (an active volunteer member of scope). FQ_EINVAL naming
 * kind / ref_id; FQ_ECONFLICT "duplicate".
 */
int fq_spost_assign(struct fq_dbc *c, const char *post_id, const char *kind, const char *ref_id,
		    const char *scope_path, int64_t now_ms, struct fq_err *err) FQ_WUR;
int fq_spost_unassign(struct fq_dbc *c, const char *post_id, const char *kind, const char *ref_id,
		      struct fq_err *err) FQ_WUR;

/*
 * Who may be put on a post under scope_path: users (officers, auxiliaries,
 * chiefs; id, name, roles) and active volunteer members (id, name, group).
 */
int fq_school_candidates_json(struct fq_dbc *c, const char *scope_path, json_t **out,
			      struct fq_err *err) FQ_WUR;

/* ---- attendance ---- */

struct fq_attendance_new {
	const char *session_id;
	const char *day; /* YYYY-MM-DD */
	const char *kind, *ref_id;
	const char *status; /* "on_time", "late", "absent", or NULL when arrived_at is given */
	int64_t arrived_at; /* 0: not given */
	const char *note;
	const char *actor_id;
	int64_t now_ms;
};
/*
 * Record (or correct) one attendance: the session must be active and held
 * on that weekday, the assignee on the post, the session started (no
 * records for the future, none before the day the session was set up);
 * arrived_at gives the status (on time by the
 * session's start) and must agree with a given status; "absent" takes no
 * arrival. FQ_EINVAL naming session_id, day, ref_id, status, arrived_at.
 * id receives the record's id.
 */
int fq_attendance_record(struct fq_dbc *c, const struct fq_attendance_new *in,
			 const char *scope_path, char id[37], struct fq_err *err) FQ_WUR;
int fq_attendance_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;

/*
 * The week from monday_days (a Monday) under scope_path: for each active
 * post and session, seven days with whether the session is held, and for
 * each assignee the attendance recorded that day, null when none, false
 * when the session is not held that day (or was not yet set up).
 */
int fq_school_week_json(struct fq_dbc *c, const char *scope_path, int64_t monday_days, json_t **out,
			struct fq_err *err) FQ_WUR;

/*
 * Counts over the local days [from_days, to_days] under scope_path: expected
 * (per active session, its days in the window from the day it was set up,
 * times the post's present assignees), on time, late, absent, unrecorded
 * (expected less recorded, not below 0) and the rates of fq_school_rates;
 * per school too.
 */
int fq_school_kpi_json(struct fq_dbc *c, const char *scope_path, int64_t from_days, int64_t to_days,
		       json_t **out, struct fq_err *err) FQ_WUR;

#endif
