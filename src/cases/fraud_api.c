/*
 * The API of anti-fraud warnings (预警劝阻, docs/fraud.md): list, take,
 * read, dissuasion attempts, close, links to later fraud reports,
 * outreach events, the code tables and the KPIs; and the housekeeping
 * job (automatic links and escalation) with its audit entries.
 *
 * Rights: reading needs fraud.read, every write fraud.handle; the object's
 * station must lie in the caller's scope (else 404). Phones are shown to
 * roles with phone.read or fraud.handle (the handler has to call the
 * person), ID numbers to roles with person.reveal; others see them
 * masked. Every answer naming a person is recorded as a read in the audit
 * log.
 */
#include "http/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cases/fraud.h"
#include "cases/fraud_import.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "http/events.h"
#include "http/server.h"
#include "core/banned.h"

static int masks_phone(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PHONE_READ) &&
	       !fq_roles_can(r->user->roles, FQ_ACT_FRAUD_HANDLE);
}

static int masks_id(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_PERSON_REVEAL);
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

static int flag_query(struct fq_req *r, const char *name, int *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	*out = -1;
	if (!s)
		return 0;
	if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", name, "%s 应为 0 或 1",
				  name);
	*out = s[0] - '0';
	return 0;
}

/* An optional time member (RFC 3339); 0 when absent. */
static int time_member(struct fq_req *r, const char *key, int64_t *out)
{
	const char *s = NULL;
	int rc = fq_json_get_str(r->body, key, FQ_JSON_OPTIONAL, 64, &s, &r->err);
	*out = 0;
	if (rc || !s)
		return rc;
	return fq_time_parse(s, out, key, &r->err);
}

/* Yuan with at most two decimals, as fen. */
static int yuan_member(struct fq_req *r, const char *key, int64_t *fen)
{
	double v = 0;
	int present = 0;
	int rc = fq_json_get_real(r->body, key, FQ_JSON_OPTIONAL, 0, 1e9, &v, &present, &r->err);
	*fen = 0;
	if (rc || !present)
		return rc;
	if (fabs(v * 100 - round(v * 100)) > 1e-6)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", key, "%s 最多两位小数（元）",
				  key);
	*fen = (int64_t)llround(v * 100);
	return 0;
}

/* ---- warnings ---- */

static int list_warnings(struct fq_req *r)
{
	struct fq_fraud_query q = {0};
	const char *mine = nonempty(fq_req_query(r, "mine"));
	const char *level = nonempty(fq_req_query(r, "level"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) ||
	    (rc = flag_query(r, "overdue", &q.overdue)) ||
	    (rc = flag_query(r, "escalated", &q.escalated)) ||
	    (rc = time_query(r, "from", 0, &q.from_ms)) || (rc = time_query(r, "to", 0, &q.to_ms)))
		return rc;
	if (mine && strcmp(mine, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "mine", "mine 应为 1");
	if (level) {
		if (strlen(level) != 1 || level[0] < '1' || level[0] > '0' + FQ_FRAUD_LEVELS)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "level",
					  "level 应为 1 到 %d", FQ_FRAUD_LEVELS);
		q.level = level[0] - '0';
	}
	q.scope_path = r->user->unit_path;
	q.state = nonempty(fq_req_query(r, "state"));
	q.warning_type = nonempty(fq_req_query(r, "warning_type"));
	q.grid = nonempty(fq_req_query(r, "grid"));
	q.assigned_to = mine ? r->user->user_id : NULL;
	q.sort = nonempty(fq_req_query(r, "sort"));
	q.q = nonempty(fq_req_query(r, "q"));
	q.mask_phone = masks_phone(r);
	q.mask_id = masks_id(r);
	q.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_fraud_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	if (!rc && json_array_size(json_object_get(out, "items")) &&
	    (rc = fq_req_audit_read(r, "fraud_warning", "list", NULL))) {
		json_decref(out);
		return rc;
	}
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const create_keys[] = {
    "source",	"external_ref", "phone", "person_name", "id_number",   "person_id", "address",
    "location", "warning_type", "level", "warned_at",	"description", "unit",	    NULL};

static int parse_new(struct fq_req *r, struct fq_fraud_new *in)
{
	json_t *loc = json_object_get(r->body, "location");
	int rc;

	memset(in, 0, sizeof(*in));
	if ((rc = fq_json_only_keys(r->body, create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "source", FQ_JSON_OPTIONAL, 16, &in->source, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "external_ref", FQ_JSON_OPTIONAL, FQ_FRAUD_REF_MAX,
				  &in->external_ref, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "phone", FQ_JSON_OPTIONAL, FQ_PHONE_INPUT_MAX,
				  &in->phone, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "person_name", FQ_JSON_OPTIONAL, FQ_FRAUD_NAME_MAX,
				  &in->person_name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "id_number", FQ_JSON_OPTIONAL, 32, &in->id_number,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "person_id", FQ_JSON_OPTIONAL, 64, &in->person_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "address", FQ_JSON_OPTIONAL, FQ_FRAUD_ADDRESS_MAX,
				  &in->address, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "warning_type", FQ_JSON_REQUIRED, 32, &in->warning_type,
				  &r->err)) ||
	    (rc = fq_json_get_int(r->body, "level", FQ_JSON_REQUIRED, 1, FQ_FRAUD_LEVELS,
				  &in->level, NULL, &r->err)) ||
	    (rc = time_member(r, "warned_at", &in->warned_at)) ||
	    (rc = fq_json_get_str(r->body, "description", FQ_JSON_OPTIONAL, FQ_FRAUD_TEXT_MAX,
				  &in->description, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in->unit, &r->err)))
		return rc;
	if (in->source && strcmp(in->source, "centre") != 0 && strcmp(in->source, "manual") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "source",
				  "source 应为 centre（反诈中心）或 manual（手工录入）");
	if (loc && !json_is_null(loc)) {
		static const char *const loc_keys[] = {"lat", "lon", NULL};
		if (!json_is_object(loc))
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "location",
					  "location 应为 {lat, lon}");
		if ((rc = fq_json_only_keys(loc, loc_keys, &r->err)) ||
		    (rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &in->lat, NULL,
					   &r->err)) ||
		    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &in->lon, NULL,
					   &r->err))) {
			snprintf(r->err.field, sizeof(r->err.field), "location");
			return rc;
		}
		in->has_location = 1;
	}
	in->actor_unit = r->user->unit_code;
	in->scope_path = r->user->unit_path;
	in->actor_id = r->user->user_id;
	in->now_ms = fq_now_ms();
	return 0;
}

/* What the audit log keeps of a warning: routing, never the phone or ID number. */
static json_t *audit_detail(json_t *w)
{
	static const char *const keys[] = {"number", "warning_type", "level", "unit",
					   "grid",   "assigned_to",  "route", "deadline_at",
					   "source", "external_ref", NULL};
	json_t *out = json_object();

	for (int i = 0; keys[i]; i++)
		json_object_set(out, keys[i], json_object_get(w, keys[i]));
	return out;
}

static int post_warning(struct fq_req *r)
{
	struct fq_fraud_new in;
	char id[37], number[FQ_NUMBER_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_HANDLE)) || (rc = parse_new(r, &in)))
		return rc;
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_fraud_create(c, &in, id, number, &r->err);
	if (!rc)
		rc = fq_fraud_json(c, id, 1, masks_phone(r), masks_id(r), in.now_ms, &out, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_FRAUD_HANDLE, "fraud_warning.create",
				  "fraud_warning", id, NULL, audit_detail(out));
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
	fq_req_publish(r, "fraud_warning.created", FQ_ACT_FRAUD_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "warning", out));
}

/* The warning in scope (else 404), as JSON with its log. */
static int answer_warning(struct fq_req *r, struct fq_dbc *c, int status, const char *event)
{
	json_t *out = NULL;
	int rc = fq_fraud_json(c, r->params[0], 1, masks_phone(r), masks_id(r), 0, &out, &r->err);

	if (rc)
		return rc;
	if ((rc = fq_req_audit_read(r, "fraud_warning", r->params[0], NULL))) {
		json_decref(out);
		return rc;
	}
	if (event)
		fq_req_publish(r, event, FQ_ACT_FRAUD_READ, out, NULL);
	return fq_req_reply(r, status, json_pack("{s:o}", "warning", out));
}

static int in_scope(struct fq_req *r, struct fq_dbc *c)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_fraud_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND)
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "预警不存在");
	return rc;
}

static int get_warning(struct fq_req *r)
{
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc)
		rc = answer_warning(r, c, 200, NULL);
	fq_db_release(r->db, c);
	return rc;
}

static const char *const attempt_keys[] = {"method",	   "at",	"reached",
					   "person_state", "dissuaded", "money_protected_yuan",
					   "note",	   "version",	NULL};

static int post_attempt(struct fq_req *r)
{
	struct fq_fraud_attempt_in a = {0};
	const char *from = NULL, *to = NULL;
	struct fq_dbc *c;
	int reached = 0, dissuaded = 0, rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_HANDLE)) ||
	    (rc = fq_json_only_keys(r->body, attempt_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "method", FQ_JSON_REQUIRED, 16, &a.method, &r->err)) ||
	    (rc = time_member(r, "at", &a.at)) ||
	    (rc =
		 fq_json_get_bool(r->body, "reached", FQ_JSON_REQUIRED, &reached, NULL, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "person_state", FQ_JSON_OPTIONAL, 16, &a.person_state,
				  &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "dissuaded", FQ_JSON_OPTIONAL, &dissuaded, NULL,
				   &r->err)) ||
	    (rc = yuan_member(r, "money_protected_yuan", &a.protected_fen)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_FRAUD_TEXT_MAX, &a.note,
				  &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX,
				  &a.expected_version, NULL, &r->err)))
		return rc;
	a.reached = reached;
	a.dissuaded = dissuaded;
	a.actor_id = r->user->user_id;
	a.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = fq_fraud_attempt(c, r->params[0], &a, &from, &to, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_FRAUD_HANDLE, "fraud_warning.attempt",
					  "fraud_warning", r->params[0], NULL,
					  json_pack("{s:s, s:s, s:s, s:b, s:b, s:I}", "from", from,
						    "to", to, "method", a.method, "reached",
						    reached, "dissuaded", dissuaded,
						    "protected_fen", (json_int_t)a.protected_fen));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = answer_warning(r, c, 201, "fraud_warning.updated");
	fq_db_release(r->db, c);
	return rc;
}

static const char *const close_keys[] = {"version", NULL};

static int post_close(struct fq_req *r)
{
	int64_t version = 0;
	const char *outcome = NULL;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_HANDLE)) ||
	    (rc = fq_json_only_keys(r->body, close_keys, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = fq_fraud_close(c, r->params[0], version, r->user->user_id, fq_now_ms(),
				    &outcome, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_FRAUD_HANDLE, "fraud_warning.close",
					  "fraud_warning", r->params[0], NULL,
					  json_pack("{s:s}", "outcome", outcome));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = answer_warning(r, c, 200, "fraud_warning.updated");
	fq_db_release(r->db, c);
	return rc;
}

static const char *const link_keys[] = {"kind", "object_id", "note", NULL};

static int post_link(struct fq_req *r)
{
	const char *kind = NULL, *object_id = NULL, *note = NULL;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_HANDLE)) ||
	    (rc = fq_json_only_keys(r->body, link_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 16, &kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "object_id", FQ_JSON_REQUIRED, 36, &object_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_FRAUD_TEXT_MAX, &note,
				  &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = in_scope(r, c);
	if (!rc && !(rc = fq_dbc_begin(c, 1, &r->err))) {
		rc = fq_fraud_link(c, r->params[0], kind, object_id, r->user->unit_path, note,
				   r->user->user_id, fq_now_ms(), &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_FRAUD_HANDLE, "fraud_warning.link",
					  "fraud_warning", r->params[0], note,
					  json_pack("{s:s, s:s, s:s}", "kind", kind, "object_id",
						    object_id, "matched_by", "manual"));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = answer_warning(r, c, 201, "fraud_warning.updated");
	fq_db_release(r->db, c);
	return rc;
}

/* ---- CSV import (the same as `fengqiao import fraud-warnings`) ---- */

/* Bad rows listed in an answer at most; the count says how many there were. */
#define IMPORT_ERRORS_SHOWN 200

struct import_ctx {
	struct fq_req *r;
	json_t *errors;
};

static void import_bad_row(void *arg, unsigned long line, const char *field, const char *message)
{
	struct import_ctx *x = arg;
	if (json_array_size(x->errors) < IMPORT_ERRORS_SHOWN)
		json_array_append_new(x->errors,
				      json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line,
						"field", field, "message", message));
}

static int import_audit(void *arg, struct fq_dbc *c, const char *name, size_t count,
			const char *first, const char *last, struct fq_err *err)
{
	struct import_ctx *x = arg;
	int rc = fq_req_audit(x->r, c, FQ_ACT_FRAUD_HANDLE, "fraud_warning.import", "fraud_warning",
			      first, NULL,
			      json_pack("{s:I, s:s, s:s, s:s}", "count", (json_int_t)count, "file",
					name, "first", first, "last", last));
	if (rc && err != &x->r->err)
		*err = x->r->err;
	return rc;
}

static const char *const import_keys[] = {"csv", "name", "unit", "dry_run", NULL};

static int post_import(struct fq_req *r)
{
	const char *csv = NULL, *name = NULL, *unit = NULL;
	struct fq_fraud_import_summary sum;
	struct import_ctx x = {r, NULL};
	int dry_run = 0, rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_HANDLE)) ||
	    (rc = fq_json_only_keys(r->body, import_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "csv", FQ_JSON_REQUIRED, FQ_HTTP_BODY_MAX, &csv,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_OPTIONAL, 200, &name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &unit,
				  &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "dry_run", FQ_JSON_OPTIONAL, &dry_run, NULL, &r->err)))
		return rc;
	x.errors = json_array();
	{
		struct fq_fraud_import_options opt = {
		    .unit = unit && *unit ? unit : r->user->unit_code,
		    .dry_run = dry_run,
		    .scope_path = r->user->unit_path,
		    .actor_id = r->user->user_id,
		    .bad_row = import_bad_row,
		    .audit = import_audit,
		    .arg = &x,
		};
		rc = fq_fraud_import_buffer(r->db, csv, strlen(csv),
					    name && *name ? name : "upload.csv", &opt, &sum,
					    &r->err);
		if (!rc && !dry_run) {
			/* One event for the file: pages refetch their lists. */
			json_t *ev = json_pack("{s:s}", "kind", "import");
			fq_req_publish(r, "fraud_warning.created", FQ_ACT_FRAUD_READ, ev, opt.unit);
			json_decref(ev);
		}
	}
	/* The file's own faults (encoding, header, size) name the member holding it. */
	if (rc && (strcmp(r->err.field, "file") == 0 || strcmp(r->err.field, "header") == 0 ||
		   strcmp(r->err.field, "row") == 0))
		snprintf(r->err.field, sizeof(r->err.field), "csv");
	/* A check (dry run) reports the bad rows; an import with any is refused whole. */
	if (rc == FQ_EINVAL && dry_run && sum.bad_rows)
		rc = 0;
	if (rc) {
		json_decref(x.errors);
		return rc;
	}
	return fq_req_reply(
	    r, dry_run ? 200 : 201,
	    json_pack("{s:b, s:I, s:I, s:I, s:o, s:s, s:{s:I, s:I, s:I}}", "dry_run", dry_run,
		      "rows", (json_int_t)sum.rows, "bad_rows", (json_int_t)sum.bad_rows,
		      "imported", (json_int_t)(dry_run ? 0 : sum.imported), "lines", x.errors,
		      "encoding", sum.encoding ? sum.encoding : "", "by_route", "location",
		      (json_int_t)sum.by_route[0], "phone_history", (json_int_t)sum.by_route[1],
		      "station", (json_int_t)sum.by_route[2]));
}

/* ---- outreach ---- */

static const char *const outreach_keys[] = {"unit",	"held_at",    "place", "kind",
					    "audience", "attendance", "note",  NULL};

static int post_outreach(struct fq_req *r)
{
	struct fq_fraud_outreach_new in = {0};
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_HANDLE)) ||
	    (rc = fq_json_only_keys(r->body, outreach_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &in.unit,
				  &r->err)) ||
	    (rc = time_member(r, "held_at", &in.held_at)) ||
	    (rc = fq_json_get_str(r->body, "place", FQ_JSON_REQUIRED, FQ_FRAUD_ADDRESS_MAX,
				  &in.place, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 16, &in.kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "audience", FQ_JSON_REQUIRED, 16, &in.audience,
				  &r->err)) ||
	    (rc = fq_json_get_int(r->body, "attendance", FQ_JSON_REQUIRED, 0, 1000000,
				  &in.attendance, NULL, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_FRAUD_TEXT_MAX, &in.note,
				  &r->err)))
		return rc;
	in.actor_unit = r->user->unit_code;
	in.scope_path = r->user->unit_path;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_fraud_outreach_create(c, &in, id, &out, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_FRAUD_HANDLE, "fraud_outreach.create",
				  "fraud_outreach", id, NULL,
				  json_pack("{s:O, s:O, s:O}", "unit", json_object_get(out, "unit"),
					    "kind", json_object_get(out, "kind"), "attendance",
					    json_object_get(out, "attendance")));
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
	fq_req_publish(r, "fraud_outreach.created", FQ_ACT_FRAUD_READ, out,
		       json_string_value(json_object_get(out, "station")));
	return fq_req_reply(r, 201, json_pack("{s:o}", "outreach", out));
}

static int list_outreach(struct fq_req *r)
{
	int64_t page, per_page, from, to;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)) || (rc = time_query(r, "from", 0, &from)) ||
	    (rc = time_query(r, "to", 0, &to)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_fraud_outreach_list(c, r->user->unit_path, from, to, page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- code tables and KPIs ---- */

static int get_codes(struct fq_req *r)
{
	static const char *const names[FQ_FRAUD_TABLE_COUNT] = {
	    "warning_types", "states", "methods", "person_states", "outreach_kinds", "audiences"};
	int64_t minutes[FQ_FRAUD_LEVELS];
	json_t *out = json_object(), *dl = json_object();
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_READ))) {
		json_decref(out);
		json_decref(dl);
		return rc;
	}
	for (int t = 0; t < FQ_FRAUD_TABLE_COUNT; t++) {
		json_t *a = json_array();
		for (int i = 0; fq_fraud_code(t, i); i++)
			json_array_append_new(a,
					      json_pack("{s:s, s:s}", "code", fq_fraud_code(t, i),
							"label", fq_fraud_label(t, i)));
		json_object_set_new(out, names[t], a);
	}
	c = fq_db_acquire(r->db);
	rc = fq_fraud_deadline_minutes(c, minutes, &r->err);
	fq_db_release(r->db, c);
	for (int l = 0; l < FQ_FRAUD_LEVELS; l++) {
		char key[16];
		snprintf(key, sizeof(key), "%d", l + 1);
		json_object_set_new(dl, key, json_integer(minutes[l]));
	}
	json_object_set_new(out, "deadline_minutes", dl);
	if (rc) {
		json_decref(out);
		return rc;
	}
	return fq_req_reply(r, 200, out);
}

static int get_kpi(struct fq_req *r)
{
	const char *unit = nonempty(fq_req_query(r, "unit"));
	char path[FQ_UNIT_PATH_MAX];
	int64_t from = 0, to = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FRAUD_READ)) || (rc = time_query(r, "from", 1, &from)) ||
	    (rc = time_query(r, "to", 1, &to)))
		return rc;
	if (!unit)
		unit = r->user->unit_code;
	c = fq_db_acquire(r->db);
	rc = fq_unit_path(c, unit, path, &r->err);
	if (rc == FQ_ENOTFOUND || !rc)
		rc = fq_req_require_scope(r, rc ? "" : path);
	if (!rc)
		rc = fq_fraud_kpi_json(c, unit, from, to, fq_now_ms(), &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- housekeeping ---- */

struct tick_ctx {
	json_t *done; /* summaries to publish after commit */
	const char *action;
};

static int audit_event(void *arg, struct fq_dbc *c, const struct fq_fraud_event *e,
		       struct fq_err *err)
{
	struct tick_ctx *t = arg;
	int link = strcmp(t->action, "fraud_warning.link") == 0;
	struct fq_audit_entry a = {
	    .username = "system",
	    .unit_code = e->unit_code,
	    .action = t->action,
	    .object_type = "fraud_warning",
	    .object_id = e->warning_id,
	    .client = "server",
	    .outcome = "ok",
	    .reason = link ? "same_phone_fraud_report" : "not_reached_by_deadline",
	};
	char deadline[FQ_RFC3339_MAX];
	json_t *detail;
	char *text;
	int rc;

	json_array_append_new(t->done, json_pack("{s:s, s:s, s:s}", "id", e->warning_id, "number",
						 e->number, "unit", e->unit_code));
	if (link) {
		detail = json_pack("{s:s, s:s, s:s, s:s}", "number", e->number, "kind", "alert",
				   "object_id", e->object_id, "matched_by", "phone");
	} else {
		fq_time_format_cst(e->deadline_at, deadline);
		detail = json_pack("{s:s, s:s, s:s?}", "number", e->number, "deadline_at", deadline,
				   "escalated_to", e->object_id);
	}
	text = json_dumps(detail, FQ_JSON_DUMP_FLAGS | JSON_SORT_KEYS);
	json_decref(detail);
	a.detail = text;
	rc = fq_audit_append(c, &a, e->at, NULL, err);
	free(text);
	return rc;
}

static void publish_done(struct fq_dbc *c, json_t *done)
{
	char path[FQ_UNIT_PATH_MAX];
	json_t *item;
	size_t i;

	json_array_foreach(done, i, item)
	{
		struct fq_err perr = FQ_ERR_INIT;
		if (fq_unit_path(c, json_string_value(json_object_get(item, "unit")), path,
				 &perr) == 0)
			(void)fq_events_publish_summary("fraud_warning.updated", path,
							FQ_ACT_FRAUD_READ, item);
	}
}

int fq_fraud_tick(struct fq_db *db, int64_t now_ms, int *linked, int *escalated, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct tick_ctx links = {json_array(), "fraud_warning.link"};
	struct tick_ctx esc = {json_array(), "fraud_warning.escalate"};
	int rc = fq_fraud_link_scan(c, now_ms, audit_event, &links, linked, err);

	if (!rc)
		publish_done(c, links.done);
	if (!rc)
		rc = fq_fraud_escalate_overdue(c, now_ms, audit_event, &esc, escalated, err);
	if (!rc)
		publish_done(c, esc.done);
	json_decref(links.done);
	json_decref(esc.done);
	fq_db_release(db, c);
	return rc;
}

const struct fq_route fq_fraud_routes[] = {
    {"GET", "/api/v1/fraud-warnings", list_warnings, 0},
    {"POST", "/api/v1/fraud-warnings", post_warning, 0},
    {"GET", "/api/v1/fraud-warnings/:id", get_warning, 0},
    {"POST", "/api/v1/fraud-warnings/:id/attempts", post_attempt, 0},
    {"POST", "/api/v1/fraud-warnings/:id/close", post_close, 0},
    {"POST", "/api/v1/fraud-warnings/:id/links", post_link, 0},
    {"GET", "/api/v1/fraud-outreach", list_outreach, 0},
    {"POST", "/api/v1/fraud-outreach", post_outreach, 0},
    {"GET", "/api/v1/fraud-codes", get_codes, 0},
    {"GET", "/api/v1/kpi/fraud", get_kpi, 0},
    {"POST", "/api/v1/fraud-warnings/import", post_import, 0},
    {NULL, NULL, NULL, 0},
};
