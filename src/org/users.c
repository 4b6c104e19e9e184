#include "org/users.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "org/rights.h"
#include "org/password.h"
#include "core/banned.h"

int fq_username_valid(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	if (n < 3 || n > FQ_USERNAME_MAX || !(u[0] >= 'a' && u[0] <= 'z'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int add_role(const char *code, size_t n, uint32_t *set, const char *field,
		    struct fq_err *err)
{
	char buf[32];
	int r;
	if (n == 0 || n >= sizeof(buf))
		return fq_err_set(err, FQ_EINVAL, "unknown_role", field, "未知角色");
	memcpy(buf, code, n);
	buf[n] = '\0';
	r = fq_role_from_code(buf);
	if (r < 0)
		return fq_err_set(err, FQ_EINVAL, "unknown_role", field, "未知角色：%s", buf);
	*set |= FQ_ROLE_BIT(r);
	return 0;
}

int fq_roles_parse_json(json_t *arr, uint32_t *out, const char *field, struct fq_err *err)
{
	size_t i;
	json_t *v;
	int rc;

	*out = 0;
	if (!json_is_array(arr))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", field, "角色应为数组");
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			return fq_err_set(err, FQ_EINVAL, "invalid_type", field, "角色应为字符串");
		rc = add_role(json_string_value(v), json_string_length(v), out, field, err);
		if (rc)
			return rc;
	}
	if (!*out)
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "至少需要一个角色");
	return 0;
}

int fq_roles_parse_csv(const char *csv, uint32_t *out, const char *field, struct fq_err *err)
{
	const char *p = csv;
	int rc;

	*out = 0;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		rc = add_role(p, n, out, field, err);
		if (rc)
			return rc;
		p = comma ? comma + 1 : NULL;
		if (p && !*p)
			return fq_err_set(err, FQ_EINVAL, "unknown_role", field,
					  "角色列表以逗号结尾");
	}
	if (!*out)
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "至少需要一个角色");
	return 0;
}

json_t *fq_roles_json(uint32_t roles)
{
	json_t *a = json_array();
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if (roles & FQ_ROLE_BIT(r))
			json_array_append_new(a, json_string(fq_role_code(r)));
	return a;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static int check_display_name(const char *name, struct fq_err *err)
{
	if (!name || !*name || fq_utf8_chars(name) > FQ_DISPLAY_NAME_MAX)
		return fq_err_set(err, FQ_EINVAL, "invalid_display_name", "display_name",
				  "姓名不能为空且不超过 %d 个字符", FQ_DISPLAY_NAME_MAX);
	return 0;
}

static int write_roles(struct fq_dbc *c, const char *id, uint32_t roles, struct fq_err *err)
{
	int rc = fq_dbc_run(c, err, NULL, "DELETE FROM user_role WHERE user_id = ?", "t", id);
	for (int r = 0; !rc && r < FQ_ROLE_COUNT; r++)
		if (roles & FQ_ROLE_BIT(r))
			rc = fq_dbc_run(c, err, NULL,
					"INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
					id, fq_role_code(r));
	return rc;
}

int fq_user_create(struct fq_dbc *c, const struct fq_user_new *in, const char *actor_id,
		   struct fq_user *out, struct fq_err *err)
{
	char id[FQ_UUID_STR];
	char hash[FQ_PASSWORD_HASH_MAX];
	char path[FQ_UNIT_PATH_MAX];
	int64_t now = fq_now_ms();
	int rc;

	if (!fq_username_valid(in->username))
		return fq_err_set(
		    err, FQ_EINVAL, "invalid_username", "username",
		    "用户名应为 3–32 位小写字母、数字、点、下划线或连字符，并以字母开头");
	if ((rc = check_display_name(in->display_name, err)))
		return rc;
	if (!in->roles)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "roles", "至少需要一个角色");
	if (!in->unit_code)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "unit", "缺少所属单位");
	if ((rc = fq_unit_path(c, in->unit_code, path, err))) {
		if (rc == FQ_ENOTFOUND)
			return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit", "单位不存在：%s",
					  in->unit_code);
		return rc;
	}
	if (in->password_hash) {
		if (strlen(in->password_hash) >= sizeof(hash))
			return fq_err_set(err, FQ_EINVAL, "invalid_hash", "password",
					  "密码摘要无效");
		memcpy(hash, in->password_hash, strlen(in->password_hash) + 1);
	} else {
		if (!in->password)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "password", "缺少密码");
		if ((rc = fq_user_hash_password(in->username, in->password, "password", hash, err)))
			return rc;
	}
	fq_uuid7_str(id);
	rc =
	    fq_dbc_run(c, err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash, unit_code,"
		       " password_changed_at, created_at, created_by, updated_at, updated_by)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "tttttiitit", id, in->username, in->display_name, hash, in->unit_code, now,
		       now, actor_id, now, actor_id);
	if (rc == FQ_ECONFLICT)
		return fq_err_set(err, FQ_ECONFLICT, "username_taken", "username",
				  "用户名已存在：%s", in->username);
	if (rc)
		return rc;
	if ((rc = write_roles(c, id, in->roles, err)))
		return rc;
	return out ? fq_user_load(c, id, out, err) : 0;
}

#define USER_COLS                                                                                  \
	"u.id, u.username, u.display_name, u.unit_code, n.name, n.kind, n.path, u.disabled,"       \
	" u.failed_logins, u.locked_until, u.last_login_at, u.created_at, u.updated_at,"           \
	" u.version, u.password_hash"

static int load_roles(struct fq_dbc *c, struct fq_user *u, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT role FROM user_role WHERE user_id = ?", "t", u->id);
	if (rc)
		return rc;
	u->roles = 0;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		int r = fq_role_from_code(fq_stmt_text(st, 0));
		if (r >= 0)
			u->roles |= FQ_ROLE_BIT(r);
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static void fill_user(struct fq_stmt *st, struct fq_user *u)
{
	memset(u, 0, sizeof(*u));
	copy_str(u->id, sizeof(u->id), fq_stmt_text(st, 0));
	copy_str(u->username, sizeof(u->username), fq_stmt_text(st, 1));
	copy_str(u->display_name, sizeof(u->display_name), fq_stmt_text(st, 2));
	copy_str(u->unit_code, sizeof(u->unit_code), fq_stmt_text(st, 3));
	copy_str(u->unit_name, sizeof(u->unit_name), fq_stmt_text(st, 4));
	copy_str(u->unit_kind, sizeof(u->unit_kind), fq_stmt_text(st, 5));
	copy_str(u->unit_path, sizeof(u->unit_path), fq_stmt_text(st, 6));
	u->disabled = (int)fq_stmt_int(st, 7);
	u->failed_logins = (int)fq_stmt_int(st, 8);
	u->locked_until = fq_stmt_int(st, 9);
	u->last_login_at = fq_stmt_int(st, 10);
	u->created_at = fq_stmt_int(st, 11);
	u->updated_at = fq_stmt_int(st, 12);
	u->version = fq_stmt_int(st, 13);
}

static int load_one(struct fq_dbc *c, const char *sql, const char *key, struct fq_user *out,
		    char *hash, size_t hash_size, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, sql, "t", key);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		fill_user(st, out);
		if (hash)
			copy_str(hash, hash_size, fq_stmt_text(st, 14));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "user_not_found", NULL, "用户不存在");
	}
	fq_stmt_done(st);
	return rc ? rc : load_roles(c, out, err);
}

int fq_user_load(struct fq_dbc *c, const char *id, struct fq_user *out, struct fq_err *err)
{
	return load_one(c,
			"SELECT " USER_COLS " FROM app_user u JOIN unit n ON n.code = u.unit_code"
			" WHERE u.id = ?",
			id, out, NULL, 0, err);
}

int fq_user_load_by_name(struct fq_dbc *c, const char *username, struct fq_user *out, char *hash,
			 size_t hash_size, struct fq_err *err)
{
	return load_one(c,
			"SELECT " USER_COLS " FROM app_user u JOIN unit n ON n.code = u.unit_code"
			" WHERE u.username = ?",
			username, out, hash, hash_size, err);
}

int fq_user_revoke_sessions(struct fq_dbc *c, const char *id, struct fq_err *err)
{
	int rc = fq_dbc_run(c, err, NULL, "DELETE FROM user_session WHERE user_id = ?", "t", id);
	if (rc)
		return rc;
	return fq_dbc_run(
	    c, err, NULL,
	    "UPDATE app_user SET sessions_revoked_at = ?, updated_at = ? WHERE id = ?", "iit",
	    fq_now_ms(), fq_now_ms(), id);
}

int fq_user_update(struct fq_dbc *c, const char *id, const struct fq_user_patch *p,
		   const char *actor_id, struct fq_user *out, struct fq_err *err)
{
	struct fq_user cur;
	char path[FQ_UNIT_PATH_MAX];
	int64_t now = fq_now_ms(), changed = 0;
	int revoke = 0, rc;

	if ((rc = fq_user_load(c, id, &cur, err)))
		return rc;
	if (p->expected_version && p->expected_version != cur.version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该用户已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)cur.version);
	if (p->display_name && (rc = check_display_name(p->display_name, err)))
		return rc;
	if (p->unit_code && strcmp(p->unit_code, cur.unit_code) != 0) {
		if ((rc = fq_unit_path(c, p->unit_code, path, err)))
			return rc == FQ_ENOTFOUND
				   ? fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
						"单位不存在：%s", p->unit_code)
				   : rc;
		revoke = 1;
	}
	if (p->set_roles && !p->roles)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "roles", "至少需要一个角色");
	if (p->set_disabled && p->disabled && !cur.disabled)
		revoke = 1;
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE app_user SET display_name = COALESCE(?, display_name),"
			" unit_code = COALESCE(?, unit_code),"
			" disabled = CASE WHEN ? THEN ? ELSE disabled END,"
			" updated_at = ?, updated_by = ?, version = version + 1"
			" WHERE id = ? AND version = ?",
			"ttiiitti", p->display_name, p->unit_code, (int64_t)p->set_disabled,
			(int64_t)p->disabled, now, actor_id, id, cur.version);
	if (rc)
		return rc;
	if (!changed)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该用户已被他人修改，请刷新后重试");
	if (p->set_roles && (rc = write_roles(c, id, p->roles, err)))
		return rc;
	if (revoke && (rc = fq_user_revoke_sessions(c, id, err)))
		return rc;
	return out ? fq_user_load(c, id, out, err) : 0;
}

int fq_user_hash_password(const char *username, const char *password, const char *field,
			  char hash[128], struct fq_err *err)
{
	int rc = fq_password_check_policy(password, username, field, err);
	return rc ? rc : fq_password_hash(password, hash, err);
}

int fq_user_set_password_hash(struct fq_dbc *c, const char *id, const char *hash,
			      const char *actor_id, struct fq_err *err)
{
	int64_t now = fq_now_ms(), changed = 0;
	int rc = fq_dbc_run(c, err, &changed,
			    "UPDATE app_user SET password_hash = ?, password_changed_at = ?,"
			    " failed_logins = 0, locked_until = 0, updated_at = ?, updated_by = ?,"
			    " version = version + 1 WHERE id = ?",
			    "tiitt", hash, now, now, actor_id, id);
	if (rc)
		return rc;
	if (!changed)
		return fq_err_set(err, FQ_ENOTFOUND, "user_not_found", NULL, "用户不存在");
	return fq_user_revoke_sessions(c, id, err);
}

int fq_user_set_password(struct fq_dbc *c, const char *id, const char *password, const char *field,
			 const char *actor_id, struct fq_err *err)
{
	struct fq_user u;
	char hash[FQ_PASSWORD_HASH_MAX];
	int rc;

	if ((rc = fq_user_load(c, id, &u, err)))
		return rc;
	if ((rc = fq_user_hash_password(u.username, password, field, hash, err)))
		return rc;
	return fq_user_set_password_hash(c, id, hash, actor_id, err);
}

int fq_user_login_failed(struct fq_dbc *c, const char *id, int64_t now_ms, struct fq_err *err)
{
	return fq_dbc_run(
	    c, err, NULL,
	    "UPDATE app_user SET"
	    " locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END,"
	    " failed_logins = CASE WHEN failed_logins + 1 >= ? THEN 0"
	    " ELSE failed_logins + 1 END"
	    " WHERE id = ?",
	    "iiit", (int64_t)FQ_LOGIN_MAX_FAILURES, now_ms + FQ_LOGIN_LOCK_MS,
	    (int64_t)FQ_LOGIN_MAX_FAILURES, id);
}

int fq_user_login_succeeded(struct fq_dbc *c, const char *id, int64_t now_ms, struct fq_err *err)
{
	return fq_dbc_run(c, err, NULL,
			  "UPDATE app_user SET failed_logins = 0, last_login_at = ? WHERE id = ?",
			  "it", now_ms, id);
}

static json_t *time_or_null(int64_t ms)
{
	char buf[FQ_RFC3339_MAX];
	if (!ms)
		return json_null();
	fq_time_format_cst(ms, buf);
	return json_string(buf);
}

json_t *fq_user_json(const struct fq_user *u)
{
	int64_t now = fq_now_ms();
	return json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:s, s:s}, s:b, s:o, s:o, s:o, s:I}", "id",
			 u->id, "username", u->username, "display_name", u->display_name, "roles",
			 fq_roles_json(u->roles), "unit", "code", u->unit_code, "name",
			 u->unit_name, "kind", u->unit_kind, "disabled", u->disabled,
			 "locked_until", time_or_null(u->locked_until > now ? u->locked_until : 0),
			 "created_at", time_or_null(u->created_at), "last_login_at",
			 time_or_null(u->last_login_at), "version", (json_int_t)u->version);
}

/* Narrow scope to unit_code's subtree (path receives it); errors name "unit". */
static int narrow_to_unit(struct fq_dbc *c, const char *scope_path, const char *unit_code,
			  char path[FQ_UNIT_PATH_MAX], const char **scope, struct fq_err *err)
{
	int rc;

	*scope = scope_path;
	if (!unit_code)
		return 0;
	if ((rc = fq_unit_path(c, unit_code, path, err)))
		return rc == FQ_ENOTFOUND
			   ? fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit", "单位不存在")
			   : rc;
	if (!fq_scope_covers(scope_path, path))
		return fq_err_set(err, FQ_ENOTFOUND, "unit_not_found", "unit", "单位不存在");
	*scope = path;
	return 0;
}

int fq_user_list(struct fq_dbc *c, const struct fq_user_query *q, json_t **out, struct fq_err *err)
{
	static const struct {
		const char *key;
		const char *sql;
	} sorts[] = {
	    {"username", "SELECT " USER_COLS " FROM app_user u JOIN unit n ON n.code = u.unit_code"
			 " WHERE substr(n.path, 1, length(?)) = ? AND (? IS NULL OR"
			 " instr(u.username, ?) > 0 OR instr(u.display_name, ?) > 0)"
			 " ORDER BY u.username LIMIT ? OFFSET ?"},
	    {"-username", "SELECT " USER_COLS " FROM app_user u JOIN unit n ON n.code = u.unit_code"
			  " WHERE substr(n.path, 1, length(?)) = ? AND (? IS NULL OR"
			  " instr(u.username, ?) > 0 OR instr(u.display_name, ?) > 0)"
			  " ORDER BY u.username DESC LIMIT ? OFFSET ?"},
	    {"created_at",
	     "SELECT " USER_COLS " FROM app_user u JOIN unit n ON n.code = u.unit_code"
	     " WHERE substr(n.path, 1, length(?)) = ? AND (? IS NULL OR"
	     " instr(u.username, ?) > 0 OR instr(u.display_name, ?) > 0)"
	     " ORDER BY u.created_at, u.id LIMIT ? OFFSET ?"},
	    {"-created_at",
	     "SELECT " USER_COLS " FROM app_user u JOIN unit n ON n.code = u.unit_code"
	     " WHERE substr(n.path, 1, length(?)) = ? AND (? IS NULL OR"
	     " instr(u.username, ?) > 0 OR instr(u.display_name, ?) > 0)"
	     " ORDER BY u.created_at DESC, u.id DESC LIMIT ? OFFSET ?"},
	    {"unit", "SELECT " USER_COLS " FROM app_user u JOIN unit n ON n.code = u.unit_code"
		     " WHERE substr(n.path, 1, length(?)) = ? AND (? IS NULL OR"
		     " instr(u.username, ?) > 0 OR instr(u.display_name, ?) > 0)"
		     " ORDER BY n.path, u.username LIMIT ? OFFSET ?"},
	};
	const char *sql = NULL;
	const char *sort = q->sort ? q->sort : "username";
	char path[FQ_UNIT_PATH_MAX];
	const char *scope = q->scope_path;
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (strcmp(sorts[i].key, sort) == 0)
			sql = sorts[i].sql;
	if (!sql)
		return fq_err_set(
		    err, FQ_EINVAL, "invalid_sort", "sort",
		    "排序字段应为 username、-username、created_at、-created_at 或 unit");
	if ((rc = narrow_to_unit(c, q->scope_path, q->unit_code, path, &scope, err)))
		return rc;
	if ((rc = fq_dbc_count(c, err, &total,
			       "SELECT COUNT(*) FROM app_user u JOIN unit n ON n.code = u.unit_code"
			       " WHERE substr(n.path, 1, length(?)) = ? AND (? IS NULL OR"
			       " instr(u.username, ?) > 0 OR instr(u.display_name, ?) > 0)",
			       "ttttt", scope, scope, q->q, q->q, q->q)))
		return rc;
	rc = fq_dbc_query(c, err, &st, sql, "tttttii", scope, scope, q->q, q->q, q->q, q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct fq_user u;
		fill_user(st, &u);
		json_array_append_new(items, fq_user_json(&u));
	}
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	/* Roles per listed user. */
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		struct fq_user u;
		memset(&u, 0, sizeof(u));
		copy_str(u.id, sizeof(u.id), json_string_value(json_object_get(it, "id")));
		if ((rc = load_roles(c, &u, err))) {
			json_decref(items);
			return rc;
		}
		json_object_set_new(it, "roles", fq_roles_json(u.roles));
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

/*
 * The condition shared by the count and the page of fq_staff_list, with its
 * parameters scope, scope, q, q, roles, roles (roles: ",code,code," or NULL).
 */
#define STAFF_WHERE                                                                                \
	" FROM app_user u JOIN unit n ON n.code = u.unit_code"                                     \
	" WHERE substr(n.path, 1, length(?)) = ? AND u.disabled = 0"                               \
	" AND (? IS NULL OR instr(u.display_name, ?) > 0)"                                         \
	" AND (? IS NULL OR EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id"              \
	" AND instr(?, ',' || r.role || ',') > 0))"

int fq_staff_list(struct fq_dbc *c, const struct fq_staff_query *q, json_t **out,
		  struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], codes[512] = ",", *role = NULL;
	const char *scope;
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	*out = NULL;
	if ((rc = narrow_to_unit(c, q->scope_path, q->unit_code, path, &scope, err)))
		return rc;
	if (q->filtered) {
		/* ",code,code," (just "," when no role qualifies: matches nobody) */
		for (int r = 0; r < FQ_ROLE_COUNT; r++)
			if (q->roles & FQ_ROLE_BIT(r)) {
				size_t n = strlen(codes);
				snprintf(codes + n, sizeof(codes) - n, "%s,",
					 fq_role_code((enum fq_role)r));
			}
		role = codes;
	}
	if ((rc = fq_dbc_count(c, err, &total, "SELECT COUNT(*)" STAFF_WHERE, "tttttt", scope,
			       scope, q->q, q->q, role, role)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT u.id, u.display_name, u.unit_code, n.name, n.kind" STAFF_WHERE
			  " ORDER BY n.path, u.display_name, u.id LIMIT ? OFFSET ?",
			  "ttttttii", scope, scope, q->q, q->q, role, role, q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    items, json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "id", fq_stmt_text(st, 0),
				     "display_name", fq_stmt_text(st, 1), "unit", "code",
				     fq_stmt_text(st, 2), "name", fq_stmt_text(st, 3), "kind",
				     fq_stmt_text(st, 4)));
	fq_stmt_done(st);
	/* Roles per listed user (at most a page of them). */
	for (size_t i = 0; rc >= 0 && i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		struct fq_user u;
		memset(&u, 0, sizeof(u));
		copy_str(u.id, sizeof(u.id), json_string_value(json_object_get(it, "id")));
		if ((rc = load_roles(c, &u, err)) == 0)
			json_object_set_new(it, "roles", fq_roles_json(u.roles));
	}
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}
