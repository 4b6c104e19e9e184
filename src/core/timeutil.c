#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

static int64_t now_offset_ms(void)
{
	static int loaded;
	static int64_t offset;
	if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) {
		const char *s = getenv("FQ_NOW_OFFSET_MS");
		int64_t v = s ? strtoll(s, NULL, 10) : 0;
		__atomic_store_n(&offset, v, __ATOMIC_RELAXED);
		__atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&offset, __ATOMIC_RELAXED);
}

int64_t fq_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + now_offset_ms();
}

int64_t fq_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Howard Hinnant's civil-date algorithms (public domain description). */
int64_t fq_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void fq_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* n digits of v, zero-padded, at p; returns p + n. */
static char *put_digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/*
 * Written digit by digit: answers and events carry several times each, and snprintf
 * took 2% of the intake's instructions for them. Years outside 0000-9999 (which
 * RFC 3339 cannot write in four digits) go through snprintf.
 */
void fq_time_format(int64_t ms, int offset_s, char out[FQ_RFC3339_MAX])
{
	int64_t local = ms + (int64_t)offset_s * 1000;
	int64_t days = floor_div(local, 86400000);
	int64_t rem = local - days * 86400000;
	int64_t y;
	unsigned mo, d, r = (unsigned)rem;
	int off = offset_s < 0 ? -offset_s : offset_s;
	char *p = out;

	fq_civil_from_days(days, &y, &mo, &d);
	if (y < 0 || y > 9999 || off >= 100 * 3600) {
		if (offset_s == 0)
			snprintf(out, FQ_RFC3339_MAX, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
				 (long long)y, mo, d, r / 3600000, r / 60000 % 60, r / 1000 % 60,
				 r % 1000);
		else
			snprintf(out, FQ_RFC3339_MAX,
				 "%04lld-%02u-%02uT%02u:%02u:%02u.%03u%c%02d:%02d", (long long)y,
				 mo, d, r / 3600000, r / 60000 % 60, r / 1000 % 60, r % 1000,
				 offset_s < 0 ? '-' : '+', off / 3600, off / 60 % 60);
		return;
	}
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, mo, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, r / 3600000, 2);
	*p++ = ':';
	p = put_digits(p, r / 60000 % 60, 2);
	*p++ = ':';
	p = put_digits(p, r / 1000 % 60, 2);
	*p++ = '.';
	p = put_digits(p, r % 1000, 3);
	if (offset_s == 0) {
		*p++ = 'Z';
	} else {
		*p++ = offset_s < 0 ? '-' : '+';
		p = put_digits(p, (unsigned)(off / 3600), 2);
		*p++ = ':';
		p = put_digits(p, (unsigned)(off / 60 % 60), 2);
	}
	*p = '\0';
}

void fq_time_format_cst(int64_t ms, char out[FQ_RFC3339_MAX])
{
	fq_time_format(ms, FQ_CST_OFFSET_S, out);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 ? 28 + leap : dm[m - 1];
}

int fq_time_parse(const char *s, int64_t *out_ms, const char *field, struct fq_err *err)
{
	int y, mo, d, h = 0, mi = 0, se = 0, ms = 0, off_s = FQ_CST_OFFSET_S;
	size_t n = s ? strlen(s) : 0;
	const char *p;

	if (n < 10 || n > 64 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		goto bad;
	if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		goto bad;
	p = s + 10;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			goto bad;
		p++;
		if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi) || p[5] != ':' ||
		    digits(p + 6, 2, &se))
			goto bad;
		if (h > 23 || mi > 59 || se > 60)
			goto bad;
		if (se == 60)
			se = 59;
		p += 8;
		if (*p == '.') {
			int nd = 0;
			p++;
			while (*p >= '0' && *p <= '9') {
				if (nd < 3)
					ms = ms * 10 + (*p - '0');
				nd++;
				p++;
			}
			if (nd == 0 || nd > 9)
				goto bad;
			for (; nd < 3; nd++)
				ms *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			off_s = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) ||
			    oh > 23 || om > 59)
				goto bad;
			off_s = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
			p += 6;
		} else {
			goto bad;
		}
		if (*p)
			goto bad;
	}
	*out_ms = (fq_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
		   se - off_s) *
		      1000 +
		  ms;
	return 0;
bad:
	return fq_err_set(err, FQ_EINVAL, "invalid_time", field,
			  "时间格式错误：应为 RFC 3339，例如 2026-11-23T20:30:00+08:00");
}
