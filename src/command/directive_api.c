/*
 * The API of governance directives (治理指令): list, issue, read, the
 * steps of the state machine, and their KPIs; and the escalation job
 * with its audit entries.
 *
 * Rights: reading needs incident.read; issuing, approving and returning
 * are the command room's (incident.manage); accepting, starting and
 * feedback are the target team's: incident.read and a unit covering the
 * directive, and when the directive names an officer, that officer.
 */
#include "http/api.h"

#include <stdlib.h>
#include <string.h>

#include "command/directive.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "http/events.h"
#include "core/banned.h"

static int masks_phones(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int time_arg(struct fq_req *r, const char *name, int64_t *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	if (!s)
		return fq_err_set(&r->err, FQ_EINVAL, "missing_field", name, "请给出统计区间的 %s",
				  name);
	return fq_time_parse(s, out, name, &r->err);
}

static int overdue_arg(struct fq_req *r, int *out)
{
	const char *s = nonempty(fq_req_query(r, "overdue"));
	*out = -1;
	if (!s)
		return 0;
	if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "overdue",
				  "overdue 应为 0 或 1");
	*out = s[0] - '0';
	return 0;
}

static int list_directives(struct fq_req *r)
{
	struct fq_directive_query q = {0};
	const char *mine = nonempty(fq_req_query(r, "mine"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) || (rc = overdue_arg(r, &q.overdue)))
		return rc;
	if (mine && strcmp(mine, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "mine", "mine 应为 1");
	q.scope_path = r->user->unit_path;
	q.state = nonempty(fq_req_query(r, "state"));
	q.target_team = nonempty(fq_req_query(r, "target_team"));
	q.grid = nonempty(fq_req_query(r, "grid"));
	q.target_user_id = mine ? r->user->user_id : NULL;
	q.sort = nonempty(fq_req_query(r, "sort"));
	q.mask_phones = masks_phones(r);
	q.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_directive_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const create_keys[] = {
    "source",	   "incident_id",    "repeat_place", "repeat_caller", "hotspot",    "unit",
    "target_team", "target_user_id", "target_grid",  "title",	      "what_to_do", "deadline_at",
    NULL};

static int parse_new(struct fq_req *r, struct fq_directive_new *in)
{
	const char *deadline = NULL;
	int rc;

	memset(in, 0, sizeof(*in));
	if ((rc = fq_json_only_keys(r->body, create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "source", FQ_JSON_OPTIONAL, 32, &in->source, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "incident_id", FQ_JSON_OPTIONAL, 36, &in->incident_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "repeat_place", FQ_JSON_OPTIONAL, FQ_DIRECTIVE_REF_MAX,
				  &in->repeat_place, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "repeat_caller", FQ_JSON_OPTIONAL, 64,
				  &in->repeat_caller, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "hotspot", FQ_JSON_OPTIONAL, FQ_DIRECTIVE_REF_MAX,
				  &in->hotspot, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in->unit, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "target_team", FQ_JSON_REQUIRED, 16, &in->target_team,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "target_user_id", FQ_JSON_OPTIONAL, 36,
				  &in->target_user_id, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "target_grid", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in->target_grid, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "title", FQ_JSON_REQUIRED, FQ_DIRECTIVE_TITLE_MAX,
				  &in->title, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "what_to_do", FQ_JSON_REQUIRED, FQ_DIRECTIVE_TEXT_MAX,
				  &in->what_to_do, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "deadline_at", FQ_JSON_REQUIRED, 64, &deadline,
				  &r->err)) ||
	    (rc = fq_time_parse(deadline, &in->deadline_at, "deadline_at", &r->err)))
		return rc;
	in->actor_unit = r->user->unit_code;
	in->scope_path = r->user->unit_path;
	in->actor_id = r->user->user_id;
	in->now_ms = fq_now_ms();
	return 0;
}

/* What the audit log keeps of a new directive: as stored, defaults applied, no phone. */
static json_t *create_detail(json_t *d)
{
	static const char *const keys[] = {
	    "number",	      "source",	     "incident_id", "target_team",
	    "target_user_id", "target_grid", "deadline_at", NULL};
	json_t *out = json_object();

	for (int i = 0; keys[i]; i++)
		json_object_set(out, keys[i], json_object_get(d, keys[i]));
	return out;
}

static int post_directive(struct fq_req *r)
{
	struct fq_directive_new in;
	char id[37], number[FQ_NUMBER_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_MANAGE)) || (rc = parse_new(r, &in)))
		return rc;
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_directive_create(c, &in, id, number, &r->err);
	if (!rc)
		rc = fq_directive_json(c, id, 1, masks_phones(r), in.now_ms, &out, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_INCIDENT_MANAGE, "directive.create", "directive", id,
				  NULL, create_detail(out));
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc) {
		json_decref(out);
		out = NULL;
	}
out_release:
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "directive.created", FQ_ACT_INCIDENT_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "directive", out));
}

static int get_directive(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_directive_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (!rc)
		rc = fq_directive_json(c, r->params[0], 1, masks_phones(r), 0, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "directive", out));
}

/* The body of a step: its keys and the member carrying its text. */
static const char *const plain_keys[] = {"version", NULL};
static const char *const feedback_keys[] = {"version", "text", NULL};
static const char *const return_keys[] = {"version", "reason", NULL};
static const char *const approve_keys[] = {"version", "note", NULL};

static int parse_step(struct fq_req *r, struct fq_directive_change *ch)
{
	const char *const *keys = plain_keys;
	const char *text_key = NULL;
	int rc;

	switch (ch->step) {
	case FQ_DIRECTIVE_FEEDBACK:
		keys = feedback_keys;
		text_key = "text";
		break;
	case FQ_DIRECTIVE_RETURN:
		keys = return_keys;
		text_key = "reason";
		break;
	case FQ_DIRECTIVE_APPROVE:
		keys = approve_keys;
		text_key = "note";
		break;
	default:
		break;
	}
	if ((rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX,
				  &ch->expected_version, NULL, &r->err)))
		return rc;
	/* Required texts are checked by the state machine, after the state. */
	if (text_key)
		rc = fq_json_get_str(r->body, text_key, FQ_JSON_OPTIONAL, FQ_DIRECTIVE_TEXT_MAX,
				     &ch->text, &r->err);
	return rc;
}

static int take_step(struct fq_req *r, enum fq_directive_step step)
{
	/* The team's steps need reading rights and scope; the command room's, managing. */
	enum fq_action action =
	    fq_directive_step_by_team(step) ? FQ_ACT_INCIDENT_READ : FQ_ACT_INCIDENT_MANAGE;
	struct fq_directive_change ch = {.step = step};
	enum fq_directive_state from, to;
	char path[FQ_UNIT_PATH_MAX], what[32];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, action)) || (rc = parse_step(r, &ch)))
		return rc;
	ch.actor_id = r->user->user_id;
	ch.now_ms = fq_now_ms();
	snprintf(what, sizeof(what), "directive.%s", fq_directive_step_code(step));
	c = fq_db_acquire(r->db);
	rc = fq_directive_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_directive_transition(c, r->params[0], &ch, &from, &to, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, action, what, "directive", r->params[0],
					  step == FQ_DIRECTIVE_RETURN ? ch.text : NULL,
					  json_pack("{s:s, s:s}", "from",
						    fq_directive_state_code(from), "to",
						    fq_directive_state_code(to)));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = fq_directive_json(c, r->params[0], 1, masks_phones(r), 0, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "directive.updated", FQ_ACT_INCIDENT_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "directive", out));
}

static int post_accept(struct fq_req *r)
{
	return take_step(r, FQ_DIRECTIVE_ACCEPT);
}

static int post_start(struct fq_req *r)
{
	return take_step(r, FQ_DIRECTIVE_START);
}

static int post_feedback(struct fq_req *r)
{
	return take_step(r, FQ_DIRECTIVE_FEEDBACK);
}

static int post_approve(struct fq_req *r)
{
	return take_step(r, FQ_DIRECTIVE_APPROVE);
}

static int post_return(struct fq_req *r)
{
	return take_step(r, FQ_DIRECTIVE_RETURN);
}

static int get_kpi(struct fq_req *r)
{
	const char *unit = nonempty(fq_req_query(r, "unit"));
	char path[FQ_UNIT_PATH_MAX];
	int64_t from = 0, to = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_INCIDENT_READ)) || (rc = time_arg(r, "from", &from)) ||
	    (rc = time_arg(r, "to", &to)))
		return rc;
	if (!unit)
		unit = r->user->unit_code;
	c = fq_db_acquire(r->db);
	rc = fq_unit_path(c, unit, path, &r->err);
	/* An unknown unit answers as one outside the scope does. */
	if (rc == FQ_ENOTFOUND || !rc)
		rc = fq_req_require_scope(r, rc ? "" : path);
	if (!rc)
		rc = fq_directive_kpi_json(c, unit, from, to, fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- escalation ---- */

static int audit_escalation(void *arg, struct fq_dbc *c, const struct fq_directive_escalation *e,
			    struct fq_err *err)
{
	char deadline[FQ_RFC3339_MAX];
	struct fq_audit_entry a = {
	    .username = "system",
	    .unit_code = e->unit_code,
	    .action = "directive.escalate",
	    .object_type = "directive",
	    .object_id = e->directive_id,
	    .client = "server",
	    .outcome = "ok",
	    .reason = "overdue",
	};
	json_t *detail;
	char *text;
	int rc;

	/* Told to the live board once the transaction committed. */
	json_array_append_new(arg,
			      json_pack("{s:s, s:s, s:s, s:b}", "id", e->directive_id, "number",
					e->number, "unit", e->unit_code, "escalated", 1));
	fq_time_format_cst(e->deadline_at, deadline);
	detail = json_pack("{s:s, s:s, s:s?}", "number", e->number, "deadline_at", deadline,
			   "escalated_to", e->chief_id);
	text = json_dumps(detail, FQ_JSON_DUMP_FLAGS | JSON_SORT_KEYS);
	json_decref(detail);
	a.detail = text;
	rc = fq_audit_append(c, &a, e->at, NULL, err);
	free(text);
	return rc;
}

int fq_directive_escalation_tick(struct fq_db *db, int64_t now_ms, int *escalated,
				 struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	json_t *done = json_array(), *item;
	char path[FQ_UNIT_PATH_MAX];
	size_t i;
	int rc = fq_directive_escalate_overdue(c, now_ms, audit_escalation, done, escalated, err);

	json_array_foreach(done, i, item)
	{
		struct fq_err perr = FQ_ERR_INIT;
		if (!rc && fq_unit_path(c, json_string_value(json_object_get(item, "unit")), path,
					&perr) == 0)
			(void)fq_events_publish_summary("directive.updated", path,
							FQ_ACT_INCIDENT_READ, item);
	}
	json_decref(done);
	fq_db_release(db, c);
	return rc;
}

const struct fq_route fq_directive_routes[] = {
    {"GET", "/api/v1/directives", list_directives, 0},
    {"POST", "/api/v1/directives", post_directive, 0},
    {"GET", "/api/v1/directives/:id", get_directive, 0},
    {"POST", "/api/v1/directives/:id/accept", post_accept, 0},
    {"POST", "/api/v1/directives/:id/start", post_start, 0},
    {"POST", "/api/v1/directives/:id/feedback", post_feedback, 0},
    {"POST", "/api/v1/directives/:id/approve", post_approve, 0},
    {"POST", "/api/v1/directives/:id/return", post_return, 0},
    {"GET", "/api/v1/kpi/directives", get_kpi, 0},
    {NULL, NULL, NULL, 0},
};
