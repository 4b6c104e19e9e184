/*
 * The registries' store: grid placement by point-in-polygon (GEOS, cached
 * and rebuilt when grids change), duplicate detection on ID numbers and on
 * name + birth date + house, and the concern flag kept for actors who
 * cannot see it.
 */
#include "unit/fq_test.h"

#include "community/placement.h"
#include "community/registry.h"
#include "core/timeutil.h"

/* Two grids side by side: G1 lon 120.0-120.1, G2 lon 120.1-120.2, lat 30.0-30.1. */
#define SQUARE(lon0, lon1)                                                                         \
	"{\"type\":\"Polygon\",\"coordinates\":[[[" lon0 ",30.0],[" lon1 ",30.0],[" lon1           \
	",30.1],[" lon0 ",30.1],[" lon0 ",30.0]]]}"

static void grid(struct fq_dbc *c, const char *code, const char *boundary)
{
	struct fq_unit_new u = {.code = code,
				.name = code,
				.kind = "grid",
				.parent = "339902510000",
				.boundary_geojson = boundary};
	struct fq_err err = FQ_ERR_INIT;
	if (fq_unit_create(c, &u, &err) != 0)
		fail_msg("grid %s: %s", code, err.message);
}

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("registry");
	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "市局", "city", NULL);
	fq_test_unit(f->c, "339902", "县局", "branch", "339900");
	fq_test_unit(f->c, "339902510000", "枫溪派出所", "station", "339902");
	grid(f->c, "G2", SQUARE("120.1", "120.2"));
	grid(f->c, "G1", SQUARE("120.0", "120.1"));
	fq_test_commit(f->c);
	return 0;
}

static void actor(struct fq_actor *a, int see_concern)
{
	a->user_id = NULL;
	a->unit_code = "339902510000";
	a->scope_path = "/339900/339902/339902510000/";
	a->see_concern = see_concern;
	a->now_ms = fq_now_ms();
}

static void test_placement(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_place p;
	unsigned builds;

	assert_int_equal(fq_place_point(f->c, 30.05, 120.05, &p, &err), 0);
	assert_string_equal(p.grid, "G1");
	assert_string_equal(p.station, "339902510000");
	assert_string_equal(p.grid_path, "/339900/339902/339902510000/G1/");
	assert_int_equal(fq_place_point(f->c, 30.05, 120.15, &p, &err), 0);
	assert_string_equal(p.grid, "G2");
	/* On the shared edge: the grid whose code sorts first. */
	assert_int_equal(fq_place_point(f->c, 30.05, 120.1, &p, &err), 0);
	assert_string_equal(p.grid, "G1");
	/* Outside both. */
	assert_int_equal(fq_place_point(f->c, 30.05, 120.25, &p, &err), FQ_ENOTFOUND);
	assert_string_equal(err.machine, "no_grid");
	assert_int_equal(fq_place_cached_grids(), 2);
	/* The set is built once and reused... */
	builds = fq_place_builds();
	assert_int_equal(fq_place_point(f->c, 30.01, 120.01, &p, &err), 0);
	assert_int_equal(fq_place_builds(), builds);
	/* ...and rebuilt when a grid is added. */
	fq_test_begin(f->c);
	grid(f->c, "G3", SQUARE("120.2", "120.3"));
	fq_test_commit(f->c);
	assert_int_equal(fq_place_point(f->c, 30.05, 120.25, &p, &err), 0);
	assert_string_equal(p.grid, "G3");
	assert_int_equal(fq_place_builds(), builds + 1);
	assert_int_equal(fq_place_cached_grids(), 3);
}

static void test_houses_follow_their_grid(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_house_in h = {
	    .address = "桃园路1号", .has_location = 1, .lat = 30.02, .lon = 120.12};
	struct fq_actor a;
	char id[37], path[FQ_UNIT_PATH_MAX];

	actor(&a, 1);
	fq_test_begin(f->c);
	assert_int_equal(fq_house_create(f->c, &h, &a, id, &err), 0);
	assert_int_equal(fq_house_unit_path(f->c, id, path, &err), 0);
	assert_string_equal(path, "/339900/339902/339902510000/G2/");
	/* No location: the actor's unit. */
	h.address = "桃园路2号";
	h.has_location = 0;
	assert_int_equal(fq_house_create(f->c, &h, &a, id, &err), 0);
	assert_int_equal(fq_house_unit_path(f->c, id, path, &err), 0);
	assert_string_equal(path, "/339900/339902/339902510000/");
	fq_test_commit(f->c);
}

static void person(struct fq_person_in *in, const char *name, const char *id18, const char *house)
{
	struct fq_err err = FQ_ERR_INIT;
	memset(in, 0, sizeof(*in));
	in->name = name;
	in->house_id = house;
	if (fq_idnum_parse(id18, "id_number", fq_now_ms(), &in->id, &err) != 0)
		fail_msg("%s: %s", id18, err.message);
}

static void test_duplicates(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_house_in h = {
	    .address = "梅岭村3号", .has_location = 1, .lat = 30.02, .lon = 120.02};
	struct fq_person_in in;
	struct fq_actor a;
	char house[37], p1[37], p2[37], p3[37];
	json_t *w = NULL;

	actor(&a, 1);
	fq_test_begin(f->c);
	assert_int_equal(fq_house_create(f->c, &h, &a, house, &err), 0);
	/* 1958-03-14, check characters computed with ISO 7064 MOD 11-2 outside the code under test.
	 */
	person(&in, "王建国", "339902195803141237", house);
	assert_int_equal(fq_person_create(f->c, &in, &a, p1, &w, &err), 0);
	assert_int_equal(json_array_size(w), 0);
	json_decref(w);

	/* The same ID number: a conflict naming the existing record. */
	person(&in, "王建华", "339902195803141237", NULL);
	assert_int_equal(fq_person_create(f->c, &in, &a, p2, &w, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "duplicate_id_number");
	assert_string_equal(err.field, "id_number");
	assert_non_null(strstr(err.message, p1));

	/* Same name (another script), birth date and house, another number: a warning. */
	person(&in, "王建國", "339902195803141253", house);
	assert_int_equal(fq_person_create(f->c, &in, &a, p2, &w, &err), 0);
	assert_int_equal(json_array_size(w), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "person_id")),
			    p1);
	json_decref(w);

	/* Same name and birth date elsewhere: no warning. */
	person(&in, "王建国", "33990219580314127X", NULL);
	assert_int_equal(fq_person_create(f->c, &in, &a, p3, &w, &err), 0);
	assert_int_equal(json_array_size(w), 0);
	json_decref(w);
	fq_test_commit(f->c);
}

static void test_concern_kept(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_registry_view full = {.reveal = 1, .full_address = 1, .see_concern = 1};
	struct fq_person_in in;
	struct fq_actor officer, worker;
	json_t *w = NULL, *out = NULL;
	char id[37];

	actor(&officer, 1);
	actor(&worker, 0);
	fq_test_begin(f->c);
	person(&in, "李四", "339902199001012343", NULL);
	in.categories = FQ_CAT_BIT(FQ_CAT_CONCERN);
	assert_int_equal(fq_person_create(f->c, &in, &worker, id, NULL, &err), FQ_EFORBIDDEN);
	assert_string_equal(err.field, "categories");
	assert_int_equal(fq_person_create(f->c, &in, &officer, id, NULL, &err), 0);
	memset(&in, 0, sizeof(in));
	in.set = FQ_PF_CATEGORIES;
	in.categories = FQ_CAT_BIT(FQ_CAT_NEEDS_CARE);
	in.version = 1;
	assert_int_equal(fq_person_update(f->c, id, &in, &worker, &w, &err), 0);
	json_decref(w);
	assert_int_equal(fq_person_json(f->c, id, &full, &out, &err), 0);
	assert_int_equal(json_array_size(json_object_get(out, "categories")), 2);
	json_decref(out);
	/* A stale version is refused. */
	assert_int_equal(fq_person_update(f->c, id, &in, &worker, &w, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "stale_version");
	fq_test_commit(f->c);
}

/* A house page whose occupants cannot be read fails whole, not as an empty house. */
static void test_house_page_store_error(void **state)
{
	struct fq_test_store *f;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_house_in h = {
	    .address = "梅岭村9号", .has_location = 1, .lat = 30.02, .lon = 120.02};
	struct fq_registry_view v = {.reveal = 0, .full_address = 1, .see_concern = 1};
	struct fq_person_in in;
	struct fq_actor a;
	char house[37], p1[37];
	json_t *w = NULL, *out = NULL;
	void *own = NULL;

	(void)state;
	assert_int_equal(setup(&own), 0);
	f = own;
	actor(&a, 1);
	fq_test_begin(f->c);
	assert_int_equal(fq_house_create(f->c, &h, &a, house, &err), 0);
	person(&in, "王建国", "339902195803141237", house);
	assert_int_equal(fq_person_create(f->c, &in, &a, p1, &w, &err), 0);
	json_decref(w);
	fq_test_commit(f->c);
	assert_int_equal(fq_house_json(f->c, house, &v, &out, &err), 0);
	assert_int_equal(json_array_size(json_object_get(out, "occupants")), 1);
	assert_int_equal(json_array_size(json_object_get(out, "rentals")), 0);
	json_decref(out);
	out = NULL;
	/* The occupants' query now fails (a column it reads is gone). */
	assert_int_equal(
	    fq_dbc_exec_script(f->c, "ALTER TABLE person RENAME COLUMN birth_date TO born", &err),
	    0);
	assert_int_equal(fq_house_json(f->c, house, &v, &out, &err), FQ_EDB);
	assert_null(out);
	fq_test_store_teardown(&own);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placement),
	    cmocka_unit_test(test_houses_follow_their_grid),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_concern_kept),
	    cmocka_unit_test(test_house_page_store_error),
	};
	int rc;
	void *state = NULL;

	if (fq_test_global_setup(&state) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, setup, fq_test_store_teardown);
	fq_place_cleanup();
	fq_test_global_teardown(&state);
	return rc;
}
