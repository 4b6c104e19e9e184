/* Inspections and hazards: API (community/inspection.h). */
#include "http/api.h"

#include <stdio.h>
#include <string.h>

#include "community/inspection.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "core/banned.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int get_checklist(struct fq_req *r)
{
	const char *type = nonempty(fq_req_query(r, "type"));
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)))
		return rc;
	return fq_req_reply(
	    r, 200, json_pack("{s:s?, s:o}", "type", type, "items", fq_inspection_checklist(type)));
}

static int post_inspection(struct fq_req *r)
{
	char id[37];
	int hazards = 0, rc;
	int64_t now = fq_now_ms();
	struct fq_dbc *c;
	json_t *out = NULL;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_inspection_create(c, r->body, r->user->unit_path, r->user->user_id, now, id,
					  &hazards, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "inspection.create",
					  "inspection", id, NULL,
					  json_pack("{s:O, s:i}", "organisation_id",
						    json_object_get(r->body, "organisation_id"),
						    "hazards", hazards));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = fq_inspection_json(c, id, now, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "inspection.created", FQ_ACT_REGISTRY_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "inspection", out));
}

static int list_inspections(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_inspection_list(c, path, nonempty(fq_req_query(r, "organisation_id")), page,
					per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_inspection(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_inspection_unit_path, r->params[0], "检查记录不存在");
	if (!rc)
		rc = fq_inspection_json(c, r->params[0], fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "inspection", out));
}

static int list_hazards(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	const char *state = nonempty(fq_req_query(r, "state"));
	const char *overdue = nonempty(fq_req_query(r, "overdue"));
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	if (state && strcmp(state, "open") != 0 && strcmp(state, "rectified") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "state",
				  "state 应为 open 或 rectified");
	if (overdue && strcmp(overdue, "0") != 0 && strcmp(overdue, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "overdue",
				  "overdue 应为 0 或 1");
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_hazard_list(c, path, state, overdue && overdue[0] == '1', fq_now_ms(), page,
				    per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const reinspect_keys[] = {"rectified", "note", "deadline_at", "version", NULL};

static int post_reinspect(struct fq_req *r)
{
	const char *note = NULL, *dl = NULL;
	int64_t version = 0, deadline = 0, now = fq_now_ms();
	int rectified = 0, has = 0, rc;
	struct fq_dbc *c;
	json_t *out = NULL;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)) ||
	    (rc = fq_json_only_keys(r->body, reinspect_keys, &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "rectified", FQ_JSON_REQUIRED, &rectified, &has,
				   &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_REQUIRED, FQ_INSPECTION_TEXT_MAX, &note,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "deadline_at", FQ_JSON_OPTIONAL, 64, &dl, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	if (dl && (rc = fq_time_parse(dl, &deadline, "deadline_at", &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_hazard_unit_path, r->params[0], "隐患不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_hazard_reinspect(c, r->params[0], version, rectified, note, deadline,
					 r->user->user_id, now, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "hazard.reinspect", "hazard",
					  r->params[0], NULL,
					  json_pack("{s:b}", "rectified", rectified));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = fq_hazard_json(c, r->params[0], now, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "hazard.updated", FQ_ACT_REGISTRY_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "hazard", out));
}

const struct fq_route fq_inspection_routes[] = {
    {"GET", "/api/v1/inspection-checklists", get_checklist, 0},
    {"GET", "/api/v1/inspections", list_inspections, 0},
    {"POST", "/api/v1/inspections", post_inspection, 0},
    {"GET", "/api/v1/inspections/:id", get_inspection, 0},
    {"GET", "/api/v1/hazards", list_hazards, 0},
    {"POST", "/api/v1/hazards/:id/reinspect", post_reinspect, 0},
    {NULL, NULL, NULL, 0},
};
