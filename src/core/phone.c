#include "core/phone.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/banned.h"

/* Most digits kept while scanning; anything longer is no phone number. */
#define PHONE_DIGITS_MAX 20
#define INTL_DIGITS_MIN	 7
#define INTL_DIGITS_MAX	 15

enum scan_token {
	TOKEN_END,
	TOKEN_DIGIT,
	TOKEN_PLUS,
	TOKEN_SEPARATOR,
	TOKEN_OTHER,
};

/* Multi-byte forms that are folded: full-width and typographic separators. */
static const char *const separator_forms[] = {
    "\xc2\xa0",	    /* no-break space */
    "\xe3\x80\x80", /* ideographic space */
    "\xef\xbc\x88", /* （ */
    "\xef\xbc\x89", /* ） */
    "\xef\xbc\x8d", /* － */
    "\xef\xbc\x8e", /* ． */
    "\xe2\x80\x93", /* – */
    "\xe2\x80\x94", /* — */
};

/*
 * Read one character at *p: advances *p and, for digits, stores the ASCII
 * digit in *digit.
 */
static enum scan_token scan(const char **p, char *digit)
{
	const unsigned char *s = (const unsigned char *)*p;

	if (s[0] == '\0')
		return TOKEN_END;
	if (s[0] >= '0' && s[0] <= '9') {
		*digit = (char)s[0];
		*p += 1;
		return TOKEN_DIGIT;
	}
	if (s[0] == '+') {
		*p += 1;
		return TOKEN_PLUS;
	}
	if (strchr(" \t\r\n-().", s[0])) {
		*p += 1;
		return TOKEN_SEPARATOR;
	}
	/* Full-width digits U+FF10..U+FF19 and plus U+FF0B. */
	if (s[0] == 0xef && s[1] == 0xbc && s[2] >= 0x90 && s[2] <= 0x99) {
		*digit = (char)('0' + (s[2] - 0x90));
		*p += 3;
		return TOKEN_DIGIT;
	}
	if (s[0] == 0xef && s[1] == 0xbc && s[2] == 0x8b) {
		*p += 3;
		return TOKEN_PLUS;
	}
	for (size_t i = 0; i < sizeof(separator_forms) / sizeof(separator_forms[0]); i++) {
		size_t n = strlen(separator_forms[i]);

		if (strncmp(*p, separator_forms[i], n) == 0) {
			*p += n;
			return TOKEN_SEPARATOR;
		}
	}
	return TOKEN_OTHER;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_mobile(const char *d, size_t n)
{
	return n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

static bool is_service(const char *d, size_t n)
{
	switch (n) {
	case 3:
		return starts_with(d, "11") || starts_with(d, "12");
	case 5:
		return starts_with(d, "100") || starts_with(d, "12") || starts_with(d, "95") ||
		       starts_with(d, "96");
	case 6:
		return starts_with(d, "95") || starts_with(d, "96");
	case 10:
		return starts_with(d, "400") || starts_with(d, "800");
	default:
		return false;
	}
}

static bool is_local_number(const char *d, size_t n)
{
	return (n == 7 || n == 8) && d[0] >= '2' && d[0] <= '9';
}

/* Length of the area code at the front of d: 3 for 010 and 02X, 4 for 0[3-9]XX, else 0. */
static size_t area_code_len(const char *d, size_t n)
{
	if (n < 4 || d[0] != '0')
		return 0;
	if (d[1] == '1')
		return d[2] == '0' ? 3 : 0;
	if (d[1] == '2')
		return 3;
	if (d[1] >= '3' && d[1] <= '9')
		return 4;
	return 0;
}

static bool is_landline(const char *d, size_t n)
{
	size_t area = area_code_len(d, n);

	return area && is_local_number(d + area, n - area);
}

static void set_number(struct fq_phone *ph, enum fq_phone_kind kind, const char *prefix,
		       const char *d, size_t n)
{
	size_t plen = strlen(prefix);

	ph->kind = kind;
	memcpy(ph->number, prefix, plen);
	memcpy(ph->number + plen, d, n);
	ph->number[plen + n] = '\0';
	if (kind == FQ_PHONE_LANDLINE) {
		size_t area = area_code_len(ph->number, plen + n);

		memcpy(ph->area_code, ph->number, area);
		ph->area_code[area] = '\0';
	}
}

/*
 * Classify the national significant number d. from_abroad says a country
 * code was written, after which landlines drop their leading 0.
 */
static bool classify_national(struct fq_phone *ph, const char *d, size_t n, bool from_abroad)
{
	if (is_mobile(d, n)) {
		set_number(ph, FQ_PHONE_MOBILE, "", d, n);
		return true;
	}
	if (is_landline(d, n)) {
		set_number(ph, FQ_PHONE_LANDLINE, "", d, n);
		return true;
	}
	if (is_service(d, n)) {
		set_number(ph, FQ_PHONE_SERVICE, "", d, n);
		return true;
	}
	if (from_abroad && n && d[0] != '0') {
		char with_zero[PHONE_DIGITS_MAX + 2];

		with_zero[0] = '0';
		memcpy(with_zero + 1, d, n);
		if (is_landline(with_zero, n + 1)) {
			set_number(ph, FQ_PHONE_LANDLINE, "", with_zero, n + 1);
			return true;
		}
	}
	if (!from_abroad && is_local_number(d, n)) {
		set_number(ph, FQ_PHONE_LANDLINE, "", d, n);
		return true;
	}
	return false;
}

static bool classify(struct fq_phone *ph, const char *d, size_t n, bool plus)
{
	const char *intl = NULL;
	size_t intl_len = 0;

	if (plus) {
		intl = d;
		intl_len = n;
	} else if (starts_with(d, "00")) {
		intl = d + 2;
		intl_len = n - 2;
	}
	if (intl) {
		if (starts_with(intl, "86"))
			return classify_national(ph, intl + 2, intl_len - 2, true);
		if (intl_len < INTL_DIGITS_MIN || intl_len > INTL_DIGITS_MAX || intl[0] == '0')
			return false;
		set_number(ph, FQ_PHONE_INTERNATIONAL, "+", intl, intl_len);
		return true;
	}
	if (n == 13 && starts_with(d, "86") && is_mobile(d + 2, 11))
		return classify_national(ph, d + 2, 11, true);
	return classify_national(ph, d, n, false);
}

int fq_phone_normalize(const char *in, struct fq_phone *out, struct fq_err *err)
{
	char digits[PHONE_DIGITS_MAX + 1];
	size_t n = 0;
	bool plus = false;
	const char *p = in;
	enum scan_token t;
	char digit = '0';

	memset(out, 0, sizeof(*out));
	if (strlen(in) > FQ_PHONE_INPUT_MAX)
		return fq_err_set(err, FQ_EINVAL, "phone_length", "phone", "电话号码过长");
	while ((t = scan(&p, &digit)) != TOKEN_END) {
		switch (t) {
		case TOKEN_DIGIT:
			if (n == PHONE_DIGITS_MAX)
				return fq_err_set(err, FQ_EINVAL, "phone_length", "phone",
						  "电话号码过长");
			digits[n++] = digit;
			break;
		case TOKEN_PLUS:
			if (n || plus)
				return fq_err_set(err, FQ_EINVAL, "phone_charset", "phone",
						  "“+”只能出现在电话号码开头");
			plus = true;
			break;
		case TOKEN_SEPARATOR:
			break;
		default:
			return fq_err_set(err, FQ_EINVAL, "phone_charset", "phone",
					  "电话号码只能包含数字、空格、“-”和括号");
		}
	}
	digits[n] = '\0';
	if (!n)
		return fq_err_set(err, FQ_EINVAL, "phone_length", "phone", "电话号码为空");
	if (!classify(out, digits, n, plus)) {
		memset(out, 0, sizeof(*out));
		return fq_err_set(err, FQ_EINVAL, "phone_format", "phone",
				  "不是有效的手机、固定电话或服务号码");
	}
	return 0;
}

const char *fq_phone_kind_name(enum fq_phone_kind kind)
{
	switch (kind) {
	case FQ_PHONE_MOBILE:
		return "mobile";
	case FQ_PHONE_LANDLINE:
		return "landline";
	case FQ_PHONE_SERVICE:
		return "service";
	case FQ_PHONE_INTERNATIONAL:
		return "international";
	default:
		return "invalid";
	}
}

/* How many leading characters of a normalised number stay visible. */
static size_t visible_prefix(const char *number, size_t n)
{
	if (number[0] == '+')
		return 3;
	if (number[0] == '0')
		return area_code_len(number, n);
	if (is_mobile(number, n))
		return 3;
	return 0;
}

int fq_phone_mask(const char *number, char out[FQ_PHONE_MAX + 1])
{
	size_t n = strnlen(number, FQ_PHONE_MAX + 1);
	size_t keep_front;
	const size_t keep_back = 4;
	const size_t min_hidden = 3;

	out[0] = '\0';
	if (n == 0 || n > FQ_PHONE_MAX)
		return FQ_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!(number[i] >= '0' && number[i] <= '9') && !(i == 0 && number[i] == '+'))
			return FQ_EINVAL;
	}
	memcpy(out, number, n + 1);
	if (number[0] != '+' && (n <= 6 || is_service(number, n)))
		return 0;
	if (n < keep_back + min_hidden) {
		memset(out, '*', n);
		return 0;
	}
	keep_front = visible_prefix(number, n);
	if (keep_front + keep_back + min_hidden > n)
		keep_front = n - keep_back - min_hidden;
	memset(out + keep_front, '*', n - keep_front - keep_back);
	return 0;
}
