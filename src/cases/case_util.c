#include "cases/case_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/banned.h"

int64_t fq_case_now(int64_t now_ms)
{
	return now_ms ? now_ms : fq_now_ms();
}

int fq_case_check_len(const char *s, size_t max, const char *field, struct fq_err *err)
{
	if (s && fq_utf8_chars(s) > max)
		return fq_err_set(err, FQ_EINVAL, "too_long", field, "字段 %s 超过 %zu 个字符",
				  field, max);
	return 0;
}

int fq_case_check_required(const char *s, size_t max, const char *field, struct fq_err *err)
{
	if (!s || !s[strspn(s, " \t\r\n")])
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "请填写 %s", field);
	return fq_case_check_len(s, max, field, err);
}

int fq_case_normalize(const char *s, size_t len, char **out, struct fq_err *err)
{
	struct fq_buf b;
	int rc;

	*out = NULL;
	fq_buf_init(&b, 256 * 1024);
	rc = s && len ? fq_text_normalize(s, len, &b, err) : 0;
	if (!rc)
		*out = b.len ? fq_xstrndup(b.buf, b.len) : fq_xstrdup("");
	fq_buf_release(&b);
	return rc;
}

int64_t fq_case_minute_of_day(int64_t ms)
{
	int64_t m = (ms / 60000 + 8 * 60) % 1440;
	return m < 0 ? m + 1440 : m;
}

json_t *fq_case_time_json(struct fq_stmt *st, int col)
{
	char buf[FQ_RFC3339_MAX];
	if (fq_stmt_is_null(st, col))
		return json_null();
	fq_time_format_cst(fq_stmt_int(st, col), buf);
	return json_string(buf);
}

json_t *fq_case_text_json(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	return s ? json_string(s) : json_null();
}

json_t *fq_case_yuan_json(int64_t fen)
{
	return json_real((double)fen / 100.0);
}

int fq_case_station_chief(struct fq_dbc *c, const char *station, char id[37], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT u.id FROM app_user u JOIN user_role r"
			      " ON r.user_id = u.id AND r.role = 'chief'"
			      " WHERE u.unit_code = ? AND u.disabled = 0"
			      " ORDER BY u.created_at, u.id LIMIT 1",
			      "t", station);

	id[0] = '\0';
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		snprintf(id, 37, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* floor(ms / FQ_KPI_BUCKET_MS), also for times before 1970. */
static int64_t bucket_floor(int64_t ms)
{
	return ms >= 0 ? ms / FQ_KPI_BUCKET_MS : -((-(ms + 1)) / FQ_KPI_BUCKET_MS) - 1;
}

void fq_kpi_buckets(int64_t from_ms, int64_t to_ms, int64_t *b1, int64_t *b2, int64_t *e1,
		    int64_t *e2)
{
	/* The first bucket starting at or after from, and the last one ending at or before to. */
	*b1 = bucket_floor(from_ms) + (bucket_floor(from_ms) * FQ_KPI_BUCKET_MS < from_ms);
	*b2 = bucket_floor(to_ms) - 1;
	if (*b1 > *b2 || from_ms >= to_ms) {
		*b1 = 1;
		*b2 = 0;
		*e1 = *e2 = to_ms;
		return;
	}
	*e1 = *b1 * FQ_KPI_BUCKET_MS;
	*e2 = (*b2 + 1) * FQ_KPI_BUCKET_MS;
}
