/*
 * Volunteers (群防群治, docs/volunteers.md): groups of a grid (patrol teams,
 * 平安志愿者, 红袖章, ...), their members (a person of the registry or a name
 * and phone; a member who signs in is linked to their user), patrol and
 * watch tasks in a time window over an area or route, check-in and
 * check-out with the phone's position giving credited hours, clues reported
 * during a task (into the clue queue of community/field.h), and counts.
 *
 * Everything belongs to the group's unit path (scope). Functions that write
 * run inside the caller's write transaction (so the caller audits in the
 * same one) and answer FQ_EINVAL naming the field, FQ_ENOTFOUND, or
 * FQ_ECONFLICT ("invalid_state", "version_mismatch", "duplicate"). JSON
 * forms mask phones unless mask_phones is 0. Strings in and out are UTF-8.
 */
#ifndef FQ_COMMUNITY_VOLUNTEER_H
#define FQ_COMMUNITY_VOLUNTEER_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_VOLUNTEER_NAME_MAX	 64
#define FQ_VOLUNTEER_TEXT_MAX	 2000
#define FQ_VOLUNTEER_TASK_MAX	 (24LL * 3600 * 1000) /* longest task window */
#define FQ_VOLUNTEER_GRACE_MS	 (30LL * 60 * 1000)   /* credit around the window */
#define FQ_VOLUNTEER_MEMBERS_MAX 50		      /* members named on one task */

/*
 * Credited minutes of one turn: from check-in, at the earliest GRACE before
 * the task's start, to check-out, at the latest GRACE after its end; whole
 * minutes, rounded down; 0 when that span is empty. Pure.
 */
int64_t fq_volunteer_credit_minutes(int64_t starts_at, int64_t ends_at, int64_t in_at,
				    int64_t out_at);

/* Group kinds: code and zh-CN label; NULL past the end / when unknown. */
const char *fq_volunteer_kind_code(int i);
const char *fq_volunteer_kind_label(const char *code);

/* ---- groups ---- */

struct fq_vgroup_new {
	const char *name;
	const char *kind;
	const char *unit_code;		 /* a grid, post or station inside scope_path */
	const char *leader_name, *notes; /* may be NULL */
	const char *actor_id;
	int64_t now_ms;
};

/* FQ_EINVAL naming name, kind, unit (unknown, outside scope_path, or not a grid/post/station). */
int fq_vgroup_create(struct fq_dbc *c, const struct fq_vgroup_new *in, const char *scope_path,
		     char id[37], struct fq_err *err) FQ_WUR;
/* Change name, leader_name, notes (NULL: unchanged) and active (-1: unchanged). */
int fq_vgroup_update(struct fq_dbc *c, const char *id, int64_t expected_version, const char *name,
		     const char *leader_name, const char *notes, int active, int64_t now_ms,
		     struct fq_err *err) FQ_WUR;
int fq_vgroup_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err) FQ_WUR;
/* A group with its unit name and member counts (all, active). */
int fq_vgroup_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;
/* Groups under scope_path; unit and kind filter (NULL: all). {items,total,page,per_page}. */
int fq_vgroup_list(struct fq_dbc *c, const char *scope_path, const char *unit, const char *kind,
		   int64_t page, int64_t per_page, json_t **out, struct fq_err *err) FQ_WUR;

/* ---- members ---- */

struct fq_vmember_new {
	const char *group_id;
	const char *name;      /* required unless person_id is given (then the person's name) */
	const char *phone;     /* optional; normalised with core/phone.h */
	const char *person_id; /* a person of the registry in scope, or NULL */
	const char *user_id;   /* a user with the volunteer role in scope, or NULL */
	const char *joined_on; /* YYYY-MM-DD, NULL: today */
	int64_t now_ms;
};

/* FQ_EINVAL naming group_id, name, phone, person_id, user_id, joined_on; FQ_ECONFLICT "duplicate".
 */
int fq_vmember_create(struct fq_dbc *c, const struct fq_vmember_new *in, const char *scope_path,
		      char id[37], struct fq_err *err) FQ_WUR;
int fq_vmember_update(struct fq_dbc *c, const char *id, int64_t expected_version, const char *name,
		      const char *phone, int active, int64_t now_ms, struct fq_err *err) FQ_WUR;
int fq_vmember_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err) FQ_WUR;
/* A member with group name and, over [from_ms, to_ms), credited minutes and turns. */
int fq_vmember_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		    struct fq_err *err) FQ_WUR;
struct fq_vmember_query {
	const char *scope_path;
	const char *group_id; /* or NULL */
	const char *q;	      /* part of the name, or NULL */
	int active;	      /* -1 all, 0, 1 */
	int mask_phones;
	int64_t from_ms, to_ms; /* window of the hours column */
	int64_t page, per_page;
};
int fq_vmember_list(struct fq_dbc *c, const struct fq_vmember_query *q, json_t **out,
		    struct fq_err *err) FQ_WUR;

/* ---- tasks ---- */

struct fq_vtask_new {
	const char *group_id;
	const char *kind; /* "patrol" or "watch" */
	const char *title;
	const char *area;
	double lat, lon; /* NAN when not given */
	int64_t starts_at, ends_at;
	json_t *member_ids; /* array of member ids of the group (borrowed), or NULL: whole group */
	const char *actor_id;
	int64_t now_ms;
};

/*
 * FQ_EINVAL naming group_id (unknown, outside scope, inactive), kind, title,
 * area, starts_at, ends_at (not after the start, or longer than a day),
 * member_ids (not active members of the group).
 */
int fq_vtask_create(struct fq_dbc *c, const struct fq_vtask_new *in, const char *scope_path,
		    char id[37], struct fq_err *err) FQ_WUR;
/* planned → cancelled with a reason; FQ_ECONFLICT when a member has checked in. */
int fq_vtask_cancel(struct fq_dbc *c, const char *id, int64_t expected_version, const char *reason,
		    struct fq_err *err) FQ_WUR;
int fq_vtask_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err) FQ_WUR;
/*
 * A task with its group, derived status ("upcoming", "ongoing", "done": ended
 * with at least one completed turn, "missed", "cancelled"), members
 * (assigned, or the whole group), turns (check-ins) and clues.
 */
int fq_vtask_json(struct fq_dbc *c, const char *id, int mask_phones, int64_t now_ms, json_t **out,
		  struct fq_err *err) FQ_WUR;
struct fq_vtask_query {
	const char *scope_path;
	const char *group_id;	/* or NULL */
	const char *member_id;	/* tasks of this member (assigned, or of their group), or NULL */
	const char *status;	/* one derived status, or NULL */
	int64_t from_ms, to_ms; /* tasks starting in [from, to); 0: unbounded */
	int64_t now_ms;
	int ascending; /* 1: earliest first (a member's own list), 0: latest first */
	int64_t page, per_page;
};
int fq_vtask_list(struct fq_dbc *c, const struct fq_vtask_query *q, json_t **out,
		  struct fq_err *err) FQ_WUR;

/*
 * The member linked to user_id who is on the task (assigned to it, or of
 * its group when nobody is assigned); FQ_ENOTFOUND when there is none.
 */
int fq_vtask_member_of_user(struct fq_dbc *c, const char *task_id, const char *user_id,
			    char member_id[37], struct fq_err *err) FQ_WUR;
/* The member ids linked to user_id (a JSON array of strings; may be empty). */
int fq_vmember_ids_of_user(struct fq_dbc *c, const char *user_id, json_t **out,
			   struct fq_err *err) FQ_WUR;

/*
 * A user's credited minutes over all their member records: of the 30 and
 * 365 days before now_ms, and the completed turns of the 365 days.
 */
int fq_vmember_hours_of_user(struct fq_dbc *c, const char *user_id, int64_t now_ms,
			     int64_t *minutes_30d, int64_t *minutes_365d, int64_t *turns_365d,
			     struct fq_err *err) FQ_WUR;

/*
 * Check in: the member must be on the task, the task planned and now within
 * [starts_at - GRACE, ends_at]; one turn per member and task (FQ_ECONFLICT
 * "duplicate"). lat/lon NAN when no fix. recorded_by: the user recording it.
 */
int fq_vtask_check_in(struct fq_dbc *c, const char *task_id, const char *member_id, double lat,
		      double lon, const char *recorded_by, int64_t now_ms,
		      struct fq_err *err) FQ_WUR;
/* Check out of an open turn; *minutes receives the credited minutes. */
int fq_vtask_check_out(struct fq_dbc *c, const char *task_id, const char *member_id, double lat,
		       double lon, int64_t now_ms, int64_t *minutes, struct fq_err *err) FQ_WUR;
/*
 * Report a clue during a task: a clue of source "volunteer" of the task's
 * unit in the clue queue, linked to the task and member (member_id may be
 * NULL when an officer reports it). The task must not be cancelled.
 */
int fq_vtask_report_clue(struct fq_dbc *c, const char *task_id, const char *member_id,
			 const char *text, double lat, double lon, const char *actor_id,
			 int64_t now_ms, char clue_id[37], struct fq_err *err) FQ_WUR;

/*
 * Counts under scope_path over [from_ms, to_ms): groups, members (active),
 * active members (with a completed turn in the window), turns, credited
 * minutes and hours, tasks (not cancelled, starting in the window), tasks
 * done, clues reported during tasks; per group, and hours per month (China
 * Standard Time) of the window.
 */
int fq_volunteer_kpi_json(struct fq_dbc *c, const char *scope_path, int64_t from_ms, int64_t to_ms,
			  int64_t now_ms, json_t **out, struct fq_err *err) FQ_WUR;

#endif
