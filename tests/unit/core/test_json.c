#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static json_t *parse(const char *text)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *j = NULL;

	if (fq_json_parse_object(text, strlen(text), &j, &err) != 0)
		fail_msg("%s: %s (%s)", text, err.machine, err.message);
	assert_non_null(j);
	return j;
}

static void parse_bad(const char *text, size_t len, const char *machine)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *j = (json_t *)&err; /* must be reset to NULL */

	assert_int_equal(fq_json_parse_object(text, len, &j, &err), FQ_EINVAL);
	assert_null(j);
	assert_int_equal(err.code, FQ_EINVAL);
	assert_string_equal(err.machine, machine);
	assert_true(err.message[0] != '\0');
}

static char *dump(const json_t *j)
{
	static char out[4096];
	struct fq_buf b;

	fq_buf_init(&b, 0);
	assert_int_equal(fq_json_dump(j, &b), 0);
	assert_true(b.len < sizeof(out));
	memcpy(out, b.buf, b.len + 1);
	fq_buf_release(&b);
	return out;
}

static void test_parse_object(void **state)
{
	json_t *j = parse("{\"name\":\"枫桥派出所\",\"n\":3,\"nested\":{\"a\":[1,2]}}");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(j, "name")), "枫桥派出所");
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 3);
	json_decref(j);

	/* Only len bytes are read. */
	{
		const char *text = "{\"a\":1}garbage";
		struct fq_err err = FQ_ERR_INIT;
		assert_int_equal(fq_json_parse_object(text, 7, &j, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
		json_decref(j);
	}
}

static void test_parse_duplicate_keys(void **state)
{
	(void)state;
	parse_bad("{\"a\":1,\"a\":2}", 13, "duplicate_key");
	parse_bad("{\"x\":{\"b\":true,\"b\":false}}", 26, "duplicate_key");
	/* The same key in different objects is fine. */
	json_decref(parse("{\"a\":{\"a\":1},\"b\":{\"a\":2}}"));
}

static void test_parse_invalid_utf8(void **state)
{
	static const char latin1[] = "{\"name\":\"caf\xe9\"}";
	static const char truncated[] = "{\"name\":\"\xe6\x9e\"}";
	static const char overlong[] = "{\"name\":\"\xc0\xaf\"}";
	static const char surrogate[] = "{\"name\":\"\xed\xa0\x80\"}";
	static const char in_key[] = "{\"\xff\":1}";

	(void)state;
	parse_bad(latin1, sizeof(latin1) - 1, "invalid_utf8");
	parse_bad(truncated, sizeof(truncated) - 1, "invalid_utf8");
	parse_bad(overlong, sizeof(overlong) - 1, "invalid_utf8");
	parse_bad(surrogate, sizeof(surrogate) - 1, "invalid_utf8");
	parse_bad(in_key, sizeof(in_key) - 1, "invalid_utf8");
}

static void test_parse_not_an_object(void **state)
{
	(void)state;
	parse_bad("[1,2]", 5, "malformed_json");
	parse_bad("\"text\"", 6, "malformed_json");
	parse_bad("42", 2, "malformed_json");
	parse_bad("null", 4, "malformed_json");
	parse_bad("", 0, "malformed_json");
	parse_bad("{\"a\":}", 6, "malformed_json");
	parse_bad("{\"a\":1", 6, "malformed_json");
	parse_bad("{\"a\":1} {}", 10, "malformed_json");
	parse_bad("{'a':1}", 7, "malformed_json");
	parse_bad("{\"a\":\"x\\u0000y\"}", 16, "malformed_json");
	/* An embedded NUL ends nothing: the document is broken. */
	parse_bad("{\"a\":1}\0", 8, "malformed_json");
}

static void expect_err(struct fq_err *err, const char *machine, const char *field)
{
	assert_int_equal(err->code, FQ_EINVAL);
	assert_string_equal(err->machine, machine);
	assert_string_equal(err->field, field);
	assert_true(err->message[0] != '\0');
	fq_err_clear(err);
}

static void test_get_str(void **state)
{
	json_t *j = parse("{\"name\":\"王小明\",\"blank\":\" \\t\\n\",\"empty\":\"\",\"num\":5,"
			  "\"nul\":null}");
	struct fq_err err = FQ_ERR_INIT;
	const char *s = "untouched";

	(void)state;
	assert_int_equal(fq_json_get_str(j, "name", FQ_JSON_REQUIRED, 0, &s, &err), 0);
	assert_string_equal(s, "王小明");

	assert_int_equal(fq_json_get_str(j, "missing", FQ_JSON_REQUIRED, 10, &s, &err), FQ_EINVAL);
	assert_null(s);
	expect_err(&err, "missing_field", "missing");

	assert_int_equal(fq_json_get_str(j, "nul", FQ_JSON_REQUIRED, 10, &s, &err), FQ_EINVAL);
	expect_err(&err, "missing_field", "nul");

	s = "x";
	assert_int_equal(fq_json_get_str(j, "missing", FQ_JSON_OPTIONAL, 10, &s, &err), 0);
	assert_null(s);
	s = "x";
	assert_int_equal(fq_json_get_str(j, "nul", FQ_JSON_OPTIONAL, 10, &s, &err), 0);
	assert_null(s);
	assert_int_equal(err.code, 0);

	/* Required strings must hold more than white space; optional ones may be empty. */
	assert_int_equal(fq_json_get_str(j, "blank", FQ_JSON_REQUIRED, 0, &s, &err), FQ_EINVAL);
	expect_err(&err, "missing_field", "blank");
	assert_int_equal(fq_json_get_str(j, "empty", FQ_JSON_REQUIRED, 0, &s, &err), FQ_EINVAL);
	expect_err(&err, "missing_field", "empty");
	assert_int_equal(fq_json_get_str(j, "empty", FQ_JSON_OPTIONAL, 0, &s, &err), 0);
	assert_string_equal(s, "");

	assert_int_equal(fq_json_get_str(j, "num", FQ_JSON_OPTIONAL, 0, &s, &err), FQ_EINVAL);
	expect_err(&err, "invalid_type", "num");

	/* The parser refuses \u0000; a string built in the program may still hold one. */
	json_object_set_new(j, "zero", json_stringn("a\0b", 3));
	assert_int_equal(fq_json_get_str(j, "zero", FQ_JSON_OPTIONAL, 0, &s, &err), FQ_EINVAL);
	expect_err(&err, "invalid_value", "zero");

	json_decref(j);
}

static void test_get_str_counts_characters(void **state)
{
	/* 5 characters in 15 bytes. */
	json_t *j = parse("{\"station\":\"枫桥派出所\",\"ascii\":\"abcde\"}");
	struct fq_err err = FQ_ERR_INIT;
	const char *s;

	(void)state;
	assert_int_equal(fq_json_get_str(j, "station", FQ_JSON_REQUIRED, 5, &s, &err), 0);
	assert_string_equal(s, "枫桥派出所");
	assert_int_equal(fq_json_get_str(j, "station", FQ_JSON_REQUIRED, 4, &s, &err), FQ_EINVAL);
	expect_err(&err, "too_long", "station");
	assert_int_equal(fq_json_get_str(j, "ascii", FQ_JSON_REQUIRED, 5, &s, &err), 0);
	assert_int_equal(fq_json_get_str(j, "ascii", FQ_JSON_REQUIRED, 4, &s, &err), FQ_EINVAL);
	expect_err(&err, "too_long", "ascii");
	json_decref(j);

	assert_int_equal(fq_utf8_chars(""), 0);
	assert_int_equal(fq_utf8_chars("abc"), 3);
	assert_int_equal(fq_utf8_chars("枫桥a"), 3);
	assert_int_equal(fq_utf8_chars("\xf0\x9f\x9a\x93"), 1); /* one emoji, 4 bytes */
}

static void test_get_int(void **state)
{
	json_t *j = parse("{\"n\":42,\"neg\":-7,\"big\":9223372036854775807,\"real\":1.5,"
			  "\"one\":1.0,\"s\":\"42\",\"b\":true,\"nul\":null}");
	struct fq_err err = FQ_ERR_INIT;
	int64_t v = -1;
	int present = -1;

	(void)state;
	assert_int_equal(fq_json_get_int(j, "n", FQ_JSON_REQUIRED, 0, 100, &v, &present, &err), 0);
	assert_int_equal(v, 42);
	assert_int_equal(present, 1);
	/* Bounds are inclusive. */
	assert_int_equal(fq_json_get_int(j, "n", FQ_JSON_REQUIRED, 42, 42, &v, NULL, &err), 0);
	assert_int_equal(fq_json_get_int(j, "neg", FQ_JSON_REQUIRED, -7, 0, &v, NULL, &err), 0);
	assert_int_equal(v, -7);
	assert_int_equal(
	    fq_json_get_int(j, "big", FQ_JSON_REQUIRED, 0, INT64_MAX, &v, &present, &err), 0);
	assert_true(v == INT64_MAX);

	v = 1234;
	assert_int_equal(fq_json_get_int(j, "n", FQ_JSON_REQUIRED, 0, 41, &v, &present, &err),
			 FQ_EINVAL);
	assert_int_equal(v, 1234);
	assert_int_equal(present, 0);
	expect_err(&err, "out_of_range", "n");
	assert_int_equal(fq_json_get_int(j, "n", FQ_JSON_REQUIRED, 43, 100, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "out_of_range", "n");
	assert_int_equal(fq_json_get_int(j, "big", FQ_JSON_REQUIRED, 0, INT32_MAX, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "out_of_range", "big");

	assert_int_equal(fq_json_get_int(j, "real", FQ_JSON_REQUIRED, 0, 10, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "invalid_type", "real");
	assert_int_equal(fq_json_get_int(j, "one", FQ_JSON_REQUIRED, 0, 10, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "invalid_type", "one");
	assert_int_equal(fq_json_get_int(j, "s", FQ_JSON_REQUIRED, 0, 100, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "invalid_type", "s");
	assert_int_equal(fq_json_get_int(j, "b", FQ_JSON_OPTIONAL, 0, 100, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "invalid_type", "b");

	present = -1;
	v = 99;
	assert_int_equal(fq_json_get_int(j, "nul", FQ_JSON_OPTIONAL, 0, 1, &v, &present, &err), 0);
	assert_int_equal(present, 0);
	assert_int_equal(v, 99);
	assert_int_equal(fq_json_get_int(j, "none", FQ_JSON_OPTIONAL, 0, 1, &v, &present, &err), 0);
	assert_int_equal(present, 0);
	assert_int_equal(fq_json_get_int(j, "none", FQ_JSON_REQUIRED, 0, 1, &v, &present, &err),
			 FQ_EINVAL);
	expect_err(&err, "missing_field", "none");
	json_decref(j);
}

static void test_get_bool(void **state)
{
	json_t *j = parse("{\"t\":true,\"f\":false,\"n\":1,\"s\":\"true\",\"nul\":null}");
	struct fq_err err = FQ_ERR_INIT;
	int v = -1, present = -1;

	(void)state;
	assert_int_equal(fq_json_get_bool(j, "t", FQ_JSON_REQUIRED, &v, &present, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(present, 1);
	assert_int_equal(fq_json_get_bool(j, "f", FQ_JSON_REQUIRED, &v, &present, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(fq_json_get_bool(j, "n", FQ_JSON_REQUIRED, &v, &present, &err), FQ_EINVAL);
	assert_int_equal(present, 0);
	expect_err(&err, "invalid_type", "n");
	assert_int_equal(fq_json_get_bool(j, "s", FQ_JSON_OPTIONAL, &v, NULL, &err), FQ_EINVAL);
	expect_err(&err, "invalid_type", "s");
	v = 7;
	assert_int_equal(fq_json_get_bool(j, "nul", FQ_JSON_OPTIONAL, &v, &present, &err), 0);
	assert_int_equal(present, 0);
	assert_int_equal(v, 7);
	assert_int_equal(fq_json_get_bool(j, "nul", FQ_JSON_REQUIRED, &v, &present, &err),
			 FQ_EINVAL);
	expect_err(&err, "missing_field", "nul");
	json_decref(j);
}

static void test_get_real(void **state)
{
	json_t *j = parse("{\"lat\":29.7123,\"lon\":120,\"far\":200.5,\"s\":\"1\"}");
	struct fq_err err = FQ_ERR_INIT;
	double v = -1;
	int present = -1;

	(void)state;
	assert_int_equal(fq_json_get_real(j, "lat", FQ_JSON_REQUIRED, -90, 90, &v, &present, &err),
			 0);
	assert_true(v == 29.7123);
	assert_int_equal(present, 1);
	/* Integers are numbers too. */
	assert_int_equal(fq_json_get_real(j, "lon", FQ_JSON_REQUIRED, -180, 180, &v, NULL, &err),
			 0);
	assert_true(v == 120.0);
	assert_int_equal(
	    fq_json_get_real(j, "far", FQ_JSON_REQUIRED, -180, 180, &v, &present, &err), FQ_EINVAL);
	assert_int_equal(present, 0);
	expect_err(&err, "out_of_range", "far");
	assert_int_equal(fq_json_get_real(j, "s", FQ_JSON_REQUIRED, -180, 180, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "invalid_type", "s");
	assert_int_equal(fq_json_get_real(j, "none", FQ_JSON_REQUIRED, 0, 1, &v, NULL, &err),
			 FQ_EINVAL);
	expect_err(&err, "missing_field", "none");
	assert_int_equal(fq_json_get_real(j, "none", FQ_JSON_OPTIONAL, 0, 1, &v, &present, &err),
			 0);
	assert_int_equal(present, 0);
	json_decref(j);
}

static void test_get_str_array(void **state)
{
	json_t *j = parse("{\"roles\":[\"admin\",\"chief\"],\"empty\":[],\"mixed\":[\"a\",1],"
			  "\"obj\":{},\"nul\":null}");
	struct fq_err err = FQ_ERR_INIT;
	json_t *a = (json_t *)&err;

	(void)state;
	assert_int_equal(fq_json_get_str_array(j, "roles", FQ_JSON_REQUIRED, 2, &a, &err), 0);
	assert_ptr_equal(a, json_object_get(j, "roles"));
	assert_int_equal(json_array_size(a), 2);
	assert_int_equal(fq_json_get_str_array(j, "empty", FQ_JSON_REQUIRED, 2, &a, &err), 0);
	assert_int_equal(json_array_size(a), 0);
	assert_int_equal(fq_json_get_str_array(j, "roles", FQ_JSON_REQUIRED, 1, &a, &err),
			 FQ_EINVAL);
	assert_null(a);
	expect_err(&err, "too_many", "roles");
	assert_int_equal(fq_json_get_str_array(j, "mixed", FQ_JSON_REQUIRED, 5, &a, &err),
			 FQ_EINVAL);
	expect_err(&err, "invalid_type", "mixed");
	assert_int_equal(fq_json_get_str_array(j, "obj", FQ_JSON_REQUIRED, 5, &a, &err), FQ_EINVAL);
	expect_err(&err, "invalid_type", "obj");
	assert_int_equal(fq_json_get_str_array(j, "nul", FQ_JSON_OPTIONAL, 5, &a, &err), 0);
	assert_null(a);
	assert_int_equal(fq_json_get_str_array(j, "nul", FQ_JSON_REQUIRED, 5, &a, &err), FQ_EINVAL);
	expect_err(&err, "missing_field", "nul");
	json_decref(j);
}

static void test_only_keys(void **state)
{
	static const char *const allowed[] = {"name", "kind", "parent", NULL};
	static const char *const none[] = {NULL};
	json_t *ok = parse("{\"name\":\"x\",\"kind\":\"city\"}");
	json_t *bad = parse("{\"name\":\"x\",\"password_hash\":\"y\"}");
	json_t *empty = parse("{}");
	struct fq_err err = FQ_ERR_INIT;

	(void)state;
	assert_int_equal(fq_json_only_keys(ok, allowed, &err), 0);
	assert_int_equal(fq_json_only_keys(empty, allowed, &err), 0);
	assert_int_equal(fq_json_only_keys(empty, none, &err), 0);
	assert_int_equal(fq_json_only_keys(bad, allowed, &err), FQ_EINVAL);
	expect_err(&err, "unknown_field", "password_hash");
	assert_int_equal(fq_json_only_keys(ok, none, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "unknown_field");
	json_decref(ok);
	json_decref(bad);
	json_decref(empty);
}

static void test_dump_reals(void **state)
{
	json_t *j;

	(void)state;
	j = json_pack("{s:f}", "t", 36.8219);
	assert_string_equal(dump(j), "{\"t\":36.8219}");
	json_decref(j);
	j = json_pack("{s:f}", "lat", 29.712345678901234);
	assert_string_equal(dump(j), "{\"lat\":29.7123456789012}");
	json_decref(j);
	j = json_pack("{s:f}", "x", 0.1);
	assert_string_equal(dump(j), "{\"x\":0.1}");
	json_decref(j);
	j = json_pack("{s:f}", "x", 1.0 / 3.0);
	assert_string_equal(dump(j), "{\"x\":0.333333333333333}");
	json_decref(j);
	j = json_pack("{s:f}", "x", 120.0);
	assert_string_equal(dump(j), "{\"x\":120.0}");
	json_decref(j);
}

static void test_dump_compact_utf8(void **state)
{
	json_t *j = json_pack("{s:s, s:[i, b, n]}", "name", "枫桥派出所", "a", 1, 0);
	struct fq_buf b;

	(void)state;
	assert_string_equal(dump(j), "{\"name\":\"枫桥派出所\",\"a\":[1,false,null]}");
	/* Appends to what is there. */
	fq_buf_init(&b, 0);
	assert_int_equal(fq_buf_adds(&b, "data: "), 0);
	assert_int_equal(fq_json_dump(j, &b), 0);
	assert_string_equal(b.buf, "data: {\"name\":\"枫桥派出所\",\"a\":[1,false,null]}");
	fq_buf_release(&b);
	/* Over the buffer's maximum: FQ_ETOOBIG. */
	fq_buf_init(&b, 10);
	assert_int_equal(fq_json_dump(j, &b), FQ_ETOOBIG);
	assert_true(b.len <= 10);
	fq_buf_release(&b);
	json_decref(j);
}

/* Answers on both sides of the stack buffer (8 KiB) come out whole and the same. */
static void test_dump_sizes(void **state)
{
	(void)state;
	for (size_t n = 1; n <= 4000; n = n * 3 + 1) {
		json_t *arr = json_array(), *back;
		struct fq_buf b;
		json_error_t je;

		for (size_t i = 0; i < n; i++)
			json_array_append_new(
			    arr, json_pack("{s:I, s:s}", "i", (json_int_t)i, "t", "网格"));
		fq_buf_init(&b, 0);
		assert_int_equal(fq_buf_adds(&b, ">"), 0);
		assert_int_equal(fq_json_dump(arr, &b), 0);
		assert_int_equal(b.buf[0], '>');
		back = json_loadb(b.buf + 1, b.len - 1, 0, &je);
		if (!back)
			fail_msg("n=%zu: %s", n, je.text);
		assert_true(json_equal(arr, back));
		assert_int_equal(b.len - 1, json_dumpb(arr, NULL, 0, FQ_JSON_DUMP_FLAGS));
		json_decref(back);
		json_decref(arr);
		fq_buf_release(&b);
	}
}

/* ours(j) against jansson's json_dumpb(j, flags): the same bytes. */
static void same_bytes(const json_t *j, size_t flags, int (*ours)(const json_t *, struct fq_buf *),
		       const char *name)
{
	size_t n = json_dumpb(j, NULL, 0, flags);
	char *want = malloc(n + 1);
	struct fq_buf b;

	assert_non_null(want);
	assert_true(n > 0);
	assert_int_equal(json_dumpb(j, want, n, flags), n);
	want[n] = '\0';
	fq_buf_init(&b, 0);
	assert_int_equal(ours(j, &b), 0);
	if (b.len != n || memcmp(b.buf, want, n) != 0)
		fail_msg("%s wrote\n%s\njansson wrote\n%s", name, b.buf, want);
	fq_buf_release(&b);
	free(want);
}

/* fq_json_dump against jansson's json_dumpb: the same bytes for every kind of value. */
static void same_as_jansson(const json_t *j)
{
	same_bytes(j, FQ_JSON_DUMP_FLAGS, fq_json_dump, "fq_json_dump");
	/* Sorted keys, at every depth. */
	same_bytes(j, FQ_JSON_DUMP_FLAGS | JSON_SORT_KEYS, fq_json_dump_sorted,
		   "fq_json_dump_sorted");
}

static void test_dump_matches_jansson(void **state)
{
	static const double reals[] = {0.0,
				       -0.0,
				       0.1,
				       -0.5,
				       1.0,
				       120.0,
				       1e15,
				       1e16,
				       1e20,
				       1e21,
				       1e100,
				       -1e-5,
				       1.5e-300,
				       5e-324,
				       DBL_MAX,
				       DBL_MIN,
				       29.7123456789012345,
				       120.2,
				       0.333333333333333314829616256247,
				       123456789012345678.0};
	static const json_int_t ints[] = {0, 1, -1, 9, 10, -10, 1234567, INT64_MAX, INT64_MIN};
	json_t *obj = json_object(), *arr = json_array(), *nested = json_array();
	char s[64];
	uint64_t x = 88172645463325252u;

	(void)state;
	/* Every byte below 0x20, each of the escapes, and text around them. */
	for (int c = 0; c < 0x20; c++) {
		char t[4] = {'a', (char)c, 'b', 0};
		json_array_append_new(arr, json_stringn(t, 3));
	}
	json_array_append_new(arr, json_string("引号\"反斜杠\\斜杠/删除\x7f"));
	json_array_append_new(arr, json_string("emoji 😀 and 枫桥派出所"));
	json_array_append_new(arr, json_string(""));
	json_array_append_new(arr, json_stringn("nul\0inside", 10));
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		json_array_append_new(arr, json_integer(ints[i]));
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_array_append_new(arr, json_real(reals[i]));
	/* Pseudo-random reals over many magnitudes (xorshift64). */
	for (int i = 0; i < 3000; i++) {
		double v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&v, &x, sizeof(v));
		if (isfinite(v))
			json_array_append_new(arr, json_real(v));
		json_array_append_new(arr, json_real((double)(x >> 11) / 1e6 - 4e12));
		/* Coordinates, scores and the like, and the edges of the fast path. */
		json_array_append_new(arr, json_real(29.6 + (double)(x % 300000) / 1e6));
		json_array_append_new(arr, json_real(-(double)(x % 1000) / 100.0));
		json_array_append_new(arr, json_real((double)(x >> 11) / 9007199254740992.0));
		json_array_append_new(arr, json_real(pow(10.0, (double)(i % 40) - 20.0) *
						     (1.0 + (double)(x % 7) / 3.0)));
		json_array_append_new(arr, json_real((double)(x % 100000000) + 0.5));
		json_array_append_new(arr, json_real(nextafter(pow(10.0, (double)(i % 24) - 6),
							       (i & 1) ? 0.0 : INFINITY)));
	}
	/* The 300 doubles on each side of every power of ten the fast path covers (where log10
	 * may round to the power itself), and two found by a review. */
	for (int k = -4; k <= 14; k++) {
		double below = pow(10.0, k), above = below;

		for (int i = 0; i < 300; i++) {
			below = nextafter(below, 0.0);
			above = nextafter(above, INFINITY);
			json_array_append_new(arr, json_real(below));
			json_array_append_new(arr, json_real(above));
		}
	}
	json_array_append_new(arr, json_real(99999999.99999994));
	json_array_append_new(arr, json_real(999.99999999999943));
	json_array_append_new(arr, json_true());
	json_array_append_new(arr, json_false());
	json_array_append_new(arr, json_null());
	json_array_append_new(arr, json_object());
	json_array_append_new(arr, json_array());
	/* Keys that need escaping, set in an order that is not sorted. */
	json_object_set_new(obj, "z", json_integer(1));
	json_object_set_new(obj, "键\"\n", json_string("值"));
	json_object_set_new(obj, "a", json_null());
	json_object_set_new(obj, "ab", json_true());
	json_object_set_new(obj, "aB", json_false());
	json_object_set_new(obj, "网格", json_integer(2));
	json_object_set_new(obj, "A", json_integer(3));
	json_object_set_new(
	    obj, "inner",
	    json_pack("{s:i, s:i, s:[{s:i, s:i}]}", "z", 1, "b", 2, "m", "y", 1, "c", 2));
	for (int i = 0; i < 40; i++) {
		snprintf(s, sizeof(s), "k%d", 97 * i % 41);
		json_object_set_new(obj, s, json_pack("{s:[i,f,s]}", "v", i, i / 7.0, s));
	}
	json_array_append_new(nested, json_pack("[[[{s:[]}]]]", "deep"));
	json_object_set_new(obj, "nested", nested);
	json_object_set(obj, "all", arr);
	same_as_jansson(arr);
	same_as_jansson(obj);
	json_decref(arr);
	json_decref(obj);
}

/* What cannot be written fails and leaves the buffer as it was. */
static void test_dump_refused(void **state)
{
	json_t *bad = json_pack("{s:o}", "s", json_stringn_nocheck("\xff\xfe", 2));
	json_t *deep = json_array(), *cycle = json_array(), *inner = deep;
	struct fq_buf b;

	(void)state;
	fq_buf_init(&b, 0);
	assert_int_equal(fq_buf_adds(&b, "kept"), 0);
	/* Not valid UTF-8: jansson refuses it too. */
	assert_int_equal(json_dumpb(bad, NULL, 0, FQ_JSON_DUMP_FLAGS), 0);
	assert_int_equal(fq_json_dump(bad, &b), FQ_EINVAL);
	assert_string_equal(b.buf, "kept");
	/* Ill-formed anywhere in a string: truncated, overlong, a surrogate, above U+10FFFF. */
	{
		static const char *const ill[] = {"ok \xe6\x9e", "\xc0\xaf",
						  "a\xed\xa0\x80"
						  "b",
						  "\xf4\x90\x80\x80", "枫桥\x80"};

		for (size_t i = 0; i < sizeof(ill) / sizeof(ill[0]); i++) {
			json_t *j = json_pack("[o]", json_stringn_nocheck(ill[i], strlen(ill[i])));

			assert_int_equal(json_dumpb(j, NULL, 0, FQ_JSON_DUMP_FLAGS), 0);
			assert_int_equal(fq_json_dump(j, &b), FQ_EINVAL);
			assert_string_equal(b.buf, "kept");
			json_decref(j);
		}
	}
	/* What jansson parses, however deep, is written back. */
	{
		char text[2 * 2000 + 1];
		json_t *j;

		for (int i = 0; i < 2000; i++) {
			text[i] = '[';
			text[2000 + i] = ']';
		}
		text[4000] = '\0';
		j = json_loads(text, 0, NULL);
		assert_non_null(j);
		assert_int_equal(fq_json_dump(j, &b), 0);
		assert_memory_equal(b.buf + 4, text, 4000);
		b.len = 4;
		b.buf[4] = '\0';
		json_decref(j);
	}
	/* Not an object or an array at the top. */
	assert_int_equal(fq_json_dump(json_object_get(bad, "s"), &b), FQ_EINVAL);
	assert_int_equal(fq_json_dump(NULL, &b), FQ_EINVAL);
	/* Nesting: 4095 levels below the top are written, 4096 are not. */
	for (int i = 0; i < 4095; i++) {
		json_t *next = json_array();
		json_array_append_new(inner, next);
		inner = next;
	}
	assert_int_equal(fq_json_dump(deep, &b), 0);
	assert_int_equal(b.len, 4 + 2 * 4096);
	b.len = 4;
	b.buf[4] = '\0';
	json_array_append_new(inner, json_array());
	assert_int_equal(fq_json_dump(deep, &b), FQ_ETOOBIG);
	assert_string_equal(b.buf, "kept");
	/* A cycle (jansson refuses an array in itself, not one two steps away) ends as too deep. */
	{
		json_t *other = json_array();

		assert_int_equal(json_array_append_new(cycle, other), 0);
		assert_int_equal(json_array_append(other, cycle), 0);
		assert_int_equal(fq_json_dump(cycle, &b), FQ_ETOOBIG);
		assert_string_equal(b.buf, "kept");
		json_array_clear(other);
		json_decref(cycle);
	}
	json_decref(deep);
	json_decref(bad);
	fq_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_object),
	    cmocka_unit_test(test_parse_duplicate_keys),
	    cmocka_unit_test(test_parse_invalid_utf8),
	    cmocka_unit_test(test_parse_not_an_object),
	    cmocka_unit_test(test_get_str),
	    cmocka_unit_test(test_get_str_counts_characters),
	    cmocka_unit_test(test_get_int),
	    cmocka_unit_test(test_get_bool),
	    cmocka_unit_test(test_get_real),
	    cmocka_unit_test(test_get_str_array),
	    cmocka_unit_test(test_only_keys),
	    cmocka_unit_test(test_dump_reals),
	    cmocka_unit_test(test_dump_compact_utf8),
	    cmocka_unit_test(test_dump_sizes),
	    cmocka_unit_test(test_dump_matches_jansson),
	    cmocka_unit_test(test_dump_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
