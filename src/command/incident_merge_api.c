/*
 * Operators' merge and split of incidents (command/incident_merge.h,
 * docs/merge.md):
 *   POST /api/v1/incidents/:id/merge   {"from_incident_id", "reason", "version"?}
 *   POST /api/v1/alerts/:id/split      {"reason", "to_incident_id"?}
 * Right incident.manage; every incident and alert named must be in the
 * caller's scope (else 404). The store changes, the audit entry (with the
 * reason) and the timelines commit together under the intake lock, and the
 * merge index follows before the lock is released, so the next alert
 * matches against the corrected incidents.
 */
#include "http/api.h"

#include <stdio.h>
#include <string.h>

#include "command/alert.h"
#include "command/dispatch.h"
#include "command/incident.h"
#include "command/incident_merge.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "core/banned.h"

static int masks_phones(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ);
}

/* The incident as GET /api/v1/incidents/:id shows it. */
static int incident_detail(struct fq_req *r, struct fq_dbc *c, const char *id, json_t **out)
{
	int rc = fq_incident_json(c, id, 1, masks_phones(r), out, &r->err);
	if (!rc && (rc = fq_dispatch_incident_attach(c, id, fq_now_ms(), *out, &r->err))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* 404 naming field unless incident id exists in the caller's scope. */
static int incident_in_scope(struct fq_req *r, struct fq_dbc *c, const char *id, const char *field)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_incident_unit_path(c, id, path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND) /* the same answer whether absent or out of scope */
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", field, "警情事件不存在");
	return rc;
}

static const char *const merge_keys[] = {"from_incident_id", "reason", "version", NULL};

static int post_merge(struct fq_req *r)
{
	const char *into = r->params[0], *from, *reason;
	int64_t version = 0, moved = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, merge_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "from_incident_id", FQ_JSON_REQUIRED, 64, &from,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, FQ_MERGE_REASON_TEXT_MAX,
				  &reason, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = incident_in_scope(r, c, into, NULL);
	if (!rc && strcmp(into, from) == 0)
		rc = fq_err_set(&r->err, FQ_EUNPROC, "same_incident", "from_incident_id",
				"不能将警情与自身合并");
	if (!rc)
		rc = incident_in_scope(r, c, from, "from_incident_id");
	if (rc)
		goto out;
	fq_alert_lock();
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_incident_merge(c, into, from, version, reason, r->user->user_id, &moved,
				       &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_INCIDENT_MANAGE, "incident.merge",
					  "incident", into, reason,
					  json_pack("{s:s, s:I}", "from_incident_id", from,
						    "alerts_moved", (json_int_t)moved));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
		if (!rc)
			fq_alert_index_join(from, into);
	}
	fq_alert_unlock();
	if (!rc)
		rc = incident_detail(r, c, into, &out);
out:
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	/* The survivor, and the one merged into it (now closed). */
	{
		json_t *gone = json_pack("{s:s, s:s, s:s, s:O}", "id", from, "state", "closed",
					 "merged_into", into, "unit", json_object_get(out, "unit"));
		fq_req_publish(r, "incident.merged", FQ_ACT_INCIDENT_READ, gone, NULL);
		json_decref(gone);
	}
	fq_req_publish(r, "incident.updated", FQ_ACT_INCIDENT_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "incident", out));
}

static const char *const split_keys[] = {"reason", "to_incident_id", NULL};

static int post_split(struct fq_req *r)
{
	const char *alert_id = r->params[0], *to = NULL, *reason;
	char path[FQ_UNIT_PATH_MAX], into[37], from[37];
	json_t *alert = NULL, *incident = NULL, *left = NULL;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, split_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, FQ_MERGE_REASON_TEXT_MAX,
				  &reason, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "to_incident_id", FQ_JSON_OPTIONAL, 64, &to, &r->err)))
		return rc;
	if (to && !*to)
		to = NULL;
	c = fq_db_acquire(r->db);
	rc = fq_alert_unit_path(c, alert_id, path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND) /* the same answer whether absent or out of scope */
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "报警不存在");
	if (!rc && to)
		rc = incident_in_scope(r, c, to, "to_incident_id");
	if (rc)
		goto out;
	fq_alert_lock();
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_incident_split(c, alert_id, to, reason, r->user->user_id, into, from,
				       &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_INCIDENT_MANAGE, "alert.split", "alert", alert_id, reason,
			    json_pack("{s:s, s:s, s:b}", "from_incident_id", from, "to_incident_id",
				      into, "new_incident", to == NULL));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
		if (!rc)
			fq_alert_index_move(alert_id, into);
	}
	fq_alert_unlock();
	if (!rc)
		rc = fq_alert_json(c, alert_id, masks_phones(r), &alert, NULL, &r->err);
	if (!rc)
		rc = incident_detail(r, c, into, &incident);
	if (!rc)
		rc = incident_detail(r, c, from, &left);
out:
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(alert);
		json_decref(incident);
		json_decref(left);
		return rc;
	}
	fq_req_publish(r, "incident.updated", FQ_ACT_INCIDENT_READ, left, NULL);
	fq_req_publish(r, to ? "incident.updated" : "incident.created", FQ_ACT_INCIDENT_READ,
		       incident, NULL);
	return fq_req_reply(r, 200,
			    json_pack("{s:o, s:o, s:o}", "alert", alert, "incident", incident,
				      "from_incident", left));
}

const struct fq_route fq_incident_merge_routes[] = {
    {"POST", "/api/v1/incidents/:id/merge", post_merge, 0},
    {"POST", "/api/v1/alerts/:id/split", post_split, 0},
    {NULL, NULL, NULL, 0},
};
