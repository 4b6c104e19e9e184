/*
 * Community field work: the checks of a resident's message, the printed
 * card (PNG size and signature, PDF, refusals), the service request state
 * machine in the store and its KPI arithmetic against figures worked out by
 * hand, and the clue steps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/card_render.h"
#include "community/field.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "unit/fq_test.h"

#define S1	  "339902510000"
#define G1	  "339902100001"
#define S2	  "339902520000"
#define COMMUNITY "00000000-0000-7000-8000-000000000002"
#define AUXILIARY "00000000-0000-7000-8000-000000000003"
#define OPERATOR  "00000000-0000-7000-8000-000000000007"
#define CHIEF2	  "00000000-0000-7000-8000-000000000005"
#define S1_PATH	  "/339900/339902/339902510000/"
#define DAY_MS	  (24LL * 3600 * 1000)

static int64_t at(const char *rfc3339)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = 0;

	if (fq_time_parse(rfc3339, &ms, "t", &err) != 0)
		fail_msg("time %s: %s", rfc3339, err.message);
	return ms;
}

static void user(struct fq_dbc *c, const char *id, const char *name, const char *unit,
		 const char *role)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash, unit_code,"
		       " disabled, password_changed_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, 'x', ?, 0, 0, 0, 0)",
		       "tttt", id, name, name, unit) != 0)
		fail_msg("user %s: %s", name, err.message);
	if (fq_dbc_run(c, &err, NULL, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
		       id, role) != 0)
		fail_msg("role of %s: %s", name, err.message);
}

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("field");

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, G1, "桃园社区", "grid", S1);
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	user(f->c, COMMUNITY, "王志强", S1, "community_officer");
	user(f->c, AUXILIARY, "张伟", S1, "auxiliary");
	user(f->c, OPERATOR, "李晓燕", S1, "operator");
	user(f->c, CHIEF2, "黄海", S2, "chief");
	fq_test_commit(f->c);
	return 0;
}

/* ---- messages ---- */

static void test_message_check(void **state)
{
	static const struct {
		const char *kind, *service, *name, *phone, *address, *text;
		const char *field; /* NULL: accepted */
	} cases[] = {
	    {"message", NULL, NULL, NULL, NULL, "你好", NULL},
	    {"message", NULL, "张", "+86 138-0000-1234", NULL, "你好", NULL},
	    {NULL, NULL, NULL, NULL, NULL, "你好", "kind"},
	    {"chat", NULL, NULL, NULL, NULL, "你好", "kind"},
	    {"message", NULL, NULL, NULL, NULL, "", "text"},
	    {"message", NULL, NULL, "12", NULL, "你好", "phone"},
	    {"message", "other", NULL, NULL, NULL, "你好", "service_kind"},
	    {"booking", NULL, "李", "13900001111", "3幢", "送证", "service_kind"},
	    {"booking", "taxi", "李", "13900001111", "3幢", "送证", "service_kind"},
	    {"booking", "id_card_delivery", NULL, "13900001111", "3幢", "送证", "name"},
	    {"booking", "id_card_delivery", "李", NULL, "3幢", "送证", "phone"},
	    {"booking", "id_card_delivery", "李", "13900001111", NULL, "送证", "address"},
	    {"booking", "id_card_delivery", "李", "13900001111", "3幢", "送证", NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fq_message_new m = {.kind = cases[i].kind,
					   .service_kind = cases[i].service,
					   .name = cases[i].name,
					   .phone = cases[i].phone,
					   .address = cases[i].address,
					   .text = cases[i].text};
		struct fq_err err = FQ_ERR_INIT;
		char norm[FQ_PHONE_MAX + 1];
		int rc = fq_message_check(&m, norm, &err);
		if (!cases[i].field) {
			if (rc != 0)
				fail_msg("case %zu refused: %s (%s)", i, err.message, err.field);
		} else {
			assert_int_equal(rc, FQ_EINVAL);
			if (strcmp(err.field, cases[i].field) != 0)
				fail_msg("case %zu: field %s, want %s", i, err.field,
					 cases[i].field);
		}
		if (i == 1)
			assert_string_equal(norm, "13800001234");
	}
}

/* ---- the printed card ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int contains(const unsigned char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

static void test_card_render(void **state)
{
	struct fq_card_face face = {.officer_name = "王志强",
				    .role_label = "社区民警",
				    .unit_name = "桃园社区",
				    .station_name = "枫溪派出所",
				    .phone = "0575-87001234",
				    .motto = "有事找我",
				    .url = "https://fq.example.cn/c/AAAAAAAAAAAAAAAAAAAAAA"};
	struct fq_err err = FQ_ERR_INIT;
	unsigned char *png = NULL, *pdf = NULL;
	size_t png_len = 0, pdf_len = 0;
	char long_url[600];
	(void)state;

	assert_int_equal(fq_card_render(&face, FQ_CARD_PNG, &png, &png_len, &err), 0);
	assert_true(png_len > 1000);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(png + 12, "IHDR", 4);
	/* 90 × 54 mm at 300 dpi. */
	assert_int_equal(be32(png + 16), 1063);
	assert_int_equal(be32(png + 20), 638);
	assert_int_equal(fq_card_render(&face, FQ_CARD_PDF, &pdf, &pdf_len, &err), 0);
	assert_memory_equal(pdf, "%PDF-", 5);
	/* The page is the card's size in points: 90 × 54 mm. */
	assert_true(contains(pdf, pdf_len, "MediaBox [ 0 0 255.11811 153.070866 ]"));
	free(png);
	free(pdf);

	memset(long_url, 'a', sizeof(long_url) - 1);
	long_url[sizeof(long_url) - 1] = '\0';
	face.url = long_url;
	assert_int_equal(fq_card_render(&face, FQ_CARD_PNG, &png, &png_len, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "url_too_long");
	fq_card_render_cleanup();
}

/* ---- service requests ---- */

static void new_service(struct fq_dbc *c, const char *kind, int64_t now, char id[37])
{
	struct fq_service_new s = {.unit_code = G1,
				   .kind = kind,
				   .person_name = "李奶奶",
				   .phone = "13900001111",
				   .address = "桃园社区3幢201",
				   .lat = NAN,
				   .lon = NAN,
				   .source = "phone",
				   .actor_id = COMMUNITY,
				   .now_ms = now};
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(c);
	if (fq_service_create(c, &s, id, &err) != 0)
		fail_msg("service: %s", err.message);
	fq_test_commit(c);
}

static void test_service_steps_and_kpi(void **state)
{
	struct fq_test_store *f = *state;
	int64_t t0 = at("2026-03-01T09:00:00+08:00");
	struct fq_err err = FQ_ERR_INIT;
	char a[37], b[37], d[37];
	json_t *kpi = NULL, *one = NULL;

	new_service(f->c, "id_card_delivery", t0, a);
	new_service(f->c, "home_registration", t0 + DAY_MS, b);
	new_service(f->c, "id_card_delivery", t0 + 2 * DAY_MS, d);

	fq_test_begin(f->c);
	/* Completing before scheduling is refused; so is an assignee outside the scope or role. */
	assert_int_equal(fq_service_complete(f->c, a, 0, "回执", AUXILIARY, t0, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "invalid_state");
	assert_int_equal(fq_service_schedule(f->c, a, 0, CHIEF2, t0, S1_PATH, t0, &err), FQ_EINVAL);
	assert_string_equal(err.field, "assigned_to");
	assert_int_equal(fq_service_schedule(f->c, a, 0, OPERATOR, t0, S1_PATH, t0, &err),
			 FQ_EINVAL);
	assert_string_equal(err.machine, "not_an_officer");
	assert_int_equal(fq_service_schedule(f->c, a, 2, AUXILIARY, t0, S1_PATH, t0, &err),
			 FQ_ECONFLICT);
	assert_string_equal(err.machine, "version_mismatch");
	assert_int_equal(fq_service_schedule(f->c, a, 1, AUXILIARY, t0 + DAY_MS, S1_PATH, t0, &err),
			 0);
	assert_int_equal(fq_service_complete(f->c, a, 0, "", AUXILIARY, t0, &err), FQ_EINVAL);
	/* Done two days after the request. */
	assert_int_equal(fq_service_complete(f->c, a, 2, "签收", AUXILIARY, t0 + 2 * DAY_MS, &err),
			 0);
	assert_int_equal(fq_service_cancel(f->c, a, 0, "x", t0, &err), FQ_ECONFLICT);
	assert_int_equal(fq_service_cancel(f->c, b, 0, "", t0, &err), FQ_EINVAL);
	assert_int_equal(fq_service_cancel(f->c, b, 0, "家属代办", t0 + DAY_MS, &err), 0);
	fq_test_commit(f->c);

	assert_int_equal(fq_service_json(f->c, a, 1, &one, &err), 0);
	assert_string_equal(json_string_value(json_object_get(one, "state")), "completed");
	assert_string_equal(json_string_value(json_object_get(one, "phone")), "139****1111");
	assert_string_equal(json_string_value(json_object_get(one, "kind_label")),
			    "身份证送证上门");
	json_decref(one);

	/* Hand-computed: 3 requested, 1 completed in 2.0 days, 1 cancelled, 1 open. */
	assert_int_equal(fq_service_kpi_json(f->c, S1_PATH, t0, t0 + 10 * DAY_MS, &kpi, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(kpi, "requested")), 3);
	assert_int_equal(json_integer_value(json_object_get(kpi, "completed")), 1);
	assert_int_equal(json_integer_value(json_object_get(kpi, "cancelled")), 1);
	assert_int_equal(json_integer_value(json_object_get(kpi, "scheduled")), 0);
	assert_true(fabs(json_real_value(json_object_get(kpi, "mean_days_to_complete")) - 2.0) <
		    1e-9);
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_object_get(json_object_get(kpi, "by_kind"), "id_card_delivery"), "requested")),
	    2);
	json_decref(kpi);
	/* The window counts by request time: the third one alone. */
	assert_int_equal(
	    fq_service_kpi_json(f->c, S1_PATH, t0 + 2 * DAY_MS, t0 + 3 * DAY_MS, &kpi, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(kpi, "requested")), 1);
	assert_true(json_is_null(json_object_get(kpi, "mean_days_to_complete")));
	json_decref(kpi);
	/* Another station sees none. */
	assert_int_equal(fq_service_kpi_json(f->c, "/339900/339902/339902520000/", t0,
					     t0 + 10 * DAY_MS, &kpi, &err),
			 0);
	assert_int_equal(json_integer_value(json_object_get(kpi, "requested")), 0);
	json_decref(kpi);
}

/* ---- clues ---- */

static void test_clue_steps(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_clue_new in = {.unit_code = G1,
				 .source = "volunteer",
				 .text = "可疑人员反复查看电动车",
				 .lat = NAN,
				 .lon = NAN,
				 .actor_id = AUXILIARY,
				 .now_ms = at("2026-03-02T22:00:00+08:00")};
	struct fq_err err = FQ_ERR_INIT;
	char id[37];
	json_t *j = NULL;

	fq_test_begin(f->c);
	in.source = "rumour";
	assert_int_equal(fq_clue_create(f->c, &in, id, &err), FQ_EINVAL);
	assert_string_equal(err.field, "source");
	in.source = "volunteer";
	in.unit_code = "999999999999";
	assert_int_equal(fq_clue_create(f->c, &in, id, &err), FQ_EINVAL);
	assert_string_equal(err.field, "unit");
	in.unit_code = G1;
	assert_int_equal(fq_clue_create(f->c, &in, id, &err), 0);
	assert_int_equal(fq_clue_accept(f->c, id, 0, OPERATOR, in.now_ms, &err), FQ_ECONFLICT);
	assert_int_equal(fq_clue_route(f->c, id, 0, "court", OPERATOR, in.now_ms, &err), FQ_EINVAL);
	assert_int_equal(fq_clue_route(f->c, id, 1, "command_room", OPERATOR, in.now_ms, &err), 0);
	/* Routed again elsewhere: allowed until accepted. */
	assert_int_equal(fq_clue_route(f->c, id, 2, "case_team", OPERATOR, in.now_ms, &err), 0);
	assert_int_equal(fq_clue_accept(f->c, id, 3, OPERATOR, in.now_ms, &err), 0);
	assert_int_equal(fq_clue_route(f->c, id, 0, "case_team", OPERATOR, in.now_ms, &err),
			 FQ_ECONFLICT);
	assert_int_equal(fq_clue_close(f->c, id, 0, "核查属实", OPERATOR, in.now_ms, &err), 0);
	assert_int_equal(fq_clue_close(f->c, id, 0, "again", OPERATOR, in.now_ms, &err),
			 FQ_ECONFLICT);
	fq_test_commit(f->c);
	assert_int_equal(fq_clue_json(f->c, id, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "closed");
	assert_string_equal(json_string_value(json_object_get(j, "routed_to")), "case_team");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 5);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message_check),
	    cmocka_unit_test(test_card_render),
	    cmocka_unit_test_setup_teardown(test_service_steps_and_kpi, setup,
					    fq_test_store_teardown),
	    cmocka_unit_test_setup_teardown(test_clue_steps, setup, fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
