#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/db.h"
#include "org/password.h"
#include "org/rights.h"
#include "org/units.h"
#include "org/users.h"
#include "unit/fq_test.h"

#define R(x)	 FQ_ROLE_BIT(FQ_ROLE_##x)
#define GOOD_PW	 "Feng-Qiao#2026!"
#define OTHER_PW "Zhuji-Station*88"

/*
 * 330600 city
 *   330681 branch
 *     330681510000 station
 *   33068 branch
 *     33068X01 station
 */
static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("users");

	if (!f)
		return -1;
	*state = f;
	fq_test_unit(f->c, "330600", "绍兴市公安局", "city", NULL);
	fq_test_unit(f->c, "330681", "诸暨市公安局", "branch", "330600");
	fq_test_unit(f->c, "330681510000", "枫桥派出所", "station", "330681");
	fq_test_unit(f->c, "33068", "测试分局", "branch", "330600");
	fq_test_unit(f->c, "33068X01", "测试派出所", "station", "33068");
	return 0;
}

static void make_user(struct fq_dbc *c, const char *username, const char *display_name,
		      const char *unit, uint32_t roles, struct fq_user *out)
{
	struct fq_user_new in = {.username = username,
				 .display_name = display_name,
				 .password = GOOD_PW,
				 .unit_code = unit,
				 .roles = roles};
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(c);
	if (fq_user_create(c, &in, NULL, out, &err) != 0)
		fail_msg("create %s: %s %s (%s)", username, err.machine, err.field, err.message);
	fq_test_commit(c);
}

static void create_refused(struct fq_dbc *c, const struct fq_user_new *in, int code,
			   const char *machine, const char *field)
{
	struct fq_err err = FQ_ERR_INIT;
	int rc;

	fq_test_begin(c);
	rc = fq_user_create(c, in, NULL, NULL, &err);
	fq_dbc_rollback(c);
	if (rc != code)
		fail_msg("create %s: got %d, want %d %s", in->username ? in->username : "-", rc,
			 code, machine);
	assert_string_equal(err.machine, machine);
	assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
}

static int64_t scalar(struct fq_dbc *c, const char *sql, const char *arg)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t v = -1;

	assert_int_equal(fq_dbc_query(c, &err, &st, sql, "t", arg), 0);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW)
		v = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return v;
}

static void add_session(struct fq_dbc *c, const char *token_hash, const char *user_id)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t now = fq_now_ms();

	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO user_session (token_hash, user_id, csrf_token,"
		       " created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
		       "tttiii", token_hash, user_id, "csrf", now, now, now + 3600000),
	    0);
}

static int64_t sessions_of(struct fq_dbc *c, const char *user_id)
{
	return scalar(c, "SELECT COUNT(*) FROM user_session WHERE user_id = ?", user_id);
}

static void test_username_valid(void **state)
{
	(void)state;
	assert_true(fq_username_valid("wang"));
	assert_true(fq_username_valid("abc"));
	assert_true(fq_username_valid("wang.xm_2-b"));
	assert_true(fq_username_valid("a2345678901234567890123456789012")); /* 32 */
	assert_false(fq_username_valid("a23456789012345678901234567890123"));
	assert_false(fq_username_valid("ab"));
	assert_false(fq_username_valid(""));
	assert_false(fq_username_valid(NULL));
	assert_false(fq_username_valid("Wang"));
	assert_false(fq_username_valid("1wang"));
	assert_false(fq_username_valid(".wang"));
	assert_false(fq_username_valid("wang xm"));
	assert_false(fq_username_valid("wang@xm"));
	assert_false(fq_username_valid("王小明"));
}

static void test_roles_parse_json(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	uint32_t roles = 0xdead;
	json_t *a;

	(void)state;
	a = json_pack("[s, s, s]", "admin", "auditor", "admin");
	assert_int_equal(fq_roles_parse_json(a, &roles, "roles", &err), 0);
	assert_int_equal(roles, R(ADMIN) | R(AUDITOR));
	json_decref(a);

	a = json_pack("[s]", "community_officer");
	assert_int_equal(fq_roles_parse_json(a, &roles, "roles", &err), 0);
	assert_int_equal(roles, R(COMMUNITY_OFFICER));
	json_decref(a);

	a = json_pack("[s, s]", "chief", "superuser");
	assert_int_equal(fq_roles_parse_json(a, &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_role");
	assert_string_equal(err.field, "roles");
	assert_non_null(strstr(err.message, "superuser"));
	json_decref(a);

	a = json_pack("[s]", "a-role-code-much-longer-than-any-known-one");
	assert_int_equal(fq_roles_parse_json(a, &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_role");
	json_decref(a);

	a = json_pack("[s]", "");
	assert_int_equal(fq_roles_parse_json(a, &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_role");
	json_decref(a);

	a = json_array();
	assert_int_equal(fq_roles_parse_json(a, &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "missing_field");
	assert_string_equal(err.field, "roles");
	json_decref(a);

	a = json_pack("[i]", 1);
	assert_int_equal(fq_roles_parse_json(a, &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "invalid_type");
	json_decref(a);

	a = json_string("admin");
	assert_int_equal(fq_roles_parse_json(a, &roles, "role_list", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "invalid_type");
	assert_string_equal(err.field, "role_list");
	json_decref(a);
	assert_int_equal(fq_roles_parse_json(NULL, &roles, "roles", &err), FQ_EINVAL);
}

static void test_roles_parse_csv(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	uint32_t roles = 0;

	(void)state;
	assert_int_equal(fq_roles_parse_csv("admin", &roles, "roles", &err), 0);
	assert_int_equal(roles, R(ADMIN));
	assert_int_equal(fq_roles_parse_csv("chief,grid_worker,volunteer", &roles, "roles", &err),
			 0);
	assert_int_equal(roles, R(CHIEF) | R(GRID_WORKER) | R(VOLUNTEER));

	assert_int_equal(fq_roles_parse_csv("admin,nobody", &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_role");
	assert_string_equal(err.field, "roles");
	assert_int_equal(fq_roles_parse_csv("admin,,auditor", &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_role");
	assert_int_equal(fq_roles_parse_csv("admin, auditor", &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_role");
	assert_int_equal(fq_roles_parse_csv(",admin", &roles, "roles", &err), FQ_EINVAL);
	assert_int_equal(fq_roles_parse_csv("", &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "missing_field");
	assert_int_equal(fq_roles_parse_csv(NULL, &roles, "roles", &err), FQ_EINVAL);
	assert_string_equal(err.machine, "missing_field");
}

static void test_roles_json(void **state)
{
	json_t *a = fq_roles_json(R(AUDITOR) | R(ADMIN) | R(CASE_OFFICER));
	json_t *empty = fq_roles_json(0);

	(void)state;
	assert_int_equal(json_array_size(a), 3);
	/* In role order, not bit-set order of the call. */
	assert_string_equal(json_string_value(json_array_get(a, 0)), "admin");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "case_officer");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "auditor");
	assert_int_equal(json_array_size(empty), 0);
	json_decref(a);
	json_decref(empty);
}

static void test_create_and_load(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user u, again;
	char hash[FQ_PASSWORD_HASH_MAX];
	int64_t before = fq_now_ms();

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF) | R(CASE_OFFICER), &u);
	assert_true(fq_uuid_valid(u.id));
	assert_string_equal(u.username, "wang.xm");
	assert_string_equal(u.display_name, "王小明");
	assert_string_equal(u.unit_code, "330681510000");
	assert_string_equal(u.unit_name, "枫桥派出所");
	assert_string_equal(u.unit_kind, "station");
	assert_string_equal(u.unit_path, "/330600/330681/330681510000/");
	assert_int_equal(u.roles, R(CHIEF) | R(CASE_OFFICER));
	assert_int_equal(u.disabled, 0);
	assert_int_equal(u.failed_logins, 0);
	assert_int_equal(u.locked_until, 0);
	assert_int_equal(u.last_login_at, 0);
	assert_int_equal(u.version, 1);
	assert_true(u.created_at >= before && u.created_at <= fq_now_ms());
	assert_int_equal(u.updated_at, u.created_at);

	assert_int_equal(fq_user_load(f->c, u.id, &again, &err), 0);
	assert_memory_equal(&again, &u, sizeof(u));

	assert_int_equal(fq_user_load_by_name(f->c, "wang.xm", &again, hash, sizeof(hash), &err),
			 0);
	assert_string_equal(again.id, u.id);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_int_equal(fq_password_verify(hash, GOOD_PW), 1);
	assert_int_equal(fq_password_verify(hash, OTHER_PW), 0);
	/* The hash is never the password. */
	assert_null(strstr(hash, GOOD_PW));

	assert_int_equal(fq_user_load_by_name(f->c, "nobody", &again, NULL, 0, &err), FQ_ENOTFOUND);
	assert_int_equal(fq_user_load(f->c, "019ab2c3-d4e5-7f06-8718-293a4b5c6dfe", &again, &err),
			 FQ_ENOTFOUND);
	assert_int_equal(scalar(f->c, "SELECT COUNT(*) FROM user_role WHERE user_id = ?", u.id), 2);
}

static void test_create_refusals(void **state)
{
	struct fq_test_store *f = *state;
	char name33[33 * 3 + 1] = "", name32[32 * 3 + 1] = "";
	struct fq_user_new in = {.username = "li.hua",
				 .display_name = "李华",
				 .password = GOOD_PW,
				 .unit_code = "330681",
				 .roles = R(ADMIN)};
	struct fq_user_new t;

	t = in;
	t.username = "Li Hua";
	create_refused(f->c, &t, FQ_EINVAL, "invalid_username", "username");
	t = in;
	t.username = NULL;
	create_refused(f->c, &t, FQ_EINVAL, "invalid_username", "username");
	t = in;
	t.display_name = "";
	create_refused(f->c, &t, FQ_EINVAL, "invalid_display_name", "display_name");
	t.display_name = NULL;
	create_refused(f->c, &t, FQ_EINVAL, "invalid_display_name", "display_name");
	for (int i = 0; i < 33; i++)
		memcpy(name33 + 3 * i, "警", 4);
	memcpy(name32, name33, 32 * 3);
	t.display_name = name33;
	create_refused(f->c, &t, FQ_EINVAL, "invalid_display_name", "display_name");
	t = in;
	t.roles = 0;
	create_refused(f->c, &t, FQ_EINVAL, "missing_field", "roles");
	t = in;
	t.unit_code = NULL;
	create_refused(f->c, &t, FQ_EINVAL, "missing_field", "unit");
	t.unit_code = "999999";
	create_refused(f->c, &t, FQ_EINVAL, "unknown_unit", "unit");
	t = in;
	t.password = NULL;
	create_refused(f->c, &t, FQ_EINVAL, "missing_field", "password");
	t.password = "short";
	create_refused(f->c, &t, FQ_EINVAL, "password_too_short", "password");
	t.password = "Password1234";
	create_refused(f->c, &t, FQ_EINVAL, "password_common", "password");
	t.password = "my-li.hua-pass!";
	create_refused(f->c, &t, FQ_EINVAL, "password_contains_username", "password");
	/* Nothing was written by the refusals. */
	assert_int_equal(scalar(f->c, "SELECT COUNT(*) FROM app_user WHERE username <> ?", ""), 0);

	/* 32 characters are fine. */
	t = in;
	t.display_name = name32;
	fq_test_begin(f->c);
	{
		struct fq_err err = FQ_ERR_INIT;
		struct fq_user u;
		assert_int_equal(fq_user_create(f->c, &t, NULL, &u, &err), 0);
		assert_string_equal(u.display_name, name32);
	}
	fq_test_commit(f->c);
}

static void test_duplicate_username(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_user_new in = {.username = "wang.xm",
				 .display_name = "另一个王小明",
				 .password = OTHER_PW,
				 .unit_code = "33068X01",
				 .roles = R(OPERATOR)};
	struct fq_user u;

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF), &u);
	create_refused(f->c, &in, FQ_ECONFLICT, "username_taken", "username");
	assert_int_equal(
	    scalar(f->c, "SELECT COUNT(*) FROM app_user WHERE username = ?", "wang.xm"), 1);
}

static void test_update(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user u, v;
	struct fq_user_patch p;

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF), &u);
	add_session(f->c, "token-1", u.id);

	/* Name and roles: version moves on, sessions stay. */
	p = (struct fq_user_patch){.display_name = "王晓明",
				   .set_roles = 1,
				   .roles = R(OPERATOR) | R(AUDITOR),
				   .expected_version = 1};
	fq_test_begin(f->c);
	assert_int_equal(fq_user_update(f->c, u.id, &p, "actor-1", &v, &err), 0);
	fq_test_commit(f->c);
	assert_string_equal(v.display_name, "王晓明");
	assert_int_equal(v.roles, R(OPERATOR) | R(AUDITOR));
	assert_int_equal(v.version, 2);
	assert_string_equal(v.unit_code, "330681510000");
	assert_int_equal(sessions_of(f->c, u.id), 1);
	assert_int_equal(scalar(f->c,
				"SELECT COUNT(*) FROM app_user WHERE id = ? AND"
				" updated_by = 'actor-1'",
				u.id),
			 1);

	/* A stale version is refused and changes nothing. */
	p = (struct fq_user_patch){.display_name = "过期的修改", .expected_version = 1};
	fq_test_begin(f->c);
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), FQ_ECONFLICT);
	fq_dbc_rollback(f->c);
	assert_string_equal(err.machine, "stale_version");
	assert_string_equal(err.field, "version");
	assert_int_equal(fq_user_load(f->c, u.id, &v, &err), 0);
	assert_string_equal(v.display_name, "王晓明");
	assert_int_equal(v.version, 2);

	/* expected_version 0 skips the check. */
	p = (struct fq_user_patch){.display_name = "王小明"};
	fq_test_begin(f->c);
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(v.version, 3);

	/* Refusals. */
	p = (struct fq_user_patch){.set_roles = 1, .roles = 0};
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "missing_field");
	assert_string_equal(err.field, "roles");
	p = (struct fq_user_patch){.unit_code = "999999"};
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_unit");
	assert_string_equal(err.field, "unit");
	p = (struct fq_user_patch){.display_name = ""};
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), FQ_EINVAL);
	assert_string_equal(err.field, "display_name");
	p = (struct fq_user_patch){.display_name = "x"};
	assert_int_equal(fq_user_update(f->c, "no-such-id", &p, NULL, &v, &err), FQ_ENOTFOUND);
	assert_int_equal(fq_user_load(f->c, u.id, &v, &err), 0);
	assert_int_equal(v.version, 3);
	assert_int_equal(sessions_of(f->c, u.id), 1);
}

static void test_disable_ends_sessions(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user u, other, v;
	struct fq_user_patch p = {.set_disabled = 1, .disabled = 1};

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF), &u);
	make_user(f->c, "li.hua", "李华", "330681510000", R(OPERATOR), &other);
	add_session(f->c, "token-a", u.id);
	add_session(f->c, "token-b", u.id);
	add_session(f->c, "token-c", other.id);
	assert_int_equal(
	    scalar(f->c, "SELECT sessions_revoked_at FROM app_user WHERE id = ?", u.id), 0);

	fq_test_begin(f->c);
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(v.disabled, 1);
	assert_int_equal(sessions_of(f->c, u.id), 0);
	assert_int_equal(sessions_of(f->c, other.id), 1);
	assert_true(scalar(f->c, "SELECT sessions_revoked_at FROM app_user WHERE id = ?", u.id) >
		    0);

	/* Enabling again does not touch new sessions. */
	add_session(f->c, "token-d", u.id);
	p = (struct fq_user_patch){.set_disabled = 1, .disabled = 0};
	fq_test_begin(f->c);
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(v.disabled, 0);
	assert_int_equal(sessions_of(f->c, u.id), 1);
}

static void test_unit_change_ends_sessions(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user u, v;
	struct fq_user_patch p = {.unit_code = "330681510000"};

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF), &u);
	add_session(f->c, "token-a", u.id);

	/* The same unit is no change. */
	fq_test_begin(f->c);
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(sessions_of(f->c, u.id), 1);

	p.unit_code = "33068X01";
	fq_test_begin(f->c);
	assert_int_equal(fq_user_update(f->c, u.id, &p, NULL, &v, &err), 0);
	fq_test_commit(f->c);
	assert_string_equal(v.unit_code, "33068X01");
	assert_string_equal(v.unit_path, "/330600/33068/33068X01/");
	assert_string_equal(v.unit_name, "测试派出所");
	assert_int_equal(sessions_of(f->c, u.id), 0);
}

static void test_set_password(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user u, v;
	char hash[FQ_PASSWORD_HASH_MAX];
	int64_t now = fq_now_ms();

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF), &u);
	add_session(f->c, "token-a", u.id);
	for (int i = 0; i < 3; i++)
		assert_int_equal(fq_user_login_failed(f->c, u.id, now, &err), 0);

	assert_int_equal(
	    fq_user_set_password(f->c, u.id, "WANG.XM-secret-99", "password", NULL, &err),
	    FQ_EINVAL);
	assert_string_equal(err.machine, "password_contains_username");
	assert_string_equal(err.field, "password");
	assert_int_equal(sessions_of(f->c, u.id), 1);

	fq_test_begin(f->c);
	assert_int_equal(fq_user_set_password(f->c, u.id, OTHER_PW, "password", "actor-1", &err),
			 0);
	fq_test_commit(f->c);
	assert_int_equal(sessions_of(f->c, u.id), 0);
	assert_int_equal(fq_user_load_by_name(f->c, "wang.xm", &v, hash, sizeof(hash), &err), 0);
	assert_int_equal(fq_password_verify(hash, OTHER_PW), 1);
	assert_int_equal(fq_password_verify(hash, GOOD_PW), 0);
	assert_int_equal(v.failed_logins, 0);
	assert_int_equal(v.version, 2);

	assert_int_equal(fq_user_set_password(f->c, "no-such-id", OTHER_PW, "password", NULL, &err),
			 FQ_ENOTFOUND);
}

static void test_revoke_sessions(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user u;

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF), &u);
	add_session(f->c, "token-a", u.id);
	add_session(f->c, "token-b", u.id);
	assert_int_equal(fq_user_revoke_sessions(f->c, u.id, &err), 0);
	assert_int_equal(sessions_of(f->c, u.id), 0);
	assert_true(scalar(f->c, "SELECT sessions_revoked_at FROM app_user WHERE id = ?", u.id) >
		    0);
}

static void test_login_lockout(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user u, v;
	int64_t now = fq_now_ms();
	json_t *j;

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF), &u);
	for (int i = 1; i < FQ_LOGIN_MAX_FAILURES; i++) {
		assert_int_equal(fq_user_login_failed(f->c, u.id, now + i, &err), 0);
		assert_int_equal(fq_user_load(f->c, u.id, &v, &err), 0);
		assert_int_equal(v.failed_logins, i);
		assert_int_equal(v.locked_until, 0);
	}
	/* The fifth failure locks for ten minutes from that failure. */
	assert_int_equal(fq_user_login_failed(f->c, u.id, now + 5, &err), 0);
	assert_int_equal(fq_user_load(f->c, u.id, &v, &err), 0);
	assert_int_equal(v.locked_until, now + 5 + 10 * 60 * 1000);
	assert_int_equal(v.failed_logins, 0);

	j = fq_user_json(&v);
	assert_true(json_is_string(json_object_get(j, "locked_until")));
	json_decref(j);

	/* A success clears the count and records the time. */
	assert_int_equal(fq_user_login_failed(f->c, u.id, now + 6, &err), 0);
	assert_int_equal(fq_user_login_succeeded(f->c, u.id, now + 7, &err), 0);
	assert_int_equal(fq_user_load(f->c, u.id, &v, &err), 0);
	assert_int_equal(v.failed_logins, 0);
	assert_int_equal(v.last_login_at, now + 7);
}

static void test_user_json(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_user u;
	json_t *j, *unit, *roles;
	char want_created[FQ_RFC3339_MAX];

	make_user(f->c, "wang.xm", "王小明", "330681510000", R(CHIEF) | R(AUDITOR), &u);
	j = fq_user_json(&u);
	assert_string_equal(json_string_value(json_object_get(j, "id")), u.id);
	assert_string_equal(json_string_value(json_object_get(j, "username")), "wang.xm");
	assert_string_equal(json_string_value(json_object_get(j, "display_name")), "王小明");
	roles = json_object_get(j, "roles");
	assert_int_equal(json_array_size(roles), 2);
	assert_string_equal(json_string_value(json_array_get(roles, 0)), "chief");
	assert_string_equal(json_string_value(json_array_get(roles, 1)), "auditor");
	unit = json_object_get(j, "unit");
	assert_string_equal(json_string_value(json_object_get(unit, "code")), "330681510000");
	assert_string_equal(json_string_value(json_object_get(unit, "name")), "枫桥派出所");
	assert_string_equal(json_string_value(json_object_get(unit, "kind")), "station");
	assert_true(json_is_false(json_object_get(j, "disabled")));
	assert_true(json_is_null(json_object_get(j, "locked_until")));
	assert_true(json_is_null(json_object_get(j, "last_login_at")));
	fq_time_format_cst(u.created_at, want_created);
	assert_string_equal(json_string_value(json_object_get(j, "created_at")), want_created);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	/* Nothing secret. */
	assert_null(json_object_get(j, "password_hash"));
	assert_null(json_object_get(j, "password"));
	json_decref(j);

	/* A lock that has run out is not shown. */
	u.locked_until = fq_now_ms() - 1000;
	j = fq_user_json(&u);
	assert_true(json_is_null(json_object_get(j, "locked_until")));
	json_decref(j);
}

/* Five users over the tree, created in this order. */
static void make_population(struct fq_dbc *c)
{
	make_user(c, "wang.xm", "王小明", "330681510000", R(CHIEF), NULL);
	make_user(c, "li.hua", "李华", "330681", R(ADMIN), NULL);
	make_user(c, "zhao.lei", "赵磊", "33068X01", R(OPERATOR), NULL);
	make_user(c, "qian.feng", "钱峰", "330600", R(AUDITOR), NULL);
	make_user(c, "sun.li", "孙丽", "330681510000", R(COMMUNITY_OFFICER) | R(GRID_WORKER), NULL);
}

static int list(struct fq_dbc *c, const struct fq_user_query *q, char *out, size_t out_size,
		int64_t *total, struct fq_err *err)
{
	json_t *j, *it;
	size_t i;
	int rc = fq_user_list(c, q, &j, err);

	out[0] = '\0';
	if (rc)
		return rc;
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		size_t n = strlen(out);
		snprintf(out + n, out_size - n, "%s%s", n ? "," : "",
			 json_string_value(json_object_get(it, "username")));
		assert_null(json_object_get(it, "password_hash"));
		assert_true(json_array_size(json_object_get(it, "roles")) >= 1);
	}
	*total = json_integer_value(json_object_get(j, "total"));
	assert_int_equal(json_integer_value(json_object_get(j, "page")), q->page);
	assert_int_equal(json_integer_value(json_object_get(j, "per_page")), q->per_page);
	json_decref(j);
	return 0;
}

static void test_list(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user_query q;
	char names[512];
	int64_t total = -1;

	make_population(f->c);

	q = (struct fq_user_query){.scope_path = "/330600/", .page = 1, .per_page = 20};
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "li.hua,qian.feng,sun.li,wang.xm,zhao.lei");
	assert_int_equal(total, 5);

	/* Scope: a branch sees its subtree, not the branch whose code prefixes its own. */
	q.scope_path = "/330600/330681/";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "li.hua,sun.li,wang.xm");
	assert_int_equal(total, 3);
	q.scope_path = "/330600/33068/";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "zhao.lei");
	assert_int_equal(total, 1);

	/* Search in username and display name. */
	q = (struct fq_user_query){.scope_path = "/330600/", .q = "li", .page = 1, .per_page = 20};
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "li.hua,sun.li");
	assert_int_equal(total, 2);
	q.q = "小明";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "wang.xm");
	q.q = "zhao";
	q.scope_path = "/330600/330681/";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "");
	assert_int_equal(total, 0);

	/* Sorts. */
	q = (struct fq_user_query){
	    .scope_path = "/330600/", .sort = "-username", .page = 1, .per_page = 20};
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "zhao.lei,wang.xm,sun.li,qian.feng,li.hua");
	q.sort = "unit";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "qian.feng,zhao.lei,li.hua,sun.li,wang.xm");
	q.sort = "created_at";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "wang.xm,li.hua,zhao.lei,qian.feng,sun.li");
	q.sort = "-created_at";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "sun.li,qian.feng,zhao.lei,li.hua,wang.xm");
	q.sort = "password_hash";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "invalid_sort");
	assert_string_equal(err.field, "sort");
}

static void test_list_pages_and_unit_filter(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_user_query q = {.scope_path = "/330600/", .page = 2, .per_page = 2};
	char names[512];
	int64_t total = -1;

	make_population(f->c);
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "sun.li,wang.xm");
	assert_int_equal(total, 5);
	q.page = 3;
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "zhao.lei");
	assert_int_equal(total, 5);
	q.page = 4;
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "");
	assert_int_equal(total, 5);

	/* Only one unit's subtree, within scope. */
	q = (struct fq_user_query){
	    .scope_path = "/330600/", .unit_code = "330681510000", .page = 1, .per_page = 20};
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "sun.li,wang.xm");
	assert_int_equal(total, 2);
	q.unit_code = "330681";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), 0);
	assert_string_equal(names, "li.hua,sun.li,wang.xm");
	/* A unit outside the scope looks missing; an unknown unit is an input error. */
	q.scope_path = "/330600/330681/";
	q.unit_code = "33068X01";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), FQ_ENOTFOUND);
	assert_string_equal(err.field, "unit");
	q.unit_code = "330600";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), FQ_ENOTFOUND);
	q.unit_code = "999999";
	assert_int_equal(list(f->c, &q, names, sizeof(names), &total, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_unit");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fq_test_store_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_username_valid),
	    cmocka_unit_test(test_roles_parse_json),
	    cmocka_unit_test(test_roles_parse_csv),
	    cmocka_unit_test(test_roles_json),
	    T(test_create_and_load),
	    T(test_create_refusals),
	    T(test_duplicate_username),
	    T(test_update),
	    T(test_disable_ends_sessions),
	    T(test_unit_change_ends_sessions),
	    T(test_set_password),
	    T(test_revoke_sessions),
	    T(test_login_lockout),
	    T(test_user_json),
	    T(test_list),
	    T(test_list_pages_and_unit_filter),
	};
#undef T

	return cmocka_run_group_tests(tests, fq_test_global_setup_password,
				      fq_test_global_teardown);
}
