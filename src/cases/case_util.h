/*
 * Small helpers shared by the files of src/cases (not a public API):
 * validation of texts, the clock, text normalisation, JSON columns.
 */
#ifndef FQ_CASES_CASE_UTIL_H
#define FQ_CASES_CASE_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* now_ms, or the wall clock when 0. */
int64_t fq_case_now(int64_t now_ms);
/* FQ_EINVAL "too_long" naming field when s has more than max characters. */
int fq_case_check_len(const char *s, size_t max, const char *field, struct fq_err *err) FQ_WUR;
/* As fq_case_check_len, and "missing_field" when s is NULL or blank. */
int fq_case_check_required(const char *s, size_t max, const char *field, struct fq_err *err) FQ_WUR;
/* The normalised form (core/text.h) of s[0..len), malloc'd into *out (NULL s gives ""). */
int fq_case_normalize(const char *s, size_t len, char **out, struct fq_err *err) FQ_WUR;
/* Minute of the day in China Standard Time (0-1439). */
int64_t fq_case_minute_of_day(int64_t ms);
/* Column as RFC 3339 in China Standard Time, or null. */
json_t *fq_case_time_json(struct fq_stmt *st, int col);
/* Text column, or null. */
json_t *fq_case_text_json(struct fq_stmt *st, int col);
/* Fen as a yuan number with two decimals. */
json_t *fq_case_yuan_json(int64_t fen);
/*
 * KPI aggregate buckets (migration 0015, docs/kpi.md "How the figures are
 * read"): bucket b holds the records dated in [b * FQ_KPI_BUCKET_MS,
 * (b + 1) * FQ_KPI_BUCKET_MS). For a period [from, to): the buckets wholly
 * inside it, *b1 to *b2 (none when *b1 > *b2), cover [*e1, *e2); the records
 * of [from, *e1) and [*e2, to) are read one by one (*e1 = *e2 = to when no
 * bucket fits).
 */
#define FQ_KPI_BUCKET_MS 2592000000LL /* 30 days */
void fq_kpi_buckets(int64_t from_ms, int64_t to_ms, int64_t *b1, int64_t *b2, int64_t *e1,
		    int64_t *e2);
/* The first enabled chief of station: id ("" when none). */
int fq_case_station_chief(struct fq_dbc *c, const char *station, char id[37],
			  struct fq_err *err) FQ_WUR;

#endif
