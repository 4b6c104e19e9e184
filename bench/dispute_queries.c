/*
 * Dispute register and KPI query latency on a large store (bench/dispute_queries.sh).
 *
 *   dispute_queries DB RUNS [REPEAT]
 *
 * Builds the demo jurisdiction in DB (a new file), then replays the demo's
 * year of disputes RUNS times over the last ten years (run r ends r mod 10
 * years before now; about 520 disputes a run, all of the main station: a
 * worst case for one station's queries), then times, REPEAT times each (default 200): the register's first page (default
 * sort, then open and overdue only, then one grid), and the KPIs of the
 * station for the last year and for all years and of the branch for all
 * years. Prints one line per query: p50, p99 and max in ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cases/dispute.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/db.h"
#include "demo/demo.h"
#include "demo/demo_disputes.h"
#include "org/password.h"

#define REPEAT_MAX 1000
#define STATION	   "339902510000"
#define STATION_SC "/339900/339902/339902510000/"
#define YEAR_MS	   (365LL * 86400 * 1000)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, double *ms, int n, double target)
{
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	printf("%-34s p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms   (target p99 < %.0f ms: %s)\n",
	       name, ms[n / 2], ms[n * 99 / 100], ms[n - 1], target,
	       ms[n * 99 / 100] < target ? "ok" : "MISSED");
}

static int list_once(struct fq_dbc *c, const char *state, int overdue, const char *unit,
		     struct fq_err *err)
{
	struct fq_dispute_query q = {.scope_path = STATION_SC,
				     .state = state,
				     .overdue = overdue,
				     .unit = unit,
				     .page = 1,
				     .per_page = 20};
	json_t *out = NULL;
	int rc = fq_dispute_list(c, &q, &out, err);
	json_decref(out);
	return rc;
}

static int kpi_once(struct fq_dbc *c, const char *unit, int64_t from, int64_t to,
		    struct fq_err *err)
{
	json_t *out = NULL;
	int rc = fq_dispute_kpi_json(c, unit, from, to, 0, &out, err);
	json_decref(out);
	return rc;
}

int main(int argc, char **argv)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	struct fq_dbc *c;
	struct fq_rng g;
	static double ms[REPEAT_MAX];
	double t;
	int64_t now = fq_now_ms();
	int runs, repeat = 200, total = 0, rc;

	if (argc < 3 || argc > 4 || (runs = (int)strtol(argv[2], NULL, 10)) < 1 ||
	    (argc == 4 && ((repeat = (int)strtol(argv[3], NULL, 10)) < 1 || repeat > REPEAT_MAX))) {
		fprintf(stderr, "usage: %s DB RUNS [REPEAT]\n", argv[0]);
		return 2;
	}
	if (fq_uuid_global_init() || fq_text_global_init() || fq_password_global_init() ||
	    fq_db_open(argv[1], NULL, &db, &err) || fq_db_migrate(db, NULL, &err) ||
	    fq_demo_build(db, 1, fopen("/dev/null", "w"), &err)) {
		fprintf(stderr, "setup: %s\n", err.message);
		return 1;
	}
	c = fq_db_acquire(db);
	fq_rng_seed(&g, 7);
	t = now_s();
	for (int r = 1; r <= runs; r++) {
		int n = 0;
		if ((rc = fq_dbc_begin(c, 1, &err)) ||
		    (rc = fq_dispute_demo(c, &g, now - (int64_t)(r % 10) * YEAR_MS, &n, &err)) ||
		    (rc = fq_dbc_commit(c, &err))) {
			fprintf(stderr, "run %d: %s\n", r, err.message);
			return 1;
		}
		total += n;
	}
	{
		struct fq_stmt *st;
		int64_t count = 0;
		if (fq_dbc_query(c, &err, &st, "SELECT COUNT(*) FROM dispute", "") == 0) {
			if (fq_stmt_step(st, &err) == FQ_DB_ROW)
				count = fq_stmt_int(st, 0);
			fq_stmt_done(st);
		}
		printf("store: %lld disputes over ten years (the demo's and %d replays: %d) in %.1f s\n",
		       (long long)count, runs, total, now_s() - t);
	}

#define TIME(name, target, call)                                                                   \
	do {                                                                                       \
		for (int i = 0; i < repeat; i++) {                                                   \
			double t0 = now_s();                                                       \
			if ((call) != 0) {                                                         \
				fprintf(stderr, "%s: %s\n", name, err.message);                    \
				return 1;                                                          \
			}                                                                          \
			ms[i] = (now_s() - t0) * 1000;                                             \
		}                                                                                  \
		report(name, ms, repeat, target);                                                    \
	} while (0)

	TIME("list: first page", 100, list_once(c, NULL, -1, NULL, &err));
	TIME("list: open and overdue", 100, list_once(c, "open", 1, NULL, &err));
	TIME("list: one grid", 100, list_once(c, NULL, -1, "339902100001", &err));
	TIME("kpi: station, last year", 100, kpi_once(c, STATION, now - YEAR_MS, now, &err));
	TIME("kpi: station, ten years", 100,
	     kpi_once(c, STATION, now - 11 * YEAR_MS, now, &err));
	TIME("kpi: branch, ten years", 100,
	     kpi_once(c, "339902", now - 11 * YEAR_MS, now, &err));
	fq_db_release(db, c);
	fq_db_close(db);
	return 0;
}
