/*
 * The KPI aggregate buckets of disputes and fraud warnings (migration 0015,
 * docs/kpi.md "How the figures are read") against a recomputation from the
 * records, after rounds of random inserts, updates (every column a bucket
 * depends on, including the date and the owner, which move a record to
 * another bucket) and deletes, made with SQL and through the store functions:
 *
 *   1. the buckets equal a GROUP BY over the records (no bucket missing,
 *      none extra but all-zero ones);
 *   2. fq_dispute_counts, the per-grid figures of fq_dispute_kpi_json and
 *      fq_fraud_counts equal the same figures computed by scanning every
 *      record (the queries the KPIs used before the buckets), for the city,
 *      the branch, a station and a grid, over random periods (short, long,
 *      on bucket edges, before 1970 and after) and random times of asking.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "cases/case_util.h"
#include "cases/dispute.h"
#include "unit/cases/fraud_fixture.h"

#define ROUNDS 6
#define WRITES 150
#define CHECKS 40

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static int64_t below(int64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (int64_t)(rng % (uint64_t)n);
}

static const char *pick(const char *const *v, int n)
{
	return v[below(n)];
}
#define PICK(v) pick(v, (int)(sizeof(v) / sizeof(v[0])))

static const char *const stations[] = {S1, S2, S3};
static const char *const dispute_states[] = {
    "graded",	    "assigned", "mediating", "resolved_agreement", "resolved", "referred", "failed",
    "following_up", "closed",	"reopened"};
static const char *const outcomes[] = {"resolved_agreement", "resolved", "referred", "failed"};
static const char *const grades[] = {"general", "key", "major"};
static const char *const warning_states[] = {"received",     "assigned",    "contacting",
					     "dissuaded",    "not_reached", "already_paid",
					     "not_involved", "closed"};
static const char *const person_states[] = {"already_paid", "about_to_pay", "not_involved",
					    "unknown"};

static int64_t t0;  /* 2026-01-01 */
static int64_t seq; /* ids and numbers */

/* A time within about 400 days of t0, now and then on a bucket edge. */
static int64_t some_time(void)
{
	int64_t t = t0 - 400 * DAY_MS + below(800 * DAY_MS);
	if (below(8) == 0)
		t = (t / FQ_KPI_BUCKET_MS) * FQ_KPI_BUCKET_MS - below(2);
	return t;
}

/* A grid of the station, or none. */
static const char *grid_of(const char *station)
{
	if (strcmp(station, S1) == 0)
		return below(3) == 0 ? NULL : below(2) ? G1 : G2;
	if (strcmp(station, S2) == 0)
		return below(2) ? H1 : NULL;
	return NULL;
}

/* Run one statement without parameters, or fail the test. */
static void run(struct fq_dbc *c, const char *sql)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL, sql, "") != 0)
		fail_msg("%s: %s", sql, err.message);
}

static void insert_dispute(struct fq_dbc *c)
{
	struct fq_err err = FQ_ERR_INIT;
	const char *station = PICK(stations), *state = PICK(dispute_states);
	int64_t created = some_time(), n = ++seq;
	char id[37], number[40];

	snprintf(id, sizeof(id), "00000000-0000-7000-8000-1%011lld", (long long)n);
	snprintf(number, sizeof(number), "TJ-T-%lld", (long long)n);
	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO dispute (id, number, unit_code, grid_code, type, description,"
		       " description_norm, occurred_at, people_involved, amount_fen, source, score,"
		       " grade_auto, grade, grade_reasons, state, outcome, resolved_at,"
		       " session_count, reopened_count, deadline_at, escalated_at, created_at,"
		       " updated_at) VALUES (?, ?, ?, ?, 'neighbour', '吵架', '吵架', ?, 2, 0,"
		       " 'walk_in', 10, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "ttttittttIiiiIii", id, number, station, grid_of(station), created,
		       PICK(grades), PICK(grades), state, below(3) ? PICK(outcomes) : NULL,
		       below(4) ? created + below(40 * DAY_MS) : INT64_MIN, below(3),
		       (int64_t)(below(4) == 0), created + below(30 * DAY_MS) - 5 * DAY_MS,
		       below(3) == 0 ? created + 20 * DAY_MS : INT64_MIN, created, created) != 0)
		fail_msg("dispute: %s", err.message);
}

static void insert_warning(struct fq_dbc *c)
{
	struct fq_err err = FQ_ERR_INIT;
	const char *station = PICK(stations);
	int64_t received = some_time(), n = ++seq, reached = INT64_MIN;
	char id[37], number[40];

	if (below(3))
		reached = received + below(3 * HOUR_MS);
	snprintf(id, sizeof(id), "00000000-0000-7000-8000-2%011lld", (long long)n);
	snprintf(number, sizeof(number), "YJ-T-%lld", (long long)n);
	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO fraud_warning (id, number, unit_code, grid_code, route, source,"
		       " warning_type, level, warned_at, received_at, deadline_at, state,"
		       " first_reached_at, person_state, dissuaded, protected_fen, escalated_at,"
		       " created_at, updated_at) VALUES (?, ?, ?, ?, 'station', 'manual', 'rebate',"
		       " 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "ttttiiitItiiIii", id, number, station, grid_of(station), received, received,
		       received + HOUR_MS * (1 + below(48)), PICK(warning_states), reached,
		       below(4) ? PICK(person_states) : NULL, below(2),
		       below(3) ? 0 : below(500000),
		       below(3) == 0 ? received + 2 * HOUR_MS : INT64_MIN, received, received) != 0)
		fail_msg("warning: %s", err.message);
}

/* One random change to a random record of table (dispute or fraud_warning). */
static void update_one(struct fq_dbc *c, int dispute)
{
	static const char *const dispute_sets[] = {
	    "state = 'closed'",
	    "state = 'reopened', reopened_count = reopened_count + 1",
	    "state = 'resolved_agreement', outcome = 'resolved_agreement',"
	    " resolved_at = created_at + 86400000",
	    "state = 'referred', outcome = 'referred'",
	    "state = 'mediating', session_count = session_count + 1",
	    "grade = 'major'",
	    "grade = 'general'",
	    "escalated_at = deadline_at + 1",
	    "escalated_at = NULL",
	    "resolved_at = NULL",
	    "created_at = created_at + 45 * 86400000",
	    "created_at = created_at - 3 * 86400000",
	    "deadline_at = deadline_at + 20 * 86400000",
	    "grid_code = NULL",
	    "unit_code = '" S2 "', grid_code = '" H1 "'",
	    "unit_code = '" S1 "', grid_code = '" G2 "'",
	    "unit_code = '" S3 "', grid_code = NULL",
	};
	static const char *const warning_sets[] = {
	    "state = 'closed'",
	    "state = 'contacting'",
	    "first_reached_at = received_at + 600000",
	    "first_reached_at = deadline_at + 1",
	    "first_reached_at = NULL",
	    "dissuaded = 1, protected_fen = protected_fen + 12345",
	    "dissuaded = 0",
	    "person_state = 'not_involved'",
	    "person_state = 'already_paid'",
	    "person_state = NULL",
	    "escalated_at = deadline_at + 60000",
	    "escalated_at = NULL",
	    "deadline_at = deadline_at + 86400000",
	    "received_at = received_at + 31 * 86400000",
	    "received_at = received_at - 2 * 86400000",
	    "unit_code = '" S2 "', grid_code = '" H1 "'",
	    "unit_code = '" S1 "', grid_code = NULL",
	};
	char sql[512];

	if (dispute)
		snprintf(sql, sizeof(sql),
			 "UPDATE dispute SET %s WHERE rowid = (SELECT rowid FROM dispute"
			 " ORDER BY rowid LIMIT 1 OFFSET (SELECT %lld %% MAX(COUNT(*), 1) FROM"
			 " dispute))",
			 PICK(dispute_sets), (long long)below(1000000));
	else
		snprintf(sql, sizeof(sql),
			 "UPDATE fraud_warning SET %s WHERE rowid = (SELECT rowid FROM"
			 " fraud_warning ORDER BY rowid LIMIT 1 OFFSET (SELECT %lld %%"
			 " MAX(COUNT(*), 1) FROM fraud_warning))",
			 PICK(warning_sets), (long long)below(1000000));
	run(c, sql);
}

static void delete_one(struct fq_dbc *c, int dispute)
{
	char sql[256];

	/* Only the records made here with SQL: those of the store functions have child rows. */
	snprintf(sql, sizeof(sql),
		 "DELETE FROM %s WHERE rowid = (SELECT rowid FROM %s WHERE number LIKE '%%-T-%%'"
		 " ORDER BY rowid LIMIT 1 OFFSET %lld)",
		 dispute ? "dispute" : "fraud_warning", dispute ? "dispute" : "fraud_warning",
		 (long long)below(20));
	run(c, sql);
}

/* Warnings through the store: created, then reached (or not) by an attempt. */
static void store_warning(struct fq_dbc *c)
{
	char id[37];
	int64_t at = some_time();

	fx_warning(c, S1, NULL, 1 + (int)below(4), at, id);
	if (below(2)) {
		int dissuaded = (int)below(2);
		fx_attempt(c, id, at + 1 + below(2 * HOUR_MS), 1,
			   dissuaded  ? "about_to_pay"
			   : below(2) ? "not_involved"
				      : "already_paid",
			   dissuaded, dissuaded ? below(10000) : 0);
	}
}

static int64_t count(struct fq_dbc *c, const char *sql)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t n = -1;

	if (fq_dbc_query(c, &err, &st, sql, "") != 0)
		fail_msg("%s: %s", sql, err.message);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW)
		n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return n;
}

#define RES "('resolved_agreement', 'resolved', 'following_up', 'closed')"
#define CON "('resolved_agreement', 'resolved', 'following_up', 'closed', 'referred', 'failed')"
#define OPN "('graded', 'assigned', 'mediating', 'reopened')"
#define BUCKET(x)                                                                                  \
	"(CASE WHEN " x " >= 0 THEN " x " / 2592000000 ELSE (" x " - 2591999999) / 2592000000 "    \
	"END)"
#define DISPUTE_RECOMPUTE                                                                          \
	"SELECT d.unit_code, COALESCE(d.grid_code, ''), " BUCKET(                                  \
	    "d.created_at") ", COUNT(*),"                                                          \
			    " SUM(d.state IN " RES "), SUM(d.state IN " RES                        \
			    " AND d.outcome IS 'resolved_agreement'),"                             \
			    " SUM(d.state = 'referred'), SUM(d.state = 'failed'), SUM(d.state "    \
			    "IN " OPN "),"                                                         \
			    " SUM(d.session_count > 0), SUM(d.session_count > 0 AND d.state "      \
			    "IN " RES "),"                                                         \
			    " SUM(d.session_count > 0 AND d.state IN " CON                         \
			    "), SUM(d.reopened_count > 0),"                                        \
			    " SUM(d.escalated_at IS NOT NULL),"                                    \
			    " TOTAL(CASE WHEN d.state IN " RES                                     \
			    " THEN d.resolved_at - d.created_at END),"                             \
			    " SUM(d.grade = 'general'), SUM(d.grade = 'key'), SUM(d.grade = "      \
			    "'major')"                                                             \
			    " FROM dispute d GROUP BY 1, 2, 3"
#define DISPUTE_BUCKETS                                                                            \
	"SELECT unit_code, grid_code, bucket, found, resolved, resolved_agreement, referred,"      \
	" failed, open, mediated, mediated_resolved, mediated_concluded, reopened, escalated,"     \
	" CAST(days_ms_sum AS REAL), general, key, major FROM dispute_kpi_bucket"                  \
	" WHERE NOT (found = 0 AND resolved = 0 AND resolved_agreement = 0 AND referred = 0"       \
	" AND failed = 0 AND open = 0 AND mediated = 0 AND mediated_resolved = 0"                  \
	" AND mediated_concluded = 0 AND reopened = 0 AND escalated = 0 AND days_ms_sum = 0"       \
	" AND general = 0 AND key = 0 AND major = 0)"
#define FRAUD_RECOMPUTE                                                                            \
	"SELECT w.unit_code, " BUCKET(                                                             \
	    "w.received_at") ", COUNT(*),"                                                         \
			     " SUM(w.first_reached_at IS NOT NULL),"                               \
			     " SUM(w.first_reached_at IS NOT NULL AND w.first_reached_at <= "      \
			     "w.deadline_at),"                                                     \
			     " SUM((w.first_reached_at IS NOT NULL AND w.first_reached_at > "      \
			     "w.deadline_at)"                                                      \
			     " OR (w.first_reached_at IS NULL AND w.state = 'closed')),"           \
			     " SUM(w.dissuaded), SUM(w.first_reached_at IS NOT NULL AND "          \
			     "w.dissuaded = 0"                                                     \
			     " AND w.person_state IS 'not_involved'), SUM(w.first_reached_at IS "  \
			     "NOT NULL"                                                            \
			     " AND w.dissuaded = 0 AND w.person_state IS 'already_paid'), "        \
			     "SUM(w.protected_fen),"                                               \
			     " SUM(w.escalated_at IS NOT NULL) FROM fraud_warning w GROUP BY 1, 2"
#define FRAUD_BUCKETS                                                                              \
	"SELECT unit_code, bucket, warnings, reached, reached_in_time, missed_closed, dissuaded,"  \
	" not_involved, already_paid, protected_fen, escalated FROM fraud_kpi_bucket"              \
	" WHERE NOT (warnings = 0 AND reached = 0 AND reached_in_time = 0 AND missed_closed = 0"   \
	" AND dissuaded = 0 AND not_involved = 0 AND already_paid = 0 AND protected_fen = 0"       \
	" AND escalated = 0)"

static void check_buckets(struct fq_dbc *c)
{
	assert_true(count(c, "SELECT COUNT(*) FROM dispute") > 0);
	assert_int_equal(
	    count(c, "SELECT COUNT(*) FROM (" DISPUTE_RECOMPUTE " EXCEPT " DISPUTE_BUCKETS ")"), 0);
	assert_int_equal(
	    count(c, "SELECT COUNT(*) FROM (" DISPUTE_BUCKETS " EXCEPT " DISPUTE_RECOMPUTE ")"), 0);
	assert_int_equal(
	    count(c, "SELECT COUNT(*) FROM (" FRAUD_RECOMPUTE " EXCEPT " FRAUD_BUCKETS ")"), 0);
	assert_int_equal(
	    count(c, "SELECT COUNT(*) FROM (" FRAUD_BUCKETS " EXCEPT " FRAUD_RECOMPUTE ")"), 0);
}

/* The dispute figures per grid by scanning every record (?1 now, ?2 from, ?3 to, ?4 path). */
#define DISPUTE_SCAN                                                                               \
	"SELECT d.grid_code, COUNT(*), SUM(d.state IN " RES "),"                                   \
	" SUM(d.state IN " RES " AND d.outcome IS 'resolved_agreement'),"                          \
	" SUM(d.state = 'referred'), SUM(d.state = 'failed'), SUM(d.state IN " OPN "),"            \
	" SUM(d.state IN " OPN " AND d.deadline_at < ?1), SUM(d.session_count > 0),"               \
	" SUM(d.session_count > 0 AND d.state IN " RES "),"                                        \
	" SUM(d.session_count > 0 AND d.state IN " CON "), SUM(d.reopened_count > 0),"             \
	" SUM(d.escalated_at IS NOT NULL),"                                                        \
	" TOTAL(CASE WHEN d.state IN " RES " THEN d.resolved_at - d.created_at END),"              \
	" SUM(d.grade = 'general'), SUM(d.grade = 'key'), SUM(d.grade = 'major')"                  \
	" FROM dispute d JOIN unit u ON u.code = d.unit_code LEFT JOIN unit g"                     \
	" ON g.code = d.grid_code WHERE d.created_at >= ?2 AND d.created_at < ?3"                  \
	" AND ((u.kind = 'station' AND substr(u.path, 1, length(?4)) = ?4) OR g.path = ?4)"        \
	" GROUP BY d.grid_code ORDER BY d.grid_code"

static void check_disputes(struct fq_dbc *c, const char *unit, int64_t from, int64_t to,
			   int64_t now)
{
	static const char *const keys[] = {"found",    "resolved", "resolved_agreement",
					   "referred", "failed",   "open",
					   "overdue",  "mediated", NULL,
					   NULL,       "reopened", "escalated"};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dispute_counts got, want;
	char path[FQ_UNIT_PATH_MAX];
	json_t *kpi = NULL, *grids;
	struct fq_stmt *st;
	size_t i = 0;

	memset(&want, 0, sizeof(want));
	if (fq_unit_path(c, unit, path, &err) != 0 ||
	    fq_dispute_counts(c, path, from, to, now, &got, &err) != 0 ||
	    fq_dispute_kpi_json(c, unit, from, to, now, &kpi, &err) != 0)
		fail_msg("dispute KPI %s: %s", unit, err.message);
	grids = json_object_get(kpi, "grids");
	if (fq_dbc_query(c, &err, &st, DISPUTE_SCAN, "iiit", now, from, to, path) != 0)
		fail_msg("scan: %s", err.message);
	while (fq_stmt_step(st, &err) == FQ_DB_ROW) {
		json_t *g = json_array_get(grids, i++);
		assert_non_null(g);
		if (fq_stmt_is_null(st, 0))
			assert_true(json_is_null(json_object_get(g, "grid")));
		else
			assert_string_equal(json_string_value(json_object_get(g, "grid")),
					    fq_stmt_text(st, 0));
		for (int k = 0; k < 12; k++)
			if (keys[k])
				assert_int_equal(json_integer_value(json_object_get(g, keys[k])),
						 fq_stmt_int(st, 1 + k));
		want.found += fq_stmt_int(st, 1);
		want.resolved += fq_stmt_int(st, 2);
		want.resolved_agreement += fq_stmt_int(st, 3);
		want.referred += fq_stmt_int(st, 4);
		want.failed += fq_stmt_int(st, 5);
		want.open += fq_stmt_int(st, 6);
		want.overdue += fq_stmt_int(st, 7);
		want.mediated += fq_stmt_int(st, 8);
		want.mediated_resolved += fq_stmt_int(st, 9);
		want.mediated_concluded += fq_stmt_int(st, 10);
		want.reopened += fq_stmt_int(st, 11);
		want.escalated += fq_stmt_int(st, 12);
		want.days_ms_sum += (int64_t)fq_stmt_double(st, 13);
		want.general += fq_stmt_int(st, 14);
		want.key += fq_stmt_int(st, 15);
		want.major += fq_stmt_int(st, 16);
	}
	fq_stmt_done(st);
	assert_int_equal(json_array_size(grids), i);
	assert_memory_equal(&got, &want, sizeof(got));
	json_decref(kpi);
}

/* The warning figures by scanning every record (?1 path, ?2 from, ?3 to, ?4 now). */
#define FRAUD_SCAN                                                                                 \
	"SELECT COUNT(*), SUM(w.first_reached_at IS NOT NULL),"                                    \
	" SUM(w.first_reached_at IS NOT NULL AND w.first_reached_at <= w.deadline_at),"            \
	" SUM((w.first_reached_at IS NOT NULL AND w.first_reached_at > w.deadline_at)"             \
	" OR (w.first_reached_at IS NULL AND (w.deadline_at < ?4 OR w.state = 'closed'))),"        \
	" SUM(w.first_reached_at IS NULL AND w.deadline_at >= ?4 AND w.state <> 'closed'),"        \
	" SUM(w.dissuaded), SUM(w.first_reached_at IS NOT NULL AND w.dissuaded = 0"                \
	" AND w.person_state IS 'not_involved'), SUM(w.first_reached_at IS NOT NULL"               \
	" AND w.dissuaded = 0 AND w.person_state IS 'already_paid'), SUM(w.protected_fen),"        \
	" SUM(w.escalated_at IS NOT NULL) FROM fraud_warning w JOIN unit u ON u.code = "           \
	"w.unit_code"                                                                              \
	" WHERE u.kind = 'station' AND substr(u.path, 1, length(?1)) = ?1"                         \
	" AND w.received_at >= ?2 AND w.received_at < ?3"

static void check_warnings(struct fq_dbc *c, const char *path, int64_t from, int64_t to,
			   int64_t now)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_fraud_counts got;
	struct fq_stmt *st;

	if (fq_fraud_counts(c, path, from, to, now, &got, &err) != 0)
		fail_msg("fraud KPI %s: %s", path, err.message);
	if (fq_dbc_query(c, &err, &st, FRAUD_SCAN, "tiii", path, from, to, now) != 0 ||
	    fq_stmt_step(st, &err) != FQ_DB_ROW)
		fail_msg("scan: %s", err.message);
	assert_int_equal(got.warnings, fq_stmt_int(st, 0));
	assert_int_equal(got.reached, fq_stmt_int(st, 1));
	assert_int_equal(got.reached_in_time, fq_stmt_int(st, 2));
	assert_int_equal(got.missed, fq_stmt_int(st, 3));
	assert_int_equal(got.pending, fq_stmt_int(st, 4));
	assert_int_equal(got.dissuaded, fq_stmt_int(st, 5));
	assert_int_equal(got.not_involved, fq_stmt_int(st, 6));
	assert_int_equal(got.already_paid, fq_stmt_int(st, 7));
	assert_int_equal(got.protected_fen, fq_stmt_int(st, 8));
	assert_int_equal(got.escalated, fq_stmt_int(st, 9));
	fq_stmt_done(st);
}

static void check_kpis(struct fq_dbc *c)
{
	static const char *const units[] = {"339900", "339902", S1, S2, G1, H1};
	static const char *const paths[] = {"/339900/", "/339900/339902/", S1_PATH,
					    "/339900/339902/" S2 "/"};

	for (int i = 0; i < CHECKS; i++) {
		int64_t from = some_time(), len, to, now = some_time();
		switch (i % 5) {
		case 0: /* years, wider than the data */
			from = t0 - 900 * DAY_MS;
			len = 1800 * DAY_MS;
			break;
		case 1: /* exactly some buckets */
			from = (from / FQ_KPI_BUCKET_MS) * FQ_KPI_BUCKET_MS;
			len = FQ_KPI_BUCKET_MS * (1 + below(6));
			break;
		case 2: /* under a bucket */
			len = 1 + below(FQ_KPI_BUCKET_MS);
			break;
		case 3: /* before 1970 and after */
			from = -5 * FQ_KPI_BUCKET_MS - below(FQ_KPI_BUCKET_MS);
			len = -from + t0 + below(200 * DAY_MS);
			break;
		default:
			len = 1 + below(400 * DAY_MS);
		}
		to = from + len;
		check_disputes(c, units[below(6)], from, to, now);
		check_warnings(c, paths[below(4)], from, to, now);
	}
}

static void test_aggregates_match_records(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_dbc *c = f->c;

	t0 = fx_at("2026-01-01");
	for (int round = 0; round < ROUNDS; round++) {
		fq_test_begin(c);
		for (int i = 0; i < WRITES; i++) {
			int64_t r = below(10);
			if (r < 3)
				insert_dispute(c);
			else if (r < 6)
				insert_warning(c);
			else if (r < 9)
				update_one(c, (int)below(2));
			else
				delete_one(c, (int)below(2));
		}
		fq_test_commit(c);
		for (int i = 0; i < 5; i++)
			store_warning(c);
		check_buckets(c);
		check_kpis(c);
	}
	/* The checks can fail: a bucket changed behind the triggers' back is found. */
	fq_test_begin(c);
	run(c, "UPDATE dispute_kpi_bucket SET resolved = resolved + 1 WHERE (unit_code, grid_code,"
	       " bucket) = (SELECT unit_code, grid_code, bucket FROM dispute_kpi_bucket"
	       " WHERE found > 0 LIMIT 1)");
	fq_test_commit(c);
	assert_true(count(c, "SELECT COUNT(*) FROM (" DISPUTE_RECOMPUTE " EXCEPT " DISPUTE_BUCKETS
			     ")") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_aggregates_match_records, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
