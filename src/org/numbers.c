#include "org/numbers.h"

#include <stdio.h>

#include "core/timeutil.h"
#include "core/banned.h"

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
