#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/router.h"

struct fixture {
	struct fq_req r;
	int known;
	char allow[128];
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	fq_pool_init(&f.r.pool);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fq_pool_release(&f->r.pool);
	return 0;
}

static const struct fq_route *route(struct fixture *f, const char *method, const char *path)
{
	f->known = -1;
	f->r.nparams = -1;
	memset(f->allow, 'x', sizeof(f->allow));
	return fq_route_match(&f->r, method, path, &f->known, f->allow, sizeof(f->allow));
}

static void test_param_route(void **state)
{
	struct fixture *f = *state;
	const struct fq_route *rt = route(f, "GET", "/api/v1/units/339902");

	assert_non_null(rt);
	assert_string_equal(rt->method, "GET");
	assert_string_equal(rt->pattern, "/api/v1/units/:code");
	assert_non_null(rt->handler);
	assert_int_equal(rt->flags, 0);
	assert_int_equal(f->r.nparams, 1);
	assert_string_equal(f->r.params[0], "339902");
	assert_int_equal(f->known, 0);
}

static void test_exact_route(void **state)
{
	struct fixture *f = *state;
	const struct fq_route *rt = route(f, "GET", "/api/v1/units");

	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/units");
	assert_int_equal(f->r.nparams, 0);

	rt = route(f, "GET", "/api/v1/health");
	assert_non_null(rt);
	assert_int_equal(rt->flags, FQ_ROUTE_PUBLIC);

	rt = route(f, "POST", "/api/v1/session");
	assert_non_null(rt);
	assert_string_equal(rt->method, "POST");
	assert_int_equal(rt->flags, FQ_ROUTE_PUBLIC | FQ_ROUTE_NO_CSRF);
	rt = route(f, "DELETE", "/api/v1/session");
	assert_non_null(rt);
	assert_int_equal(rt->flags, 0);
}

static void test_nested_param(void **state)
{
	struct fixture *f = *state;
	const struct fq_route *rt = route(f, "POST", "/api/v1/users/0199-abc/password");

	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/users/:id/password");
	assert_int_equal(f->r.nparams, 1);
	assert_string_equal(f->r.params[0], "0199-abc");

	rt = route(f, "PATCH", "/api/v1/users/0199-abc");
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/users/:id");
	assert_string_equal(f->r.params[0], "0199-abc");
	/* Parameters are copies in the request pool, not pointers into the path. */
	{
		char path[] = "/api/v1/users/u-7";
		rt = route(f, "GET", path);
		assert_non_null(rt);
		path[14] = 'X';
		assert_string_equal(f->r.params[0], "u-7");
	}
}

static void test_wrong_method(void **state)
{
	struct fixture *f = *state;

	assert_null(route(f, "POST", "/api/v1/units/339902"));
	assert_int_equal(f->known, 1);
	assert_string_equal(f->allow, "GET");

	assert_null(route(f, "DELETE", "/api/v1/users/u-1"));
	assert_int_equal(f->known, 1);
	assert_string_equal(f->allow, "GET, PATCH");

	assert_null(route(f, "PATCH", "/api/v1/session"));
	assert_int_equal(f->known, 1);
	assert_string_equal(f->allow, "POST, GET, DELETE");

	assert_null(route(f, "GET", "/api/v1/audit/12"));
	assert_int_equal(f->known, 1);
	assert_string_equal(f->allow, "PUT, PATCH, DELETE");

	/* Methods are case-sensitive. */
	assert_null(route(f, "get", "/api/v1/units"));
	assert_int_equal(f->known, 1);
	assert_string_equal(f->allow, "GET");
}

static void test_allow_truncated(void **state)
{
	struct fixture *f = *state;
	char small[8];

	f->known = -1;
	assert_null(
	    fq_route_match(&f->r, "GET", "/api/v1/audit/12", &f->known, small, sizeof(small)));
	assert_int_equal(f->known, 1);
	assert_string_equal(small, "PUT");

	f->known = -1;
	assert_null(fq_route_match(&f->r, "GET", "/api/v1/audit/12", &f->known, small, 1));
	assert_int_equal(f->known, 1);
	assert_string_equal(small, "");
}

static void test_unknown_paths(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {
	    "/api/v1/nothing",
	    "/api/v1/units/",
	    "/api/v1/units/339902/",
	    "/api/v1/units/339902/children",
	    "/api/v1/units//",
	    "/api/v1//units",
	    "/api/v1/unit",
	    "/api/v1/unitsx",
	    "/api/v1/users/u-1/password/x",
	    "/api/v1/users//password",
	    "/api/v2/units",
	    "api/v1/units",
	    "/",
	    "",
	    NULL,
	};

	for (int i = 0; paths[i]; i++) {
		const struct fq_route *rt = route(f, "GET", paths[i]);
		if (rt || f->known != 0)
			fail_msg("\"%s\" matched %s (known %d)", paths[i], rt ? rt->pattern : "-",
				 f->known);
		assert_string_equal(f->allow, "");
	}
}

/* Every route is reachable by its own method, with its parameters captured. */
static void test_every_route_reachable(void **state)
{
	struct fixture *f = *state;
	int count = 0;

	for (int t = 0; fq_route_tables[t]; t++)
		for (const struct fq_route *rt = fq_route_tables[t]; rt->method; rt++) {
			char path[256];
			size_t n = 0;
			int params = 0;
			const struct fq_route *got;

			for (const char *p = rt->pattern; *p && n < sizeof(path) - 8;) {
				if (*p == ':') {
					n += (size_t)snprintf(path + n, sizeof(path) - n, "v%d",
							      params++);
					while (*p && *p != '/')
						p++;
				} else {
					path[n++] = *p++;
				}
			}
			path[n] = '\0';
			assert_non_null(rt->handler);
			assert_int_equal(rt->pattern[0], '/');
			got = route(f, rt->method, path);
			if (got != rt)
				fail_msg("%s %s reached %s", rt->method, path,
					 got ? got->pattern : "nothing");
			assert_int_equal(f->r.nparams, params);
			for (int k = 0; k < params; k++) {
				char want[16];
				snprintf(want, sizeof(want), "v%d", k);
				assert_string_equal(f->r.params[k], want);
			}
			count++;
		}
	assert_true(count >= 19);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_param_route),	   T(test_exact_route),	    T(test_nested_param),
	    T(test_wrong_method),	   T(test_allow_truncated), T(test_unknown_paths),
	    T(test_every_route_reachable),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
