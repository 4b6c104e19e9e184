/* Household visits: API (community/visit.h). */
#include "http/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/field.h"
#include "community/visit.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "core/banned.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int time_field(struct fq_req *r, const char *key, int64_t *out)
{
	const char *s = NULL;
	int rc = fq_json_get_str(r->body, key, FQ_JSON_OPTIONAL, 64, &s, &r->err);

	*out = 0;
	if (!rc && s)
		rc = fq_time_parse(s, out, key, &r->err);
	return rc;
}

static const char *const create_keys[] = {
    "house_id", "visited_at", "location",      "people_met", "purpose",	     "learned",
    "needs",	"risks",      "dispute_found", "clue",	     "follow_up_at", NULL};

static int post_visit(struct fq_req *r)
{
	struct fq_visit_new in = {.lat = NAN, .lon = NAN};
	char id[37], clue[37];
	json_t *loc, *out = NULL, *clue_json = NULL;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)) ||
	    (rc = fq_json_only_keys(r->body, create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "house_id", FQ_JSON_REQUIRED, 36, &in.house_id,
				  &r->err)) ||
	    (rc = time_field(r, "visited_at", &in.visited_at)) ||
	    (rc =
		 fq_json_get_str(r->body, "purpose", FQ_JSON_REQUIRED, 32, &in.purpose, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "learned", FQ_JSON_OPTIONAL, FQ_VISIT_TEXT_MAX,
				  &in.learned, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "needs", FQ_JSON_OPTIONAL, FQ_VISIT_TEXT_MAX, &in.needs,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "risks", FQ_JSON_OPTIONAL, FQ_VISIT_TEXT_MAX, &in.risks,
				  &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "dispute_found", FQ_JSON_OPTIONAL, &in.dispute_found,
				   NULL, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "clue", FQ_JSON_OPTIONAL, FQ_VISIT_TEXT_MAX,
				  &in.clue_text, &r->err)) ||
	    (rc = time_field(r, "follow_up_at", &in.follow_up_at)))
		return rc;
	loc = json_object_get(r->body, "location");
	if (loc && !json_is_null(loc)) {
		if (!json_is_object(loc))
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "location",
					  "location 应为 {\"lat\",\"lon\"}");
		if ((rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &in.lat, NULL,
					   &r->err)) ||
		    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &in.lon, NULL,
					   &r->err)))
			return rc;
	}
	in.people_met = json_object_get(r->body, "people_met");
	if (json_is_null(in.people_met))
		in.people_met = NULL;
	in.officer_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	if (in.clue_text && !fq_roles_can(r->user->roles, FQ_ACT_CLUE_REPORT))
		return fq_err_set(&r->err, FQ_EFORBIDDEN, "forbidden", "clue",
				  "您的角色无权报告线索");
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_visit_create(c, &in, r->user->unit_path, id, clue, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "visit.create",
					  "household_visit", id, NULL,
					  json_pack("{s:s, s:s, s:s?}", "house_id", in.house_id,
						    "purpose", in.purpose, "clue_id",
						    *clue ? clue : NULL));
		if (!rc && *clue)
			rc = fq_req_audit(
			    r, c, FQ_ACT_CLUE_REPORT, "clue.create", "clue", clue, NULL,
			    json_pack("{s:s, s:s}", "source", "visit", "visit_id", id));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = fq_visit_json(c, id, &out, &r->err);
	if (!rc && *clue)
		rc = fq_clue_json(c, clue, &clue_json, &r->err);
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(out);
		return rc;
	}
	fq_req_publish(r, "visit.created", FQ_ACT_REGISTRY_READ, out, NULL);
	if (clue_json)
		fq_req_publish(r, "clue.created", FQ_ACT_FIELD_READ, clue_json, NULL);
	return fq_req_reply(
	    r, 201,
	    json_pack("{s:o, s:o}", "visit", out, "clue", clue_json ? clue_json : json_null()));
}

static int time_query(struct fq_req *r, const char *name, int64_t *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	*out = 0;
	return s ? fq_time_parse(s, out, name, &r->err) : 0;
}

static int flag_query(struct fq_req *r, const char *name, int *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	*out = 0;
	if (!s)
		return 0;
	if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", name, "%s 应为 0 或 1",
				  name);
	*out = s[0] == '1';
	return 0;
}

static int list_visits(struct fq_req *r)
{
	struct fq_visit_query q = {.house_id = nonempty(fq_req_query(r, "house_id"))};
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int mine = 0, rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) || (rc = flag_query(r, "mine", &mine)) ||
	    (rc = flag_query(r, "follow_up_due", &q.follow_up_due)) ||
	    (rc = time_query(r, "from", &q.from_ms)) || (rc = time_query(r, "to", &q.to_ms)))
		return rc;
	q.officer_id = mine ? r->user->user_id : NULL;
	q.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	q.scope_path = path;
	if (!rc)
		rc = fq_visit_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_visit(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_visit_unit_path, r->params[0], "走访记录不存在");
	if (!rc)
		rc = fq_visit_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "visit", out));
}

static const char *const follow_keys[] = {"note", "version", NULL};

static int post_follow_up(struct fq_req *r)
{
	const char *note = NULL;
	int64_t version = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)) ||
	    (rc = fq_json_only_keys(r->body, follow_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_REQUIRED, FQ_VISIT_TEXT_MAX, &note,
				  &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_visit_unit_path, r->params[0], "走访记录不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_visit_follow_up_done(c, r->params[0], version, note, fq_now_ms(), &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "visit.follow_up",
					  "household_visit", r->params[0], NULL, NULL);
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = fq_visit_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "visit.updated", FQ_ACT_REGISTRY_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "visit", out));
}

static int get_coverage(struct fq_req *r)
{
	const char *d = nonempty(fq_req_query(r, "days"));
	char path[FQ_UNIT_PATH_MAX], *end;
	long days = 30;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)))
		return rc;
	if (d) {
		days = strtol(d, &end, 10);
		if (*end || days < 1 || days > 366)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "days",
					  "days 应为 1–366 的整数");
	}
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_visit_coverage_json(c, path, (int)days, fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

const struct fq_route fq_visit_routes[] = {
    {"GET", "/api/v1/visits", list_visits, 0},
    {"POST", "/api/v1/visits", post_visit, 0},
    {"GET", "/api/v1/visits/:id", get_visit, 0},
    {"POST", "/api/v1/visits/:id/follow-up", post_follow_up, 0},
    {"GET", "/api/v1/kpi/visit-coverage", get_coverage, 0},
    {NULL, NULL, NULL, 0},
};
