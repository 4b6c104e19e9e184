/*
 * The API of the reception hall (暖心警务会客厅, docs/reception.md): log a
 * walk-in, read and list the log, record what was done, turn a visit into
 * an alert (through the command room's intake: command/alert.h), a
 * dispute, a livelihood case or a door-to-door service request (through
 * those capabilities' own parsers and store functions: http/intake.h), and
 * the counts per period.
 *
 * Rights: reading needs reception.read, writing reception.log; a visit's
 * station must lie in the caller's scope (else 404). Turning a visit into
 * an alert needs reception.log only: the hall is one of the places where
 * alerts are taken (source walk_in); into a dispute, case or service
 * request also the target's create right (dispute.report, case.manage,
 * service.manage). Phones are shown to roles with phone.read or
 * reception.log, masked to others; answers naming a visitor are recorded
 * as reads in the audit log.
 */
#include "http/api.h"

#include <stdio.h>
#include <string.h>

#include "cases/reception.h"
#include "command/alert.h"
#include "command/incident.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "http/intake.h"
#include "core/banned.h"

static int masks_phone(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ) &&
	       !fq_roles_can(r->user->roles, FQ_ACT_RECEPTION_LOG);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int time_query(struct fq_req *r, const char *name, int required, int64_t *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	*out = 0;
	if (!s)
		return required ? fq_err_set(&r->err, FQ_EINVAL, "missing_field", name,
					     "请给出统计区间的 %s", name)
				: 0;
	return fq_time_parse(s, out, name, &r->err);
}

static int time_member(struct fq_req *r, const char *key, int64_t *out)
{
	const char *s = NULL;
	int rc = fq_json_get_str(r->body, key, FQ_JSON_OPTIONAL, 64, &s, &r->err);
	*out = 0;
	if (rc || !s)
		return rc;
	return fq_time_parse(s, out, key, &r->err);
}

static int in_scope(struct fq_req *r, struct fq_dbc *c)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_reception_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND)
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "来访记录不存在");
	return rc;
}

/* The visit as the answer (status), recorded as a read; publishes event when given. */
static int answer_visit(struct fq_req *r, struct fq_dbc *c, const char *id, int status,
			const char *event, json_t *extra)
{
	json_t *out = NULL;
	int rc = fq_reception_json(c, id, masks_phone(r), &out, &r->err);

	if (!rc)
		rc = fq_req_audit_read(r, "reception_visit", id, NULL);
	if (rc) {
		json_decref(out);
		json_decref(extra);
		return rc;
	}
	if (event)
		fq_req_publish(r, event, FQ_ACT_RECEPTION_READ, out, NULL);
	if (extra) {
		json_object_set_new(extra, "visit", out);
		return fq_req_reply(r, status, extra);
	}
	return fq_req_reply(r, status, json_pack("{s:o}", "visit", out));
}

static const char *const create_keys[] = {"unit",     "visitor_name", "phone",
					  "need",     "what_done",    "started_at",
					  "ended_at", "handled_by",   NULL};

static int post_visit(struct fq_req *r)
{
	struct fq_reception_new in = {0};
	char id[37], station[FQ_UNIT_CODE_MAX];
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_RECEPTION_LOG)) ||
	    (rc = fq_json_only_keys(r->body, create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &in.unit,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "visitor_name", FQ_JSON_REQUIRED, FQ_RECEPTION_NAME_MAX,
				  &in.visitor_name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "phone", FQ_JSON_OPTIONAL, FQ_PHONE_INPUT_MAX, &in.phone,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "need", FQ_JSON_REQUIRED, 16, &in.need, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "what_done", FQ_JSON_OPTIONAL, FQ_RECEPTION_TEXT_MAX,
				  &in.what_done, &r->err)) ||
	    (rc = time_member(r, "started_at", &in.started_at)) ||
	    (rc = time_member(r, "ended_at", &in.ended_at)) ||
	    (rc = fq_json_get_str(r->body, "handled_by", FQ_JSON_OPTIONAL, 36, &in.handled_by,
				  &r->err)))
		return rc;
	in.actor_unit = r->user->unit_code;
	in.scope_path = r->user->unit_path;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	if (!(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = fq_reception_create(c, &in, id, station, &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_RECEPTION_LOG, "reception_visit.create", "reception_visit",
			    id, NULL, json_pack("{s:s, s:s}", "unit", station, "need", in.need));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = answer_visit(r, c, id, 201, "reception_visit.created", NULL);
	fq_db_release(r->db, c);
	return rc;
}

static int list_visits(struct fq_req *r)
{
	struct fq_reception_query q = {0};
	const char *conv = nonempty(fq_req_query(r, "converted"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_RECEPTION_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) ||
	    (rc = time_query(r, "from", 0, &q.from_ms)) || (rc = time_query(r, "to", 0, &q.to_ms)))
		return rc;
	q.converted = -1;
	if (conv) {
		if (strcmp(conv, "0") != 0 && strcmp(conv, "1") != 0)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "converted",
					  "converted 应为 0 或 1");
		q.converted = conv[0] - '0';
	}
	q.scope_path = r->user->unit_path;
	q.need = nonempty(fq_req_query(r, "need"));
	q.mask_phone = masks_phone(r);
	c = fq_db_acquire(r->db);
	rc = fq_reception_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	if (!rc && json_array_size(json_object_get(out, "items")) &&
	    (rc = fq_req_audit_read(r, "reception_visit", "list", NULL))) {
		json_decref(out);
		return rc;
	}
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_visit(struct fq_req *r)
{
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_RECEPTION_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc)
		rc = answer_visit(r, c, r->params[0], 200, NULL, NULL);
	fq_db_release(r->db, c);
	return rc;
}

static const char *const patch_keys[] = {"what_done", "ended_at", "version", NULL};

static int patch_visit(struct fq_req *r)
{
	struct fq_reception_change ch = {0};
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_RECEPTION_LOG)) ||
	    (rc = fq_json_only_keys(r->body, patch_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "what_done", FQ_JSON_OPTIONAL, FQ_RECEPTION_TEXT_MAX,
				  &ch.what_done, &r->err)) ||
	    (rc = time_member(r, "ended_at", &ch.ended_at)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX,
				  &ch.expected_version, NULL, &r->err)))
		return rc;
	ch.actor_id = r->user->user_id;
	ch.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = fq_reception_update(c, r->params[0], &ch, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_RECEPTION_LOG, "reception_visit.update",
					  "reception_visit", r->params[0], NULL,
					  json_pack("{s:b, s:b}", "what_done", ch.what_done != NULL,
						    "ended_at", ch.ended_at != 0));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = answer_visit(r, c, r->params[0], 200, "reception_visit.updated", NULL);
	fq_db_release(r->db, c);
	return rc;
}

/* ---- one action: the visit becomes an alert, a dispute, a case or a service request ---- */

static const char *const convert_keys[] = {"to",      "alert", "dispute", "case", "service_request",
					   "version", NULL};
/* What the hall may say about the alert; the rest comes from the visit. */
static const char *const alert_keys[] = {"category", "description", "address", "location",
					 "priority", "extra",	    NULL};

/*
 * An error of a target's members names them under the target's member
 * ("alert.category", "dispute.parties[0].name"); errors of the visit
 * itself (conflicts) are left alone.
 */
static int prefix_field(struct fq_req *r, int rc, const char *member)
{
	char field[FQ_ERR_FIELD_MAX];

	if (rc != FQ_EINVAL && rc != FQ_ETOOBIG)
		return rc;
	if (r->err.field[0])
		snprintf(field, sizeof(field), "%.15s.%.47s", member, r->err.field);
	else
		snprintf(field, sizeof(field), "%.15s", member);
	memcpy(r->err.field, field, sizeof(field));
	return rc;
}

/* A copy of the body's member named after the target (an object), to complete. */
static int target_member(struct fq_req *r, const char *member, const char *hint, json_t **out)
{
	json_t *given = json_object_get(r->body, member);

	*out = NULL;
	if (!json_is_object(given))
		return fq_err_set(&r->err, FQ_EINVAL, given ? "invalid_type" : "missing_field",
				  member, "%s（%s 对象）", hint, member);
	*out = json_deep_copy(given);
	return *out ? 0 : fq_err_set(&r->err, FQ_EINTERNAL, "internal", NULL, "内存不足");
}

static void set_default(json_t *b, const char *key, const char *value)
{
	if (!json_object_get(b, key) && value && *value)
		json_object_set_new(b, key, json_string(value));
}

/* The body of the alert: the caller's members, and the visit's visitor, phone and station. */
static int alert_body(struct fq_req *r, const struct fq_reception_visit *v, json_t **out)
{
	json_t *given = json_object_get(r->body, "alert");
	char now[FQ_RFC3339_MAX];
	json_t *b;
	int rc;

	*out = NULL;
	if ((rc = target_member(r, "alert", "请给出警情的类别、地点等", &b)))
		return rc;
	if ((rc = fq_json_only_keys(given, alert_keys, &r->err))) {
		json_decref(b);
		return prefix_field(r, rc, "alert");
	}
	fq_time_format_cst(fq_now_ms(), now);
	json_object_set_new(b, "received_at", json_string(now));
	json_object_set_new(b, "source", json_string("walk_in"));
	json_object_set_new(b, "caller_name", json_string(v->visitor_name));
	if (v->phone[0])
		json_object_set_new(b, "caller_phone", json_string(v->phone));
	json_object_set_new(b, "unit", json_string(v->station));
	set_default(b, "description", v->what_done);
	*out = b;
	return 0;
}

/*
 * What a conversion made, for the answer and its live events, published by
 * post_convert once the connection is released: extra holds the answer's
 * members besides "visit"; event (and event2) name the target's live
 * events and member (member2) the object of extra they carry.
 */
struct converted {
	json_t *extra;
	const char *event, *member;
	enum fq_action action;
	const char *event2, *member2;
};

/* In the target's transaction: mark the visit converted (done) and audit it. */
static int mark_done(struct fq_req *r, struct fq_dbc *c, const struct fq_reception_visit *v,
		     enum fq_reception_target target, const char *object_id, int64_t version)
{
	int rc = fq_reception_mark_converted(c, r->params[0], target, object_id, version,
					     r->user->user_id, 0, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_RECEPTION_LOG, "reception_visit.convert",
				  "reception_visit", r->params[0], NULL,
				  json_pack("{s:s, s:s, s:b}", "to",
					    fq_reception_target_code(target), "object_id",
					    object_id, "was_pending", v->pending));
	return rc;
}

/* Commit when rc is 0, else roll back. */
static int finish(struct fq_req *r, struct fq_dbc *c, int rc)
{
	if (!rc)
		return fq_dbc_commit(c, &r->err);
	fq_dbc_rollback(c);
	return rc;
}

/* The audit detail of the object made: keys of its JSON, and the visit. */
static json_t *create_detail(struct fq_req *r, json_t *obj, const char *const *keys)
{
	json_t *out = json_object();

	for (int i = 0; keys[i]; i++)
		if (json_object_get(obj, keys[i]))
			json_object_set(out, keys[i], json_object_get(obj, keys[i]));
	json_object_set_new(out, "reception_visit", json_string(r->params[0]));
	return out;
}

static int convert_to_alert(struct fq_req *r, struct fq_dbc *c, const struct fq_reception_visit *v,
			    int64_t version, struct converted *out)
{
	char station[FQ_UNIT_CODE_MAX], station_path[FQ_UNIT_PATH_MAX];
	struct fq_merge_result m;
	struct fq_alert_stored stored;
	struct fq_alert_in in;
	json_t *body = NULL, *alert = NULL, *incident = NULL;
	int rc = alert_body(r, v, &body);

	if (!rc)
		rc = prefix_field(r, fq_alert_parse(body, 0, &r->pool, &in, &r->err), "alert");
	if (!rc)
		rc = fq_alert_station(c, &in, v->station, r->user->unit_path, station, station_path,
				      &r->err);
	if (rc) {
		json_decref(body);
		return rc;
	}
	fq_alert_lock();
	rc = fq_alert_match(&in, &m, &r->err);
	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = fq_alert_store(c, &in, station, &m, NULL, r->user->user_id, &stored, NULL,
				    &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_RECEPTION_LOG, "alert.create", "alert",
					  stored.alert_id, NULL,
					  json_pack("{s:s, s:s, s:s, s:s?, s:s}", "number",
						    stored.alert_number, "incident_id",
						    stored.incident_id, "decision", stored.decision,
						    "kind", stored.kind, "reception_visit",
						    r->params[0]));
		if (!rc)
			rc = mark_done(r, c, v, FQ_CONVERT_ALERT, stored.alert_id, version);
		rc = finish(r, c, rc);
		if (!rc)
			fq_alert_indexed(&in, &stored);
	}
	fq_alert_unlock();
	json_decref(body);
	if (rc)
		return rc;
	/* The same answers and live events as POST /api/v1/alerts. */
	rc = fq_alert_json(c, stored.alert_id, !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ),
			   &alert, NULL, &r->err);
	if (!rc)
		rc = fq_incident_json(c, stored.incident_id, 0,
				      !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ), &incident,
				      &r->err);
	if (rc) {
		json_decref(alert);
		json_decref(incident);
		return rc;
	}
	out->extra = json_pack("{s:o, s:o, s:o}", "alert", alert, "incident", incident, "merge",
			       fq_alert_merge_json(&m, stored.decision, stored.kind));
	out->event = "alert.created";
	out->member = "alert";
	out->action = FQ_ACT_INCIDENT_READ;
	out->event2 =
	    strcmp(stored.decision, "merged") == 0 || strcmp(stored.decision, "confirmed") == 0
		? "incident.updated"
		: "incident.created";
	out->member2 = "incident";
	return 0;
}

/* The visitor as the one party of a dispute or case (role: a case party's role or NULL). */
static json_t *visitor_party(const struct fq_reception_visit *v, const char *role)
{
	json_t *p = json_pack("{s:s}", "name", v->visitor_name);

	if (role)
		json_object_set_new(p, "role", json_string(role));
	if (v->phone[0])
		json_object_set_new(p, "phone", json_string(v->phone));
	return json_pack("[o]", p);
}

/*
 * The target's body as its own create API takes it, with what the visit
 * knows filled in where the caller left it out, parsed by that API's
 * parser (r->body points at it for the call). *body is the caller's to
 * release once the input has been stored: the input points into it.
 */
static int dispute_body(struct fq_req *r, const struct fq_reception_visit *v, json_t **body,
			struct fq_dispute_new *in)
{
	char started[FQ_RFC3339_MAX];
	json_t *saved = r->body;
	int rc = target_member(r, "dispute", "请给出纠纷的类型、地点等", body);

	if (rc)
		return rc;
	set_default(*body, "description", v->what_done);
	fq_time_format_cst(v->started_at, started);
	set_default(*body, "occurred_at", started);
	if (!json_object_get(*body, "parties"))
		json_object_set_new(*body, "parties", visitor_party(v, NULL));
	if (!json_object_get(*body, "incident_id")) {
		set_default(*body, "source", "walk_in");
		set_default(*body, "unit", v->station);
	}
	r->body = *body;
	rc = fq_dispute_parse_new(r, in);
	r->body = saved;
	return prefix_field(r, rc, "dispute");
}

static int convert_to_dispute(struct fq_req *r, struct fq_dbc *c,
			      const struct fq_reception_visit *v, int64_t version,
			      struct converted *out)
{
	static const char *const keys[] = {"number", "type",  "source", "incident_id", "unit",
					   "grid",   "score", "grade",	"deadline_at", NULL};
	struct fq_dispute_new in;
	char id[37], number[FQ_NUMBER_MAX];
	json_t *body = NULL, *d = NULL;
	int rc = dispute_body(r, v, &body, &in);

	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = prefix_field(r, fq_dispute_create(c, &in, id, number, &r->err), "dispute");
		if (!rc)
			rc = fq_dispute_json(c, id, 1,
					     !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ),
					     !fq_roles_can(r->user->roles, FQ_ACT_PERSON_REVEAL),
					     in.now_ms, &d, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_DISPUTE_REPORT, "dispute.create", "dispute",
					  id, NULL, create_detail(r, d, keys));
		if (!rc)
			rc = mark_done(r, c, v, FQ_CONVERT_DISPUTE, id, version);
		rc = finish(r, c, rc);
	}
	json_decref(body);
	if (rc) {
		json_decref(d);
		return rc;
	}
	/* POST /api/v1/disputes publishes no live event; nor does this. */
	out->extra = json_pack("{s:o}", "dispute", d);
	return 0;
}

static int case_body(struct fq_req *r, const struct fq_reception_visit *v, json_t **body,
		     struct fq_case_body *b)
{
	json_t *saved = r->body;
	int rc = target_member(r, "case", "请给出案件的类别、标题等", body);

	if (rc)
		return rc;
	set_default(*body, "description", v->what_done);
	if (!json_object_get(*body, "parties"))
		json_object_set_new(*body, "parties", visitor_party(v, "victim"));
	if (!json_object_get(*body, "incident_id"))
		set_default(*body, "unit", v->station);
	r->body = *body;
	rc = fq_case_parse_new(r, b);
	r->body = saved;
	return prefix_field(r, rc, "case");
}

static int convert_to_case(struct fq_req *r, struct fq_dbc *c, const struct fq_reception_visit *v,
			   int64_t version, struct converted *out)
{
	static const char *const keys[] = {"number",	 "type",     "incident_id",
					   "officer_id", "lost_fen", NULL};
	struct fq_case_body *b = fq_pool_alloc(&r->pool, sizeof(*b));
	char id[37], number[FQ_NUMBER_MAX];
	json_t *body = NULL, *k = NULL;
	int rc = case_body(r, v, &body, b);

	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = prefix_field(r, fq_case_create(c, &b->in, id, number, &r->err), "case");
		/* The visit first: the case, read once, then links back to it (reception_visit). */
		if (!rc)
			rc = mark_done(r, c, v, FQ_CONVERT_CASE, id, version);
		if (!rc)
			rc = fq_case_json(c, id, 1,
					  !fq_roles_can(r->user->roles, FQ_ACT_CASE_MANAGE),
					  b->in.now_ms, &k, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_CASE_MANAGE, "case.create", "case", id, NULL,
					  create_detail(r, k, keys));
		rc = finish(r, c, rc);
	}
	json_decref(body);
	if (rc) {
		json_decref(k);
		return rc;
	}
	out->extra = json_pack("{s:o}", "case", k);
	out->event = "case.created";
	out->member = "case";
	out->action = FQ_ACT_CASE_READ;
	return 0;
}

static int service_body(struct fq_req *r, struct fq_dbc *c, const struct fq_reception_visit *v,
			json_t **body, struct fq_service_new *in, char unit[FQ_UNIT_CODE_MAX])
{
	json_t *saved = r->body;
	int rc = target_member(r, "service_request", "请给出服务类别、上门地址等", body);

	if (rc)
		return rc;
	set_default(*body, "person_name", v->visitor_name);
	set_default(*body, "phone", v->phone);
	set_default(*body, "details", v->what_done);
	set_default(*body, "source", "walk_in");
	set_default(*body, "unit", v->station);
	r->body = *body;
	rc = fq_service_parse_new(r, c, in, unit);
	r->body = saved;
	return prefix_field(r, rc, "service_request");
}

static int convert_to_service(struct fq_req *r, struct fq_dbc *c,
			      const struct fq_reception_visit *v, int64_t version,
			      struct converted *out)
{
	struct fq_service_new in;
	char unit[FQ_UNIT_CODE_MAX], id[37];
	json_t *body = NULL, *s = NULL;
	int rc = service_body(r, c, v, &body, &in, unit);

	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = prefix_field(r, fq_service_create(c, &in, id, &r->err), "service_request");
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_SERVICE_MANAGE, "service_request.create",
					  "service_request", id, NULL,
					  json_pack("{s:s, s:s, s:s, s:s}", "unit", unit, "kind",
						    in.kind, "source", in.source, "reception_visit",
						    r->params[0]));
		if (!rc)
			rc = mark_done(r, c, v, FQ_CONVERT_SERVICE_REQUEST, id, version);
		rc = finish(r, c, rc);
	}
	json_decref(body);
	/* As POST /api/v1/service-requests answers it: unmasked to its manager. */
	if (!rc)
		rc = fq_service_json(c, id, 0, &s, &r->err);
	if (rc)
		return rc;
	out->extra = json_pack("{s:o}", "service_request", s);
	out->event = "service.created";
	out->member = "service_request";
	out->action = FQ_ACT_FIELD_READ;
	return 0;
}

/* The right each target's own create API needs, besides reception.log. */
static const enum fq_action target_right[FQ_CONVERT_COUNT] = {
    [FQ_CONVERT_ALERT] = FQ_ACT_RECEPTION_LOG,
    [FQ_CONVERT_SERVICE_REQUEST] = FQ_ACT_SERVICE_MANAGE,
    [FQ_CONVERT_DISPUTE] = FQ_ACT_DISPUTE_REPORT,
    [FQ_CONVERT_CASE] = FQ_ACT_CASE_MANAGE,
};

static int (*const converters[FQ_CONVERT_COUNT])(struct fq_req *, struct fq_dbc *,
						 const struct fq_reception_visit *, int64_t,
						 struct converted *) = {
    [FQ_CONVERT_ALERT] = convert_to_alert,
    [FQ_CONVERT_SERVICE_REQUEST] = convert_to_service,
    [FQ_CONVERT_DISPUTE] = convert_to_dispute,
    [FQ_CONVERT_CASE] = convert_to_case,
};

static int post_convert(struct fq_req *r)
{
	struct fq_reception_visit v;
	struct converted out = {0};
	const char *to = NULL;
	int64_t version = 0;
	json_t *visit = NULL;
	struct fq_dbc *c;
	int target, rc;

	if ((rc = fq_req_require(r, FQ_ACT_RECEPTION_LOG)) ||
	    (rc = fq_json_only_keys(r->body, convert_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "to", FQ_JSON_REQUIRED, 32, &to, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	target = fq_reception_target_from(to);
	if (target < 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "to",
				  "to 应为 alert、service_request、dispute 或 case");
	/* Only the member of the target: {"to": "case", "case": {…}}. */
	for (int t = 0; t < FQ_CONVERT_COUNT; t++) {
		const char *member = fq_reception_target_code(t);
		if (t != target && json_object_get(r->body, member))
			return fq_err_set(&r->err, FQ_EINVAL, "conflicting_fields", member,
					  "转为 %s 时不应给出 %s", to, member);
	}
	if ((rc = fq_req_require(r, target_right[target])))
		return rc;
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc)
		rc = fq_reception_load(c, r->params[0], &v, &r->err);
	/* A pending conversion (stored by earlier versions) is completed by its own target. */
	if (!rc && v.converted && !(v.pending && strcmp(v.converted_to, to) == 0))
		rc = fq_err_set(&r->err, FQ_ECONFLICT, "already_converted", "to",
				"该来访已经转为其他事项");
	if (!rc && version && version != v.version)
		rc = fq_err_set(&r->err, FQ_ECONFLICT, "stale_version", "version",
				"记录已被他人修改，请刷新后重试");
	if (!rc)
		rc = converters[target](r, c, &v, version, &out);
	if (!rc)
		rc = fq_reception_json(c, r->params[0], masks_phone(r), &visit, &r->err);
	if (!rc)
		rc = fq_req_audit_read(r, "reception_visit", r->params[0], NULL);
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(out.extra);
		json_decref(visit);
		return rc;
	}
	if (out.event)
		fq_req_publish(r, out.event, out.action, json_object_get(out.extra, out.member),
			       NULL);
	if (out.event2)
		fq_req_publish(r, out.event2, out.action, json_object_get(out.extra, out.member2),
			       NULL);
	fq_req_publish(r, "reception_visit.updated", FQ_ACT_RECEPTION_READ, visit, NULL);
	json_object_set_new(out.extra, "visit", visit);
	return fq_req_reply(r, 201, out.extra);
}

static int get_kpi(struct fq_req *r)
{
	const char *unit = nonempty(fq_req_query(r, "unit"));
	char path[FQ_UNIT_PATH_MAX];
	int64_t from = 0, to = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_RECEPTION_READ)) ||
	    (rc = time_query(r, "from", 1, &from)) || (rc = time_query(r, "to", 1, &to)))
		return rc;
	if (!unit)
		unit = r->user->unit_code;
	c = fq_db_acquire(r->db);
	rc = fq_unit_path(c, unit, path, &r->err);
	if (rc == FQ_ENOTFOUND || !rc)
		rc = fq_req_require_scope(r, rc ? "" : path);
	if (!rc)
		rc = fq_reception_kpi_json(c, unit, from, to, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

const struct fq_route fq_reception_routes[] = {
    {"GET", "/api/v1/reception-visits", list_visits, 0},
    {"POST", "/api/v1/reception-visits", post_visit, 0},
    {"GET", "/api/v1/reception-visits/:id", get_visit, 0},
    {"PATCH", "/api/v1/reception-visits/:id", patch_visit, 0},
    {"POST", "/api/v1/reception-visits/:id/convert", post_convert, 0},
    {"GET", "/api/v1/kpi/reception", get_kpi, 0},
    {NULL, NULL, NULL, 0},
};
