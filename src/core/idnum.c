#include "core/idnum.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/banned.h"

#define MS_PER_DAY	    86400000LL
#define CHINA_UTC_OFFSET_MS (8LL * 3600 * 1000)
/* Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_TO_UNIX_EPOCH 719162

/* ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 for positions i = 0..16. */
static const int idnum_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
/* Check character for each value of the weighted sum modulo 11. */
static const char idnum_check_chars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The span of s without leading and trailing ASCII blanks. */
static const char *trim(const char *s, size_t *len)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n && is_blank(s[n - 1]))
		n--;
	*len = n;
	return s;
}

static bool province_known(int code)
{
	switch (code / 10) {
	case 1:
		return code >= 11 && code <= 15;
	case 2:
		return code >= 21 && code <= 23;
	case 3:
		return code >= 31 && code <= 37;
	case 4:
		return code >= 41 && code <= 46;
	case 5:
		return code >= 50 && code <= 54;
	case 6:
		return code >= 61 && code <= 65;
	case 7:
		return code == 71;
	case 8:
		return code >= 81 && code <= 83;
	default:
		return false;
	}
}

static bool is_leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && is_leap_year(y))
		return 29;
	return days[m - 1];
}

/* Days since 1970-01-01 of a valid date with y >= 1. */
static int64_t days_since_epoch(int y, int m, int d)
{
	static const int before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t prev = (int64_t)y - 1;
	int64_t days = prev * 365 + prev / 4 - prev / 100 + prev / 400;

	days += before_month[m - 1] + (d - 1);
	if (m > 2 && is_leap_year(y))
		days++;
	return days - DAYS_TO_UNIX_EPOCH;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int digits_value(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

char fq_idnum_check_char(const char *first17)
{
	int sum = 0;

	for (size_t i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return '\0';
		sum += (first17[i] - '0') * idnum_weights[i];
	}
	return idnum_check_chars[sum % 11];
}

static int check_form(const char *s, size_t n, const char *field, struct fq_err *err)
{
	bool all_id_chars = true;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]) && s[i] != 'X' && s[i] != 'x')
			all_id_chars = false;
	}
	if (!all_id_chars)
		return fq_err_set(err, FQ_EINVAL, "id_charset", field,
				  "身份证号只能由数字和末位的 X 组成");
	if (n != FQ_IDNUM_LEN)
		return fq_err_set(err, FQ_EINVAL, "id_length", field,
				  "身份证号应为 18 位（现为 %zu 位）", n);
	for (size_t i = 0; i < FQ_IDNUM_LEN - 1; i++) {
		if (!is_digit(s[i]))
			return fq_err_set(err, FQ_EINVAL, "id_charset", field,
					  "身份证号只有末位可以是 X");
	}
	return 0;
}

static int check_birth_date(const struct fq_idnum *id, const char *field, int64_t now_ms,
			    struct fq_err *err)
{
	int64_t today;

	if (now_ms > INT64_MAX - CHINA_UTC_OFFSET_MS)
		now_ms = INT64_MAX - CHINA_UTC_OFFSET_MS;
	today = floor_div(now_ms + CHINA_UTC_OFFSET_MS, MS_PER_DAY);

	if (id->birth_year < FQ_IDNUM_MIN_BIRTH_YEAR || id->birth_month < 1 ||
	    id->birth_month > 12 || id->birth_day < 1 ||
	    id->birth_day > days_in_month(id->birth_year, id->birth_month))
		return fq_err_set(err, FQ_EINVAL, "id_birth_date", field,
				  "身份证号中的出生日期 %04d-%02d-%02d 无效", id->birth_year,
				  id->birth_month, id->birth_day);
	if (days_since_epoch(id->birth_year, id->birth_month, id->birth_day) > today)
		return fq_err_set(err, FQ_EINVAL, "id_birth_date", field,
				  "身份证号中的出生日期 %04d-%02d-%02d 晚于今天", id->birth_year,
				  id->birth_month, id->birth_day);
	return 0;
}

int fq_idnum_parse(const char *s, const char *field, int64_t now_ms, struct fq_idnum *out,
		   struct fq_err *err)
{
	struct fq_idnum id;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&id, 0, sizeof(id));
	s = trim(s, &n);
	rc = check_form(s, n, field, err);
	if (rc)
		return rc;
	memcpy(id.number, s, FQ_IDNUM_LEN);
	if (id.number[17] == 'x')
		id.number[17] = 'X';

	if (!province_known(digits_value(id.number, 2)))
		return fq_err_set(err, FQ_EINVAL, "id_region", field,
				  "身份证号的地址码 %.6s 不属于任何省级行政区", id.number);
	memcpy(id.division, id.number, 6);

	id.birth_year = digits_value(id.number + 6, 4);
	id.birth_month = digits_value(id.number + 10, 2);
	id.birth_day = digits_value(id.number + 12, 2);
	rc = check_birth_date(&id, field, now_ms, err);
	if (rc)
		return rc;

	if (fq_idnum_check_char(id.number) != id.number[17])
		return fq_err_set(err, FQ_EINVAL, "id_checksum", field,
				  "身份证号校验位不符，请核对号码");
	id.sex = (id.number[16] - '0') % 2 ? 'M' : 'F';
	*out = id;
	return 0;
}

int fq_idnum_from15(const char *s, const char *field, char out[FQ_IDNUM_LEN + 1],
		    struct fq_err *err)
{
	size_t n;

	out[0] = '\0';
	s = trim(s, &n);
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return fq_err_set(err, FQ_EINVAL, "id_charset", field,
					  "15 位身份证号只能由数字组成");
	}
	if (n != FQ_IDNUM_OLD_LEN)
		return fq_err_set(err, FQ_EINVAL, "id_length", field,
				  "旧身份证号应为 15 位（现为 %zu 位）", n);
	memcpy(out, s, 6);
	out[6] = '1';
	out[7] = '9';
	memcpy(out + 8, s + 6, 9);
	out[17] = fq_idnum_check_char(out);
	out[18] = '\0';
	return 0;
}

int fq_idnum_mask(const char *id18, char out[FQ_IDNUM_LEN + 1])
{
	if (strlen(id18) != FQ_IDNUM_LEN) {
		out[0] = '\0';
		return FQ_EINVAL;
	}
	memcpy(out, id18, 6);
	memset(out + 6, '*', 8);
	memcpy(out + 14, id18 + 14, 4);
	out[18] = '\0';
	return 0;
}
