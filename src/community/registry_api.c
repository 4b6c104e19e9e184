/*
 * The API of the community registries: people, houses (with rentals),
 * organisations and venues.
 *
 * Rights (docs/community.md has the matrix): reading people needs
 * person.read, houses and organisations registry.read, writing
 * registry.write, revealing identifiers person.reveal and a reason.
 * Scope: a record is visible when its unit lies under the user's unit;
 * otherwise it answers 404 like a missing one. Identifiers are masked in
 * every answer but the reveal's; addresses are masked for roles without
 * address.read; the "concern" category is shown only with person.concern.
 * Every answer with one person's details is audited (person.read), a
 * reveal with its reason (person.reveal); every write in its transaction.
 */
#include "http/api.h"

#include <stdlib.h>
#include <string.h>

#include "community/registry.h"
#include "community/registry_export.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/export_reply.h"
#include "core/banned.h"

/* Shortest reason accepted for a reveal, in characters. */
#define REVEAL_REASON_MIN 4
#define REVEAL_REASON_MAX 200

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void actor_of(struct fq_req *r, struct fq_actor *a)
{
	a->user_id = r->user->user_id;
	a->unit_code = r->user->unit_code;
	a->scope_path = r->user->unit_path;
	a->see_concern = fq_roles_can(r->user->roles, FQ_ACT_PERSON_CONCERN);
	a->now_ms = fq_now_ms();
}

static void view_of(struct fq_req *r, int reveal, struct fq_registry_view *v)
{
	v->reveal = reveal;
	v->full_address = reveal || fq_roles_can(r->user->roles, FQ_ACT_ADDRESS_READ);
	v->see_concern = fq_roles_can(r->user->roles, FQ_ACT_PERSON_CONCERN);
}

/* What the audit log keeps of a write: the changed members' names, never their values. */
static json_t *changed_keys(json_t *body)
{
	json_t *keys = json_array(), *v;
	const char *k;

	json_object_foreach(body, k, v)
	{
		(void)v;
		if (strcmp(k, "version") != 0)
			json_array_append_new(keys, json_string(k));
	}
	return json_pack("{s:o}", "fields", keys);
}

/* ---- people ---- */

/* The filters of the people list and its export. */
static void people_query(struct fq_req *r, struct fq_person_query *q)
{
	q->scope_path = r->user->unit_path;
	q->q = nonempty(fq_req_query(r, "q"));
	q->category = nonempty(fq_req_query(r, "category"));
	q->house_id = nonempty(fq_req_query(r, "house_id"));
	q->unit = nonempty(fq_req_query(r, "unit"));
	q->sort = nonempty(fq_req_query(r, "sort"));
}

static int list_people(struct fq_req *r)
{
	struct fq_person_query q = {0};
	struct fq_registry_view v;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_PERSON_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	view_of(r, 0, &v);
	people_query(r, &q);
	c = fq_db_acquire(r->db);
	rc = fq_person_list(c, &q, &v, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int post_person(struct fq_req *r)
{
	struct fq_person_in in;
	struct fq_registry_view v;
	struct fq_actor a;
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL, *warnings = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)))
		return rc;
	actor_of(r, &a);
	view_of(r, 0, &v);
	if ((rc = fq_person_parse(r->body, 1, a.now_ms, &in, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_person_create(c, &in, &a, id, &warnings, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "person.create", "person", id, NULL,
				  changed_keys(r->body));
	if (!rc)
		rc = fq_person_json(c, id, &v, &out, &r->err);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc) {
		json_decref(out);
		json_decref(warnings);
	}
out_release:
	fq_db_release(r->db, c);
	return rc ? rc
		  : fq_req_reply(r, 201,
				 json_pack("{s:o, s:o}", "person", out, "warnings", warnings));
}

/* The person's unit path, and 404 when outside the user's scope. */
static int person_in_scope(struct fq_req *r, struct fq_dbc *c)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_person_unit_path(c, r->params[0], path, &r->err);
	return rc ? rc : fq_req_require_scope(r, path);
}

static int get_person(struct fq_req *r)
{
	struct fq_registry_view v;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_PERSON_READ)))
		return rc;
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	rc = person_in_scope(r, c);
	if (!rc)
		rc = fq_person_json(c, r->params[0], &v, &out, &r->err);
	fq_db_release(r->db, c);
	if (!rc && (rc = fq_req_audit_read(r, "person", r->params[0], NULL)))
		json_decref(out);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "person", out));
}

static int patch_person(struct fq_req *r)
{
	struct fq_person_in in;
	struct fq_registry_view v;
	struct fq_actor a;
	struct fq_dbc *c;
	json_t *out = NULL, *warnings = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)))
		return rc;
	actor_of(r, &a);
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	if ((rc = person_in_scope(r, c)) ||
	    (rc = fq_person_parse(r->body, 0, a.now_ms, &in, &r->err)) ||
	    (rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_person_update(c, r->params[0], &in, &a, &warnings, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "person.update", "person",
				  r->params[0], NULL, changed_keys(r->body));
	if (!rc)
		rc = fq_person_json(c, r->params[0], &v, &out, &r->err);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc) {
		json_decref(out);
		json_decref(warnings);
	}
out_release:
	fq_db_release(r->db, c);
	return rc ? rc
		  : fq_req_reply(r, 200,
				 json_pack("{s:o, s:o}", "person", out, "warnings", warnings));
}

static const char *const reveal_keys[] = {"reason", NULL};

static int post_reveal(struct fq_req *r)
{
	struct fq_registry_view v;
	const char *reason = NULL;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_PERSON_REVEAL)) ||
	    (rc = fq_json_only_keys(r->body, reveal_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "reason", FQ_JSON_REQUIRED, REVEAL_REASON_MAX, &reason,
				  &r->err)))
		return rc;
	if (fq_utf8_chars(reason) < REVEAL_REASON_MIN)
		return fq_err_set(&r->err, FQ_EINVAL, "too_short", "reason",
				  "请说明查看原因（至少 %d 个字）", REVEAL_REASON_MIN);
	view_of(r, 1, &v);
	c = fq_db_acquire(r->db);
	rc = person_in_scope(r, c);
	if (!rc)
		rc = fq_person_json(c, r->params[0], &v, &out, &r->err);
	fq_db_release(r->db, c);
	/* The audit entry first: no unmasked answer without its record. */
	if (!rc && (rc = fq_req_audit_read(r, "person", r->params[0], reason)))
		json_decref(out);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "person", out));
}

/* ---- houses ---- */

/* The filters of the house list and its export (expiring: 0 or 1). */
static int house_query(struct fq_req *r, struct fq_house_query *q)
{
	const char *expiring = nonempty(fq_req_query(r, "expiring"));

	q->scope_path = r->user->unit_path;
	q->q = nonempty(fq_req_query(r, "q"));
	q->use = nonempty(fq_req_query(r, "use"));
	q->unit = nonempty(fq_req_query(r, "unit"));
	q->sort = nonempty(fq_req_query(r, "sort"));
	if (expiring && strcmp(expiring, "0") != 0 && strcmp(expiring, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "expiring",
				  "expiring 应为 0 或 1");
	q->expiring = expiring && expiring[0] == '1';
	return 0;
}

static int list_houses(struct fq_req *r)
{
	struct fq_house_query q = {0};
	struct fq_registry_view v;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	if ((rc = house_query(r, &q)))
		return rc;
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	rc = fq_house_list(c, &q, &v, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int house_in_scope(struct fq_req *r, struct fq_dbc *c)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_house_unit_path(c, r->params[0], path, &r->err);
	return rc ? rc : fq_req_require_scope(r, path);
}

static int post_house(struct fq_req *r)
{
	struct fq_house_in in;
	struct fq_registry_view v;
	struct fq_actor a;
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)) ||
	    (rc = fq_house_parse(r->body, 1, &in, &r->err)))
		return rc;
	actor_of(r, &a);
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_house_create(c, &in, &a, id, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "house.create", "house", id, NULL,
				  changed_keys(r->body));
	if (!rc)
		rc = fq_house_json(c, id, &v, &out, &r->err);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc)
		json_decref(out);
out_release:
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "house", out));
}

static int get_house(struct fq_req *r)
{
	struct fq_registry_view v;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)))
		return rc;
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	rc = house_in_scope(r, c);
	if (!rc)
		rc = fq_house_json(c, r->params[0], &v, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "house", out));
}

static int patch_house(struct fq_req *r)
{
	struct fq_house_in in;
	struct fq_registry_view v;
	struct fq_actor a;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)))
		return rc;
	actor_of(r, &a);
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	if ((rc = house_in_scope(r, c)) || (rc = fq_house_parse(r->body, 0, &in, &r->err)) ||
	    (rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_house_update(c, r->params[0], &in, &a, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "house.update", "house",
				  r->params[0], NULL, changed_keys(r->body));
	if (!rc)
		rc = fq_house_json(c, r->params[0], &v, &out, &r->err);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc)
		json_decref(out);
out_release:
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "house", out));
}

static int post_rental(struct fq_req *r)
{
	struct fq_registry_view v;
	struct fq_actor a;
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)))
		return rc;
	actor_of(r, &a);
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	if ((rc = house_in_scope(r, c)) || (rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_rental_create(c, r->params[0], r->body, &a, id, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "rental.create", "rental", id, NULL,
				  json_pack("{s:s, s:O}", "house_id", r->params[0], "tenant_ids",
					    json_object_get(r->body, "tenant_ids")));
	if (!rc)
		rc = fq_house_json(c, r->params[0], &v, &out, &r->err);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc)
		json_decref(out);
out_release:
	fq_db_release(r->db, c);
	return rc ? rc
		  : fq_req_reply(r, 201, json_pack("{s:s, s:o}", "rental_id", id, "house", out));
}

/* ---- organisations and venues ---- */

/*
 * The filters of the organisation list and its export: q, type, regulated
 * (0 or 1), unit, sort, and group: regulated (重点行业), small (九小场所),
 * school, enterprise or other, which sets the type or regulated filter.
 */
static int org_query(struct fq_req *r, struct fq_org_query *q)
{
	const char *reg = nonempty(fq_req_query(r, "regulated"));
	const char *group = nonempty(fq_req_query(r, "group"));

	if (reg && strcmp(reg, "0") != 0 && strcmp(reg, "1") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "regulated",
				  "regulated 应为 0 或 1");
	q->scope_path = r->user->unit_path;
	q->q = nonempty(fq_req_query(r, "q"));
	q->type = nonempty(fq_req_query(r, "type"));
	q->regulated = reg ? reg[0] - '0' : -1;
	q->unit = nonempty(fq_req_query(r, "unit"));
	q->sort = nonempty(fq_req_query(r, "sort"));
	if (!group)
		return 0;
	if (strcmp(group, "regulated") == 0)
		q->regulated = 1;
	else if (strcmp(group, "small") == 0)
		q->small = 1;
	else if (strcmp(group, "school") == 0 || strcmp(group, "enterprise") == 0 ||
		 strcmp(group, "other") == 0)
		q->type = group;
	else
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "group",
				  "group 应为 regulated、small、school、enterprise 或 other");
	return 0;
}

static int list_orgs(struct fq_req *r)
{
	struct fq_org_query q = {0};
	struct fq_registry_view v;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)) || (rc = org_query(r, &q)))
		return rc;
	view_of(r, 0, &v);
	c = fq_db_acquire(r->db);
	rc = fq_org_list(c, &q, &v, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int org_in_scope(struct fq_req *r, struct fq_dbc *c)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_org_unit_path(c, r->params[0], path, &r->err);
	return rc ? rc : fq_req_require_scope(r, path);
}

/* Responsible persons' phones are shown to the roles that may reveal people's. */
static void org_view(struct fq_req *r, struct fq_registry_view *v)
{
	view_of(r, fq_roles_can(r->user->roles, FQ_ACT_PERSON_REVEAL), v);
}

static int post_org(struct fq_req *r)
{
	struct fq_org_in in;
	struct fq_registry_view v;
	struct fq_actor a;
	char id[37];
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)) ||
	    (rc = fq_org_parse(r->body, 1, &in, &r->err)))
		return rc;
	actor_of(r, &a);
	org_view(r, &v);
	c = fq_db_acquire(r->db);
	if ((rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_org_create(c, &in, &a, id, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "organisation.create",
				  "organisation", id, NULL, changed_keys(r->body));
	if (!rc)
		rc = fq_org_json(c, id, &v, &out, &r->err);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc)
		json_decref(out);
out_release:
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "organisation", out));
}

static int get_org(struct fq_req *r)
{
	struct fq_registry_view v;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_READ)))
		return rc;
	org_view(r, &v);
	c = fq_db_acquire(r->db);
	rc = org_in_scope(r, c);
	if (!rc)
		rc = fq_org_json(c, r->params[0], &v, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "organisation", out));
}

static int patch_org(struct fq_req *r)
{
	struct fq_org_in in;
	struct fq_registry_view v;
	struct fq_actor a;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_REGISTRY_WRITE)))
		return rc;
	actor_of(r, &a);
	org_view(r, &v);
	c = fq_db_acquire(r->db);
	if ((rc = org_in_scope(r, c)) || (rc = fq_org_parse(r->body, 0, &in, &r->err)) ||
	    (rc = fq_dbc_begin(c, 1, &r->err)))
		goto out_release;
	rc = fq_org_update(c, r->params[0], &in, &a, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_REGISTRY_WRITE, "organisation.update",
				  "organisation", r->params[0], NULL, changed_keys(r->body));
	if (!rc)
		rc = fq_org_json(c, r->params[0], &v, &out, &r->err);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	if (rc)
		json_decref(out);
out_release:
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "organisation", out));
}

/* ---- exports ---- */

enum export_kind { EXPORT_PEOPLE, EXPORT_HOUSES, EXPORT_ORGS };

/*
 * GET /api/v1/{people,houses,organisations}/export?format=csv|xlsx with the
 * list's filters: the rows masked as the list masks them, the export
 * audited (registry.export with the filters and the row count) before the
 * file is sent.
 */
static int export_registry(struct fq_req *r, enum export_kind k)
{
	static const char *const ascii[] = {"people", "houses", "organisations"};
	static const char *const zh[] = {"人口信息", "房屋信息", "单位场所"};
	static const char *const objects[] = {"person", "house", "organisation"};
	const char *format = fq_req_query(r, "format");
	struct fq_person_query pq = {0};
	struct fq_house_query hq = {0};
	struct fq_org_query oq = {0};
	struct fq_registry_view v;
	size_t cap = fq_export_row_cap(FQ_REGISTRY_EXPORT_MAX_ROWS), len = 0, rows = 0;
	char *data = NULL;
	struct fq_dbc *c;
	int f, rc;

	if ((rc =
		 fq_req_require(r, k == EXPORT_PEOPLE ? FQ_ACT_PERSON_READ : FQ_ACT_REGISTRY_READ)))
		return rc;
	if ((f = fq_export_format_from_code(format)) < 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "format",
				  "导出格式 format 应为 csv 或 xlsx");
	if (k == EXPORT_PEOPLE)
		people_query(r, &pq);
	else if (k == EXPORT_HOUSES && (rc = house_query(r, &hq)))
		return rc;
	else if (k == EXPORT_ORGS && (rc = org_query(r, &oq)))
		return rc;
	view_of(r, 0, &v); /* as the lists show them */
	c = fq_db_acquire(r->db);
	rc = k == EXPORT_PEOPLE ? fq_person_export(c, &pq, &v, (enum fq_export_format)f, cap, &data,
						   &len, &rows, &r->err)
	     : k == EXPORT_HOUSES ? fq_house_export(c, &hq, &v, (enum fq_export_format)f, cap,
						    &data, &len, &rows, &r->err)
				  : fq_org_export(c, &oq, &v, (enum fq_export_format)f, cap, &data,
						  &len, &rows, &r->err);
	if (!rc) {
		struct fq_export_file file = {(enum fq_export_format)f, ascii[k], zh[k], data, len};
		static const char *const keys[] = {"q",	   "category",	"house_id", "use",
						   "type", "regulated", "group",    "unit",
						   "sort", "expiring",	NULL};
		json_t *filters = json_object();
		for (int i = 0; keys[i]; i++)
			if (nonempty(fq_req_query(r, keys[i])))
				json_object_set_new(filters, keys[i],
						    json_string(fq_req_query(r, keys[i])));
		data = NULL;
		rc = fq_req_export_reply(
		    r, c, k == EXPORT_PEOPLE ? FQ_ACT_PERSON_READ : FQ_ACT_REGISTRY_READ,
		    k == EXPORT_PEOPLE	 ? "person.export"
		    : k == EXPORT_HOUSES ? "house.export"
					 : "organisation.export",
		    objects[k],
		    json_pack("{s:s, s:o, s:s, s:I, s:b}", "format",
			      fq_export_extension((enum fq_export_format)f), "filters", filters,
			      "scope", r->user->unit_path, "rows", (json_int_t)rows, "masked",
			      !v.reveal),
		    &file);
	}
	fq_db_release(r->db, c);
	free(data);
	return rc;
}

static int export_people(struct fq_req *r)
{
	return export_registry(r, EXPORT_PEOPLE);
}

static int export_houses(struct fq_req *r)
{
	return export_registry(r, EXPORT_HOUSES);
}

static int export_orgs(struct fq_req *r)
{
	return export_registry(r, EXPORT_ORGS);
}

const struct fq_route fq_community_routes[] = {
    {"GET", "/api/v1/people", list_people, 0},
    {"POST", "/api/v1/people", post_person, 0},
    {"GET", "/api/v1/people/export", export_people, 0},
    {"GET", "/api/v1/people/:id", get_person, 0},
    {"PATCH", "/api/v1/people/:id", patch_person, 0},
    {"POST", "/api/v1/people/:id/reveal", post_reveal, 0},
    {"GET", "/api/v1/houses", list_houses, 0},
    {"POST", "/api/v1/houses", post_house, 0},
    {"GET", "/api/v1/houses/export", export_houses, 0},
    {"GET", "/api/v1/houses/:id", get_house, 0},
    {"PATCH", "/api/v1/houses/:id", patch_house, 0},
    {"POST", "/api/v1/houses/:id/rentals", post_rental, 0},
    {"GET", "/api/v1/organisations", list_orgs, 0},
    {"POST", "/api/v1/organisations", post_org, 0},
    {"GET", "/api/v1/organisations/export", export_orgs, 0},
    {"GET", "/api/v1/organisations/:id", get_org, 0},
    {"PATCH", "/api/v1/organisations/:id", patch_org, 0},
    {NULL, NULL, NULL, 0},
};
