/*
 * The API of livelihood cases, transfers, linkage and series (docs/cases.md).
 *
 * Rights: reading needs case.read, writing case.manage; every object
 * belongs to a station (a series to its author's unit) and is out of scope
 * (404) for users whose unit does not cover it. Parties' phones and ID
 * numbers are masked for roles without case.manage. Every write is audited
 * in its transaction; reading a case's details (its parties) is audited as
 * a read. Live events: case.created, case.updated, transfer.created,
 * transfer.updated, series.created (case.read).
 */
#include "http/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case.h"
#include "cases/linkage.h"
#include "cases/transfer.h"
#include "core/geo.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "http/events.h"
#include "http/intake.h"
#include "core/banned.h"

static int masks(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_CASE_MANAGE);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* An optional RFC 3339 member; *out 0 when absent. */
static int opt_time(struct fq_req *r, json_t *obj, const char *key, const char *field, int64_t *out)
{
	const char *s = NULL;
	int rc;

	*out = 0;
	if ((rc = fq_json_get_str(obj, key, FQ_JSON_OPTIONAL, 64, &s, &r->err)))
		return rc;
	return s ? fq_time_parse(s, out, field, &r->err) : 0;
}

static int query_time(struct fq_req *r, const char *name, int required, int64_t *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	*out = 0;
	if (!s)
		return required ? fq_err_set(&r->err, FQ_EINVAL, "missing_field", name,
					     "请给出统计区间的 %s", name)
				: 0;
	return fq_time_parse(s, out, name, &r->err);
}

/* Prefix err->field with "list[i]." */
static int nested(struct fq_req *r, int rc, const char *list, size_t i)
{
	char f[FQ_ERR_FIELD_MAX];
	if (rc && r->err.field[0]) {
		snprintf(f, sizeof(f), "%.8s[%zu].%.32s", list, i, r->err.field);
		snprintf(r->err.field, sizeof(r->err.field), "%s", f);
	}
	return rc;
}

static const char *const party_keys[] = {"role", "name", "phone", "id_number", "description", NULL};

static int parse_party(struct fq_req *r, json_t *o, struct fq_case_party_in *p)
{
	int rc;
	memset(p, 0, sizeof(*p));
	if (!json_is_object(o))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "", "当事人应为对象");
	if ((rc = fq_json_only_keys(o, party_keys, &r->err)) ||
	    (rc = fq_json_get_str(o, "role", FQ_JSON_REQUIRED, 16, &p->role, &r->err)) ||
	    (rc = fq_json_get_str(o, "name", FQ_JSON_REQUIRED, FQ_CASE_NAME_MAX, &p->name,
				  &r->err)) ||
	    (rc = fq_json_get_str(o, "phone", FQ_JSON_OPTIONAL, 64, &p->phone, &r->err)) ||
	    (rc = fq_json_get_str(o, "id_number", FQ_JSON_OPTIONAL, 32, &p->id_number, &r->err)) ||
	    (rc = fq_json_get_str(o, "description", FQ_JSON_OPTIONAL, FQ_CASE_ITEM_MAX,
				  &p->description, &r->err)))
		return rc;
	return 0;
}

static const char *const item_keys[] = {"description", "value_yuan", "recovered_at", NULL};

static int parse_item(struct fq_req *r, json_t *o, int recovered, struct fq_case_item_in *it)
{
	double yuan = 0;
	int rc;
	memset(it, 0, sizeof(*it));
	if (!json_is_object(o))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "", "财物应为对象");
	if ((rc = fq_json_only_keys(o, item_keys, &r->err)) ||
	    (rc = fq_json_get_str(o, "description", FQ_JSON_REQUIRED, FQ_CASE_ITEM_MAX,
				  &it->description, &r->err)) ||
	    (rc = fq_json_get_real(o, "value_yuan", FQ_JSON_REQUIRED, 0, 1e9, &yuan, NULL,
				   &r->err)) ||
	    (rc = fq_case_yuan_to_fen(yuan, "value_yuan", &it->value_fen, &r->err)))
		return rc;
	if (recovered)
		return opt_time(r, o, "recovered_at", "recovered_at", &it->at);
	if (json_object_get(o, "recovered_at"))
		return fq_err_set(&r->err, FQ_EINVAL, "unknown_field", "recovered_at",
				  "损失财物没有 recovered_at");
	return 0;
}

/* ---- cases ---- */

static int list_cases(struct fq_req *r)
{
	struct fq_case_query q = {.overdue = -1};
	const char *overdue = nonempty(fq_req_query(r, "overdue"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) ||
	    (rc = query_time(r, "from", 0, &q.from_ms)) || (rc = query_time(r, "to", 0, &q.to_ms)))
		return rc;
	if (overdue) {
		if (strcmp(overdue, "0") != 0 && strcmp(overdue, "1") != 0)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "overdue",
					  "overdue 应为 0 或 1");
		q.overdue = overdue[0] - '0';
	}
	q.scope_path = r->user->unit_path;
	q.state = nonempty(fq_req_query(r, "state"));
	q.type = nonempty(fq_req_query(r, "type"));
	q.officer_id = nonempty(fq_req_query(r, "officer_id"));
	q.incident_id = nonempty(fq_req_query(r, "incident_id"));
	q.sort = nonempty(fq_req_query(r, "sort"));
	q.q = nonempty(fq_req_query(r, "q"));
	if (q.q && strlen(q.q) > FQ_CASE_TITLE_MAX * 4)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "q", "搜索内容过长");
	if (nonempty(fq_req_query(r, "mine")))
		q.officer_id = r->user->user_id;
	q.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = fq_case_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static const char *const create_keys[] = {"incident_id", "unit",	"grid",	      "type",
					  "title",	 "description", "method",     "occurred_at",
					  "location",	 "address",	"officer_id", "parties",
					  "lost",	 "evidence",	NULL};

static int parse_list(struct fq_req *r, const char *key, json_t **arr)
{
	*arr = json_object_get(r->body, key);
	if (!*arr || json_is_null(*arr)) {
		*arr = NULL;
		return 0;
	}
	if (!json_is_array(*arr))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", key, "%s 应为数组", key);
	if (json_array_size(*arr) > FQ_CASE_LIST_MAX)
		return fq_err_set(&r->err, FQ_EINVAL, "too_many", key, "%s 最多 %d 项", key,
				  FQ_CASE_LIST_MAX);
	return 0;
}

static int parse_location(struct fq_req *r, struct fq_case_new *in)
{
	static const char *const loc_keys[] = {"lat", "lon", "crs", NULL};
	json_t *loc = json_object_get(r->body, "location");
	struct fq_geo_point p, w;
	enum fq_geo_crs crs;
	const char *crs_name = NULL;
	int rc;

	if (!loc || json_is_null(loc))
		return 0;
	if (!json_is_object(loc))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "location",
				  "location 应为 {\"lat\",\"lon\"} 对象");
	if ((rc = fq_json_only_keys(loc, loc_keys, &r->err)) ||
	    (rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &p.lat, NULL, &r->err)) ||
	    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &p.lon, NULL,
				   &r->err)) ||
	    (rc = fq_json_get_str(loc, "crs", FQ_JSON_OPTIONAL, 16, &crs_name, &r->err)) ||
	    (rc = fq_geo_crs_parse(crs_name, "location.crs", &crs, &r->err)) ||
	    (rc = fq_geo_to_wgs84(crs, p, "location", &w, &r->err))) {
		if (strcmp(r->err.field, "lat") == 0 || strcmp(r->err.field, "lon") == 0) {
			char f[16];
			snprintf(f, sizeof(f), "location.%.3s", r->err.field);
			snprintf(r->err.field, sizeof(r->err.field), "%s", f);
		}
		return rc;
	}
	in->has_location = 1;
	in->lat = w.lat;
	in->lon = w.lon;
	return 0;
}

int fq_case_parse_new(struct fq_req *r, struct fq_case_body *b)
{
	struct fq_case_new *in = &b->in;
	json_t *parties, *lost, *evidence;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = fq_json_only_keys(r->body, create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "incident_id", FQ_JSON_OPTIONAL, 36, &in->incident_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in->unit, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "grid", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in->grid, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "type", FQ_JSON_REQUIRED, 32, &in->type, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "title", FQ_JSON_REQUIRED, FQ_CASE_TITLE_MAX, &in->title,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "description", FQ_JSON_REQUIRED, FQ_CASE_TEXT_MAX,
				  &in->description, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "method", FQ_JSON_OPTIONAL, FQ_CASE_TEXT_MAX,
				  &in->method, &r->err)) ||
	    (rc = opt_time(r, r->body, "occurred_at", "occurred_at", &in->occurred_at)) ||
	    (rc = parse_location(r, in)) ||
	    (rc = fq_json_get_str(r->body, "address", FQ_JSON_OPTIONAL, FQ_CASE_ITEM_MAX,
				  &in->address, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "officer_id", FQ_JSON_OPTIONAL, 36, &in->officer_id,
				  &r->err)) ||
	    (rc = parse_list(r, "parties", &parties)) || (rc = parse_list(r, "lost", &lost)) ||
	    (rc = parse_list(r, "evidence", &evidence)))
		return rc;
	for (size_t i = 0; parties && i < json_array_size(parties); i++)
		if ((rc = nested(r, parse_party(r, json_array_get(parties, i), &b->parties[i]),
				 "parties", i)))
			return rc;
	for (size_t i = 0; lost && i < json_array_size(lost); i++)
		if ((rc = nested(r, parse_item(r, json_array_get(lost, i), 0, &b->lost[i]), "lost",
				 i)))
			return rc;
	for (size_t i = 0; evidence && i < json_array_size(evidence); i++) {
		b->evidence[i] = json_string_value(json_array_get(evidence, i));
		if (!b->evidence[i])
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "evidence",
					  "evidence 应为字符串数组");
	}
	in->parties = b->parties;
	in->nparties = parties ? (int)json_array_size(parties) : 0;
	in->lost = b->lost;
	in->nlost = lost ? (int)json_array_size(lost) : 0;
	in->evidence = b->evidence;
	in->nevidence = evidence ? (int)json_array_size(evidence) : 0;
	in->scope_path = r->user->unit_path;
	in->actor_unit = r->user->unit_code;
	in->actor_id = r->user->user_id;
	/* A case officer who opens a case handles it unless told otherwise. */
	if (!in->officer_id && (r->user->roles & FQ_ROLE_BIT(FQ_ROLE_CASE_OFFICER)))
		in->officer_id = r->user->user_id;
	in->now_ms = fq_now_ms();
	return 0;
}

static int post_case(struct fq_req *r)
{
	struct fq_case_body *b;
	char id[37], number[FQ_NUMBER_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)))
		return rc;
	b = fq_pool_alloc(&r->pool, sizeof(*b));
	if ((rc = fq_case_parse_new(r, b)))
		return rc;
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out;
	rc = fq_case_create(c, &b->in, id, number, &r->err);
	if (!rc)
		rc = fq_case_json(c, id, 1, masks(r), b->in.now_ms, &out, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_CASE_MANAGE, "case.create", "case", id, NULL,
				  json_pack("{s:s, s:O, s:O, s:O, s:O}", "number", number, "type",
					    json_object_get(out, "type"), "incident_id",
					    json_object_get(out, "incident_id"), "officer_id",
					    json_object_get(out, "officer_id"), "lost_fen",
					    json_object_get(out, "lost_fen")));
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
out:
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(out);
		return rc;
	}
	fq_req_publish(r, "case.created", FQ_ACT_CASE_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "case", out));
}

/* Scope check of a case: FQ_ENOTFOUND for a case outside the caller's unit. */
static int case_scope(struct fq_req *r, struct fq_dbc *c, const char *id)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_case_unit_path(c, id, path, &r->err);
	return rc ? rc : fq_req_require_scope(r, path);
}

static int get_case(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = case_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_case_json(c, r->params[0], 1, masks(r), 0, &out, &r->err);
	fq_db_release(r->db, c);
	/* The parties are people's details: the read is audited. */
	if (!rc && (rc = fq_req_audit_read(r, "case", r->params[0], NULL)))
		json_decref(out);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "case", out));
}

/*
 * A write on one case: scope, a write transaction, fn, the audit entry,
 * commit, then the case as answered and published.
 */
typedef int (*case_write_fn)(struct fq_req *r, struct fq_dbc *c, void *arg, json_t **detail);

static int write_case(struct fq_req *r, const char *what, case_write_fn fn, void *arg,
		      const char *reason)
{
	struct fq_dbc *c;
	json_t *out = NULL, *detail = NULL;
	int rc;

	c = fq_db_acquire(r->db);
	rc = case_scope(r, c, r->params[0]);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fn(r, c, arg, &detail);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_CASE_MANAGE, what, "case", r->params[0],
					  reason, detail);
		else
			json_decref(detail);
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = fq_case_json(c, r->params[0], 1, masks(r), 0, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "case.updated", FQ_ACT_CASE_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "case", out));
}

static int do_step(struct fq_req *r, struct fq_dbc *c, void *arg, json_t **detail)
{
	struct fq_case_change *ch = arg;
	enum fq_case_state from, to;
	int rc = fq_case_transition(c, r->params[0], ch, &from, &to, &r->err);
	if (!rc)
		*detail = json_pack("{s:s, s:s}", "from", fq_case_state_code(from), "to",
				    fq_case_state_code(to));
	return rc;
}

static int take_step(struct fq_req *r, enum fq_case_step step)
{
	static const char *const plain[] = {"version", NULL};
	static const char *const with_result[] = {"version", "result", NULL};
	static const char *const with_reason[] = {"version", "reason", NULL};
	const char *const *keys = step == FQ_CASE_SOLVE				    ? with_result
				  : step == FQ_CASE_CLOSE || step == FQ_CASE_REOPEN ? with_reason
										    : plain;
	struct fq_case_change ch = {.step = step};
	char what[32];
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX,
				  &ch.expected_version, NULL, &r->err)))
		return rc;
	if (keys != plain && (rc = fq_json_get_str(r->body, keys[1], FQ_JSON_OPTIONAL,
						   FQ_CASE_TEXT_MAX, &ch.text, &r->err)))
		return rc;
	ch.actor_id = r->user->user_id;
	ch.now_ms = fq_now_ms();
	snprintf(what, sizeof(what), "case.%s", fq_case_step_code(step));
	return write_case(r, what, do_step, &ch, step == FQ_CASE_SOLVE ? NULL : ch.text);
}

static int post_investigate(struct fq_req *r)
{
	return take_step(r, FQ_CASE_INVESTIGATE);
}

static int post_solve(struct fq_req *r)
{
	return take_step(r, FQ_CASE_SOLVE);
}

static int post_close(struct fq_req *r)
{
	return take_step(r, FQ_CASE_CLOSE);
}

static int post_reopen(struct fq_req *r)
{
	return take_step(r, FQ_CASE_REOPEN);
}

static int do_extend(struct fq_req *r, struct fq_dbc *c, void *arg, json_t **detail)
{
	(void)detail;
	return fq_case_extend(c, r->params[0], arg, r->user->user_id, fq_now_ms(), &r->err);
}

static int post_extend(struct fq_req *r)
{
	static const char *const keys[] = {"reason", NULL};
	const char *reason = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, FQ_CASE_TEXT_MAX, &reason,
				  &r->err)))
		return rc;
	return write_case(r, "case.extend", do_extend, (void *)reason, reason);
}

static int do_party(struct fq_req *r, struct fq_dbc *c, void *arg, json_t **detail)
{
	const struct fq_case_party_in *p = arg;
	*detail = json_pack("{s:s}", "role", p->role);
	return fq_case_add_party(c, r->params[0], p, r->user->user_id, fq_now_ms(), &r->err);
}

static int post_party(struct fq_req *r)
{
	struct fq_case_party_in p;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) || (rc = parse_party(r, r->body, &p)))
		return rc;
	return write_case(r, "case.party_add", do_party, &p, NULL);
}

struct item_arg {
	const char *kind;
	struct fq_case_item_in item;
};

static int do_item(struct fq_req *r, struct fq_dbc *c, void *arg, json_t **detail)
{
	struct item_arg *a = arg;
	*detail =
	    json_pack("{s:s, s:I}", "kind", a->kind, "value_fen", (json_int_t)a->item.value_fen);
	return fq_case_add_item(c, r->params[0], a->kind, &a->item, r->user->user_id, fq_now_ms(),
				&r->err);
}

static int post_item(struct fq_req *r, const char *kind)
{
	struct item_arg a = {.kind = kind};
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) ||
	    (rc = parse_item(r, r->body, strcmp(kind, "recovered") == 0, &a.item)))
		return rc;
	return write_case(r, strcmp(kind, "recovered") == 0 ? "case.recovery_add" : "case.loss_add",
			  do_item, &a, NULL);
}

static int post_recovery(struct fq_req *r)
{
	return post_item(r, "recovered");
}

static int post_loss(struct fq_req *r)
{
	return post_item(r, "lost");
}

static int do_evidence(struct fq_req *r, struct fq_dbc *c, void *arg, json_t **detail)
{
	(void)detail;
	return fq_case_add_evidence(c, r->params[0], arg, r->user->user_id, fq_now_ms(), &r->err);
}

static int post_evidence(struct fq_req *r)
{
	static const char *const keys[] = {"description", NULL};
	const char *text = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "description", FQ_JSON_REQUIRED, FQ_CASE_ITEM_MAX, &text,
				  &r->err)))
		return rc;
	return write_case(r, "case.evidence_add", do_evidence, (void *)text, NULL);
}

static int do_assign(struct fq_req *r, struct fq_dbc *c, void *arg, json_t **detail)
{
	*detail = json_pack("{s:s}", "officer_id", (const char *)arg);
	return fq_case_assign(c, r->params[0], arg, r->user->user_id, fq_now_ms(), &r->err);
}

static int post_assign(struct fq_req *r)
{
	static const char *const keys[] = {"officer_id", NULL};
	const char *officer = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "officer_id", FQ_JSON_REQUIRED, 36, &officer, &r->err)))
		return rc;
	return write_case(r, "case.assign", do_assign, (void *)officer, NULL);
}

static int get_similar(struct fq_req *r)
{
	const char *limit_s = nonempty(fq_req_query(r, "limit"));
	const char *min_s = nonempty(fq_req_query(r, "min_score"));
	double min_score = FQ_LINKAGE_MIN_SCORE;
	long limit = 10;
	struct fq_dbc *c;
	json_t *out = NULL;
	char *end;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)))
		return rc;
	if (limit_s) {
		limit = strtol(limit_s, &end, 10);
		if (*end || limit < 1 || limit > FQ_LINKAGE_LIMIT_MAX)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "limit",
					  "limit 应在 1 至 %d 之间", FQ_LINKAGE_LIMIT_MAX);
	}
	if (min_s) {
		min_score = strtod(min_s, &end);
		if (*end || !(min_score >= 0 && min_score <= 1))
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "min_score",
					  "min_score 应在 0 至 1 之间");
	}
	c = fq_db_acquire(r->db);
	rc = case_scope(r, c, r->params[0]);
	/* Candidates come from the caller's whole scope: an analyst's covers several stations. */
	if (!rc)
		rc = fq_linkage_candidates(c, r->params[0], r->user->unit_path, (int)limit,
					   min_score, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_types(struct fq_req *r)
{
	json_t *types = json_array(), *kinds = json_array();
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ))) {
		json_decref(types);
		json_decref(kinds);
		return rc;
	}
	for (int i = 0; fq_case_types[i].code; i++) {
		const struct fq_case_type *t = &fq_case_types[i];
		json_array_append_new(
		    types,
		    json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?, s:s?, s:s}", "code", t->code,
			      "label", t->label, "group", t->group, "group_label",
			      fq_case_group_label(t->group), "station_handles", t->station_handles,
			      "transfer_kind", t->transfer_kind, "transfer_kind_label",
			      t->transfer_kind ? fq_transfer_kind_label(t->transfer_kind) : NULL,
			      "law", t->law));
	}
	for (int i = 0; fq_transfer_kinds[i].code; i++)
		json_array_append_new(kinds,
				      json_pack("{s:s, s:s}", "code", fq_transfer_kinds[i].code,
						"label", fq_transfer_kinds[i].label));
	const struct fq_case_deadlines *d = fq_case_deadlines();
	return fq_req_reply(
	    r, 200,
	    json_pack("{s:o, s:o, s:{s:f, s:f, s:f, s:f}}", "types", types, "receiver_kinds", kinds,
		      "deadlines", "decide_days", d->decide_ms / 86400000.0, "conclude_days",
		      d->conclude_ms / 86400000.0, "extend_days", d->extend_ms / 86400000.0,
		      "transfer_days", d->transfer_ms / 86400000.0));
}

static int get_kpi(struct fq_req *r)
{
	const char *unit = nonempty(fq_req_query(r, "unit"));
	char path[FQ_UNIT_PATH_MAX];
	int64_t from = 0, to = 0;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)) || (rc = query_time(r, "from", 1, &from)) ||
	    (rc = query_time(r, "to", 1, &to)))
		return rc;
	if (!unit)
		unit = r->user->unit_code;
	c = fq_db_acquire(r->db);
	rc = fq_unit_path(c, unit, path, &r->err);
	if (rc == FQ_ENOTFOUND || !rc)
		rc = fq_req_require_scope(r, rc ? "" : path);
	if (!rc)
		rc = fq_case_kpi_json(c, unit, from, to, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- transfers ---- */

static const char *const transfer_keys[] = {
    "case_id",	     "clue_text", "clue_source", "incident_id",	   "unit", "receiver_name",
    "receiver_kind", "items",	  "note",	 "transferred_at", NULL};

static int parse_transfer(struct fq_req *r, struct fq_transfer_new *in)
{
	int rc;

	memset(in, 0, sizeof(*in));
	if ((rc = fq_json_only_keys(r->body, transfer_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "case_id", FQ_JSON_OPTIONAL, 36, &in->case_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "clue_text", FQ_JSON_OPTIONAL, FQ_CASE_TEXT_MAX,
				  &in->clue_text, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "clue_source", FQ_JSON_OPTIONAL, 100, &in->clue_source,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "incident_id", FQ_JSON_OPTIONAL, 36, &in->incident_id,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1,
				  &in->unit, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "receiver_name", FQ_JSON_REQUIRED, 100,
				  &in->receiver_name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "receiver_kind", FQ_JSON_REQUIRED, 32,
				  &in->receiver_kind, &r->err)) ||
	    (rc = fq_json_get_str_array(r->body, "items", FQ_JSON_REQUIRED, FQ_TRANSFER_ITEMS_MAX,
					&in->items, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_OPTIONAL, FQ_CASE_TEXT_MAX, &in->note,
				  &r->err)) ||
	    (rc = opt_time(r, r->body, "transferred_at", "transferred_at", &in->transferred_at)))
		return rc;
	in->scope_path = r->user->unit_path;
	in->actor_unit = r->user->unit_code;
	in->actor_id = r->user->user_id;
	in->now_ms = fq_now_ms();
	return 0;
}

static int create_transfer(struct fq_req *r, struct fq_transfer_new *in)
{
	char id[37], number[FQ_NUMBER_MAX];
	struct fq_dbc *c = fq_db_acquire(r->db);
	json_t *out = NULL, *kase = NULL;
	int rc;

	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out;
	rc = fq_transfer_create(c, in, id, number, &r->err);
	if (!rc)
		rc = fq_transfer_json(c, id, &out, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_CASE_MANAGE, "transfer.create", "transfer", id, NULL,
				  json_pack("{s:s, s:O, s:O, s:O, s:O}", "number", number, "kind",
					    json_object_get(out, "kind"), "case_id",
					    json_object_get(out, "case_id"), "receiver_kind",
					    json_object_get(out, "receiver_kind"), "receiver_name",
					    json_object_get(out, "receiver_name")));
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (!rc && in->case_id && !in->clue_text)
		rc = fq_case_json(c, in->case_id, 0, 1, 0, &kase, &r->err);
out:
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(out);
		return rc;
	}
	fq_req_publish(r, "transfer.created", FQ_ACT_CASE_READ, out, NULL);
	if (kase) {
		fq_req_publish(r, "case.updated", FQ_ACT_CASE_READ, kase, NULL);
		json_decref(kase);
	}
	return fq_req_reply(r, 201, json_pack("{s:o}", "transfer", out));
}

static int post_transfer(struct fq_req *r)
{
	struct fq_transfer_new in;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) || (rc = parse_transfer(r, &in)))
		return rc;
	return create_transfer(r, &in);
}

/* POST /cases/:id/transfers: the case's own transfer (no clue members). */
static int post_case_transfer(struct fq_req *r)
{
	struct fq_transfer_new in;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)))
		return rc;
	if (json_object_get(r->body, "case_id") || json_object_get(r->body, "clue_text"))
		return fq_err_set(
		    &r->err, FQ_EINVAL, "unknown_field",
		    json_object_get(r->body, "case_id") ? "case_id" : "clue_text",
		    "案件移交不需要 case_id 或 clue_text：线索请用 POST /api/v1/transfers");
	if ((rc = parse_transfer(r, &in)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = case_scope(r, c, r->params[0]);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	in.case_id = r->params[0];
	return create_transfer(r, &in);
}

static int list_transfers(struct fq_req *r)
{
	struct fq_transfer_query q = {0};
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	q.scope_path = r->user->unit_path;
	q.kind = nonempty(fq_req_query(r, "kind"));
	q.status = nonempty(fq_req_query(r, "status"));
	c = fq_db_acquire(r->db);
	rc = fq_transfer_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int transfer_scope(struct fq_req *r, struct fq_dbc *c)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_transfer_unit_path(c, r->params[0], path, &r->err);
	return rc ? rc : fq_req_require_scope(r, path);
}

static int get_transfer(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = transfer_scope(r, c);
	if (!rc)
		rc = fq_transfer_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	/* What was handed over may name people: the read is audited. */
	if (!rc && (rc = fq_req_audit_read(r, "transfer", r->params[0], NULL)))
		json_decref(out);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "transfer", out));
}

static int transfer_step(struct fq_req *r, int feedback)
{
	static const char *const ack_keys[] = {"version", "by", "at", NULL};
	static const char *const fb_keys[] = {"version", "result", "at", NULL};
	const char *text = NULL;
	int64_t version = 0, at = 0;
	struct fq_dbc *c;
	json_t *out = NULL, *kase = NULL;
	const char *case_id;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, feedback ? fb_keys : ack_keys, &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, &version,
				  NULL, &r->err)) ||
	    (rc = fq_json_get_str(r->body, feedback ? "result" : "by", FQ_JSON_REQUIRED,
				  feedback ? FQ_CASE_TEXT_MAX : 50, &text, &r->err)) ||
	    (rc = opt_time(r, r->body, "at", "at", &at)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = transfer_scope(r, c);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = feedback ? fq_transfer_feedback(c, r->params[0], text, at, version,
						     r->user->user_id, fq_now_ms(), &r->err)
			      : fq_transfer_acknowledge(c, r->params[0], text, at, version,
							r->user->user_id, fq_now_ms(), &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_CASE_MANAGE,
					  feedback ? "transfer.feedback" : "transfer.acknowledge",
					  "transfer", r->params[0], NULL,
					  json_pack("{s:s}", feedback ? "result" : "by", text));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	if (!rc)
		rc = fq_transfer_json(c, r->params[0], &out, &r->err);
	case_id = out ? json_string_value(json_object_get(out, "case_id")) : NULL;
	if (!rc && case_id && fq_case_json(c, case_id, 0, 1, 0, &kase, &r->err) != 0)
		kase = NULL;
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "transfer.updated", FQ_ACT_CASE_READ, out, NULL);
	if (kase) {
		fq_req_publish(r, "case.updated", FQ_ACT_CASE_READ, kase, NULL);
		json_decref(kase);
	}
	return fq_req_reply(r, 200, json_pack("{s:o}", "transfer", out));
}

static int post_ack(struct fq_req *r)
{
	return transfer_step(r, 0);
}

static int post_feedback(struct fq_req *r)
{
	return transfer_step(r, 1);
}

/* ---- series ---- */

static int post_series(struct fq_req *r)
{
	static const char *const keys[] = {"name", "reason", "case_ids", NULL};
	struct fq_series_new in = {0};
	char id[37], number[FQ_NUMBER_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_REQUIRED, FQ_CASE_TITLE_MAX, &in.name,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, FQ_CASE_TEXT_MAX, &in.reason,
				  &r->err)) ||
	    (rc = fq_json_get_str_array(r->body, "case_ids", FQ_JSON_REQUIRED,
					FQ_SERIES_MEMBERS_MAX, &in.case_ids, &r->err)))
		return rc;
	in.unit = r->user->unit_code;
	in.scope_path = r->user->unit_path;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out;
	rc = fq_series_create(c, &in, id, number, &r->err);
	if (!rc)
		rc = fq_series_json(c, id, &out, &r->err);
	if (!rc)
		rc = fq_req_audit(
		    r, c, FQ_ACT_CASE_MANAGE, "series.create", "case_series", id, in.reason,
		    json_pack("{s:s, s:O}", "number", number, "case_ids", in.case_ids));
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
out:
	fq_db_release(r->db, c);
	if (rc) {
		json_decref(out);
		return rc;
	}
	fq_req_publish(r, "series.created", FQ_ACT_CASE_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "series", out));
}

static int get_series(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_series_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (!rc)
		rc = fq_series_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "series", out));
}

static int list_series(struct fq_req *r)
{
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CASE_READ)) || (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_series_list(c, r->user->unit_path, page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- escalation ---- */

static int audit_escalation(void *arg, struct fq_dbc *c, const struct fq_case_escalation *e,
			    struct fq_err *err)
{
	char due[FQ_RFC3339_MAX];
	struct fq_audit_entry a = {
	    .username = "system",
	    .unit_code = e->unit_code,
	    .action = "case.escalate",
	    .object_type = "case",
	    .object_id = e->case_id,
	    .client = "server",
	    .outcome = "ok",
	    .reason = "overdue",
	};
	json_t *detail;
	char *text;
	int rc;

	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", e->case_id,
					     "number", e->number, "unit", e->unit_code, "step",
					     e->step, "escalated", 1));
	fq_time_format_cst(e->due_at, due);
	detail = json_pack("{s:s, s:s, s:s, s:s?}", "number", e->number, "step", e->step, "due_at",
			   due, "escalated_to", e->chief_id);
	text = json_dumps(detail, FQ_JSON_DUMP_FLAGS | JSON_SORT_KEYS);
	json_decref(detail);
	a.detail = text;
	rc = fq_audit_append(c, &a, e->at, NULL, err);
	free(text);
	return rc;
}

int fq_case_escalation_tick(struct fq_db *db, int64_t now_ms, int *escalated, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	json_t *done = json_array(), *item;
	char path[FQ_UNIT_PATH_MAX];
	size_t i;
	int rc = fq_case_escalate_overdue(c, now_ms, audit_escalation, done, escalated, err);

	json_array_foreach(done, i, item)
	{
		struct fq_err perr = FQ_ERR_INIT;
		if (!rc && fq_unit_path(c, json_string_value(json_object_get(item, "unit")), path,
					&perr) == 0)
			(void)fq_events_publish_summary("case.updated", path, FQ_ACT_CASE_READ,
							item);
	}
	json_decref(done);
	fq_db_release(db, c);
	return rc;
}

const struct fq_route fq_case_routes[] = {
    {"GET", "/api/v1/cases", list_cases, 0},
    {"POST", "/api/v1/cases", post_case, 0},
    {"GET", "/api/v1/case-types", get_types, 0},
    {"GET", "/api/v1/cases/:id", get_case, 0},
    {"POST", "/api/v1/cases/:id/investigate", post_investigate, 0},
    {"POST", "/api/v1/cases/:id/solve", post_solve, 0},
    {"POST", "/api/v1/cases/:id/close", post_close, 0},
    {"POST", "/api/v1/cases/:id/reopen", post_reopen, 0},
    {"POST", "/api/v1/cases/:id/extend", post_extend, 0},
    {"POST", "/api/v1/cases/:id/assign", post_assign, 0},
    {"POST", "/api/v1/cases/:id/parties", post_party, 0},
    {"POST", "/api/v1/cases/:id/losses", post_loss, 0},
    {"POST", "/api/v1/cases/:id/recoveries", post_recovery, 0},
    {"POST", "/api/v1/cases/:id/evidence", post_evidence, 0},
    {"POST", "/api/v1/cases/:id/transfers", post_case_transfer, 0},
    {"GET", "/api/v1/cases/:id/similar", get_similar, 0},
    {"GET", "/api/v1/transfers", list_transfers, 0},
    {"POST", "/api/v1/transfers", post_transfer, 0},
    {"GET", "/api/v1/transfers/:id", get_transfer, 0},
    {"POST", "/api/v1/transfers/:id/acknowledge", post_ack, 0},
    {"POST", "/api/v1/transfers/:id/feedback", post_feedback, 0},
    {"GET", "/api/v1/case-series", list_series, 0},
    {"POST", "/api/v1/case-series", post_series, 0},
    {"GET", "/api/v1/case-series/:id", get_series, 0},
    {"GET", "/api/v1/kpi/cases", get_kpi, 0},
    {NULL, NULL, NULL, 0},
};
