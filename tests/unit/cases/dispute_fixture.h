/*
 * The organisation the dispute tests share: two stations of a branch, grids,
 * a chief and a community officer; time and intake helpers. Static inline,
 * as in unit/fq_test.h: each test compiles only what it calls.
 */
#ifndef FQ_TEST_DISPUTE_FIXTURE_H
#define FQ_TEST_DISPUTE_FIXTURE_H

#include "cases/dispute.h"
#include "core/timeutil.h"
#include "unit/fq_test.h"

#define S1 "339902510000" /* station with a chief */
#define S2 "339902520000" /* another station */
#define G1 "339902100001" /* grids of S1 */
#define G2 "339902100002"
#define H1 "339902101001" /* grid of S2 */

#define CHIEF	  "00000000-0000-7000-8000-000000000001"
#define COMMUNITY "00000000-0000-7000-8000-000000000002"
#define VOLUNTEER "00000000-0000-7000-8000-000000000004"
#define CHIEF2	  "00000000-0000-7000-8000-000000000005"

#define S1_PATH	   "/339900/339902/339902510000/"
#define CITY_SCOPE "/339900/"

#define HOUR_MS (3600LL * 1000)
#define DAY_MS	(24 * HOUR_MS)

static inline int64_t at(const char *rfc3339)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = 0;

	if (fq_time_parse(rfc3339, &ms, "t", &err) != 0)
		fail_msg("time %s: %s", rfc3339, err.message);
	return ms;
}

static inline void fixture_user(struct fq_dbc *c, const char *id, const char *name,
				const char *unit, const char *role)
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

static inline int fixture_setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("dispute");

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, G1, "桃园社区", "grid", S1);
	fq_test_unit(f->c, G2, "柳溪村", "grid", S1);
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	fq_test_unit(f->c, H1, "清塘社区", "grid", S2);
	fixture_user(f->c, CHIEF, "周建国", S1, "chief");
	fixture_user(f->c, COMMUNITY, "王志强", S1, "community_officer");
	fixture_user(f->c, VOLUNTEER, "赵大妈", G1, "volunteer");
	fixture_user(f->c, CHIEF2, "黄海", S2, "chief");
	fq_test_commit(f->c);
	return 0;
}

/* A plain dispute (two parties, no phones: general) in unit at now; fails the test on error. */
static inline void fixture_dispute(struct fq_dbc *c, const char *unit, int64_t now,
				   const struct fq_dispute_party_in *parties, int nparties,
				   char id[37])
{
	static const struct fq_dispute_party_in two[] = {{.name = "甲"}, {.name = "乙"}};
	struct fq_dispute_new in = {
	    .type = "neighbour",
	    .description = "邻里琐事",
	    .occurred_at = now - HOUR_MS,
	    .address = "桃园路1号",
	    .parties = parties ? parties : two,
	    .nparties = parties ? nparties : 2,
	    .unit = unit,
	    .actor_unit = S1,
	    .scope_path = CITY_SCOPE,
	    .actor_id = COMMUNITY,
	    .now_ms = now,
	};
	struct fq_err err = FQ_ERR_INIT;
	char number[FQ_NUMBER_MAX];

	fq_test_begin(c);
	if (fq_dispute_create(c, &in, id, number, &err) != 0)
		fail_msg("dispute: %s %s %s", err.machine, err.field, err.message);
	fq_test_commit(c);
}

#endif
