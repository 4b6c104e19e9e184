/*
 * The dispatch API: response units and their positions, ranked candidates
 * for an incident, dispatches and their steps, the unacknowledged list and
 * the coverage view (command/dispatch.h, docs/dispatch.md).
 */
#include "http/api.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/coverage.h"
#include "command/dispatch.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "http/events.h"
#include "core/banned.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* Commit when rc is 0, else roll back; returns the outcome. */
static int finish(struct fq_req *r, struct fq_dbc *c, int rc)
{
	if (!rc)
		return fq_dbc_commit(c, &r->err);
	fq_dbc_rollback(c);
	return rc;
}

/*
 * The station meant by code (or, when code is NULL, by the user's own unit)
 * inside the user's scope. Outside the scope it is as absent as a missing
 * one: FQ_ENOTFOUND for a query (in_body 0), FQ_EINVAL "unknown_unit" for
 * a body field (in_body 1), the way alerts answer.
 */
static int station_in_scope(struct fq_req *r, struct fq_dbc *c, const char *code, int in_body,
			    char station[FQ_UNIT_CODE_MAX])
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_dispatch_station(c, code ? code : r->user->unit_code, station, path, &r->err);

	if (!rc && !fq_scope_covers(r->user->unit_path, path))
		rc = FQ_ENOTFOUND;
	if (rc != FQ_ENOTFOUND)
		return rc;
	if (!code)
		return fq_err_set(&r->err, FQ_EINVAL, "missing_field", "unit",
				  "您所在单位不是派出所：请用 unit 指明派出所");
	if (in_body)
		return fq_err_set(&r->err, FQ_EINVAL, "unknown_unit", "unit",
				  "unit 应为您辖区内的派出所代码");
	return fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", "unit", "派出所不存在");
}

/* The incident's JSON with its dispatches and response times. */
static int incident_answer(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	int rc = fq_incident_json(c, id, 0, 1, out, err);
	if (!rc && (rc = fq_dispatch_incident_attach(c, id, fq_now_ms(), *out, err))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* Audit each move the incident made because of a dispatch. */
static int audit_moves(struct fq_req *r, struct fq_dbc *c, const char *incident_id,
		       const struct fq_dispatch_incident_moves *m, const char *why)
{
	int rc = 0;
	for (int i = 0; !rc && i < m->count; i++)
		rc = fq_req_audit(r, c, FQ_ACT_INCIDENT_MANAGE, "incident.transition", "incident",
				  incident_id, NULL,
				  json_pack("{s:s, s:s, s:s}", "from",
					    fq_incident_state_code(m->from[i]), "to",
					    fq_incident_state_code(m->to[i]), "by", why));
	return rc;
}

/* ---- response units ---- */

static int list_units(struct fq_req *r)
{
	struct fq_response_unit_query q = {0};
	char station[FQ_UNIT_CODE_MAX];
	const char *unit = nonempty(fq_req_query(r, "unit"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	q.scope_path = r->user->unit_path;
	q.status = nonempty(fq_req_query(r, "status"));
	q.type = nonempty(fq_req_query(r, "type"));
	c = fq_db_acquire(r->db);
	rc = unit ? station_in_scope(r, c, unit, 0, station) : 0;
	q.station = unit ? station : NULL;
	if (!rc)
		rc = fq_response_unit_list(c, &q, fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int parse_type(json_t *body, int need, int *has, enum fq_response_unit_type *out,
		      struct fq_err *err)
{
	const char *s = NULL;
	int t, rc = fq_json_get_str(body, "type", need ? FQ_JSON_REQUIRED : FQ_JSON_OPTIONAL, 32,
				    &s, err);
	*has = 0;
	if (rc || !s)
		return rc;
	t = fq_response_unit_type_from_code(s);
	if (t < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "type",
				  "type 应为 car、foot、motorbike、auxiliary_team 或 "
				  "volunteer_team");
	*has = 1;
	*out = t;
	return 0;
}

static int parse_status(json_t *body, int *has, enum fq_response_unit_status *out,
			struct fq_err *err)
{
	const char *s = NULL;
	int v, rc = fq_json_get_str(body, "status", FQ_JSON_OPTIONAL, 32, &s, err);
	*has = 0;
	if (rc || !s)
		return rc;
	v = fq_response_unit_status_from_code(s);
	if (v < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "status",
				  "status 应为 available、busy 或 off_duty");
	*has = 1;
	*out = v;
	return 0;
}

static const char *const unit_create_keys[] = {"call_sign", "type",   "unit",
					       "members",   "status", NULL};

static int create_unit(struct fq_req *r)
{
	struct fq_response_unit_new in = {0};
	char station[FQ_UNIT_CODE_MAX], id[37];
	const char *unit = NULL;
	struct fq_dbc *c;
	json_t *out = NULL;
	int has, rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, unit_create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "call_sign", FQ_JSON_REQUIRED, FQ_DISPATCH_CALL_SIGN_MAX,
				  &in.call_sign, &r->err)) ||
	    (rc = parse_type(r->body, 1, &has, &in.type, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &unit,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "members", FQ_JSON_OPTIONAL, FQ_DISPATCH_MEMBERS_MAX,
				  &in.members, &r->err)) ||
	    (rc = parse_status(r->body, &has, &in.status, &r->err)))
		return rc;
	if (!has)
		in.status = FQ_RESPONSE_UNIT_AVAILABLE;
	in.actor_id = r->user->user_id;
	c = fq_db_acquire(r->db);
	rc = station_in_scope(r, c, nonempty(unit), 1, station);
	in.unit_code = station;
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_response_unit_create(c, &in, fq_now_ms(), id, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_INCIDENT_MANAGE, "response_unit.create",
					  "response_unit", id, NULL,
					  json_pack("{s:s, s:s, s:s, s:s}", "unit", station,
						    "call_sign", in.call_sign, "type",
						    fq_response_unit_type_code(in.type), "status",
						    fq_response_unit_status_code(in.status)));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_response_unit_json(c, id, fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "unit.updated", FQ_ACT_INCIDENT_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "response_unit", out));
}

/*
 * Scope checks: an object outside the caller's scope answers exactly as a
 * missing one (404 with the same message), so its existence stays hidden.
 */
static int absent_outside(struct fq_req *r, int rc, const char *message)
{
	if (rc == FQ_ENOTFOUND)
		return fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "%s", message);
	return rc;
}

static int unit_scope(struct fq_req *r, struct fq_dbc *c, const char *id)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_response_unit_path(c, id, path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	return absent_outside(r, rc, "处警力量不存在");
}

static int get_unit(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = unit_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_response_unit_json(c, r->params[0], fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "response_unit", out));
}

static const char *const unit_patch_keys[] = {"call_sign", "type",    "status",
					      "members",   "version", NULL};

static int patch_unit(struct fq_req *r)
{
	struct fq_response_unit_patch p = {0};
	enum fq_response_unit_status before, after;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, unit_patch_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "call_sign", FQ_JSON_OPTIONAL, FQ_DISPATCH_CALL_SIGN_MAX,
				  &p.call_sign, &r->err)) ||
	    (rc = parse_type(r->body, 0, &p.has_type, &p.type, &r->err)) ||
	    (rc = parse_status(r->body, &p.has_status, &p.status, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "members", FQ_JSON_OPTIONAL, FQ_DISPATCH_MEMBERS_MAX,
				  &p.members, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_REQUIRED, 1, INT64_MAX,
				  &p.expected_version, NULL, &r->err)))
		return rc;
	p.actor_id = r->user->user_id;
	c = fq_db_acquire(r->db);
	rc = unit_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_response_unit_update(c, r->params[0], &p, fq_now_ms(), &before, &after,
					     &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_INCIDENT_MANAGE, "response_unit.update", "response_unit",
			    r->params[0], NULL,
			    json_pack(
				"{s:s?, s:s?, s:s?, s:s, s:s}", "call_sign", p.call_sign, "type",
				p.has_type ? fq_response_unit_type_code(p.type) : NULL, "members",
				p.members, "status_before", fq_response_unit_status_code(before),
				"status", fq_response_unit_status_code(after)));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_response_unit_json(c, r->params[0], fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "unit.updated", FQ_ACT_INCIDENT_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "response_unit", out));
}

static int post_position(struct fq_req *r)
{
	struct fq_position_in p;
	char at[FQ_RFC3339_MAX];
	int64_t now = fq_now_ms();
	struct fq_dbc *c;
	json_t *unit = NULL;
	int latest = 0, rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_position_parse(r->body, now, &p, &r->err)))
		return rc;
	fq_time_format_cst(p.at_ms, at);
	c = fq_db_acquire(r->db);
	rc = unit_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_response_unit_report_position(c, r->params[0], &p, r->user->user_id, now,
						      &latest, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_INCIDENT_MANAGE, "response_unit.position",
					  "response_unit", r->params[0], NULL,
					  json_pack("{s:f, s:f, s:s, s:s, s:b}", "lat", p.point.lat,
						    "lon", p.point.lon, "at", at, "source",
						    fq_position_source_code(p.source), "latest",
						    latest));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_response_unit_json(c, r->params[0], fq_now_ms(), &unit, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	if (latest)
		fq_req_publish(r, "unit.position", FQ_ACT_INCIDENT_READ, unit, NULL);
	return fq_req_reply(r, 201,
			    json_pack("{s:{s:f, s:f, s:s, s:o, s:s}, s:b, s:o}", "position", "lat",
				      p.point.lat, "lon", p.point.lon, "at", at, "accuracy_m",
				      isnan(p.accuracy_m) ? json_null() : json_real(p.accuracy_m),
				      "source", fq_position_source_code(p.source), "latest", latest,
				      "response_unit", unit));
}

static int list_positions(struct fq_req *r)
{
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = unit_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_unit_position_list(c, r->params[0], page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- candidates and dispatches ---- */

static int incident_scope(struct fq_req *r, struct fq_dbc *c, const char *id)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_incident_unit_path(c, id, path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	return absent_outside(r, rc, "警情事件不存在");
}

static int incident_units(struct fq_req *r)
{
	struct fq_dispatch_candidates cand;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	fq_dispatch_candidates_init(&cand);
	c = fq_db_acquire(r->db);
	rc = incident_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_dispatch_rank(c, r->params[0], fq_now_ms(), NULL, &cand, &r->err);
	fq_db_release(r->db, c);
	if (!rc)
		out = fq_dispatch_candidates_json(&cand);
	fq_dispatch_candidates_release(&cand);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const dispatch_keys[] = {"units", "note", NULL};

static int post_dispatches(struct fq_req *r)
{
	const char *ids[FQ_DISPATCH_UNITS_PER_REQUEST_MAX];
	struct fq_dispatch_created made = {0};
	struct fq_dispatch_config cfg;
	const char *note = NULL;
	struct fq_dbc *c;
	json_t *units, *item, *list = NULL, *incident = NULL;
	size_t i, n;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, dispatch_keys, &r->err)) ||
	    (rc = fq_json_get_str_array(r->body, "units", FQ_JSON_REQUIRED,
					FQ_DISPATCH_UNITS_PER_REQUEST_MAX, &units, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_DISPATCH_NOTE_MAX, &note,
				  &r->err)))
		return rc;
	n = json_array_size(units);
	json_array_foreach(units, i, item)
	{
		ids[i] = json_string_value(item);
	}
	fq_dispatch_config_get(&cfg);
	c = fq_db_acquire(r->db);
	rc = incident_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_dispatch_create(c, r->params[0], ids, n, note, r->user->user_id,
					fq_now_ms(), &made, &r->err);
		for (i = 0; !rc && i < made.count; i++)
			rc = fq_req_audit(r, c, FQ_ACT_INCIDENT_MANAGE, "dispatch.create",
					  "dispatch", made.ids[i], NULL,
					  json_pack("{s:s, s:s}", "incident_id", r->params[0],
						    "response_unit_id", ids[i]));
		if (!rc)
			rc = audit_moves(r, c, r->params[0], &made.incident, "dispatch");
		rc = finish(r, c, rc);
	}
	if (!rc) {
		list = json_array();
		for (i = 0; !rc && i < made.count; i++) {
			json_t *d = NULL;
			rc = fq_dispatch_json(c, made.ids[i], fq_now_ms(), cfg.unacknowledged_s, &d,
					      &r->err);
			if (!rc)
				json_array_append_new(list, d);
		}
	}
	if (!rc)
		rc = incident_answer(c, r->params[0], &incident, &r->err);
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(list);
		return rc;
	}
	json_array_foreach(list, i, item)
	{
		fq_req_publish(r, "dispatch.created", FQ_ACT_INCIDENT_READ, item,
			       json_string_value(json_object_get(incident, "unit")));
	}
	fq_req_publish(r, "incident.updated", FQ_ACT_INCIDENT_READ, incident, NULL);
	return fq_req_reply(r, 201,
			    json_pack("{s:o, s:o}", "dispatches", list, "incident", incident));
}

static int dispatch_scope(struct fq_req *r, struct fq_dbc *c, const char *id)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_dispatch_path(c, id, path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	return absent_outside(r, rc, "派警记录不存在");
}

static int get_dispatch(struct fq_req *r)
{
	struct fq_dispatch_config cfg;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	fq_dispatch_config_get(&cfg);
	c = fq_db_acquire(r->db);
	rc = dispatch_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_dispatch_json(c, r->params[0], fq_now_ms(), cfg.unacknowledged_s, &out,
				      &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "dispatch", out));
}

static const char *const step_keys[] = {"note", "version", NULL};

static int post_step(struct fq_req *r, enum fq_dispatch_step step)
{
	struct fq_dispatch_step_result res = {0};
	struct fq_dispatch_config cfg;
	char what[48];
	const char *note = NULL;
	int64_t version = 0;
	struct fq_dbc *c;
	json_t *dispatch = NULL, *incident = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, step_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_DISPATCH_NOTE_MAX, &note,
				  &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	snprintf(what, sizeof(what), "dispatch.%s", fq_dispatch_step_code(step));
	fq_dispatch_config_get(&cfg);
	c = fq_db_acquire(r->db);
	rc = dispatch_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_dispatch_step(c, r->params[0], step, version, note, r->user->user_id,
				      fq_now_ms(), &res, &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_INCIDENT_MANAGE, what, "dispatch", r->params[0], NULL,
			    json_pack("{s:s, s:s, s:s, s:s}", "from",
				      fq_dispatch_state_code(res.from), "to",
				      fq_dispatch_state_code(res.to), "incident_id",
				      res.incident_id, "response_unit_id", res.response_unit_id));
		if (!rc)
			rc = audit_moves(r, c, res.incident_id, &res.incident, what);
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_dispatch_json(c, r->params[0], fq_now_ms(), cfg.unacknowledged_s, &dispatch,
				      &r->err);
	if (!rc)
		rc = incident_answer(c, res.incident_id, &incident, &r->err);
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(dispatch);
		return rc;
	}
	fq_req_publish(r, "dispatch.updated", FQ_ACT_INCIDENT_READ, dispatch,
		       json_string_value(json_object_get(incident, "unit")));
	fq_req_publish(r, "incident.updated", FQ_ACT_INCIDENT_READ, incident, NULL);
	return fq_req_reply(r, 200,
			    json_pack("{s:o, s:o}", "dispatch", dispatch, "incident", incident));
}

static int post_acknowledge(struct fq_req *r)
{
	return post_step(r, FQ_DISPATCH_STEP_ACKNOWLEDGE);
}

static int post_en_route(struct fq_req *r)
{
	return post_step(r, FQ_DISPATCH_STEP_EN_ROUTE);
}

static int post_on_scene(struct fq_req *r)
{
	return post_step(r, FQ_DISPATCH_STEP_ON_SCENE);
}

static int post_clear(struct fq_req *r)
{
	return post_step(r, FQ_DISPATCH_STEP_CLEAR);
}

static int post_cancel(struct fq_req *r)
{
	return post_step(r, FQ_DISPATCH_STEP_CANCEL);
}

/* An integer query argument; *out keeps def when absent. */
static int int_arg(struct fq_req *r, const char *name, int64_t def, int64_t min, int64_t max,
		   int64_t *out)
{
	const char *s = fq_req_query(r, name);
	char *end;
	long long v;

	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = *s ? strtoll(s, &end, 10) : def;
	if (*s && (errno || *end || v < min || v > max))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", name,
				  "参数 %s 应为 %lld 到 %lld 之间的整数", name, (long long)min,
				  (long long)max);
	*out = v;
	return 0;
}

static int list_dispatches(struct fq_req *r)
{
	struct fq_dispatch_query q = {0};
	struct fq_dispatch_config cfg;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	fq_dispatch_config_get(&cfg);
	/* Present but empty: the configured threshold. */
	q.unacknowledged_s = -1;
	if (fq_req_query(r, "unacknowledged_s") &&
	    (rc = int_arg(r, "unacknowledged_s", cfg.unacknowledged_s, 0, FQ_DISPATCH_UNACK_MAX_S,
			  &q.unacknowledged_s)))
		return rc;
	q.unacknowledged_after_s =
	    q.unacknowledged_s >= 0 ? q.unacknowledged_s : cfg.unacknowledged_s;
	q.scope_path = r->user->unit_path;
	q.state = nonempty(fq_req_query(r, "state"));
	q.incident_id = nonempty(fq_req_query(r, "incident"));
	if (q.incident_id && !fq_uuid_valid(q.incident_id))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "incident",
				  "incident 不是有效的编号");
	c = fq_db_acquire(r->db);
	rc = fq_dispatch_list(c, &q, fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- coverage ---- */

static int get_coverage(struct fq_req *r)
{
	char station[FQ_UNIT_CODE_MAX];
	const char *cell = nonempty(fq_req_query(r, "cell_m"));
	double cell_m = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	if (cell) {
		char *end;
		errno = 0;
		cell_m = strtod(cell, &end);
		if (errno || *end || !(cell_m >= FQ_COVERAGE_CELL_M_MIN) ||
		    !(cell_m <= FQ_COVERAGE_CELL_M_MAX))
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "cell_m",
					  "参数 cell_m 应为 %.0f 到 %.0f 之间的米数",
					  FQ_COVERAGE_CELL_M_MIN, FQ_COVERAGE_CELL_M_MAX);
	}
	c = fq_db_acquire(r->db);
	rc = station_in_scope(r, c, nonempty(fq_req_query(r, "unit")), 0, station);
	if (!rc)
		rc = fq_dispatch_coverage(c, station, cell_m, fq_now_ms(), NULL, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

const struct fq_route fq_dispatch_routes[] = {
    {"GET", "/api/v1/response-units", list_units, 0},
    {"POST", "/api/v1/response-units", create_unit, 0},
    {"GET", "/api/v1/response-units/:id", get_unit, 0},
    {"PATCH", "/api/v1/response-units/:id", patch_unit, 0},
    {"GET", "/api/v1/response-units/:id/positions", list_positions, 0},
    {"POST", "/api/v1/response-units/:id/positions", post_position, 0},
    {"GET", "/api/v1/incidents/:id/units", incident_units, 0},
    {"POST", "/api/v1/incidents/:id/dispatches", post_dispatches, 0},
    {"GET", "/api/v1/dispatches", list_dispatches, 0},
    {"GET", "/api/v1/dispatches/:id", get_dispatch, 0},
    {"POST", "/api/v1/dispatches/:id/acknowledge", post_acknowledge, 0},
    {"POST", "/api/v1/dispatches/:id/en_route", post_en_route, 0},
    {"POST", "/api/v1/dispatches/:id/on_scene", post_on_scene, 0},
    {"POST", "/api/v1/dispatches/:id/clear", post_clear, 0},
    {"POST", "/api/v1/dispatches/:id/cancel", post_cancel, 0},
    {"GET", "/api/v1/coverage", get_coverage, 0},
    {NULL, NULL, NULL, 0},
};
