/*
 * Writes the labelled demo alerts (src/demo/demo_alerts.h) of a demo
 * database for the merge quality benchmark (bench/merge_quality.sh, which
 * builds it). Built against the release objects of `make`:
 *
 *   cc -std=c11 -O2 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isrc \
 *     -o build/bench/merge_quality_gen bench/merge_quality_gen.c \
 *     $(find build/obj -name '*.o' ! -name main.o) $(pkg-config --libs libmicrohttpd jansson
 * sqlite3 \ libsodium icu-uc icu-i18n opencc) -lcsv -pthread -lm
 *
 * Usage: merge_quality_gen DB SEED NOW OUT.csv [realistic|issue]
 *   DB      a database made by `fengqiao demo` (only its units are read)
 *   SEED    the generator's seed
 *   NOW     the end of the year of alerts, RFC 3339 (fixed, so that a seed
 *           always gives the same file)
 *   profile the noise (src/demo/demo_alerts.h): realistic (the default) or
 *           only the kinds issue 3 names
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "demo/demo.h"
#include "demo/demo_alerts.h"

int main(int argc, char **argv)
{
	struct fq_db_options dbo = {.read_only = 1};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_rng g;
	struct fq_dbc *c;
	struct fq_db *db;
	int64_t now;
	char *end;
	unsigned long long seed;
	int rc;

	const struct fq_demo_alerts_noise *noise = &fq_demo_noise_realistic;

	if (argc == 6 && strcmp(argv[5], "issue") == 0)
		noise = &fq_demo_noise_issue;
	else if (argc != 5 && !(argc == 6 && strcmp(argv[5], "realistic") == 0)) {
		fprintf(stderr, "usage: merge_quality_gen DB SEED NOW OUT.csv [realistic|issue]\n");
		return 2;
	}
	seed = strtoull(argv[2], &end, 10);
	if (*end || fq_time_parse(argv[3], &now, "NOW", &err)) {
		fprintf(stderr, "merge_quality_gen: bad SEED or NOW\n");
		return 2;
	}
	if (fq_db_open(argv[1], &dbo, &db, &err)) {
		fprintf(stderr, "merge_quality_gen: %s\n", err.message);
		return 1;
	}
	fq_demo_alerts_seed(&g, seed);
	c = fq_db_acquire(db);
	rc = fq_demo_alerts_noisy(c, &g, now, argv[4], noise, &err);
	fq_db_release(db, c);
	fq_db_close(db);
	if (rc) {
		fprintf(stderr, "merge_quality_gen: %s\n", err.message);
		return 1;
	}
	return 0;
}
