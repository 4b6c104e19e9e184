#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db.h"
#include "org/units.h"
#include "unit/fq_test.h"

#define POLYGON                                                                                    \
	"{\"type\":\"Polygon\",\"coordinates\":[[[120.2,29.7],[120.3,29.7],[120.3,29.8],"          \
	"[120.2,29.7]]]}"

static int create(struct fq_dbc *c, const char *code, const char *name, const char *kind,
		  const char *parent, struct fq_err *err)
{
	struct fq_unit_new u = {.code = code, .name = name, .kind = kind, .parent = parent};
	return fq_unit_create(c, &u, err);
}

/*
 * 330600 city
 *   330681 branch
 *     330681510000 station (centroid, boundary)
 *       330681510100 post
 *       G01 grid
 *       G02 grid
 *   33068 branch (its code is a prefix of 330681's)
 *     33068X01 station
 */
static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("units");
	struct fq_err err = FQ_ERR_INIT;
	struct fq_unit_new station = {.code = "330681510000",
				      .name = "枫桥派出所",
				      .kind = "station",
				      .parent = "330681",
				      .has_centroid = 1,
				      .lat = 29.7123,
				      .lon = 120.2456,
				      .boundary_geojson = POLYGON};

	if (!f)
		return -1;
	*state = f;
	fq_test_unit(f->c, "330600", "绍兴市公安局", "city", NULL);
	fq_test_unit(f->c, "330681", "诸暨市公安局", "branch", "330600");
	if (fq_unit_create(f->c, &station, &err) != 0) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	fq_test_unit(f->c, "330681510100", "枫桥镇警务室", "post", "330681510000");
	fq_test_unit(f->c, "G02", "第二网格", "grid", "330681510000");
	fq_test_unit(f->c, "G01", "第一网格", "grid", "330681510000");
	fq_test_unit(f->c, "33068", "测试分局", "branch", "330600");
	fq_test_unit(f->c, "33068X01", "测试派出所", "station", "33068");
	return 0;
}

static void expect_path(struct fq_dbc *c, const char *code, const char *want)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_err err = FQ_ERR_INIT;

	if (fq_unit_path(c, code, path, &err) != 0)
		fail_msg("path of %s: %s", code, err.message);
	assert_string_equal(path, want);
}

static void expect_refused(struct fq_dbc *c, const struct fq_unit_new *u, int code,
			   const char *machine, const char *field)
{
	struct fq_err err = FQ_ERR_INIT;
	int rc = fq_unit_create(c, u, &err);

	if (rc != code)
		fail_msg("unit %s (%s under %s): got %d, want %d %s", u->code ? u->code : "-",
			 u->kind ? u->kind : "-", u->parent ? u->parent : "-", rc, code, machine);
	assert_string_equal(err.machine, machine);
	assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
}

static void test_code_valid(void **state)
{
	(void)state;
	assert_true(fq_unit_code_valid("330600"));
	assert_true(fq_unit_code_valid("ab"));
	assert_true(fq_unit_code_valid("G-01_x"));
	assert_true(fq_unit_code_valid("1234567890123456789012345678901")); /* 31 */
	assert_false(fq_unit_code_valid("12345678901234567890123456789012"));
	assert_false(fq_unit_code_valid("a"));
	assert_false(fq_unit_code_valid(""));
	assert_false(fq_unit_code_valid(NULL));
	assert_false(fq_unit_code_valid("33 06"));
	assert_false(fq_unit_code_valid("33/06"));
	assert_false(fq_unit_code_valid("33.06"));
	assert_false(fq_unit_code_valid("枫桥"));
	assert_false(fq_unit_code_valid("%_"));
}

static void test_paths(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char path[FQ_UNIT_PATH_MAX];

	expect_path(f->c, "330600", "/330600/");
	expect_path(f->c, "330681", "/330600/330681/");
	expect_path(f->c, "330681510000", "/330600/330681/330681510000/");
	expect_path(f->c, "330681510100", "/330600/330681/330681510000/330681510100/");
	expect_path(f->c, "G01", "/330600/330681/330681510000/G01/");
	expect_path(f->c, "33068X01", "/330600/33068/33068X01/");
	assert_int_equal(fq_unit_path(f->c, "nope", path, &err), FQ_ENOTFOUND);
	assert_string_equal(err.machine, "unit_not_found");
}

static void test_hierarchy_rules(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;

	/* Accepted combinations. */
	assert_int_equal(create(f->c, "G11", "岗亭网格", "grid", "330681510100", &err), 0);
	assert_int_equal(create(f->c, "330681520000", "直属派出所", "station", "330681", &err), 0);
	assert_int_equal(create(f->c, "330700", "金华市公安局", "city", NULL, &err), 0);

	/* Refused combinations, each naming the parent. */
	{
		struct fq_unit_new u = {
		    .code = "X1", .name = "x", .kind = "city", .parent = "330600"};
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_parent", "parent");
	}
	{
		struct fq_unit_new u = {.code = "X8", .name = "x", .kind = "branch"};
		expect_refused(f->c, &u, FQ_EINVAL, "missing_field", "parent");
	}
	{
		struct fq_unit_new u = {
		    .code = "X9", .name = "x", .kind = "branch", .parent = "999"};
		expect_refused(f->c, &u, FQ_EINVAL, "unknown_parent", "parent");
	}
	/* Nothing refused was written. */
	for (int i = 1; i <= 9; i += 7) {
		char code[16], path[FQ_UNIT_PATH_MAX];
		snprintf(code, sizeof(code), "X%d", i);
		assert_int_equal(fq_unit_path(f->c, code, path, &err), FQ_ENOTFOUND);
	}
}

/*
 * A kind that may not sit under its parent's kind. Run in a child process
 * with its own connection: a memory error there (ASan aborts) fails this
 * case without taking the rest of the suite down.
 */
static const struct {
	const char *code, *kind, *parent, *parent_kind;
} misplaced[] = {
    {"X2", "branch", "330681", "branch"}, {"X3", "station", "G01", "grid"},
    {"X4", "grid", "330681", "branch"},	  {"X5", "grid", "330600", "city"},
    {"X6", "grid", "G01", "grid"},	  {"X7", "post", "330681510100", "post"},
};

static int check_misplaced(const char *db_path)
{
	struct fq_db *db;
	struct fq_dbc *c;
	struct fq_err err = FQ_ERR_INIT;
	int bad = 0;

	if (fq_db_open(db_path, NULL, &db, &err) != 0)
		return 2;
	c = fq_db_acquire(db);
	for (size_t i = 0; i < sizeof(misplaced) / sizeof(misplaced[0]); i++) {
		struct fq_unit_new u = {.code = misplaced[i].code,
					.name = "x",
					.kind = misplaced[i].kind,
					.parent = misplaced[i].parent};
		char want[128];
		int rc;

		fq_err_clear(&err);
		rc = fq_unit_create(c, &u, &err);
		snprintf(want, sizeof(want), "%s 类单位不能隶属于 %s 类单位", misplaced[i].kind,
			 misplaced[i].parent_kind);
		if (rc != FQ_EINVAL || strcmp(err.machine, "invalid_parent") != 0 ||
		    strcmp(err.field, "parent") != 0 || strcmp(err.message, want) != 0) {
			fprintf(stderr, "%s under %s: rc %d, %s/%s \"%s\", want \"%s\"\n",
				misplaced[i].kind, misplaced[i].parent, rc, err.machine, err.field,
				err.message, want);
			bad = 1;
		}
	}
	fq_db_release(db, c);
	fq_db_close(db);
	return bad;
}

static void test_misplaced_kind_refused(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(check_misplaced(f->path));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("refusing a misplaced unit kind failed (child status %d, see above)",
			 status);
	for (size_t i = 0; i < sizeof(misplaced) / sizeof(misplaced[0]); i++) {
		char path[FQ_UNIT_PATH_MAX];
		assert_int_equal(fq_unit_path(f->c, misplaced[i].code, path, &err), FQ_ENOTFOUND);
	}
}

static void test_field_validation(void **state)
{
	struct fq_test_store *f = *state;
	char long_name[FQ_UNIT_NAME_MAX * 3 + 4];
	struct fq_err err = FQ_ERR_INIT;

	{
		struct fq_unit_new u = {
		    .code = "a", .name = "x", .kind = "branch", .parent = "330600"};
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_code", "code");
		u.code = "a/b";
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_code", "code");
		u.code = NULL;
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_code", "code");
	}
	{
		struct fq_unit_new u = {
		    .code = "N1", .name = "", .kind = "branch", .parent = "330600"};
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_name", "name");
		u.name = NULL;
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_name", "name");
	}
	/* 64 characters (192 bytes) are fine, 65 are not. */
	long_name[0] = '\0';
	for (int i = 0; i < FQ_UNIT_NAME_MAX; i++)
		memcpy(long_name + strlen(long_name), "警", 4);
	assert_int_equal(create(f->c, "N2", long_name, "branch", "330600", &err), 0);
	memcpy(long_name + strlen(long_name), "警", 4);
	{
		struct fq_unit_new u = {
		    .code = "N3", .name = long_name, .kind = "branch", .parent = "330600"};
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_name", "name");
	}
	{
		struct fq_unit_new u = {
		    .code = "K1", .name = "x", .kind = "county", .parent = "330600"};
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_kind", "kind");
		u.kind = "Branch";
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_kind", "kind");
		u.kind = NULL;
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_kind", "kind");
	}
	{
		struct fq_unit_new u = {.code = "C1",
					.name = "x",
					.kind = "branch",
					.parent = "330600",
					.has_centroid = 1,
					.lat = 91,
					.lon = 120};
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_coordinates", "centroid");
		u.lat = 29;
		u.lon = -180.5;
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_coordinates", "centroid");
		/* Without has_centroid the numbers are ignored. */
		u.has_centroid = 0;
		assert_int_equal(fq_unit_create(f->c, &u, &err), 0);
	}
	/* Duplicate code. */
	assert_int_equal(create(f->c, "330681", "重复", "branch", "330600", &err), FQ_ECONFLICT);
}

static void test_centroid_not_a_number(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_unit_new u = {.code = "C2",
				.name = "x",
				.kind = "branch",
				.parent = "330600",
				.has_centroid = 1,
				.lat = NAN,
				.lon = 120};

	expect_refused(f->c, &u, FQ_EINVAL, "invalid_coordinates", "centroid");
}

static void test_boundary_validation(void **state)
{
	struct fq_test_store *f = *state;
	static const char *const bad[] = {
	    "not json",
	    "",
	    "[1,2]",
	    "{\"type\":\"Point\",\"coordinates\":[120,30]}",
	    "{\"type\":\"LineString\",\"coordinates\":[[120,30],[121,31]]}",
	    "{\"type\":\"Polygon\"}",
	    "{\"type\":\"Polygon\",\"coordinates\":\"x\"}",
	    "{\"type\":\"polygon\",\"coordinates\":[]}",
	    "{\"coordinates\":[[[1,2]]]}",
	    "{\"type\":\"Polygon\",\"type\":\"Polygon\",\"coordinates\":[]}",
	    NULL,
	};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_unit_new u = {.code = "B1", .name = "x", .kind = "branch", .parent = "330600"};

	for (int i = 0; bad[i]; i++) {
		u.boundary_geojson = bad[i];
		expect_refused(f->c, &u, FQ_EINVAL, "invalid_geojson", "boundary");
	}
	u.boundary_geojson = "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[120,30],[120.1,30],"
			     "[120.1,30.1],[120,30]]]]}";
	assert_int_equal(fq_unit_create(f->c, &u, &err), 0);
}

static void test_unit_json(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	json_t *j, *kids, *centroid, *want_boundary;

	assert_int_equal(fq_unit_json(f->c, "330681510000", 1, 1, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "330681510000");
	assert_string_equal(json_string_value(json_object_get(j, "name")), "枫桥派出所");
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "station");
	assert_string_equal(json_string_value(json_object_get(j, "parent")), "330681");
	assert_string_equal(json_string_value(json_object_get(j, "path")),
			    "/330600/330681/330681510000/");
	centroid = json_object_get(j, "centroid");
	assert_true(json_is_object(centroid));
	assert_true(json_real_value(json_object_get(centroid, "lat")) == 29.7123);
	assert_true(json_real_value(json_object_get(centroid, "lon")) == 120.2456);
	want_boundary = json_loads(POLYGON, 0, NULL);
	assert_true(json_equal(json_object_get(j, "boundary"), want_boundary));
	json_decref(want_boundary);

	kids = json_object_get(j, "children");
	assert_true(json_is_array(kids));
	assert_int_equal(json_array_size(kids), 3);
	/* Ordered by code. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(kids, 0), "code")),
			    "330681510100");
	assert_string_equal(json_string_value(json_object_get(json_array_get(kids, 1), "code")),
			    "G01");
	assert_string_equal(json_string_value(json_object_get(json_array_get(kids, 2), "code")),
			    "G02");
	assert_string_equal(json_string_value(json_object_get(json_array_get(kids, 1), "name")),
			    "第一网格");
	assert_string_equal(json_string_value(json_object_get(json_array_get(kids, 1), "path")),
			    "/330600/330681/330681510000/G01/");
	assert_true(json_is_null(json_object_get(json_array_get(kids, 1), "centroid")));
	assert_true(json_is_null(json_object_get(json_array_get(kids, 1), "boundary")));
	json_decref(j);

	/* A city: parent null; without children no "children" member. */
	assert_int_equal(fq_unit_json(f->c, "330600", 0, 1, &j, &err), 0);
	assert_true(json_is_null(json_object_get(j, "parent")));
	assert_true(json_is_null(json_object_get(j, "centroid")));
	assert_true(json_is_null(json_object_get(j, "boundary")));
	assert_null(json_object_get(j, "children"));
	json_decref(j);

	/* A leaf asked for children gets an empty array. */
	assert_int_equal(fq_unit_json(f->c, "G01", 1, 1, &j, &err), 0);
	assert_int_equal(json_array_size(json_object_get(j, "children")), 0);
	json_decref(j);

	/* with_boundary=0 leaves the boundary out, of the unit and of its children. */
	assert_int_equal(fq_unit_json(f->c, "330681510000", 1, 0, &j, &err), 0);
	assert_null(json_object_get(j, "boundary"));
	assert_true(json_is_object(json_object_get(j, "centroid")));
	kids = json_object_get(j, "children");
	assert_int_equal(json_array_size(kids), 3);
	for (size_t i = 0; i < 3; i++)
		assert_null(json_object_get(json_array_get(kids, i), "boundary"));
	json_decref(j);

	j = (json_t *)&err;
	assert_int_equal(fq_unit_json(f->c, "nope", 1, 0, &j, &err), FQ_ENOTFOUND);
	assert_null(j);
}

static int list_codes(struct fq_dbc *c, const char *scope, const char *parent, const char *kind,
		      int with_boundary, char *out, size_t out_size)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *j, *it;
	size_t i;
	int rc = fq_unit_list(c, scope, parent, kind, with_boundary, &j, &err);

	out[0] = '\0';
	if (rc)
		return rc;
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		size_t n = strlen(out);
		snprintf(out + n, out_size - n, "%s%s", n ? "," : "",
			 json_string_value(json_object_get(it, "code")));
		assert_int_equal(json_object_get(it, "boundary") != NULL, with_boundary);
	}
	assert_int_equal(json_integer_value(json_object_get(j, "total")),
			 json_array_size(json_object_get(j, "items")));
	json_decref(j);
	return 0;
}

static void test_list_scoped(void **state)
{
	struct fq_test_store *f = *state;
	char codes[512];

	/* Everything, ordered by path. */
	assert_int_equal(list_codes(f->c, "/330600/", NULL, NULL, 0, codes, sizeof(codes)), 0);
	assert_string_equal(codes,
			    "330600,33068,33068X01,330681,330681510000,330681510100,G01,G02");
	/* One branch: its subtree only, not the branch whose code is a prefix of it. */
	assert_int_equal(list_codes(f->c, "/330600/330681/", NULL, NULL, 1, codes, sizeof(codes)),
			 0);
	assert_string_equal(codes, "330681,330681510000,330681510100,G01,G02");
	assert_int_equal(list_codes(f->c, "/330600/33068/", NULL, NULL, 0, codes, sizeof(codes)),
			 0);
	assert_string_equal(codes, "33068,33068X01");
	/* Kind and parent filters. */
	assert_int_equal(list_codes(f->c, "/330600/", NULL, "grid", 0, codes, sizeof(codes)), 0);
	assert_string_equal(codes, "G01,G02");
	assert_int_equal(list_codes(f->c, "/330600/", NULL, "station", 0, codes, sizeof(codes)), 0);
	assert_string_equal(codes, "33068X01,330681510000");
	assert_int_equal(
	    list_codes(f->c, "/330600/", "330681510000", NULL, 0, codes, sizeof(codes)), 0);
	assert_string_equal(codes, "330681510100,G01,G02");
	assert_int_equal(
	    list_codes(f->c, "/330600/", "330681510000", "post", 0, codes, sizeof(codes)), 0);
	assert_string_equal(codes, "330681510100");
	/* A parent outside the scope yields nothing. */
	assert_int_equal(
	    list_codes(f->c, "/330600/33068/", "330681510000", NULL, 0, codes, sizeof(codes)), 0);
	assert_string_equal(codes, "");
	/* A station sees itself and below. */
	assert_int_equal(
	    list_codes(f->c, "/330600/330681/330681510000/", NULL, NULL, 0, codes, sizeof(codes)),
	    0);
	assert_string_equal(codes, "330681510000,330681510100,G01,G02");
}

static void test_list_errors(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	json_t *j = (json_t *)&err;

	assert_int_equal(fq_unit_list(f->c, "/330600/", NULL, "county", 0, &j, &err), FQ_EINVAL);
	assert_null(j);
	assert_string_equal(err.machine, "invalid_kind");
	assert_string_equal(err.field, "kind");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fq_test_store_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_valid),
	    T(test_paths),
	    T(test_hierarchy_rules),
	    T(test_misplaced_kind_refused),
	    T(test_field_validation),
	    T(test_centroid_not_a_number),
	    T(test_boundary_validation),
	    T(test_unit_json),
	    T(test_list_scoped),
	    T(test_list_errors),
	};
#undef T

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
