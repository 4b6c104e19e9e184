#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/uscc.h"

static void expect_error(const char *s, const char *machine)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_uscc u;

	assert_int_equal(fq_uscc_parse(s, "uscc", &u, &err), FQ_EINVAL);
	assert_string_equal(err.machine, machine);
	assert_string_equal(err.field, "uscc");
	assert_true(err.message[0] != '\0');
	assert_string_equal(u.code, "");
}

static void test_standard_example(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_uscc u;

	(void)state;
	assert_int_equal(fq_uscc_parse("91350100M000100Y43", "uscc", &u, &err), 0);
	assert_string_equal(u.code, "91350100M000100Y43");
	assert_int_equal(u.authority, '9');
	assert_int_equal(u.type, '1');
	assert_string_equal(u.division, "350100");
	assert_string_equal(u.org_code, "M000100Y4");
	assert_true(u.org_code_check_ok);
	assert_string_equal(fq_uscc_authority_name(u.authority), "工商");
	assert_string_equal(fq_uscc_type_name(u.authority, u.type), "企业");
}

/* Codes of well-known companies, printed on their business licences. */
static void test_real_codes(void **state)
{
	static const char *codes[] = {
	    "914403001922038216",
	    "91330100799655058B",
	    "9144030071526726XG",
	};
	struct fq_uscc u;

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(fq_uscc_parse(codes[i], NULL, &u, NULL), 0);
		assert_true(u.org_code_check_ok);
	}
}

static void test_normalisation(void **state)
{
	struct fq_uscc u;

	(void)state;
	assert_int_equal(fq_uscc_parse("  9144030071526726xg\n", NULL, &u, NULL), 0);
	assert_string_equal(u.code, "9144030071526726XG");
	/* National body (division 100000) of a civil-affairs foundation. */
	assert_int_equal(fq_uscc_parse("53100000500021676K", NULL, &u, NULL), 0);
	assert_string_equal(fq_uscc_type_name(u.authority, u.type), "基金会");
	assert_string_equal(u.division, "100000");
}

static void test_org_code_check_is_informative(void **state)
{
	struct fq_uscc u;

	(void)state;
	/* Valid overall check character, organisation code check does not hold. */
	assert_int_equal(fq_uscc_parse("92330602MA2BCDEF0J", NULL, &u, NULL), 0);
	assert_false(u.org_code_check_ok);
	assert_string_equal(fq_uscc_type_name(u.authority, u.type), "个体工商户");
}

static void test_check_char(void **state)
{
	(void)state;
	assert_int_equal(fq_uscc_check_char("91350100M000100Y4"), '3');
	assert_int_equal(fq_uscc_check_char("12100000400000624"), 'D');
	assert_int_equal(fq_uscc_check_char("91350100M000100I4"), '\0');
}

/* GB 32100: weights 3^i mod 31, check = (31 - sum mod 31) mod 31. */
static char reference_check_char(const char *first17)
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		int weight = 1;

		for (int k = 0; k < i; k++)
			weight = weight * 3 % 31;
		sum += (int)(strchr(set, first17[i]) - set) * weight;
	}
	return set[(31 - sum % 31) % 31];
}

static void test_check_char_against_definition(void **state)
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	uint32_t seed = 777;
	char code[18];

	(void)state;
	for (int n = 0; n < 10000; n++) {
		for (int i = 0; i < 17; i++) {
			seed = seed * 1103515245u + 12345u;
			code[i] = set[(seed >> 16) % 31];
		}
		code[17] = '\0';
		assert_int_equal(fq_uscc_check_char(code), reference_check_char(code));
	}
}

static void test_every_authority(void **state)
{
	struct fq_uscc u;

	(void)state;
	assert_int_equal(fq_uscc_parse("93330602MA2BCDEF0F", NULL, &u, NULL), 0);
	assert_string_equal(fq_uscc_type_name(u.authority, u.type), "农民专业合作社");
	assert_int_equal(fq_uscc_parse("N2330602MA2BCDEF05", NULL, &u, NULL), 0);
	assert_string_equal(fq_uscc_authority_name(u.authority), "农业");
	assert_string_equal(fq_uscc_type_name(u.authority, u.type), "村级集体经济组织");
	assert_string_equal(fq_uscc_type_name('1', '1'), "机关");
	assert_string_equal(fq_uscc_type_name('3', '2'), "公证处");
	assert_string_equal(fq_uscc_type_name('7', '1'), "宗教活动场所");
	assert_string_equal(fq_uscc_type_name('8', '1'), "基层工会");
	assert_string_equal(fq_uscc_type_name('A', '1'), "军队事业单位");
	assert_null(fq_uscc_type_name('9', '4'));
	assert_null(fq_uscc_type_name('Y', '2'));
	for (const char *a = "123456789ANY"; *a; a++)
		assert_non_null(fq_uscc_authority_name(*a));
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("", "uscc_length");
	expect_error("91350100M000100Y4", "uscc_length");
	expect_error("91350100M000100Y433", "uscc_length");
	expect_error("91350100M000100I43", "uscc_charset");
	expect_error("91350100O000100Y43", "uscc_charset");
	expect_error("91350100M000100Y4-", "uscc_charset");
	expect_error("913501 0M000100Y43", "uscc_charset");
	expect_error("B1350100M000100Y43", "uscc_authority");
	expect_error("94350100M000100Y43", "uscc_type");
	expect_error("Y2350100M000100Y43", "uscc_type");
	expect_error("91990100M000100Y43", "uscc_region");
	expect_error("913A0100M000100Y43", "uscc_region");
	expect_error("91350100M000100Y44", "uscc_checksum");
	expect_error("91350100M000010Y43", "uscc_checksum");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(fq_uscc_authority_name('5'), "民政");
	assert_null(fq_uscc_authority_name('Z'));
	assert_null(fq_uscc_authority_name('\0'));
	assert_null(fq_uscc_type_name('9', '9'));
	assert_string_equal(fq_uscc_type_name('Y', '1'), "其他");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_standard_example),
	    cmocka_unit_test(test_real_codes),
	    cmocka_unit_test(test_normalisation),
	    cmocka_unit_test(test_org_code_check_is_informative),
	    cmocka_unit_test(test_check_char),
	    cmocka_unit_test(test_check_char_against_definition),
	    cmocka_unit_test(test_every_authority),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
