/* POST/GET/DELETE /api/v1/session and PUT /api/v1/session/password. */
#include "http/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "http/server.h"
#include "http/session.h"
#include "http/throttle.h"
#include "org/password.h"
#include "org/users.h"
#include "core/banned.h"

static void set_cookie(struct fq_req *r, const char *token, int max_age_s)
{
	const struct fq_server_config *cfg = fq_server_config(r->srv);
	char *v = fq_pool_printf(&r->pool, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
				 FQ_SESSION_COOKIE, token, max_age_s,
				 cfg->cookie_secure ? "; Secure" : "");
	fq_req_add_header(r, "Set-Cookie", v);
}

static json_t *session_json(const struct fq_user *u, const char *csrf, int64_t expires)
{
	char exp[FQ_RFC3339_MAX];
	fq_time_format_cst(expires, exp);
	return json_pack("{s:o, s:s, s:I, s:s}", "user", fq_user_json(u), "csrf_token", csrf,
			 "idle_timeout_s", (json_int_t)(FQ_SESSION_IDLE_MS / 1000), "expires_at",
			 exp);
}

static const char *first_role(uint32_t roles)
{
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if (roles & FQ_ROLE_BIT(r))
			return fq_role_code(r);
	return NULL;
}

static const char *const login_keys[] = {"username", "password", NULL};

static int post_session(struct fq_req *r)
{
	const char *username, *password;
	char hash[FQ_PASSWORD_HASH_MAX] = "";
	char token[FQ_SESSION_TOKEN_CHARS + 1];
	const char *why = NULL;
	struct fq_principal p;
	struct fq_user u;
	struct fq_dbc *c;
	struct fq_err lerr = FQ_ERR_INIT;
	int64_t now = fq_now_ms(), wait, expires = 0;
	int known, ok, usable, rc;

	if ((rc = fq_json_only_keys(r->body, login_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "username", FQ_JSON_REQUIRED, 64, &username, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "password", FQ_JSON_REQUIRED, 256, &password, &r->err)))
		return rc;
	wait = fq_throttle_wait_s(r->client, now);
	if (wait > 0) {
		fq_req_add_header(r, "Retry-After",
				  fq_pool_printf(&r->pool, "%lld", (long long)wait));
		return fq_err_set(&r->err, FQ_ERATE, "too_many_attempts", NULL,
				  "登录失败次数过多，请 %lld 秒后再试", (long long)wait);
	}

	c = fq_db_acquire(r->db);
	rc = fq_user_load_by_name(c, username, &u, hash, sizeof(hash), &lerr);
	if (rc && rc != FQ_ENOTFOUND) {
		fq_db_release(r->db, c);
		r->err = lerr;
		return rc;
	}
	known = rc == 0;
	/* Always hash, so an unknown user costs what a wrong password costs. */
	ok = fq_password_verify(known ? hash : NULL, password);
	sodium_memzero(hash, sizeof(hash));
	usable = known && ok && !u.disabled && u.locked_until <= now;
	if (!known)
		why = "unknown_user";
	else if (u.disabled)
		why = "disabled";
	else if (u.locked_until > now)
		why = "locked";
	else if (!ok)
		why = "bad_password";

	rc = fq_dbc_begin(c, 1, &r->err);
	if (rc)
		goto out_release;
	{
		struct fq_audit_entry e = {
		    .user_id = known ? u.id : NULL,
		    .username = username,
		    .role = known ? first_role(u.roles) : NULL,
		    .unit_code = known ? u.unit_code : NULL,
		    .action = "session.login",
		    .object_type = "user",
		    .object_id = known ? u.id : NULL,
		    .client = r->client,
		    .outcome = usable ? "ok" : "failed",
		    .detail = usable ? NULL : fq_pool_printf(&r->pool, "{\"why\":\"%s\"}", why),
		};
		if (usable) {
			rc = fq_user_login_succeeded(c, u.id, now, &r->err);
			if (!rc)
				rc = fq_session_create(c, &u, r->client, token, &p, &expires,
						       &r->err);
		} else if (known && !u.disabled && u.locked_until <= now) {
			rc = fq_user_login_failed(c, u.id, now, &r->err);
		}
		if (!rc)
			rc = fq_audit_append(c, &e, now, NULL, &r->err);
	}
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
out_release:
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	if (!usable) {
		fq_throttle_failed(r->client, now);
		return fq_err_set(&r->err, FQ_EAUTH, "invalid_credentials", NULL,
				  "用户名或密码错误；多次失败后账户将被临时锁定");
	}
	set_cookie(r, token, (int)(FQ_SESSION_MAX_MS / 1000));
	u.last_login_at = now;
	return fq_req_reply(r, 200, session_json(&u, p.csrf, expires));
}

static int get_session(struct fq_req *r)
{
	struct fq_dbc *c = fq_db_acquire(r->db);
	struct fq_user u;
	int64_t expires = 0;
	int rc = fq_user_load(c, r->user->user_id, &u, &r->err);
	struct fq_stmt *st;

	if (!rc)
		rc = fq_dbc_query(c, &r->err, &st,
				  "SELECT expires_at FROM user_session WHERE token_hash = ?", "t",
				  r->user->token_hash);
	if (!rc) {
		if (fq_stmt_step(st, &r->err) == FQ_DB_ROW)
			expires = fq_stmt_int(st, 0);
		fq_stmt_done(st);
	}
	fq_db_release(r->db, c);
	if (rc)
		return rc == FQ_ENOTFOUND ? fq_err_set(&r->err, FQ_EAUTH, "unauthenticated", NULL,
						       "未登录或会话已失效")
					  : rc;
	return fq_req_reply(r, 200, session_json(&u, r->user->csrf, expires));
}

static int delete_session(struct fq_req *r)
{
	struct fq_dbc *c = fq_db_acquire(r->db);
	int rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc)
		rc = fq_req_audit(r, c, FQ_ACT_UNIT_READ, "session.logout", "user",
				  r->user->user_id, NULL, NULL);
	if (!rc)
		rc = fq_dbc_commit(c, &r->err);
	else
		fq_dbc_rollback(c);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	rc = fq_session_end(r->db, r->user->token_hash, &r->err);
	if (rc)
		return rc;
	set_cookie(r, "", 0);
	return fq_req_reply(r, 200, json_pack("{s:b}", "ok", 1));
}

static const char *const password_keys[] = {"current_password", "new_password", NULL};

static int put_password(struct fq_req *r)
{
	const char *cur, *next;
	char hash[FQ_PASSWORD_HASH_MAX] = "";
	struct fq_user u;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_json_only_keys(r->body, password_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "current_password", FQ_JSON_REQUIRED, 256, &cur,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "new_password", FQ_JSON_REQUIRED, 256, &next, &r->err)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_user_load_by_name(c, r->user->username, &u, hash, sizeof(hash), &r->err);
	fq_db_release(r->db, c);
	/* The slow hashing happens holding no connection and no lock. */
	if (!rc && !fq_password_verify(hash, cur))
		rc = fq_err_set(&r->err, FQ_EINVAL, "wrong_password", "current_password",
				"当前密码错误");
	if (!rc)
		rc = fq_user_hash_password(u.username, next, "new_password", hash, &r->err);
	if (rc) {
		sodium_memzero(hash, sizeof(hash));
		return rc;
	}
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_user_set_password_hash(c, u.id, hash, u.id, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_UNIT_READ, "user.password", "user", u.id,
					  NULL, NULL);
		if (!rc)
			rc = fq_dbc_commit(c, &r->err);
		else
			fq_dbc_rollback(c);
	}
	fq_db_release(r->db, c);
	sodium_memzero(hash, sizeof(hash));
	if (rc)
		return rc;
	fq_session_evict_user(u.id);
	set_cookie(r, "", 0);
	return fq_req_reply(r, 200,
			    json_pack("{s:b, s:s}", "ok", 1, "message", "密码已修改，请重新登录"));
}

const struct fq_route fq_session_routes[] = {
    {"POST", "/api/v1/session", post_session, FQ_ROUTE_PUBLIC | FQ_ROUTE_NO_CSRF},
    {"GET", "/api/v1/session", get_session, 0},
    {"DELETE", "/api/v1/session", delete_session, 0},
    {"PUT", "/api/v1/session/password", put_password, 0},
    {NULL, NULL, NULL, 0},
};
