/*
 * The API of the reception hall (暖心警务会客厅, docs/reception.md): log a
 * walk-in, read and list the log, record what was done, turn a visit into
 * an alert (through the command room's intake: command/alert.h) or a
 * pending service request, dispute or case, and the counts per period.
 *
 * Rights: reading needs reception.read, writing reception.log; a visit's
 * station must lie in the caller's scope (else 404). Turning a visit into
 * an alert needs reception.log only: the hall is one of the places where
 * alerts are taken (source walk_in). Phones are shown to roles with
 * phone.read or reception.log, masked to others; answers naming a visitor
 * are recorded as reads in the audit log.
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

/* ---- one action: the visit becomes an alert, or a pending dispute, case, service request ---- */

static const char *const convert_keys[] = {"to", "alert", "version", NULL};
/* What the hall may say about the alert; the rest comes from the visit. */
static const char *const alert_keys[] = {"category", "description", "address", "location",
					 "priority", "extra",	    NULL};

/* An error of the alert's members names them under "alert." ("alert.category"). */
static void prefix_field(struct fq_req *r)
{
	char field[sizeof(r->err.field)];
	size_t n = strlen(r->err.field);

	if (n + 7 > sizeof(field))
		n = sizeof(field) - 7;
	memcpy(field, "alert.", 6);
	memcpy(field + 6, r->err.field, n);
	field[6 + n] = '\0';
	if (!r->err.field[0])
		snprintf(field, sizeof(field), "alert");
	memcpy(r->err.field, field, sizeof(field));
}

/* The body of the alert: the caller's members, and the visit's visitor, phone and station. */
static int alert_body(struct fq_req *r, const struct fq_reception_visit *v, json_t **out)
{
	json_t *given = json_object_get(r->body, "alert");
	char now[FQ_RFC3339_MAX];
	json_t *b;
	int rc;

	*out = NULL;
	if (!json_is_object(given))
		return fq_err_set(&r->err, FQ_EINVAL, given ? "invalid_type" : "missing_field",
				  "alert", "请给出警情的类别、地点等（alert 对象）");
	if ((rc = fq_json_only_keys(given, alert_keys, &r->err))) {
		prefix_field(r);
		return rc;
	}
	b = json_deep_copy(given);
	fq_time_format_cst(fq_now_ms(), now);
	json_object_set_new(b, "received_at", json_string(now));
	json_object_set_new(b, "source", json_string("walk_in"));
	json_object_set_new(b, "caller_name", json_string(v->visitor_name));
	if (v->phone[0])
		json_object_set_new(b, "caller_phone", json_string(v->phone));
	json_object_set_new(b, "unit", json_string(v->station));
	if (!json_object_get(b, "description") && v->what_done[0])
		json_object_set_new(b, "description", json_string(v->what_done));
	*out = b;
	return 0;
}

static int convert_to_alert(struct fq_req *r, struct fq_dbc *c, const struct fq_reception_visit *v,
			    int64_t version)
{
	char station[FQ_UNIT_CODE_MAX], station_path[FQ_UNIT_PATH_MAX];
	struct fq_merge_result m;
	struct fq_alert_stored stored;
	struct fq_alert_in in;
	json_t *body = NULL, *alert = NULL, *incident = NULL;
	int rc = alert_body(r, v, &body);

	if (!rc && (rc = fq_alert_parse(body, 0, &r->pool, &in, &r->err))) {
		prefix_field(r);
	}
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
		rc = fq_alert_store(c, &in, station, &m, NULL, r->user->user_id, &stored, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_RECEPTION_LOG, "alert.create", "alert",
					  stored.alert_id, NULL,
					  json_pack("{s:s, s:s, s:s, s:s?, s:s}", "number",
						    stored.alert_number, "incident_id",
						    stored.incident_id, "decision", stored.decision,
						    "kind", stored.kind, "reception_visit",
						    r->params[0]));
		if (!rc)
			rc = fq_reception_mark_converted(c, r->params[0], FQ_CONVERT_ALERT,
							 stored.alert_id, version, r->user->user_id,
							 0, &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_RECEPTION_LOG, "reception_visit.convert",
			    "reception_visit", r->params[0], NULL,
			    json_pack("{s:s, s:s}", "to", "alert", "object_id", stored.alert_id));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
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
	fq_req_publish(r, "alert.created", FQ_ACT_INCIDENT_READ, alert, NULL);
	fq_req_publish(r,
		       strcmp(stored.decision, "merged") == 0 ||
			       strcmp(stored.decision, "confirmed") == 0
			   ? "incident.updated"
			   : "incident.created",
		       FQ_ACT_INCIDENT_READ, incident, NULL);
	return answer_visit(r, c, r->params[0], 201, "reception_visit.updated",
			    json_pack("{s:o, s:o, s:o}", "alert", alert, "incident", incident,
				      "merge",
				      fq_alert_merge_json(&m, stored.decision, stored.kind)));
}

static int post_convert(struct fq_req *r)
{
	struct fq_reception_visit v;
	const char *to = NULL;
	int64_t version = 0;
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
	if (target != FQ_CONVERT_ALERT && json_object_get(r->body, "alert"))
		return fq_err_set(&r->err, FQ_EINVAL, "conflicting_fields", "alert",
				  "只有转为警情时才给出 alert");
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc)
		rc = fq_reception_load(c, r->params[0], &v, &r->err);
	if (!rc && v.converted)
		rc = fq_err_set(&r->err, FQ_ECONFLICT, "already_converted", "to",
				"该来访已经转为其他事项");
	if (!rc && version && version != v.version)
		rc = fq_err_set(&r->err, FQ_ECONFLICT, "stale_version", "version",
				"记录已被他人修改，请刷新后重试");
	if (!rc && target == FQ_CONVERT_ALERT) {
		rc = convert_to_alert(r, c, &v, version);
	} else if (!rc) {
		/* Disputes, cases and service requests are not on this schema yet: pending. */
		if (!(rc = fq_dbc_begin(c, 1, &r->err))) {
			rc = fq_reception_mark_converted(c, r->params[0], target, NULL, version,
							 r->user->user_id, 0, &r->err);
			if (!rc)
				rc = fq_req_audit(
				    r, c, FQ_ACT_RECEPTION_LOG, "reception_visit.convert",
				    "reception_visit", r->params[0], NULL,
				    json_pack("{s:s, s:s}", "to", to, "state", "pending"));
			if (!rc)
				rc = fq_dbc_commit(c, &r->err);
			else
				fq_dbc_rollback(c);
		}
		if (!rc)
			rc = answer_visit(r, c, r->params[0], 202, "reception_visit.updated", NULL);
	}
	fq_db_release(r->db, c);
	return rc;
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
