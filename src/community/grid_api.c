/*
 * The API of grids and police posts (docs/community.md, "Grids and
 * responsibility"): the grid list with counts, the grid page, a grid's
 * recent alerts, the police posts; and setting who answers for a grid or
 * a post.
 *
 * Rights: reading needs grid.read; each section of the grid page also
 * needs the right of its own list (people: person.read; houses and
 * venues: registry.read; directives and alerts: incident.read; disputes:
 * dispute.read) and is left out without it. Setting staff and a post's
 * grids needs grid.manage (chief, administrator) and is audited in its
 * transaction. Scope: a grid or post outside the user's unit answers 404
 * as a missing one. Staff phones are masked for roles without phone.read
 * or grid.manage; people's identifiers are masked as in the registry.
 */
#include "http/api.h"

#include <string.h>

#include "cases/dispute.h"
#include "command/directive.h"
#include "community/grid.h"
#include "community/registry.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* Rows of each section on the grid page (the first page of its list). */
#define GRID_PAGE_ROWS 20

static int masks_staff_phones(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ) &&
	       !fq_roles_can(r->user->roles, FQ_ACT_GRID_MANAGE);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int can(struct fq_req *r, enum fq_action a)
{
	return fq_roles_can(r->user->roles, a);
}

static int list_grids(struct fq_req *r)
{
	const char *b = nonempty(fq_req_query(r, "boundary"));
	struct fq_grid_query q = {0};
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_GRID_READ)))
		return rc;
	if (b && strcmp(b, "0") != 0 && strcmp(b, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "boundary",
				  "boundary 应为 0 或 1");
	q.with_boundary = b && b[0] == '1';
	q.sort = nonempty(fq_req_query(r, "sort"));
	q.mask_phones = masks_staff_phones(r);
	q.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	q.scope_path = path;
	if (!rc)
		rc = fq_grid_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* The sections of the grid page, each the first page of its own list. */
static int grid_sections(struct fq_req *r, struct fq_dbc *c, const char *code, int64_t now,
			 json_t *out)
{
	struct fq_registry_view v = {
	    .reveal = 0,
	    .full_address = can(r, FQ_ACT_ADDRESS_READ),
	    .see_concern = can(r, FQ_ACT_PERSON_CONCERN),
	};
	json_t *s = NULL;
	int rc = 0;

	if (can(r, FQ_ACT_PERSON_READ)) {
		struct fq_person_query q = {.scope_path = r->user->unit_path,
					    .unit = code,
					    .sort = "name",
					    .page = 1,
					    .per_page = GRID_PAGE_ROWS};
		if ((rc = fq_person_list(c, &q, &v, &s, &r->err)))
			return rc;
		json_object_set_new(out, "people", s);
	}
	if (can(r, FQ_ACT_REGISTRY_READ)) {
		struct fq_house_query hq = {.scope_path = r->user->unit_path,
					    .unit = code,
					    .sort = "address",
					    .page = 1,
					    .per_page = GRID_PAGE_ROWS};
		struct fq_org_query oq = {.scope_path = r->user->unit_path,
					  .unit = code,
					  .regulated = -1,
					  .sort = "name",
					  .page = 1,
					  .per_page = GRID_PAGE_ROWS};
		if ((rc = fq_house_list(c, &hq, &v, &s, &r->err)))
			return rc;
		json_object_set_new(out, "houses", s);
		if ((rc = fq_org_list(c, &oq, &v, &s, &r->err)))
			return rc;
		json_object_set_new(out, "venues", s);
	}
	if (can(r, FQ_ACT_INCIDENT_READ)) {
		struct fq_directive_query q = {.scope_path = r->user->unit_path,
					       .state = "open",
					       .grid = code,
					       .overdue = -1,
					       .mask_phones = !can(r, FQ_ACT_PHONE_READ),
					       .now_ms = now,
					       .page = 1,
					       .per_page = GRID_PAGE_ROWS};
		if ((rc = fq_directive_list(c, &q, &s, &r->err)))
			return rc;
		json_object_set_new(out, "directives", s);
		if ((rc = fq_grid_alerts(c, code, FQ_GRID_ALERT_DAYS, now, 1, GRID_PAGE_ROWS, &s,
					 &r->err)))
			return rc;
		json_object_set_new(out, "alerts", s);
	}
	if (can(r, FQ_ACT_DISPUTE_READ)) {
		struct fq_dispute_query q = {.scope_path = r->user->unit_path,
					     .state = "open",
					     .unit = code,
					     .overdue = -1,
					     .now_ms = now,
					     .page = 1,
					     .per_page = GRID_PAGE_ROWS};
		if ((rc = fq_dispute_list(c, &q, &s, &r->err)))
			return rc;
		json_object_set_new(out, "disputes", s);
	}
	return 0;
}

static int get_grid(struct fq_req *r)
{
	int64_t now = fq_now_ms();
	struct fq_dbc *c;
	json_t *grid = NULL, *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_GRID_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_grid_unit_path, r->params[0], "网格不存在");
	if (!rc)
		rc = fq_grid_json(c, r->params[0], masks_staff_phones(r), now, &grid, &r->err);
	if (!rc) {
		out = json_pack("{s:o}", "grid", grid);
		rc = grid_sections(r, c, r->params[0], now, out);
	}
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(out);
		return rc;
	}
	return fq_req_reply(r, 200, out);
}

static int get_grid_alerts(struct fq_req *r)
{
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_GRID_READ)) ||
	    (rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_grid_unit_path, r->params[0], "网格不存在");
	if (!rc)
		rc = fq_grid_alerts(c, r->params[0], FQ_GRID_ALERT_DAYS, fq_now_ms(), page,
				    per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* A write of a grid's or a post's assignment, answered with the fresh record. */
static int put_assignment(struct fq_req *r, int post)
{
	const char *code = r->params[0];
	int64_t now = fq_now_ms();
	struct fq_dbc *c;
	json_t *summary = NULL, *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_GRID_MANAGE)))
		return rc;
	if (!r->body)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_body", NULL, "请求体应为 JSON 对象");
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, post ? fq_post_unit_path : fq_grid_unit_path, code,
				 post ? "警务室不存在" : "网格不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (rc)
		goto out_release;
	rc = post ? fq_post_set(c, code, r->body, r->user->user_id, now, &summary, &r->err)
		  : fq_grid_staff_set(c, code, r->body, r->user->user_id, now, &summary, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_GRID_MANAGE, post ? "post.assign" : "grid.staff",
				  "unit", code, NULL, summary);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (!rc && post) {
		json_t *all = NULL, *p;
		size_t i;
		char path[FQ_UNIT_PATH_MAX];
		rc = fq_post_unit_path(c, code, path, &r->err);
		if (!rc)
			rc = fq_post_list(c, path, masks_staff_phones(r), &all, &r->err);
		json_array_foreach(json_object_get(all, "items"), i, p)
		{
			if (!rc && strcmp(json_string_value(json_object_get(p, "code")), code) == 0)
				out = json_pack("{s:O}", "post", p);
		}
		json_decref(all);
	} else if (!rc) {
		json_t *g = NULL;
		rc = fq_grid_json(c, code, masks_staff_phones(r), now, &g, &r->err);
		if (!rc)
			out = json_pack("{s:o}", "grid", g);
	}
out_release:
	fq_db_release(r->db, c);
	if (!rc && !out)
		rc = fq_err_set(&r->err, FQ_EINTERNAL, "internal", NULL, "读取警务室失败");
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int put_grid_staff(struct fq_req *r)
{
	return put_assignment(r, 0);
}

static int put_post(struct fq_req *r)
{
	return put_assignment(r, 1);
}

static int list_posts(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_GRID_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_post_list(c, path, masks_staff_phones(r), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

const struct fq_route fq_grid_routes[] = {
    {"GET", "/api/v1/grids", list_grids, 0},
    {"GET", "/api/v1/grids/:code", get_grid, 0},
    {"GET", "/api/v1/grids/:code/alerts", get_grid_alerts, 0},
    {"PUT", "/api/v1/grids/:code/staff", put_grid_staff, 0},
    {"GET", "/api/v1/posts", list_posts, 0},
    {"PUT", "/api/v1/posts/:code", put_post, 0},
    {NULL, NULL, NULL, 0},
};
