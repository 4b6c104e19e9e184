#include "org/numbers.h"

#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/banned.h"

/* Prefixes remembered per batch; more in one transaction take a statement each. */
#define BATCH_PREFIXES 16

struct batch_entry {
	char prefix[40];
	int64_t last;
};

static _Thread_local struct {
	struct fq_dbc *conn; /* NULL: no batch on this thread */
	unsigned n;
	struct batch_entry e[BATCH_PREFIXES];
} batch;

void fq_number_batch_begin(struct fq_dbc *c)
{
	batch.conn = c;
	batch.n = 0;
}

void fq_number_batch_end(void)
{
	batch.conn = NULL;
	batch.n = 0;
}

int fq_number_batch_flush(struct fq_err *err)
{
	for (unsigned i = 0; i < batch.n; i++) {
		/* max(): a counter rolled back with a savepoint is written again, or kept if
		 * higher. */
		int rc = fq_dbc_run(batch.conn, err, NULL,
				    "INSERT INTO number_seq (prefix, last) VALUES (?, ?)"
				    " ON CONFLICT (prefix) DO UPDATE"
				    " SET last = max(number_seq.last, excluded.last)",
				    "ti", batch.e[i].prefix, batch.e[i].last);
		if (rc)
			return rc;
	}
	batch.n = 0; /* read again if numbers are taken after the flush */
	return 0;
}

/* The next number of prefix from the batch: 1 when it answered (*n set), 0 when not, or an error.
 */
static int batch_next(struct fq_dbc *c, const char *prefix, int64_t *n, struct fq_err *err)
{
	struct batch_entry *e;
	struct fq_stmt *st;
	int rc;

	if (batch.conn != c)
		return 0;
	for (unsigned i = 0; i < batch.n; i++)
		if (strcmp(batch.e[i].prefix, prefix) == 0) {
			*n = ++batch.e[i].last;
			return 1;
		}
	if (batch.n == BATCH_PREFIXES)
		return 0;
	if ((rc = fq_dbc_query(c, err, &st, "SELECT last FROM number_seq WHERE prefix = ?", "t",
			       prefix)))
		return rc;
	rc = fq_stmt_step(st, err);
	e = &batch.e[batch.n];
	e->last = rc == FQ_DB_ROW ? fq_stmt_int(st, 0) : 0;
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	snprintf(e->prefix, sizeof(e->prefix), "%s", prefix);
	batch.n++;
	*n = ++e->last;
	return 1;
}

int fq_number_next(struct fq_dbc *c, const char *kind, const char *unit_code, int64_t at_ms,
		   char out[FQ_NUMBER_MAX], struct fq_err *err)
{
	char prefix[40];
	struct fq_stmt *st;
	int64_t days = (at_ms + (int64_t)FQ_CST_OFFSET_S * 1000) / 86400000, y, n = 0;
	unsigned m, d;
	int rc;

	fq_civil_from_days(days, &y, &m, &d);
	rc = snprintf(prefix, sizeof(prefix), "%s-%s-%04lld%02u%02u", kind, unit_code, (long long)y,
		      m, d);
	if (rc < 0 || (size_t)rc >= sizeof(prefix))
		return fq_err_set(err, FQ_EINVAL, "invalid_unit", "unit", "单位代码过长");
	rc = batch_next(c, prefix, &n, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		snprintf(out, FQ_NUMBER_MAX, "%s-%04lld", prefix, (long long)n);
		return 0;
	}
	rc = fq_dbc_query(c, err, &st,
			  "INSERT INTO number_seq (prefix, last) VALUES (?, 1)"
			  " ON CONFLICT (prefix) DO UPDATE SET last = number_seq.last + 1"
			  " RETURNING last",
			  "t", prefix);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	snprintf(out, FQ_NUMBER_MAX, "%s-%04lld", prefix, (long long)n);
	return 0;
}
