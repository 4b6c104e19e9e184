/*
 * Grids and police posts, and who answers for them (docs/community.md,
 * "Grids and responsibility"): "一村(格)一警" and "1+X+N" — each grid has
 * one responsible community officer, X auxiliaries and N grid workers;
 * each police post (警务室) has its staff and the grids it looks after.
 *
 * Grids and posts are units (org/units.h, kinds grid and post). Staff
 * members are users of the system (by user_id: enabled, of the unit's
 * station or a unit under it, with a role that fits the duty) or, for
 * staff without an account, a name and a phone. Setting a grid's or a
 * post's staff replaces the whole set; each unit carries a version
 * (0 until first set) for optimistic concurrency.
 *
 * The read side gives the grid list with counts (people, houses, venues,
 * open directives, open disputes, alerts of the last FQ_GRID_ALERT_DAYS
 * days, visit coverage) and one grid's header (boundary, staff, post,
 * counts). The grid page composes it with the registries' and the command
 * room's own lists (http handler, community/grid_api.c).
 *
 * Writers expect an open write transaction on c (the caller audits in it).
 * JSON answers are new references. Phones of staff are masked when
 * mask_phones is set (core/phone.h's fq_phone_mask).
 */
#ifndef FQ_COMMUNITY_GRID_H
#define FQ_COMMUNITY_GRID_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_GRID_STAFF_NAME_MAX 32  /* characters of a staff member's name */
#define FQ_GRID_AUXILIARY_MAX  10  /* auxiliaries of one grid */
#define FQ_GRID_WORKER_MAX     20  /* grid workers of one grid */
#define FQ_POST_STAFF_MAX      30  /* staff of one post */
#define FQ_POST_GRIDS_MAX      100 /* grids of one post */
#define FQ_GRID_ALERT_DAYS     30  /* "recent" alerts */
#define FQ_GRID_COVERAGE_DAYS  30  /* visit coverage window */
#define FQ_GRID_LIST_MAX       2000

/* The path of grid code (FQ_ENOTFOUND, "not_found", when no such grid). */
int fq_grid_unit_path(struct fq_dbc *c, const char *code, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err) FQ_WUR;
/* The path of police post code (FQ_ENOTFOUND when no such post). */
int fq_post_unit_path(struct fq_dbc *c, const char *code, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err) FQ_WUR;

/*
 * Set the staff of grid code from body:
 *   {"officer": MEMBER | null, "auxiliaries": [MEMBER...],
 *    "grid_workers": [MEMBER...], "version"?: N}
 * where MEMBER is {"user_id"} or {"name", "phone"?}. Members absent from
 * the body are cleared. A user must be enabled, belong to the grid's
 * station or a unit under it, and hold a role fitting the duty (officer:
 * community_officer or chief; auxiliary: auxiliary; grid worker:
 * grid_worker) — else FQ_EINVAL "invalid_staff" naming the
 * member ("auxiliaries[1].user_id"); the same user twice is
 * "duplicate_staff". A stale version answers FQ_ECONFLICT "stale_version".
 * *summary receives what the audit log keeps (user ids and counts, no
 * names or phones).
 */
int fq_grid_staff_set(struct fq_dbc *c, const char *code, json_t *body, const char *actor_id,
		      int64_t now_ms, json_t **summary, struct fq_err *err) FQ_WUR;

/*
 * Set police post code from body: {"grids": [CODE...], "staff":
 * [{"duty": "officer"|"auxiliary", MEMBER...}], "version"?: N}. Grids must
 * be grids of the post's station (FQ_EINVAL "invalid_grid", field
 * "grids[i]"); a grid of another post moves to this one; the post's
 * former grids not listed are released. *summary as above.
 */
int fq_post_set(struct fq_dbc *c, const char *code, json_t *body, const char *actor_id,
		int64_t now_ms, json_t **summary, struct fq_err *err) FQ_WUR;

struct fq_grid_query {
	const char *scope_path;
	const char *unit; /* grids under this unit (in scope), or NULL */
	/* code (default), name, people, houses, venues, open_directives,
	 * open_disputes, alerts, coverage; '-' in front for descending */
	const char *sort;
	int with_boundary;
	int mask_phones;
	int64_t now_ms;
};

/*
 * {"items":[GRID...], "total", "alert_days", "coverage_days"}: the grids
 * under the scope in q->sort's order (the first FQ_GRID_LIST_MAX; total counts them all), each
 * {code, name, station {code, name}, post {code, name} | null, centroid, boundary (with_boundary),
 * staff {officer, auxiliaries, grid_workers, version}, counts {people, houses, venues,
 * open_directives, open_disputes, alerts}, coverage {houses, visited,
 * share}} — visited: houses of the grid with a visit recorded in the grid
 * in the last FQ_GRID_COVERAGE_DAYS days. FQ_EINVAL "invalid_query" (field sort or unit).
 */
int fq_grid_list(struct fq_dbc *c, const struct fq_grid_query *q, json_t **out,
		 struct fq_err *err) FQ_WUR;

/* One grid as an item of fq_grid_list, with its boundary (FQ_ENOTFOUND when missing). */
int fq_grid_json(struct fq_dbc *c, const char *code, int mask_phones, int64_t now_ms, json_t **out,
		 struct fq_err *err) FQ_WUR;

/*
 * The alerts placed in grid code received in the last days days, newest
 * first: {"items":[{id, number, incident_id, received_at, source,
 * category, priority, address}], "total", "page", "per_page"}. No caller
 * details.
 */
int fq_grid_alerts(struct fq_dbc *c, const char *code, int days, int64_t now_ms, int64_t page,
		   int64_t per_page, json_t **out, struct fq_err *err) FQ_WUR;

/*
 * {"items":[{code, name, station {code, name}, centroid, grids [{code,
 * name}], staff [{duty, user_id, name, phone}], version}], "total"}: the
 * police posts under scope_path.
 */
int fq_post_list(struct fq_dbc *c, const char *scope_path, int mask_phones, json_t **out,
		 struct fq_err *err) FQ_WUR;

#endif
