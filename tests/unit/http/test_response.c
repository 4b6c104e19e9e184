#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http/response.h"

static void test_status_table(void **state)
{
	static const struct {
		int code;
		const char *machine;
		int status;
	} table[] = {
	    {FQ_EINVAL, "invalid_field", 400},
	    {FQ_EINVAL, NULL, 400},
	    {FQ_EAUTH, "unauthenticated", 401},
	    {FQ_EFORBIDDEN, "forbidden", 403},
	    {FQ_ENOTFOUND, "not_found", 404},
	    {FQ_EMETHOD, "method_not_allowed", 405},
	    {FQ_ECONFLICT, "username_taken", 409},
	    {FQ_ECONFLICT, "stale_version", 409},
	    {FQ_ETOOBIG, "too_large", 413},
	    {FQ_ETOOBIG, NULL, 413},
	    {FQ_ETOOBIG, "header_too_large", 431},
	    {FQ_EMEDIA, "unsupported_media_type", 415},
	    {FQ_EUNPROC, "unprocessable", 422},
	    {FQ_ERATE, "rate_limited", 429},
	    {FQ_EDB, "storage_error", 500},
	    {FQ_EDB, NULL, 500},
	    {FQ_EDB, "store_busy", 503},
	    {FQ_EDB, "store_full", 500},
	    {FQ_EIO, "io_error", 500},
	    {FQ_EINTERNAL, "internal", 500},
	    /* The special machine codes only count with their own code. */
	    {FQ_EINVAL, "store_busy", 400},
	    {FQ_EINTERNAL, "store_busy", 500},
	    {FQ_EINVAL, "header_too_large", 400},
	    /* Not an error, or unknown: a bug, so 500. */
	    {FQ_OK, NULL, 500},
	    {-99, NULL, 500},
	    {42, "x", 500},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int got = fq_http_status_for(table[i].code, table[i].machine);
		if (got != table[i].status)
			fail_msg("code %d machine %s: %d, want %d", table[i].code,
				 table[i].machine ? table[i].machine : "NULL", got,
				 table[i].status);
	}
}

static char *dump(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void test_client_error_body(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *b, *e;
	char *s;

	(void)state;
	fq_err_set(&err, FQ_EINVAL, "invalid_phone", "phone", "手机号码格式错误：%s", "123");
	b = fq_http_error_body(&err, 400);
	e = json_object_get(b, "error");
	assert_int_equal(json_object_size(b), 1);
	assert_string_equal(json_string_value(json_object_get(e, "code")), "invalid_phone");
	assert_string_equal(json_string_value(json_object_get(e, "message")),
			    "手机号码格式错误：123");
	assert_string_equal(json_string_value(json_object_get(e, "field")), "phone");
	s = dump(b);
	assert_string_equal(s, "{\"error\":{\"code\":\"invalid_phone\",\"field\":\"phone\","
			       "\"message\":\"手机号码格式错误：123\"}}");
	free(s);
	json_decref(b);

	/* No field: no "field" member. */
	fq_err_set(&err, FQ_ENOTFOUND, "user_not_found", NULL, "用户不存在");
	b = fq_http_error_body(&err, 404);
	e = json_object_get(b, "error");
	assert_null(json_object_get(e, "field"));
	assert_string_equal(json_string_value(json_object_get(e, "code")), "user_not_found");
	json_decref(b);
}

static void test_defaults(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *b, *e;

	(void)state;
	err.code = FQ_ECONFLICT;
	b = fq_http_error_body(&err, 409);
	e = json_object_get(b, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")), "conflict");
	assert_string_equal(json_string_value(json_object_get(e, "message")), "请求失败");
	assert_null(json_object_get(e, "field"));
	json_decref(b);

	err.code = FQ_ERATE;
	b = fq_http_error_body(&err, 429);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "error"), "code")),
			    "rate_limited");
	json_decref(b);
}

static void test_special_statuses(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *b, *e;

	(void)state;
	fq_err_set(&err, FQ_ETOOBIG, "header_too_large", NULL, "请求头过大");
	assert_int_equal(fq_http_status_for(err.code, err.machine), 431);
	b = fq_http_error_body(&err, 431);
	e = json_object_get(b, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")), "header_too_large");
	assert_string_equal(json_string_value(json_object_get(e, "message")), "请求头过大");
	json_decref(b);

	/* 503 tells the client to retry, with its own code and message. */
	fq_err_set(&err, FQ_EDB, "store_busy", NULL, "数据库繁忙，请稍后重试");
	assert_int_equal(fq_http_status_for(err.code, err.machine), 503);
	b = fq_http_error_body(&err, 503);
	e = json_object_get(b, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")), "store_busy");
	assert_string_equal(json_string_value(json_object_get(e, "message")),
			    "数据库繁忙，请稍后重试");
	json_decref(b);
}

static void test_5xx_hides_internals(void **state)
{
	static const int statuses[] = {500, 502, 504, 599};
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	fq_err_set(&err, FQ_EDB, "storage_error", "secret_column",
		   "sqlite: no such table: app_user_backup (/var/lib/fengqiao/store.db)");
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		json_t *b = fq_http_error_body(&err, statuses[i]);
		json_t *e = json_object_get(b, "error");
		char *s = dump(b);

		assert_string_equal(json_string_value(json_object_get(e, "code")), "internal");
		assert_true(strlen(json_string_value(json_object_get(e, "message"))) > 0);
		assert_null(json_object_get(e, "field"));
		if (strstr(s, "sqlite") || strstr(s, "store.db") || strstr(s, "secret_column") ||
		    strstr(s, "storage_error") || strstr(s, "app_user"))
			fail_msg("internal detail leaked: %s", s);
		free(s);
		json_decref(b);
	}
	/* Whatever the code says, a 500 stays opaque. */
	fq_err_set(&err, FQ_EINTERNAL, "internal", NULL, "internal: 3 placeholders, 2 arguments");
	{
		json_t *b = fq_http_error_body(&err, 500);
		char *s = dump(b);
		assert_null(strstr(s, "placeholders"));
		free(s);
		json_decref(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_table),
	    cmocka_unit_test(test_client_error_body),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_special_statuses),
	    cmocka_unit_test(test_5xx_hides_internals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
