#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "core/timeutil.h"

/* 2026-11-23T12:29:18Z */
#define T_2026_11_23_122918Z 1795436958000LL

static int64_t parse_ok(const char *s)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = -12345;
	int rc = fq_time_parse(s, &ms, "at", &err);

	if (rc)
		fail_msg("\"%s\": %d %s (%s)", s, rc, err.machine, err.message);
	return ms;
}

static void parse_bad(const char *s)
{
	struct fq_err err = FQ_ERR_INIT;
	int64_t ms = -12345;
	int rc = fq_time_parse(s, &ms, "occurred_at", &err);

	if (rc != FQ_EINVAL)
		fail_msg("\"%s\": got %d (ms %lld), want FQ_EINVAL", s ? s : "(null)", rc,
			 (long long)ms);
	assert_string_equal(err.machine, "invalid_time");
	assert_string_equal(err.field, "occurred_at");
	assert_true(err.message[0] != '\0');
	assert_int_equal(ms, -12345); /* untouched */
}

static void test_parse_utc(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("2000-01-01T00:00:00Z"), 946684800000LL);
	assert_int_equal(parse_ok("2026-11-23T12:29:18Z"), T_2026_11_23_122918Z);
	assert_int_equal(parse_ok("2026-11-23t12:29:18z"), T_2026_11_23_122918Z);
	assert_int_equal(parse_ok("2026-11-23 12:29:18Z"), T_2026_11_23_122918Z);
	assert_int_equal(parse_ok("1900-01-01T00:00:00Z"), -2208988800000LL);
	assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), 1709164800000LL);
}

static void test_parse_offsets(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-23T20:29:18+08:00"), T_2026_11_23_122918Z);
	assert_int_equal(parse_ok("2026-11-23T12:29:18+00:00"), T_2026_11_23_122918Z);
	assert_int_equal(parse_ok("2026-11-23T12:29:18-00:00"), T_2026_11_23_122918Z);
	assert_int_equal(parse_ok("2026-11-23T20:29:18-05:30"), 1795485558000LL);
	/* An offset that moves the instant across midnight and a year. */
	assert_int_equal(parse_ok("2000-01-01T07:00:00+08:00"), 946684800000LL - 3600000LL);
	assert_int_equal(parse_ok("1999-12-31T23:00:00-01:00"), 946684800000LL);
}

static void test_parse_fractions(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-23T12:29:18.1Z"), T_2026_11_23_122918Z + 100);
	assert_int_equal(parse_ok("2026-11-23T12:29:18.12Z"), T_2026_11_23_122918Z + 120);
	assert_int_equal(parse_ok("2026-11-23T12:29:18.123Z"), T_2026_11_23_122918Z + 123);
	/* Below a millisecond is truncated, never rounded. */
	assert_int_equal(parse_ok("2026-11-23T12:29:18.999999999Z"), T_2026_11_23_122918Z + 999);
	assert_int_equal(parse_ok("2026-11-23T20:29:18.0405+08:00"), T_2026_11_23_122918Z + 40);
	assert_int_equal(parse_ok("1969-12-31T23:59:59.5Z"), -500);
	parse_bad("2026-11-23T12:29:18.Z");
	parse_bad("2026-11-23T12:29:18.1234567890Z");
	parse_bad("2026-11-23T12:29:18,5Z");
}

static void test_parse_date_only_is_cst_midnight(void **state)
{
	(void)state;
	/* 2026-11-23 00:00 +08:00 is 2026-11-22 16:00 UTC. */
	assert_int_equal(parse_ok("2026-11-23"), 1795363200000LL);
	assert_int_equal(parse_ok("2026-11-23"), parse_ok("2026-11-23T00:00:00+08:00"));
	assert_int_equal(parse_ok("1970-01-01"), -8LL * 3600 * 1000);
}

static void test_parse_leap_second(void **state)
{
	(void)state;
	/* :60 is read as :59 (the system has no leap seconds). */
	assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2016-12-31T23:59:59Z"));
}

static void test_parse_invalid_dates(void **state)
{
	(void)state;
	parse_bad("2026-02-29");
	parse_bad("2026-02-29T00:00:00Z");
	parse_bad("1900-02-29");
	assert_int_equal(parse_ok("2000-02-29"), parse_ok("2000-02-28") + 86400000LL);
	parse_bad("2026-13-01");
	parse_bad("2026-00-10");
	parse_bad("2026-04-31");
	parse_bad("2026-01-32");
	parse_bad("2026-01-00");
	parse_bad("1899-12-31");
	parse_bad("10000-01-01");
}

static void test_parse_invalid_syntax(void **state)
{
	(void)state;
	parse_bad(NULL);
	parse_bad("");
	parse_bad("2026-11-2");
	parse_bad("2026/11/23");
	parse_bad("26-11-23");
	parse_bad("2026-11-23x");
	parse_bad("2026-11-23T");
	parse_bad("2026-11-23T12:29Z");
	parse_bad("2026-11-23T12:29:18");
	parse_bad("2026-11-23T24:00:00Z");
	parse_bad("2026-11-23T12:60:00Z");
	parse_bad("2026-11-23T12:29:61Z");
	parse_bad("2026-11-23T12:29:18ZZ");
	parse_bad("2026-11-23T12:29:18 Z");
	parse_bad("2026-11-23T12:29:18+08");
	parse_bad("2026-11-23T12:29:18+0800");
	parse_bad("2026-11-23T12:29:18+08:0");
	parse_bad("2026-11-23T12:29:18+24:00");
	parse_bad("2026-11-23T12:29:18+08:60");
	parse_bad("2026-11-23T12:29:18+08:00 ");
	parse_bad("-026-11-23");
	parse_bad("２０２６-11-23");
}

static void test_parse_without_err(void **state)
{
	int64_t ms = 7;

	(void)state;
	assert_int_equal(fq_time_parse("nonsense", &ms, "x", NULL), FQ_EINVAL);
	assert_int_equal(ms, 7);
}

static void test_format(void **state)
{
	char out[FQ_RFC3339_MAX];

	(void)state;
	fq_time_format(0, 0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	fq_time_format_cst(0, out);
	assert_string_equal(out, "1970-01-01T08:00:00.000+08:00");
	fq_time_format(T_2026_11_23_122918Z + 123, FQ_CST_OFFSET_S, out);
	assert_string_equal(out, "2026-11-23T20:29:18.123+08:00");
	fq_time_format_cst(T_2026_11_23_122918Z + 5, out);
	assert_string_equal(out, "2026-11-23T20:29:18.005+08:00");
	fq_time_format(-1, 0, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	fq_time_format(1795485558000LL, -(5 * 3600 + 30 * 60), out);
	assert_string_equal(out, "2026-11-23T20:29:18.000-05:30");
	fq_time_format(946684800000LL, 5 * 3600 + 45 * 60, out);
	assert_string_equal(out, "2000-01-01T05:45:00.000+05:45");
	/* The instant just before CST midnight of new year. */
	fq_time_format_cst(946684800000LL - 8 * 3600000LL - 1, out);
	assert_string_equal(out, "1999-12-31T23:59:59.999+08:00");
	fq_time_format(-2208988800000LL, 0, out);
	assert_string_equal(out, "1900-01-01T00:00:00.000Z");
	/* The first and last instants with four-digit years, and past them. */
	fq_time_format(-62167219200000LL, 0, out);
	assert_string_equal(out, "0000-01-01T00:00:00.000Z");
	fq_time_format(253402300799999LL, 0, out);
	assert_string_equal(out, "9999-12-31T23:59:59.999Z");
	fq_time_format(253402300800000LL, 0, out);
	assert_string_equal(out, "10000-01-01T00:00:00.000Z");
	fq_time_format(253402300799999LL, FQ_CST_OFFSET_S, out);
	assert_string_equal(out, "10000-01-01T07:59:59.999+08:00");
	fq_time_format(-62167219200001LL, 0, out);
	assert_string_equal(out, "-001-12-31T23:59:59.999Z");
}

static void test_format_parse_round_trip(void **state)
{
	static const int offsets[] = {0, FQ_CST_OFFSET_S, -5 * 3600, 9 * 3600 + 30 * 60, -3600};
	char out[FQ_RFC3339_MAX];

	(void)state;
	/* Every ~3.7 days with odd milliseconds, 1900-01-02 to 2100. */
	for (int64_t ms = -2208902400000LL; ms < 4102444800000LL; ms += 319999999LL) {
		for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
			struct fq_err err = FQ_ERR_INIT;
			int64_t back = 0;
			fq_time_format(ms, offsets[k], out);
			if (fq_time_parse(out, &back, "t", &err) != 0)
				fail_msg("%s does not parse: %s", out, err.message);
			if (back != ms)
				fail_msg("%lld -> %s -> %lld", (long long)ms, out, (long long)back);
		}
	}
}

static void test_days_from_civil_known(void **state)
{
	(void)state;
	assert_int_equal(fq_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(fq_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(fq_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(fq_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(fq_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(fq_days_from_civil(0, 3, 1), -719468);
	assert_int_equal(fq_days_from_civil(2024, 3, 1) - fq_days_from_civil(2024, 2, 28), 2);
	assert_int_equal(fq_days_from_civil(2100, 3, 1) - fq_days_from_civil(2100, 2, 28), 1);
}

static void test_civil_round_trip(void **state)
{
	int64_t py = 0;
	unsigned pm = 0, pd = 0;

	(void)state;
	/* About 2,200 years either side of the epoch, including year 0 and below. */
	for (int64_t z = -1500000; z <= 800000; z++) {
		int64_t y;
		unsigned m, d;
		fq_civil_from_days(z, &y, &m, &d);
		if (m < 1 || m > 12 || d < 1 || d > 31)
			fail_msg("day %lld -> %lld-%u-%u", (long long)z, (long long)y, m, d);
		if (fq_days_from_civil(y, m, d) != z)
			fail_msg("day %lld -> %lld-%u-%u -> %lld", (long long)z, (long long)y, m, d,
				 (long long)fq_days_from_civil(y, m, d));
		if (z > -1500000) {
			/* Each day follows the previous one. */
			int next_day = d == pd + 1 && m == pm && y == py;
			int next_month = d == 1 && m == pm + 1 && y == py;
			int next_year = d == 1 && m == 1 && pm == 12 && pd == 31 && y == py + 1;
			if (!next_day && !next_month && !next_year)
				fail_msg("%lld-%u-%u followed by %lld-%u-%u", (long long)py, pm, pd,
					 (long long)y, m, d);
		}
		py = y;
		pm = m;
		pd = d;
	}
}

static void test_civil_known(void **state)
{
	int64_t y;
	unsigned m, d;

	(void)state;
	fq_civil_from_days(0, &y, &m, &d);
	assert_int_equal(y, 1970);
	assert_int_equal(m, 1);
	assert_int_equal(d, 1);
	fq_civil_from_days(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	fq_civil_from_days(-719468, &y, &m, &d);
	assert_int_equal(y, 0);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	fq_civil_from_days(-719469, &y, &m, &d);
	assert_int_equal(y, 0);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29); /* year 0 is a leap year */
	fq_civil_from_days(fq_days_from_civil(-1, 12, 31), &y, &m, &d);
	assert_int_equal(y, -1);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
}

static void test_clocks(void **state)
{
	int64_t now = fq_now_ms();
	int64_t sys = (int64_t)time(NULL) * 1000;
	int64_t a, b;

	(void)state;
	assert_true(now > 1700000000000LL);
	assert_true(now - sys > -5000 && now - sys < 5000);
	a = fq_mono_ns();
	b = fq_mono_ns();
	assert_true(a > 0);
	assert_true(b >= a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_utc),
	    cmocka_unit_test(test_parse_offsets),
	    cmocka_unit_test(test_parse_fractions),
	    cmocka_unit_test(test_parse_date_only_is_cst_midnight),
	    cmocka_unit_test(test_parse_leap_second),
	    cmocka_unit_test(test_parse_invalid_dates),
	    cmocka_unit_test(test_parse_invalid_syntax),
	    cmocka_unit_test(test_parse_without_err),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_format_parse_round_trip),
	    cmocka_unit_test(test_days_from_civil_known),
	    cmocka_unit_test(test_civil_round_trip),
	    cmocka_unit_test(test_civil_known),
	    cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
