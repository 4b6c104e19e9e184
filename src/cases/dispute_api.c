/*
 * The API of disputes and mediation (docs/disputes.md): intake, list, read,
 * grade override, assignment, sessions, outcome, follow-ups, reopening, the
 * mediation agreement and the KPIs; and the escalation job's audit entries.
 *
 * Rights: reading needs dispute.read; reporting dispute.report (grid
 * workers and volunteers report in their grid, which their scope is);
 * overriding grades, assigning and reopening dispute.manage; sessions,
 * outcomes and follow-ups dispute.mediate, and for key and major disputes
 * also dispute.manage (volunteers and grid staff mediate general disputes
 * only: 403 "grade_needs_officer"). The agreement carries the parties'
 * full identity details: dispute.read and person.reveal, and each fetch is
 * audited as a reveal. A dispute outside the caller's scope answers 404.
 */
#include "http/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cases/dispute.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "http/intake.h"
#include "core/banned.h"

static int masks_phones(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ);
}

static int masks_ids(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PERSON_REVEAL);
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

/* Rename the field of an error raised on a nested member. */
static int nested(struct fq_req *r, int rc, const char *fmt, int i, const char *key)
{
	if (rc && r->err.field[0])
		snprintf(r->err.field, sizeof(r->err.field), fmt, i, key);
	return rc;
}

/* ---- list and read ---- */

static int list_disputes(struct fq_req *r)
{
	struct fq_dispute_query q = {0};
	const char *overdue = nonempty(fq_req_query(r, "overdue"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_DISPUTE_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	q.overdue = -1;
	if (overdue) {
		if (strcmp(overdue, "0") != 0 && strcmp(overdue, "1") != 0)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "overdue",
					  "overdue 应为 0 或 1");
		q.overdue = overdue[0] - '0';
	}
	q.scope_path = r->user->unit_path;
	q.state = nonempty(fq_req_query(r, "state"));
	q.grade = nonempty(fq_req_query(r, "grade"));
	q.type = nonempty(fq_req_query(r, "type"));
	q.unit = nonempty(fq_req_query(r, "unit"));
	q.sort = nonempty(fq_req_query(r, "sort"));
	if ((nonempty(fq_req_query(r, "from")) &&
	     (rc = fq_time_parse(fq_req_query(r, "from"), &q.reported_from, "from", &r->err))) ||
	    (nonempty(fq_req_query(r, "to")) &&
	     (rc = fq_time_parse(fq_req_query(r, "to"), &q.reported_to, "to", &r->err))))
		return rc;
	q.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_dispute_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* The dispute's path checked against the caller's scope (404 outside it). */
static int in_scope(struct fq_req *r, struct fq_dbc *c)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_dispute_unit_path(c, r->params[0], path, &r->err);

	return rc ? rc : fq_req_require_scope(r, path);
}

static int get_dispute(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_DISPUTE_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc)
		rc = fq_dispute_json(c, r->params[0], 1, masks_phones(r), masks_ids(r), 0, &out,
				     &r->err);
	fq_db_release(r->db, c);
	/* The parties are people: the read is audited. */
	if (!rc)
		rc = fq_req_audit_read(r, "dispute", r->params[0], NULL);
	if (rc) {
		json_decref(out);
		return rc;
	}
	return fq_req_reply(r, 200, json_pack("{s:o}", "dispute", out));
}

/* ---- intake ---- */

static const char *const create_keys[] = {"type",
					  "description",
					  "occurred_at",
					  "location",
					  "address",
					  "parties",
					  "people_involved",
					  "amount_yuan",
					  "source",
					  "incident_id",
					  "unit",
					  NULL};
static const char *const party_keys[] = {"name", "phone", "id_number", "person_id", NULL};

static int parse_location(struct fq_req *r, struct fq_dispute_new *in)
{
	json_t *loc = json_object_get(r->body, "location");
	static const char *const keys[] = {"lat", "lon", NULL};
	int rc;

	if (!loc || json_is_null(loc))
		return 0;
	if (!json_is_object(loc))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "location",
				  "location 应为 {\"lat\": 纬度, \"lon\": 经度}");
	if ((rc = fq_json_only_keys(loc, keys, &r->err)) ||
	    (rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &in->lat, NULL,
				   &r->err)) ||
	    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &in->lon, NULL,
				   &r->err))) {
		char key[FQ_ERR_FIELD_MAX];
		snprintf(key, sizeof(key), "%s", r->err.field);
		snprintf(r->err.field, sizeof(r->err.field), "location.%.40s", key);
		return rc;
	}
	in->has_location = 1;
	return 0;
}

static int parse_parties(struct fq_req *r, struct fq_dispute_new *in)
{
	json_t *arr = json_object_get(r->body, "parties"), *p;
	struct fq_dispute_party_in *out;
	size_t i;
	int rc;

	if (!arr || json_is_null(arr))
		return fq_err_set(&r->err, FQ_EINVAL, "missing_field", "parties",
				  "请至少填写一名当事人（parties）");
	if (!json_is_array(arr))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "parties",
				  "parties 应为当事人数组");
	if (json_array_size(arr) > FQ_DISPUTE_PARTIES_MAX)
		return fq_err_set(&r->err, FQ_EINVAL, "too_many", "parties", "当事人最多 %d 名",
				  FQ_DISPUTE_PARTIES_MAX);
	out = fq_pool_alloc(&r->pool, (json_array_size(arr) + 1) * sizeof(*out));
	json_array_foreach(arr, i, p)
	{
		char field[32];
		snprintf(field, sizeof(field), "parties[%zu]", i);
		if (!json_is_object(p))
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", field,
					  "每名当事人应为对象 {name, phone, id_number, person_id}");
		memset(&out[i], 0, sizeof(out[i]));
		if ((rc = fq_json_only_keys(p, party_keys, &r->err))) {
			char key[FQ_ERR_FIELD_MAX];
			snprintf(key, sizeof(key), "%s", r->err.field);
			return nested(r, rc, "parties[%d].%.40s", (int)i, key);
		}
		if ((rc = nested(r,
				 fq_json_get_str(p, "name", FQ_JSON_REQUIRED, FQ_DISPUTE_NAME_MAX,
						 &out[i].name, &r->err),
				 "parties[%d].%s", (int)i, "name")) ||
		    (rc = nested(
			 r,
			 fq_json_get_str(p, "phone", FQ_JSON_OPTIONAL, 32, &out[i].phone, &r->err),
			 "parties[%d].%s", (int)i, "phone")) ||
		    (rc = nested(r,
				 fq_json_get_str(p, "id_number", FQ_JSON_OPTIONAL, 24,
						 &out[i].id_number, &r->err),
				 "parties[%d].%s", (int)i, "id_number")) ||
		    (rc = nested(r,
				 fq_json_get_str(p, "person_id", FQ_JSON_OPTIONAL,
						 FQ_DISPUTE_PERSON_ID_MAX, &out[i].person_id,
						 &r->err),
				 "parties[%d].%s", (int)i, "person_id")))
			return rc;
	}
	in->parties = out;
	in->nparties = (int)json_array_size(arr);
	return 0;
}

static int parse_amount(struct fq_req *r, int64_t *fen)
{
	double yuan = 0;
	int present = 0;
	int rc =
	    fq_json_get_real(r->body, "amount_yuan", FQ_JSON_OPTIONAL, 0,
			     (double)FQ_DISPUTE_AMOUNT_MAX_FEN / 100, &yuan, &present, &r->err);

	*fen = 0;
	if (rc || !present)
		return rc;
	*fen = llround(yuan * 100);
	if (fabs(yuan * 100 - (double)*fen) > 1e-6)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "amount_yuan",
				  "金额最多两位小数");
	return 0;
}

static const char *default_source(struct fq_req *r)
{
	if (r->user->roles & FQ_ROLE_BIT(FQ_ROLE_GRID_WORKER))
		return "grid_worker";
	if (r->user->roles & FQ_ROLE_BIT(FQ_ROLE_VOLUNTEER))
		return "volunteer";
	return "walk_in";
}

int fq_dispute_parse_new(struct fq_req *r, struct fq_dispute_new *in)
{
	const char *occurred = NULL;
	int rc;

	memset(in, 0, sizeof(*in));
	if ((rc = fq_json_only_keys(r->body, create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "type", FQ_JSON_REQUIRED, 32, &in->type, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "description", FQ_JSON_REQUIRED, FQ_DISPUTE_TEXT_MAX,
				  &in->description, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "occurred_at", FQ_JSON_REQUIRED, 64, &occurred,
				  &r->err)) ||
	    (rc = fq_time_parse(occurred, &in->occurred_at, "occurred_at", &r->err)) ||
	    (rc = parse_location(r, in)) ||
	    (rc = fq_json_get_str(r->body, "address", FQ_JSON_OPTIONAL, FQ_DISPUTE_REF_MAX,
				  &in->address, &r->err)) ||
	    (rc = parse_parties(r, in)) ||
	    (rc = fq_json_get_int(r->body, "people_involved", FQ_JSON_OPTIONAL, 1,
				  FQ_DISPUTE_PEOPLE_MAX, &in->people_involved, NULL, &r->err)) ||
	    (rc = parse_amount(r, &in->amount_fen)) ||
	    (rc = fq_json_get_str(r->body, "source", FQ_JSON_OPTIONAL, 32, &in->source, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "incident_id", FQ_JSON_OPTIONAL, 36, &in->incident_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in->unit, &r->err)))
		return rc;
	/* Linking an incident needs the command room's reading right. */
	if (in->incident_id && !fq_roles_can(r->user->roles, FQ_ACT_INCIDENT_READ))
		return fq_err_set(&r->err, FQ_EINVAL, "unknown_incident", "incident_id",
				  "警情事件不存在或不在您的辖区");
	in->default_source = default_source(r);
	in->actor_unit = r->user->unit_code;
	in->scope_path = r->user->unit_path;
	in->actor_id = r->user->user_id;
	in->now_ms = fq_now_ms();
	return 0;
}

static json_t *create_detail(json_t *d)
{
	static const char *const keys[] = {"number", "type",  "source", "incident_id", "unit",
					   "grid",   "score", "grade",	"deadline_at", NULL};
	json_t *out = json_object();

	for (int i = 0; keys[i]; i++)
		json_object_set(out, keys[i], json_object_get(d, keys[i]));
	return out;
}

static int post_dispute(struct fq_req *r)
{
	struct fq_dispute_new in;
	char id[37], number[FQ_NUMBER_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_DISPUTE_REPORT)) || (rc = fq_dispute_parse_new(r, &in)))
		return rc;
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_dispute_create(c, &in, id, number, &r->err);
	if (!rc)
		rc = fq_dispute_json(c, id, 1, masks_phones(r), masks_ids(r), in.now_ms, &out,
				     &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_DISPUTE_REPORT, "dispute.create", "dispute", id,
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
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "dispute", out));
}

/* ---- the steps ---- */

/* A step's work inside the transaction: fills the audit detail and reason. */
struct step {
	enum fq_action action;
	const char *what; /* audit action */
	int officer_only_above_general;
	int (*run)(struct fq_req *r, struct fq_dbc *c, struct step *s);
	json_t *detail; /* audit detail (taken over by the audit) */
	const char *reason;
	void *arg;
};

static int run_step(struct fq_req *r, struct step *s)
{
	struct fq_dbc *c = fq_db_acquire(r->db);
	json_t *out = NULL;
	int rc = in_scope(r, c);

	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		enum fq_dispute_grade grade;
		enum fq_dispute_state state;
		rc = fq_dispute_grade_state(c, r->params[0], &grade, &state, &r->err);
		if (!rc && s->officer_only_above_general && grade != FQ_DISPUTE_GENERAL &&
		    !fq_roles_can(r->user->roles, FQ_ACT_DISPUTE_MANAGE))
			rc = fq_err_set(&r->err, FQ_EFORBIDDEN, "grade_needs_officer", NULL,
					"%s纠纷由民警负责，志愿者和网格员只能调处一般纠纷",
					fq_dispute_grade_label(grade));
		if (!rc)
			rc = s->run(r, c, s);
		if (!rc) {
			rc = fq_req_audit(r, c, s->action, s->what, "dispute", r->params[0],
					  s->reason, s->detail);
			s->detail = NULL;
		}
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	json_decref(s->detail);
	if (!rc)
		rc = fq_dispute_json(c, r->params[0], 1, masks_phones(r), masks_ids(r), 0, &out,
				     &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "dispute", out));
}

static json_t *grades_detail(enum fq_dispute_grade from, enum fq_dispute_grade to)
{
	return json_pack("{s:s, s:s}", "grade_from", fq_dispute_grade_code(from), "grade_to",
			 fq_dispute_grade_code(to));
}

/* Grade override. */
struct grade_body {
	const char *grade, *reason;
};

static int run_grade(struct fq_req *r, struct fq_dbc *c, struct step *s)
{
	struct grade_body *b = s->arg;
	enum fq_dispute_grade from, to;
	int rc = fq_dispute_override_grade(c, r->params[0], b->grade, b->reason, r->user->user_id,
					   fq_now_ms(), &from, &to, &r->err);

	if (!rc)
		s->detail = grades_detail(from, to);
	s->reason = b->reason;
	return rc;
}

static int post_grade(struct fq_req *r)
{
	static const char *const keys[] = {"grade", "reason", NULL};
	struct grade_body b = {0};
	struct step s = {
	    .action = FQ_ACT_DISPUTE_MANAGE, .what = "dispute.grade", .run = run_grade, .arg = &b};
	int rc;

	if ((rc = fq_req_require(r, s.action)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "grade", FQ_JSON_REQUIRED, 16, &b.grade, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, FQ_DISPUTE_NOTE_MAX,
				  &b.reason, &r->err)))
		return rc;
	return run_step(r, &s);
}

/* Assignment. */
struct assign_body {
	const char *user_id;
	const char **departments;
};

static int run_assign(struct fq_req *r, struct fq_dbc *c, struct step *s)
{
	struct assign_body *b = s->arg;
	json_t *deps = json_array();
	int rc;

	for (int i = 0; b->departments && b->departments[i]; i++)
		json_array_append_new(deps, json_string(b->departments[i]));
	rc = fq_dispute_assign(c, r->params[0], b->user_id, b->departments, r->user->user_id,
			       fq_now_ms(), &r->err);
	s->detail = json_pack("{s:s?, s:o}", "user_id", b->user_id, "departments", deps);
	return rc;
}

static int post_assign(struct fq_req *r)
{
	static const char *const keys[] = {"user_id", "departments", NULL};
	struct assign_body b = {0};
	struct step s = {.action = FQ_ACT_DISPUTE_MANAGE,
			 .what = "dispute.assign",
			 .run = run_assign,
			 .arg = &b};
	json_t *deps = NULL, *v;
	size_t i;
	int rc;

	if ((rc = fq_req_require(r, s.action)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "user_id", FQ_JSON_OPTIONAL, 36, &b.user_id, &r->err)) ||
	    (rc = fq_json_get_str_array(r->body, "departments", FQ_JSON_OPTIONAL, 8, &deps,
					&r->err)))
		return rc;
	if (deps) {
		b.departments =
		    fq_pool_alloc(&r->pool, (json_array_size(deps) + 1) * sizeof(char *));
		json_array_foreach(deps, i, v) b.departments[i] = json_string_value(v);
		b.departments[json_array_size(deps)] = NULL;
	}
	return run_step(r, &s);
}

/* Mediation session. */
static int run_session(struct fq_req *r, struct fq_dbc *c, struct step *s)
{
	struct fq_dispute_session_in *in = s->arg;
	char sid[37];
	int rc = fq_dispute_add_session(c, r->params[0], in, sid, &r->err);

	if (!rc)
		s->detail = json_pack("{s:s}", "session_id", sid);
	return rc;
}

static int post_session(struct fq_req *r)
{
	static const char *const keys[] = {"held_at", "place",	"mediators", "participants",
					   "said",    "agreed", NULL};
	struct fq_dispute_session_in in = {0};
	struct step s = {.action = FQ_ACT_DISPUTE_MEDIATE,
			 .what = "dispute.session",
			 .officer_only_above_general = 1,
			 .run = run_session,
			 .arg = &in};
	const char *held = NULL;
	int rc;

	if ((rc = fq_req_require(r, s.action)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "held_at", FQ_JSON_REQUIRED, 64, &held, &r->err)) ||
	    (rc = fq_time_parse(held, &in.held_at, "held_at", &r->err)) ||
	    (rc = fq_json_get_str(r->body, "place", FQ_JSON_REQUIRED, FQ_DISPUTE_REF_MAX, &in.place,
				  &r->err)) ||
	    (rc = fq_json_get_str_array(r->body, "mediators", FQ_JSON_REQUIRED,
					FQ_DISPUTE_NAMES_MAX, &in.mediators, &r->err)) ||
	    (rc = fq_json_get_str_array(r->body, "participants", FQ_JSON_REQUIRED,
					FQ_DISPUTE_NAMES_MAX, &in.participants, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "said", FQ_JSON_REQUIRED, FQ_DISPUTE_TEXT_MAX, &in.said,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "agreed", FQ_JSON_OPTIONAL, FQ_DISPUTE_TEXT_MAX,
				  &in.agreed, &r->err)))
		return rc;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	return run_step(r, &s);
}

/* Outcome. */
static int run_outcome(struct fq_req *r, struct fq_dbc *c, struct step *s)
{
	struct fq_dispute_outcome_in *in = s->arg;
	int rc = fq_dispute_record_outcome(c, r->params[0], in, &r->err);

	s->detail = json_pack("{s:s, s:s?, s:s?}", "outcome", in->outcome, "referred_kind",
			      in->referred_kind, "referred_to", in->referred_to);
	return rc;
}

static int post_outcome(struct fq_req *r)
{
	static const char *const keys[] = {
	    "outcome", "terms", "referred_kind", "referred_to", "note", "follow_up_days", NULL};
	struct fq_dispute_outcome_in in = {0};
	struct step s = {.action = FQ_ACT_DISPUTE_MEDIATE,
			 .what = "dispute.outcome",
			 .officer_only_above_general = 1,
			 .run = run_outcome,
			 .arg = &in};
	json_t *days = json_object_get(r->body, "follow_up_days"), *v;
	size_t i;
	int rc;

	if ((rc = fq_req_require(r, s.action)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc =
		 fq_json_get_str(r->body, "outcome", FQ_JSON_REQUIRED, 32, &in.outcome, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "terms", FQ_JSON_OPTIONAL, FQ_DISPUTE_TEXT_MAX,
				  &in.terms, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "referred_kind", FQ_JSON_OPTIONAL, 16, &in.referred_kind,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "referred_to", FQ_JSON_OPTIONAL, FQ_DISPUTE_REF_MAX,
				  &in.referred_to, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_DISPUTE_NOTE_MAX, &in.note,
				  &r->err)))
		return rc;
	if (days && !json_is_null(days)) {
		int64_t *d;
		if (!json_is_array(days) || json_array_size(days) > FQ_DISPUTE_FOLLOW_UPS_MAX)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "follow_up_days",
					  "follow_up_days 应为至多 %d 个天数的数组",
					  FQ_DISPUTE_FOLLOW_UPS_MAX);
		d = fq_pool_alloc(&r->pool, (json_array_size(days) + 1) * sizeof(*d));
		json_array_foreach(days, i, v)
		{
			if (!json_is_integer(v))
				return fq_err_set(&r->err, FQ_EINVAL, "invalid_value",
						  "follow_up_days", "回访天数应为整数");
			d[i] = json_integer_value(v);
		}
		in.follow_up_days = d;
		in.nfollow_up_days = (int)json_array_size(days);
	}
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	return run_step(r, &s);
}

/* Follow-up. */
static int run_follow_up(struct fq_req *r, struct fq_dbc *c, struct step *s)
{
	struct fq_dispute_follow_up_in *in = s->arg;
	enum fq_dispute_grade from = FQ_DISPUTE_GENERAL, to = FQ_DISPUTE_GENERAL;
	int reopened = 0;
	int rc = fq_dispute_record_follow_up(c, r->params[0], in, &reopened, &from, &to, &r->err);

	if (!rc) {
		s->detail = json_pack("{s:s, s:b}", "method", in->method, "flare_up", reopened);
		if (reopened) {
			json_t *g = grades_detail(from, to);
			json_object_update(s->detail, g);
			json_decref(g);
			s->what = "dispute.reopen";
			s->reason = "follow_up_flare_up";
		}
	}
	return rc;
}

static int post_follow_up(struct fq_req *r)
{
	static const char *const keys[] = {"follow_up_id", "method", "result", "flare_up", NULL};
	struct fq_dispute_follow_up_in in = {0};
	struct step s = {.action = FQ_ACT_DISPUTE_MEDIATE,
			 .what = "dispute.follow_up",
			 .officer_only_above_general = 1,
			 .run = run_follow_up,
			 .arg = &in};
	int rc;

	if ((rc = fq_req_require(r, s.action)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "follow_up_id", FQ_JSON_OPTIONAL, 36, &in.follow_up_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "method", FQ_JSON_REQUIRED, 16, &in.method, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "result", FQ_JSON_REQUIRED, FQ_DISPUTE_NOTE_MAX,
				  &in.result, &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "flare_up", FQ_JSON_OPTIONAL, &in.flare_up, NULL,
				   &r->err)))
		return rc;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	return run_step(r, &s);
}

/* Reopen. */
static int run_reopen(struct fq_req *r, struct fq_dbc *c, struct step *s)
{
	enum fq_dispute_grade from, to;
	int rc = fq_dispute_reopen(c, r->params[0], s->reason, r->user->user_id, fq_now_ms(), &from,
				   &to, &r->err);

	if (!rc)
		s->detail = grades_detail(from, to);
	return rc;
}

static int post_reopen(struct fq_req *r)
{
	static const char *const keys[] = {"reason", NULL};
	struct step s = {
	    .action = FQ_ACT_DISPUTE_MANAGE, .what = "dispute.reopen", .run = run_reopen};
	int rc;

	if ((rc = fq_req_require(r, s.action)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, FQ_DISPUTE_NOTE_MAX,
				  &s.reason, &r->err)))
		return rc;
	return run_step(r, &s);
}

/* ---- the agreement ---- */

static int get_agreement(struct fq_req *r)
{
	struct fq_buf b;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_DISPUTE_READ)) ||
	    (rc = fq_req_require(r, FQ_ACT_PERSON_REVEAL)))
		return rc;
	fq_buf_init(&b, 4u * 1024 * 1024);
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc)
		rc = fq_dispute_agreement_html(c, r->params[0], &b, &r->err);
	fq_db_release(r->db, c);
	/* Full identity numbers and phones: recorded as a reveal with its purpose. */
	if (!rc)
		rc = fq_req_audit_read(r, "dispute", r->params[0], "mediation_agreement");
	if (!rc) {
		fq_req_add_header(r, "Content-Security-Policy",
				  "default-src 'none'; style-src 'unsafe-inline'");
		size_t len;
		char *html = fq_buf_detach(&b, &len);
		rc = fq_req_reply_bytes(r, 200, "text/html; charset=utf-8", html, len);
	}
	fq_buf_release(&b);
	return rc;
}

/* ---- KPIs ---- */

static int get_kpi(struct fq_req *r)
{
	const char *unit = nonempty(fq_req_query(r, "unit"));
	char path[FQ_UNIT_PATH_MAX];
	int64_t from = 0, to = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_DISPUTE_READ)) || (rc = time_arg(r, "from", &from)) ||
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
		rc = fq_dispute_kpi_json(c, unit, from, to, fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- escalation ---- */

static int audit_escalation(void *arg, struct fq_dbc *c, const struct fq_dispute_escalation *e,
			    struct fq_err *err)
{
	char deadline[FQ_RFC3339_MAX];
	struct fq_audit_entry a = {
	    .username = "system",
	    .unit_code = e->unit_code,
	    .action = "dispute.escalate",
	    .object_type = "dispute",
	    .object_id = e->dispute_id,
	    .client = "server",
	    .outcome = "ok",
	    .reason = "overdue",
	};
	json_t *detail;
	char *text;
	int rc;

	(void)arg;
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

int fq_dispute_escalation_tick(struct fq_db *db, int64_t now_ms, int *escalated, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	int rc = fq_dispute_escalate_overdue(c, now_ms, audit_escalation, NULL, escalated, err);

	fq_db_release(db, c);
	return rc;
}

const struct fq_route fq_dispute_routes[] = {
    {"GET", "/api/v1/disputes", list_disputes, 0},
    {"POST", "/api/v1/disputes", post_dispute, 0},
    {"GET", "/api/v1/disputes/:id", get_dispute, 0},
    {"POST", "/api/v1/disputes/:id/grade", post_grade, 0},
    {"POST", "/api/v1/disputes/:id/assign", post_assign, 0},
    {"POST", "/api/v1/disputes/:id/sessions", post_session, 0},
    {"POST", "/api/v1/disputes/:id/outcome", post_outcome, 0},
    {"POST", "/api/v1/disputes/:id/follow-ups", post_follow_up, 0},
    {"POST", "/api/v1/disputes/:id/reopen", post_reopen, 0},
    {"GET", "/api/v1/disputes/:id/agreement", get_agreement, 0},
    {"GET", "/api/v1/kpi/disputes", get_kpi, 0},
    {NULL, NULL, NULL, 0},
};
