/*
 * The small jurisdiction of the anti-fraud unit tests: two stations, grids
 * with square boundaries, their users, and helpers to store warnings and
 * alerts at given times.
 *
 *   S1 339902510000 ── G1 339902100001 lat 29.70–29.72, lon 120.20–120.22 (officer GRIDCOP)
 *                   └─ G2 339902100002 lat 29.72–29.74, lon 120.20–120.22 (no officer)
 *   S2 339902520000 ── H1 339902101001 lat 29.70–29.72, lon 120.40–120.42
 *   S3 339902530000    (no users)
 */
#ifndef FQ_TEST_FRAUD_FIXTURE_H
#define FQ_TEST_FRAUD_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "cases/fraud.h"
#include "command/alert.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "unit/fq_test.h"

#define S1	   "339902510000"
#define S2	   "339902520000"
#define S3	   "339902530000"
#define G1	   "339902100001"
#define G2	   "339902100002"
#define H1	   "339902101001"
#define CITY_SCOPE "/339900/"
#define S1_PATH	   "/339900/339902/339902510000/"

#define CHIEF	  "00000000-0000-7000-8000-000000000001"
#define COMMUNITY "00000000-0000-7000-8000-000000000002"
#define GRIDCOP	  "00000000-0000-7000-8000-000000000003"
#define CHIEF2	  "00000000-0000-7000-8000-000000000004"

#define MIN_MS	(60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS	(24 * HOUR_MS)

static inline int64_t fx_at(const char *rfc3339)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = 0;

	if (fq_time_parse(rfc3339, &ms, "t", &err) != 0)
		fail_msg("time %s: %s", rfc3339, err.message);
	return ms;
}

static inline void fx_grid(struct fq_dbc *c, const char *code, const char *parent, double lat0,
			   double lon0)
{
	char boundary[256];
	struct fq_unit_new u = {.code = code, .name = code, .kind = "grid", .parent = parent};
	struct fq_err err = FQ_ERR_INIT;

	snprintf(boundary, sizeof(boundary),
		 "{\"type\":\"Polygon\",\"coordinates\":[[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],"
		 "[%.2f,%.2f],[%.2f,%.2f]]]}",
		 lon0, lat0, lon0 + 0.02, lat0, lon0 + 0.02, lat0 + 0.02, lon0, lat0 + 0.02, lon0,
		 lat0);
	u.boundary_geojson = boundary;
	if (fq_unit_create(c, &u, &err) != 0)
		fail_msg("grid %s: %s", code, err.message);
}

static inline void fx_user(struct fq_dbc *c, const char *id, const char *name, const char *unit,
			   const char *role)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash, unit_code,"
		       " password_changed_at, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, 0, 0, 0)",
		       "tttt", id, name, name, unit) != 0 ||
	    fq_dbc_run(c, &err, NULL, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
		       id, role) != 0)
		fail_msg("user %s: %s", name, err.message);
}

static inline int fx_setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("fraud");

	if (!f)
		return -1;
	*state = f;
	fq_test_begin(f->c);
	fq_test_unit(f->c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(f->c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(f->c, S1, "枫溪派出所", "station", "339902");
	fq_test_unit(f->c, S2, "清塘派出所", "station", "339902");
	fq_test_unit(f->c, S3, "石岭派出所", "station", "339902");
	fx_grid(f->c, G1, S1, 29.70, 120.20);
	fx_grid(f->c, G2, S1, 29.72, 120.20);
	fx_grid(f->c, H1, S2, 29.70, 120.40);
	fx_user(f->c, CHIEF, "周建国", S1, "chief");
	fx_user(f->c, COMMUNITY, "王志强", S1, "community_officer");
	fx_user(f->c, GRIDCOP, "刘警官", G1, "community_officer");
	fx_user(f->c, CHIEF2, "黄海", S2, "chief");
	fq_test_commit(f->c);
	return 0;
}

static inline int fx_teardown(void **state)
{
	fq_alert_engine_stop(); /* frees the cached grid shapes */
	return fq_test_store_teardown(state);
}

/* Store a warning received at now by unit (phone may be NULL); id receives it. */
static inline void fx_warning(struct fq_dbc *c, const char *unit, const char *phone, int level,
			      int64_t now, char id[37])
{
	struct fq_fraud_new in = {.phone = phone,
				  .person_name = "张三",
				  .warning_type = "rebate",
				  .level = level,
				  .unit = unit,
				  .actor_unit = unit,
				  .scope_path = CITY_SCOPE,
				  .now_ms = now};
	char number[FQ_NUMBER_MAX];
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(c);
	if (fq_fraud_create(c, &in, id, number, &err) != 0)
		fail_msg("warning: %s %s %s", err.machine, err.field, err.message);
	fq_test_commit(c);
}

/* Record an attempt at `at` (reached, person state, dissuaded, fen). */
static inline void fx_attempt(struct fq_dbc *c, const char *id, int64_t at, int reached,
			      const char *pstate, int dissuaded, int64_t fen)
{
	struct fq_fraud_attempt_in a = {.method = "phone",
					.at = at,
					.reached = reached,
					.person_state = pstate,
					.dissuaded = dissuaded,
					.protected_fen = fen,
					.actor_id = COMMUNITY,
					.now_ms = at};
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(c);
	if (fq_fraud_attempt(c, id, &a, NULL, NULL, &err) != 0)
		fail_msg("attempt: %s %s %s", err.machine, err.field, err.message);
	fq_test_commit(c);
}

/* An alert of category (fraud: "criminal.fraud") from phone_norm at `at`, in station/grid. */
static inline void fx_alert(struct fq_dbc *c, const char *id, const char *station,
			    const char *grid, const char *phone_norm, const char *category,
			    int64_t at)
{
	struct fq_err err = FQ_ERR_INIT;
	char inc[40], num[40];

	snprintf(inc, sizeof(inc), "f%s", id + 1);
	snprintf(num, sizeof(num), "JJ-%s", id + 24);
	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO incident (id, number, unit_code, grid_code, state, category,"
		       " priority, first_received_at, last_received_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, ?, 'received', ?, 2, ?, ?, ?, ?)",
		       "tttttiiii", inc, num, station, grid, category, at, at, at, at) != 0 ||
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO alert (id, number, incident_id, unit_code, grid_code, received_at,"
		       " source, caller_phone, caller_phone_norm, category, priority, description,"
		       " description_norm, created_at) VALUES (?, ?, ?, ?, ?, ?, 'phone_110', ?, ?,"
		       " ?, 2, '被骗', '被骗', ?)",
		       "tttttittti", id, num, inc, station, grid, at,
		       phone_norm, phone_norm, category, at) != 0)
		fail_msg("alert %s: %s", id, err.message);
}

#endif
