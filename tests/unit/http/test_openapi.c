/*
 * The OpenAPI document and the route tables stay in step: every route is
 * described, every described operation is routed, and each operation names
 * a summary and its answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "http/router.h"

static json_t *load_doc(void)
{
	json_error_t je;
	json_t *doc;

	assert_int_equal(fq_embedded_openapi_count, 1);
	doc = json_loadb((const char *)fq_embedded_openapi[0].data, fq_embedded_openapi[0].len,
			 JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		fail_msg("openapi.json: line %d: %s", je.line, je.text);
	return doc;
}

/* "/api/v1/units/:code" → "/api/v1/units/{code}" */
static void to_openapi_path(const char *pattern, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = pattern; *p && o + 2 < cap;) {
		if (*p == ':') {
			out[o++] = '{';
			p++;
			while (*p && *p != '/' && o + 2 < cap)
				out[o++] = *p++;
			out[o++] = '}';
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

static void lower(const char *in, char *out, size_t cap)
{
	size_t i;
	for (i = 0; in[i] && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static void test_every_route_is_described(void **state)
{
	json_t *doc = load_doc(), *paths = json_object_get(doc, "paths");
	int routes = 0;
	(void)state;

	assert_true(json_is_object(paths));
	for (int t = 0; fq_route_tables[t]; t++)
		for (const struct fq_route *rt = fq_route_tables[t]; rt->method; rt++) {
			char path[256], method[16];
			json_t *op;
			to_openapi_path(rt->pattern, path, sizeof(path));
			lower(rt->method, method, sizeof(method));
			op = json_object_get(json_object_get(paths, path), method);
			if (!op)
				fail_msg("route %s %s is not in openapi.json", rt->method, path);
			assert_true(json_is_string(json_object_get(op, "summary")));
			assert_true(json_object_size(json_object_get(op, "responses")) > 0);
			/* Public routes say so; the others inherit the session requirement. */
			if (rt->flags & FQ_ROUTE_PUBLIC)
				assert_int_equal(json_array_size(json_object_get(op, "security")),
						 0);
			else
				assert_null(json_object_get(op, "security"));
			routes++;
		}
	assert_true(routes >= 20);
	json_decref(doc);
}

static int routed(const char *path, const char *method)
{
	for (int t = 0; fq_route_tables[t]; t++)
		for (const struct fq_route *rt = fq_route_tables[t]; rt->method; rt++) {
			char p[256], m[16];
			to_openapi_path(rt->pattern, p, sizeof(p));
			lower(rt->method, m, sizeof(m));
			if (strcmp(p, path) == 0 && strcmp(m, method) == 0)
				return 1;
		}
	return 0;
}

static void test_every_operation_is_routed(void **state)
{
	json_t *doc = load_doc(), *paths = json_object_get(doc, "paths"), *ops, *op;
	const char *path, *method;
	(void)state;

	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	json_object_foreach(paths, path, ops)
	{
		json_object_foreach(ops, method, op)
		{
			(void)op;
			if (!routed(path, method))
				fail_msg("openapi.json describes %s %s, which no route serves",
					 method, path);
		}
	}
	json_decref(doc);
}

static void test_references_resolve(void **state)
{
	json_t *doc = load_doc();
	json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	char *text = json_dumps(doc, JSON_COMPACT);
	const char *p = text;
	int refs = 0;
	(void)state;

	while ((p = strstr(p, "\"$ref\":\"#/components/"))) {
		char kind[32], name[64];
		p += strlen("\"$ref\":\"#/components/");
		if (sscanf(p, "%31[^/]/%63[^\"]", kind, name) != 2)
			fail_msg("bad $ref near %.40s", p);
		if (strcmp(kind, "schemas") == 0 && !json_object_get(schemas, name))
			fail_msg("$ref to missing schema %s", name);
		refs++;
	}
	assert_true(refs > 10);
	free(text);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_route_is_described),
	    cmocka_unit_test(test_every_operation_is_routed),
	    cmocka_unit_test(test_references_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
