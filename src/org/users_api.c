/* User administration: /api/v1/users. */
#include "http/api.h"

#include <string.h>

#include "core/json.h"
#include "http/session.h"
#include "org/users.h"
#include "core/banned.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* Load a user the caller may see: outside the scope is "not found". */
static int load_in_scope(struct fq_req *r, struct fq_dbc *c, const char *id, struct fq_user *u)
{
	int rc = fq_user_load(c, id, u, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, u->unit_path);
	if (rc == FQ_ENOTFOUND)
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "用户不存在");
	return rc;
}

static int unit_in_scope(struct fq_req *r, struct fq_dbc *c, const char *code)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc = fq_unit_path(c, code, path, &r->err);
	if (!rc && !fq_scope_covers(r->user->unit_path, path))
		rc = FQ_ENOTFOUND;
	if (rc == FQ_ENOTFOUND)
		return fq_err_set(&r->err, FQ_EINVAL, "unknown_unit", "unit",
				  "单位不存在或不在您的管辖范围内：%s", code);
	return rc;
}

static int list_users(struct fq_req *r)
{
	struct fq_user_query q = {0};
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_USER_READ)) ||
	    (rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	q.scope_path = r->user->unit_path;
	q.q = nonempty(fq_req_query(r, "q"));
	q.unit_code = nonempty(fq_req_query(r, "unit"));
	q.sort = nonempty(fq_req_query(r, "sort"));
	c = fq_db_acquire(r->db);
	rc = fq_user_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/*
 * GET /api/v1/staff: the colleagues a signed-in user may pick when assigning
 * work, inside their scope. Every role may read it (names, roles and units of
 * staff, nothing personal); user.read is not needed.
 */
static int list_staff(struct fq_req *r)
{
	struct fq_staff_query q = {0};
	const char *role = nonempty(fq_req_query(r, "role"));
	const char *can = nonempty(fq_req_query(r, "can"));
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_page(r, &q.page, &q.per_page)))
		return rc;
	q.roles = ~0u;
	if (role) {
		int code = fq_role_from_code(role);
		if (code < 0)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "role",
					  "未知角色：%s", role);
		q.filtered = 1;
		q.roles &= FQ_ROLE_BIT(code);
	}
	if (can) {
		/* Roles granting the action, e.g. can=dispute.manage: who may be assigned it. */
		uint32_t granting = 0;
		int a = 0;
		while (a < FQ_ACT_COUNT && strcmp(fq_action_code((enum fq_action)a), can) != 0)
			a++;
		if (a == FQ_ACT_COUNT)
			return fq_err_set(&r->err, FQ_EINVAL, "invalid_query", "can",
					  "未知权限：%s", can);
		for (int k = 0; k < FQ_ROLE_COUNT; k++)
			if (fq_roles_can(FQ_ROLE_BIT(k), (enum fq_action)a))
				granting |= FQ_ROLE_BIT(k);
		q.filtered = 1;
		q.roles &= granting;
	}
	q.scope_path = r->user->unit_path;
	q.unit_code = nonempty(fq_req_query(r, "unit"));
	q.q = nonempty(fq_req_query(r, "q"));
	c = fq_db_acquire(r->db);
	rc = fq_staff_list(c, &q, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_user(struct fq_req *r)
{
	struct fq_user u;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_USER_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = load_in_scope(r, c, r->params[0], &u);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "user", fq_user_json(&u)));
}

static const char *const create_keys[] = {"username", "display_name", "password",
					  "roles",    "unit",	      NULL};

static int create_user(struct fq_req *r)
{
	char hash[128];
	struct fq_user_new in = {0};
	struct fq_user u;
	struct fq_dbc *c;
	json_t *roles;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_USER_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, create_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "username", FQ_JSON_REQUIRED, 32, &in.username,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "display_name", FQ_JSON_REQUIRED, 32, &in.display_name,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "password", FQ_JSON_REQUIRED, 256, &in.password,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_REQUIRED, 31, &in.unit_code, &r->err)))
		return rc;
	roles = json_object_get(r->body, "roles");
	if (!roles)
		return fq_err_set(&r->err, FQ_EINVAL, "missing_field", "roles",
				  "缺少必填字段：roles");
	if ((rc = fq_roles_parse_json(roles, &in.roles, "roles", &r->err)))
		return rc;
	if (!fq_username_valid(in.username))
		return fq_err_set(
		    &r->err, FQ_EINVAL, "invalid_username", "username",
		    "用户名应为 3–32 位小写字母、数字、点、下划线或连字符，并以字母开头");
	/* Hash before the write transaction: other writers need not wait for it. */
	if ((rc = fq_user_hash_password(in.username, in.password, "password", hash, &r->err)))
		return rc;
	in.password_hash = hash;
	c = fq_db_acquire(r->db);
	rc = unit_in_scope(r, c, in.unit_code);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_user_create(c, &in, r->user->user_id, &u, &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_USER_MANAGE, "user.create", "user", u.id, NULL,
			    json_pack("{s:s, s:s, s:o}", "username", u.username, "unit",
				      u.unit_code, "roles", fq_roles_json(u.roles)));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "user", fq_user_json(&u)));
}

static const char *const patch_keys[] = {"display_name", "roles",   "unit",
					 "disabled",	 "version", NULL};

static int patch_user(struct fq_req *r)
{
	struct fq_user_patch p = {0};
	struct fq_user before, after;
	struct fq_dbc *c;
	json_t *roles;
	int present, rc;

	if ((rc = fq_req_require(r, FQ_ACT_USER_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, patch_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "display_name", FQ_JSON_OPTIONAL, 32, &p.display_name,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, 31, &p.unit_code, &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "disabled", FQ_JSON_OPTIONAL, &p.disabled, &present,
				   &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_REQUIRED, 1, INT64_MAX,
				  &p.expected_version, NULL, &r->err)))
		return rc;
	p.set_disabled = present;
	roles = json_object_get(r->body, "roles");
	if (roles) {
		if ((rc = fq_roles_parse_json(roles, &p.roles, "roles", &r->err)))
			return rc;
		p.set_roles = 1;
	}
	c = fq_db_acquire(r->db);
	rc = load_in_scope(r, c, r->params[0], &before);
	if (!rc && p.unit_code)
		rc = unit_in_scope(r, c, p.unit_code);
	if (!rc && strcmp(before.id, r->user->user_id) == 0 &&
	    ((p.set_disabled && p.disabled) ||
	     (p.set_roles && !(p.roles & FQ_ROLE_BIT(FQ_ROLE_ADMIN)))))
		rc = fq_err_set(&r->err, FQ_EUNPROC, "self_lockout", NULL,
				"不能停用自己或取消自己的管理员角色");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_user_update(c, before.id, &p, r->user->user_id, &after, &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_USER_MANAGE,
			    p.set_disabled && p.disabled ? "user.disable" : "user.update", "user",
			    before.id, NULL,
			    json_pack(
				"{s:o, s:o}", "before",
				json_pack("{s:s, s:s, s:o, s:b}", "display_name",
					  before.display_name, "unit", before.unit_code, "roles",
					  fq_roles_json(before.roles), "disabled", before.disabled),
				"after",
				json_pack("{s:s, s:s, s:o, s:b}", "display_name",
					  after.display_name, "unit", after.unit_code, "roles",
					  fq_roles_json(after.roles), "disabled", after.disabled)));
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_session_evict_user(before.id);
	return fq_req_reply(r, 200, json_pack("{s:o}", "user", fq_user_json(&after)));
}

static const char *const password_keys[] = {"password", NULL};

static int reset_password(struct fq_req *r)
{
	char hash[128];
	struct fq_user u;
	struct fq_dbc *c;
	const char *pw;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_USER_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, password_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "password", FQ_JSON_REQUIRED, 256, &pw, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = load_in_scope(r, c, r->params[0], &u);
	fq_db_release(r->db, c);
	if (!rc)
		rc = fq_user_hash_password(u.username, pw, "password", hash, &r->err);
	if (rc)
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_user_set_password_hash(c, u.id, hash, r->user->user_id, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_USER_MANAGE, "user.password_reset", "user",
					  u.id, NULL, NULL);
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_session_evict_user(u.id);
	return fq_req_reply(r, 200, json_pack("{s:b}", "ok", 1));
}

const struct fq_route fq_user_routes[] = {
    {"GET", "/api/v1/users", list_users, 0},
    {"GET", "/api/v1/staff", list_staff, 0},
    {"POST", "/api/v1/users", create_user, 0},
    {"GET", "/api/v1/users/:id", get_user, 0},
    {"PATCH", "/api/v1/users/:id", patch_user, 0},
    {"POST", "/api/v1/users/:id/password", reset_password, 0},
    {NULL, NULL, NULL, 0},
};
