/*
 * Time. Inside the system time is UTC milliseconds since the Unix epoch
 * (int64_t, named *_ms). The API speaks RFC 3339; answers are written in
 * China Standard Time (+08:00, no daylight saving) so they read naturally.
 * All functions are thread-safe.
 */
#ifndef FQ_CORE_TIMEUTIL_H
#define FQ_CORE_TIMEUTIL_H

#include <stdint.h>

#include "core/err.h"

#define FQ_RFC3339_MAX	40
#define FQ_CST_OFFSET_S (8 * 3600)

/* Wall clock, UTC ms. FQ_NOW_OFFSET_MS in the environment shifts it (tests). */
int64_t fq_now_ms(void);
/* Monotonic clock in nanoseconds, for durations. */
int64_t fq_mono_ns(void);

/* Format ms as "2026-11-23T20:29:18.123+08:00" (offset_s east of UTC). */
void fq_time_format(int64_t ms, int offset_s, char out[FQ_RFC3339_MAX]);
/* Format in +08:00. */
void fq_time_format_cst(int64_t ms, char out[FQ_RFC3339_MAX]);

/*
 * Parse RFC 3339 ("2026-11-23T20:29:18Z", fractional seconds up to ns,
 * offsets ±hh:mm, 't'/' ' separators) or a plain date "2026-11-23", taken
 * as midnight in +08:00. Errors name field.
 */
int fq_time_parse(const char *s, int64_t *out_ms, const char *field, struct fq_err *err) FQ_WUR;

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t fq_days_from_civil(int64_t y, unsigned m, unsigned d);
void fq_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
