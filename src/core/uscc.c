#include "core/uscc.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/banned.h"

#define USCC_BASE 31

/* The character set in value order: value(c) is the index of c here. */
static const char uscc_charset[USCC_BASE + 1] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/* GB 11714 weights of the 8 body characters of an organisation code. */
static const int org_code_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

struct uscc_type {
	char authority;
	char type;
	const char *name;
};

struct uscc_authority {
	char code;
	const char *name;
};

/* GB 32100-2015 table of authorities, with the later A and N. */
static const struct uscc_authority uscc_authorities[] = {
    {'1', "机构编制"}, {'2', "外交"},
    {'3', "司法行政"}, {'4', "文化"},
    {'5', "民政"},     {'6', "旅游"},
    {'7', "宗教"},     {'8', "工会"},
    {'9', "工商"},     {'A', "中央军委改革和编制办公室"},
    {'N', "农业"},     {'Y', "其他"},
};

static const struct uscc_type uscc_types[] = {
    {'1', '1', "机关"},
    {'1', '2', "事业单位"},
    {'1', '3', "中央编办直接管理机构编制的群众团体"},
    {'1', '9', "其他"},
    {'2', '1', "外国常驻新闻机构"},
    {'2', '9', "其他"},
    {'3', '1', "律师执业机构"},
    {'3', '2', "公证处"},
    {'3', '3', "基层法律服务所"},
    {'3', '4', "司法鉴定机构"},
    {'3', '5', "仲裁委员会"},
    {'3', '9', "其他"},
    {'4', '1', "外国在华文化中心"},
    {'4', '9', "其他"},
    {'5', '1', "社会团体"},
    {'5', '2', "民办非企业单位"},
    {'5', '3', "基金会"},
    {'5', '9', "其他"},
    {'6', '1', "外国旅游部门常驻代表机构"},
    {'6', '2', "港澳台地区旅游部门常驻内地（大陆）代表机构"},
    {'6', '9', "其他"},
    {'7', '1', "宗教活动场所"},
    {'7', '2', "宗教院校"},
    {'7', '9', "其他"},
    {'8', '1', "基层工会"},
    {'8', '9', "其他"},
    {'9', '1', "企业"},
    {'9', '2', "个体工商户"},
    {'9', '3', "农民专业合作社"},
    {'A', '1', "军队事业单位"},
    {'A', '9', "其他"},
    {'N', '1', "组级集体经济组织"},
    {'N', '2', "村级集体经济组织"},
    {'N', '3', "乡镇级集体经济组织"},
    {'N', '9', "其他"},
    {'Y', '1', "其他"},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The value 0..30 of c, or -1 when c is outside the set. */
static int uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_charset, c);
	return p ? (int)(p - uscc_charset) : -1;
}

char fq_uscc_check_char(const char *first17)
{
	int sum = 0;
	int weight = 1; /* 3^i mod 31 for position i */

	for (size_t i = 0; i < 17; i++) {
		int v = uscc_value(first17[i]);

		if (v < 0)
			return '\0';
		sum += v * weight;
		weight = weight * 3 % USCC_BASE;
	}
	return uscc_charset[(USCC_BASE - sum % USCC_BASE) % USCC_BASE];
}

/* GB 11714: body characters are digits (0-9) or letters (A=10 ... Z=35). */
static bool org_code_check_ok(const char *code9)
{
	int sum = 0;
	int check;
	char expect;

	for (size_t i = 0; i < 8; i++) {
		char c = code9[i];
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'A' && c <= 'Z')
			v = c - 'A' + 10;
		else
			return false;
		sum += v * org_code_weights[i];
	}
	check = 11 - sum % 11;
	if (check == 10)
		expect = 'X';
	else if (check == 11)
		expect = '0';
	else
		expect = (char)('0' + check);
	return code9[8] == expect;
}

const char *fq_uscc_authority_name(char authority)
{
	for (size_t i = 0; i < ARRAY_LEN(uscc_authorities); i++) {
		if (uscc_authorities[i].code == authority)
			return uscc_authorities[i].name;
	}
	return NULL;
}

const char *fq_uscc_type_name(char authority, char type)
{
	for (size_t i = 0; i < ARRAY_LEN(uscc_types); i++) {
		if (uscc_types[i].authority == authority && uscc_types[i].type == type)
			return uscc_types[i].name;
	}
	return NULL;
}

static bool division_ok(const char *d)
{
	int province;

	for (size_t i = 0; i < 6; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
	}
	province = (d[0] - '0') * 10 + (d[1] - '0');
	switch (province / 10) {
	case 1:
		return province >= 10 && province <= 15;
	case 2:
		return province >= 21 && province <= 23;
	case 3:
		return province >= 31 && province <= 37;
	case 4:
		return province >= 41 && province <= 46;
	case 5:
		return province >= 50 && province <= 54;
	case 6:
		return province >= 61 && province <= 65;
	case 7:
		return province == 71;
	case 8:
		return province == 81 || province == 82;
	default:
		return false;
	}
}

/* Trim and upper-case s into code; returns the trimmed length (may exceed 18). */
static size_t normalise(const char *s, char code[FQ_USCC_LEN + 1], bool *charset_ok)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n && is_blank(s[n - 1]))
		n--;
	*charset_ok = true;
	for (size_t i = 0; i < n; i++) {
		char c = upper(s[i]);

		if (uscc_value(c) < 0)
			*charset_ok = false;
		if (i < FQ_USCC_LEN)
			code[i] = c;
	}
	code[n < FQ_USCC_LEN ? n : FQ_USCC_LEN] = '\0';
	return n;
}

int fq_uscc_parse(const char *s, const char *field, struct fq_uscc *out, struct fq_err *err)
{
	struct fq_uscc u;
	bool charset_ok;
	size_t n;

	memset(out, 0, sizeof(*out));
	memset(&u, 0, sizeof(u));
	n = normalise(s, u.code, &charset_ok);
	if (!charset_ok)
		return fq_err_set(
		    err, FQ_EINVAL, "uscc_charset", field,
		    "统一社会信用代码只能由数字和除 I、O、S、V、Z 以外的大写字母组成");
	if (n != FQ_USCC_LEN)
		return fq_err_set(err, FQ_EINVAL, "uscc_length", field,
				  "统一社会信用代码应为 18 位（现为 %zu 位）", n);
	u.authority = u.code[0];
	u.type = u.code[1];
	if (!fq_uscc_authority_name(u.authority))
		return fq_err_set(err, FQ_EINVAL, "uscc_authority", field,
				  "统一社会信用代码的登记管理部门码 %c 不存在", u.authority);
	if (!fq_uscc_type_name(u.authority, u.type))
		return fq_err_set(err, FQ_EINVAL, "uscc_type", field,
				  "统一社会信用代码的机构类别码 %c%c 不存在", u.authority, u.type);
	if (!division_ok(u.code + 2))
		return fq_err_set(err, FQ_EINVAL, "uscc_region", field,
				  "统一社会信用代码的行政区划码 %.6s 无效", u.code + 2);
	if (fq_uscc_check_char(u.code) != u.code[17])
		return fq_err_set(err, FQ_EINVAL, "uscc_checksum", field,
				  "统一社会信用代码校验位不符，请核对");
	memcpy(u.division, u.code + 2, 6);
	memcpy(u.org_code, u.code + 8, 9);
	u.org_code_check_ok = org_code_check_ok(u.org_code);
	*out = u;
	return 0;
}
