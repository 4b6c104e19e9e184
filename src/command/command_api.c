/* The command room's API: alert intake, merge previews, incidents. */
#include "http/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/alert.h"
#include "command/dispatch.h"
#include "command/incident.h"
#include "command/incident_export.h"
#include "command/intake.h"
#include "core/json.h"
#include "core/alloc.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "http/export_reply.h"
#include "core/banned.h"

#define IDEMPOTENCY_KEY_MAX 128

static int key_valid(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > IDEMPOTENCY_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

static int masks_phones(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ);
}

/* The answer for an alert already stored: alert, incident and the recorded decision. */
static int stored_answer(struct fq_req *r, struct fq_dbc *c, const char *alert_id, json_t **out)
{
	char incident_id[37];
	json_t *alert = NULL, *incident = NULL, *merge;
	struct fq_stmt *st;
	int rc = fq_alert_json(c, alert_id, masks_phones(r), &alert, incident_id, &r->err);

	if (!rc)
		rc = fq_incident_json(c, incident_id, 0, masks_phones(r), &incident, &r->err);
	if (!rc)
		rc = fq_dbc_query(c, &r->err, &st,
				  "SELECT decision, kind, score, reasons FROM merge_decision_all"
				  " WHERE alert_id = ? ORDER BY decided_at LIMIT 1",
				  "t", alert_id);
	if (rc) {
		json_decref(alert);
		json_decref(incident);
		return rc;
	}
	merge =
	    json_pack("{s:s, s:n, s:[], s:[]}", "decision", "new", "kind", "flags", "candidates");
	if (fq_stmt_step(st, &r->err) == FQ_DB_ROW) {
		const char *d = fq_stmt_text(st, 0);
		const char *kind = fq_stmt_text(st, 1);
		const char *reasons = fq_stmt_text(st, 3);
		json_t *rj = reasons ? json_loads(reasons, 0, NULL) : NULL;
		json_object_set_new(merge, "decision",
				    json_string(strcmp(d, "confirmed") == 0 ? "merged" : d));
		json_object_set_new(merge, "kind", kind ? json_string(kind) : json_null());
		if (!fq_stmt_is_null(st, 2))
			json_array_append_new(json_object_get(merge, "candidates"),
					      json_pack("{s:s, s:f, s:o}", "incident_id",
							incident_id, "score", fq_stmt_double(st, 2),
							"reasons", rj ? rj : json_array()));
		else
			json_decref(rj);
	}
	fq_stmt_done(st);
	*out = json_pack("{s:o, s:o, s:o}", "alert", alert, "incident", incident, "merge", merge);
	return 0;
}

/* The alert's audit entry, appended by the intake committer inside the alert's savepoint. */
static int audit_alert(struct fq_dbc *c, const struct fq_alert_stored *s, void *arg,
		       struct fq_err *err)
{
	struct fq_req *r = arg;
	int rc = fq_req_audit(r, c, FQ_ACT_ALERT_CREATE, "alert.create", "alert", s->alert_id, NULL,
			      json_pack("{s:s, s:s, s:s, s:s?}", "number", s->alert_number,
					"incident_id", s->incident_id, "decision", s->decision,
					"kind", s->kind));
	if (rc && err != &r->err)
		*err = r->err;
	return rc;
}

/* An alert on its way through the intake: lives in the request's pool until answered. */
struct alert_job {
	struct fq_intake_item item;
	struct fq_alert_in in;
	char station[FQ_UNIT_CODE_MAX];
};

/* The intake answered (committer's or syncer's thread): wake the request. */
static void alert_done(struct fq_intake_item *it)
{
	fq_req_resume(it->on_done_arg);
}

/* The request ended (answered, or its client went away): what the answer did not take. */
static void alert_job_end(struct fq_req *r)
{
	struct alert_job *job = r->resume_arg;

	json_decref(job->item.incident);
	job->item.incident = NULL;
	fq_merge_prematch_release(&job->item.prematch); /* when it never reached the committer */
}

/* On an HTTP thread again: the answer (the alert is durable, or failed). */
static int post_alert_answer(struct fq_req *r)
{
	struct alert_job *job = r->resume_arg;
	struct fq_intake_item *item = &job->item;
	json_t *out = NULL, *alert;
	struct fq_dbc *c;
	int rc;

	if (item->rc)
		return item->rc; /* r->err filled by the intake */
	/*
	 * The alert is durable from here on: its group's COMMIT returned and the WAL
	 * holding it was synced (a replay's alert was stored before).
	 */
	if (item->replay) {
		c = fq_db_acquire(r->db);
		rc = stored_answer(r, c, item->replay_id, &out);
		fq_db_release(r->db, c);
		if (rc)
			return rc;
		fq_req_add_header(r, "Idempotent-Replayed", "true");
		return fq_req_reply(r, 201, out);
	}
	/*
	 * Built from what the committer wrote, not read back: the alert from its input,
	 * the incident from the row its UPDATE returned (no personal data in it, so
	 * nothing to mask).
	 */
	fq_assert(item->incident);
	alert = fq_alert_stored_json(&job->in, job->station, &item->stored, masks_phones(r));
	out =
	    json_pack("{s:o, s:o, s:o}", "alert", alert, "incident", item->incident, "merge",
		      fq_alert_merge_json(&item->match, item->stored.decision, item->stored.kind));
	item->incident = NULL; /* stolen by out */
	/* Stored durably: tell the live board (sent once this continuation returned). */
	fq_req_publish(r, "alert.created", FQ_ACT_INCIDENT_READ, json_object_get(out, "alert"),
		       NULL);
	fq_req_publish(r,
		       strcmp(item->stored.decision, "merged") == 0 ||
			       strcmp(item->stored.decision, "confirmed") == 0
			   ? "incident.updated"
			   : "incident.created",
		       FQ_ACT_INCIDENT_READ, json_object_get(out, "incident"), NULL);
	return fq_req_reply(r, 201, out);
}

/*
 * Validation, normalisation and the station run here, in the request's
 * thread; matching, the write and its audit entry run in the intake's
 * group committer (command/intake.h). The request waits suspended, holding
 * no thread, and is answered once its group is committed and synced.
 */
static int post_alert(struct fq_req *r)
{
	const char *key = fq_req_header(r, "Idempotency-Key");
	char station_path[FQ_UNIT_PATH_MAX];
	struct alert_job *job;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_ALERT_CREATE)))
		return rc;
	if (key && !key_valid(key))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_header", "Idempotency-Key",
				  "Idempotency-Key 应为 1–%d 个可见 ASCII 字符",
				  IDEMPOTENCY_KEY_MAX);
	job = fq_pool_alloc(&r->pool, sizeof(*job));
	memset(job, 0, sizeof(*job));
	if ((rc = fq_alert_parse(r->body, 0, &r->pool, &job->in, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_alert_station(c, &job->in, r->user->unit_code, r->user->unit_path, job->station,
			      station_path, &r->err);
	fq_db_release(r->db, c); /* no connection is held while the group commits */
	/*
	 * Most of the matching here, beside the other requests: the committer then sees
	 * only the alerts stored since (fq_alert_match_from).
	 */
	if (rc || (rc = fq_alert_prematch(&job->in, &job->item.prematch, &r->err)))
		return rc;

	job->item.in = &job->in;
	job->item.station = job->station;
	job->item.idempotency_key = key;
	job->item.actor_id = r->user->user_id;
	job->item.audit = audit_alert;
	job->item.audit_arg = r;
	job->item.err = &r->err;
	job->item.on_done = alert_done;
	job->item.on_done_arg = r;
	r->resume_arg = job;
	r->on_end = alert_job_end;
	fq_req_suspend(r, post_alert_answer); /* before the intake can answer */
	if ((rc = fq_intake_submit_async(&job->item))) {
		job->item.rc = rc; /* not queued: answer the error at once */
		fq_req_resume(r);
	}
	return 0;
}

static int post_match(struct fq_req *r)
{
	struct fq_merge_result m;
	struct fq_alert_in in;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_ALERT_CREATE)) ||
	    (rc = fq_alert_parse(r->body, 1, &r->pool, &in, &r->err)) ||
	    (rc = fq_alert_match(&in, &m, &r->err)))
		return rc;
	return fq_req_reply(
	    r, 200,
	    fq_alert_merge_json(&m, fq_merge_decision_name(m.decision),
				m.decision == FQ_MERGE_NEW ? NULL : fq_merge_kind_name(m.kind)));
}

static int get_alert(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_alert_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND) /* the same answer whether absent or out of scope */
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "报警不存在");
	if (!rc)
		rc = fq_alert_json(c, r->params[0], masks_phones(r), &out, NULL, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "alert", out));
}

static int time_arg(struct fq_req *r, const char *name, int64_t *out)
{
	const char *s = fq_req_query(r, name);
	*out = 0;
	return s && *s ? fq_time_parse(s, out, name, &r->err) : 0;
}

/*
 * The filters of the incident list and its export, from ?state=&from=&to=,
 * in the caller's scope; field-named errors.
 */
static int incident_filters(struct fq_req *r, struct fq_incident_query *q)
{
	const char *state = fq_req_query(r, "state");
	int rc;

	if ((rc = time_arg(r, "from", &q->from_ms)) || (rc = time_arg(r, "to", &q->to_ms)))
		return rc;
	q->scope_path = r->user->unit_path;
	q->state = state && *state ? state : NULL;
	return fq_incident_query_check(q, &r->err);
}

static int list_incidents(struct fq_req *r)
{
	struct fq_incident_query q = {0};
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) || (rc = incident_filters(r, &q)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_incident_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static size_t export_cap(void)
{
	return fq_export_row_cap(FQ_EXPORT_MAX_ROWS);
}

static int export_incidents(struct fq_req *r)
{
	struct fq_incident_query q = {0};
	const char *format = fq_req_query(r, "format");
	struct fq_dbc *c;
	char *data = NULL;
	size_t len = 0, rows = 0;
	int f, rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	f = fq_export_format_from_code(format);
	if (f < 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "format",
				  "导出格式 format 应为 csv 或 xlsx");
	if ((rc = incident_filters(r, &q)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_incident_export(c, &q, (enum fq_export_format)f, masks_phones(r), export_cap(),
				&data, &len, &rows, &r->err);
	if (rc == FQ_EUNPROC) /* name the filters that select too much */
		fq_err_set(&r->err, FQ_EUNPROC, "too_many_rows", "from",
			   "符合条件（state=%s，from=%s，to=%s）的警情超过 %d 条，无法一次导出；"
			   "请用 from、to 或 state 缩小范围",
			   q.state ? q.state : "全部",
			   fq_req_query(r, "from") ? fq_req_query(r, "from") : "不限",
			   fq_req_query(r, "to") ? fq_req_query(r, "to") : "不限",
			   (int)export_cap());
	if (!rc) {
		struct fq_export_file file = {(enum fq_export_format)f, "incidents", "警情", data,
					      len};
		data = NULL;
		rc = fq_req_export_reply(
		    r, c, FQ_ACT_INCIDENT_READ, "incident.export", "incident",
		    json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:I, s:b}", "format",
			      fq_export_extension((enum fq_export_format)f), "state", q.state,
			      "from", fq_req_query(r, "from"), "to", fq_req_query(r, "to"), "scope",
			      q.scope_path, "rows", (json_int_t)rows, "phones_masked",
			      masks_phones(r)),
		    &file);
	}
	fq_db_release(r->db, c);
	free(data);
	return rc;
}

/* The incident in detail, with its dispatches and response times (command/dispatch.h). */
static int incident_detail(struct fq_req *r, struct fq_dbc *c, const char *id, json_t **out)
{
	int rc = fq_incident_json(c, id, 1, masks_phones(r), out, &r->err);
	if (!rc && (rc = fq_dispatch_incident_attach(c, id, fq_now_ms(), *out, &r->err))) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static int get_incident(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_incident_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND) /* the same answer whether absent or out of scope */
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "警情事件不存在");
	if (!rc)
		rc = incident_detail(r, c, r->params[0], &out);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "incident", out));
}

static const char *const transition_keys[] = {"state",	      "version", "disposal", "feedback",
					      "close_reason", "note",	 NULL};

static int post_transition(struct fq_req *r)
{
	struct fq_incident_change ch = {0};
	char path[FQ_UNIT_PATH_MAX];
	const char *state;
	enum fq_incident_state from;
	struct fq_dbc *c;
	json_t *out = NULL;
	int to, rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, transition_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "state", FQ_JSON_REQUIRED, 16, &state, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX,
				  &ch.expected_version, NULL, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "disposal", FQ_JSON_OPTIONAL, FQ_INCIDENT_TEXT_MAX,
				  &ch.disposal, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "feedback", FQ_JSON_OPTIONAL, FQ_INCIDENT_TEXT_MAX,
				  &ch.feedback, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "close_reason", FQ_JSON_OPTIONAL, 16, &ch.close_reason,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_INCIDENT_TEXT_MAX, &ch.note,
				  &r->err)))
		return rc;
	to = fq_incident_state_from_code(state);
	if (to < 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "state", "未知的状态：%s",
				  state);
	ch.to = to;
	ch.actor_id = r->user->user_id;
	c = fq_db_acquire(r->db);
	rc = fq_incident_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND) /* the same answer whether absent or out of scope */
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "警情事件不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_incident_transition(c, r->params[0], &ch, &from, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_INCIDENT_MANAGE, "incident.transition",
					  "incident", r->params[0], ch.close_reason,
					  json_pack("{s:s, s:s}", "from",
						    fq_incident_state_code(from), "to", state));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = incident_detail(r, c, r->params[0], &out);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	if (to == FQ_INCIDENT_CLOSED || to == FQ_INCIDENT_REOPENED)
		fq_alert_incident_state(r->params[0], to == FQ_INCIDENT_CLOSED);
	fq_req_publish(r, "incident.updated", FQ_ACT_INCIDENT_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "incident", out));
}

const struct fq_route fq_command_routes[] = {
    {"POST", "/api/v1/alerts", post_alert, 0},
    {"POST", "/api/v1/alerts/match", post_match, 0},
    {"GET", "/api/v1/alerts/:id", get_alert, 0},
    {"GET", "/api/v1/incidents", list_incidents, 0},
    {"GET", "/api/v1/incidents/export", export_incidents, 0},
    {"GET", "/api/v1/incidents/:id", get_incident, 0},
    {"POST", "/api/v1/incidents/:id/transition", post_transition, 0},
    {NULL, NULL, NULL, 0},
};
